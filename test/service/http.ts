// The resolver service as an HTTP citizen, over real HTTP in front of a real `hardhat node`:
// batch bodies taken exactly as sent (no coercion), 413/415/405/404/431 answered as RFC 9457
// problem details with their own status and title, long DID URLs reaching the handler, and
// CORS for web apps on other origins (raw HTTP, and a real Chromium page on another origin).
import { expect } from "chai";
import { browserPage, staticServer } from "../support/browser.ts";
import { expectErrorBody, expectProblem, raw, serve, startChain, type Chain, type RawResponse } from "./fixture.ts";

describe("resolver service: HTTP protocol (real HTTP, real hardhat node)", function () {
  this.timeout(120_000);
  let chain: Chain;
  let svc: Awaited<ReturnType<typeof serve>>;
  const id = (did: string) => `/1.0/identifiers/${did}`;
  const post = (body: string, headers: Record<string, string> = { "content-type": "application/json" }) =>
    raw(svc.url, "/1.0/identifiers", { method: "POST", headers, body });

  before(async () => {
    chain = await startChain();
    svc = await serve([chain.net()], { maxAgeMs: 0 }, 50);
  });
  after(async () => {
    await svc?.service.close();
    await chain?.stop();
  });

  it("refuses a batch body of the wrong shape with 400 problem details, coercing nothing", async () => {
    chain.proxy.reset();
    const cases: [string, string][] = [
      ['{"dids":"x"}', '"dids" is a string, not an array'],
      ['{"dids":[1,2,null]}', '3 of the 3 entries of "dids" are not a DID string'],
      [`{"dids":["${chain.alice}",true]}`, "dids[1] must be a DID string, not a boolean"],
      [`{"dids":[["${chain.alice}"]]}`, "not an array"],
      ['{"dids":{"0":"did:sigil:x"}}', '"dids" is an object, not an array'],
      ['{"dids":null}', '"dids" is null'],
      ["{}", '"dids" is missing'],
      ['{"dids":[]}', '"dids" has 0 entries'],
      [`{"dids":["${chain.alice}"],"accept":"application/did"}`, 'unknown member "accept"'],
      [`["${chain.alice}"]`, "the body is an array, not a JSON object"],
      ['"x"', "the body is a string"],
      ["null", "the body is null"],
      ["1", "the body is a number"],
      [`{"dids":["${"x".repeat(2049)}"]}`, "over 2048 characters"],
    ];
    for (const [body, hint] of cases) {
      const problem = expectProblem(await post(body), 400, "Bad Request");
      expect(problem.detail, body).to.include(hint);
      expect(problem.detail, body).to.include('send {"dids": ["did:sigil:…", …]} with 1 to 50 DIDs, each a string');
    }
    const entries = expectProblem(await post('{"dids":[1,2,null]}'), 400, "Bad Request").errors;
    expect(entries).to.deep.equal([
      { pointer: "#/dids/0", detail: "must be a DID string, not a number" },
      { pointer: "#/dids/1", detail: "must be a DID string, not a number" },
      { pointer: "#/dids/2", detail: "must be a DID string, not null" },
    ]);
    expect(chain.proxy.roundTrips, "a refused batch reads nothing").to.equal(0);
    // The right shape still works, and a string that is not a DID is still a per-entry result.
    const ok = await post(JSON.stringify({ dids: [chain.alice, "nope"] }));
    expect(ok.status).to.equal(200);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed body, whose shape the assertions check
    expect(ok.json().results.map((r: any) => r.didDocument?.id ?? r.didResolutionMetadata.error.type)).to.deep.equal([
      chain.alice,
      "https://www.w3.org/ns/did#INVALID_DID",
    ]);
  });

  it("answers a too-large body 413 and a body that is not JSON 415, each saying what to send", async () => {
    const big = JSON.stringify({ dids: Array(40).fill(`did:sigil:local:${"a".repeat(30_000)}`) });
    expect(big.length).to.be.greaterThan(1024 * 1024);
    const tooLarge = expectProblem(await post(big), 413, "Content Too Large");
    expect(tooLarge.detail).to.include("over 1048576 bytes").and.include("at most 50 DIDs per request");
    // The same without a Content-Length (chunked): refused while reading, not after.
    const chunked = await post(big, { "content-type": "application/json", "transfer-encoding": "chunked" });
    expectProblem(chunked, 413, "Content Too Large");

    for (const type of ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const r = await post("dids=x", { "content-type": type });
      const problem = expectProblem(r, 415, "Unsupported Media Type");
      expect(problem.detail, type).to.include(`Content-Type "${type}" is not accepted`).and.include("Content-Type: application/json");
      expect(r.headers["accept-post"]).to.equal("application/json");
    }
    expect(expectProblem(await post("x", {}), 415, "Unsupported Media Type").detail).to.include("no Content-Type");
    // A JSON type with parameters or in capitals is JSON.
    expect((await post(JSON.stringify({ dids: [chain.alice] }), { "content-type": "Application/JSON; charset=utf-8" })).status).to.equal(
      200,
    );
    // Malformed JSON and an empty JSON body say what to send, too.
    expect(expectProblem(await post("{nope"), 400, "Bad Request").detail)
      .to.include("not valid JSON")
      .and.include('{"dids": [');
    expect(expectProblem(await post(""), 400, "Bad Request").detail).to.include("the body is empty");
  });

  it("answers a wrong method 405 with Allow, and an unknown path 404", async () => {
    const cases: [string, string, string][] = [
      ["PUT", id(chain.alice), "GET, HEAD, POST, OPTIONS"],
      ["DELETE", id(chain.alice), "GET, HEAD, POST, OPTIONS"],
      ["PATCH", id(chain.alice), "GET, HEAD, POST, OPTIONS"],
      ["GET", "/1.0/identifiers", "POST, OPTIONS"],
      ["PUT", "/1.0/identifiers", "POST, OPTIONS"],
      ["DELETE", "/1.0/identifiers?x=1", "POST, OPTIONS"],
      ["POST", "/healthz", "GET, HEAD, OPTIONS"],
      ["DELETE", "/metrics", "GET, HEAD, OPTIONS"],
    ];
    for (const [method, path, allow] of cases) {
      // A body of a type the service would refuse: the method is wrong first.
      const r = await raw(svc.url, path, { method, headers: { "content-type": "text/plain", "content-length": "1" }, body: "x" });
      const problem = expectProblem(r, 405, "Method Not Allowed");
      expect(r.headers.allow, `${method} ${path}`).to.equal(allow);
      expect(problem.detail).to.include(`"${method}" is not allowed`);
    }
    const head = await raw(svc.url, "/1.0/identifiers", { method: "HEAD" });
    expect(head.status).to.equal(405);
    expect(head.headers.allow).to.equal("POST, OPTIONS");
    for (const method of ["GET", "POST", "PUT", "DELETE"]) {
      for (const path of ["/2.0/identifiers/x", "/", "/healthz/extra", "/1.0"]) {
        const r = await raw(svc.url, path, { method });
        expect(expectProblem(r, 404, "Not Found").detail).to.include("GET /1.0/identifiers/{did}");
        expect(r.headers.allow).to.equal(undefined);
      }
    }
    // HEAD is answered wherever GET is.
    expect((await raw(svc.url, "/healthz", { method: "HEAD" })).status).to.equal(200);
  });

  it("takes a long DID URL to the handler (invalidDid past 2048 characters) and answers 431 beyond the header limit", async () => {
    // 70 kB: over Node's default 16 KiB header limit, under the service's 96 KiB.
    const long = await raw(svc.url, id(`did:sigil:local:0x${"a".repeat(70_000)}`));
    expect(expectErrorBody(long, 400, "INVALID_DID").detail).to.include("2048");
    const longEncoded = await raw(svc.url, id(`${chain.alice}%23${"%41".repeat(23_000)}`));
    expect(expectErrorBody(longEncoded, 400, "INVALID_DID").detail).to.include("2048");
    // Big headers that fit are fine.
    expect((await raw(svc.url, id(chain.alice), { headers: { "x-pad": "y".repeat(70_000) } })).status).to.equal(200);
    // Past 96 KiB of request line and headers: refused before routing, still problem details.
    for (const request of [{ path: id("x".repeat(120_000)) }, { path: "/healthz", headers: { "x-pad": "y".repeat(120_000) } }]) {
      const r = await raw(svc.url, request.path, { headers: request.headers });
      expect(expectProblem(r, 431, "Request Header Fields Too Large").detail)
        .to.include("98304 bytes")
        .and.include("2048 characters");
      expect(r.headers["access-control-allow-origin"]).to.equal("*");
    }
    // The service is still there, and counted the refusals.
    expect((await raw(svc.url, "/healthz")).status).to.equal(200);
    expect((await raw(svc.url, "/metrics")).body).to.match(/sigil_http_requests_total\{route="unmatched",status="431"\} 2/);
    expect(svc.logs.join("")).to.include('"msg":"refused before routing"').and.not.include("xxxxxxxx");
  });

  describe("CORS", () => {
    const origin = "https://console.example";
    const preflight = (base: string, path: string, method: string, headers: Record<string, string> = {}) =>
      raw(base, path, { method: "OPTIONS", headers: { origin, "access-control-request-method": method, ...headers } });
    const expectCors = (r: RawResponse, allowed: string | undefined) => {
      expect(r.headers["access-control-allow-origin"], r.body).to.equal(allowed);
      expect(r.headers["access-control-allow-credentials"]).to.equal(undefined);
      if (allowed) expect(r.headers["access-control-expose-headers"]).to.equal("x-did-resolution-error, allow");
    };

    it("lets any origin GET and POST by default: preflight 204, every answer (errors too) readable", async () => {
      for (const [path, method] of [
        [id(chain.alice), "GET"],
        ["/1.0/identifiers", "POST"],
      ]) {
        const r = await preflight(svc.url, path, method, { "access-control-request-headers": "content-type, accept" });
        expect(r.status).to.equal(204);
        expect(r.body).to.equal("");
        expectCors(r, "*");
        expect(r.headers["access-control-allow-methods"]).to.equal("GET, HEAD, POST, OPTIONS");
        expect(r.headers["access-control-allow-headers"]).to.equal("content-type, accept");
        expect(r.headers["access-control-max-age"]).to.equal("7200");
        expect(r.headers.allow).to.equal(method === "GET" ? "GET, HEAD, POST, OPTIONS" : "POST, OPTIONS");
      }
      // A plain OPTIONS (no Origin) is no failed preflight: 204 with Allow.
      const plain = await raw(svc.url, "/1.0/identifiers", { method: "OPTIONS" });
      expect(plain.status).to.equal(204);
      expect(plain.headers.allow).to.equal("POST, OPTIONS");
      // Nothing at the path: 404, not a successful preflight.
      expectProblem(await preflight(svc.url, "/nope", "GET"), 404, "Not Found");

      const answers = [
        await raw(svc.url, id(chain.alice), { headers: { origin } }),
        await raw(svc.url, "/1.0/identifiers", {
          method: "POST",
          headers: { origin, "content-type": "application/json" },
          body: JSON.stringify({ dids: [chain.alice] }),
        }),
        await raw(svc.url, id("not-a-did"), { headers: { origin } }),
        await raw(svc.url, "/1.0/identifiers", { method: "POST", headers: { origin, "content-type": "text/plain" }, body: "x" }),
        await raw(svc.url, "/1.0/identifiers", { headers: { origin } }),
        await raw(svc.url, "/nope", { headers: { origin } }),
        await raw(svc.url, "/healthz", { headers: { origin } }),
      ];
      expect(answers.map((a) => a.status)).to.deep.equal([200, 200, 400, 415, 405, 404, 200]);
      for (const a of answers) expectCors(a, "*");
      expect(answers[2].headers.vary).to.equal("Accept"); // "*" does not vary on Origin
    });

    it("allows only the configured origins when given a list, and none when off", async () => {
      const listed = await serve([chain.net()], { maxAgeMs: 0 }, 50, { cors: [origin, "http://localhost:3000"] });
      const off = await serve([chain.net()], { maxAgeMs: 0 }, 50, { cors: false });
      try {
        const mine = await raw(listed.url, id(chain.alice), { headers: { origin } });
        expectCors(mine, origin);
        expect(mine.headers.vary).to.equal("Origin, Accept");
        const other = await raw(listed.url, id(chain.alice), { headers: { origin: "https://evil.example" } });
        expect(other.status).to.equal(200);
        expect(other.headers["access-control-allow-origin"]).to.equal(undefined);
        const pre = await preflight(listed.url, "/1.0/identifiers", "POST");
        expect(pre.status).to.equal(204);
        expectCors(pre, origin);

        const none = await raw(off.url, id(chain.alice), { headers: { origin } });
        expect(none.status).to.equal(200);
        expect(Object.keys(none.headers).filter((h) => h.startsWith("access-control-"))).to.deep.equal([]);
        const options = await preflight(off.url, "/1.0/identifiers", "POST");
        expect(options.status).to.equal(204);
        expect(options.headers.allow).to.equal("POST, OPTIONS");
        expect(Object.keys(options.headers).filter((h) => h.startsWith("access-control-"))).to.deep.equal([]);
        expectProblem(await raw(off.url, "/nope", { method: "OPTIONS" }), 404, "Not Found");
      } finally {
        await listed.service.close();
        await off.service.close();
      }
      for (const bad of ["https://console.example/", "console.example", "https://console.example/app", ""]) {
        await serve([chain.net()], { maxAgeMs: 0 }, 50, { cors: [bad] }).then(
          () => expect.fail(`accepted ${bad}`),
          (e: Error) => expect(e.message, bad).to.include("is not an origin"),
        );
      }
      await serve([chain.net()], { maxAgeMs: 0 }, 50, { cors: [] }).then(
        () => expect.fail("accepted no origins"),
        (e: Error) => expect(e.message).to.include("at least one origin"),
      );
    });

    it("works from a web page on another origin in a real browser (Chromium)", async function () {
      const page = await browserPage();
      if (!page) return this.skip(); // only with SIGIL_SKIP_BROWSER=1 (see browserPage)
      const site = await staticServer({ "/": "<!doctype html><html><body>console</body></html>" });
      const listed = await serve([chain.net()], { maxAgeMs: 0 }, 50, { cors: [site.url] });
      const elsewhere = await serve([chain.net()], { maxAgeMs: 0 }, 50, { cors: ["https://other.example"] });
      const off = await serve([chain.net()], { maxAgeMs: 0 }, 50, { cors: false });
      try {
        await page.goto(site.url);
        // Plain JavaScript for the page (a function would be compiled with helpers the page lacks).
        const calls = (base: string, did: string) =>
          page.evaluate(`(async (base, did) => {
            const attempt = async (f) => {
              try {
                const r = await f();
                return { status: r.status, error: r.headers.get("x-did-resolution-error"), body: await r.json() };
              } catch (e) {
                return { failed: String(e) };
              }
            };
            return {
              get: await attempt(() => fetch(base + "/1.0/identifiers/" + did)),
              // application/json makes this a non-simple request: the browser preflights it.
              post: await attempt(() => fetch(base + "/1.0/identifiers", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ dids: [did] }) })),
              invalid: await attempt(() => fetch(base + "/1.0/identifiers/not-a-did")),
              wrongMethod: await attempt(() => fetch(base + "/1.0/identifiers", { method: "PUT", headers: { "content-type": "application/json" }, body: "{}" })),
            };
          })(${JSON.stringify(base)}, ${JSON.stringify(did)})`) as Promise<Record<"get" | "post" | "invalid" | "wrongMethod", any>>; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed bodies
        for (const base of [svc.url, listed.url]) {
          const r = await calls(base, chain.alice);
          expect(r.get, base).to.deep.include({ status: 200 });
          expect(r.get.body.didDocument.id).to.equal(chain.alice);
          expect(r.post).to.deep.include({ status: 200 });
          expect(r.post.body.results[0].didDocument.id).to.equal(chain.alice);
          expect(r.invalid).to.deep.include({ status: 400, error: "invalidDid" }); // the exposed header is readable
          // PUT is not in Access-Control-Allow-Methods: the browser stops it at the preflight.
          expect(r.wrongMethod).to.have.property("failed");
        }
        for (const base of [elsewhere.url, off.url]) {
          const r = await calls(base, chain.alice);
          expect(r.get, base).to.have.property("failed");
          expect(r.post, base).to.have.property("failed");
        }
      } finally {
        await page.context().browser()?.close();
        await Promise.all([listed.service.close(), elsewhere.service.close(), off.service.close(), site.close()]);
      }
    });
  });

  it("answers every error outside resolution as problem details with its status and title", async () => {
    const bad: [Promise<RawResponse>, number, string][] = [
      [raw(svc.url, "/nope"), 404, "Not Found"],
      [raw(svc.url, "/1.0/identifiers"), 405, "Method Not Allowed"],
      [raw(svc.url, id(chain.alice), { method: "DELETE" }), 405, "Method Not Allowed"],
      [post("{nope"), 400, "Bad Request"],
      [post(""), 400, "Bad Request"],
      [post('{"__proto__":{"x":1},"dids":[]}'), 400, "Bad Request"],
      [post('{"dids":[1]}'), 400, "Bad Request"],
      [post("x".repeat(1024 * 1024 + 1)), 413, "Content Too Large"],
      [post("x", { "content-type": "text/plain" }), 415, "Unsupported Media Type"],
      [raw(svc.url, "/%E0%A4%A"), 400, "Bad Request"],
      [raw(svc.url, id("x".repeat(100_000))), 431, "Request Header Fields Too Large"],
    ];
    for (const [answer, status, title] of bad) {
      const r = await answer;
      const body = expectProblem(r, status, title);
      expect(body.detail).to.not.match(/^(Bad Request|Not Found|Unsupported Media Type|Request body is too large)$/);
    }
    // Resolution errors keep the DID Resolution shape (checked throughout service.ts).
    expectErrorBody(await raw(svc.url, id("not-a-did")), 400, "INVALID_DID");
  });
});

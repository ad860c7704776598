// The resolver service over real HTTP, in front of a real `hardhat node`: the Universal Resolver
// driver API (resolution, content negotiation, versions, dereferencing, every status code with
// a DID Resolution error body), batches, /healthz, /metrics, and what logs must not say.
import { expect } from "chai";
import fc from "fast-check";
import { expectErrorBody, raw, serve, startChain, type Chain } from "./fixture.ts";

const RESULT = "application/did-resolution";

describe("resolver service (real HTTP, real hardhat node)", function () {
  this.timeout(120_000);
  let chain: Chain;
  let svc: Awaited<ReturnType<typeof serve>>;
  const get = (path: string, accept?: string) => raw(svc.url, path, { headers: accept ? { accept } : {} });
  const id = (did: string) => `/1.0/identifiers/${did}`;

  before(async () => {
    chain = await startChain();
    svc = await serve([chain.net()], { maxAgeMs: 0 }, 50);
  });
  after(async () => {
    await svc?.service.close();
    await chain?.stop();
  });

  it("resolves a DID to a DID Resolution result by default", async () => {
    const r = await get(id(chain.alice));
    expect(r.status).to.equal(200);
    expect(r.headers["content-type"]).to.equal(RESULT);
    expect(r.headers.vary).to.equal("Accept");
    const body = r.json();
    expect(body["@context"]).to.equal("https://w3id.org/did-resolution/v1");
    expect(body.didDocument.id).to.equal(chain.alice);
    expect(body.didDocument.service[0].serviceEndpoint).to.equal("https://inbox.example/alice");
    expect(body.didResolutionMetadata.contentType).to.equal("application/did");
    expect(body.didDocumentMetadata.versionId).to.match(/^\d+$/);
  });

  it("negotiates the representation from Accept, old Universal Resolver types included", async () => {
    const cases: [string, number, string, "result" | "document" | "dereferencing", boolean?][] = [
      ["application/did-resolution", 200, RESULT, "result"],
      [
        'application/ld+json;profile="https://w3id.org/did-resolution"',
        200,
        'application/ld+json;profile="https://w3id.org/did-resolution"',
        "result",
      ],
      ["application/json", 200, "application/json", "result"],
      ["*/*", 200, RESULT, "result"],
      ["application/did", 200, "application/did", "document", true],
      ["application/did+ld+json", 200, "application/did+ld+json", "document", true],
      ["application/ld+json", 200, "application/ld+json", "document", true],
      ["application/did+json", 200, "application/did+json", "document", false],
      ["text/html;q=0.9, application/did;q=0.5", 200, "application/did", "document", true],
      ["application/did;q=0, application/did+json", 200, "application/did+json", "document", false],
      ["application/did-url-dereferencing", 200, "application/did-url-dereferencing", "dereferencing"],
    ];
    for (const [accept, status, type, kind, context] of cases) {
      const r = await get(id(chain.alice), accept);
      expect(r.status, accept).to.equal(status);
      expect(String(r.headers["content-type"]).replace("; charset=utf-8", "").replace("; ", ";"), accept).to.equal(type);
      const body = r.json();
      const doc = kind === "result" ? body.didDocument : kind === "dereferencing" ? body.content : body;
      expect(doc.id, accept).to.equal(chain.alice);
      if (context !== undefined) expect("@context" in doc, accept).to.equal(context);
    }
    for (const accept of ["text/html", "application/cbor", "image/*", `application/did;${"x".repeat(2000)}`]) {
      expectErrorBody(await get(id(chain.alice), accept), 406);
    }
  });

  it("resolves past versions by versionId and versionTime, as HTTP options or in the DID URL", async () => {
    const before = (await get(`${id(chain.carol)}?versionId=${chain.carolBefore}`)).json();
    expect(before.didDocument.service ?? []).to.deep.equal([]);
    expect(before.didDocumentMetadata.nextVersionId).to.match(/^\d+$/);
    const after = (await get(`${id(chain.carol)}?versionTime=${chain.carolChangedAt}`)).json();
    expect(after.didDocument.service[0].serviceEndpoint).to.equal("https://inbox.example/carol");
    const inUrl = (await get(id(`${chain.carol}${encodeURIComponent(`?versionId=${chain.carolBefore}`)}`))).json();
    expect(inUrl.didDocument.service ?? []).to.deep.equal([]);
    // "+hh:mm" offsets survive: a "+" in the query is not a space here.
    const offset = chain.carolChangedAt.replace("Z", "+00:00");
    expect((await get(`${id(chain.carol)}?versionTime=${offset}`)).json().didDocument.service).to.have.length(1);
  });

  it("dereferences a #fragment to the verification method or service", async () => {
    const vm = await get(id(`${chain.alice}%23controller`));
    expect(vm.status).to.equal(200);
    expect(vm.headers["content-type"]).to.equal("application/did-url-dereferencing");
    expect(vm.json().content).to.include({ id: `${chain.alice}#controller`, type: "EcdsaSecp256k1RecoveryMethod2020" });
    // A bare-document Accept gets the part itself, with the document's contexts (JSON-LD) or without (plain JSON).
    const service = await get(id(`${chain.alice}%23service-1`), "application/did");
    expect(String(service.headers["content-type"]).replace("; charset=utf-8", "")).to.equal("application/ld+json");
    expect(service.json()).to.deep.equal({
      "@context": [
        "https://www.w3.org/ns/did/v1.1",
        "https://w3id.org/security/suites/secp256k1recovery-2020/v2",
        "https://w3id.org/sigil/v1",
      ],
      id: `${chain.alice}#service-1`,
      type: "Messaging",
      serviceEndpoint: "https://inbox.example/alice",
    });
    const plain = await get(id(`${chain.alice}%23service-1`), "application/did+json");
    expect(String(plain.headers["content-type"]).replace("; charset=utf-8", "")).to.equal("application/json");
    expect(plain.json()).to.deep.equal({
      id: `${chain.alice}#service-1`,
      type: "Messaging",
      serviceEndpoint: "https://inbox.example/alice",
    });
    expect(expectErrorBody(await get(id(`${chain.alice}%23nothing-here`)), 404).detail).to.include('"nothing-here"');
  });

  it("answers a deactivated DID with 410 Gone, no document and deactivated: true (DID Resolution §4.4, §12.1)", async () => {
    const r = await get(id(chain.bob));
    expect(r.status).to.equal(410);
    const body = r.json();
    expect(body.didDocumentMetadata.deactivated).to.equal(true);
    expect(body.didDocument).to.equal(null);
    // No document to give for a bare-document Accept: the resolution result says why.
    const bare = await get(id(chain.bob), "application/did");
    expect(bare.status).to.equal(410);
    expect(bare.headers["content-type"]).to.equal("application/did-resolution");
    expect(bare.json()).to.deep.include({ didDocument: null });
    expect(bare.json().didDocumentMetadata.deactivated).to.equal(true);
  });

  it("answers bad requests with the spec's status and an error body saying what to fix", async () => {
    const cases: [string, number, string, string][] = [
      ["", 400, "INVALID_DID", "no DID given"],
      ["not-a-did", 400, "INVALID_DID", "starts with 'did:'"],
      ["did:sigil:0x123", 400, "INVALID_DID", "address"],
      ["%E0%A4%A", 400, "INVALID_DID", "percent-encoding"],
      ["did:sigil:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266%23bad%20fragment", 400, "INVALID_DID_URL", "fragment"],
      [`${"x".repeat(7000)}`, 400, "INVALID_DID", "2048"],
      [`${chain.alice}?foo=1`, 501, "FEATURE_NOT_SUPPORTED", "not supported"],
      [`${chain.alice}?versionId=1&versionId=2`, 400, "INVALID_OPTIONS", "more than once"],
      [`${chain.alice}?versionId=abc`, 400, "INVALID_OPTIONS", "block number"],
      [`${chain.alice}?versionId=%E0%A4%A`, 400, "INVALID_OPTIONS", "percent-encoding"],
      [`${chain.alice}?versionTime=yesterday`, 400, "INVALID_OPTIONS", "ISO 8601"],
      [`${chain.alice}?versionId=1&versionTime=2026-01-01T00:00:00Z`, 400, "INVALID_OPTIONS", "not both"],
      ["did:sigil:mainnet:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", 404, "NOT_FOUND", "configured networks: local"],
      [`${chain.alice}/some/path`, 404, "NOT_FOUND", "path"],
      ["did:web:example.com", 501, "METHOD_NOT_SUPPORTED", '"web"'],
    ];
    for (const [path, status, type, hint] of cases) {
      const r = await get(id(path));
      expect(expectErrorBody(r, status, type).detail, path).to.include(hint);
    }
    const notFound = await get("/2.0/identifiers/x");
    expect(notFound.status).to.equal(404);
    expect(notFound.headers["content-type"]).to.match(/^application\/problem\+json/);
  });

  it("never crashes or stalls on generated junk: every answer has the right shape", async () => {
    const junk = fc.oneof(
      fc.string({ unit: "binary", maxLength: 200 }).map((s) => encodeURIComponent(s)),
      fc.string({ unit: fc.constantFrom(..."did:sigl0xabcdef%23?#&=/+.-_~%ZZ%E0"), maxLength: 120 }),
      fc
        .tuple(
          fc.constantFrom(chain.alice, "did:sigil:local:0x0000000000000000000000000000000000000001"),
          fc.string({ unit: fc.constantFrom(..."?&=#%2Fvx0aZ+:;"), maxLength: 40 }),
        )
        .map(([d, tail]) => d + tail),
      fc.string({ maxLength: 30 }).map((s) => `${chain.alice}?${encodeURIComponent(s)}=${encodeURIComponent(s)}`),
    );
    await fc.assert(
      fc.asyncProperty(
        junk,
        fc.constantFrom(undefined, "*/*", "application/did", "text/plain", "application/did-url-dereferencing"),
        async (path, accept) => {
          const r = await get(id(path), accept);
          expect([200, 400, 404, 406, 410, 501], `${r.status} ${path}`).to.include(r.status);
          const body = r.json(); // always JSON
          if (r.status >= 400 && r.status !== 410) expectErrorBody(r, r.status);
          else expect(body).to.be.an("object");
        },
      ),
      { numRuns: 300 },
    );
    expect((await get("/healthz")).status).to.equal(200);
  });

  it("resolves a batch in one read, results in order, errors per entry", async () => {
    chain.proxy.reset();
    const r = await raw(svc.url, "/1.0/identifiers", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ dids: [chain.alice, "did:sigil:nope", chain.bob, chain.carol] }),
    });
    expect(r.status).to.equal(200);
    const { results } = r.json();
    expect(
      results.map(
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed bodies, whose shape the assertions check
        (x: any) => x.didDocument?.id ?? x.didResolutionMetadata.error?.type ?? (x.didDocumentMetadata.deactivated && "deactivated"),
      ),
    ).to.deep.equal([chain.alice, "https://www.w3.org/ns/did#INVALID_DID", "deactivated", chain.carol]);
    expect(results[2]).to.deep.include({ didDocument: null });
    expect(results[2].didDocumentMetadata.deactivated).to.equal(true);
    expect(chain.proxy.roundTrips).to.equal(1);
    const tooMany = await raw(svc.url, "/1.0/identifiers", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ dids: Array(51).fill(chain.alice) }),
    });
    expect(tooMany.status).to.equal(400);
    expect(tooMany.json().detail).to.include("1 to 50 DIDs");
    const badJson = await raw(svc.url, "/1.0/identifiers", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{nope",
    });
    expect(badJson.status).to.equal(400);
    expect(badJson.headers["content-type"]).to.match(/^application\/problem\+json/);
    const text = await raw(svc.url, "/1.0/identifiers", { method: "POST", headers: { "content-type": "text/plain" }, body: "x" });
    expect(text.status).to.equal(415); // only JSON bodies are taken
    expect(text.headers["content-type"]).to.match(/^application\/problem\+json/);
  });

  it("reports health and Prometheus metrics, cache hit rate included", async () => {
    const health = await get("/healthz");
    expect(health.status).to.equal(200);
    expect(health.json().networks[0]).to.include({ network: "local", chainId: 31337, ok: true });
    for (let i = 0; i < 3; i++) await get(id(chain.alice));
    const metrics = await get("/metrics");
    expect(metrics.headers["content-type"]).to.match(/^text\/plain/);
    expect(metrics.body).to.match(/sigil_http_requests_total\{route="\/1\.0\/identifiers\/\*",status="200"\} \d+/);
    expect(metrics.body).to.match(/sigil_http_request_duration_seconds_bucket\{le="0\.05",route="\/1\.0\/identifiers\/\*"\} \d+/);
    expect(metrics.body).to.match(/sigil_resolutions_total\{outcome="invalidDid"\} \d+/);
    const confirmed = Number(/^sigil_cache_lookups\{outcome="confirmed"\} (\d+)$/m.exec(metrics.body)?.[1]);
    expect(confirmed).to.be.greaterThan(2);
    expect(Number(/^sigil_cache_hit_ratio (\S+)$/m.exec(metrics.body)?.[1]))
      .to.be.greaterThan(0)
      .and.lessThan(1);
  });

  it("logs each request as JSON without the DID looked up or the client's address", async () => {
    await get(id(chain.alice));
    const lines = svc.logs.map((l) => JSON.parse(l));
    const answered = lines.filter((l) => l.msg === "answered");
    expect(answered.length).to.be.greaterThan(10);
    expect(answered[0]).to.include.keys("route", "status", "ms");
    const text = svc.logs.join("");
    for (const did of [chain.alice, chain.bob, chain.carol]) expect(text).to.not.include(did.slice(-40));
    expect(text).to.not.match(/remoteAddress|remotePort|"url"/);
  });
});

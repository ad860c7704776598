// DID Resolution §12.1, the HTTP(S) binding, over real HTTP: the resolver service in front of a
// real `hardhat node` (startResolverService, as `sigil serve` runs it, with a network for each
// way of failing), and one check through the `sigil serve` process itself. GET and POST,
// the status table, 410 for deactivated DIDs, 303 for text/uri-list, Content-Type from
// contentType, the result shapes of §9-§10 and openapi.yaml, every error. Each test cites its section.
import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SIGIL_CONTEXT } from "sigil-did";
import { freePort } from "../support/hardhat-node.ts";
import { expectErrorBody, raw, serve, type RawResponse } from "../service/fixture.ts";
import { DATETIME, sharedChain, type StandardsChain } from "./fixture.ts";

const RESULT_KEYS = ["@context", "didDocument", "didDocumentMetadata", "didResolutionMetadata"];
const DEREF_KEYS = ["@context", "content", "contentMetadata", "dereferencingMetadata"];
const type = (r: RawResponse) => String(r.headers["content-type"]).replace("; charset=utf-8", "");

describe("DID Resolution §12.1 HTTP(S) binding (real HTTP, real hardhat node)", function () {
  this.timeout(180_000);
  let chain: StandardsChain;
  let svc: Awaited<ReturnType<typeof serve>>;
  const id = (did: string) => `/1.0/identifiers/${did}`;
  const enc = encodeURIComponent;
  const get = (path: string, accept?: string) => raw(svc.url, path, { headers: accept ? { accept } : {} });
  const post = (path: string, body?: string, headers: Record<string, string> = {}) =>
    raw(svc.url, path, {
      method: "POST",
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      body,
    });

  before(async () => {
    chain = await sharedChain();
    svc = await serve([chain.net, ...Object.values(chain.failing)]);
  });
  after(async () => {
    await svc?.service.close();
  });

  it("§12.1 GET, resolution: 200 with a DID resolution result (§9: didDocument, didResolutionMetadata, didDocumentMetadata) for every live case and DID form", async () => {
    for (const c of Object.values(chain.cases).filter((k) => !k.deactivated)) {
      for (const form of chain.forms(c)) {
        const r = await get(id(form.did));
        expect(r.status, form.did).to.equal(200);
        expect(type(r)).to.equal("application/did-resolution");
        const body = r.json();
        expect(Object.keys(body).sort()).to.deep.equal(RESULT_KEYS);
        expect(body.didDocument.id).to.equal(form.did);
        expect(body.didResolutionMetadata.contentType).to.equal("application/did");
        expect(body.didDocument["@context"][0]).to.equal("https://www.w3.org/ns/did/v1.1");
        if (c.name !== "fresh") expect(body.didDocumentMetadata.created).to.match(DATETIME);
      }
    }
  });

  it("§12.1: with a document Accept, the body is the document and Content-Type is the contentType of the result", async () => {
    for (const accept of ["application/did", "application/did+ld+json", "application/did+json", "application/ld+json"]) {
      const r = await get(id(chain.cases.rich.did), accept);
      expect(r.status).to.equal(200);
      expect(type(r)).to.equal(accept);
      expect(r.json().id).to.equal(chain.cases.rich.did);
    }
  });

  it("§12.1 POST: options as a JSON body (application/json, application/did-resolution, application/did-url-dereferencing, or none), distinct from the batch route", async () => {
    const rich = chain.cases.rich.did;
    const past = await post(id(rich), JSON.stringify({ versionId: chain.history.beforeLastChange.toString() }));
    expect(past.status, past.body).to.equal(200);
    expect(past.json().didDocumentMetadata.nextVersionId).to.equal(chain.history.lastChangeBlock.toString());
    for (const contentType of ["application/did-resolution", "application/did-url-dereferencing", "application/json; charset=utf-8"]) {
      const r = await post(id(rich), JSON.stringify({ publicKeyFormat: "Multikey", noCache: true }), { "content-type": contentType });
      expect(r.status, contentType).to.equal(200);
      expect(r.json().didDocument.verificationMethod.map((m: { type: string }) => m.type)).to.include("Multikey");
    }
    expect((await post(id(rich))).status, "no body: no options").to.equal(200);
    expect((await post(id(rich), "")).status, "empty JSON body: no options").to.equal(200);
    const deref = await post(id(`${rich}${enc("#controller")}`), JSON.stringify({ verificationRelationship: "authentication" }), {
      accept: "application/did-url-dereferencing",
    });
    expect(deref.status).to.equal(200);
    expect(deref.json().content.id).to.equal(`${rich}#controller`);
    // The spec's example: the DID URL unencoded, its query as the HTTP query.
    const unencoded = await post(id(`${rich}?serviceType=Messaging&relativeRef=/resume.pdf`), undefined, { accept: "text/uri-list" });
    expect(unencoded.status).to.equal(303);
    expect(unencoded.headers.location).to.equal("https://inbox.example/resume.pdf");
    // Errors of the body are resolution errors.
    const cases: [string, number, string][] = [
      ['{"nope": 1}', 501, "FEATURE_NOT_SUPPORTED"],
      ['{"versionId": 12}', 400, "INVALID_OPTIONS"],
      ['{"accept": "application/did"}', 400, "INVALID_OPTIONS"],
      ["[1]", 400, "INVALID_OPTIONS"],
      ["{nope", 400, "INVALID_OPTIONS"],
      ['{"publicKeyFormat": "Ed25519VerificationKey2020"}', 501, "FEATURE_NOT_SUPPORTED"],
    ];
    for (const [body, status, t] of cases) expectErrorBody(await post(id(rich), body), status, t);
    expect((await post(id(rich), "x", { "content-type": "text/plain" })).status).to.equal(415);
    expect((await post(`${id(rich)}?versionId=1`, JSON.stringify({ versionId: "2" }))).status, "an option given twice").to.equal(400);
  });

  it("§12.1 status table: INVALID_DID/INVALID_DID_URL/INVALID_OPTIONS 400, NOT_FOUND 404, REPRESENTATION_NOT_SUPPORTED 406, METHOD_NOT_SUPPORTED and FEATURE_NOT_SUPPORTED 501, INTERNAL_ERROR 500; error bodies are RFC 9457 problem details (§11)", async () => {
    const rich = chain.cases.rich.did;
    const cases: [string, string | undefined, number, string][] = [
      [id("did:sigil:0x123"), undefined, 400, "INVALID_DID"],
      [id(`${rich}${enc("#bad fragment")}`), undefined, 400, "INVALID_DID_URL"],
      [id(`${rich}${enc("?service=a&service=b")}`), undefined, 400, "INVALID_DID_URL"],
      [`${id(rich)}?versionId=abc`, undefined, 400, "INVALID_OPTIONS"],
      [`${id(rich)}?noCache=sometimes`, undefined, 400, "INVALID_OPTIONS"],
      [`${id(rich)}?accept=application/did`, undefined, 400, "INVALID_OPTIONS"],
      [id(`did:sigil:mainnet:${chain.cases.rich.address}`), undefined, 404, "NOT_FOUND"],
      [id(`${rich}/some/path`), undefined, 404, "NOT_FOUND"],
      [id(`${rich}${enc("#nothing")}`), undefined, 404, "NOT_FOUND"],
      [id(`${rich}${enc("?service=nothing")}`), undefined, 404, "NOT_FOUND"],
      [id(rich), "image/png", 406, "REPRESENTATION_NOT_SUPPORTED"],
      [id(rich), "text/uri-list", 406, "REPRESENTATION_NOT_SUPPORTED"],
      [id("did:web:example.com"), undefined, 501, "METHOD_NOT_SUPPORTED"],
      [`${id(rich)}?foo=1`, undefined, 501, "FEATURE_NOT_SUPPORTED"],
      [`${id(rich)}?publicKeyFormat=Ed25519VerificationKey2020`, undefined, 501, "FEATURE_NOT_SUPPORTED"],
      [id(`${rich}${enc("?hl=zQm")}`), undefined, 501, "FEATURE_NOT_SUPPORTED"],
      ...Object.values(chain.failing).map(
        (n) =>
          [id(`did:sigil:${n.name}:${chain.cases.rich.address}`), undefined, 500, "INTERNAL_ERROR"] as [string, undefined, number, string],
      ),
      [`${id(`${rich}${enc("#service-1")}`)}?verificationRelationship=authentication`, undefined, 500, "INVALID_VERIFICATION_METHOD"],
    ];
    for (const [path, accept, status, t] of cases) {
      const r = await get(path, accept);
      const error = expectErrorBody(r, status, t);
      expect(error.title, path).to.be.a("string");
      expect(r.headers["x-did-resolution-error"], path).to.be.a("string");
    }
  });

  it("§12.1: deactivated → 410, for the DID, its fragments and its services, with deactivated: true in didDocumentMetadata / contentMetadata", async () => {
    const gone = chain.cases.deactivated.did;
    const doc = await get(id(gone));
    expect(doc.status).to.equal(410);
    expect(doc.json()).to.deep.include({ didDocument: null });
    expect(doc.json().didDocumentMetadata.deactivated).to.equal(true);
    for (const [path, accept] of [
      [id(`${gone}${enc("#controller")}`), undefined],
      [id(`${gone}${enc("#service-1")}`), "application/did"],
      [id(`${gone}${enc("?service=service-1")}`), "application/did-url-dereferencing"],
      [id(`${gone}?serviceType=Messaging`), "text/uri-list"],
      [`${id(gone)}?versionTime=2100-01-01T00:00:00Z`, "application/did"],
    ] as [string, string | undefined][]) {
      const r = await get(path, accept);
      expect(r.status, `${path} ${accept}`).to.equal(410);
      const body = r.json();
      const metadata = body.contentMetadata ?? body.didDocumentMetadata;
      expect(metadata.deactivated, path).to.equal(true);
    }
  });

  it("§12.1 dereferencing: application/did-url-dereferencing answers a §10 result; a bare Accept the content with Content-Type = dereferencingMetadata.contentType", async () => {
    const rich = chain.cases.rich.did;
    const full = await get(id(`${rich}${enc("#controller")}`), "application/did-url-dereferencing");
    expect(full.status).to.equal(200);
    expect(type(full)).to.equal("application/did-url-dereferencing");
    expect(Object.keys(full.json()).sort()).to.deep.equal(DEREF_KEYS);
    expect(full.json().dereferencingMetadata.contentType).to.equal("application/ld+json");
    const bare = await get(id(`${rich}${enc("#controller")}`), "application/did+json");
    expect(type(bare)).to.equal("application/json");
    expect(bare.json().id).to.equal(`${rich}#controller`);
    const doc = await get(`${id(rich)}?versionId=${chain.history.beforeLastChange}`, "application/did-url-dereferencing");
    expect(doc.json().content.id).to.equal(rich);
    expect(doc.json().contentMetadata.nextVersionId).to.equal(chain.history.lastChangeBlock.toString());
  });

  it("§12.1 text/uri-list: 303 See Other to the selected service endpoint URL (relativeRef resolved, fragment inherited), empty body", async () => {
    const rich = chain.cases.rich.did;
    const r = await get(id(`${rich}${enc("?serviceType=Messaging&relativeRef=%2Fresume.pdf#intro")}`), "text/uri-list");
    expect(r.status).to.equal(303);
    expect(r.headers.location).to.equal("https://inbox.example/resume.pdf#intro");
    expect(r.body).to.equal("");
    const traversal = await get(id(`${rich}${enc("?serviceType=Messaging&relativeRef=..%2Fx")}`), "text/uri-list");
    expectErrorBody(traversal, 400, "INVALID_DID_URL");
  });

  it("§4.1 / §13.2 options over HTTP: noCache passes through (the chain is read), publicKeyFormat as a query parameter, expandRelativeUrls accepted", async () => {
    const cached = await serve([chain.net], { maxAgeMs: 60_000 });
    try {
      const rich = chain.cases.rich.did;
      await raw(cached.url, id(rich));
      chain.proxy.reset();
      await raw(cached.url, id(rich));
      expect(chain.proxy.roundTrips).to.equal(0);
      expect((await raw(cached.url, `${id(rich)}?noCache=true`)).status).to.equal(200);
      expect(chain.proxy.roundTrips).to.be.greaterThan(0);
    } finally {
      await cached.service.close();
    }
    const multikey = await get(`${id(chain.cases.rich.did)}?publicKeyFormat=Multikey`, "application/did");
    expect(multikey.json().verificationMethod.filter((m: { type: string }) => m.type === "Multikey")).to.have.length(5);
    const jwk = await get(`${id(chain.cases.rich.did)}?publicKeyFormat=JsonWebKey`, "application/did");
    expect(jwk.json().verificationMethod.filter((m: { type: string }) => m.type === "JsonWebKey")).to.have.length(5);
    expect((await get(`${id(chain.cases.rich.did)}?expandRelativeUrls=true`)).status).to.equal(200);
  });

  it("Sigil's context is served at /contexts/sigil/v1, the same bytes the SDK bundles; and through the `sigil serve` process too", async () => {
    const r = await get("/contexts/sigil/v1");
    expect(r.status).to.equal(200);
    expect(type(r)).to.equal("application/ld+json");
    expect(r.json()).to.deep.equal(SIGIL_CONTEXT);
    // The real CLI process, on the same chain.
    const dir = mkdtempSync(join(tmpdir(), "sigil-standards-"));
    writeFileSync(
      join(dir, "local.json"),
      JSON.stringify({ contract: "SigilRegistry", network: "local", chainId: 31337, address: chain.registry, blockNumber: 1 }),
    );
    const port = await freePort();
    const bin = join(import.meta.dirname, "..", "..", "sdk", "cli", "dist", "bin.js");
    const child = spawn(
      process.execPath,
      [bin, "--deployments", dir, "--network", "local", "--rpc", chain.node.url, "serve", "--port", String(port), "--log-level", "warn"],
      { stdio: "ignore" },
    );
    try {
      const base = `http://127.0.0.1:${port}`;
      let up = false;
      for (let i = 0; i < 100 && !up; i++) {
        up = await raw(base, "/healthz").then(
          (x) => x.status === 200,
          () => false,
        );
        if (!up) await new Promise((res) => setTimeout(res, 100));
      }
      expect(up, "sigil serve answered").to.equal(true);
      expect((await raw(base, "/contexts/sigil/v1")).json()).to.deep.equal(SIGIL_CONTEXT);
      const resolved = await raw(base, id(chain.cases.rich.did));
      expect(resolved.json().didDocument.id).to.equal(chain.cases.rich.did);
      const gone = await raw(base, id(`${chain.cases.deactivated.did}${enc("#controller")}`));
      expect(gone.status).to.equal(410);
      const posted = await raw(base, id(chain.cases.rich.did), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"publicKeyFormat":"Multikey"}',
      });
      expect(posted.status).to.equal(200);
    } finally {
      child.kill("SIGTERM");
    }
  });
});

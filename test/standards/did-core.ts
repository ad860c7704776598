// DID Core 1.0 (W3C Recommendation, 2022) against every document the resolver can produce:
// each identity state (fresh, rich, revoked, pre-rotation, rotated with purge, historical
// versions) × each DID form × each representation × each key format, through the SDK and
// through a stock DIF did-resolver Resolver. Each test names the section it checks.
import { expect } from "chai";
import { Resolver } from "did-resolver";
import type { DIDDocument, DIDResolutionResult, Service, VerificationMethod } from "did-resolver";
import { isSigilDid } from "sigil-did";
import {
  DATETIME,
  DID_SYNTAX,
  DID_URL_SYNTAX,
  DOCUMENT_TYPES,
  isMetadataStructure,
  sharedChain,
  URI,
  type StandardsChain,
} from "./fixture.ts";

const RELATIONSHIPS = ["authentication", "assertionMethod", "keyAgreement", "capabilityInvocation", "capabilityDelegation"] as const;
const MATERIAL = [
  "publicKeyJwk",
  "publicKeyMultibase",
  "publicKeyHex",
  "publicKeyBase58",
  "publicKeyBase64",
  "publicKeyPem",
  "blockchainAccountId",
  "value",
];
const JWK_PRIVATE = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

interface Resolved {
  label: string;
  did: string;
  accept: string;
  result: DIDResolutionResult;
}

describe("DID Core 1.0: documents and resolution results (SDK, real hardhat node)", function () {
  this.timeout(180_000);
  let chain: StandardsChain;
  const all: Resolved[] = [];
  const docs = () => all.filter((r) => r.result.didDocument !== null) as (Resolved & { result: { didDocument: DIDDocument } })[];

  before(async () => {
    chain = await sharedChain();
    const sigil = chain.resolver();
    const dif = new Resolver(sigil.plugin());
    const live = Object.values(chain.cases).filter((c) => !c.deactivated);
    for (const c of live) {
      for (const form of chain.forms(c)) {
        for (const accept of DOCUMENT_TYPES) {
          for (const publicKeyFormat of [undefined, "Multikey", "JsonWebKey"] as const) {
            const result = await sigil.resolve(form.did, { accept, ...(publicKeyFormat ? { publicKeyFormat } : {}) });
            all.push({
              label: `${c.name} / ${form.label} / ${accept} / ${publicKeyFormat ?? "did:ethr keys"}`,
              did: form.did,
              accept,
              result,
            });
          }
        }
        all.push({
          label: `${c.name} / ${form.label} / stock did-resolver`,
          did: form.did,
          accept: "application/did+ld+json",
          result: await dif.resolve(form.did),
        });
      }
    }
    // Past versions (DID Core 1.0 §3.2.1 versionId / versionTime).
    const rich = chain.cases.rich.did;
    for (const [label, url] of [
      ["versionId", `${rich}?versionId=${chain.history.beforeLastChange}`],
      ["versionTime", `${rich}?versionTime=${chain.history.firstChangeTime}`],
    ]) {
      all.push({ label: `rich / ${label}`, did: rich, accept: "application/did+ld+json", result: await sigil.resolve(url) });
    }
    expect(docs().length).to.be.greaterThan(100);
  });

  it("§7.1 resolve(): successful results have resolution metadata, a document and document metadata; no error", () => {
    for (const { label, result } of all) {
      expect(result.didResolutionMetadata, label).to.be.an("object");
      expect((result.didResolutionMetadata as { error?: unknown }).error, label).to.equal(undefined);
      expect(result.didDocument, label).to.be.an("object");
      expect(result.didDocumentMetadata, label).to.be.an("object");
    }
  });

  it("§5.1.1 DID subject: id is a DID (§3.1) and exactly the DID that was resolved (§7.1)", () => {
    for (const { label, did, result } of docs()) {
      expect(result.didDocument.id, label).to.match(DID_SYNTAX);
      expect(result.didDocument.id, label).to.equal(did);
      expect(isSigilDid(result.didDocument.id), label).to.equal(true);
    }
  });

  it("§5.1.2 DID controller: absent, or a DID or a set of DIDs", () => {
    for (const { label, result } of docs()) {
      const c = result.didDocument.controller;
      if (c === undefined) continue;
      for (const d of Array.isArray(c) ? c : [c]) expect(d, label).to.match(DID_SYNTAX);
    }
  });

  it("§5.2 verification methods: a set of maps, each with id (a DID URL, §3.2), type (a string) and controller (a DID); ids unique", () => {
    for (const { label, result } of docs()) {
      const methods = result.didDocument.verificationMethod ?? [];
      expect(methods, label).to.be.an("array");
      const ids = new Set<string>();
      for (const m of methods) {
        expect(m, label).to.be.an("object");
        expect(m.id, label).to.be.a("string").and.match(DID_URL_SYNTAX);
        expect(ids.has(m.id), `${label}: duplicate ${m.id}`).to.equal(false);
        ids.add(m.id);
        expect(m.type, label).to.be.a("string").and.not.equal("");
        expect(m.controller, label).to.be.a("string").and.match(DID_SYNTAX);
      }
    }
  });

  it("§5.2.1 verification material: at most one material property per method; publicKeyJwk a JWK with no private members; publicKeyMultibase a multibase string", () => {
    for (const { label, result } of docs()) {
      for (const m of (result.didDocument.verificationMethod ?? []) as (VerificationMethod & Record<string, unknown>)[]) {
        const present = MATERIAL.filter((p) => m[p] !== undefined);
        expect(present.length, `${label} ${m.id}: ${present}`).to.equal(1);
        if (m.publicKeyJwk) {
          expect(m.publicKeyJwk.kty, label).to.be.a("string");
          for (const p of JWK_PRIVATE) expect(m.publicKeyJwk, `${label} ${m.id}`).to.not.have.property(p);
        }
        if (m.publicKeyMultibase !== undefined) expect(m.publicKeyMultibase, label).to.match(/^z[1-9A-HJ-NP-Za-km-z]+$/);
      }
    }
  });

  it("§5.3 verification relationships: sets of DID URLs that name a verification method of the document (or embedded methods)", () => {
    for (const { label, result } of docs()) {
      const doc = result.didDocument;
      const ids = new Set((doc.verificationMethod ?? []).map((m) => m.id));
      for (const r of RELATIONSHIPS) {
        const list = doc[r];
        if (list === undefined) continue;
        expect(list, `${label} ${r}`).to.be.an("array");
        expect(new Set(list.map((x) => (typeof x === "string" ? x : x.id))).size, `${label} ${r} is a set`).to.equal(list.length);
        for (const ref of list) {
          if (typeof ref === "string") {
            expect(ref, label).to.match(DID_URL_SYNTAX);
            expect(ids.has(ref), `${label}: ${r} names ${ref}, which is no method of the document`).to.equal(true);
          } else expect(ref.id, label).to.match(DID_URL_SYNTAX);
        }
      }
    }
  });

  it("§5.4 services: id a URI, no two services with one id; type a string or set of strings; serviceEndpoint a URI, a map, or a set of them", () => {
    let seen = 0;
    for (const { label, result } of docs()) {
      const services = (result.didDocument.service ?? []) as Service[];
      const ids = new Set<string>();
      for (const s of services) {
        seen++;
        expect(s.id, label).to.match(URI);
        expect(ids.has(s.id), `${label}: duplicate ${s.id}`).to.equal(false);
        ids.add(s.id);
        for (const t of Array.isArray(s.type) ? s.type : [s.type]) expect(t, label).to.be.a("string").and.not.equal("");
        const endpoints = Array.isArray(s.serviceEndpoint) ? s.serviceEndpoint : [s.serviceEndpoint];
        expect(endpoints.length, label).to.be.greaterThan(0);
        for (const e of endpoints) {
          if (typeof e === "string") expect(e, label).to.match(URI);
          else expect(e, label).to.be.an("object").and.not.equal(null);
        }
      }
    }
    expect(seen).to.be.greaterThan(0);
  });

  it("§6.2.1 JSON production: application/did+json documents are JSON objects with every entry at the root and no JSON-LD @context; contentType application/did+json", () => {
    for (const { label, accept, result } of docs()) {
      if (accept !== "application/did+json") continue;
      expect(result.didResolutionMetadata.contentType, label).to.equal("application/did+json");
      expect(result.didDocument, label).to.not.have.property("@context");
      expect(JSON.parse(JSON.stringify(result.didDocument)), label).to.deep.equal(result.didDocument);
    }
  });

  it("§6.3.1 JSON-LD production: @context present, its first item https://www.w3.org/ns/did/v1; contentType application/did+ld+json", () => {
    for (const { label, accept, result } of docs()) {
      if (accept !== "application/did+ld+json") continue;
      expect(result.didResolutionMetadata.contentType, label).to.equal("application/did+ld+json");
      const context = result.didDocument["@context"];
      expect(context, label).to.be.an("array");
      expect((context as string[])[0], label).to.equal("https://www.w3.org/ns/did/v1");
      expect(context, label).to.not.include("https://w3id.org/security/v3-unstable");
    }
  });

  it("DID 1.1 §JSON-LD production: application/did documents start their @context with https://www.w3.org/ns/did/v1.1", () => {
    for (const { label, accept, result } of docs()) {
      if (accept !== "application/did") continue;
      expect(result.didResolutionMetadata.contentType, label).to.equal("application/did");
      expect((result.didDocument["@context"] as string[])[0], label).to.equal("https://www.w3.org/ns/did/v1.1");
    }
  });

  it("§7.1.2 resolution metadata: contentType is the media type of the returned representation", () => {
    for (const { label, accept, result } of docs()) expect(result.didResolutionMetadata.contentType, label).to.equal(accept);
  });

  it("§7.1.3 document metadata: created/updated/nextUpdate XML datetimes in UTC without fractions; versionId/nextVersionId ASCII strings; deactivated absent or false when not deactivated", () => {
    for (const { label, result } of docs()) {
      const m = result.didDocumentMetadata as Record<string, unknown>;
      for (const key of ["created", "updated", "nextUpdate"])
        if (m[key] !== undefined) expect(m[key], `${label} ${key}`).to.be.a("string").and.match(DATETIME);
      for (const key of ["versionId", "nextVersionId"])
        if (m[key] !== undefined)
          expect(m[key], `${label} ${key}`)
            .to.be.a("string")
            .and.match(/^[\x20-\x7e]+$/);
      expect([undefined, false], label).to.include(m.deactivated);
    }
    const rich = all.find((r) => r.label.startsWith("rich / network name / application/did+ld+json / did:ethr"))!.result
      .didDocumentMetadata;
    expect(rich.created, "an identity with changes has created").to.match(DATETIME);
    expect(rich.updated).to.match(DATETIME);
    expect(rich.versionId).to.equal(chain.history.lastChangeBlock.toString());
    const past = all.find((r) => r.label === "rich / versionId")!.result.didDocumentMetadata;
    expect(past.nextVersionId, "a past version names the next").to.equal(chain.history.lastChangeBlock.toString());
    expect(past.nextUpdate).to.match(DATETIME);
  });

  it("§7.1.3 equivalentId / canonicalId: DIDs of the same method, each resolving to the same document (the same keys and services)", async () => {
    const sigil = chain.resolver();
    const shape = (doc: DIDDocument) => JSON.parse(JSON.stringify(doc).replaceAll(doc.id, "DID"));
    for (const c of Object.values(chain.cases).filter((k) => !k.deactivated)) {
      const { didDocument, didDocumentMetadata } = await sigil.resolve(c.did);
      const m = didDocumentMetadata as { canonicalId?: string; equivalentId?: string[] };
      expect(m.canonicalId, c.name).to.equal(`did:sigil:0x7a69:${c.address.toLowerCase()}`);
      expect(m.equivalentId, c.name).to.be.an("array");
      for (const other of [m.canonicalId!, ...m.equivalentId!]) {
        expect(other, c.name)
          .to.match(DID_SYNTAX)
          .and.match(/^did:sigil:/);
        const again = await sigil.resolve(other);
        expect(again.didDocument!.id).to.equal(other);
        expect(shape(again.didDocument!), `${c.name}: ${other}`).to.deep.equal(shape(didDocument!));
      }
    }
  });

  it("§7.3 metadata structure: resolution and document metadata hold only strings, numbers, booleans, null, maps and lists", () => {
    for (const { label, result } of all) {
      expect(isMetadataStructure(result.didResolutionMetadata), label).to.equal(true);
      expect(isMetadataStructure(result.didDocumentMetadata), label).to.equal(true);
    }
  });

  it("§3.2.2 relative DID URLs: none in Sigil documents (so expandRelativeUrls has nothing to change, DID Resolution §4.4)", async () => {
    for (const { label, result } of docs()) {
      const doc = result.didDocument;
      for (const m of doc.verificationMethod ?? []) expect(m.id.startsWith(`${doc.id}#`), label).to.equal(true);
      for (const s of doc.service ?? []) expect(s.id.startsWith(`${doc.id}#`), label).to.equal(true);
      for (const r of RELATIONSHIPS)
        for (const ref of doc[r] ?? []) expect((typeof ref === "string" ? ref : ref.id).startsWith(`${doc.id}#`), label).to.equal(true);
    }
    const sigil = chain.resolver();
    const plain = await sigil.resolve(chain.cases.rich.did);
    const expanded = await sigil.resolve(chain.cases.rich.did, { expandRelativeUrls: true });
    expect(expanded.didDocument).to.deep.equal(plain.didDocument);
  });
});

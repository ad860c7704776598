// DID Resolution (W3C CR, 2026) through the SDK: the resolve() algorithm (§4.4) with its error
// order and every error the resolver can meet, the options (§4.1, §13.2), metadata (§4.2-§4.3),
// and DID URL dereferencing (§5.4, DID Core 1.0 §7.2) with dereference(). Each test cites its
// section; the HTTP binding of the same is in http-binding.ts.
import { expect } from "chai";
import { Resolver } from "did-resolver";
import { dereference, type DereferencingResult, type SigilResolver } from "sigil-did";
import { DATETIME, isMetadataStructure, sharedChain, type StandardsChain } from "./fixture.ts";

const errorOf = (r: { didResolutionMetadata: Record<string, unknown> }) => r.didResolutionMetadata.error;
const derefError = (r: DereferencingResult) => r.dereferencingMetadata.error;

describe("DID Resolution through the SDK: resolve() and dereference()", function () {
  this.timeout(180_000);
  let chain: StandardsChain;
  let sigil: SigilResolver;
  before(async () => {
    chain = await sharedChain();
    sigil = chain.resolver(Object.values(chain.failing));
  });

  describe("§4.4 the resolution algorithm", () => {
    it("§4.4 steps 1-4: INVALID_DID, then METHOD_NOT_SUPPORTED, then FEATURE_NOT_SUPPORTED (options), then INVALID_OPTIONS, each with a null document and empty document metadata", async () => {
      const rich = chain.cases.rich.did;
      const cases: [string, Record<string, unknown>, string][] = [
        ["did:sigil:0x123", {}, "invalidDid"],
        ["did:sigil:local:0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92267", {}, "invalidDid"], // bad EIP-55 checksum
        ["not-a-did", { nope: 1 }, "invalidDid"], // step 1 before step 3
        ["did:web:example.com", { nope: 1 }, "methodNotSupported"], // step 2 before step 3
        [rich, { nope: 1 }, "featureNotSupported"],
        [rich, { publicKeyFormat: "Ed25519VerificationKey2020" }, "featureNotSupported"],
        [rich, { nope: 1, versionId: "x" }, "featureNotSupported"], // step 3 before step 4
        [rich, { versionId: "x" }, "invalidOptions"],
        [rich, { versionId: 12 }, "invalidOptions"],
        [rich, { versionTime: "yesterday" }, "invalidOptions"],
        [rich, { versionId: "1", versionTime: "2026-01-01T00:00:00Z" }, "invalidOptions"],
        [rich, { noCache: "maybe" }, "invalidOptions"],
        [rich, { expandRelativeUrls: 1 }, "invalidOptions"],
        [rich, { publicKeyFormat: 5 }, "invalidOptions"],
        [rich, { accept: "text/html" }, "representationNotSupported"],
        [`${rich}?versionId=99999999`, {}, "invalidOptions"],
      ];
      for (const [did, options, code] of cases) {
        const r = await sigil.resolve(did, options as never);
        expect(errorOf(r), `${did} ${JSON.stringify(options)}`).to.equal(code);
        expect(r.didResolutionMetadata.message, did).to.be.a("string").and.not.equal("");
        expect(r.didDocument).to.equal(null);
        expect(r.didDocumentMetadata).to.deep.equal({});
      }
    });

    it("§4.4 step 5: a DID on a network the resolver does not know is NOT_FOUND", async () => {
      const r = await sigil.resolve(`did:sigil:mainnet:${chain.cases.rich.address}`);
      expect(errorOf(r)).to.equal("notFound");
      expect(r.didDocument).to.equal(null);
    });

    it("§4.4 step 5: a deactivated DID resolves to a null document with didDocumentMetadata.deactivated true (§4.3), in every form and representation", async () => {
      for (const form of chain.forms(chain.cases.deactivated)) {
        for (const accept of ["application/did+ld+json", "application/did+json", "application/did"]) {
          const r = await sigil.resolve(form.did, { accept });
          expect(errorOf(r), form.label).to.equal(undefined);
          expect(r.didDocument, form.label).to.equal(null);
          expect(r.didDocumentMetadata.deactivated, form.label).to.equal(true);
          expect(r.didDocumentMetadata.canonicalId).to.equal(`did:sigil:0x7a69:${chain.cases.deactivated.address.toLowerCase()}`);
          expect(isMetadataStructure(r.didDocumentMetadata)).to.equal(true);
        }
      }
      const many = await sigil.resolveMany([chain.cases.deactivated.did, chain.cases.rich.did]);
      expect(many[0].didDocument).to.equal(null);
      expect(many[0].didDocumentMetadata.deactivated).to.equal(true);
    });

    it("§4.4 INTERNAL_ERROR: RPC down, RPC hanging past its timeout, another chain behind the endpoint, no registry at the address; never a hang", async () => {
      for (const [name, net] of Object.entries(chain.failing)) {
        const started = Date.now();
        const r = await sigil.resolve(`did:sigil:${net.name}:${chain.cases.rich.address}`);
        expect(errorOf(r), name).to.equal("internalError");
        expect(r.didResolutionMetadata.message, name).to.be.a("string");
        expect(r.didDocument, name).to.equal(null);
        expect(r.didDocumentMetadata, name).to.deep.equal({});
        expect(Date.now() - started, name).to.be.lessThan(10_000);
      }
    });

    it("§4.1 accept: a stock did-resolver Resolver gets the same answers through Sigil's plugin", async () => {
      const dif = new Resolver(sigil.plugin());
      expect((await dif.resolve(chain.cases.rich.did)).didDocument!.id).to.equal(chain.cases.rich.did);
      expect(errorOf(await dif.resolve(chain.cases.rich.did, { nope: true }))).to.equal("featureNotSupported");
      expect((await dif.resolve(chain.cases.deactivated.did)).didDocument).to.equal(null);
    });

    it('§13.2 noCache: true (or "true") reads the registry even when a cached copy would be served', async () => {
      const cached = chain.resolver([]);
      const { createSigilResolver } = await import("sigil-did");
      const lasting = createSigilResolver({ networks: [chain.net], cache: { maxAgeMs: 60_000 } });
      void cached;
      await lasting.resolve(chain.cases.rich.did);
      chain.proxy.reset();
      await lasting.resolve(chain.cases.rich.did);
      expect(chain.proxy.roundTrips, "a fresh cached copy is served without asking").to.equal(0);
      for (const noCache of [true, "true"] as const) {
        chain.proxy.reset();
        const r = await lasting.resolve(chain.cases.rich.did, { noCache });
        expect(r.didDocument!.id).to.equal(chain.cases.rich.did);
        expect(chain.proxy.roundTrips, String(noCache)).to.be.greaterThan(0);
      }
    });

    it("§3 / §4.3 versions: versionId and versionTime give that version, with versionId, updated, nextVersionId and nextUpdate", async () => {
      const rich = chain.cases.rich.did;
      const past = await sigil.resolve(rich, { versionId: chain.history.beforeLastChange.toString() });
      const services = (past.didDocument!.service ?? []).map((s) => s.type);
      expect(services).to.not.include("LinkedDomains");
      expect(past.didDocumentMetadata.nextVersionId).to.equal(chain.history.lastChangeBlock.toString());
      expect(past.didDocumentMetadata.nextUpdate).to.match(DATETIME);
      const early = await sigil.resolve(rich, { versionTime: chain.history.firstChangeTime });
      expect(early.didDocument!.verificationMethod!.length).to.equal(2); // the controller and the first delegate
      expect(early.didDocumentMetadata.updated).to.match(DATETIME);
      const inUrl = await sigil.resolve(`${rich}?versionTime=${chain.history.firstChangeTime}`);
      expect(inUrl.didDocument).to.deep.equal(early.didDocument);
    });
  });

  describe("§5.4 DID URL dereferencing", () => {
    const did = () => chain.cases.rich.did;

    it("§5.4.1: a DID URL without path or query dereferences to the document, with its metadata as content metadata", async () => {
      const r = await dereference(sigil, did());
      expect(r.dereferencingMetadata).to.deep.equal({ contentType: "application/did+ld+json" });
      expect((r.contentStream as { id: string }).id).to.equal(did());
      expect(r.contentMetadata.canonicalId).to.match(/^did:sigil:0x7a69:/);
      const v = await dereference(sigil, `${did()}?versionId=${chain.history.beforeLastChange}`);
      expect(v.contentMetadata.nextVersionId).to.equal(chain.history.lastChangeBlock.toString());
    });

    it("§5.4.1 step 1: a DID URL that breaks the syntax is INVALID_DID_URL (duplicate parameters too, §3.2.2); errors leave content null and content metadata empty", async () => {
      for (const url of ["did:sigil:0x123#x", `${did()}#bad fragment`, `${did()}?service=a&service=b`, `${did()}?service=%ZZ`]) {
        const r = await dereference(sigil, url);
        expect(derefError(r), url).to.equal("invalidDidUrl");
        expect(r.dereferencingMetadata.message, url).to.be.a("string");
        expect(r.contentStream).to.equal(null);
        expect(r.contentMetadata).to.deep.equal({});
      }
    });

    it("§5.4.1 step 2: DID parameters and options are passed to resolution, so an unknown one is FEATURE_NOT_SUPPORTED (§4.4 step 3)", async () => {
      expect(derefError(await dereference(sigil, `${did()}?hl=abc`))).to.equal("featureNotSupported");
      expect(derefError(await dereference(sigil, `${did()}?transformKey=JsonWebKey`))).to.equal("featureNotSupported");
      expect(derefError(await dereference(sigil, did(), { nope: 1 } as never))).to.equal("featureNotSupported");
      expect(derefError(await dereference(sigil, `did:sigil:mainnet:${chain.cases.rich.address}#controller`))).to.equal("notFound");
      expect(derefError(await dereference(sigil, `did:sigil:down:${chain.cases.rich.address}#controller`))).to.equal("internalError");
    });

    it("§5.4.1: did:sigil defines no DID paths: NOT_FOUND", async () => {
      const r = await dereference(sigil, `${did()}/files/resume.pdf`);
      expect(derefError(r)).to.equal("notFound");
      expect(r.dereferencingMetadata.message).to.include("path");
    });

    it("§5.4.2: a fragment dereferences to the verification method or service with that id, carrying the document's contexts (§5.5.1); NOT_FOUND otherwise", async () => {
      const vm = await dereference(sigil, `${did()}#controller`);
      expect(vm.contentStream).to.deep.include({ id: `${did()}#controller`, type: "EcdsaSecp256k1RecoveryMethod2020" });
      expect((vm.contentStream as Record<string, unknown>)["@context"]).to.deep.equal([
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/suites/secp256k1recovery-2020/v2",
        "https://w3id.org/sigil/v1",
      ]);
      expect(vm.dereferencingMetadata.contentType).to.equal("application/ld+json");
      const plain = await dereference(sigil, `${did()}#service-1`, { accept: "application/did+json" });
      expect(plain.contentStream).to.not.have.property("@context");
      expect(plain.dereferencingMetadata.contentType).to.equal("application/json");
      // Every form of the DID dereferences its own ids.
      for (const form of chain.forms(chain.cases.rich)) {
        const r = await dereference(sigil, `${form.did}#delegate-1`);
        expect((r.contentStream as { id: string }).id, form.label).to.equal(`${form.did}#delegate-1`);
      }
      expect(derefError(await dereference(sigil, `${did()}#nothing`))).to.equal("notFound");
      // What a purge voided is gone (the old service; the old Ed25519 key), a revoked key too.
      expect(derefError(await dereference(sigil, `${chain.cases.rotated.did}?serviceType=Messaging`))).to.equal("notFound");
      const rotated = (await sigil.resolve(chain.cases.rotated.did)).didDocument!;
      expect(rotated.verificationMethod!.map((m) => m.type)).to.not.include("Ed25519VerificationKey2018");
      // Ids after a purge carry its epoch: the voided key's #delegate-1 names nothing now, and the new key is #delegate-1-e1.
      expect(derefError(await dereference(sigil, `${chain.cases.rotated.did}#delegate-1`))).to.equal("notFound");
      const fresh = await dereference(sigil, `${chain.cases.rotated.did}#delegate-1-e1`);
      expect(fresh.contentStream).to.deep.include({ id: `${chain.cases.rotated.did}#delegate-1-e1`, type: "X25519KeyAgreementKey2019" });
      expect(derefError(await dereference(sigil, `${chain.cases.revoked.did}#delegate-2`))).to.equal("notFound");
    });

    it("§5.4.2 verificationRelationship: the method must be listed under it (INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD), and be a method (INVALID_VERIFICATION_METHOD)", async () => {
      const { didDocument } = await sigil.resolve(did());
      const agreement = (didDocument!.keyAgreement as string[])[0].split("#")[1];
      expect(
        (await dereference(sigil, `${did()}#${agreement}`, { verificationRelationship: "keyAgreement" })).dereferencingMetadata.error,
      ).to.equal(undefined);
      expect(derefError(await dereference(sigil, `${did()}#${agreement}`, { verificationRelationship: "authentication" }))).to.equal(
        "invalidRelationshipForVerificationMethod",
      );
      expect(derefError(await dereference(sigil, `${did()}#controller`, { verificationRelationship: "authentication" }))).to.equal(
        undefined,
      );
      expect(derefError(await dereference(sigil, `${did()}#service-1`, { verificationRelationship: "authentication" }))).to.equal(
        "invalidVerificationMethod",
      );
      expect(derefError(await dereference(sigil, did(), { verificationRelationship: "authentication" }))).to.equal(
        "invalidVerificationMethod",
      );
      expect(derefError(await dereference(sigil, `${did()}#controller`, { verificationRelationship: "signing" }))).to.equal(
        "invalidOptions",
      );
    });

    it("§5.4.1 service / serviceType: the document with the selected services only; by id (absolute, relative or bare fragment) and by type", async () => {
      const { didDocument } = await sigil.resolve(did());
      const messaging = didDocument!.service!.find((s) => s.type === "Messaging")!;
      const fragment = messaging.id.split("#")[1];
      for (const service of [fragment, `%23${fragment}`, encodeURIComponent(messaging.id)]) {
        const r = await dereference(sigil, `${did()}?service=${service}`);
        expect((r.contentStream as { service: unknown[] }).service, service).to.deep.equal([messaging]);
        expect((r.contentStream as { verificationMethod: unknown[] }).verificationMethod).to.deep.equal(didDocument!.verificationMethod);
      }
      const byType = await dereference(sigil, `${did()}?serviceType=DIDCommMessaging`);
      expect((byType.contentStream as { service: { type: string }[] }).service.map((s) => s.type)).to.deep.equal(["DIDCommMessaging"]);
      expect(derefError(await dereference(sigil, `${did()}?service=${fragment}&serviceType=LinkedDomains`))).to.equal("notFound");
      expect(derefError(await dereference(sigil, `${did()}?service=nothing`))).to.equal("notFound");
      expect(derefError(await dereference(sigil, `${did()}?relativeRef=/x`))).to.equal("notFound"); // relativeRef needs a service
      // A fragment on the selection: the service itself.
      const part = await dereference(sigil, `${did()}?service=${fragment}#${fragment}`);
      expect(part.contentStream).to.deep.include(messaging);
    });

    it("§5.4.1 accept text/uri-list: the endpoint URLs, relativeRef resolved by RFC 3986 §5, the DID URL's fragment appended (§5.4.2); maps skipped; other types REPRESENTATION_NOT_SUPPORTED", async () => {
      const uri = (url: string) => dereference(sigil, url, { accept: "text/uri-list" });
      const plain = await uri(`${did()}?serviceType=Messaging`);
      expect(plain.dereferencingMetadata.contentType).to.equal("text/uri-list");
      expect(plain.contentStream).to.deep.equal(["https://inbox.example/rich/"]);
      expect((await uri(`${did()}?serviceType=Messaging&relativeRef=%2Fresume.pdf`)).contentStream).to.deep.equal([
        "https://inbox.example/resume.pdf",
      ]);
      expect((await uri(`${did()}?serviceType=Messaging&relativeRef=cv%2Fresume.pdf%3Fv%3D2`)).contentStream).to.deep.equal([
        "https://inbox.example/rich/cv/resume.pdf?v=2",
      ]);
      expect((await uri(`${did()}?serviceType=Messaging&relativeRef=a.pdf#intro`)).contentStream).to.deep.equal([
        "https://inbox.example/rich/a.pdf#intro",
      ]);
      expect(derefError(await uri(`${did()}?serviceType=DIDCommMessaging`)), "a map endpoint has no URL").to.equal("notFound");
      expect(derefError(await uri(did())), "a document is no URI list").to.equal("representationNotSupported");
      expect(derefError(await dereference(sigil, `${did()}?serviceType=Messaging`, { accept: "image/png" }))).to.equal(
        "representationNotSupported",
      );
    });

    it("§13.7.1 path traversal: a relativeRef that leaves the endpoint (.., encoded .., doubly encoded, \\, another host, a scheme) is INVALID_DID_URL", async () => {
      for (const ref of [
        "..%2Fsecret",
        "%2E%2E%2Fsecret",
        "%252E%252E%252Fsecret",
        "a%2F..%2F..%2Fb",
        "..%5Csecret",
        "%2F%2Fevil.example%2Fx",
        "https%3A%2F%2Fevil.example%2F",
        ".",
      ]) {
        const r = await dereference(sigil, `${did()}?serviceType=Messaging&relativeRef=${ref}`, { accept: "text/uri-list" });
        expect(derefError(r), ref).to.equal("invalidDidUrl");
      }
    });

    it("§5.4 deactivated: a fragment, a service, or the DID itself keeps the deactivation (null content, contentMetadata.deactivated), never NOT_FOUND", async () => {
      const gone = chain.cases.deactivated.did;
      for (const url of [gone, `${gone}#controller`, `${gone}#service-1`, `${gone}?service=service-1`, `${gone}?serviceType=Messaging`]) {
        for (const accept of [undefined, "text/uri-list"]) {
          if (accept && !url.includes("?")) continue;
          const r = await dereference(sigil, url, accept ? { accept } : {});
          expect(derefError(r), url).to.equal(undefined);
          expect(r.contentStream, url).to.equal(null);
          expect(r.contentMetadata.deactivated, url).to.equal(true);
        }
      }
    });

    it("DID Core 1.0 §7.2 / DID Resolution §5: dereference() never throws and its three outputs are metadata structures (§7)", async () => {
      for (const url of [
        did(),
        `${did()}#controller`,
        "nonsense",
        `${did()}?service=x`,
        `${chain.cases.deactivated.did}#x`,
        42 as unknown as string,
      ]) {
        const r = await dereference(sigil, url);
        expect(isMetadataStructure(r.dereferencingMetadata)).to.equal(true);
        expect(isMetadataStructure(r.contentMetadata)).to.equal(true);
        if (r.dereferencingMetadata.error) expect(r.contentStream).to.equal(null);
      }
    });
  });
});

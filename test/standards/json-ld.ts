// JSON-LD (DID Core 1.0 §6.3; DID Resolution §13.3 "JSON-LD Context Integrity"): every document
// and dereferenced part the resolver produces expands in jsonld.js *safe mode* (an undefined
// term, a relative IRI or a dropped value is an error) with only the bundled contexts (the
// loader refuses every other URL: no network), and the bundled copies are the published ones.
import { expect } from "chai";
import fc from "fast-check";
import jsonld from "jsonld";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { bytesToHex, type Address, type Hex } from "viem";
import { bytes32Name, contextLoader, dereference, SIGIL_CONTEXT, type RegistryEvent } from "sigil-did";
import { buildDocument, CONTEXTS, DID_CONTEXT, DID_V1_CONTEXT_URL, SIGIL_CONTEXT_URL } from "sigil-did/internal";
import { DOCUMENT_TYPES, sharedChain, type StandardsChain } from "./fixture.ts";

const require = createRequire(import.meta.url);

/** Expands in safe mode with the bundled contexts only; throws what jsonld.js reports. */
async function expandSafely(doc: object, loader = contextLoader) {
  return jsonld.expand(doc as jsonld.JsonLdDocument, { documentLoader: loader as never, safe: true } as jsonld.Options.Expand);
}

describe("JSON-LD: documents expand in safe mode with the bundled contexts alone", function () {
  this.timeout(180_000);
  let chain: StandardsChain;
  before(async () => {
    chain = await sharedChain();
  });

  it("DID Resolution §13.3: the bundled DID v1 context is the published one (did-context package), and the loader serves nothing else", async () => {
    const published = JSON.parse(readFileSync(require.resolve("did-context/contexts/did-v1.jsonld"), "utf8"));
    expect(CONTEXTS[DID_V1_CONTEXT_URL]).to.deep.equal(published);
    expect(Object.keys(CONTEXTS).sort()).to.deep.equal(
      [
        "https://w3id.org/security/suites/secp256k1recovery-2020/v2",
        "https://w3id.org/sigil/v1",
        "https://www.w3.org/ns/cid/v1",
        "https://www.w3.org/ns/did/v1",
        "https://www.w3.org/ns/did/v1.1",
      ].sort(),
    );
    for (const url of ["https://w3id.org/security/v3-unstable", "https://example.com/x", "https://www.w3.org/ns/did/v1/"]) {
      let refused = false;
      await contextLoader(url).catch(() => (refused = true));
      expect(refused, url).to.equal(true);
    }
    expect(CONTEXTS[SIGIL_CONTEXT_URL]).to.equal(SIGIL_CONTEXT);
  });

  it("DID Core 1.0 §6.3.1: every document of every case, form, JSON-LD media type and key format expands with no undefined term", async () => {
    const sigil = chain.resolver();
    let expanded = 0;
    for (const c of Object.values(chain.cases).filter((k) => !k.deactivated)) {
      for (const form of chain.forms(c)) {
        for (const accept of DOCUMENT_TYPES.filter((t) => t !== "application/did+json")) {
          for (const publicKeyFormat of [undefined, "Multikey", "JsonWebKey"] as const) {
            const { didDocument } = await sigil.resolve(form.did, { accept, ...(publicKeyFormat ? { publicKeyFormat } : {}) });
            const out = await expandSafely(didDocument!).catch((e) => {
              throw new Error(
                `${c.name} ${form.label} ${accept} ${publicKeyFormat}: ${e.message} ${JSON.stringify(e.details ?? {}).slice(0, 400)}`,
              );
            });
            expect(out).to.have.length(1);
            expanded++;
          }
        }
      }
    }
    expect(expanded).to.equal(5 * 5 * 3 * 3);
  });

  it("DID Core 1.0 §6.3.1 / DID Resolution §5.5.1: dereferenced verification methods and services expand too (they carry the document's contexts)", async () => {
    const sigil = chain.resolver();
    const rich = chain.cases.rich.did;
    const { didDocument } = await sigil.resolve(rich);
    for (const id of [...didDocument!.verificationMethod!.map((m) => m.id), ...didDocument!.service!.map((s) => s.id)]) {
      for (const accept of ["application/did+ld+json", "application/did"]) {
        const r = await dereference(sigil, `${rich}#${id.split("#")[1]}`, { accept });
        expect(r.dereferencingMetadata.contentType).to.equal("application/ld+json");
        await expandSafely(r.contentStream as object);
      }
    }
  });

  it("Sigil's context defines every term Sigil's own tools write explicitly: they expand with @vocab removed", async () => {
    const { "@vocab": _vocab, ...terms } = SIGIL_CONTEXT["@context"];
    const strict = async (url: string) =>
      url === SIGIL_CONTEXT_URL ? { contextUrl: null, documentUrl: url, document: { "@context": terms } } : contextLoader(url);
    const { didDocument } = await chain.resolver().resolve(chain.cases.rich.did);
    expect(didDocument!.service!.map((s) => s.type)).to.have.members(["Messaging", "DIDCommMessaging", "LinkedDomains"]);
    await expandSafely(didDocument!, strict as never);
    // And without @vocab, a controller-chosen type is an undefined term: that is what @vocab is for.
    const custom = {
      ...didDocument!,
      service: [{ id: `${didDocument!.id}#x`, type: "MyOwnService", serviceEndpoint: "https://x.example" }],
    };
    let failed = false;
    await expandSafely(custom, strict as never).catch(() => (failed = true));
    expect(failed).to.equal(true);
    await expandSafely(custom);
  });

  it("DID Core 1.0 §5.4 / §6.3.1 property: whatever attributes an identity publishes, the document expands, and services keep to §5.4", async () => {
    const identity = "0x00000000000000000000000000000000000000aa" as Address;
    const attr = (name: string, value: Hex, block: bigint, log: number): RegistryEvent =>
      ({
        kind: "attribute",
        identity,
        name: bytes32Name(name),
        value,
        validTo: 10n ** 12n,
        previousChange: 0n,
        blockNumber: block,
        logIndex: log,
        blockTimestamp: 1_000n,
      }) as unknown as RegistryEvent;
    const text = (s: string) => bytesToHex(new TextEncoder().encode(s));
    const nameArb = fc.oneof(
      fc
        .constantFrom("Ed25519", "Secp256k1", "X25519", "RSA", "Foo", "id", "type", "service")
        .chain((alg) =>
          fc
            .constantFrom("veriKey", "sigAuth", "enc")
            .chain((p) => fc.constantFrom("", "/hex", "/base64", "/base58", "/pem", "/zzz").map((e) => `did/pub/${alg}/${p}${e}`)),
        ),
      fc.constantFrom("Messaging", "id", "type", "DIDCommMessaging", "X_1").map((t) => `did/svc/${t}`),
    );
    const valueArb = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 40 }).map((b) => bytesToHex(b)),
      fc
        .constantFrom(
          "https://x.example/a",
          "not a uri",
          "",
          "123",
          "null",
          '"https://quoted.example"',
          '{"uri":"https://m.example","accept":["didcomm/v2"],"routingKeys":[]}',
          '{"@id":"x"}',
          '{"a":{"@context":"https://evil.example"}}',
          '["https://a.example",{"uri":"https://b.example"}]',
          "[]",
          '["not a uri"]',
          "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
        )
        .map(text),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(nameArb, valueArb), { minLength: 1, maxLength: 6 }), async (entries) => {
        const events = entries.map(([n, v], i) => attr(n, v, BigInt(i + 1), 0));
        const built = buildDocument({
          did: `did:sigil:0x7a69:${identity}`,
          address: identity,
          chainId: 31337,
          events,
          at: { blockNumber: 100n, timestamp: 2_000n },
        });
        const doc = { ...built.didDocument, "@context": [...DID_CONTEXT] };
        await expandSafely(doc);
        for (const s of doc.service ?? []) {
          const endpoints = Array.isArray(s.serviceEndpoint) ? s.serviceEndpoint : [s.serviceEndpoint];
          expect(endpoints.length).to.be.greaterThan(0);
          for (const e of endpoints)
            expect(typeof e === "string" ? /^[a-z][a-z0-9+.-]*:\S*$/i.test(e) : typeof e === "object" && e !== null).to.equal(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

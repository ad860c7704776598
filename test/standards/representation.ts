// publicKeyFormat (Controlled Identifiers 1.0 §2.2.2 Multikey, §2.2.3 JsonWebKey; DID 1.1) and
// RFC 3986 §5 reference resolution: the key encodings cross-checked against did-jwt's multibase
// decoder and @noble/curves, stock tooling (did-jwt, did-jwt-vc) verifying through Sigil's
// resolver, and the RFC's own reference-resolution examples (§5.4.1, §5.4.2).
import { expect } from "chai";
import fc from "fast-check";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { base58, base64urlnopad } from "@scure/base";
import { Resolver } from "did-resolver";
import { createJWT, EdDSASigner, extractPublicKeyBytes, multibaseToBytes, verifyJWT } from "did-jwt";
import { createVerifiableCredentialJwt, verifyCredential } from "did-jwt-vc";
import { bytesToHex, type Address } from "viem";
import { bytes32Name, type RegistryEvent } from "sigil-did";
import { buildDocument, resolveUri, withPublicKeyFormat } from "sigil-did/internal";
import { sharedChain, type StandardsChain } from "./fixture.ts";

const identity = "0x00000000000000000000000000000000000000bb" as Address;
const did = `did:sigil:0x7a69:${identity}`;
function docWith(name: string, key: Uint8Array) {
  const event = {
    kind: "attribute",
    identity,
    name: bytes32Name(name),
    value: bytesToHex(key),
    validTo: 10n ** 12n,
    previousChange: 0n,
    blockNumber: 1n,
    logIndex: 0,
    blockTimestamp: 1n,
  } as unknown as RegistryEvent;
  return buildDocument({ did, address: identity, chainId: 31337, events: [event], at: { blockNumber: 2n, timestamp: 2n } }).didDocument;
}

describe("publicKeyFormat: Multikey and JsonWebKey (Controlled Identifiers 1.0 §2.2.2-§2.2.3)", function () {
  this.timeout(120_000);
  let chain: StandardsChain;
  before(async () => {
    chain = await sharedChain();
  });

  it("§2.2.2 Multikey: base58btc ('z') of the multicodec varint header + key; secp256k1 compressed (e7 01), Ed25519 (ed 01), X25519 (ec 01): did-jwt decodes the same bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.constantFrom("Ed25519", "X25519", "Secp256k1"), (seed, curve) => {
        let key: Uint8Array;
        let compressed: Uint8Array;
        if (curve === "Secp256k1") {
          const sk = secp256k1.utils.randomSecretKey();
          compressed = secp256k1.getPublicKey(sk, true);
          key = seed[0] & 1 ? secp256k1.getPublicKey(sk, false) : compressed; // uncompressed keys are compressed for Multikey
        } else key = compressed = seed;
        const name = curve === "X25519" ? "did/pub/X25519/enc/hex" : `did/pub/${curve}/veriKey/hex`;
        const vm = withPublicKeyFormat(docWith(name, key), "Multikey", "application/did").verificationMethod![1];
        expect(vm.type).to.equal("Multikey");
        const header = { Ed25519: "ed01", X25519: "ec01", Secp256k1: "e701" }[curve];
        const decoded = multibaseToBytes(vm.publicKeyMultibase!);
        expect(bytesToHex(decoded.keyBytes)).to.equal(bytesToHex(compressed));
        expect(decoded.keyType).to.equal({ Ed25519: "Ed25519", X25519: "X25519", Secp256k1: "Secp256k1" }[curve]);
        expect(vm.publicKeyMultibase!.startsWith("z")).to.equal(true);
        expect(bytesToHex(base58.decode(vm.publicKeyMultibase!.slice(1)).slice(0, 2))).to.equal(`0x${header}`);
      }),
      { numRuns: 200 },
    );
  });

  it("§2.2.3 JsonWebKey: RFC 8037 OKP for Ed25519 (alg EdDSA) and X25519, EC secp256k1 with x and y (alg ES256K); the point matches @noble/curves; no private members", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.uint8Array({ minLength: 32, maxLength: 32 }), (compressedForm, okp) => {
        const sk = secp256k1.utils.randomSecretKey();
        const full = secp256k1.getPublicKey(sk, false);
        const secp = withPublicKeyFormat(
          docWith("did/pub/Secp256k1/veriKey/hex", secp256k1.getPublicKey(sk, compressedForm)),
          "JsonWebKey",
          "application/did",
        ).verificationMethod![1];
        expect(secp.type).to.equal("JsonWebKey");
        expect(secp.publicKeyJwk).to.deep.equal({
          kty: "EC",
          crv: "secp256k1",
          alg: "ES256K",
          x: base64urlnopad.encode(full.slice(1, 33)),
          y: base64urlnopad.encode(full.slice(33)),
        });
        expect(bytesToHex(extractPublicKeyBytes(secp).keyBytes)).to.equal(bytesToHex(full));
        const ed = withPublicKeyFormat(docWith("did/pub/Ed25519/sigAuth/hex", okp), "JsonWebKey", "application/did").verificationMethod![1];
        expect(ed.publicKeyJwk).to.deep.equal({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", x: base64urlnopad.encode(okp) });
        const x = withPublicKeyFormat(docWith("did/pub/X25519/enc/hex", okp), "JsonWebKey", "application/did").verificationMethod![1];
        expect(x.publicKeyJwk).to.deep.equal({ kty: "OKP", crv: "X25519", x: base64urlnopad.encode(okp) });
      }),
      { numRuns: 100 },
    );
  });

  it("keys that cannot be re-encoded keep their did:ethr form: wrong length, off the curve, RSA, unknown algorithms; the controller and delegates (accounts) always", () => {
    const notOnCurve = new Uint8Array(33).fill(0xff);
    notOnCurve[0] = 2;
    for (const [name, key] of [
      ["did/pub/Ed25519/veriKey/hex", new Uint8Array(31)],
      ["did/pub/Secp256k1/veriKey/hex", notOnCurve],
      ["did/pub/RSA/veriKey/hex", new Uint8Array(64)],
      ["did/pub/Foo/veriKey/hex", new Uint8Array(32)],
    ] as [string, Uint8Array][]) {
      const before = docWith(name, key);
      for (const format of ["Multikey", "JsonWebKey"] as const) {
        const after = withPublicKeyFormat(before, format, "application/did");
        expect(after.verificationMethod, `${name} ${format}`).to.deep.equal(before.verificationMethod);
      }
    }
  });

  it("§2.2.2 / §2.2.3 on the chain: the rich identity's five keys become Multikey / JsonWebKey, same ids and relationships; the @context defines them (cid/v1 with did/v1, did/v1.1 alone)", async () => {
    const sigil = chain.resolver();
    const legacy = (await sigil.resolve(chain.cases.rich.did)).didDocument!;
    for (const publicKeyFormat of ["Multikey", "JsonWebKey"] as const) {
      const doc = (await sigil.resolve(chain.cases.rich.did, { publicKeyFormat })).didDocument!;
      expect(doc.verificationMethod!.map((m) => m.id)).to.deep.equal(legacy.verificationMethod!.map((m) => m.id));
      expect(doc.verificationMethod!.filter((m) => m.type === publicKeyFormat)).to.have.length(5);
      for (const r of ["authentication", "assertionMethod", "keyAgreement"] as const) expect(doc[r]).to.deep.equal(legacy[r]);
      expect(doc["@context"]).to.deep.equal([
        "https://www.w3.org/ns/did/v1",
        "https://www.w3.org/ns/cid/v1",
        "https://w3id.org/security/suites/secp256k1recovery-2020/v2",
        "https://w3id.org/sigil/v1",
      ]);
      const v11 = (await sigil.resolve(chain.cases.rich.did, { publicKeyFormat, accept: "application/did" })).didDocument!;
      expect(v11["@context"]).to.deep.equal([
        "https://www.w3.org/ns/did/v1.1",
        "https://w3id.org/security/suites/secp256k1recovery-2020/v2",
        "https://w3id.org/sigil/v1",
      ]);
    }
  });

  it("stock tooling: did-jwt verifies an EdDSA JWT against the Multikey form and the default form; did-jwt-vc verifies a credential through Sigil's did-resolver plugin", async () => {
    const sigil = chain.resolver();
    const rich = chain.cases.rich;
    const signer = EdDSASigner(rich.keys!.ed25519.secretKey);
    const jwt = await createJWT({ aud: "https://verifier.example", hello: "world" }, { issuer: rich.did, signer, alg: "EdDSA" });
    for (const publicKeyFormat of [undefined, "Multikey"] as const) {
      const resolver = { resolve: (d: string) => sigil.resolve(d, publicKeyFormat ? { publicKeyFormat } : {}) };
      const verified = await verifyJWT(jwt, { resolver: resolver as never, audience: "https://verifier.example" });
      expect(verified.signer.type, String(publicKeyFormat)).to.equal(publicKeyFormat ?? "Ed25519VerificationKey2018");
    }
    const dif = new Resolver(sigil.plugin());
    const vc = await createVerifiableCredentialJwt(
      {
        sub: chain.cases.fresh.did,
        nbf: Math.floor(Date.now() / 1000) - 60,
        vc: { "@context": ["https://www.w3.org/2018/credentials/v1"], type: ["VerifiableCredential"], credentialSubject: { member: true } },
      },
      { did: rich.did, signer, alg: "EdDSA" },
    );
    const checked = await verifyCredential(vc, dif as never); // did-jwt-vc bundles an older did-resolver type
    expect(checked.issuer).to.equal(rich.did);
  });
});

describe("RFC 3986 §5 reference resolution (relativeRef, DID Resolution §5.4.1)", () => {
  const base = "http://a/b/c/d;p?q";
  it("§5.4.1 normal examples", () => {
    const normal: Record<string, string> = {
      "g:h": "g:h",
      g: "http://a/b/c/g",
      "./g": "http://a/b/c/g",
      "g/": "http://a/b/c/g/",
      "/g": "http://a/g",
      "//g": "http://g",
      "?y": "http://a/b/c/d;p?y",
      "g?y": "http://a/b/c/g?y",
      "#s": "http://a/b/c/d;p?q#s",
      "g#s": "http://a/b/c/g#s",
      "g?y#s": "http://a/b/c/g?y#s",
      ";x": "http://a/b/c/;x",
      "g;x": "http://a/b/c/g;x",
      "g;x?y#s": "http://a/b/c/g;x?y#s",
      "": "http://a/b/c/d;p?q",
      ".": "http://a/b/c/",
      "./": "http://a/b/c/",
      "..": "http://a/b/",
      "../": "http://a/b/",
      "../g": "http://a/b/g",
      "../..": "http://a/",
      "../../": "http://a/",
      "../../g": "http://a/g",
    };
    for (const [ref, target] of Object.entries(normal)) expect(resolveUri(base, ref), ref).to.equal(target);
  });
  it("§5.4.2 abnormal examples", () => {
    const abnormal: Record<string, string> = {
      "../../../g": "http://a/g",
      "../../../../g": "http://a/g",
      "/./g": "http://a/g",
      "/../g": "http://a/g",
      "g.": "http://a/b/c/g.",
      ".g": "http://a/b/c/.g",
      "g..": "http://a/b/c/g..",
      "..g": "http://a/b/c/..g",
      "./../g": "http://a/b/g",
      "./g/.": "http://a/b/c/g/",
      "g/./h": "http://a/b/c/g/h",
      "g/../h": "http://a/b/c/h",
      "g;x=1/./y": "http://a/b/c/g;x=1/y",
      "g;x=1/../y": "http://a/b/c/y",
      "g?y/./x": "http://a/b/c/g?y/./x",
      "g?y/../x": "http://a/b/c/g?y/../x",
      "g#s/./x": "http://a/b/c/g#s/./x",
      "g#s/../x": "http://a/b/c/g#s/../x",
      "http:g": "http:g",
    };
    for (const [ref, target] of Object.entries(abnormal)) expect(resolveUri(base, ref), ref).to.equal(target);
  });
});

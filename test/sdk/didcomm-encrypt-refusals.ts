// DIDComm v2 encryption refusals (issue 24), attacker first: a co-recipient forging under the
// sender's name (-04 binds the tag; -03 to several DIDs or without apv is refused), an algorithm
// Sigil does not implement ("unsupportedAlgorithm", never "tampered"), altered bytes ("tampered"),
// an anonymous envelope naming a sender key, malformed input, and a mutation property.
import { expect } from "chai";
import fc from "fast-check";
import { createAnonEncrypter, createAuthEncrypter, createJWE } from "did-jwt";
import { x25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { decryptMessage, MessageError, type DecryptedMessage, type JWE } from "sigil-did";
import { sealDidcomm } from "../../sdk/core/src/messaging/didcomm-jwe.ts";
import { ecdh1puKek, sealContent, unwrapKey } from "../../sdk/core/src/messaging/jwe-crypto.ts";
import { setup } from "./fixture.ts";
import { publishIdentity, sigilResolver, veramoPeer, type Chain, type SigilIdentity } from "../support/didcomm-peers.ts";
import { b64, chainDated, headerOf, jwm, nodePack, refusal, senderOf } from "../support/didcomm-encrypt-kit.ts";

describe("sdk DIDComm v2 encryption refusals: forgeries, unsupported vs tampered, malformed input", function () {
  this.timeout(60_000);
  let env: Chain;
  let resolver: ReturnType<typeof sigilResolver>;
  let alice: SigilIdentity, bob: SigilIdentity;
  const { chainNow, encrypt, open } = chainDated(() => ({ env, resolver }));

  beforeEach(async () => {
    env = await setup();
    resolver = sigilResolver(env);
    alice = await publishIdentity(env, 1);
    bob = await publishIdentity(env, 2);
  });

  it("a co-recipient cannot forge to the others under the sender's name: -04 binds the tag, and -03 to several DIDs is refused", async () => {
    const carol = await publishIdentity(env, 3);
    // Carol, who got Alice's message too, learns the content key from her own entry and writes
    // new content under the same header, keeping only Bob's entry.
    const forge = (jwe: JWE, version: "v3" | "v4") => {
      const header = headerOf(jwe);
      const entry = (kid: string) => jwe.recipients!.find((r) => r.header.kid === kid)!;
      const ze = x25519.getSharedSecret(carol.x.secretKey, Buffer.from(header.epk.x, "base64url"));
      const zs = x25519.getSharedSecret(carol.x.secretKey, alice.x.publicKey);
      const ctx = {
        alg: "ECDH-1PU+A256KW" as const,
        apu: header.apu && Buffer.from(header.apu, "base64url"),
        apv: header.apv && Buffer.from(header.apv, "base64url"),
      };
      const kek = ecdh1puKek(ze, zs, ctx, version === "v4" ? Buffer.from(jwe.tag, "base64url") : undefined);
      const cek = unwrapKey(kek, Buffer.from(entry(carol.x.kid).encrypted_key, "base64url"))!;
      expect(cek, "Carol opens her own copy").to.not.equal(null);
      const lie = Buffer.from(JSON.stringify(jwm(alice.did, [bob.did], "Alice: send the files to Carol")));
      const sealed = sealContent(header.enc, cek, lie, Buffer.from(jwe.protected));
      const b = (x: Uint8Array) => Buffer.from(x).toString("base64url");
      return { ...jwe, recipients: [entry(bob.x.kid)], iv: b(sealed.iv), ciphertext: b(sealed.ciphertext), tag: b(sealed.tag) };
    };
    const veramo = await veramoPeer(env, alice);
    const { message } = await veramo.packDIDCommMessage({
      packing: "authcrypt",
      message: {
        id: "v",
        type: "https://example.org/chat/1.0/text",
        from: alice.did,
        to: [bob.did, carol.did],
        body: { text: "hi both" },
      },
    });
    const original = JSON.parse(message) as JWE;
    // Even an app that accepts Veramo's -03 refuses a message that visibly went to another DID...
    expect((await refusal(open(original, bob, { acceptEcdh1puV3: true }))).details).to.include("other DIDs");
    // ...but Carol's forgery lists Bob alone: with no apv nothing shows it, hence refused by default.
    expect((await refusal(open(forge(original, "v3"), bob))).refusal).to.equal("unsupportedAlgorithm");
    // What acceptEcdh1puV3 risks, and why it is off by default: the forgery then passes as Alice's.
    const accepted = await open(forge(original, "v3"), bob, { acceptEcdh1puV3: true });
    expect(accepted).to.deep.include({ from: alice.did, payload: { text: "Alice: send the files to Carol" } });
    // Sigil's default (-04, what didcomm-node writes too): the forged tag changes Bob's KEK.
    const sigil = await encrypt([bob.did, carol.did], { text: "hi both" }, resolver, { from: senderOf(alice) });
    expect((await open(sigil, carol)).from).to.equal(alice.did);
    expect((await refusal(open(forge(sigil, "v4"), bob, { acceptEcdh1puV3: true }))).refusal).to.equal("tampered");
    // did-jwt's own ECDH-1PU (the 0.x form, no tag binding either) to several DIDs: refused the same way.
    const legacy = await createJWE(
      Buffer.from(JSON.stringify({ text: "hi both" })),
      [bob, carol].map((r) => createAuthEncrypter(r.x.publicKey, alice.x.secretKey, { kid: r.x.kid })),
      { skid: alice.x.kid },
    );
    expect((await refusal(open(legacy, bob))).refusal).to.equal("unsupportedAlgorithm");
  });

  describe("refusals", () => {
    it("an algorithm or curve Sigil does not implement is 'unsupportedAlgorithm'; an altered message is 'tampered'", async () => {
      const jwe = JSON.parse((await nodePack(env, alice, bob, "x")).packed) as JWE;
      const header = headerOf(jwe);
      const withHeader = (h: Record<string, unknown>) => ({ ...jwe, protected: b64(h) });
      for (const h of [
        { ...header, enc: "A128GCM" },
        { ...header, enc: "A256CBC-HS384" },
        { ...header, alg: "ECDH-ES+A128KW" },
        { ...header, alg: "RSA-OAEP-256" },
        { ...header, epk: { kty: "EC", crv: "P-384", x: header.epk.x, y: header.epk.x } },
      ])
        expect((await refusal(open(withHeader(h), bob))).refusal, JSON.stringify(h).slice(0, 80)).to.equal("unsupportedAlgorithm");
      const flip = (text: string, at = 0) => {
        const b = Buffer.from(text, "base64url");
        b[at] ^= 1;
        return b.toString("base64url");
      };
      for (const [what, altered] of [
        ["tag", { ...jwe, tag: flip(jwe.tag) }],
        ["ciphertext", { ...jwe, ciphertext: flip(jwe.ciphertext, 5) }],
        ["iv", { ...jwe, iv: flip(jwe.iv) }],
        ["encrypted_key", { ...jwe, recipients: [{ ...jwe.recipients![0], encrypted_key: flip(jwe.recipients![0].encrypted_key) }] }],
        ["protected header", withHeader({ ...header, typ: "application/didcomm-encrypted+json ", extra: 1 })],
        ["apv", withHeader({ ...header, apv: Buffer.from(sha256(Buffer.from("other"))).toString("base64url") })],
        [
          "a recipient added",
          { ...jwe, recipients: [...jwe.recipients!, { header: { kid: alice.x.kid }, encrypted_key: jwe.recipients![0].encrypted_key }] },
        ],
      ] as const)
        expect((await refusal(open(altered as JWE, bob))).refusal, what).to.equal("tampered");
    });

    it("an anonymous message that names a sender key (skid) does not pass for that sender's", async () => {
      // Anyone can write an anoncrypt message with Alice's key id in its header: it must not say "from Alice".
      const forged = sealDidcomm(
        Buffer.from(JSON.stringify(jwm(alice.did, [bob.did], "I am Alice"))),
        [{ kid: bob.x.kid, publicKey: bob.x.publicKey }],
        { enc: "XC20P", header: { skid: alice.x.kid } },
      );
      const opened = await open(forged, bob);
      expect(opened.from).to.equal(undefined);
      expect(opened.verifiedBy).to.equal(undefined);
      expect(opened.encryption.alg).to.equal("ECDH-ES+A256KW");
      // The same in the 0.x did-jwt form.
      const legacy = await createJWE(
        Buffer.from(JSON.stringify({ text: "I am Alice" })),
        [createAnonEncrypter(bob.x.publicKey, { kid: bob.x.kid })],
        {
          skid: alice.x.kid,
        },
      );
      expect((await open(legacy, bob)).from).to.equal(undefined);
    });

    it("malformed input is a typed refusal with what was wrong", async () => {
      const jwe = JSON.parse((await nodePack(env, alice, bob, "x")).packed) as JWE;
      const header = headerOf(jwe);
      const cases: [unknown, string, string][] = [
        ["", "invalid", "general-serialisation JWE"],
        ["{not json", "invalid", "general-serialisation JWE"],
        [{ ...jwe, recipients: "x" }, "invalid", "general-serialisation JWE"],
        [{ ...jwe, protected: b64({ ...header, alg: undefined }) }, "invalid", "no alg"],
        [{ ...jwe, protected: b64({ ...header, epk: { ...header.epk, x: "AAAA" } }) }, "invalid", "32-byte"],
        [{ ...jwe, protected: b64({ ...header, skid: undefined, apu: undefined }) }, "invalid", "sender's key id"],
        [{ ...jwe, protected: b64({ ...header, skid: 7 }) }, "invalid", "skid"],
        [{ ...jwe, iv: "*" }, "invalid", "iv is not base64url"],
        ["x".repeat(300_000), "invalid", "too large"],
        [
          { ...jwe, recipients: [{ header: { kid: `${bob.did}#delegate-99` }, encrypted_key: "AA" }] },
          "notForYou",
          "not encrypted to your key",
        ],
      ];
      for (const [input, code, why] of cases) {
        const e = await refusal(open(input as JWE, bob));
        expect(e.refusal, why).to.equal(code);
        expect(`${e.message} ${e.details ?? ""}`, why).to.include(why);
      }
      // A message created after it was received, and one that expired before.
      const now = await chainNow();
      const future = await encrypt(bob.did, { text: "x" }, resolver, { now: now + 3_600 });
      expect((await refusal(open(future, bob, { now }))).refusal).to.equal("invalid");
      const expired = await encrypt(bob.did, { text: "x" }, resolver, { now: now - 7_200, expiresTime: now - 3_600 });
      expect((await refusal(open(expired, bob, { now }))).message).to.include("expired");
    });

    it("property: any mutation of an envelope gives a known refusal or the original message, never a crash", async () => {
      const good = JSON.parse((await nodePack(env, alice, bob, "original")).packed) as Record<string, unknown>;
      const now = await chainNow();
      const known = ["invalid", "unsupportedAlgorithm", "tampered", "notForYou", "unauthorisedSender", "unresolvable"];
      const field = fc.constantFrom("protected", "iv", "ciphertext", "tag", "recipients", "aad");
      const value = fc.oneof(
        fc.string(),
        fc.base64String().map((s) => s.replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")),
        fc.integer(),
        fc.constant(null),
        fc.array(fc.record({ header: fc.record({ kid: fc.constantFrom(bob.x.kid, "x") }), encrypted_key: fc.string() })),
        fc.dictionary(fc.string(), fc.jsonValue()).map((h) => b64(h)),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(field, value), { minLength: 1, maxLength: 3 }), async (mutations) => {
          const mutated = { ...good };
          for (const [k, v] of mutations) mutated[k] = v;
          try {
            const out: DecryptedMessage = await decryptMessage(mutated as never, { did: bob.did, secretKey: bob.x.secretKey }, resolver, {
              now,
            });
            expect(out.payload).to.deep.equal({ text: "original" });
          } catch (e) {
            expect(e, String(e)).to.be.instanceOf(MessageError);
            expect(known).to.include((e as MessageError).refusal);
          }
        }),
        { numRuns: 60 },
      );
    });
  });
});

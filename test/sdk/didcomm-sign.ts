// DIDComm v2 signed messages (issue 24) in every direction against the stock libraries:
// didcomm-node ↔ Sigil and Veramo ↔ Sigil, judged as of receipt. A key voided by an ERC-1056
// revocation or a pre-rotation rotation is refused by Sigil and by didcomm-node through Sigil's
// adapter, while a message received before still verifies at its receipt time; each bad input
// (tampered, wrong kid, another DID's kid, from ≠ signer, deactivated sender, malformed, an
// algorithm Sigil does not implement) gets its own typed refusal.
import { expect } from "chai";
import fc from "fast-check";
import { EdDSASigner } from "did-jwt";
import { p256 } from "@noble/curves/nist.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { createWalletClient, custom, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  didcommResolutionOptions,
  generateNextKey,
  InvalidInputError,
  MessageError,
  parseDidcommSigned,
  planRotation,
  publicKeyAttribute,
  sendOperation,
  signDidcommMessage,
  verifyDidcommSigned,
  type DIDCommPlaintext,
} from "sigil-did";
import { setup } from "./fixture.ts";
import {
  didcommNodePeer,
  publishIdentity,
  sigilResolver,
  veramoPeer,
  type Chain,
  type DidcommNodePeer,
  type SigilIdentity,
} from "../support/didcomm-peers.ts";

const b64 = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
const unb64 = (text: string) => JSON.parse(Buffer.from(text, "base64url").toString("utf8"));

async function rejection(work: Promise<unknown>): Promise<Error> {
  return work.then(
    (value) => expect.fail(`expected a refusal, got ${JSON.stringify(value)?.slice(0, 200)}`),
    (error: unknown) => error as Error,
  );
}

describe("sdk DIDComm v2 signed messages: didcomm-node and Veramo in every direction, judged as of receipt", function () {
  this.timeout(60_000);
  let env: Chain;
  let resolver: ReturnType<typeof sigilResolver>;
  let alice: SigilIdentity, bob: SigilIdentity;
  let aliceNode: DidcommNodePeer, bobNode: DidcommNodePeer;
  const chainNow = async () => Number((await env.publicClient.getBlock()).timestamp);
  const plain = (from: string, text: string, extra: Partial<DIDCommPlaintext> = {}): DIDCommPlaintext => ({
    id: `msg-${Math.random().toString(36).slice(2)}`,
    typ: "application/didcomm-plain+json",
    type: "https://example.org/chat/1.0/text",
    from,
    to: [bob.did],
    body: { text },
    ...extra,
  });
  const verify = async (packed: unknown, options: Parameters<typeof verifyDidcommSigned>[2] = {}) =>
    verifyDidcommSigned(packed, resolver, { now: await chainNow(), ...options });

  beforeEach(async () => {
    env = await setup();
    resolver = sigilResolver(env);
    alice = await publishIdentity(env, 1, { secp256k1: true });
    bob = await publishIdentity(env, 2);
    aliceNode = didcommNodePeer(env, alice);
    bobNode = didcommNodePeer(env, bob);
  });

  describe("didcomm-node ↔ Sigil", () => {
    it("verifies what didcomm-node signs, EdDSA and ES256K", async () => {
      for (const [kid, alg] of [
        [alice.ed.kid, "EdDSA"],
        [alice.k!.kid, "ES256K"],
      ] as const) {
        const packed = await aliceNode.packSigned(plain(alice.did, `signed by ${alg}`), kid);
        const verdict = await verify(packed);
        expect(verdict, JSON.stringify(verdict)).to.deep.include({ ok: true, from: alice.did, signedBy: kid, alg });
        expect(verdict.ok && verdict.message.body).to.deep.equal({ text: `signed by ${alg}` });
      }
    });

    it("signs what didcomm-node unpacks through Sigil's adapters, reporting the signing key", async () => {
      for (const key of [
        { kid: alice.ed.kid, type: "Ed25519" as const, secretKey: alice.ed.secretKey, alg: "EdDSA" },
        { kid: alice.k!.kid, type: "Secp256k1" as const, secretKey: alice.k!.secretKey, alg: "ES256K" },
      ]) {
        const packed = await signDidcommMessage(plain(alice.did, "from Sigil"), key);
        const jws = JSON.parse(packed);
        expect(unb64(jws.signatures[0].protected)).to.deep.equal({ typ: "application/didcomm-signed+json", alg: key.alg, kid: key.kid });
        expect(jws.signatures[0].header).to.deep.equal({ kid: key.kid });
        const [message, meta] = await bobNode.unpack(packed);
        expect(message.as_value()).to.deep.include({ from: alice.did, body: { text: "from Sigil" } });
        expect(meta).to.deep.include({ non_repudiation: true, sign_from: key.kid, sign_alg: key.alg, encrypted: false });
      }
    });
  });

  describe("Veramo ↔ Sigil", () => {
    it("verifies what Veramo's DIDComm plugin packs as 'jws'", async () => {
      const agent = await veramoPeer(env, alice);
      for (const [kid, alg] of [
        [alice.ed.kid, "EdDSA"],
        [alice.k!.kid, "ES256K"],
      ] as const) {
        const { message } = await agent.packDIDCommMessage({
          packing: "jws",
          message: {
            id: `v-${alg}`,
            type: "https://example.org/chat/1.0/text",
            from: alice.did,
            to: [bob.did],
            body: { text: "from Veramo" },
          },
          keyRef: kid,
        });
        // Veramo writes the flattened form with the kid in the protected header only.
        expect(JSON.parse(message)).to.have.keys("protected", "payload", "signature");
        const verdict = await verify(message);
        expect(verdict, JSON.stringify(verdict)).to.deep.include({ ok: true, from: alice.did, signedBy: kid, alg });
        // didcomm-node 0.4 reads only the general form with a per-signature kid: the two stock
        // libraries do not read each other's signed messages; Sigil reads both and writes one both read.
        expect((await rejection(bobNode.unpack(message))).message).to.include("not a valid JWE, JWS or JWM");
      }
    });

    it("signs what Veramo's agent unpacks and handles (message handler), through the plain DIF plugin", async () => {
      const agent = await veramoPeer(env, bob);
      const packed = await signDidcommMessage(plain(alice.did, "to Veramo"), {
        kid: alice.ed.kid,
        type: "Ed25519",
        secretKey: alice.ed.secretKey,
      });
      const unpacked = await agent.unpackDIDCommMessage({ message: packed });
      expect(unpacked.metaData).to.deep.equal({ packing: "jws" });
      expect(unpacked.message).to.deep.include({ from: alice.did, body: { text: "to Veramo" } });
      const handled = await agent.handleMessage({ raw: packed, save: false });
      expect(handled).to.deep.include({ from: alice.did, type: "https://example.org/chat/1.0/text", data: { text: "to Veramo" } });
      const es256k = await signDidcommMessage(plain(alice.did, "ES256K"), {
        kid: alice.k!.kid,
        type: "Secp256k1",
        secretKey: alice.k!.secretKey,
      });
      expect((await agent.unpackDIDCommMessage({ message: es256k })).message).to.deep.include({ body: { text: "ES256K" } });
    });
  });

  describe("after the signing key is voided", () => {
    it("ERC-1056 revocation: refused by Sigil and by didcomm-node; received before, it still verifies as of receipt", async () => {
      const before = await aliceNode.packSigned(plain(alice.did, "before"), alice.ed.kid);
      const receivedBefore = await chainNow();
      await env.networkHelpers.time.increase(600);
      await env.send(1, {
        type: "revokeAttribute",
        identity: alice.address,
        ...publicKeyAttribute("Ed25519", "sigAuth", alice.ed.publicKey),
      });
      await env.networkHelpers.time.increase(600);
      // The thief holding the voided key signs now, and backdates the message to before the revocation.
      const stolen = await signDidcommMessage(plain(alice.did, "thief", { created_time: receivedBefore }), {
        kid: alice.ed.kid,
        type: "Ed25519",
        secretKey: alice.ed.secretKey,
      });
      expect(await verify(stolen)).to.deep.include({ ok: false, code: "unauthorisedKey" });
      expect((await rejection(bobNode.unpack(stolen))).name).to.equal("DIDCommDIDUrlNotFound");
      // The honest message stored with its receipt time stays valid, for Sigil and didcomm-node alike.
      expect(await verify(before)).to.deep.include({ ok: false, code: "unauthorisedKey" });
      expect(await verify(before, { receivedAt: receivedBefore })).to.deep.include({ ok: true, signedBy: alice.ed.kid });
      const [, meta] = await bobNode.unpack(before, { at: receivedBefore });
      expect(meta.sign_from).to.equal(alice.ed.kid);
      // The untouched secp256k1 key still signs.
      const k = await signDidcommMessage(plain(alice.did, "k"), { kid: alice.k!.kid, type: "Secp256k1", secretKey: alice.k!.secretKey });
      expect(await verify(k)).to.deep.include({ ok: true });
    });

    it("pre-rotation purge: every old key refused by Sigil, didcomm-node and Veramo; a stored message verifies at its receipt time", async () => {
      const before = await signDidcommMessage(plain(alice.did, "before"), {
        kid: alice.k!.kid,
        type: "Secp256k1",
        secretKey: alice.k!.secretKey,
      });
      const receivedBefore = await chainNow();
      const next = generateNextKey();
      await env.send(1, { type: "commitNextOwner", identity: alice.address, commitment: next.commitment });
      await env.networkHelpers.setBalance(next.address, 10n ** 18n);
      const wallet = createWalletClient({ account: privateKeyToAccount(next.privateKey), transport: custom(env.provider) }) as WalletClient;
      await env.networkHelpers.time.increase(600);
      await sendOperation(
        wallet,
        env.target,
        planRotation({ identity: alice.address, salt: next.salt, newOwner: next.address, nextKey: null }).rotate,
      );
      const veramo = await veramoPeer(env, bob);
      for (const key of [
        { kid: alice.ed.kid, type: "Ed25519" as const, secretKey: alice.ed.secretKey },
        { kid: alice.k!.kid, type: "Secp256k1" as const, secretKey: alice.k!.secretKey },
      ]) {
        const stolen = await signDidcommMessage(plain(alice.did, "thief"), key);
        expect(await verify(stolen), key.kid).to.deep.include({ ok: false, code: "unauthorisedKey" });
        expect((await rejection(bobNode.unpack(stolen))).name).to.equal("DIDCommDIDUrlNotFound");
        await rejection(veramo.unpackDIDCommMessage({ message: stolen }));
      }
      expect(await verify(before, { receivedAt: receivedBefore })).to.deep.include({ ok: true, signedBy: alice.k!.kid, alg: "ES256K" });
      expect((await bobNode.unpack(before, { at: receivedBefore }))[1].sign_from).to.equal(alice.k!.kid);
      const asOf = didcommResolutionOptions({ at: receivedBefore });
      expect((await veramo.unpackDIDCommMessage({ message: before, resolutionOptions: asOf })).message).to.deep.include({
        from: alice.did,
      });
      expect((await rejection(bobNode.unpack(before))).name, "judged now").to.equal("DIDCommDIDUrlNotFound");
    });
  });

  describe("typed refusals", () => {
    const signEd = (message: DIDCommPlaintext) =>
      signDidcommMessage(message, { kid: alice.ed.kid, type: "Ed25519", secretKey: alice.ed.secretKey });

    it("tampered payload: 'tampered' (didcomm-node: DIDCommMalformed)", async () => {
      const jws = JSON.parse(await signEd(plain(alice.did, "pay 10")));
      jws.payload = b64({ ...unb64(jws.payload), body: { text: "pay 1000" } });
      const verdict = await verify(jws);
      expect(verdict).to.deep.include({ ok: false, code: "tampered" });
      expect((await rejection(bobNode.unpack(JSON.stringify(jws)))).name).to.equal("DIDCommMalformed");
    });

    it("a message signed for Bob, forwarded to Carol: refused as 'notForYou' when Carol names herself; a malformed recipient is an InvalidInputError", async () => {
      const forBob = await signEd(plain(alice.did, "the meeting is at 6"));
      const carol = `did:sigil:local:${"c".repeat(40)}`;
      expect(await verify(forBob, { recipient: carol })).to.deep.include({ ok: false, code: "notForYou" });
      expect(await verify(forBob, { recipient: `${bob.did}#key-1` })).to.deep.include({ ok: true, from: alice.did });
      const broadcast = await signEd(plain(alice.did, "to whom it may concern", { to: undefined }));
      expect(await verify(broadcast, { recipient: carol }), "a message naming no recipient is for anyone").to.deep.include({ ok: true });
      const bad = await rejection(verify(forBob, { recipient: "carol" }));
      expect(bad).to.be.instanceOf(InvalidInputError);
      expect(bad.message).to.match(/recipient/);
    });

    it("wrong kid: a key not in authentication is 'unauthorisedKey', another authentication key of the sender is 'tampered'", async () => {
      const sign = async (kid: string) => {
        const header = b64({ typ: "application/didcomm-signed+json", alg: "EdDSA", kid });
        const payload = b64(plain(alice.did, "x"));
        const signature = await EdDSASigner(alice.ed.secretKey)(`${header}.${payload}`);
        return JSON.stringify({ payload, signatures: [{ protected: header, signature, header: { kid } }] });
      };
      expect(await verify(await sign(`${alice.did}#delegate-99`))).to.deep.include({ ok: false, code: "unauthorisedKey" });
      expect(await verify(await sign(alice.x.kid)), "a key-agreement key does not sign").to.deep.include({
        ok: false,
        code: "unauthorisedKey",
      });
      expect(await verify(await sign(`${alice.did}#controller`))).to.deep.include({ ok: false, code: "unauthorisedKey" });
      expect(await verify(await sign(alice.k!.kid))).to.deep.include({ ok: false, code: "tampered" });
    });

    it("kid of another DID, and from ≠ the signer's DID: 'senderMismatch' (didcomm-node lets it through); Sigil will not sign one", async () => {
      const header = b64({ typ: "application/didcomm-signed+json", alg: "EdDSA", kid: bob.ed.kid });
      const payload = b64(plain(alice.did, "I am Alice, honest"));
      const signature = await EdDSASigner(bob.ed.secretKey)(`${header}.${payload}`);
      const forged = JSON.stringify({ payload, signatures: [{ protected: header, signature, header: { kid: bob.ed.kid } }] });
      expect(await verify(forged)).to.deep.include({ ok: false, code: "senderMismatch" });
      // didcomm-node 0.4 accepts it and leaves the comparison to the app: it reports Bob's key as
      // the signer of a message "from" Alice. Sigil's verdict is what an app should act on.
      const [message, meta] = await bobNode.unpack(forged);
      expect(message.as_value().from).to.equal(alice.did);
      expect(meta.sign_from).to.equal(bob.ed.kid);
      const e = await rejection(
        signDidcommMessage(plain(alice.did, "x"), { kid: bob.ed.kid, type: "Ed25519", secretKey: bob.ed.secretKey }),
      );
      expect(e).to.be.instanceOf(InvalidInputError);
    });

    it("deactivated sender: 'deactivated', even for a message signed before", async () => {
      const packed = await signEd(plain(alice.did, "x"));
      await env.send(1, { type: "deactivate", identity: alice.address });
      expect(await verify(packed)).to.deep.include({ ok: false, code: "deactivated" });
      expect((await rejection(bobNode.unpack(packed))).name).to.equal("DIDCommDIDNotResolved");
    });

    it("an algorithm Sigil does not implement is 'unsupportedAlgorithm', never 'tampered'", async () => {
      const p256Key = p256.utils.randomSecretKey();
      for (const alg of ["ES256", "ES384", "none", "HS256", "RS256"]) {
        const header = b64({ typ: "application/didcomm-signed+json", alg, kid: alice.ed.kid });
        const payload = b64(plain(alice.did, alg));
        const signature = Buffer.from(p256.sign(sha256(Buffer.from(`${header}.${payload}`)), p256Key, { prehash: false })).toString(
          "base64url",
        );
        const packed = JSON.stringify({ payload, signatures: [{ protected: header, signature, header: { kid: alice.ed.kid } }] });
        expect(await verify(packed), alg).to.deep.include({ ok: false, code: "unsupportedAlgorithm" });
        const e = (() => {
          try {
            parseDidcommSigned(packed);
          } catch (x) {
            return x as MessageError;
          }
          return expect.fail("parsed");
        })();
        expect(e).to.be.instanceOf(MessageError);
        expect(e.refusal).to.equal("unsupportedAlgorithm");
      }
    });

    it("malformed input, future and expired messages: each a typed refusal", async () => {
      const good = JSON.parse(await signEd(plain(alice.did, "x")));
      const cases: [unknown, string][] = [
        ["{not json", "not JSON"],
        ["eyJhbGciOiJFZERTQSJ9.e30.AA", "not JSON"],
        [[], "not a JSON object"],
        [{ ...good, signatures: [] }, "non-empty"],
        [{ ...good, signatures: [good.signatures[0], good.signatures[0]] }, "2 signatures"],
        [{ ...good, payload: "%%%" }, "payload"],
        [{ ...good, payload: b64("[1]") }, "payload"],
        [{ ...good, payload: b64({ id: "x", type: "t", body: {} }) }, "from"],
        [{ ...good, signatures: [{ ...good.signatures[0], protected: b64({ alg: "EdDSA", kid: alice.ed.kid }) }] }, "typ"],
        [{ ...good, signatures: [{ ...good.signatures[0], header: { kid: bob.ed.kid } }] }, "two different kids"],
        [{ ...good, signatures: [{ ...good.signatures[0], header: "x" }] }, "per-signature header"],
        ["x".repeat(300_000), "characters"],
      ];
      for (const [input, why] of cases) {
        const verdict = await verify(input);
        expect(verdict, why).to.deep.include({ ok: false, code: "malformed" });
        expect(!verdict.ok && verdict.reason, why).to.include(why);
      }
      const now = await chainNow();
      expect(await verify(await signEd(plain(alice.did, "x", { created_time: now + 3_600 })))).to.deep.include({
        ok: false,
        code: "future",
      });
      expect(await verify(await signEd(plain(alice.did, "x", { expires_time: now - 10 })))).to.deep.include({ ok: false, code: "expired" });
      await rejection(verifyDidcommSigned(good, resolver, { receivedAt: -1 }));
    });

    it("a resolver answering with another DID's document lends none of its keys: 'unresolvable'", async () => {
      const packed = await signEd(plain(alice.did, "x"));
      const liar = { resolve: async () => resolver.resolve(bob.did) };
      expect(await verifyDidcommSigned(packed, liar, { now: await chainNow() })).to.deep.include({ ok: false, code: "unresolvable" });
    });

    it("signing refuses a bad key or message with InvalidInputError", async () => {
      const ed = { kid: alice.ed.kid, type: "Ed25519" as const, secretKey: alice.ed.secretKey as Uint8Array | `0x${string}` };
      const bad: [DIDCommPlaintext, typeof ed][] = [
        [plain(alice.did, "x"), { ...ed, kid: "alice" }],
        [plain(alice.did, "x"), { ...ed, type: "X25519" as never }],
        [plain(alice.did, "x"), { ...ed, secretKey: new Uint8Array(31) }],
        [plain(alice.did, "x"), { ...ed, secretKey: "0xzz" }],
        [{ ...plain(alice.did, "x"), id: 1 as never }, ed],
        [{ ...plain(alice.did, "x"), body: { n: 1n } }, ed],
        [{ ...plain(alice.did, "x"), from: Object.create(null) }, ed],
      ];
      for (const [message, key] of bad) expect(await rejection(signDidcommMessage(message, key))).to.be.instanceOf(InvalidInputError);
    });

    it("property: any mutation of an envelope is a verdict with a known code, never a crash; the parser throws only MessageError", async () => {
      const good = await signEd(plain(alice.did, "x"));
      const parts = JSON.parse(good);
      const codes = [
        "malformed",
        "unsupportedAlgorithm",
        "tampered",
        "unauthorisedKey",
        "senderMismatch",
        "deactivated",
        "unresolvable",
        "expired",
        "future",
      ];
      const hostile = fc.anything({ withNullPrototype: true, withBigInt: true, withMap: true, withTypedArray: true });
      const mutated = fc.oneof(
        hostile,
        fc.string(),
        fc.jsonValue().map((v) => JSON.stringify(v)),
        fc
          .nat({ max: good.length - 1 })
          .chain((i) => fc.string({ minLength: 1, maxLength: 3 }).map((s) => good.slice(0, i) + s + good.slice(i + 1))),
        fc.record({
          payload: fc.oneof(fc.constant(parts.payload), fc.string(), fc.jsonValue().map(b64)),
          signatures: fc.constant(parts.signatures),
        }),
        fc.record({
          payload: fc.constant(parts.payload),
          signatures: fc.tuple(
            fc.record({ protected: fc.jsonValue().map(b64), signature: fc.constant(parts.signatures[0].signature), header: hostile }),
          ),
        }),
        // Well-formed protected header (kid only per signature, as didcomm-node writes it), hostile per-signature header and kid.
        fc.record({
          payload: fc.constant(parts.payload),
          signatures: fc.tuple(
            fc.record({
              protected: fc.constant(b64({ typ: "application/didcomm-signed+json", alg: "EdDSA" })),
              signature: fc.constant(parts.signatures[0].signature),
              header: fc.oneof(
                hostile,
                hostile.map((kid) => ({ kid })),
              ),
            }),
          ),
        }),
      );
      await fc.assert(
        fc.asyncProperty(mutated, async (input) => {
          try {
            parseDidcommSigned(input);
          } catch (e) {
            expect(e).to.be.instanceOf(MessageError);
          }
          const verdict = await verify(input);
          if (!verdict.ok) expect(codes).to.include(verdict.code);
        }),
        { numRuns: 300 },
      );
    });
  });
});

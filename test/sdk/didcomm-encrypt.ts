// DIDComm v2 encrypted messages (issue 24) in every direction against the stock libraries:
// didcomm-node ↔ Sigil and Veramo ↔ Sigil, anoncrypt with each content encryption and authcrypt,
// judged as of receipt. After a rotation nothing is encrypted to the voided X25519 key (by Sigil, or
// by either peer through Sigil's resolver) and an authcrypt message from a voided sender key is
// refused. Forgeries, unsupported algorithms, tampering and malformed input: didcomm-encrypt-refusals.ts.
import { expect } from "chai";
import { Message } from "didcomm-node";
import { sha256 } from "@noble/hashes/sha2.js";
import { createWalletClient, custom, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  decryptMessage,
  didcommSecrets,
  generateKeyPair,
  generateNextKey,
  planRotation,
  publicKeyAttribute,
  sendOperation,
  type JWE,
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
import { ANON, chainDated, ENCS, headerOf, jwm, nodePack, refusal, senderOf } from "../support/didcomm-encrypt-kit.ts";
// Sigil's own DIDComm sealing, to put in an envelope what neither stock peer would (a signed message re-sent).
import { sealDidcomm } from "../../sdk/core/src/messaging/didcomm-jwe.ts";

const DAY = 86_400n;
describe("sdk DIDComm v2 encryption: didcomm-node and Veramo in every direction, judged as of receipt", function () {
  this.timeout(60_000);
  let env: Chain;
  let resolver: ReturnType<typeof sigilResolver>;
  let alice: SigilIdentity, bob: SigilIdentity;
  let aliceNode: DidcommNodePeer, bobNode: DidcommNodePeer;
  const { chainNow, encrypt, open } = chainDated(() => ({ env, resolver }));
  beforeEach(async () => {
    env = await setup();
    resolver = sigilResolver(env);
    alice = await publishIdentity(env, 1);
    bob = await publishIdentity(env, 2);
    aliceNode = didcommNodePeer(env, alice);
    bobNode = didcommNodePeer(env, bob);
  });

  describe("didcomm-node ↔ Sigil", () => {
    it("reads what didcomm-node encrypts: anoncrypt with XC20P, A256GCM and A256CBC-HS512, and authcrypt (its default)", async () => {
      for (const enc of ENCS) {
        const { packed } = await nodePack(env, undefined, bob, `anon ${enc}`, { enc_alg_anon: ANON[enc] });
        const opened = await open(packed, bob);
        // 0.x reported an A256CBC-HS512 or A256GCM message as "tampered".
        expect(opened, enc).to.deep.include({ from: undefined, keyId: bob.x.kid, payload: { text: `anon ${enc}` } });
        expect(opened.encryption).to.deep.equal({ form: "didcomm", alg: "ECDH-ES+A256KW", enc });
      }
      const { packed, meta } = await nodePack(env, alice, bob, "authenticated");
      expect(meta.from_kid).to.equal(alice.x.kid);
      const opened = await open(packed, bob);
      expect(opened).to.deep.include({ from: alice.did, keyId: bob.x.kid, payload: { text: "authenticated" }, verifiedBy: "lookup" });
      expect(opened.encryption).to.deep.equal({ form: "didcomm", alg: "ECDH-1PU+A256KW", enc: "A256CBC-HS512", ecdh1pu: "v4" });
      expect(opened.message).to.deep.include({ from: alice.did, to: [bob.did], type: "https://example.org/chat/1.0/text" });
      // protect_sender: the authenticated message inside an anonymous one, so relays do not see skid.
      const hidden = await nodePack(env, alice, bob, "hidden sender", { protect_sender: true });
      expect(headerOf(hidden.packed)).to.not.have.property("skid");
      const unwrapped = await open(hidden.packed, bob);
      expect(unwrapped).to.deep.include({ from: alice.did, payload: { text: "hidden sender" } });
      expect(unwrapped.encryption).to.deep.include({
        alg: "ECDH-1PU+A256KW",
        outer: { form: "didcomm", alg: "ECDH-ES+A256KW", enc: "XC20P" },
      });
    });

    it("writes what didcomm-node unpacks through Sigil's adapters: the DIDComm header, one epk, apv, and authcrypt's skid/apu", async () => {
      for (const enc of ENCS) {
        const jwe = await encrypt(bob.did, { text: `to node ${enc}` }, resolver, { enc });
        const header = headerOf(jwe);
        expect(header).to.include({ typ: "application/didcomm-encrypted+json", alg: "ECDH-ES+A256KW", enc });
        expect(header.epk).to.include({ kty: "OKP", crv: "X25519" });
        expect(header.apv).to.equal(Buffer.from(sha256(Buffer.from(bob.x.kid))).toString("base64url"));
        expect(jwe.recipients).to.deep.equal([{ header: { kid: bob.x.kid }, encrypted_key: jwe.recipients![0].encrypted_key }]);
        const [message, meta] = await bobNode.unpack(JSON.stringify(jwe));
        expect(message.as_value()).to.deep.include({ to: [bob.did], body: { text: `to node ${enc}` } });
        expect(meta).to.deep.include({ encrypted: true, authenticated: false, anonymous_sender: true, enc_alg_anon: ANON[enc] });
      }
      const jwe = await encrypt(bob.did, { text: "from Sigil" }, resolver, { from: senderOf(alice) });
      expect(headerOf(jwe)).to.include({
        alg: "ECDH-1PU+A256KW",
        enc: "A256CBC-HS512",
        skid: alice.x.kid,
        apu: Buffer.from(alice.x.kid).toString("base64url"),
      });
      const [message, meta] = await bobNode.unpack(JSON.stringify(jwe));
      expect(message.as_value()).to.deep.include({ from: alice.did, to: [bob.did], body: { text: "from Sigil" } });
      expect(meta).to.deep.include({
        encrypted: true,
        authenticated: true,
        encrypted_from_kid: alice.x.kid,
        enc_alg_auth: "A256cbcHs512Ecdh1puA256kw",
      });
      expect(meta.encrypted_to_kids).to.deep.equal([bob.x.kid]);
    });
  });

  describe("Veramo ↔ Sigil", () => {
    const veramoMessage = (from: SigilIdentity, to: SigilIdentity, text: string) => ({
      id: `v-${Math.random().toString(36).slice(2)}`,
      type: "https://example.org/chat/1.0/text",
      from: from.did,
      to: [to.did],
      body: { text },
    });

    it("reads what Veramo's DIDComm plugin encrypts: anoncrypt with each enc, authcrypt with its defaults (ECDH-1PU -03, A256GCM) and with A256CBC-HS512", async () => {
      const agent = await veramoPeer(env, alice);
      for (const enc of ENCS) {
        const { message } = await agent.packDIDCommMessage({
          packing: "anoncrypt",
          message: veramoMessage(alice, bob, enc),
          options: { enc },
        });
        const opened = await open(message, bob);
        // Veramo's anoncrypt plaintext carries `from`, but nothing authenticates it: Sigil reports no sender.
        expect(opened, enc).to.deep.include({ from: undefined, payload: { text: enc } });
        expect(opened.encryption).to.deep.equal({ form: "didcomm", alg: "ECDH-ES+A256KW", enc });
      }
      for (const enc of [undefined, "A256CBC-HS512"] as const) {
        const { message } = await agent.packDIDCommMessage({
          packing: "authcrypt",
          message: veramoMessage(alice, bob, `auth ${enc}`),
          ...(enc ? { options: { enc } } : {}),
        });
        // Veramo 7 writes ECDH-1PU -03 with no apv: nothing binds who else got it, so a co-recipient
        // could have written it. Refused by default, said as such; read when the app accepts that.
        const e = await refusal(open(message, bob));
        expect(e.refusal).to.equal("unsupportedAlgorithm");
        expect(e.details).to.include("acceptEcdh1puV3");
        const opened = await open(message, bob, { acceptEcdh1puV3: true });
        expect(opened).to.deep.include({ from: alice.did, payload: { text: `auth ${enc}` } });
        expect(opened.encryption).to.deep.equal({ form: "didcomm", alg: "ECDH-1PU+A256KW", enc: enc ?? "A256GCM", ecdh1pu: "v3" });
      }
    });

    it("writes what Veramo's agent unpacks: anoncrypt with each enc, authcrypt with ecdh1pu 'v3' (Veramo 7 does not read the -04 KDF)", async () => {
      const agent = await veramoPeer(env, bob);
      for (const enc of ENCS) {
        const jwe = await encrypt(bob.did, { text: `to Veramo ${enc}` }, resolver, { enc });
        const unpacked = await agent.unpackDIDCommMessage({ message: JSON.stringify(jwe) });
        expect(unpacked.metaData).to.deep.equal({ packing: "anoncrypt" });
        expect(unpacked.message).to.deep.include({ to: [bob.did], body: { text: `to Veramo ${enc}` } });
      }
      const v3 = await encrypt(bob.did, { text: "auth to Veramo" }, resolver, { from: senderOf(alice), ecdh1pu: "v3" });
      const unpacked = await agent.unpackDIDCommMessage({ message: JSON.stringify(v3) });
      expect(unpacked.metaData).to.deep.equal({ packing: "authcrypt" });
      expect(unpacked.message).to.deep.include({ from: alice.did, body: { text: "auth to Veramo" } });
      // The DIDComm default (-04, what didcomm-node requires) is not read by Veramo 7; said, not hidden.
      const v4 = await encrypt(bob.did, { text: "x" }, resolver, { from: senderOf(alice) });
      await agent.unpackDIDCommMessage({ message: JSON.stringify(v4) }).then(
        () => expect.fail("Veramo 7 read an ECDH-1PU -04 message"),
        (e: Error) => expect(e.message).to.include("unable to decrypt"),
      );
      // And both are read by Sigil.
      // didcomm-node, conversely, reads only -04.
      await bobNode.unpack(JSON.stringify(v3)).then(
        () => expect.fail("didcomm-node read an ECDH-1PU -03 message"),
        (e: Error) => expect(e.name).to.match(/DIDComm/),
      );
      expect((await bobNode.unpack(JSON.stringify(v4)))[1].authenticated).to.equal(true);
      for (const jwe of [v3, v4]) expect((await open(jwe, bob)).from).to.equal(alice.did);
    });
  });

  describe("several keys and several DIDs: one ephemeral key for all", () => {
    it("encrypts to every current X25519 key of every DID under one protected epk; every device opens it (didcomm-node only one-DID messages)", async () => {
      const second = generateKeyPair("X25519");
      await env.send(2, {
        type: "setAttribute",
        identity: bob.address,
        ...publicKeyAttribute("X25519", "enc", second.publicKey),
        validity: DAY,
      });
      const jwe = await encrypt([bob.did, alice.did], { text: "to both" }, resolver, { enc: "A256GCM" });
      const kids = jwe.recipients!.map((r) => r.header.kid);
      expect(kids).to.have.length(3);
      expect(kids).to.include.members([bob.x.kid, alice.x.kid]);
      expect(
        jwe.recipients!.every((r) => Object.keys(r.header).join() === "kid"),
        "no per-recipient epk",
      ).to.equal(true);
      expect(headerOf(jwe).apv).to.equal(Buffer.from(sha256(Buffer.from([...kids].sort().join(".")))).toString("base64url"));
      const secondKid = kids.find((k) => k !== bob.x.kid && k !== alice.x.kid)!;
      expect((await open(jwe, bob)).payload.text).to.equal("to both");
      expect(
        (await decryptMessage(jwe, { did: bob.did, secretKey: second.secretKey }, resolver, { now: await chainNow() })).keyId,
      ).to.equal(secondKid);
      expect((await open(jwe, alice)).message?.to).to.deep.equal([bob.did, alice.did]);
      // didcomm-node reads only messages whose recipients are keys of one DID (its own check): to
      // reach such peers, send one message per DID; Sigil and Veramo read the shared one.
      await aliceNode.unpack(JSON.stringify(jwe)).then(
        () => expect.fail("didcomm-node read a message to two DIDs"),
        (e: Error) => expect(e.message).to.include("outside of one did"),
      );
      const toBob = await encrypt(bob.did, { text: "to Bob's devices" }, resolver);
      expect(toBob.recipients).to.have.length(2);
      expect((await bobNode.unpack(JSON.stringify(toBob)))[0].as_value().body).to.deep.equal({ text: "to Bob's devices" });
      // ECDH-1PU without the tag binding to several DIDs would let one forge to the other: refused at the source.
      const e = await refusal(encrypt([bob.did, alice.did], { text: "x" }, resolver, { from: senderOf(alice), ecdh1pu: "v3" }));
      expect(e.refusal).to.equal("unsupportedAlgorithm");
    });
  });

  describe("after a rotation", () => {
    it("the recipient's revoked X25519 key receives nothing from Sigil, didcomm-node or Veramo; what it got before opens at its receipt time only", async () => {
      const before = await encrypt(bob.did, { text: "before" }, resolver, { from: senderOf(alice) });
      const receivedBefore = await chainNow();
      await env.networkHelpers.time.increase(120); // beyond the clock tolerance
      const next = generateKeyPair("X25519");
      await env.send(2, {
        type: "setAttribute",
        identity: bob.address,
        ...publicKeyAttribute("X25519", "enc", next.publicKey),
        validity: DAY,
      });
      await env.send(2, { type: "revokeAttribute", identity: bob.address, ...publicKeyAttribute("X25519", "enc", bob.x.publicKey) });
      await env.networkHelpers.time.increase(120);
      const kidsOf = (jwe: JWE | string) => (typeof jwe === "string" ? (JSON.parse(jwe) as JWE) : jwe).recipients!.map((r) => r.header.kid);
      const sigil = kidsOf(await encrypt(bob.did, { text: "after" }, resolver));
      const { packed, meta } = await nodePack(env, alice, bob, "after");
      const veramo = kidsOf(
        (
          await (
            await veramoPeer(env, alice)
          ).packDIDCommMessage({ packing: "anoncrypt", message: { id: "v", type: "t", from: alice.did, to: [bob.did], body: {} } })
        ).message,
      );
      for (const kids of [sigil, kidsOf(packed), meta.to_kids, veramo]) {
        expect(kids).to.have.length(1);
        expect(kids).to.not.include(bob.x.kid);
      }
      expect(
        (await decryptMessage(packed, { did: bob.did, secretKey: next.secretKey }, resolver, { now: await chainNow() })).payload.text,
      ).to.equal("after");
      // The voided key: a message it got before the rotation opens as of then, not as of now.
      expect((await open(before, bob, { receivedAt: receivedBefore })).payload.text).to.equal("before");
      expect((await refusal(open(before, bob))).refusal).to.equal("notForYou");
    });

    it("pre-rotation purge: no peer can encrypt to the purged key, and a thief's authcrypt with it is refused by Sigil, didcomm-node and Veramo", async () => {
      const before = await encrypt(alice.did, { text: "before" }, resolver, { from: senderOf(bob) });
      const forVeramo = await encrypt(alice.did, { text: "before" }, resolver, { from: senderOf(bob), ecdh1pu: "v3" });
      const veramo = await veramoPeer(env, alice);
      // Both peers read them while Bob's key is listed: their refusals below are the purge's doing.
      expect((await aliceNode.unpack(JSON.stringify(before)))[1].encrypted_from_kid).to.equal(bob.x.kid);
      expect((await veramo.unpackDIDCommMessage({ message: JSON.stringify(forVeramo) })).metaData).to.deep.equal({ packing: "authcrypt" });
      const receivedBefore = await chainNow();
      const next = generateNextKey();
      await env.send(2, { type: "commitNextOwner", identity: bob.address, commitment: next.commitment });
      await env.networkHelpers.setBalance(next.address, 10n ** 18n);
      const wallet = createWalletClient({ account: privateKeyToAccount(next.privateKey), transport: custom(env.provider) }) as WalletClient;
      await env.networkHelpers.time.increase(600);
      await sendOperation(
        wallet,
        env.target,
        planRotation({ identity: bob.address, salt: next.salt, newOwner: next.address, nextKey: null }).rotate,
      );
      // To Bob: his purged key is listed nowhere, so nobody can encrypt to it.
      expect((await refusal(encrypt(bob.did, { text: "x" }, resolver))).refusal).to.equal("noKeyAgreementKey");
      await nodePack(env, alice, bob, "x").then(
        () => expect.fail("didcomm-node encrypted to a purged DID"),
        (e: Error) => expect(e.name).to.match(/DIDComm/),
      );
      const veramoMessage = { id: "v", type: "t", from: alice.did, to: [bob.did], body: {} };
      await veramo.packDIDCommMessage({ packing: "anoncrypt", message: veramoMessage }).then(
        () => expect.fail("Veramo encrypted to a purged DID"),
        (e: Error) => expect(e.message).to.include("key"),
      );
      // From Bob's purged key (a thief holding it): refused now, by Sigil and both peers.
      const stolen = (await nodePack(env, bob, alice, "thief", {}).catch(() => undefined))?.packed;
      expect(stolen, "didcomm-node packs nothing with a purged sender key").to.equal(undefined);
      expect((await refusal(open(before, alice))).refusal).to.equal("unauthorisedSender");
      await aliceNode.unpack(JSON.stringify(before)).then(
        () => expect.fail("didcomm-node accepted a purged sender key"),
        (e: Error) => expect(e.name).to.match(/DIDComm/),
      );
      await veramo.unpackDIDCommMessage({ message: JSON.stringify(forVeramo) }).then(
        () => expect.fail("Veramo accepted a purged sender key"),
        (e: Error) => expect(e.message).to.include(`${bob.x.kid}) could not be located`),
      );
      // Stored with its receipt time, it still opens as of then.
      expect((await open(before, alice, { receivedAt: receivedBefore })).from).to.equal(bob.did);
    });

    it("an authcrypt message from the sender's revoked key is refused by Sigil and by didcomm-node through Sigil's adapter", async () => {
      // The thief's message: made with Alice's X25519 secret (here while it was still listed, which
      // is byte for byte what a thief holding it makes later).
      const { packed } = await nodePack(env, alice, bob, "I am Alice");
      const sealed = await encrypt(bob.did, { text: "I am Alice" }, resolver, { from: senderOf(alice) });
      const receivedBefore = await chainNow();
      await env.networkHelpers.time.increase(120); // beyond the clock tolerance
      await env.send(1, { type: "revokeAttribute", identity: alice.address, ...publicKeyAttribute("X25519", "enc", alice.x.publicKey) });
      await env.networkHelpers.time.increase(120);
      for (const message of [packed, sealed]) {
        const e = await refusal(open(message, bob));
        expect(e.refusal).to.equal("unauthorisedSender");
        expect(e.message + (e.details ?? "")).to.include(alice.x.kid);
        expect((await open(message, bob, { receivedAt: receivedBefore })).from, "stored before: still readable").to.equal(alice.did);
      }
      await bobNode.unpack(packed).then(
        () => expect.fail("didcomm-node accepted a revoked sender key"),
        (e: Error) => expect(e.name).to.match(/DIDComm/),
      );
      expect((await bobNode.unpack(packed, { at: receivedBefore }))[1].encrypted_from_kid).to.equal(alice.x.kid);
      // And Sigil refuses to write with it.
      expect((await refusal(encrypt(bob.did, { text: "x" }, resolver, { from: senderOf(alice) }))).refusal).to.equal("wrongSenderKey");
    });
  });
  describe("signed, then encrypted (DIDComm non-repudiation): the signature inside verified as of receipt", () => {
    /** didcomm-node's pack_encrypted with sign_by: anoncrypt (no sender) or authcrypt, signed by `signer`'s Ed25519 key. */
    const packSignedEncrypted = async (signer: SigilIdentity, to: SigilIdentity, text: string, authcrypt: boolean, at?: number) => {
      const peer = didcommNodePeer(env, signer);
      const message = new Message(jwm(signer.did, [to.did], text) as never);
      const resolverAt = at === undefined ? peer.resolver() : peer.resolver({ at, skewSeconds: 0 });
      const [packed] = await message.pack_encrypted(
        to.did,
        authcrypt ? signer.did : null,
        signer.ed.kid,
        resolverAt,
        didcommSecrets(signer.keys),
        {},
      );
      return packed;
    };

    it("reads didcomm-node's signed anoncrypt and authcrypt: from and signedBy are the signature's, checked against the sender's document", async () => {
      for (const authcrypt of [false, true]) {
        const opened = await open(await packSignedEncrypted(alice, bob, `signed ${authcrypt}`, authcrypt), bob);
        expect(opened, String(authcrypt)).to.deep.include({
          from: alice.did,
          signedBy: alice.ed.kid,
          payload: { text: `signed ${authcrypt}` },
        });
        expect(opened.encryption.alg).to.equal(authcrypt ? "ECDH-1PU+A256KW" : "ECDH-ES+A256KW");
      }
      // The sender's document as of receipt serves both the authcrypt key and the signature: read once.
      const asked: string[] = [];
      const counting = { resolve: (url: string) => (asked.push(url.split("?")[0]), resolver.resolve(url)) };
      const packed = await packSignedEncrypted(alice, bob, "once", true);
      await decryptMessage(packed, { did: bob.did, secretKey: bob.x.secretKey }, counting, { now: await chainNow() });
      expect(asked.filter((did) => did === alice.did)).to.have.length(1);
    });

    it("refuses a signature by a key revoked before receipt (unauthorisedSender) and one meant for another recipient (notForYou)", async () => {
      const before = await chainNow();
      await env.networkHelpers.time.increase(120);
      await env.send(1, {
        type: "revokeAttribute",
        identity: alice.address,
        ...publicKeyAttribute("Ed25519", "sigAuth", alice.ed.publicKey),
      });
      await env.networkHelpers.time.increase(120);
      // The thief signs with the revoked key, packing against Alice's document as it was.
      const forged = await packSignedEncrypted(alice, bob, "still me", false, before);
      const e = await refusal(open(forged, bob));
      expect(e.refusal, `${e.message} ${e.details}`).to.equal("unauthorisedSender");
      expect(e.details).to.match(/unauthorisedKey/);
      // A message Bob signed for Alice, which Alice re-encrypts to Carol: Carol's app sees it was not for her.
      const carol = await publishIdentity(env, 3);
      const signedForAlice = await bobNode.packSigned(jwm(bob.did, [alice.did], "for Alice only"));
      const resent = sealDidcomm(new TextEncoder().encode(signedForAlice), [{ kid: carol.x.kid, publicKey: carol.x.publicKey }], {
        enc: "XC20P",
      });
      expect((await refusal(open(resent, carol))).refusal).to.equal("notForYou");
      // Carol's authcrypt around Bob's signature (to Alice): the signer is not the sender who encrypted it.
      const bobToAlice = await bobNode.packSigned(jwm(bob.did, [alice.did], "from Bob?"));
      const relabelled = sealDidcomm(new TextEncoder().encode(bobToAlice), [{ kid: alice.x.kid, publicKey: alice.x.publicKey }], {
        enc: "A256CBC-HS512",
        sender: { kid: carol.x.kid, secretKey: carol.x.secretKey },
      });
      const mismatch = await refusal(open(relabelled, alice));
      expect(mismatch.refusal).to.equal("unauthorisedSender");
      expect(mismatch.message).to.match(/signed by another DID/);
    });
  });
});

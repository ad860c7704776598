// Issue-level tests of messaging safety, each of which failed on the 0.1 SDK: verification as of
// receipt by default (a backdated message signed with a rotated-away key is refused) with a
// configurable clock skew, encryption to a DID's current key-agreement keys (anonymous and
// authenticated), decryption that judges both sides' keys at receipt, interoperability with the
// stock did-jwt library, typed refusals for bad input, safety numbers, and the contacts policy.
import { expect } from "chai";
import { createAnonDecrypter, createAuthDecrypter, createAuthEncrypter, createJWE, decryptJWE, verifyJWT } from "did-jwt";
import { Resolver } from "did-resolver";
import { x25519 } from "@noble/curves/ed25519.js";
import { bytesToHex, createWalletClient, custom, type Address, type WalletClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  bytes32Name,
  createContacts,
  createSigilResolver,
  decryptMessage,
  encryptMessage,
  generateKeyPair,
  generateNextKey,
  getResolver,
  keyAgreementKeys,
  MessageError,
  planRotation,
  publicKeyAttribute,
  safetyNumber,
  sendOperation,
  signMessage,
  UnverifiedChangeError,
  verifyMessage,
  type KeyPair,
} from "sigil-did";
import { setup } from "./fixture.ts";

const DAY = 86_400n;

describe("sdk messaging safety: verification as of receipt, encryption to a DID, safety numbers", () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let resolver: ReturnType<typeof createSigilResolver>;
  const did = (a: Address) => `did:sigil:local:${a.toLowerCase()}`;
  const chainNow = async () => Number((await env.publicClient.getBlock()).timestamp);
  let alice: Address, bob: Address, carol: Address;
  let aliceX: KeyPair, bobX: KeyPair;
  const publishX = async (i: number, who: Address, x: KeyPair) =>
    env.send(i, { type: "setAttribute", identity: who, ...publicKeyAttribute("X25519", "enc", x.publicKey), validity: DAY });
  const expectRefusal = async (work: Promise<unknown>, refusal: string) => {
    const e = await work.then(
      () => expect.fail(`expected refusal ${refusal}`),
      (x: unknown) => x,
    );
    expect(e).to.be.instanceOf(MessageError);
    expect((e as MessageError).refusal, (e as Error).message).to.equal(refusal);
    return e as MessageError;
  };

  beforeEach(async () => {
    env = await setup();
    resolver = createSigilResolver({
      networks: [{ chainId: env.chainId, name: "local", registry: env.registry, provider: env.provider }],
      cache: false,
    });
    [alice, bob, carol] = env.addresses.slice(1, 4);
    aliceX = generateKeyPair("X25519");
    bobX = generateKeyPair("X25519");
    await publishX(1, alice, aliceX);
    await publishX(2, bob, bobX);
  });

  describe("verification as of receipt", () => {
    it("refuses by default a backdated message signed with a key revoked before it was received", async () => {
      const key = generatePrivateKey();
      const delegate = privateKeyToAccount(key).address;
      await env.send(1, { type: "addDelegate", identity: alice, delegateType: bytes32Name("sigAuth"), delegate, validity: DAY });
      const whileValid = await chainNow();
      await env.networkHelpers.time.increase(3_600);
      await env.send(1, { type: "revokeDelegate", identity: alice, delegateType: bytes32Name("sigAuth"), delegate });
      await env.networkHelpers.time.increase(3_600);
      const backdated = await signMessage({ did: did(alice), secretKey: key }, { text: "sent long ago, honest" }, whileValid);
      const now = await chainNow();
      // 0.1 judged as of the claimed iat and accepted this.
      expect(await verifyMessage(backdated, resolver, { now })).to.deep.include({ ok: false, code: "unauthorisedKey", judgedAt: now });
      // An app that stored the message when it arrived passes that time, and it stays valid.
      expect((await verifyMessage(backdated, resolver, { now, receivedAt: whileValid })).ok).to.equal(true);
      // A send time the app can vouch for (its server's stamp) works the same way.
      expect((await verifyMessage(backdated, resolver, { now, sentAt: whileValid })).ok).to.equal(true);
    });

    it("tolerates a chain clock running ahead of the wall clock by the configured skew, no more", async () => {
      const key = generatePrivateKey();
      const delegate = privateKeyToAccount(key).address;
      await env.networkHelpers.time.increase(100);
      const receipt = await env.send(1, {
        type: "addDelegate",
        identity: alice,
        delegateType: bytes32Name("sigAuth"),
        delegate,
        validity: DAY,
      });
      const added = Number((await env.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp);
      const wall = added - 20; // the chain's clock is 20 s ahead of this phone's
      const jwt = await signMessage({ did: did(alice), secretKey: key }, { text: "right after adding the key" }, wall);
      expect((await verifyMessage(jwt, resolver, { now: wall })).ok, "default skew 60 s").to.equal(true);
      expect(await verifyMessage(jwt, resolver, { now: wall, skewSeconds: 10 })).to.deep.include({ ok: false, code: "unauthorisedKey" });
      const future = await signMessage({ did: did(alice), secretKey: key }, { text: "from the future" }, wall + 3_600);
      const refused = await verifyMessage(future, resolver, { now: wall });
      expect(refused).to.deep.include({ ok: false, code: "invalid" });
      expect(!refused.ok && refused.reason).to.include("after it was received");
    });
  });

  describe("encryption to a DID's key-agreement keys", () => {
    it("round-trips anonymously and authenticated; the recipient learns the sender's DID only when authenticated", async () => {
      const anon = await encryptMessage(did(alice), { text: "anonymous tip" }, resolver);
      const a = await decryptMessage(anon, { did: did(alice), secretKey: aliceX.secretKey }, resolver);
      expect(a).to.deep.include({ from: undefined });
      expect(a.payload.text).to.equal("anonymous tip");
      const bobKeyId = keyAgreementKeys(await resolver.resolve(did(bob)))[0].id;
      const auth = await encryptMessage(did(alice), { text: "from Bob" }, resolver, {
        from: { did: did(bob), keyId: bobKeyId, secretKey: bobX.secretKey },
      });
      expect(JSON.parse(new TextDecoder().decode(Buffer.from(auth.protected, "base64url"))).skid).to.equal(bobKeyId);
      const b = await decryptMessage(auth, { did: did(alice), secretKey: aliceX.secretKey }, resolver);
      expect(b.from).to.equal(did(bob));
      // A DIDComm message by default: the content is its body, the sender its `from`.
      expect(b.payload).to.deep.equal({ text: "from Bob" });
      expect(b.message).to.deep.include({ from: did(bob), to: [did(alice)] });
    });

    it("encrypts to every current key, or only the chosen one", async () => {
      const second = generateKeyPair("X25519");
      await publishX(1, alice, second);
      const keys = keyAgreementKeys(await resolver.resolve(did(alice)));
      expect(keys).to.have.length(2);
      const all = await encryptMessage(did(alice), { text: "both" }, resolver);
      expect(all.recipients?.map((r) => r.header.kid).sort()).to.deep.equal(keys.map((k) => k.id).sort());
      for (const x of [aliceX, second])
        expect((await decryptMessage(all, { did: did(alice), secretKey: x.secretKey }, resolver)).payload.text).to.equal("both");
      const one = await encryptMessage(did(alice), { text: "one" }, resolver, { keyIds: [keys[1].id] });
      expect(one.recipients).to.have.length(1);
      await expectRefusal(encryptMessage(did(alice), { text: "x" }, resolver, { keyIds: [`${did(alice)}#delegate-99`] }), "unknownKey");
    });

    it("writes on request the 0.x did-jwt form, read by the stock did-jwt library (decryptJWE with its own decrypters)", async () => {
      const anon = await encryptMessage(did(alice), { text: "interop" }, resolver, { profile: "did-jwt" });
      const clear = await decryptJWE(anon, createAnonDecrypter(aliceX.secretKey));
      expect(JSON.parse(new TextDecoder().decode(clear)).text).to.equal("interop");
      const bobKeyId = keyAgreementKeys(await resolver.resolve(did(bob)))[0].id;
      const auth = await encryptMessage(did(alice), { text: "interop auth" }, resolver, {
        from: { did: did(bob), keyId: bobKeyId, secretKey: bobX.secretKey },
        profile: "did-jwt",
      });
      // Still read by Sigil too, as the did-jwt form (messages stored before DIDComm stay readable).
      expect(await decryptMessage(auth, { did: did(alice), secretKey: aliceX.secretKey }, resolver)).to.deep.include({
        from: did(bob),
        encryption: { form: "did-jwt", alg: "ECDH-1PU+XC20PKW", enc: "XC20P" },
      });
      const clear2 = await decryptJWE(auth, createAuthDecrypter(aliceX.secretKey, bobX.publicKey));
      expect(JSON.parse(new TextDecoder().decode(clear2)).text).to.equal("interop auth");
      // And signed messages still verify with the stock verifyJWT through did-resolver.
      const jwt = await signMessage(
        { did: did(alice), secretKey: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d" },
        { text: "hi" },
        await chainNow(),
      );
      const stock = new Resolver(
        getResolver({ networks: [{ chainId: env.chainId, name: "local", registry: env.registry, provider: env.provider }] }),
      );
      expect(
        (await verifyJWT(jwt, { resolver: stock, proofPurpose: "authentication", policies: { now: await chainNow() } })).issuer,
      ).to.equal(did(alice));
    });

    it("after a purge the old key-agreement keys no longer receive, and a message sent to them is refused at receipt", async () => {
      const old = await encryptMessage(did(alice), { text: "before" }, resolver);
      const receivedBefore = await chainNow();
      // Alice hands control away with a purge (a rotation): here, a rotation through a next key.
      const next = generateNextKey();
      await env.send(1, { type: "commitNextOwner", identity: alice, commitment: next.commitment });
      await env.networkHelpers.setBalance(next.address, 10n ** 18n);
      const wallet = createWalletClient({ account: privateKeyToAccount(next.privateKey), transport: custom(env.provider) }) as WalletClient;
      await env.networkHelpers.time.increase(120);
      await sendOperation(
        wallet,
        env.target,
        planRotation({ identity: alice, salt: next.salt, newOwner: next.address, nextKey: null }).rotate,
      );
      await expectRefusal(encryptMessage(did(alice), { text: "after" }, resolver), "noKeyAgreementKey");
      // Stored and received before the rotation: still readable; received after: not for her key any more.
      expect(
        (await decryptMessage(old, { did: did(alice), secretKey: aliceX.secretKey }, resolver, { receivedAt: receivedBefore })).payload
          .text,
      ).to.equal("before");
      await expectRefusal(
        decryptMessage(old, { did: did(alice), secretKey: aliceX.secretKey }, resolver, { now: await chainNow() }),
        "notForYou",
      );

      // Her new key after the purge has an id of its own: a wallet that keeps secrets by key id
      // (as DIDComm secrets resolvers do) keeps both and opens each message with the right one.
      const newX = generateKeyPair("X25519");
      await sendOperation(wallet, env.target, {
        type: "setAttribute",
        identity: alice,
        ...publicKeyAttribute("X25519", "enc", newX.publicKey),
        validity: DAY,
      });
      const fresh = await encryptMessage(did(alice), { text: "after, to the new key" }, resolver);
      const kidOf = (jwe: typeof old) => jwe.recipients![0].header!.kid as string;
      const secrets = new Map([[kidOf(old), aliceX.secretKey]]);
      expect(secrets.has(kidOf(fresh)), `${kidOf(fresh)} names the voided key too`).to.equal(false);
      secrets.set(kidOf(fresh), newX.secretKey);
      expect(kidOf(fresh)).to.equal(`${did(alice)}#delegate-1-e1`);
      const open = (jwe: typeof old, options: { receivedAt?: number; now?: number }) =>
        decryptMessage(jwe, { did: did(alice), secretKey: secrets.get(kidOf(jwe))! }, resolver, options);
      expect((await open(fresh, { now: await chainNow() })).payload.text).to.equal("after, to the new key");
      expect((await open(old, { receivedAt: receivedBefore })).payload.text).to.equal("before");
    });

    it("refuses bad input with typed errors, never a crash", async () => {
      const toBob = await encryptMessage(did(bob), { text: "for Bob" }, resolver);
      await expectRefusal(decryptMessage(toBob, { did: did(alice), secretKey: aliceX.secretKey }, resolver), "notForYou");
      const tampered = {
        ...toBob,
        tag: Buffer.from(Buffer.from(toBob.tag, "base64url").map((b, i) => (i === 0 ? b ^ 1 : b))).toString("base64url"),
      };
      await expectRefusal(decryptMessage(tampered, { did: did(bob), secretKey: bobX.secretKey }, resolver), "tampered");
      await expectRefusal(
        decryptMessage(
          { ...toBob, ciphertext: `${toBob.ciphertext.slice(0, -2)}AA` },
          { did: did(bob), secretKey: bobX.secretKey },
          resolver,
        ),
        "tampered",
      );
      for (const junk of [
        "",
        "{}",
        "not json",
        JSON.stringify({ protected: "!!", iv: "", ciphertext: "", tag: "", recipients: [] }),
        42 as never,
      ]) {
        await expectRefusal(decryptMessage(junk, { did: did(bob), secretKey: bobX.secretKey }, resolver), "invalid");
      }
      await expectRefusal(encryptMessage(did(carol), { text: "x" }, resolver), "noKeyAgreementKey");
      const aliceKeyId = keyAgreementKeys(await resolver.resolve(did(alice)))[0].id;
      const stranger = generateKeyPair("X25519");
      await expectRefusal(
        encryptMessage(did(bob), { text: "x" }, resolver, { from: { did: did(alice), keyId: aliceKeyId, secretKey: stranger.secretKey } }),
        "wrongSenderKey",
      );
      // A JWE that names a sender key its DID does not list (made with did-jwt directly).
      const bobKeyId = keyAgreementKeys(await resolver.resolve(did(bob)))[0].id;
      const forged = await createJWE(
        new TextEncoder().encode(JSON.stringify({ text: "forged", from: did(alice) })),
        [createAuthEncrypter(bobX.publicKey, stranger.secretKey, { kid: bobKeyId })],
        { skid: `${did(alice)}#delegate-7` },
      );
      await expectRefusal(decryptMessage(forged, { did: did(bob), secretKey: bobX.secretKey }, resolver), "unauthorisedSender");
      // Claiming Alice's real key id with another secret: the tag does not verify.
      const impostor = await createJWE(
        new TextEncoder().encode("{}"),
        [createAuthEncrypter(bobX.publicKey, stranger.secretKey, { kid: bobKeyId })],
        { skid: aliceKeyId },
      );
      await expectRefusal(decryptMessage(impostor, { did: did(bob), secretKey: bobX.secretKey }, resolver), "tampered");
      await expectRefusal(encryptMessage("did:sigil:local:0x123", { text: "x" }, resolver), "unresolvable");
      expect(bytesToHex(x25519.getPublicKey(bobX.secretKey))).to.equal(bytesToHex(bobX.publicKey));
    });
  });

  describe("safety numbers and the contacts policy", () => {
    it("gives both sides the same 60 digits, stable under key order, changed by either side's keys", async () => {
      const [a, b] = [await resolver.resolve(did(alice)), await resolver.resolve(did(bob))];
      const number = safetyNumber(a, b);
      expect(number).to.match(/^(\d{5} ){11}\d{5}$/);
      expect(safetyNumber(b, a)).to.equal(number);
      const doc = a.didDocument!;
      const shuffled = {
        ...a,
        didDocument: {
          ...doc,
          verificationMethod: [...doc.verificationMethod!].reverse(),
          authentication: [...doc.authentication!].reverse(),
        },
      };
      expect(safetyNumber(shuffled, b)).to.equal(number);
      await publishX(2, bob, generateKeyPair("X25519"));
      expect(safetyNumber(a, await resolver.resolve(did(bob)))).to.not.equal(number);
      expect(() => safetyNumber(a, { didDocument: null, didDocumentMetadata: {}, didResolutionMetadata: {} })).to.throw("needs both");
    });

    it("blocks encryption to a contact whose key-agreement keys changed since the user confirmed them", async () => {
      const contacts = createContacts(resolver);
      await expectRefusal(contacts.encryptTo(did(alice), { text: "x" }), "unverifiedChange");
      await contacts.confirm(did(alice));
      expect(await contacts.encryptTo(did(alice), { text: "ok" })).to.have.property("ciphertext");
      await env.send(1, { type: "revokeAttribute", identity: alice, ...publicKeyAttribute("X25519", "enc", aliceX.publicKey) });
      await publishX(1, alice, generateKeyPair("X25519")); // a thief's swap
      const e = await expectRefusal(contacts.encryptTo(did(alice), { text: "secret" }), "unverifiedChange");
      expect(e).to.be.instanceOf(UnverifiedChangeError);
      expect((e as UnverifiedChangeError).changes.map((c) => c.kind)).to.deep.equal(["keyAdded", "keyRemoved"]);
      await contacts.confirm(did(alice)); // the user compared the new safety number
      expect(await contacts.encryptTo(did(alice), { text: "ok again" })).to.have.property("ciphertext");
    });
  });
});

// DIDComm v2 documents and adapters (issue 24): did:sigil documents in the form the stock
// didcomm-node (the reference didcomm-rust) reads, through Sigil's DIDResolver and SecretsResolver
// adapters, and Veramo's DIDComm plugin reading Sigil's documents through the plain DIF plugin.
// Every identity's keys are written to the registry on the in-process chain.
import { expect } from "chai";
import { Message } from "didcomm-node";
import { p256 } from "@noble/curves/nist.js";
import {
  didcommDocument,
  didcommResolutionOptions,
  didcommResolver,
  didcommSecrets,
  generateKeyPair,
  InvalidInputError,
  serviceAttribute,
  type Resolvable,
} from "sigil-did";
import { setup } from "./fixture.ts";
import { didcommNodePeer, publishIdentity, sigilResolver, veramoPeer, type Chain, type SigilIdentity } from "../support/didcomm-peers.ts";

const DAY = 86_400n;

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(work: Promise<unknown>): Promise<Error> {
  return work.then(
    (value) => expect.fail(`expected a refusal, got ${JSON.stringify(value)?.slice(0, 200)}`),
    (error: unknown) => error as Error,
  );
}

describe("sdk DIDComm v2: documents and adapters for didcomm-node and Veramo", function () {
  this.timeout(60_000);
  let env: Chain;
  let alice: SigilIdentity, bob: SigilIdentity;

  beforeEach(async () => {
    env = await setup();
    alice = await publishIdentity(env, 1, { secp256k1: true });
    bob = await publishIdentity(env, 2);
  });

  describe("the DIDComm-ready representation", () => {
    it("keeps only keys, as JsonWebKey2020 without alg; relationships as ids; the service in DIDComm v2.1 form", async () => {
      const doc = await didcommResolver(sigilResolver(env)).resolve(alice.did);
      expect(doc).to.not.equal(null);
      const ids = doc!.verificationMethod.map((vm) => vm.id);
      expect(ids).to.have.members([alice.ed.kid, alice.x.kid, alice.k!.kid]);
      expect(ids, "the controller's account entry carries no key").to.not.include(`${alice.did}#controller`);
      for (const vm of doc!.verificationMethod) {
        expect(vm.type).to.equal("JsonWebKey2020");
        expect(vm.publicKeyJwk).to.not.have.property("alg");
      }
      expect(doc!.verificationMethod.find((vm) => vm.id === alice.ed.kid)!.publicKeyJwk).to.deep.equal({
        kty: "OKP",
        crv: "Ed25519",
        x: Buffer.from(alice.ed.publicKey).toString("base64url"),
      });
      expect(doc!.verificationMethod.find((vm) => vm.id === alice.k!.kid)!.publicKeyJwk).to.include({ kty: "EC", crv: "secp256k1" });
      expect(doc!.authentication).to.have.members([alice.ed.kid, alice.k!.kid]);
      expect(doc!.keyAgreement).to.deep.equal([alice.x.kid]);
      expect(doc!.service).to.have.length(1);
      expect(doc!.service[0]).to.deep.include({
        type: "DIDCommMessaging",
        serviceEndpoint: { uri: `https://relay.example/inbox/${alice.address.toLowerCase()}`, accept: ["didcomm/v2"], routingKeys: [] },
      });
    });

    it("is the same from every publicKeyFormat, and gives a service list even when none is published", async () => {
      const resolver = sigilResolver(env);
      const plain = didcommDocument((await resolver.resolve(alice.did)).didDocument!);
      for (const publicKeyFormat of ["Multikey", "JsonWebKey"] as const) {
        const other = (await resolver.resolve(alice.did, { publicKeyFormat } as never)).didDocument!;
        expect(didcommDocument(other), publicKeyFormat).to.deep.equal(plain);
      }
      const carol = `did:sigil:local:${env.addresses[3].toLowerCase()}`;
      expect(await didcommResolver(resolver).resolve(carol)).to.deep.equal({
        id: carol,
        verificationMethod: [],
        authentication: [],
        keyAgreement: [],
        service: [],
      });
    });

    it("gives a DIDCommMessaging service published as a bare URI in the map form, and drops one it cannot read", async () => {
      const carol = env.addresses[3];
      await env.send(3, {
        type: "setAttribute",
        identity: carol,
        ...serviceAttribute("DIDCommMessaging", "https://relay.example/carol"),
        validity: DAY,
      });
      await env.send(3, {
        type: "setAttribute",
        identity: carol,
        ...serviceAttribute("DIDCommMessaging", { url: "https://no-uri.example" }),
        validity: DAY,
      });
      const doc = await didcommResolver(sigilResolver(env)).resolve(`did:sigil:local:${carol.toLowerCase()}`);
      expect(doc!.service.map((s) => s.serviceEndpoint)).to.deep.equal([
        { uri: "https://relay.example/carol", accept: ["didcomm/v2"], routingKeys: [] },
      ]);
    });
  });

  describe("didcomm-node through the adapters", () => {
    it("authcrypts and anoncrypts between two did:sigil identities, and uses the document's DIDCommMessaging service", async () => {
      const a = didcommNodePeer(env, alice);
      const b = didcommNodePeer(env, bob);
      const msg = new Message({
        id: "m1",
        typ: "application/didcomm-plain+json",
        type: "https://example.org/chat/1.0/text",
        from: alice.did,
        to: [bob.did],
        body: { text: "hi" },
      });
      const [packed, meta] = await msg.pack_encrypted(bob.did, alice.did, null, a.resolver(), didcommSecrets(alice.keys), {});
      expect(meta.from_kid).to.equal(alice.x.kid);
      expect(meta.to_kids).to.deep.equal([bob.x.kid]);
      const anonMsg = new Message({ id: "m0", typ: "application/didcomm-plain+json", type: "t", to: [bob.did], body: { text: "tip" } });
      const [anon] = await anonMsg.pack_encrypted(bob.did, null, null, a.resolver(), didcommSecrets([]), {});
      const [opened, anonMeta] = await b.unpack(anon);
      expect(opened.as_value().body).to.deep.equal({ text: "tip" });
      expect(anonMeta).to.include({ encrypted: true, authenticated: false, anonymous_sender: true });
      // With no routing keys didcomm-node wraps nothing and reports no service; naming the service
      // makes it check that the document's service is a DIDCommMessaging one accepting didcomm/v2.
      const bobDoc = await b.resolver().resolve(bob.did);
      const again = { messaging_service: bobDoc!.service[0].id };
      expect((await msg.pack_encrypted(bob.did, alice.did, null, a.resolver(), didcommSecrets(alice.keys), again))[0]).to.be.a("string");
      await env.send(2, {
        type: "setAttribute",
        identity: bob.address,
        ...serviceAttribute("MessagingService", "https://other.example"),
        validity: DAY,
      });
      // Another service type (here the pre-DIDComm "MessagingService") made didcomm-node refuse the
      // whole document ("unknown variant"); the DIDComm form leaves it out.
      expect((await b.resolver().resolve(bob.did))!.service.map((s) => s.type)).to.deep.equal(["DIDCommMessaging"]);
      expect((await msg.pack_encrypted(bob.did, alice.did, null, a.resolver(), didcommSecrets(alice.keys), again))[0]).to.be.a("string");
      const e = await rejection(
        msg.pack_encrypted(bob.did, alice.did, null, a.resolver(), didcommSecrets(alice.keys), { messaging_service: `${bob.did}#nope` }),
      );
      expect(e.name).to.equal("DIDCommIllegalArgument");
      const [unpacked, unpackMeta] = await b.unpack(packed);
      expect(unpacked.as_value().body).to.deep.equal({ text: "hi" });
      expect(unpackMeta).to.include({ encrypted: true, authenticated: true, encrypted_from_kid: alice.x.kid });
    });

    it("finds no DID behind a deactivated identity: didcomm-node refuses to encrypt to it or verify it (DIDCommDIDNotResolved)", async () => {
      await env.send(2, { type: "deactivate", identity: bob.address });
      expect(await didcommResolver(sigilResolver(env)).resolve(bob.did)).to.equal(null);
      const msg = new Message({ id: "m2", typ: "application/didcomm-plain+json", type: "t", from: alice.did, to: [bob.did], body: {} });
      const e = await rejection(
        msg.pack_encrypted(bob.did, null, null, didcommNodePeer(env, alice).resolver(), didcommSecrets(alice.keys), {}),
      );
      expect(e.name).to.equal("DIDCommDIDNotResolved");
    });

    it("reports a chain it cannot read as DIDCommIoError (retry), not as an absent DID", async () => {
      const down: Resolvable = {
        resolve: async () => ({
          didResolutionMetadata: { error: "internalError", message: "every endpoint failed" },
          didDocument: null,
          didDocumentMetadata: {},
        }),
      };
      const e1 = await rejection(didcommResolver(down).resolve(bob.did));
      expect(e1.name).to.equal("DIDCommIoError");
      expect(e1.message).to.include("every endpoint failed");
      const msg = new Message({ id: "m3", typ: "application/didcomm-plain+json", type: "t", from: alice.did, to: [bob.did], body: {} });
      const e2 = await rejection(msg.pack_encrypted(bob.did, null, null, didcommResolver(down), didcommSecrets(alice.keys), {}));
      expect(e2.name).to.equal("DIDCommIoError");
      const liar: Resolvable = { resolve: async () => sigilResolver(env).resolve(alice.did) };
      expect((await rejection(didcommResolver(liar).resolve(bob.did))).name).to.equal("DIDCommMalformed");
    });

    it("judges as of a chosen time: before a key was published it is not there", async () => {
      const before = Number((await env.publicClient.getBlock()).timestamp);
      await env.networkHelpers.time.increase(3_600);
      const fresh = generateKeyPair("Ed25519");
      await env.send(1, {
        type: "setAttribute",
        identity: alice.address,
        ...(await import("sigil-did")).publicKeyAttribute("Ed25519", "sigAuth", fresh.publicKey),
        validity: DAY,
      });
      const now = await didcommResolver(sigilResolver(env)).resolve(alice.did);
      const then = await didcommResolver(sigilResolver(env), { at: before }).resolve(alice.did);
      expect(now!.authentication.length).to.equal(then!.authentication.length + 1);
      expect(() => didcommResolver(sigilResolver(env), { at: 1.5 })).to.throw(InvalidInputError);
      expect(() => didcommResolver(sigilResolver(env), { at: before, skewSeconds: -1 })).to.throw(InvalidInputError);
      expect(() => didcommResolutionOptions({ at: Number.NaN })).to.throw(InvalidInputError);
    });
  });

  describe("secrets", () => {
    it("serves private JWKs under the key ids, and refuses bad keys with typed errors", async () => {
      const secrets = didcommSecrets(alice.keys);
      expect(await secrets.find_secrets([alice.ed.kid, `${alice.did}#nope`, alice.x.kid])).to.deep.equal([alice.ed.kid, alice.x.kid]);
      const ed = await secrets.get_secret(alice.ed.kid);
      expect(ed).to.deep.include({ id: alice.ed.kid, type: "JsonWebKey2020" });
      expect(ed!.privateKeyJwk).to.include({ kty: "OKP", crv: "Ed25519", x: Buffer.from(alice.ed.publicKey).toString("base64url") });
      expect(await secrets.get_secret(`${alice.did}#nope`)).to.equal(null);
      // A P-256 key (MLS suite 2, ES256 for didcomm-node): an EC JWK whose x and y are noble's.
      const p = generateKeyPair("P256");
      const full = p256.getPublicKey(p.secretKey, false);
      const ec = await didcommSecrets([{ kid: `${alice.did}#p256`, type: "P256", secretKey: p.secretKey }]).get_secret(`${alice.did}#p256`);
      expect(ec!.privateKeyJwk).to.deep.equal({
        kty: "EC",
        crv: "P-256",
        x: Buffer.from(full.slice(1, 33)).toString("base64url"),
        y: Buffer.from(full.slice(33)).toString("base64url"),
        d: Buffer.from(p.secretKey).toString("base64url"),
      });
      const bad = [
        { kid: "not-a-did-url", type: "Ed25519", secretKey: alice.ed.secretKey },
        { kid: `${alice.did}#k`, type: "RSA", secretKey: alice.ed.secretKey },
        { kid: `${alice.did}#k`, type: "X25519", secretKey: new Uint8Array(31) },
        { kid: `${alice.did}#k`, type: "Secp256k1", secretKey: new Uint8Array(32) },
        { kid: `${alice.did}#k`, type: "P256", secretKey: new Uint8Array(32) },
      ];
      for (const key of bad) expect(() => didcommSecrets([key as never]), JSON.stringify(key.kid)).to.throw(InvalidInputError);
      expect(() => didcommSecrets([alice.keys[0], alice.keys[0]])).to.throw(InvalidInputError, /once/);
    });
  });

  describe("Veramo's DIDComm plugin", () => {
    it("reads Sigil's documents through the plain DIF plugin, keys of both relationships, as of a time too", async () => {
      const agent = await veramoPeer(env, alice);
      const { didDocument } = await agent.resolveDid({ didUrl: bob.did });
      const auth = await agent.getDIDComponentById({ didDocument: didDocument!, didUrl: bob.ed.kid, section: "authentication" });
      expect(auth).to.include({ id: bob.ed.kid });
      const ka = await agent.getDIDComponentById({ didDocument: didDocument!, didUrl: bob.x.kid, section: "keyAgreement" });
      expect(ka).to.include({ id: bob.x.kid });
      const at = Number((await env.publicClient.getBlock()).timestamp);
      const asOf = await agent.resolveDid({ didUrl: bob.did, options: didcommResolutionOptions({ at }) });
      expect(asOf.didResolutionMetadata.error).to.equal(undefined);
      expect(asOf.didDocument?.verificationMethod?.map((vm) => vm.id)).to.include(bob.ed.kid);
    });
  });
});

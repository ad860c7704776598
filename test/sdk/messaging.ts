// Messaging: the stock did-jwt verifyJWT with did-resolver's Resolver accepts tokens signed with
// Sigil keys; Sigil's verifyMessage judges as of receipt (stored messages pass when they were
// received) and says why it refuses; fingerprints ignore key order.
import { expect } from "chai";
import { verifyJWT } from "did-jwt";
import { Resolver } from "did-resolver";
import { bytesToHex, createWalletClient, custom, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  authenticationFingerprint,
  bytes32Name,
  createSigilResolver,
  generateKeyPair,
  getResolver,
  publicKeyAttribute,
  relayOperation,
  signMessage,
  signOperation,
  verifyMessage,
} from "sigil-did";
import { setup } from "./fixture.ts";

describe("sdk messaging", () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let aliceKey: Hex;
  let alice: Address;
  let did: string;
  beforeEach(async () => {
    env = await setup();
    aliceKey = generatePrivateKey();
    alice = privateKeyToAccount(aliceKey).address;
    did = `did:sigil:0x7a69:${alice.toLowerCase()}`;
    // Hand Alice's fresh identity to an unlocked account so the test can write without funding her.
    const aliceWallet = createWalletClient({ account: privateKeyToAccount(aliceKey), transport: custom(env.provider) });
    await relayOperation(
      env.wallet(9),
      env.target,
      await signOperation(aliceWallet as never, env.target, { type: "changeOwner", identity: alice, newOwner: env.addresses[1] }),
    );
  });
  const chainNow = async () => Number((await env.publicClient.getBlock()).timestamp);

  it("the stock did-jwt verifyJWT with new Resolver(getResolver(...)) verifies a Sigil-signed token", async () => {
    const resolver = new Resolver(getResolver({ networks: [{ chainId: env.chainId, registry: env.registry, provider: env.counting }] }));
    const ed = generateKeyPair("Ed25519");
    await env.send(1, {
      type: "setAttribute",
      identity: alice,
      ...publicKeyAttribute("Ed25519", "sigAuth", ed.publicKey),
      validity: 86_400n,
    });
    const jwt = await signMessage({ did, secretKey: bytesToHex(ed.secretKey), type: "Ed25519" }, { text: "hello" }, await chainNow());
    const verified = await verifyJWT(jwt, { resolver, proofPurpose: "authentication", policies: { now: await chainNow() } });
    expect(verified.issuer).to.equal(did);
    expect(verified.signer.type).to.equal("Ed25519VerificationKey2018");
  });

  it("accepts the controller key (ES256K-R) and refuses an unknown or revoked key, saying why", async () => {
    const resolver = createSigilResolver({
      networks: [{ chainId: env.chainId, registry: env.registry, provider: env.counting }],
      cache: false,
    });
    const ownerKey = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d" as Hex; // Hardhat account 1
    const good = await signMessage({ did, secretKey: ownerKey }, { text: "from the controller" }, await chainNow());
    const ok = await verifyMessage(good, resolver, { now: await chainNow() });
    expect(ok.ok).to.equal(true);
    expect(ok.ok && ok.signedBy).to.equal(`${did}#controller`);

    const stranger = await signMessage({ did, secretKey: generatePrivateKey() }, { text: "impostor" }, await chainNow());
    const refused = await verifyMessage(stranger, resolver, { now: await chainNow() });
    expect(refused).to.deep.include({ ok: false, code: "unauthorisedKey" });

    const delegateKey = generatePrivateKey();
    const delegate = privateKeyToAccount(delegateKey).address;
    await env.send(1, { type: "addDelegate", identity: alice, delegateType: bytes32Name("sigAuth"), delegate, validity: 86_400n });
    const sent = await chainNow();
    const viaDelegate = await signMessage({ did, secretKey: delegateKey }, { text: "via delegate" }, sent);
    expect((await verifyMessage(viaDelegate, resolver, { now: sent })).ok).to.equal(true);
    await env.networkHelpers.time.increase(300); // beyond the 60 s clock tolerance
    await env.send(1, { type: "revokeDelegate", identity: alice, delegateType: bytes32Name("sigAuth"), delegate });
    expect(
      (await verifyMessage(viaDelegate, resolver, { receivedAt: sent, now: await chainNow() })).ok,
      "stored: valid as of its receipt",
    ).to.equal(true);
    expect((await verifyMessage(viaDelegate, resolver, { now: await chainNow() })).ok, "received now: not with today's keys").to.equal(
      false,
    );
    const late = await verifyMessage(viaDelegate, resolver, { receivedAt: await chainNow(), now: await chainNow() });
    expect(late).to.deep.include({ ok: false, code: "unauthorisedKey" });

    await env.send(1, { type: "deactivate", identity: alice });
    const afterDeactivation = await signMessage({ did, secretKey: ownerKey }, { text: "after" }, await chainNow());
    expect(await verifyMessage(afterDeactivation, resolver, { now: await chainNow() })).to.deep.include({ ok: false, code: "deactivated" });
  });

  it("fingerprints the authentication keys independently of their order", async () => {
    const resolver = createSigilResolver({
      networks: [{ chainId: env.chainId, registry: env.registry, provider: env.counting }],
      cache: false,
    });
    const before = authenticationFingerprint(await resolver.resolve(did));
    expect(before).to.match(/^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
    await env.send(1, {
      type: "addDelegate",
      identity: alice,
      delegateType: bytes32Name("sigAuth"),
      delegate: env.addresses[5],
      validity: 86_400n,
    });
    const result = await resolver.resolve(did);
    const after = authenticationFingerprint(result);
    expect(after).to.not.equal(before);
    const doc = result.didDocument!;
    const reversed = {
      ...result,
      didDocument: {
        ...doc,
        authentication: [...(doc.authentication ?? [])].reverse(),
        verificationMethod: [...(doc.verificationMethod ?? [])].reverse(),
      },
    };
    expect(authenticationFingerprint(reversed)).to.equal(after);
  });
});

// The resolver against the in-process chain: documents for every kind of entry, expiry,
// revocation, pre-rotation and purge, deactivation, history, request counts and the cache.
import { expect } from "chai";
import { Resolver } from "did-resolver";
import { getAddress, zeroHash, type Address } from "viem";
import {
  bytes32Name,
  commitmentOf,
  createSigilResolver,
  generateKeyPair,
  getResolver,
  publicKeyAttribute,
  serviceAttribute,
  type SigilResolver,
} from "sigil-did";
import { setup } from "./fixture.ts";

const DAY = 86_400n;

const SALT = `0x${"5a".repeat(32)}` as const;

describe("sdk resolver (in-process chain)", () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let resolver: SigilResolver;
  let did: (a: Address) => string;

  beforeEach(async () => {
    env = await setup();
    resolver = createSigilResolver({
      networks: [{ chainId: env.chainId, name: "dev", registry: env.registry, provider: env.counting }],
      cache: false,
    });
    did = (a) => `did:sigil:dev:${a.toLowerCase()}`;
  });

  it("resolves an address with no history to its controller key with one eth_call (no eth_getLogs)", async () => {
    const alice = env.addresses[1];
    env.counting.reset();
    const { didDocument, didDocumentMetadata, didResolutionMetadata } = await resolver.resolve(did(alice));
    expect(env.counting.calls).to.deep.equal(["eth_call"]);
    expect(didResolutionMetadata).to.deep.equal({ contentType: "application/did+ld+json" });
    expect(didDocument).to.deep.include({
      id: did(alice),
      authentication: [`${did(alice)}#controller`],
      assertionMethod: [`${did(alice)}#controller`],
    });
    expect(didDocument?.verificationMethod).to.deep.equal([
      {
        id: `${did(alice)}#controller`,
        type: "EcdsaSecp256k1RecoveryMethod2020",
        controller: did(alice),
        blockchainAccountId: `eip155:${env.chainId}:${getAddress(alice)}`,
      },
    ]);
    expect(didDocumentMetadata).to.not.have.property("versionId");
    expect((didDocumentMetadata as { sigil: { preRotation: boolean } }).sigil.preRotation).to.equal(false);
  });

  it("lists delegates, published keys and services, and drops them when revoked or expired", async () => {
    const [alice, bob, carol] = env.addresses.slice(1, 4);
    const ed = generateKeyPair("Ed25519");
    const x = generateKeyPair("X25519");
    const edAttr = publicKeyAttribute("Ed25519", "sigAuth", ed.publicKey);
    const xAttr = publicKeyAttribute("X25519", "enc", x.publicKey);
    const svc = serviceAttribute("MessagingService", "https://chat.example/alice");
    await env.send(1, { type: "addDelegate", identity: alice, delegateType: bytes32Name("sigAuth"), delegate: bob, validity: DAY });
    await env.send(1, { type: "addDelegate", identity: alice, delegateType: bytes32Name("veriKey"), delegate: carol, validity: 10n });
    await env.send(1, { type: "setAttribute", identity: alice, ...edAttr, validity: DAY });
    await env.send(1, { type: "setAttribute", identity: alice, ...xAttr, validity: DAY });
    await env.send(1, { type: "setAttribute", identity: alice, ...svc, validity: DAY });

    const doc = (await resolver.resolve(did(alice))).didDocument!;
    const id = did(alice);
    expect(doc.verificationMethod?.map((m) => m.id)).to.deep.equal([
      `${id}#controller`,
      `${id}#delegate-1`,
      `${id}#delegate-2`,
      `${id}#delegate-3`,
      `${id}#delegate-4`,
    ]);
    expect(doc.verificationMethod?.[1]).to.deep.equal({
      id: `${id}#delegate-1`,
      type: "EcdsaSecp256k1RecoveryMethod2020",
      controller: id,
      blockchainAccountId: `eip155:${env.chainId}:${getAddress(bob)}`,
    });
    expect(doc.verificationMethod?.[3]).to.deep.include({ type: "Ed25519VerificationKey2018", publicKeyHex: edAttr.value.slice(2) });
    expect(doc.verificationMethod?.[4]).to.deep.include({ type: "X25519KeyAgreementKey2019", publicKeyHex: xAttr.value.slice(2) });
    expect(doc.authentication).to.deep.equal([`${id}#controller`, `${id}#delegate-1`, `${id}#delegate-3`]);
    expect(doc.assertionMethod).to.deep.equal([`${id}#controller`, `${id}#delegate-1`, `${id}#delegate-2`, `${id}#delegate-3`]);
    expect(doc.keyAgreement).to.deep.equal([`${id}#delegate-4`]);
    expect(doc.service).to.deep.equal([{ id: `${id}#service-1`, type: "MessagingService", serviceEndpoint: "https://chat.example/alice" }]);

    await env.networkHelpers.time.increase(60); // carol's 10 s delegation expires
    await env.send(1, { type: "revokeAttribute", identity: alice, name: svc.name, value: svc.value });
    await env.send(1, { type: "revokeDelegate", identity: alice, delegateType: bytes32Name("sigAuth"), delegate: bob });
    const after = (await resolver.resolve(did(alice))).didDocument!;
    expect(after.verificationMethod?.map((m) => m.id)).to.deep.equal([`${id}#controller`, `${id}#delegate-3`, `${id}#delegate-4`]);
    expect(after).to.not.have.property("service");
    expect(after.authentication).to.deep.equal([`${id}#controller`, `${id}#delegate-3`]);
  });

  it("agrees with ethr-did-resolver on the same registry (ids aside)", async () => {
    const { getResolver: getEthrResolver } = await import("ethr-did-resolver");
    const [alice, bob] = env.addresses.slice(1, 3);
    const ed = publicKeyAttribute("Ed25519", "veriKey", generateKeyPair("Ed25519").publicKey);
    await env.send(1, { type: "addDelegate", identity: alice, delegateType: bytes32Name("sigAuth"), delegate: bob, validity: DAY });
    await env.send(1, { type: "setAttribute", identity: alice, ...ed, validity: DAY });
    await env.send(1, { type: "setAttribute", identity: alice, ...serviceAttribute("Hub", { uri: "https://hub.example" }), validity: DAY });
    await env.send(1, { type: "changeOwner", identity: alice, newOwner: env.addresses[4] });
    const ethr = new Resolver(
      getEthrResolver({
        networks: [{ name: "dev", chainId: env.chainId, registry: env.registry, provider: env.ethers.provider as never }],
      }),
    );
    const theirs = (await ethr.resolve(`did:ethr:dev:${alice}`)).didDocument!;
    const ours = (await resolver.resolve(did(alice))).didDocument!;
    const strip = (doc: typeof ours) => JSON.parse(JSON.stringify(doc).replaceAll(/did:(ethr|sigil):dev:0x[0-9a-fA-F]{40}/g, "DID"));
    const t = strip(theirs);
    const o = strip(ours);
    delete t["@context"];
    delete o["@context"];
    expect(o).to.deep.equal(t);
  });

  it("pre-rotation: shows the commitment, and a purging rotation voids every earlier key", async () => {
    const [alice, thief, next] = env.addresses.slice(1, 4);
    await env.send(1, { type: "commitNextOwner", identity: alice, commitment: commitmentOf(next, SALT) });
    let meta = (await resolver.resolve(did(alice))).didDocumentMetadata as { sigil: Record<string, unknown> };
    expect(meta.sigil).to.deep.include({ preRotation: true, nextOwnerCommitment: commitmentOf(next, SALT), epoch: "0" });
    await env.send(1, { type: "addDelegate", identity: alice, delegateType: bytes32Name("sigAuth"), delegate: thief, validity: DAY });
    await env.send(3, {
      type: "rotate",
      identity: alice,
      salt: SALT,
      newOwner: next,
      nextCommitment: zeroHash,
      purge: true,
      revokeDelegates: [],
      revokeAttributes: [],
    });
    const result = await resolver.resolve(did(alice));
    expect(result.didDocument?.verificationMethod).to.have.length(1);
    expect(result.didDocument?.verificationMethod?.[0].blockchainAccountId).to.equal(`eip155:${env.chainId}:${getAddress(next)}`);
    meta = result.didDocumentMetadata as typeof meta;
    expect(meta.sigil).to.deep.include({ preRotation: false, nextOwnerCommitment: null, epoch: "1" });
  });

  it("resolves a deactivated DID with deactivated: true and no document (DID Resolution §4.1, Resolving)", async () => {
    const alice = env.addresses[1];
    await env.send(1, { type: "deactivate", identity: alice });
    const { didDocument, didDocumentMetadata, didResolutionMetadata } = await resolver.resolve(did(alice));
    expect(didDocumentMetadata.deactivated).to.equal(true);
    expect(didDocument).to.equal(null);
    expect(didResolutionMetadata.error).to.equal(undefined);
  });

  it("resolves past versions by versionId and versionTime, with next-version metadata", async () => {
    const [alice, bob] = env.addresses.slice(1, 3);
    const first = await env.send(1, {
      type: "addDelegate",
      identity: alice,
      delegateType: bytes32Name("sigAuth"),
      delegate: bob,
      validity: DAY,
    });
    await env.networkHelpers.mine(5);
    const firstTime = (await env.publicClient.getBlock({ blockNumber: first.blockNumber })).timestamp;
    await env.networkHelpers.time.increase(100);
    const second = await env.send(1, { type: "revokeDelegate", identity: alice, delegateType: bytes32Name("sigAuth"), delegate: bob });

    const byId = await resolver.resolve(`${did(alice)}?versionId=${first.blockNumber + 2n}`);
    expect(byId.didDocument?.authentication).to.have.length(2);
    expect(byId.didDocumentMetadata).to.deep.include({
      versionId: first.blockNumber.toString(),
      nextVersionId: second.blockNumber.toString(),
    });
    const iso = new Date(Number(firstTime + 10n) * 1000).toISOString();
    const byTime = await resolver.resolve(`${did(alice)}?versionTime=${iso}`);
    const offset = new Date(Number(firstTime + 10n + 7200n) * 1000).toISOString().replace(".000Z", "+02:00");
    const byOffsetTime = await resolver.resolve(`${did(alice)}?versionTime=${offset}`);
    expect(byOffsetTime.didResolutionMetadata.error, byOffsetTime.didResolutionMetadata.message).to.equal(undefined);
    expect(byOffsetTime.didDocument).to.deep.equal(byTime.didDocument);
    expect(byTime.didDocument?.authentication).to.have.length(2);
    expect(byTime.didDocumentMetadata.nextVersionId).to.equal(second.blockNumber.toString());
    const now = await resolver.resolve(did(alice));
    expect(now.didDocument?.authentication).to.have.length(1);
    expect(now.didDocumentMetadata).to.deep.include({ versionId: second.blockNumber.toString() });
    expect(now.didDocumentMetadata).to.not.have.property("nextVersionId");
  });

  it("reads the current document in one batch whatever the history length", async () => {
    const alice = env.addresses[1];
    for (let i = 0; i < 30; i++) {
      await env.send(1, { type: "setAttribute", identity: alice, ...serviceAttribute("S", `https://s${i}.example`), validity: DAY });
    }
    env.counting.reset();
    const result = await resolver.resolve(did(alice));
    expect(result.didDocument?.service).to.have.length(30);
    expect(env.counting.calls.sort()).to.deep.equal(["eth_call", "eth_getLogs"]);
  });

  it("resolves many DIDs in one batch: one eth_call per chunk, and no eth_getLogs for identities that never changed", async () => {
    const dids = Array.from({ length: 600 }, (_, i) => `did:sigil:dev:0x${(i + 1).toString(16).padStart(40, "0")}`);
    env.counting.reset();
    const results = await resolver.resolveMany([...dids, "did:sigil:dev:0x123"]);
    expect(results).to.have.length(601);
    expect(results.slice(0, 600).every((r) => r.didDocument?.verificationMethod?.length === 1)).to.equal(true);
    expect(results[600].didResolutionMetadata.error).to.equal("invalidDid");
    // 600 identities: 3 eth_call chunks of 250; none ever changed, so no logs are asked.
    expect(env.counting.calls.filter((c) => c === "eth_call")).to.have.length(3);
    expect(env.counting.calls.filter((c) => c === "eth_getLogs")).to.have.length(0);
  });

  it("caches histories keyed on the last change: one batch (eth_call + the anchor header) while unchanged, none within maxAgeMs", async () => {
    const alice = env.addresses[1];
    const cached = createSigilResolver({
      networks: [{ chainId: env.chainId, name: "dev", registry: env.registry, provider: env.counting }],
      cache: { maxAgeMs: 0 },
    });
    await cached.resolve(did(alice));
    env.counting.reset();
    await cached.resolve(did(alice));
    // The state, and that the head it was read at is still canonical (no reset, no reorg): one batch.
    expect(env.counting.calls.sort()).to.deep.equal(["eth_call", "eth_getBlockByNumber"]);
    await env.send(1, { type: "setAttribute", identity: alice, ...serviceAttribute("S", "https://s.example"), validity: DAY });
    env.counting.reset();
    const changed = await cached.resolve(did(alice));
    expect(changed.didDocument?.service).to.have.length(1);
    expect(env.counting.calls).to.include("eth_getLogs");

    const fresh = createSigilResolver({
      networks: [{ chainId: env.chainId, name: "dev", registry: env.registry, provider: env.counting }],
      cache: { maxAgeMs: 60_000 },
    });
    await fresh.resolve(did(alice));
    env.counting.reset();
    await fresh.resolve(did(alice));
    expect(env.counting.calls).to.deep.equal([]);
  });

  it("does not serve a reset chain's keys from the cache, even at the same block and state", async () => {
    const alice = env.addresses[1];
    const cached = createSigilResolver({
      networks: [{ chainId: env.chainId, name: "dev", registry: env.registry, provider: env.provider }],
      cache: { maxAgeMs: 0 },
    });
    const thief = env.addresses[6];
    const honest = env.addresses[7];
    const history = async (delegate: Address) => {
      await env.send(1, { type: "addDelegate", identity: alice, delegateType: bytes32Name("sigAuth"), delegate, validity: DAY });
      return cached.resolve(did(alice));
    };
    const keys = (r: Awaited<ReturnType<typeof cached.resolve>>) =>
      (r.didDocument?.verificationMethod ?? []).map((vm) => vm.blockchainAccountId?.toLowerCase());
    const snapshot = await env.provider.request({ method: "evm_snapshot", params: [] } as never);
    const before = await history(thief);
    expect(keys(before)).to.include(`eip155:${env.chainId}:${thief.toLowerCase()}`);
    // The chain is rolled back (a reset, or a reorg) and other transactions land at the same
    // heights: same owner, same changed block, same epoch; only the block hashes differ.
    await env.provider.request({ method: "evm_revert", params: [snapshot] } as never);
    const after = await history(honest);
    expect(after.didDocumentMetadata.versionId).to.equal(before.didDocumentMetadata.versionId);
    expect(keys(after)).to.include(`eip155:${env.chainId}:${honest.toLowerCase()}`);
    expect(keys(after)).to.not.include(`eip155:${env.chainId}:${thief.toLowerCase()}`);
  });

  it("works unchanged through did-resolver's Resolver", async () => {
    const alice = env.addresses[1];
    const r = new Resolver(getResolver({ networks: [{ chainId: env.chainId, registry: env.registry, provider: env.counting }] }));
    const result = await r.resolve(`did:sigil:0x7a69:${alice.toLowerCase()}`);
    expect(result.didDocument?.id).to.equal(`did:sigil:0x7a69:${alice.toLowerCase()}`);
    // DID Core: the document's id is the DID that was resolved; the canonical form is in the metadata.
    const defaulted = await r.resolve(`did:sigil:${alice.toLowerCase()}`);
    expect(defaulted.didDocument?.id).to.equal(`did:sigil:${alice.toLowerCase()}`);
    expect(defaulted.didDocumentMetadata).to.deep.include({ canonicalId: `did:sigil:0x7a69:${alice.toLowerCase()}` });
    const checksummed = await r.resolve(`did:sigil:0x7a69:${getAddress(alice)}`);
    expect(checksummed.didDocument?.id).to.equal(`did:sigil:0x7a69:${getAddress(alice)}`);
    expect(checksummed.didDocument?.verificationMethod?.[0].id).to.equal(`did:sigil:0x7a69:${getAddress(alice)}#controller`);
  });
});

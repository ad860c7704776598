// Guardian recovery through the SDK on the in-process chain: what the resolver shows (guardians
// without their addresses, pending changes, proposals becoming armed and ready), history on a
// node that caps eth_getLogs (every change lies on the previousChange chain), the watcher's
// typed warnings through a plain did-resolver Resolver, and rotation planning.
import { expect } from "chai";
import { Resolver } from "did-resolver";
import { createWalletClient, custom, zeroHash, type Address, type EIP1193Provider, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  buildGuardianSet,
  bytes32Name,
  createSigilResolver,
  generateNextKey,
  getResolver,
  planRotation,
  sendOperation,
  serviceAttribute,
  sigilRegistryAbi,
  verifyGuardianCard,
  watchDids,
  SigilError,
  type DidChange,
  type RecoveryProposal,
} from "sigil-did";
import { REVOCATION_GAS_BUDGET, splitRevocations, staleEntries } from "sigil-did/internal";
import { decodeRegistryLogs } from "sigil-did/internal";
import { setup } from "./fixture.ts";

const DAY = 86_400n;

/** An EIP-1193 provider that refuses eth_getLogs over more than `maxRange` blocks, as public nodes do. */
function capped(inner: EIP1193Provider, maxRange: number): EIP1193Provider {
  return {
    request: async (args: { method: string; params?: unknown[] }) => {
      if (args.method === "eth_getLogs") {
        const [f] = args.params as [{ fromBlock: string; toBlock: string }];
        const to = f.toBlock === "latest" ? Number(await inner.request({ method: "eth_blockNumber" } as never)) : Number(f.toBlock);
        if (to - Number(f.fromBlock) + 1 > maxRange) throw new Error(`query exceeds max block range ${maxRange}`);
      }
      return inner.request(args as never);
    },
    on: () => undefined,
    removeListener: () => undefined,
  } as unknown as EIP1193Provider;
}

describe("sdk: guardian recovery, seen through the resolver and the watcher", () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let owner: Address;
  let guardians: Address[];
  beforeEach(async () => {
    env = await setup();
    owner = env.addresses[1];
    guardians = env.addresses.slice(5, 8);
  });
  const did = (a: Address) => `did:sigil:local:${a.toLowerCase()}`;
  const resolverFor = (provider: EIP1193Provider = env.provider) =>
    createSigilResolver({ networks: [{ chainId: env.chainId, name: "local", registry: env.registry, provider }], cache: false });
  const advance = async (seconds: bigint) => env.networkHelpers.time.increase(seconds);

  it("shows guardians by threshold and delay only, then a proposal, armed, ready, and the recovered document", async () => {
    const set = buildGuardianSet({ identity: owner, guardians, threshold: 2, delay: DAY });
    expect(set.cards.every((c) => verifyGuardianCard(c, set.root))).to.equal(true);
    await env.send(1, { type: "setGuardians", identity: owner, root: set.root, threshold: 2n, delay: DAY });
    const resolver = resolverFor();
    let result = await resolver.resolve(did(owner));
    const meta = () => (result.didDocumentMetadata as { sigil: Record<string, unknown> }).sigil;
    expect(meta().guardians).to.deep.include({ threshold: 2, delaySeconds: 86_400 });
    expect(JSON.stringify(result).toLowerCase()).not.to.include(guardians[0].slice(2).toLowerCase());

    const next = generateNextKey();
    const recovery: RecoveryProposal = { newOwner: env.addresses[9], nextCommitment: next.commitment, purge: true };
    const proof = (i: number) => ({ guardian: set.cards[i].guardian, salt: set.cards[i].salt, proof: set.cards[i].proof });
    await env.send(5, { type: "approveRecovery", identity: owner, recovery, proof: proof(0) });
    result = await resolver.resolve(did(owner));
    expect(meta().recoveries).to.have.length(1);
    expect((meta().recoveries as object[])[0]).to.deep.include({
      status: "proposed",
      approvals: 1,
      threshold: 2,
      purge: true,
      newOwner: env.addresses[9].toLowerCase(),
    });
    await env.send(6, { type: "approveRecovery", identity: owner, recovery, proof: proof(1) });
    result = await resolver.resolve(did(owner));
    const armed = (meta().recoveries as { status: string; readyAt: string; approvedBy: string[] }[])[0];
    expect(armed.status).to.equal("armed");
    expect(armed.approvedBy).to.deep.equal([guardians[0], guardians[1]].map((g) => g.toLowerCase()));
    expect(Date.parse(armed.readyAt)).to.be.greaterThan(Date.now() + 23 * 3_600_000);
    await advance(DAY);
    result = await resolver.resolve(did(owner));
    expect((meta().recoveries as { status: string }[])[0].status).to.equal("ready");
    await env.send(0, { type: "finalizeRecovery", identity: owner, recovery });
    result = await resolver.resolve(did(owner));
    expect(meta()).to.deep.include({
      owner: env.addresses[9].toLowerCase(),
      preRotation: true,
      nextOwnerCommitment: next.commitment,
      epoch: "1",
      recoveries: [],
    });
    expect(result.didDocument?.verificationMethod?.[0].blockchainAccountId?.toLowerCase()).to.equal(
      `eip155:${env.chainId}:${env.addresses[9].toLowerCase()}`,
    );
  });

  it("reaches commitments and guardian events by walking previousChange on a node that caps eth_getLogs", async () => {
    await env.send(1, { type: "setAttribute", identity: owner, ...serviceAttribute("Inbox", "https://a.example"), validity: DAY });
    const set = buildGuardianSet({ identity: owner, guardians, threshold: 1, delay: DAY });
    await env.send(1, { type: "setGuardians", identity: owner, root: set.root, threshold: 1n, delay: DAY });
    const next = generateNextKey();
    const commit = await env.send(1, { type: "commitNextOwner", identity: owner, commitment: next.commitment });
    // The next key rotates with a guardian change; committed after the set and less than a delay
    // ago, it is junior to the set: the change is only proposed. (The walk must step over the
    // rotation's own event, which carries no previousChange.)
    await env.networkHelpers.setBalance(next.address, 10n ** 18n);
    const nextWallet = createWalletClient({
      account: privateKeyToAccount(next.privateKey),
      transport: custom(env.provider),
    }) as WalletClient;
    const set2 = buildGuardianSet({ identity: owner, guardians, threshold: 2, delay: DAY });
    const guardiansAfter = { replace: true, root: set2.root, threshold: 2n, delay: DAY };
    const fresh = generateNextKey();
    await sendOperation(nextWallet, env.target, {
      type: "rotate",
      identity: owner,
      salt: next.salt,
      newOwner: next.address,
      nextCommitment: fresh.commitment,
      purge: false,
      guardians: guardiansAfter,
      revokeDelegates: [],
      revokeAttributes: [],
    });
    await env.networkHelpers.mine(20);
    const full = resolverFor();
    const walking = resolverFor(capped(env.provider, 3));
    for (const query of ["", `?versionId=${commit.blockNumber}`]) {
      const [a, b] = await Promise.all([full.resolve(did(owner) + query), walking.resolve(did(owner) + query)]);
      expect(b.didResolutionMetadata.error, b.didResolutionMetadata.message).to.equal(undefined);
      expect(b).to.deep.equal(a);
      expect((b.didDocumentMetadata as { sigil: { preRotation: boolean } }).sigil.preRotation, query).to.equal(true);
    }
    const now = (await walking.resolve(did(owner))).didDocumentMetadata as { sigil: { pendingGuardianChange: unknown } };
    expect(now.sigil.pendingGuardianChange).to.deep.include({ threshold: 2, removesGuardians: false });
  });

  it("warns through a plain did-resolver Resolver: recovery armed, then recovered", async () => {
    const set = buildGuardianSet({ identity: owner, guardians, threshold: 1, delay: 3_600n });
    await env.send(1, { type: "setGuardians", identity: owner, root: set.root, threshold: 1n, delay: 3_600n });
    const resolver = new Resolver(
      getResolver({ networks: [{ chainId: env.chainId, name: "local", registry: env.registry, provider: env.provider }] }),
    );
    const seen: DidChange[] = [];
    const watcher = watchDids(resolver, [did(owner)], (c) => seen.push(c));
    await watcher.ready;
    const recovery: RecoveryProposal = { newOwner: env.addresses[9], nextCommitment: zeroHash, purge: false };
    await env.send(5, {
      type: "approveRecovery",
      identity: owner,
      recovery,
      proof: { guardian: set.cards[0].guardian, salt: set.cards[0].salt, proof: set.cards[0].proof },
    });
    await watcher.poll();
    expect(seen.flatMap((c) => c.changes.map((x) => x.kind))).to.deep.equal(["recoveryArmed"]);
    await advance(3_600n);
    await env.send(0, { type: "finalizeRecovery", identity: owner, recovery });
    seen.length = 0;
    await watcher.poll();
    const kinds = seen.flatMap((c) => c.changes.map((x) => x.kind));
    expect(kinds).to.include.members(["controllerChanged", "keyAdded", "keyRemoved", "recoveryClosed"]);
    watcher.stop();
    expect(() => watchDids(resolver, [did(owner)], () => undefined, { intervalMs: -1 }))
      .to.throw(SigilError, "intervalMs")
      .with.property("code", "invalidInput");
  });

  it("shows one epoch for one version: a rotation to zero, resolved now and at its block", async () => {
    const next = generateNextKey();
    await env.send(1, { type: "commitNextOwner", identity: owner, commitment: next.commitment });
    await env.networkHelpers.setBalance(next.address, 10n ** 18n);
    const nextWallet = createWalletClient({
      account: privateKeyToAccount(next.privateKey),
      transport: custom(env.provider),
    }) as WalletClient;
    const rotation = planRotation({
      identity: owner,
      salt: next.salt,
      newOwner: "0x0000000000000000000000000000000000000000",
      nextKey: null,
    });
    const receipt = await sendOperation(nextWallet, env.target, rotation.rotate);
    const resolver = resolverFor();
    const now = (await resolver.resolve(did(owner))).didDocumentMetadata as { deactivated?: boolean; sigil: { epoch: string } };
    const then = (await resolver.resolve(`${did(owner)}?versionId=${receipt.blockNumber}`)).didDocumentMetadata as typeof now;
    expect(now.deactivated).to.equal(true);
    expect(then.deactivated).to.equal(true);
    expect(then.sigil.epoch).to.equal(now.sigil.epoch).and.to.equal("1");
  });

  it("commitmentSince is the contract's committedAt after a purge: a purging rotation keeps the commit's time, a purging recovery that keeps the commitment too", async () => {
    const resolver = resolverFor();
    const onChain = async () =>
      (
        (await env.publicClient.readContract({
          address: env.registry,
          abi: sigilRegistryAbi,
          functionName: "recoveryState",
          args: [owner],
        })) as { committedAt: bigint }
      ).committedAt;
    const iso = (t: bigint) => new Date(Number(t) * 1000).toISOString().replace(".000Z", "Z");
    const since = async (query = "") =>
      ((await resolver.resolve(did(owner) + query)).didDocumentMetadata as { sigil: { commitmentSince?: string } }).sigil.commitmentSince;
    const expectChain = async () => {
      const chain = await onChain();
      expect(chain).to.be.greaterThan(0n);
      expect(await since(), "current document").to.equal(iso(chain));
      const head = await env.publicClient.getBlock();
      expect(await since(`?versionId=${head.number}`), "by block").to.equal(iso(chain));
      expect(await since(`?versionTime=${iso(head.timestamp)}`), "by time").to.equal(iso(chain));
    };
    // Guardians first (immediate: no commitment yet), then the commitment.
    const set = buildGuardianSet({ identity: owner, guardians, threshold: 1, delay: 3_600n });
    await env.send(1, { type: "setGuardians", identity: owner, root: set.root, threshold: 1n, delay: 3_600n });
    const next = generateNextKey();
    await env.send(1, { type: "commitNextOwner", identity: owner, commitment: next.commitment });
    await advance(600n);
    // A purging rotation: the new commitment keeps the consumed one's seniority.
    const following = generateNextKey();
    await env.networkHelpers.setBalance(next.address, 10n ** 18n);
    const nextWallet = createWalletClient({
      account: privateKeyToAccount(next.privateKey),
      transport: custom(env.provider),
    }) as WalletClient;
    await sendOperation(nextWallet, env.target, {
      type: "rotate",
      identity: owner,
      salt: next.salt,
      newOwner: next.address,
      nextCommitment: following.commitment,
      purge: true,
      revokeDelegates: [],
      revokeAttributes: [],
    });
    await expectChain();
    // A purging recovery that keeps the commitment: its seniority stays the commit's.
    const recovery: RecoveryProposal = { newOwner: env.addresses[9], nextCommitment: following.commitment, purge: true };
    await env.send(5, {
      type: "approveRecovery",
      identity: owner,
      recovery,
      proof: { guardian: set.cards[0].guardian, salt: set.cards[0].salt, proof: set.cards[0].proof },
    });
    await advance(3_600n);
    await env.send(0, { type: "finalizeRecovery", identity: owner, recovery });
    expect(((await resolver.resolve(did(owner))).didDocumentMetadata as { sigil: { epoch: string } }).sigil.epoch).to.equal("2");
    await expectChain();
  });

  it("plans rotations that cost O(1) by default and split listed revocations under the gas budget", async () => {
    const next = generateNextKey();
    const plan = planRotation({ identity: owner, salt: next.salt, newOwner: next.address });
    expect(plan.rotate).to.deep.include({ purge: true, revokeDelegates: [], revokeAttributes: [] });
    expect(plan.nextKey?.commitment).to.equal(plan.rotate.nextCommitment);
    expect(plan.followUps).to.deep.equal([]);
    const off = planRotation({ identity: owner, salt: next.salt, newOwner: next.address, nextKey: null });
    expect(off.rotate.nextCommitment).to.equal(zeroHash);
    expect(off.warnings.join(" ")).to.include("no next key is committed");

    // 400 attributes of 2 KB (what a thief could flood): batches each under the budget.
    const attributes = Array.from({ length: 400 }, (_, i) => ({
      name: bytes32Name("did/svc/X"),
      value: `0x${i.toString(16).padStart(4, "0").repeat(1024)}` as const,
    }));
    const batches = splitRevocations([], attributes);
    expect(batches.length).to.be.greaterThan(5);
    expect(batches.flatMap((b) => b.revokeAttributes)).to.have.length(400);
    for (const b of batches) expect(b.revokeAttributes.length * (4_000 + 26 * 2048)).to.be.at.most(REVOCATION_GAS_BUDGET);
  });

  it("finds what a purge voided but a stock ERC-1056 reader still shows, and revokes it in batches", async () => {
    const next = generateNextKey();
    await env.send(1, {
      type: "addDelegate",
      identity: owner,
      delegateType: bytes32Name("veriKey"),
      delegate: env.addresses[4],
      validity: DAY,
    });
    await env.send(1, { type: "setAttribute", identity: owner, ...serviceAttribute("Inbox", "https://a.example"), validity: DAY });
    await env.send(1, { type: "commitNextOwner", identity: owner, commitment: next.commitment });
    const rotation = planRotation({ identity: owner, salt: next.salt, newOwner: env.addresses[2], nextKey: null });
    await env.networkHelpers.setBalance(next.address, 10n ** 18n);
    const nextWallet = createWalletClient({
      account: privateKeyToAccount(next.privateKey),
      transport: custom(env.provider),
    }) as WalletClient;
    await sendOperation(nextWallet, env.target, rotation.rotate);
    const logs = await env.publicClient.getLogs({ address: env.registry, fromBlock: 0n });
    const events = decodeRegistryLogs(logs as never);
    const now = (await env.publicClient.getBlock()).timestamp;
    const stale = staleEntries(events, now);
    expect(stale.delegates).to.have.length(1);
    expect(stale.attributes).to.have.length(1);
    await env.send(2, { type: "revokeEntries", identity: owner, revokeDelegates: stale.delegates, revokeAttributes: stale.attributes });
    const after = decodeRegistryLogs((await env.publicClient.getLogs({ address: env.registry, fromBlock: 0n })) as never);
    expect(staleEntries(after, now)).to.deep.equal({ delegates: [], attributes: [] });
  });
});

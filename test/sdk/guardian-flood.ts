// Guardian state on nodes that cap eth_getLogs results (the provider emulator, test/support/
// rpc-proxy.ts, in front of a real `hardhat node`): guardians who flood one block with
// approvals (520 of them, over 1,000 events) neither hide the DID nor its guardians, before or
// after a purge, at Infura's 1,000-result cap or a tighter one; what no query can return (more
// proposals, or one proposal's approvals, than the cap in one block) and any failed read of the
// guardian events before a purge fail the DID with the reason, never show it without its
// guardians. Each guardian approves at most 8 proposals (a registry may bound approvals per
// guardian and round), so floods come from many guardians.
import { expect } from "chai";
import { custom, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { buildGuardianSet, createSigilResolver, generateNextKey, sendOperation, sigilRegistryAbi, type SigilNetwork } from "sigil-did";
import { directCall } from "sigil-did/internal";
import { devChain } from "../support/dev-chain.ts";
import { startHardhatNode, type HardhatNode } from "../support/hardhat-node.ts";
import { startRpcProxy, type ProxyOptions, type RpcProxy } from "../support/rpc-proxy.ts";

const DAY = 86_400n;
const PER_GUARDIAN = 8;
const FLOOD = 65; // guardians approving 8 proposals each in one block: 520 proposals, over 1,000 events
const SHARED = 120; // proposals three guardians each approve in one block: 360 approvals
const rpc = async (url: string, method: string, params: unknown[] = []) =>
  (
    (await (
      await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      })
    ).json()) as { result: unknown }
  ).result;

describe("sdk: a guardian's flood of approvals on nodes that cap eth_getLogs results (provider emulator, real hardhat node)", function () {
  this.timeout(300_000);
  let node: HardhatNode;
  let chain: ReturnType<typeof devChain>;
  let registry: Address;
  let purged: Address; // guarded, flooded, then a purging rotation
  let flooded: Address; // guarded and flooded, no purge
  let shared: Address; // three approvals of each of 120 proposals in one block, then a purging rotation
  let crowded: Address; // three guardians approve one proposal in one block, then a purge
  const proxies: RpcProxy[] = [];
  const emulate = async (options: ProxyOptions) => {
    const p = await startRpcProxy(node.url, options);
    proxies.push(p);
    return p;
  };
  const net = (url: string): SigilNetwork => ({ chainId: 31337, name: "local", registry, rpcUrls: [url] });
  const did = (a: Address) => `did:sigil:local:${a.toLowerCase()}`;
  let reference: (a: Address) => Promise<{ didDocument: unknown; didDocumentMetadata: unknown }>;

  /** An identity with `count` guardians (threshold: all of them, so no approval arms) and their wallets. */
  async function guarded(count: number) {
    const owner = await chain.funded();
    const guardians = [];
    for (let i = 0; i < count; i++) guardians.push(await chain.funded()); // one at a time: the dev account's nonce
    const set = buildGuardianSet({
      identity: owner.account.address,
      guardians: guardians.map((g) => g.account.address),
      threshold: count,
      delay: DAY,
    });
    const target = { registry, publicClient: chain.publicClient };
    await sendOperation(owner, target, {
      type: "setGuardians",
      identity: owner.account.address,
      root: set.root,
      threshold: BigInt(count),
      delay: DAY,
    });
    const next = generateNextKey();
    await sendOperation(owner, target, { type: "commitNextOwner", identity: owner.account.address, commitment: next.commitment });
    return { owner, guardians, set, next, target };
  }

  /** In one block: each (guardian, proposal) pair approves (the first approval of a proposal proposes it). */
  async function oneBlock(
    identity: Address,
    set: ReturnType<typeof buildGuardianSet>,
    approvals: { guardian: Awaited<ReturnType<typeof chain.funded>>; newOwner: Address }[],
  ) {
    await rpc(node.url, "evm_setAutomine", [false]);
    const hashes: Hex[] = [];
    const nonces = new Map<Address, number>();
    for (const { guardian, newOwner } of approvals) {
      const address = guardian.account.address;
      const nonce = nonces.get(address) ?? (await chain.publicClient.getTransactionCount({ address }));
      nonces.set(address, nonce + 1);
      const card = set.cards.find((c) => c.guardian === address)!;
      const recovery = { newOwner, nextCommitment: `0x${"0".repeat(64)}` as Hex, purge: false };
      const proof = { guardian: card.guardian, salt: card.salt, proof: card.proof };
      const { functionName, args } = directCall({ type: "approveRecovery", identity, recovery, proof });
      hashes.push(
        await guardian.writeContract({
          address: registry,
          abi: sigilRegistryAbi,
          functionName,
          args,
          chain: null,
          nonce,
          gas: 400_000n,
        } as never),
      );
    }
    await rpc(node.url, "evm_mine");
    await rpc(node.url, "evm_setAutomine", [true]);
    for (const hash of hashes) expect((await chain.publicClient.waitForTransactionReceipt({ hash })).status).to.equal("success");
  }

  /** Every guardian approves its own 8 proposals. */
  const flood = (g: Awaited<ReturnType<typeof guarded>>) =>
    g.guardians.flatMap((guardian) => Array.from({ length: PER_GUARDIAN }, () => ({ guardian, newOwner: stranger() })));

  async function purge(g: Awaited<ReturnType<typeof guarded>>) {
    await chain.dev.sendTransaction({ to: g.next.address, value: 10n ** 18n, chain: null });
    const op = {
      type: "rotate",
      identity: g.owner.account.address,
      salt: g.next.salt,
      newOwner: g.next.address,
      nextCommitment: generateNextKey().commitment,
      purge: true,
      revokeDelegates: [],
      revokeAttributes: [],
    } as const;
    await sendOperation(chain.wallet(g.next.privateKey), g.target, op);
  }

  const stranger = () => privateKeyToAccount(generatePrivateKey()).address;

  before(async () => {
    node = await startHardhatNode();
    chain = devChain(node.url);
    registry = await chain.deploySigil();
    await rpc(node.url, "evm_setBlockGasLimit", ["0x3b9aca00"]); // room for the flood in one block
    const a = await guarded(FLOOD);
    purged = a.owner.account.address;
    await oneBlock(purged, a.set, flood(a));
    await purge(a);
    const b = await guarded(FLOOD);
    flooded = b.owner.account.address;
    await oneBlock(flooded, b.set, flood(b));
    // 45 guardians, 8 approvals each: every proposal approved by three of them.
    const s3 = await guarded((SHARED * 3) / PER_GUARDIAN);
    shared = s3.owner.account.address;
    const proposals = Array.from({ length: SHARED }, () => stranger());
    await oneBlock(
      shared,
      s3.set,
      proposals.flatMap((newOwner, i) => [0, 1, 2].map((k) => ({ guardian: s3.guardians[(i * 3 + k) % s3.guardians.length], newOwner }))),
    );
    await purge(s3);
    const c = await guarded(4);
    crowded = c.owner.account.address;
    const newOwner = stranger();
    await oneBlock(
      crowded,
      c.set,
      c.guardians.slice(0, 3).map((guardian) => ({ guardian, newOwner })),
    );
    await purge(c);
    const uncapped = createSigilResolver({ networks: [net(node.url)], cache: false });
    reference = async (x) => uncapped.resolve(did(x));
  });
  after(async () => {
    await rpc(node.url, "evm_setAutomine", [true]).catch(() => undefined);
    await Promise.all(proxies.map((p) => p.close()));
    await node?.stop();
  });

  /** Resolves as on an uncapped node: the same document and metadata, its guardians shown. */
  async function expectWhole(resolver: ReturnType<typeof createSigilResolver>, identity: Address, threshold: number) {
    const r = await resolver.resolve(did(identity));
    expect(r.didResolutionMetadata.error, r.didResolutionMetadata.message).to.equal(undefined);
    const sigil = (r.didDocumentMetadata as { sigil: { guardians: unknown } }).sigil;
    expect(sigil.guardians, "the guardians are not dropped").to.deep.include({ threshold, delaySeconds: 86_400 });
    const expected = await reference(identity);
    expect(r.didDocument).to.deep.equal(expected.didDocument);
    expect(r.didDocumentMetadata).to.deep.equal(expected.didDocumentMetadata);
  }

  it("Infura's 1,000-result cap: flooded DIDs resolve as on an uncapped node (each event type asked apart), before and after a purge", async () => {
    const proxy = await emulate({ style: "infura", maxLogResults: 1000 });
    const resolver = createSigilResolver({ networks: [net(proxy.url)], cache: false });
    await expectWhole(resolver, purged, FLOOD);
    await expectWhole(resolver, flooded, FLOOD);
    const open = (await resolver.resolve(did(flooded))).didDocumentMetadata as { sigil: { recoveries: unknown[] } };
    expect(open.sigil.recoveries, "every open proposal").to.have.length(FLOOD * PER_GUARDIAN);
    expect(proxy.refused, "the cap was met").to.be.greaterThan(0);
  });

  it("a 300-result cap: approvals before a purge are asked proposal by proposal; proposals over the cap in one block fail the DID with the reason", async () => {
    const proxy = await emulate({ style: "infura", maxLogResults: 300 });
    const resolver = createSigilResolver({ networks: [net(proxy.url)], cache: false });
    await expectWhole(resolver, shared, (SHARED * 3) / PER_GUARDIAN);
    const r = await resolver.resolve(did(purged));
    expect(r.didResolutionMetadata.error).to.equal("internalError");
    expect(r.didResolutionMetadata.message)
      .to.include("before its last purge")
      .and.include("more matching logs than the endpoint returns per eth_getLogs (300)");
    expect(r.didDocument).to.equal(null);
  });

  it("one proposal's approvals over the cap in one block before a purge: the DID fails with the reason", async () => {
    const proxy = await emulate({ style: "infura", maxLogResults: 2 });
    const resolver = createSigilResolver({ networks: [net(proxy.url)], cache: false });
    const r = await resolver.resolve(did(crowded));
    expect(r.didResolutionMetadata.error).to.equal("internalError");
    expect(r.didResolutionMetadata.message)
      .to.include("before its last purge")
      .and.include("more matching logs than the endpoint returns per eth_getLogs (2)")
      .and.include("use an endpoint without that eth_getLogs result cap");
    expect(r.didDocument).to.equal(null);
  });

  it("any failed read of the guardian events before a purge fails the DID, naming it (never guardians: null)", async () => {
    const failing = custom({
      async request({ method, params }) {
        const [filter] = (params ?? []) as [{ topics?: unknown[] }];
        // The pre-purge read asks for a list of event types; the span read for all of them.
        if (method === "eth_getLogs" && Array.isArray(filter?.topics?.[0]))
          throw Object.assign(new Error("upstream timeout"), { code: -32603 });
        return rpc(node.url, method, params as unknown[]);
      },
    });
    const resolver = createSigilResolver({ networks: [{ chainId: 31337, name: "local", registry, transport: failing }], cache: false });
    const r = await resolver.resolve(did(purged));
    expect(r.didResolutionMetadata.error).to.equal("internalError");
    expect(r.didResolutionMetadata.message).to.match(
      /guardian, recovery and commitment events of 0x[0-9a-f]{40} before its last purge \(blocks \d+ to \d+\) could not be read/,
    );
    expect(r.didResolutionMetadata.message).to.include("retry, or use another endpoint");
  });
});

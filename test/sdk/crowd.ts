// First contact in a crowd (issue 23, sdk/core/src/resolve/crowd.ts), played from the observer's
// side: a recording JSON-RPC proxy in front of a real `hardhat node` keeps every call an app's
// resolver sends, and the test computes what the endpoint learns of each contact: the set of
// registered identities named in the same requests (in calldata, topics, or as the storage slots
// of an EIP-1186 proof). Asserted: at least k + 1 for every request that names the contact, the
// same set on every later lookup (no narrowing by intersection), a different one for another
// app's secret seed, and a lookup that cannot be hidden is not sent at all.
import { expect } from "chai";
import { createSigilResolver, memoryDecoyStore, sendOperation, serviceAttribute, type SigilNetwork } from "sigil-did";
import type { Address } from "viem";
import { identitySlots } from "../../sdk/core/src/read/registry-storage.ts";
import { devChain } from "../support/dev-chain.ts";
import { startHardhatNode, type HardhatNode } from "../support/hardhat-node.ts";
import { startRpcProxy, type RpcProxy, type RpcRequest } from "../support/rpc-proxy.ts";

const IDENTITIES = 40;
const K = 32;

describe("private lookups: first contact hidden in a crowd of k decoys (observer at the RPC endpoint, real hardhat node)", function () {
  this.timeout(300_000);
  let node: HardhatNode;
  let proxy: RpcProxy;
  let registry: Address;
  let identities: Address[] = [];
  const seen: RpcRequest[] = [];

  before(async () => {
    node = await startHardhatNode();
    const chain = devChain(node.url);
    registry = await chain.deploySigil();
    const wallets = [];
    for (let i = 0; i < IDENTITIES; i++) wallets.push(await chain.funded());
    // Every identity publishes an inbox: a registry with IDENTITIES users, each with a history.
    await Promise.all(
      wallets.map((w, i) =>
        sendOperation(
          w,
          { registry, publicClient: chain.publicClient },
          {
            type: "setAttribute",
            identity: w.account.address,
            ...serviceAttribute("Inbox", `https://inbox.example/${i}`),
            validity: 86_400n * 365n,
          },
        ),
      ),
    );
    identities = wallets.map((w) => w.account.address.toLowerCase() as Address);
    proxy = await startRpcProxy(node.url, { tamper: { request: async (req) => (seen.push(req), req) } });
  });
  after(async () => {
    await proxy?.close();
    await node?.stop();
  });

  const net = (extra: Partial<SigilNetwork> = {}): SigilNetwork => ({
    chainId: 31337,
    name: "local",
    registry,
    rpcUrls: [proxy.url],
    ...extra,
  });
  const did = (a: Address) => `did:sigil:local:${a}`;

  /** The registered identities a call names: their address, or (an eth_getProof) their record slot. */
  const named = (req: RpcRequest): Set<Address> => {
    const body = JSON.stringify(req.params ?? []).toLowerCase();
    return new Set(identities.filter((a) => body.includes(a.slice(2)) || body.includes(identitySlots(a).record.slice(2).toLowerCase())));
  };
  /** What the endpoint learned of `target` from `calls`: the smallest set of identities it was named among. */
  const hiddenAmong = (calls: readonly RpcRequest[], target: Address) => {
    const naming = calls.map(named).filter((set) => set.has(target));
    expect(naming.length, "the lookup reached the endpoint").to.be.greaterThan(0);
    return naming.reduce((smallest, set) => (set.size < smallest.size ? set : smallest));
  };
  /** The union of identities named per eth_getProof batch (one proof names one account's slots). */
  const batchNamed = (calls: readonly RpcRequest[]) => {
    const union = new Set<Address>();
    for (const c of calls) for (const a of named(c)) union.add(a);
    return union;
  };

  it("hides a contact among at least k others in every request that names it, and the answer is the contact's document", async () => {
    const plain = await createSigilResolver({ networks: [net()], cache: false }).resolve(did(identities[0]));
    seen.length = 0;
    const crowd = createSigilResolver({ networks: [net({ crowd: { k: K } })], cache: false });
    const result = await crowd.resolve(did(identities[0]));
    expect(result.didResolutionMetadata.error).to.equal(undefined);
    expect(JSON.stringify(result.didDocument)).to.equal(JSON.stringify(plain.didDocument));
    const set = hiddenAmong(seen, identities[0]);
    expect(set.size).to.be.at.least(K + 1);
    // The decoys exist: every identity named has a history on the registry (all of them do here),
    // and the call that gathered them named nobody.
    const pool = seen.filter((c) => c.method === "eth_getLogs" && named(c).size === 0);
    expect(pool.length, "the decoy pool was read by the registry's address alone").to.be.greaterThan(0);
  });

  it("names the same crowd on every later lookup of a contact, so intersecting lookups narrows nothing", async () => {
    const store = memoryDecoyStore();
    const seed = crypto.getRandomValues(new Uint8Array(32));
    const sets: Set<Address>[] = [];
    for (let i = 0; i < 3; i++) {
      // A new resolver each time (an app restart) with the persisted store and seed.
      const resolver = createSigilResolver({ networks: [net({ crowd: { k: K, store, seed } })], cache: false });
      seen.length = 0;
      expect((await resolver.resolve(did(identities[1]))).didResolutionMetadata.error).to.equal(undefined);
      sets.push(hiddenAmong(seen, identities[1]));
    }
    const key = (s: Set<Address>) => [...s].sort().join();
    expect(key(sets[1])).to.equal(key(sets[0]));
    expect(key(sets[2])).to.equal(key(sets[0]));
    const intersection = sets.reduce((acc, s) => new Set([...acc].filter((a) => s.has(a))));
    expect(intersection.size).to.be.at.least(K + 1);
  });

  it("draws another crowd for another app's secret seed (the draw cannot be recomputed by the observer)", async () => {
    const crowdOf = async (seed: Uint8Array) => {
      seen.length = 0;
      const resolver = createSigilResolver({ networks: [net({ crowd: { k: 8, seed } })], cache: false });
      await resolver.resolve(did(identities[2]));
      return [...hiddenAmong(seen, identities[2])].sort().join();
    };
    const a = await crowdOf(new Uint8Array(32).fill(1));
    expect(await crowdOf(new Uint8Array(32).fill(1))).to.equal(a);
    expect(await crowdOf(new Uint8Array(32).fill(2))).to.not.equal(a);
  });

  it("hides a contact list resolved together, each contact among at least k others", async () => {
    seen.length = 0;
    const resolver = createSigilResolver({ networks: [net({ crowd: { k: K } })], cache: false });
    const results = await resolver.resolveMany(identities.slice(3, 6).map(did));
    results.forEach((r) => expect(r.didResolutionMetadata.error).to.equal(undefined));
    for (const target of identities.slice(3, 6)) expect(hiddenAmong(seen, target).size).to.be.at.least(K + 1);
  });

  it("in verified mode, proves a crowd's worth of accounts in the same batch as the contact's", async () => {
    seen.length = 0;
    const resolver = createSigilResolver({ networks: [net({ crowd: { k: K }, verify: { k: 1, depth: 0 } })], cache: false });
    const result = await resolver.resolve(did(identities[6]));
    expect(result.didResolutionMetadata.error).to.equal(undefined);
    expect(result.didResolutionMetadata).to.have.property("verified");
    const proofs = seen.filter((c) => c.method === "eth_getProof");
    expect(batchNamed(proofs).size).to.be.at.least(K + 1);
    // The logs and any state call name the contact among the crowd too.
    expect(
      hiddenAmong(
        seen.filter((c) => c.method !== "eth_getProof"),
        identities[6],
      ).size,
    ).to.be.at.least(K + 1);
  });

  it("refuses a lookup it cannot hide (too few identities for k) without sending the contact's address", async () => {
    seen.length = 0;
    const resolver = createSigilResolver({ networks: [net({ crowd: { k: IDENTITIES } })], cache: false });
    const result = await resolver.resolve(did(identities[7]));
    expect(result.didResolutionMetadata.error).to.equal("internalError");
    expect(result.didResolutionMetadata.message).to.match(/cannot hide the lookup of .* among 40 others: .* only 39 other identities/);
    expect(
      seen.some((c) => named(c).has(identities[7])),
      "the contact was never named",
    ).to.equal(false);
  });

  it("refuses a bad crowd setting when the resolver is made", () => {
    expect(() => createSigilResolver({ networks: [net({ crowd: { k: 0 } })] })).to.throw(/crowd\.k/);
    expect(() => createSigilResolver({ networks: [net({ crowd: { seed: new Uint8Array(5) } })] })).to.throw(/crowd\.seed.*32 secret bytes/);
    expect(() => createSigilResolver({ networks: [net({ crowd: { poolBlocks: 0n } })] })).to.throw(/crowd\.poolBlocks/);
  });
});

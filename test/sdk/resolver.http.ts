// The resolver over HTTP against a real `hardhat node`, through a counting proxy: one round
// trip per current document whatever the history, batched groups, historical reads, a node
// that caps eth_getLogs, failover, timeouts, dead endpoints and a node on the wrong chain.
import { expect } from "chai";
import type { Address, PublicClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { bytes32Name, createSigilResolver, sendOperation, serviceAttribute, type SigilNetwork } from "sigil-did";
import { devChain } from "../support/dev-chain.ts";
import { freePort, startHardhatNode, type HardhatNode } from "../support/hardhat-node.ts";
import { startRpcProxy, type RpcProxy } from "../support/rpc-proxy.ts";

const DAY = 86_400n;

describe("sdk resolver over HTTP (real hardhat node)", function () {
  this.timeout(120_000);
  let node: HardhatNode;
  let proxy: RpcProxy;
  let registry: Address;
  let publicClient: PublicClient;
  const identities: Record<number, Address> = {};
  const net = (overrides: Partial<SigilNetwork> = {}): SigilNetwork => ({
    chainId: 31337,
    name: "local",
    registry,
    rpcUrls: [proxy.url],
    ...overrides,
  });

  before(async () => {
    node = await startHardhatNode();
    proxy = await startRpcProxy(node.url);
    const chain = devChain(node.url);
    publicClient = chain.publicClient;
    registry = await chain.deploySigil();
    identities[0] = privateKeyToAccount(generatePrivateKey()).address.toLowerCase() as Address;
    for (const changes of [1, 10, 100]) {
      const wallet = await chain.funded();
      const account = wallet.account;
      identities[changes] = account.address.toLowerCase() as Address;
      const target = { registry, publicClient };
      for (let i = 0; i < changes; i++) {
        const svc = serviceAttribute("Inbox", `https://inbox${i}.example`);
        const op =
          i % 3 === 2
            ? ({
                type: "revokeAttribute",
                identity: account.address,
                name: svc.name,
                value: serviceAttribute("Inbox", `https://inbox${i - 1}.example`).value,
              } as const)
            : i % 3 === 1
              ? ({
                  type: "addDelegate",
                  identity: account.address,
                  delegateType: bytes32Name("veriKey"),
                  delegate: privateKeyToAccount(generatePrivateKey()).address,
                  validity: DAY,
                } as const)
              : ({ type: "setAttribute", identity: account.address, ...svc, validity: DAY } as const);
        await sendOperation(wallet, target, op);
      }
    }
  });
  after(async () => {
    await proxy?.close();
    await node?.stop();
  });
  beforeEach(() => {
    proxy.options.maxLogRange = undefined;
    proxy.reset();
  });

  it("resolves the current document in one round trip on a young chain, two on a first read, at 0, 1, 10 and 100 changes", async () => {
    const resolver = createSigilResolver({ networks: [net()], cache: false });
    // A first read knows nothing of the chain: the state, then the identity's own span of logs.
    proxy.reset();
    const first = await resolver.resolve(`did:sigil:local:${identities[100]}`);
    expect(first.didResolutionMetadata.error, first.didResolutionMetadata.message).to.equal(undefined);
    expect(proxy.stats().sequentialRoundTrips, "first read").to.equal(2);
    const counts: string[] = [];
    for (const changes of [0, 1, 10, 100]) {
      proxy.reset();
      const result = await resolver.resolve(`did:sigil:local:${identities[changes]}`);
      expect(result.didResolutionMetadata.error, result.didResolutionMetadata.message).to.equal(undefined);
      expect(result.didDocument).to.deep.equal(changes === 100 ? first.didDocument : result.didDocument);
      // The chain is young (a few hundred blocks): its logs ride with the state, in a lane of their own.
      expect(proxy.stats().sequentialRoundTrips, `${changes} changes`).to.equal(1);
      expect(proxy.requests.sort()).to.deep.equal(["eth_call", "eth_getLogs"]);
      counts.push(
        `${changes} changes: ${proxy.stats().sequentialRoundTrips} round trip, ${proxy.roundTrips} HTTP requests, ${proxy.requests.length} calls`,
      );
    }
    console.log(`      measured: ${counts.join("; ")}`);
  });

  it("does not wait for a late whole-chain log query: reads the identity's own span instead, and stops sending it", async () => {
    const slow = await startRpcProxy(node.url, { slowLogs: { overBlocks: 10, delayMs: 2_500 } });
    try {
      const resolver = createSigilResolver({ networks: [net({ rpcUrls: [slow.url] })], cache: false });
      await resolver.resolve(`did:sigil:local:${identities[0]}`); // learns the chain's length
      slow.reset();
      const started = performance.now();
      const late = await resolver.resolve(`did:sigil:local:${identities[1]}`);
      const elapsed = performance.now() - started;
      expect(late.didResolutionMetadata.error, late.didResolutionMetadata.message).to.equal(undefined);
      expect(late.didDocument).to.deep.equal(
        (await createSigilResolver({ networks: [net()], cache: false }).resolve(`did:sigil:local:${identities[1]}`)).didDocument,
      );
      expect(elapsed, "not held up by the slow query").to.be.lessThan(1_500);
      await new Promise((r) => setTimeout(r, 1_100)); // a wide query unanswered after a second is slow
      slow.reset();
      await resolver.resolve(`did:sigil:local:${identities[1]}`);
      expect(
        slow.requests.filter((m) => m === "eth_getLogs"),
        "the wide query is not sent again",
      ).to.have.length(1);
      expect(slow.stats().sequentialRoundTrips).to.equal(2);
    } finally {
      await new Promise((r) => setTimeout(r, 1_000)); // let the late answer go out before closing
      await slow.close();
    }
  });

  it("resolves a past version at 100 changes in one round trip", async () => {
    const resolver = createSigilResolver({ networks: [net()], cache: false });
    const now = await resolver.resolve(`did:sigil:local:${identities[100]}`);
    const mid = BigInt(now.didDocumentMetadata.versionId!) - 50n;
    proxy.reset();
    const past = await resolver.resolve(`did:sigil:local:${identities[100]}?versionId=${mid}`);
    expect(past.didDocumentMetadata.nextVersionId).to.be.a("string");
    expect(proxy.stats().sequentialRoundTrips).to.equal(1);
    proxy.reset();
    const byTime = await resolver.resolve(`did:sigil:local:${identities[100]}?versionTime=${past.didDocumentMetadata.updated}`);
    expect(byTime.didDocument).to.deep.equal(past.didDocument);
    expect(proxy.stats().sequentialRoundTrips).to.equal(1);
  });

  it("learns a node's eth_getLogs range cap from its refusal and reads in windows, with the same result", async () => {
    const expected = await createSigilResolver({ networks: [net()], cache: false }).resolve(`did:sigil:local:${identities[10]}`);
    proxy.options.maxLogRange = 5;
    const resolver = createSigilResolver({ networks: [net()], cache: false });
    await resolver.resolve(`did:sigil:local:${identities[1]}`); // learns the chain's length
    proxy.reset();
    const windowed = await resolver.resolve(`did:sigil:local:${identities[10]}`);
    expect(windowed.didDocument).to.deep.equal(expected.didDocument);
    // The state with a whole-chain query, refused; then the identity's span in windows of 5, at once.
    expect(proxy.stats().sequentialRoundTrips).to.equal(2);
    expect(proxy.refused).to.equal(1);
    const [health] = await resolver.health();
    expect(health.endpoints?.[0]).to.deep.include({ maxLogRange: 5 });
    proxy.reset();
    const again = await resolver.resolve(`did:sigil:local:${identities[10]}`);
    expect(again.didDocument).to.deep.equal(expected.didDocument);
    expect(proxy.refused, "the cap is remembered").to.equal(0);
    expect(proxy.stats().sequentialRoundTrips).to.equal(2);
    const preset = await createSigilResolver({ networks: [net({ maxLogBlockRange: 5n })], cache: false }).resolve(
      `did:sigil:local:${identities[10]}`,
    );
    expect(preset.didDocument).to.deep.equal(expected.didDocument);
  });

  it("resolves a group of 1,000 DIDs in one round trip once the chain is known (two on a first read)", async () => {
    const resolver = createSigilResolver({ networks: [net()], cache: false });
    const dids = Array.from({ length: 1000 }, (_, i) =>
      i < 4 ? `did:sigil:local:${Object.values(identities)[i]}` : `did:sigil:local:0x${(i + 1).toString(16).padStart(40, "0")}`,
    );
    const cold = await resolver.resolveMany(dids);
    expect(cold.every((r) => r.didDocument !== null)).to.equal(true);
    expect(proxy.stats().sequentialRoundTrips, "first read").to.equal(2);
    proxy.reset();
    const started = performance.now();
    const results = await resolver.resolveMany(dids);
    const ms = performance.now() - started;
    expect(results).to.deep.equal(cold);
    expect(proxy.stats().sequentialRoundTrips).to.equal(1);
    console.log(
      `      measured: 1,000 DIDs in ${proxy.stats().sequentialRoundTrips} round trip, ${proxy.roundTrips} HTTP requests, ${proxy.requests.length} calls, ${ms.toFixed(0)} ms`,
    );
  });

  it("fails over to the next endpoint when the first is down", async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const resolver = createSigilResolver({ networks: [net({ rpcUrls: [dead, proxy.url], timeoutMs: 1000 })], cache: false });
    const result = await resolver.resolve(`did:sigil:local:${identities[1]}`);
    expect(result.didResolutionMetadata.error).to.equal(undefined);
    expect(result.didDocument?.service).to.have.length(1);
  });

  it("answers internalError quickly, without hanging, when every endpoint is down or too slow", async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const down = createSigilResolver({ networks: [net({ rpcUrls: [dead], timeoutMs: 500 })], cache: false });
    let started = performance.now();
    const r1 = await down.resolve(`did:sigil:local:${identities[1]}`);
    expect(r1.didResolutionMetadata.error).to.equal("internalError");
    expect(r1.didResolutionMetadata.message).to.match(/could not read the registry/);
    expect(performance.now() - started).to.be.lessThan(2000);

    const slow = await startRpcProxy(node.url, { delayMs: 3000 });
    try {
      const resolver = createSigilResolver({ networks: [net({ rpcUrls: [slow.url], timeoutMs: 300 })], cache: false });
      started = performance.now();
      const r2 = await resolver.resolve(`did:sigil:local:${identities[1]}`);
      expect(r2.didResolutionMetadata.error).to.equal("internalError");
      expect(performance.now() - started).to.be.lessThan(1500);
    } finally {
      await slow.close();
    }
  });

  it("refuses a node that serves another chain, and says so, without an extra request", async () => {
    // The node is chain 31337 and has the registry at the same address; the network says chain 1.
    const resolver = createSigilResolver({ networks: [net({ chainId: 1 })], cache: false });
    proxy.reset();
    const r = await resolver.resolve(`did:sigil:local:${identities[1]}`);
    expect(r.didResolutionMetadata.error).to.equal("internalError");
    expect(r.didResolutionMetadata.message).to.include("serves chain 31337, but network local is chain 1");
    expect(r.didDocument).to.equal(null);
    expect(proxy.requests, "the state's answer names the chain: nothing else was asked").to.deep.equal(["eth_call"]);
    // Where the registry is missing, the resolver asks the chain id, and says which chain it got.
    const wrong = await startRpcProxy(node.url, { chainId: 1 });
    try {
      const elsewhere = createSigilResolver({
        networks: [net({ rpcUrls: [wrong.url], registry: "0x00000000000000000000000000000000000000aa" })],
        cache: false,
      });
      const e = await elsewhere.resolve(`did:sigil:local:${identities[1]}`);
      expect(e.didResolutionMetadata.message).to.include("serves chain 1, but network local is chain 31337");
    } finally {
      await wrong.close();
    }
  });

  it("says so when no registry answers at the configured address", async () => {
    const resolver = createSigilResolver({ networks: [net({ registry: "0x00000000000000000000000000000000000000aa" })], cache: false });
    const r = await resolver.resolve(`did:sigil:local:${identities[1]}`);
    expect(r.didResolutionMetadata.error).to.equal("internalError");
    expect(r.didResolutionMetadata.message).to.include(
      "no SigilRegistry answers at 0x00000000000000000000000000000000000000aa on chain 31337; check the network's registry address",
    );
  });
});

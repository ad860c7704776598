// The resolver against a real `hardhat node` behind the provider emulator (test/support/rpc-proxy.ts),
// on a chain 10,000,000 blocks long: each provider's eth_getLogs range cap and result cap learned
// from its own refusal text and remembered, batches split where a provider refuses them, a slow
// wide eth_getLogs that does not fail the read, logs without blockTimestamp, the identity's own
// span read instead of the chain's, a flood that a purge leaves behind, a cache that reads only
// new logs, concurrent resolve() calls sharing one batch, and a node that leaves a change out.
import { expect } from "chai";
import { Resolver } from "did-resolver";
import { custom, type Address, type Hex, type PublicClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  bytes32Name,
  createSigilResolver,
  generateNextKey,
  sendOperation,
  serviceAttribute,
  sigilRegistryAbi,
  type SigilNetwork,
  type SigilResolver,
} from "sigil-did";
import { devChain } from "../support/dev-chain.ts";
import { startHardhatNode, type HardhatNode } from "../support/hardhat-node.ts";
import { startRpcProxy, type ProxyOptions, type ProviderStyle, type RpcProxy } from "../support/rpc-proxy.ts";

const DAY = 86_400n;
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

describe("sdk resolver on capped providers and a long chain (provider emulator, real hardhat node)", function () {
  this.timeout(180_000);
  let node: HardhatNode;
  let chain: ReturnType<typeof devChain>;
  let registry: Address;
  let publicClient: PublicClient;
  let spread: Address; // 8 changes, 150 blocks apart (a span of ~1,050 blocks), after 10 M empty blocks
  let flooded: Address; // 60 entries in one block, then a purging rotation
  let floodWallet: Awaited<ReturnType<ReturnType<typeof devChain>["funded"]>>;
  let floodNext: ReturnType<typeof generateNextKey>;
  const proxies: RpcProxy[] = [];
  const emulate = async (options: ProxyOptions) => {
    const p = await startRpcProxy(node.url, options);
    proxies.push(p);
    return p;
  };
  const net = (url: string, overrides: Partial<SigilNetwork> = {}): SigilNetwork => ({
    chainId: 31337,
    name: "local",
    registry,
    rpcUrls: [url],
    ...overrides,
  });
  const did = (a: Address) => `did:sigil:local:${a.toLowerCase()}`;
  let reference: (a: Address) => Promise<unknown>;

  before(async () => {
    node = await startHardhatNode();
    chain = devChain(node.url);
    publicClient = chain.publicClient;
    registry = await chain.deploySigil();
    await rpc(node.url, "hardhat_mine", ["0x989680"]); // 10,000,000 empty blocks
    const w = await chain.funded();
    spread = w.account.address;
    for (let i = 0; i < 8; i++) {
      const op =
        i % 2 === 0
          ? ({ type: "setAttribute", identity: spread, ...serviceAttribute("Inbox", `https://inbox${i}.example`), validity: DAY } as const)
          : ({
              type: "addDelegate",
              identity: spread,
              delegateType: bytes32Name("veriKey"),
              delegate: privateKeyToAccount(generatePrivateKey()).address,
              validity: DAY,
            } as const);
      await sendOperation(w, { registry, publicClient }, op);
      if (i < 7) await rpc(node.url, "hardhat_mine", ["0x96"]);
    }
    floodWallet = await chain.funded();
    flooded = floodWallet.account.address;
    floodNext = generateNextKey();
    await sendOperation(
      floodWallet,
      { registry, publicClient },
      { type: "commitNextOwner", identity: flooded, commitment: floodNext.commitment },
    );
    // The thief's flood: 60 services in one block.
    await rpc(node.url, "evm_setAutomine", [false]);
    const hashes: Hex[] = [];
    const nonce = await publicClient.getTransactionCount({ address: flooded });
    for (let i = 0; i < 60; i++) {
      const svc = serviceAttribute("Phish", `https://phish${i}.example`);
      hashes.push(
        await floodWallet.writeContract({
          address: registry,
          abi: sigilRegistryAbi,
          functionName: "setAttribute",
          args: [flooded, svc.name, svc.value, DAY],
          chain: null,
          nonce: nonce + i,
          gas: 200_000n,
        }),
      );
    }
    await rpc(node.url, "evm_mine");
    await rpc(node.url, "evm_setAutomine", [true]);
    for (const hash of hashes) expect((await publicClient.waitForTransactionReceipt({ hash })).status).to.equal("success");
    const uncapped = createSigilResolver({ networks: [net(node.url)], cache: false });
    reference = async (a) => (await uncapped.resolve(did(a))).didDocument;
  });
  after(async () => {
    await rpc(node.url, "evm_setAutomine", [true]).catch(() => undefined);
    await Promise.all(proxies.map((p) => p.close()));
    await node?.stop();
  });

  const STYLES: [ProviderStyle, number][] = [
    ["alchemy", 500],
    ["infura", 1000],
    ["quicknode", 5],
    ["generic", 100],
  ];
  for (const [style, cap] of STYLES) {
    it(`${style}: learns a ${cap}-block eth_getLogs cap from the refusal, reads the identity's span in windows, and remembers it`, async () => {
      const proxy = await emulate({ style, maxLogRange: cap });
      const resolver = createSigilResolver({ networks: [net(proxy.url)], cache: false });
      const first = await resolver.resolve(did(spread));
      expect(first.didResolutionMetadata.error, first.didResolutionMetadata.message).to.equal(undefined);
      expect(first.didDocument).to.deep.equal(await reference(spread));
      const [health] = await resolver.health();
      const endpoint = health.endpoints![0];
      expect(endpoint.maxLogRange, "learned from the refusal's text").to.equal(cap);
      expect(endpoint.stats.refusedLogQueries, "one refusal taught it").to.equal(1);
      proxy.reset();
      const again = await resolver.resolve(did(spread));
      expect(again.didDocument).to.deep.equal(first.didDocument);
      expect(proxy.refused, "nothing refused once the cap is known").to.equal(0);
      expect(proxy.stats().sequentialRoundTrips, "state, then the windows at once").to.equal(2);
      // The span is ~1,050 blocks at the end of a 10 M-block chain: windows cover it, not the chain.
      const logCalls = proxy.requests.filter((m) => m === "eth_getLogs").length;
      expect(logCalls).to.be.at.most(Math.ceil(1_100 / cap) + 1);
    });
  }

  it("a 10,000,000-block chain costs the identity's span: one eth_getLogs on an uncapped node", async () => {
    const proxy = await emulate({});
    const resolver = createSigilResolver({ networks: [net(proxy.url)], cache: false });
    proxy.reset();
    const r = await resolver.resolve(did(spread));
    expect(r.didDocument).to.deep.equal(await reference(spread));
    expect(proxy.requests.sort()).to.deep.equal(["eth_call", "eth_getLogs"]);
    expect(proxy.stats().sequentialRoundTrips).to.equal(2);
  });

  it("result caps: a refused query is split where the provider suggests (infura) or in halves, and the cap is shown", async () => {
    for (const style of ["infura", "generic"] as const) {
      const proxy = await emulate({ style, maxLogResults: 3 });
      const resolver = createSigilResolver({ networks: [net(proxy.url)], cache: false });
      const r = await resolver.resolve(did(spread));
      expect(r.didDocument, style).to.deep.equal(await reference(spread));
      expect((await resolver.health())[0].endpoints![0].maxLogResults, style).to.equal(3);
    }
  });

  it("a flood the provider's result cap cannot return fails that DID alone, with the reason; after a purging rotation it resolves like a fresh DID", async () => {
    const proxy = await emulate({ style: "infura", maxLogResults: 50 });
    const resolver = createSigilResolver({ networks: [net(proxy.url)], cache: false });
    const [victim, bystander] = await resolver.resolveMany([did(flooded), did(spread)]);
    expect(victim.didResolutionMetadata.error).to.equal("internalError");
    expect(victim.didResolutionMetadata.message).to.match(
      /more matching logs than the endpoint returns per eth_getLogs \(50\).*rotate with purge/,
    );
    expect(bystander.didDocument, "one flooded DID does not fail the others").to.deep.equal(await reference(spread));

    const next = chain.wallet(floodNext.privateKey);
    await chain.dev.sendTransaction({ to: floodNext.address, value: 10n ** 18n, chain: null });
    const after = generateNextKey();
    const op = {
      type: "rotate",
      identity: flooded,
      salt: floodNext.salt,
      newOwner: floodNext.address,
      nextCommitment: after.commitment,
      purge: true,
      revokeDelegates: [],
      revokeAttributes: [],
    } as const;
    await sendOperation(next, { registry, publicClient }, op);
    proxy.reset();
    const recovered = await resolver.resolve(did(flooded));
    expect(recovered.didResolutionMetadata.error, recovered.didResolutionMetadata.message).to.equal(undefined);
    expect(recovered.didDocument?.service ?? [], "the flood is void").to.have.length(0);
    expect(recovered.didDocument).to.deep.equal(await reference(flooded));
    expect(proxy.refused, "the flood before the purge is never asked for").to.equal(0);
    expect(proxy.bytesOut, "nothing of the flood was downloaded").to.be.lessThan(6_000);
    expect(recovered.didDocumentMetadata.created, "created is the first change's time, not the purge's").to.be.a("string");
  });

  it("batch caps: a refused batch is split and resent (whole refusals and QuickNode's item-by-item ones), and the cap is remembered", async () => {
    // 1,251 identities: six eth_call chunks of up to 250 in one tick, over a 4-call batch cap.
    const dids = Array.from({ length: 1250 }, (_, i) => did(`0x${(i + 1).toString(16).padStart(40, "0")}` as Address)).concat(did(spread));
    for (const style of ["alchemy", "infura", "quicknode"] as const) {
      const proxy = await emulate({ style, maxBatch: 4 });
      const resolver = createSigilResolver({ networks: [net(proxy.url)], cache: false });
      const results = await resolver.resolveMany(dids);
      expect(
        results.every((r) => r.didDocument !== null),
        style,
      ).to.equal(true);
      expect(results.at(-1)!.didDocument, style).to.deep.equal(await reference(spread));
      const endpoint = (await resolver.health())[0].endpoints![0];
      expect(endpoint.maxBatch, style).to.be.at.most(4);
      expect(endpoint.stats.refusedBatches, style).to.be.greaterThan(0);
    }
  });

  it("a slow wide eth_getLogs does not fail the read: the state answers in its own request and the logs are retried narrower", async () => {
    const proxy = await emulate({ slowLogs: { overBlocks: 150, delayMs: 4_000 } });
    const resolver = createSigilResolver({ networks: [net(proxy.url, { timeoutMs: 1_000 })], cache: false });
    const started = performance.now();
    const r = await resolver.resolve(did(spread));
    expect(r.didResolutionMetadata.error, r.didResolutionMetadata.message).to.equal(undefined);
    expect(r.didDocument).to.deep.equal(await reference(spread));
    expect(performance.now() - started).to.be.lessThan(3_500);
    expect((await resolver.health())[0].endpoints![0].stats.slowLogQueries).to.be.greaterThan(0);
  });

  it("logs without blockTimestamp: created and updated come from headers fetched with the logs, and are the same", async () => {
    const proxy = await emulate({ omitBlockTimestamp: true });
    const resolver = createSigilResolver({ networks: [net(proxy.url)], cache: false });
    const withTimes = await createSigilResolver({ networks: [net(node.url)], cache: false }).resolve(did(spread));
    const first = await resolver.resolve(did(spread));
    expect(first.didDocumentMetadata.created).to.equal(withTimes.didDocumentMetadata.created);
    expect(first.didDocumentMetadata.updated).to.equal(withTimes.didDocumentMetadata.updated);
    expect((await resolver.health())[0].endpoints![0].logTimestamps).to.equal(false);
    proxy.reset();
    await resolver.resolve(did(spread));
    expect(proxy.stats().sequentialRoundTrips, "known now: the headers travel with the logs").to.equal(2);
  });

  it("a cached identity that changed costs only its new logs, checked to link to what was held", async () => {
    let logsReturned = 0;
    const counting = custom({
      async request({ method, params }) {
        const result = await rpc(node.url, method, params as unknown[]);
        if (method === "eth_getLogs") logsReturned += (result as unknown[]).length;
        return result;
      },
    });
    const resolver: SigilResolver = createSigilResolver({
      networks: [{ chainId: 31337, name: "local", registry, transport: counting }],
      cache: { maxAgeMs: 0 },
    });
    const w = await chain.funded();
    for (let i = 0; i < 3; i++)
      await sendOperation(
        w,
        { registry, publicClient },
        { type: "setAttribute", identity: w.account.address, ...serviceAttribute("Box", `https://box${i}.example`), validity: DAY },
      );
    await resolver.resolve(did(w.account.address));
    expect(logsReturned).to.equal(3);
    await sendOperation(
      w,
      { registry, publicClient },
      { type: "setAttribute", identity: w.account.address, ...serviceAttribute("Box", "https://box-new.example"), validity: DAY },
    );
    logsReturned = 0;
    const grown = await resolver.resolve(did(w.account.address));
    expect(grown.didDocument).to.deep.equal(await reference(w.account.address));
    expect(grown.didDocument?.service).to.have.length(4);
    expect(resolver.cacheStats().grown).to.equal(1);
    expect(logsReturned, "the new log only").to.equal(1);
  });

  it("concurrent resolve() calls through did-resolver share one batch (group speed without resolveMany)", async () => {
    const proxy = await emulate({});
    const sigil = createSigilResolver({ networks: [net(proxy.url)], cache: false });
    await sigil.resolve(did(spread)); // the chain's length is known
    const resolver = new Resolver(sigil.plugin());
    const dids = Array.from({ length: 300 }, (_, i) => did(`0x${(i + 1).toString(16).padStart(40, "0")}` as Address)).concat(did(spread));
    proxy.reset();
    const results = await Promise.all(dids.map((d) => resolver.resolve(d)));
    expect(results.every((r) => r.didDocument !== null)).to.equal(true);
    expect(
      proxy.requests.filter((m) => m === "eth_call"),
      "301 identities: 2 chunks of 250",
    ).to.have.length(2);
    expect(proxy.stats().sequentialRoundTrips).to.equal(2);
  });

  it("refuses a history with a change left out (a node that drops one block's logs), naming the block", async () => {
    const state = (await publicClient.readContract({
      address: registry,
      abi: sigilRegistryAbi,
      functionName: "identityState",
      args: [spread],
    })) as { changed: bigint; firstChange: bigint };
    const middle = await (async () => {
      const logs = (await rpc(node.url, "eth_getLogs", [
        { address: registry, fromBlock: `0x${state.firstChange.toString(16)}`, toBlock: `0x${state.changed.toString(16)}` },
      ])) as { blockNumber: Hex }[];
      const blocks = [...new Set(logs.map((l) => BigInt(l.blockNumber)))];
      return blocks[Math.floor(blocks.length / 2)];
    })();
    const lying = custom({
      async request({ method, params }) {
        const result = await rpc(node.url, method, params as unknown[]);
        return method === "eth_getLogs" ? (result as { blockNumber: Hex }[]).filter((l) => BigInt(l.blockNumber) !== middle) : result;
      },
    });
    const resolver = createSigilResolver({ networks: [{ chainId: 31337, name: "local", registry, transport: lying }], cache: false });
    const r = await resolver.resolve(did(spread));
    expect(r.didResolutionMetadata.error).to.equal("internalError");
    expect(r.didResolutionMetadata.message).to.include(`no registry logs for block ${middle}`);
    expect(r.didDocument).to.equal(null);
  });
});

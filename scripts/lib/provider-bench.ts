// Resolution on emulated public providers (issue #15), for `npm run bench`: a separate `hardhat
// node` mined to a long chain, the loopback emulator of test/support/rpc-proxy.ts in front of it
// (a 20 ms round trip on every HTTP request, and each profile's caps refused the way that provider
// refuses them), and Sigil in its DEFAULT configuration (caps learned, never preset; cache off
// for cold reads) side by side with ethr-did-resolver, stock and tuned, on ERC-1056 with the same
// operations. Scenarios: (a) provider profiles for a DID with 100 changes, (b) the same DID before
// and after 10,000,000 empty blocks, (c) a 1,200-entry flood then a rotation with purge on a
// provider capping results at 1,000, (d) a 1,000-change DID with the client's CPU, (e) 0 changes,
// (f) 1,000 contacts through did-resolver vs resolveMany. Every goal is judged from what was
// measured, never asserted. Run as a child (`--cpu-child`) it measures client CPU for (d).
import { spawn } from "node:child_process";
import { Resolver, type DIDResolutionResult } from "did-resolver";
import { getResolver as getEthrResolver } from "ethr-did-resolver";
import { JsonRpcProvider } from "ethers";
import { createPublicClient, encodeFunctionData, http, pad, parseEther, toHex, type Address, type Hex, type PublicClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  bytes32Name,
  createSigilResolver,
  generateNextKey,
  sendOperation,
  serviceAttribute,
  sigilRegistryAbi,
  type RawLog,
  type SigilResolver,
} from "sigil-did";
import { buildDocument, decodeRegistryLogs } from "sigil-did/internal";
import { devChain } from "../../test/support/dev-chain.ts";
import { startHardhatNode } from "../../test/support/hardhat-node.ts";
import { startRpcProxy, type ProxyOptions, type RpcProxy } from "../../test/support/rpc-proxy.ts";

export interface ProviderRow {
  scenario: string;
  profile: string;
  resolver: string;
  runs: number;
  /** Runs that resolved (for a group: runs in which every DID resolved). */
  ok: number;
  error?: string;
  /** Medians per run. */
  sequentialRoundTrips: number;
  httpRequests: number;
  calls: number;
  bytes: number;
  refused: number;
  median: number;
  p95: number;
  /** Client CPU per resolution, ms (scenario d, measured in a separate process). */
  cpuMs?: number;
  goal?: { met: boolean; text: string };
}

export interface ProviderBench {
  latencyMs: number;
  longChainBlocks: number;
  changes: number;
  spreadBlocks: number;
  flood: number;
  bigChanges: number;
  /** Scenario d: decoding the 1,000-change DID's logs and building its document, ms (median, warm). */
  decodeAndDocumentMs?: number;
  contacts: number;
  profiles: Record<string, ProxyOptions>;
  rows: ProviderRow[];
  /** How many runs each row took. */
  runs: string;
  /** resolver.health() of Sigil's steady-state resolver per scenario/profile (learned caps show here). */
  health: Record<string, unknown>;
}

const LATENCY_MS = 20;
const DAY = 86_400n;
const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);
const p95 = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)] : NaN);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const within = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref())]);
const failure = (r: DIDResolutionResult) =>
  r.didResolutionMetadata.error
    ? `${r.didResolutionMetadata.error}: ${String(r.didResolutionMetadata.message ?? "").slice(0, 160)}`
    : undefined;

/** The provider profiles (plus the 20 ms round trip each emulator adds). */
export function providerProfiles(smoke: boolean): Record<string, ProxyOptions> {
  return {
    uncapped: {},
    "paid (alchemy)": { style: "alchemy", maxLogRange: 10_000, maxLogResults: 10_000, maxBatch: 1_000 },
    "goal (infura)": { style: "infura", maxLogRange: 1_000, maxLogResults: 10_000, maxBatch: 100 },
    "free (quicknode)": { style: "quicknode", maxLogRange: 5, maxBatch: 10 },
    "no blockTimestamp": { omitBlockTimestamp: true },
    // A getLogs wider than this answers after Sigil's default 5 s request timeout.
    "slow wide logs": { slowLogs: { overBlocks: smoke ? 1_000 : 100_000, delayMs: 6_000 } },
  };
}

/** Run counts, time budgets and chain sizes: tiny for the smoke run, the real ones otherwise. */
function sizes(smoke: boolean) {
  return {
    smoke,
    RUNS: smoke ? 1 : 20,
    LEARN: smoke ? 1 : 5,
    MIN_RUNS: smoke ? 1 : 3,
    BUDGET_MS: smoke ? 1_500 : 12_000,
    ETHR_BUDGET_MS: smoke ? 1_500 : 8_000, // ethr-did-resolver walks: seconds per resolution
    LONG: smoke ? 10_000 : 10_000_000,
    CHANGES: smoke ? 3 : 100,
    SPREAD: smoke ? 30 : 10_000,
    FLOOD: smoke ? 50 : 1_200,
    BIG: smoke ? 20 : 1_000,
    CONTACTS: smoke ? 20 : 1_000,
  };
}
type Sizes = ReturnType<typeof sizes>;

// The same cycle of operations as the resolution section of scripts/bench.ts.
function step(id: Address, i: number): [string, readonly unknown[]] {
  const svc = serviceAttribute("Messaging", `https://m${i}.example`);
  const prev = serviceAttribute("Messaging", `https://m${i - 1}.example`);
  return i % 4 === 0
    ? ["setAttribute", [id, svc.name, svc.value, DAY]]
    : i % 4 === 1
      ? ["addDelegate", [id, bytes32Name("veriKey"), `0x${(i + 7).toString(16).padStart(40, "0")}`, DAY]]
      : i % 4 === 2
        ? ["revokeAttribute", [id, prev.name, prev.value]]
        : [
            "setAttribute",
            [id, bytes32Name("did/pub/Ed25519/veriKey/hex"), `0x${(i % 256).toString(16).padStart(2, "0").repeat(32)}`, DAY],
          ];
}

/** Both registries on the node, and the ways the scenarios write to them. */
async function benchChain(url: string) {
  const { publicClient, dev, deploySigil, deployErc1056, wallet } = devChain(url);
  /** A fresh key, its wallet and 10 ETH. */
  const funded = async () => {
    const key = generatePrivateKey();
    const w = wallet(key);
    await publicClient.waitForTransactionReceipt({
      hash: await dev.sendTransaction({ to: w.account.address, value: parseEther("10"), chain: null }),
    });
    return Object.assign(w, { key });
  };
  const rpc = (method: string, params: unknown[] = []) => publicClient.request({ method, params } as never) as Promise<unknown>;
  const [sigil, erc] = [await deploySigil(), await deployErc1056()];
  const chainId = await publicClient.getChainId();
  const call = async (w: Awaited<ReturnType<typeof funded>>, registry: Address, fn: string, args: readonly unknown[]) =>
    publicClient.waitForTransactionReceipt({
      hash: await w.writeContract({
        address: registry,
        abi: sigilRegistryAbi,
        functionName: fn as never,
        args: args as never,
        chain: null,
      }),
    });
  /** Many transactions in few blocks: signed here with explicit nonces, mined with evm_mine. */
  const rawSender = async (key: Hex) => {
    const account = privateKeyToAccount(key);
    let nonce = await publicClient.getTransactionCount({ address: account.address, blockTag: "pending" });
    const base = (await publicClient.getBlock()).baseFeePerGas ?? 1n;
    return async (to: Address, fn: string, args: readonly unknown[]) => {
      const data = encodeFunctionData({ abi: sigilRegistryAbi, functionName: fn as never, args: args as never });
      const tx = await account.signTransaction({
        to,
        data,
        nonce: nonce++,
        gas: 300_000n,
        maxFeePerGas: base * 4n + 1_000_000_000n,
        maxPriorityFeePerGas: 0n,
        chainId,
        type: "eip1559",
      });
      return rpc("eth_sendRawTransaction", [tx]);
    };
  };
  /** Sends (nonces in call order, 200 in flight) and mines them all in one block. */
  const inOneBlock = async (sends: (() => Promise<unknown>)[]) => {
    const expected = sends.length;
    await rpc("evm_setAutomine", [false]);
    try {
      for (let i = 0; i < sends.length; i += 200) await Promise.all(sends.slice(i, i + 200).map((send) => send()));
      await rpc("evm_mine");
    } finally {
      await rpc("evm_setAutomine", [true]);
    }
    const mined = (await publicClient.getBlock()).transactions.length;
    if (mined !== expected) throw new Error(`expected ${expected} transactions in one block, mined ${mined}`);
  };
  await rpc("evm_setBlockGasLimit", [toHex(3_000_000_000n)]);
  return { publicClient, dev, wallet, funded, rpc, sigil, erc, chainId, call, rawSender, inOneBlock };
}
type BenchChain = Awaited<ReturnType<typeof benchChain>>;

/** What a scenario measures with: the emulators in front of the node, the resolvers on them, the rows. */
function contenders(nodeUrl: string, chain: BenchChain, z: Sizes, bench: ProviderBench) {
  const { chainId, sigil, erc } = chain;
  const T0 = performance.now();
  const proxies: RpcProxy[] = [];
  const providers: JsonRpcProvider[] = [];
  const proxyFor = async (options: ProxyOptions) => {
    const p = await startRpcProxy(nodeUrl, { latencyMs: LATENCY_MS, ...options });
    proxies.push(p);
    return p;
  };
  const sigilFor = (p: RpcProxy, cache = false): SigilResolver =>
    createSigilResolver({ networks: [{ chainId, name: "bench", registry: sigil, rpcUrls: [p.url] }], ...(cache ? {} : { cache: false }) });
  const stockFor = (p: RpcProxy) => new Resolver(getEthrResolver({ networks: [{ name: "bench", chainId, registry: erc, rpcUrl: p.url }] }));
  const tunedFor = (p: RpcProxy) => {
    const provider = new JsonRpcProvider(p.url, chainId, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
    providers.push(provider);
    return new Resolver(getEthrResolver({ networks: [{ name: "bench", chainId, registry: erc, provider: provider as never }] }));
  };
  const sigilDid = (a: Address) => `did:sigil:bench:${a.toLowerCase()}`;
  // The hex chain-id form: the named form (did:ethr:bench:) costs ethr-did-resolver a
  // getNetwork() round trip, which would flatter Sigil.
  const ethrDid = (a: Address) => `did:ethr:${toHex(chainId)}:${a}`;

  /** Times `run` (undefined = resolved, else why not) `runs` times within the budget. */
  async function measure(
    row: Pick<ProviderRow, "scenario" | "profile" | "resolver">,
    p: RpcProxy,
    run: () => Promise<string | undefined>,
    opts: { runs?: number; gapMs?: number; budgetMs?: number } = {},
  ) {
    const times: number[] = [];
    const stats: ReturnType<RpcProxy["stats"]>[] = [];
    let ok = 0;
    let error: string | undefined;
    const started = performance.now();
    for (let i = 0; i < (opts.runs ?? z.RUNS) && (i < z.MIN_RUNS || performance.now() - started < (opts.budgetMs ?? z.BUDGET_MS)); i++) {
      if (opts.gapMs) await sleep(opts.gapMs);
      p.reset();
      const t = performance.now();
      const why = await within(run(), 180_000).catch((e: Error) => `threw: ${e.message.slice(0, 160)}`);
      times.push(performance.now() - t);
      stats.push(p.stats());
      if (why === undefined) ok++;
      else error ??= why;
    }
    const m = (k: keyof (typeof stats)[number]) => median(stats.map((s) => s[k]));
    const out: ProviderRow = {
      ...row,
      runs: times.length,
      ok,
      error,
      sequentialRoundTrips: m("sequentialRoundTrips"),
      httpRequests: m("httpRequests"),
      calls: m("calls"),
      bytes: median(stats.map((s) => s.bytesIn + s.bytesOut)),
      refused: m("refused"),
      median: median(times),
      p95: p95(times),
    };
    bench.rows.push(out);
    console.error(
      `  providers [${((performance.now() - T0) / 1000).toFixed(0)} s] ${out.scenario} | ${out.profile} | ${out.resolver}: ${out.sequentialRoundTrips} seq RT, ${out.median.toFixed(0)} ms, ${out.ok}/${out.runs} ok${error ? ` (${error})` : ""}`,
    );
    return out;
  }
  const close = async () => {
    for (const p of providers) p.destroy();
    for (const p of proxies) await p.close().catch(() => undefined);
  };
  return { z, bench, chain, proxyFor, sigilFor, stockFor, tunedFor, sigilDid, ethrDid, measure, close };
}
type Contenders = ReturnType<typeof contenders>;

const judge = (row: ProviderRow | undefined, met: boolean, text: string) => row && (row.goal = { met: met && row.ok === row.runs, text });
/** An address that never changed. */
const Z = privateKeyToAccount(generatePrivateKey()).address;

/** The standard rows for one DID on one profile. */
async function contend(
  c: Contenders,
  scenario: string,
  profile: string,
  id: Address,
  opts: { cached?: boolean; ethr?: boolean; label?: string } = {},
) {
  const { z, bench, sigilFor, sigilDid, ethrDid, measure } = c;
  const p = await c.proxyFor(bench.profiles[profile]);
  const who = opts.label ? ` ${opts.label}` : "";
  const resolveWith = (r: { resolve(did: string): Promise<DIDResolutionResult> }, did: string) => async () => failure(await r.resolve(did));
  const rows: Record<string, ProviderRow> = {};
  // Each learning run is a new resolver's first resolution; the last one carries on as the
  // steady-state resolver, with whatever it learned.
  let steady = sigilFor(p);
  rows.learning = await measure(
    { scenario, profile, resolver: `sigil${who} (first, learning)` },
    p,
    () => resolveWith((steady = sigilFor(p)), sigilDid(id))(),
    { runs: z.LEARN },
  );
  rows.sigil = await measure({ scenario, profile, resolver: `sigil${who}` }, p, resolveWith(steady, sigilDid(id)));
  bench.health[`${scenario} / ${profile}${who}`] = await steady.health().catch((e: Error) => e.message);
  if (opts.cached) {
    const cached = sigilFor(p, true);
    await cached.resolve(sigilDid(id));
    rows.cached = await measure({ scenario, profile, resolver: `sigil${who} cached (default)` }, p, resolveWith(cached, sigilDid(id)));
  }
  if (opts.ethr !== false) {
    // Warmed up on a DID without history (ethers learns the network); then timed.
    const stock = c.stockFor(p);
    await stock.resolve(ethrDid(Z)).catch(() => undefined);
    // ethers answers a request identical to one sent in the last 250 ms from memory: space runs.
    rows.stock = await measure({ scenario, profile, resolver: `ethr stock${who}` }, p, resolveWith(stock, ethrDid(id)), {
      gapMs: 300,
      budgetMs: z.ETHR_BUDGET_MS,
    });
    const tuned = c.tunedFor(p);
    await tuned.resolve(ethrDid(Z)).catch(() => undefined);
    rows.tuned = await measure({ scenario, profile, resolver: `ethr tuned${who}` }, p, resolveWith(tuned, ethrDid(id)), {
      budgetMs: z.ETHR_BUDGET_MS,
    });
  }
  await p.close();
  return rows;
}

/** X: CHANGES changes spread over SPREAD blocks, on both registries; scenarios (b), (a) and (e). */
async function longChainScenarios(c: Contenders): Promise<Address> {
  const { z, chain } = c;
  const x = await chain.funded();
  const X = x.account.address;
  for (let i = 0; i < z.CHANGES; i++) {
    const [fn, args] = step(X, i);
    for (const registry of [chain.erc, chain.sigil]) await chain.call(x, registry, fn, args);
    await chain.rpc("hardhat_mine", [toHex(Math.floor(z.SPREAD / z.CHANGES))]);
  }
  // (b) before the long chain.
  const fresh: Record<string, Record<string, ProviderRow>> = {};
  for (const profile of ["uncapped", "goal (infura)"]) fresh[profile] = await contend(c, "b. fresh chain", profile, X);
  await chain.rpc("hardhat_mine", [toHex(z.LONG)]);
  for (const profile of ["uncapped", "goal (infura)"]) {
    const long = await contend(c, `b. after ${z.LONG.toLocaleString("en-US")} empty blocks`, profile, X);
    const ratio = long.sigil.median / fresh[profile].sigil.median;
    judge(long.sigil, ratio <= 1.5, `<= 1.5x the fresh chain's median: ${ratio.toFixed(2)}x`);
  }
  // (a) provider profiles on the long chain.
  for (const profile of Object.keys(c.bench.profiles)) {
    const rows = await contend(c, "a. profiles", profile, X, { cached: true });
    if (profile.startsWith("goal"))
      judge(
        rows.sigil,
        rows.sigil.sequentialRoundTrips <= 2,
        `<= 2 sequential round trips once caps are learned: ${rows.sigil.sequentialRoundTrips}`,
      );
    if (profile.startsWith("free"))
      judge(
        rows.sigil,
        rows.sigil.sequentialRoundTrips <= 3,
        `<= 3 sequential round trips on a 5-block cap: ${rows.sigil.sequentialRoundTrips}`,
      );
  }
  // (e) 0 changes.
  for (const profile of ["uncapped", "goal (infura)"]) {
    const rows = await contend(c, "e. 0 changes", profile, Z, { cached: true });
    const ratio = rows.sigil.median / rows.tuned.median;
    judge(rows.sigil, ratio <= 1, `no slower than tuned ethr: ${ratio.toFixed(2)}x its median`);
  }
  return X;
}

/** An identity committed to a next key, flooded with `flood` entries by the thief holding its key
 * (on both registries), then taken back: rotated with purge on Sigil, its owner changed on ERC-1056. */
async function recoveredIdentity(
  { publicClient, dev, wallet, funded, rpc, sigil, erc, call, rawSender, inOneBlock }: BenchChain,
  flood: number,
) {
  const target = { registry: sigil, publicClient: publicClient as PublicClient };
  const owner = await funded();
  const id = owner.account.address;
  const next = generateNextKey();
  await sendOperation(owner, target, { type: "commitNextOwner", identity: id, commitment: next.commitment });
  if (flood > 0) {
    const thief = await rawSender(owner.key); // the stolen key
    await inOneBlock(
      Array.from({ length: flood }, (_, i) => serviceAttribute("Messaging", `https://thief${i}.example`)).flatMap((svc) =>
        [erc, sigil].map((registry) => () => thief(registry, "setAttribute", [id, svc.name, svc.value, DAY])),
      ),
    );
  }
  await rpc("hardhat_mine", [toHex(10)]);
  await dev
    .sendTransaction({ to: next.address, value: parseEther("1"), chain: null })
    .then((hash) => publicClient.waitForTransactionReceipt({ hash }));
  await sendOperation(wallet(next.privateKey), target, {
    type: "rotate",
    identity: id,
    salt: next.salt,
    newOwner: next.address,
    nextCommitment: generateNextKey().commitment,
    purge: true,
    revokeDelegates: [],
    revokeAttributes: [],
  });
  await call(owner, erc, "changeOwner", [id, next.address]);
  return id;
}

/** (c) A thief holding the key floods FLOOD entries into one block; the owner's pre-committed next
 * key then rotates with purge on Sigil (ERC-1056 can only change the owner: the thief's entries
 * stay). The reference R goes through the same commit and purging rotation, without the flood. */
async function floodScenario(c: Contenders): Promise<Address> {
  const R = await recoveredIdentity(c.chain, 0);
  const F = await recoveredIdentity(c.chain, c.z.FLOOD);
  const cap = c.z.smoke ? 20 : 1_000; // under the flood
  const capped = `results <= ${cap.toLocaleString("en-US")} (alchemy)`;
  c.bench.profiles[capped] = { style: "alchemy", maxLogResults: cap };
  const reference = await contend(c, "c. flood then purge", capped, R, { ethr: false, label: "rotated, no flood" });
  const flooded = await contend(c, "c. flood then purge", capped, F, { label: "flooded + purged" });
  judge(
    flooded.sigil,
    flooded.sigil.sequentialRoundTrips <= reference.sigil.sequentialRoundTrips && flooded.sigil.median <= 1.5 * reference.sigil.median,
    `like the same rotation without the flood (round trips <=, median <= 1.5x): ${flooded.sigil.sequentialRoundTrips} vs ${reference.sigil.sequentialRoundTrips}, ${(flooded.sigil.median / reference.sigil.median).toFixed(2)}x`,
  );
  return F;
}

/** (d) BIG changes, 10 per block, with the client's CPU measured in a child process. */
async function bigHistoryScenario(c: Contenders): Promise<Address> {
  const { z, chain } = c;
  const big = await chain.funded();
  const K = big.account.address;
  const bigSend = await chain.rawSender(big.key);
  for (let b = 0; b < z.BIG / 10; b++) {
    await chain.inOneBlock(
      Array.from({ length: 10 }, (_, j) => b * 10 + j).flatMap((i) =>
        [chain.erc, chain.sigil].map((registry) => () => bigSend(registry, ...step(K, i))),
      ),
    );
  }
  const bigRows = await contend(c, `d. ${z.BIG.toLocaleString("en-US")} changes`, "uncapped", K);
  const cpuProxy = await c.proxyFor({ latencyMs: 0 });
  const cpu = await cpuInChild({
    url: cpuProxy.url,
    chainId: chain.chainId,
    sigil: chain.sigil,
    erc: chain.erc,
    sigilDid: c.sigilDid(K),
    ethrDid: c.ethrDid(K),
    runs: z.smoke ? 2 : 10,
    ethrRuns: z.smoke ? 1 : 3,
  });
  bigRows.sigil.cpuMs = cpu.sigil;
  bigRows.stock.cpuMs = cpu.stock;
  bigRows.tuned.cpuMs = cpu.tuned;
  c.bench.decodeAndDocumentMs = cpu.decodeAndDocument;
  // Issue #15 profiled main at 1,000 changes: log decoding 22 ms and the document 10 ms per
  // resolution; the goal is at least 3x less. Judged on the same two steps, timed alone on this
  // DID's logs (the process total above also holds HTTP, JSON parsing and GC). Tiny smoke sizes
  // are all fixed cost, so only a full run is judged.
  if (!z.smoke)
    judge(
      bigRows.sigil,
      cpu.decodeAndDocument <= 32 / 3,
      `log decoding + document <= 1/3 of the 32 ms profiled before: ${cpu.decodeAndDocument.toFixed(1)} ms (${((cpu.decodeAndDocument / z.BIG) * 1000).toFixed(1)} µs per change)`,
    );
  await contend(c, `d. ${z.BIG.toLocaleString("en-US")} changes`, "goal (infura)", K, { ethr: false });
  return K;
}

/** (f) CONTACTS DIDs at once: through did-resolver (Promise.all) vs resolveMany. */
async function contactsScenario(c: Contenders, known: Address[]) {
  const { z, sigilFor, sigilDid, ethrDid, measure } = c;
  const contacts: Address[] = [
    ...known,
    ...Array.from({ length: z.CONTACTS - 4 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, "0")}` as Address),
  ];
  const groupRuns = z.smoke ? 1 : 5;
  const ethrGroupRuns = z.smoke ? 1 : 2; // 10-30 s each
  const all = (results: DIDResolutionResult[]) => {
    const failed = results.map(failure).filter((f) => f !== undefined);
    return failed.length ? `${failed.length} of ${results.length} failed, first: ${failed[0]}` : undefined;
  };
  for (const profile of ["uncapped", "goal (infura)"]) {
    const p = await c.proxyFor(c.bench.profiles[profile]);
    const scenario = `f. ${z.CONTACTS.toLocaleString("en-US")} contacts`;
    const many = await measure(
      { scenario, profile, resolver: "sigil resolveMany" },
      p,
      async () => all(await sigilFor(p).resolveMany(contacts.map(sigilDid))),
      { runs: groupRuns },
    );
    const viaDidResolver = await measure(
      { scenario, profile, resolver: "sigil via did-resolver, Promise.all" },
      p,
      async () => {
        const resolver = new Resolver(sigilFor(p).plugin());
        return all(await Promise.all(contacts.map((a) => resolver.resolve(sigilDid(a)))));
      },
      { runs: groupRuns },
    );
    judge(
      viaDidResolver,
      viaDidResolver.median <= 1.5 * many.median && viaDidResolver.sequentialRoundTrips <= many.sequentialRoundTrips,
      `group speed without resolveMany (median <= 1.5x, round trips <=): ${(viaDidResolver.median / many.median).toFixed(2)}x, ${viaDidResolver.sequentialRoundTrips} vs ${many.sequentialRoundTrips}`,
    );
    const stock = c.stockFor(p);
    await stock.resolve(ethrDid(Z)).catch(() => undefined);
    await measure(
      { scenario, profile, resolver: "ethr stock, Promise.all" },
      p,
      async () => all(await Promise.all(contacts.map((a) => stock.resolve(ethrDid(a))))),
      { runs: ethrGroupRuns, gapMs: 300, budgetMs: z.ETHR_BUDGET_MS },
    );
    const tuned = c.tunedFor(p);
    await tuned.resolve(ethrDid(Z)).catch(() => undefined);
    await measure(
      { scenario, profile, resolver: "ethr tuned, Promise.all" },
      p,
      async () => all(await Promise.all(contacts.map((a) => tuned.resolve(ethrDid(a))))),
      { runs: ethrGroupRuns, budgetMs: z.ETHR_BUDGET_MS },
    );
    await p.close();
  }
}

export async function measureProviders({ smoke }: { smoke: boolean }): Promise<ProviderBench> {
  const z = sizes(smoke);
  const profiles = providerProfiles(smoke);
  const runs = smoke
    ? "one run per row (smoke)"
    : `up to ${z.RUNS} runs per row, stopping after ${z.BUDGET_MS / 1000} s once ${z.MIN_RUNS} are done (ethr-did-resolver rows: after ${z.ETHR_BUDGET_MS / 1000} s); ${z.LEARN} new resolvers for "first, learning"; groups 5 runs (ethr-did-resolver 2)`;
  const bench: ProviderBench = {
    runs,
    latencyMs: LATENCY_MS,
    longChainBlocks: z.LONG,
    changes: z.CHANGES,
    spreadBlocks: z.SPREAD,
    flood: z.FLOOD,
    bigChanges: z.BIG,
    contacts: z.CONTACTS,
    profiles,
    rows: [],
    health: {},
  };
  const node = await startHardhatNode();
  let c: Contenders | undefined;
  try {
    c = contenders(node.url, await benchChain(node.url), z, bench);
    const X = await longChainScenarios(c);
    const F = await floodScenario(c);
    const K = await bigHistoryScenario(c);
    await contactsScenario(c, [X, F, K, Z]);
  } finally {
    await c?.close();
    await node.stop();
  }
  return bench;
}

type CpuConfig = {
  url: string;
  chainId: number;
  sigil: Address;
  erc: Address;
  sigilDid: string;
  ethrDid: string;
  runs: number;
  ethrRuns: number;
};

/** Client CPU per resolution, ms, measured in a child process: the emulator and the node run
 * elsewhere, so process.cpuUsage() there is the resolver's alone. */
function cpuInChild(cfg: CpuConfig): Promise<{ sigil: number; stock: number; tuned: number; decodeAndDocument: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [import.meta.filename, "--cpu-child", JSON.stringify(cfg)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (err += c));
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!)) : reject(new Error(`cpu child exited ${code}: ${err}`)),
    );
  });
}

async function cpuChild(cfg: CpuConfig) {
  const sigil = createSigilResolver({
    networks: [{ chainId: cfg.chainId, name: "bench", registry: cfg.sigil, rpcUrls: [cfg.url] }],
    cache: false,
  });
  const stock = new Resolver(getEthrResolver({ networks: [{ name: "bench", chainId: cfg.chainId, registry: cfg.erc, rpcUrl: cfg.url }] }));
  const provider = new JsonRpcProvider(cfg.url, cfg.chainId, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
  const tuned = new Resolver(
    getEthrResolver({ networks: [{ name: "bench", chainId: cfg.chainId, registry: cfg.erc, provider: provider as never }] }),
  );
  const cpuOf = async (resolve: () => Promise<DIDResolutionResult>, runs: number, gapMs = 0) => {
    if (failure(await resolve())) return NaN; // warm-up; a failing resolver has no CPU figure
    let used = 0;
    for (let i = 0; i < runs; i++) {
      if (gapMs) await sleep(gapMs); // past ethers' 250 ms response cache (idle: no CPU)
      const before = process.cpuUsage();
      await resolve();
      const d = process.cpuUsage(before);
      used += (d.user + d.system) / 1000;
    }
    return used / runs;
  };
  // Decoding and the document alone, on the logs the resolver reads (median of warm runs).
  const identity = cfg.sigilDid.split(":").pop() as Address;
  const answer = (await (
    await fetch(cfg.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "eth_getLogs",
        params: [{ address: cfg.sigil, topics: [null, pad(identity)], fromBlock: "0x0", toBlock: "latest" }],
      }),
    })
  ).json()) as { result: RawLog[] };
  const head = await createPublicClient({ transport: http(cfg.url) }).getBlock();
  const fold = () =>
    buildDocument({
      did: cfg.sigilDid,
      address: identity,
      chainId: cfg.chainId,
      events: decodeRegistryLogs(answer.result),
      at: { blockNumber: head.number, timestamp: head.timestamp },
    });
  const folds: number[] = [];
  for (let i = 0; i < 5 + cfg.runs * 3; i++) {
    const t = performance.now();
    fold();
    if (i >= 5) folds.push(performance.now() - t);
  }
  const out = {
    decodeAndDocument: median(folds),
    sigil: await cpuOf(() => sigil.resolve(cfg.sigilDid), cfg.runs),
    stock: await cpuOf(() => stock.resolve(cfg.ethrDid), cfg.ethrRuns, 300),
    tuned: await cpuOf(() => tuned.resolve(cfg.ethrDid), cfg.ethrRuns),
  };
  provider.destroy();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (process.argv[2] === "--cpu-child" && process.argv[1] === import.meta.filename) await cpuChild(JSON.parse(process.argv[3]) as CpuConfig);

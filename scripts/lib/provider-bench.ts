// Resolution on emulated public providers (issue #15), for `npm run bench`: a separate `hardhat
// node` mined to a long chain, the loopback emulator of scripts/lib/rpc-proxy.ts in front of it
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
import { bytes32Name, createSigilResolver, generateNextKey, sendOperation, serviceAttribute, sigilRegistryAbi, type RawLog, type SigilResolver } from "sigil-did";
import { buildDocument, decodeRegistryLogs } from "sigil-did/internal";
import { devChain } from "./dev-chain.ts";
import { startHardhatNode } from "./hardhat-node.ts";
import { startRpcProxy, type ProxyOptions, type RpcProxy } from "./rpc-proxy.ts";

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
  r.didResolutionMetadata.error ? `${r.didResolutionMetadata.error}: ${String(r.didResolutionMetadata.message ?? "").slice(0, 160)}` : undefined;

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

export async function measureProviders({ smoke }: { smoke: boolean }): Promise<ProviderBench> {
  const RUNS = smoke ? 1 : 20;
  const LEARN = smoke ? 1 : 5;
  const MIN_RUNS = smoke ? 1 : 3;
  const BUDGET_MS = smoke ? 1_500 : 12_000;
  const ETHR_BUDGET_MS = smoke ? 1_500 : 8_000; // ethr-did-resolver walks: seconds per resolution
  const LONG = smoke ? 10_000 : 10_000_000;
  const CHANGES = smoke ? 3 : 100;
  const SPREAD = smoke ? 30 : 10_000;
  const FLOOD = smoke ? 50 : 1_200;
  const BIG = smoke ? 20 : 1_000;
  const CONTACTS = smoke ? 20 : 1_000;
  const profiles = providerProfiles(smoke);
  const runs = smoke
    ? "one run per row (smoke)"
    : `up to ${RUNS} runs per row, stopping after ${BUDGET_MS / 1000} s once ${MIN_RUNS} are done (ethr-did-resolver rows: after ${ETHR_BUDGET_MS / 1000} s); ${LEARN} new resolvers for "first, learning"; groups 5 runs (ethr-did-resolver 2)`;
  const bench: ProviderBench = { runs, latencyMs: LATENCY_MS, longChainBlocks: LONG, changes: CHANGES, spreadBlocks: SPREAD, flood: FLOOD, bigChanges: BIG, contacts: CONTACTS, profiles, rows: [], health: {} };
  const T0 = performance.now();
  const node = await startHardhatNode();
  const proxies: RpcProxy[] = [];
  const providers: JsonRpcProvider[] = [];
  try {
    const { publicClient, dev, deploySigil, deployErc1056, wallet } = devChain(node.url);
    /** A fresh key, its wallet and 10 ETH. */
    const funded = async () => {
      const key = generatePrivateKey();
      const w = wallet(key);
      await publicClient.waitForTransactionReceipt({ hash: await dev.sendTransaction({ to: w.account.address, value: parseEther("10"), chain: null }) });
      return Object.assign(w, { key });
    };
    const rpc = (method: string, params: unknown[] = []) => publicClient.request({ method, params } as never) as Promise<unknown>;
    const [sigil, erc] = [await deploySigil(), await deployErc1056()];
    const chainId = await publicClient.getChainId();
    const hexChain = toHex(chainId);
    const call = async (w: Awaited<ReturnType<typeof funded>>, registry: Address, fn: string, args: readonly unknown[]) =>
      publicClient.waitForTransactionReceipt({ hash: await w.writeContract({ address: registry, abi: sigilRegistryAbi, functionName: fn as never, args: args as never, chain: null }) });
    // The same cycle of operations as the resolution section of scripts/bench.ts.
    const step = (id: Address, i: number): [string, readonly unknown[]] => {
      const svc = serviceAttribute("Messaging", `https://m${i}.example`);
      const prev = serviceAttribute("Messaging", `https://m${i - 1}.example`);
      return i % 4 === 0 ? ["setAttribute", [id, svc.name, svc.value, DAY]]
        : i % 4 === 1 ? ["addDelegate", [id, bytes32Name("veriKey"), `0x${(i + 7).toString(16).padStart(40, "0")}`, DAY]]
        : i % 4 === 2 ? ["revokeAttribute", [id, prev.name, prev.value]]
        : ["setAttribute", [id, bytes32Name("did/pub/Ed25519/veriKey/hex"), `0x${(i % 256).toString(16).padStart(2, "0").repeat(32)}`, DAY]];
    };
    /** Many transactions in few blocks: signed here with explicit nonces, mined with evm_mine. */
    const rawSender = async (key: Hex) => {
      const account = privateKeyToAccount(key);
      let nonce = await publicClient.getTransactionCount({ address: account.address, blockTag: "pending" });
      const base = (await publicClient.getBlock()).baseFeePerGas ?? 1n;
      return async (to: Address, fn: string, args: readonly unknown[]) => {
        const data = encodeFunctionData({ abi: sigilRegistryAbi, functionName: fn as never, args: args as never });
        const tx = await account.signTransaction({ to, data, nonce: nonce++, gas: 300_000n, maxFeePerGas: base * 4n + 1_000_000_000n, maxPriorityFeePerGas: 0n, chainId, type: "eip1559" });
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

    const proxyFor = async (options: ProxyOptions) => {
      const p = await startRpcProxy(node.url, { latencyMs: LATENCY_MS, ...options });
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
    const ethrDid = (a: Address) => `did:ethr:${hexChain}:${a}`;

    /** Times `run` (undefined = resolved, else why not) `runs` times within the budget. */
    async function measure(row: Pick<ProviderRow, "scenario" | "profile" | "resolver">, p: RpcProxy, run: () => Promise<string | undefined>, opts: { runs?: number; gapMs?: number; budgetMs?: number } = {}) {
      const times: number[] = [];
      const stats: ReturnType<RpcProxy["stats"]>[] = [];
      let ok = 0;
      let error: string | undefined;
      const started = performance.now();
      for (let i = 0; i < (opts.runs ?? RUNS) && (i < MIN_RUNS || performance.now() - started < (opts.budgetMs ?? BUDGET_MS)); i++) {
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
      const out: ProviderRow = { ...row, runs: times.length, ok, error, sequentialRoundTrips: m("sequentialRoundTrips"), httpRequests: m("httpRequests"), calls: m("calls"), bytes: median(stats.map((s) => s.bytesIn + s.bytesOut)), refused: m("refused"), median: median(times), p95: p95(times) };
      bench.rows.push(out);
      console.error(`  providers [${((performance.now() - T0) / 1000).toFixed(0)} s] ${out.scenario} | ${out.profile} | ${out.resolver}: ${out.sequentialRoundTrips} seq RT, ${out.median.toFixed(0)} ms, ${out.ok}/${out.runs} ok${error ? ` (${error})` : ""}`);
      return out;
    }
    /** The standard rows for one DID on one profile. */
    async function contend(scenario: string, profile: string, id: Address, opts: { cached?: boolean; ethr?: boolean; label?: string } = {}) {
      const p = await proxyFor(profiles[profile]);
      const who = opts.label ? ` ${opts.label}` : "";
      const resolveWith = (r: { resolve(did: string): Promise<DIDResolutionResult> }, did: string) => async () => failure(await r.resolve(did));
      const rows: Record<string, ProviderRow> = {};
      // Each learning run is a new resolver's first resolution; the last one carries on as the
      // steady-state resolver, with whatever it learned.
      let steady = sigilFor(p);
      rows.learning = await measure({ scenario, profile, resolver: `sigil${who} (first, learning)` }, p, () => resolveWith((steady = sigilFor(p)), sigilDid(id))(), { runs: LEARN });
      rows.sigil = await measure({ scenario, profile, resolver: `sigil${who}` }, p, resolveWith(steady, sigilDid(id)));
      bench.health[`${scenario} / ${profile}${who}`] = await steady.health().catch((e: Error) => e.message);
      if (opts.cached) {
        const cached = sigilFor(p, true);
        await cached.resolve(sigilDid(id));
        rows.cached = await measure({ scenario, profile, resolver: `sigil${who} cached (default)` }, p, resolveWith(cached, sigilDid(id)));
      }
      if (opts.ethr !== false) {
        // Warmed up on a DID without history (ethers learns the network); then timed.
        const stock = stockFor(p);
        await stock.resolve(ethrDid(Z)).catch(() => undefined);
        // ethers answers a request identical to one sent in the last 250 ms from memory: space runs.
        rows.stock = await measure({ scenario, profile, resolver: `ethr stock${who}` }, p, resolveWith(stock, ethrDid(id)), { gapMs: 300, budgetMs: ETHR_BUDGET_MS });
        const tuned = tunedFor(p);
        await tuned.resolve(ethrDid(Z)).catch(() => undefined);
        rows.tuned = await measure({ scenario, profile, resolver: `ethr tuned${who}` }, p, resolveWith(tuned, ethrDid(id)), { budgetMs: ETHR_BUDGET_MS });
      }
      await p.close();
      return rows;
    }
    const judge = (row: ProviderRow | undefined, met: boolean, text: string) => row && (row.goal = { met: met && row.ok === row.runs, text });

    const Z = privateKeyToAccount(generatePrivateKey()).address; // never changed
    // X: CHANGES changes spread over SPREAD blocks, on both registries.
    const x = await funded();
    const X = x.account.address;
    for (let i = 0; i < CHANGES; i++) {
      const [fn, args] = step(X, i);
      for (const registry of [erc, sigil]) await call(x, registry, fn, args);
      await rpc("hardhat_mine", [toHex(Math.floor(SPREAD / CHANGES))]);
    }
    // (b) before the long chain.
    const fresh: Record<string, Record<string, ProviderRow>> = {};
    for (const profile of ["uncapped", "goal (infura)"]) fresh[profile] = await contend("b. fresh chain", profile, X);
    await rpc("hardhat_mine", [toHex(LONG)]);
    for (const profile of ["uncapped", "goal (infura)"]) {
      const long = await contend(`b. after ${LONG.toLocaleString("en-US")} empty blocks`, profile, X);
      const ratio = long.sigil.median / fresh[profile].sigil.median;
      judge(long.sigil, ratio <= 1.5, `<= 1.5x the fresh chain's median: ${ratio.toFixed(2)}x`);
    }
    // (a) provider profiles on the long chain.
    for (const profile of Object.keys(profiles)) {
      const rows = await contend("a. profiles", profile, X, { cached: true });
      if (profile.startsWith("goal")) judge(rows.sigil, rows.sigil.sequentialRoundTrips <= 2, `<= 2 sequential round trips once caps are learned: ${rows.sigil.sequentialRoundTrips}`);
      if (profile.startsWith("free")) judge(rows.sigil, rows.sigil.sequentialRoundTrips <= 3, `<= 3 sequential round trips on a 5-block cap: ${rows.sigil.sequentialRoundTrips}`);
    }
    // (e) 0 changes.
    for (const profile of ["uncapped", "goal (infura)"]) {
      const rows = await contend("e. 0 changes", profile, Z, { cached: true });
      const ratio = rows.sigil.median / rows.tuned.median;
      judge(rows.sigil, ratio <= 1, `no slower than tuned ethr: ${ratio.toFixed(2)}x its median`);
    }

    // (c) A thief holding the key floods FLOOD entries into one block (on both registries); the
    // owner's pre-committed next key then rotates with purge on Sigil (ERC-1056 can only change
    // the owner: the thief's entries stay).
    // The reference R goes through the same commit and purging rotation, without the flood.
    const target = { registry: sigil, publicClient: publicClient as PublicClient };
    const recovered = async (flood: number) => {
      const owner = await funded();
      const id = owner.account.address;
      const next = generateNextKey();
      await sendOperation(owner, target, { type: "commitNextOwner", identity: id, commitment: next.commitment });
      if (flood > 0) {
        const thief = await rawSender(owner.key); // the stolen key
        await inOneBlock(Array.from({ length: flood }, (_, i) => serviceAttribute("Messaging", `https://thief${i}.example`)).flatMap((svc) =>
          [erc, sigil].map((registry) => () => thief(registry, "setAttribute", [id, svc.name, svc.value, DAY]))));
      }
      await rpc("hardhat_mine", [toHex(10)]);
      await dev.sendTransaction({ to: next.address, value: parseEther("1"), chain: null }).then((hash) => publicClient.waitForTransactionReceipt({ hash }));
      await sendOperation(wallet(next.privateKey), target, {
        type: "rotate", identity: id, salt: next.salt, newOwner: next.address, nextCommitment: generateNextKey().commitment, purge: true, revokeDelegates: [], revokeAttributes: [],
      });
      await call(owner, erc, "changeOwner", [id, next.address]);
      return id;
    };
    const R = await recovered(0);
    const F = await recovered(FLOOD);
    const cap = smoke ? 20 : 1_000; // under the flood
    const capped = `results <= ${cap.toLocaleString("en-US")} (alchemy)`;
    profiles[capped] = { style: "alchemy", maxLogResults: cap };
    const reference = await contend("c. flood then purge", capped, R, { ethr: false, label: "rotated, no flood" });
    const flooded = await contend("c. flood then purge", capped, F, { label: "flooded + purged" });
    judge(flooded.sigil, flooded.sigil.sequentialRoundTrips <= reference.sigil.sequentialRoundTrips && flooded.sigil.median <= 1.5 * reference.sigil.median,
      `like the same rotation without the flood (round trips <=, median <= 1.5x): ${flooded.sigil.sequentialRoundTrips} vs ${reference.sigil.sequentialRoundTrips}, ${(flooded.sigil.median / reference.sigil.median).toFixed(2)}x`);

    // (d) BIG changes, 10 per block.
    const big = await funded();
    const K = big.account.address;
    const bigSend = await rawSender(big.key);
    for (let b = 0; b < BIG / 10; b++) {
      await inOneBlock(Array.from({ length: 10 }, (_, j) => b * 10 + j).flatMap((i) => [erc, sigil].map((registry) => () => bigSend(registry, ...step(K, i)))));
    }
    const bigRows = await contend(`d. ${BIG.toLocaleString("en-US")} changes`, "uncapped", K);
    const cpuProxy = await proxyFor({ latencyMs: 0 });
    const cpu = await cpuInChild({ url: cpuProxy.url, chainId, sigil, erc, sigilDid: sigilDid(K), ethrDid: ethrDid(K), runs: smoke ? 2 : 10, ethrRuns: smoke ? 1 : 3 });
    bigRows.sigil.cpuMs = cpu.sigil;
    bigRows.stock.cpuMs = cpu.stock;
    bigRows.tuned.cpuMs = cpu.tuned;
    bench.decodeAndDocumentMs = cpu.decodeAndDocument;
    // Issue #15 profiled main at 1,000 changes: log decoding 22 ms and the document 10 ms per
    // resolution; the goal is at least 3x less. Judged on the same two steps, timed alone on this
    // DID's logs (the process total above also holds HTTP, JSON parsing and GC). Tiny smoke sizes
    // are all fixed cost, so only a full run is judged.
    if (!smoke) judge(bigRows.sigil, cpu.decodeAndDocument <= 32 / 3, `log decoding + document <= 1/3 of the 32 ms profiled before: ${cpu.decodeAndDocument.toFixed(1)} ms (${((cpu.decodeAndDocument / BIG) * 1000).toFixed(1)} µs per change)`);
    await contend(`d. ${BIG.toLocaleString("en-US")} changes`, "goal (infura)", K, { ethr: false });

    // (f) CONTACTS DIDs at once: through did-resolver (Promise.all) vs resolveMany.
    const contacts: Address[] = [X, F, K, Z, ...Array.from({ length: CONTACTS - 4 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, "0")}` as Address)];
    const groupRuns = smoke ? 1 : 5;
    const ethrGroupRuns = smoke ? 1 : 2; // 10-30 s each
    const all = (results: DIDResolutionResult[]) => {
      const failed = results.map(failure).filter((f) => f !== undefined);
      return failed.length ? `${failed.length} of ${results.length} failed, first: ${failed[0]}` : undefined;
    };
    for (const profile of ["uncapped", "goal (infura)"]) {
      const p = await proxyFor(profiles[profile]);
      const scenario = `f. ${CONTACTS.toLocaleString("en-US")} contacts`;
      const many = await measure({ scenario, profile, resolver: "sigil resolveMany" }, p, async () => all(await sigilFor(p).resolveMany(contacts.map(sigilDid))), { runs: groupRuns });
      const viaDidResolver = await measure({ scenario, profile, resolver: "sigil via did-resolver, Promise.all" }, p, async () => {
        const resolver = new Resolver(sigilFor(p).plugin());
        return all(await Promise.all(contacts.map((a) => resolver.resolve(sigilDid(a)))));
      }, { runs: groupRuns });
      judge(viaDidResolver, viaDidResolver.median <= 1.5 * many.median && viaDidResolver.sequentialRoundTrips <= many.sequentialRoundTrips,
        `group speed without resolveMany (median <= 1.5x, round trips <=): ${(viaDidResolver.median / many.median).toFixed(2)}x, ${viaDidResolver.sequentialRoundTrips} vs ${many.sequentialRoundTrips}`);
      const stock = stockFor(p);
      await stock.resolve(ethrDid(Z)).catch(() => undefined);
      await measure({ scenario, profile, resolver: "ethr stock, Promise.all" }, p, async () => all(await Promise.all(contacts.map((a) => stock.resolve(ethrDid(a))))), { runs: ethrGroupRuns, gapMs: 300, budgetMs: ETHR_BUDGET_MS });
      const tuned = tunedFor(p);
      await tuned.resolve(ethrDid(Z)).catch(() => undefined);
      await measure({ scenario, profile, resolver: "ethr tuned, Promise.all" }, p, async () => all(await Promise.all(contacts.map((a) => tuned.resolve(ethrDid(a))))), { runs: ethrGroupRuns, budgetMs: ETHR_BUDGET_MS });
      await p.close();
    }
  } finally {
    for (const p of providers) p.destroy();
    for (const p of proxies) await p.close().catch(() => undefined);
    await node.stop();
  }
  return bench;
}

type CpuConfig = { url: string; chainId: number; sigil: Address; erc: Address; sigilDid: string; ethrDid: string; runs: number; ethrRuns: number };

/** Client CPU per resolution, ms, measured in a child process: the emulator and the node run
 * elsewhere, so process.cpuUsage() there is the resolver's alone. */
function cpuInChild(cfg: CpuConfig): Promise<{ sigil: number; stock: number; tuned: number; decodeAndDocument: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [import.meta.filename, "--cpu-child", JSON.stringify(cfg)], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (err += c));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!)) : reject(new Error(`cpu child exited ${code}: ${err}`))));
  });
}

async function cpuChild(cfg: CpuConfig) {
  const sigil = createSigilResolver({ networks: [{ chainId: cfg.chainId, name: "bench", registry: cfg.sigil, rpcUrls: [cfg.url] }], cache: false });
  const stock = new Resolver(getEthrResolver({ networks: [{ name: "bench", chainId: cfg.chainId, registry: cfg.erc, rpcUrl: cfg.url }] }));
  const provider = new JsonRpcProvider(cfg.url, cfg.chainId, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
  const tuned = new Resolver(getEthrResolver({ networks: [{ name: "bench", chainId: cfg.chainId, registry: cfg.erc, provider: provider as never }] }));
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
  const answer = (await (await fetch(cfg.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getLogs", params: [{ address: cfg.sigil, topics: [null, pad(identity)], fromBlock: "0x0", toBlock: "latest" }] }) })).json()) as { result: RawLog[] };
  const head = await createPublicClient({ transport: http(cfg.url) }).getBlock();
  const fold = () => buildDocument({ did: cfg.sigilDid, address: identity, chainId: cfg.chainId, events: decodeRegistryLogs(answer.result), at: { blockNumber: head.number, timestamp: head.timestamp } });
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

/** The section of docs/benchmarks.md. */
export function renderProviders(b: ProviderBench, smoke: boolean): string[] {
  const n = (x: number) => (Number.isFinite(x) ? (Number.isInteger(x) ? String(x) : x.toFixed(1)) : "–");
  const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(x < 10 ? 2 : 0)} ms` : "–");
  const kb = (x: number) => (Number.isFinite(x) ? `${(x / 1024).toFixed(1)} KB` : "–");
  const caps = (o: ProxyOptions) =>
    [o.style && `${o.style} style`, o.maxLogRange && `${o.maxLogRange.toLocaleString("en-US")} blocks per getLogs`, o.maxLogResults && `${o.maxLogResults.toLocaleString("en-US")} logs per answer`,
      o.maxBatch && `batches of ${o.maxBatch.toLocaleString("en-US")}`, o.omitBlockTimestamp && "logs without blockTimestamp",
      o.slowLogs && `getLogs over ${o.slowLogs.overBlocks.toLocaleString("en-US")} blocks answer after ${o.slowLogs.delayMs} ms`].filter(Boolean).join(", ") || "no caps";
  const scenarios = [...new Set(b.rows.map((r) => r.scenario))];
  const out = [
    "## Resolution on public-provider profiles (issue #15)",
    "",
    `A second \`hardhat node\`, mined to ${b.longChainBlocks.toLocaleString("en-US")} blocks, behind the loopback provider emulator (scripts/lib/rpc-proxy.ts): every HTTP request answers ${b.latencyMs} ms late (the internet round trip), and each profile's caps are refused with the error codes, messages and HTTP statuses the named provider sends (scripts/lib/provider-styles.ts cites where each was seen). Sigil runs in its default configuration: nothing preset, caps learned from the refusals; cache off except in the "cached" rows. "first, learning" is a new resolver's first resolution (median over new resolvers); the other Sigil rows come after it, on the same resolver. ethr-did-resolver stock (\`rpcUrl\`) and tuned (static network, no batching, no response cache), with hex chain-id DIDs (\`did:ethr:0x7a69:…\`; the named form costs it a getNetwork round trip). Sequential round trips: the longest chain of HTTP requests each sent after the previous one was answered (the critical path the emulator records); bytes: request and answer bodies. Medians per run: ${b.runs}; the "resolved" column counts runs that resolved (a group run counts when every DID did). Goals are judged from these measurements, never asserted.`,
    "",
    `DIDs: ${b.changes} changes spread over ${b.spreadBlocks.toLocaleString("en-US")} blocks before the long chain (a, b); a flood of ${b.flood.toLocaleString("en-US")} entries in one block, then a rotation with purge by the pre-committed next key, beside a DID that went through the same commit and rotation without the flood (c; on ERC-1056 the owner can only change the owner); ${b.bigChanges.toLocaleString("en-US")} changes, 10 per block (d); a DID with no change (e); ${b.contacts.toLocaleString("en-US")} contacts, mostly without history (f). Profiles:`,
    "",
    ...Object.entries(b.profiles).map(([name, o]) => `- **${name}**: ${caps(o)}`),
    "",
  ];
  for (const scenario of scenarios) {
    const rows = b.rows.filter((r) => r.scenario === scenario);
    const cpu = rows.some((r) => r.cpuMs !== undefined);
    out.push(
      `### ${scenario}`,
      "",
      `| profile | resolver | sequential round trips | HTTP requests | calls | bytes | median | p95 | refused calls | resolved |${cpu ? " client CPU |" : ""} goal |`,
      `|---|---|---:|---:|---:|---:|---:|---:|---:|---:|${cpu ? "---:|" : ""}---|`,
      ...rows.map((r) =>
        `| ${r.profile} | ${r.resolver} | ${n(r.sequentialRoundTrips)} | ${n(r.httpRequests)} | ${n(r.calls)} | ${kb(r.bytes)} | ${ms(r.median)} | ${ms(r.p95)} | ${n(r.refused)} | ${r.ok}/${r.runs}${r.error ? ` (${r.error.replace(/\|/g, "/").replace(/\s+/g, " ")})` : ""} |${cpu ? ` ${r.cpuMs === undefined ? "" : ms(r.cpuMs)} |` : ""} ${r.goal ? `${r.goal.met ? "met" : "**missed**"}: ${r.goal.text}` : ""} |`),
      "",
    );
    if (cpu) {
      out.push(
        `Client CPU: \`process.cpuUsage()\` per resolution in a separate process (every thread: HTTP, JSON parsing and GC included; no emulated latency), mean of warm runs. Sigil's log decoding and document alone, on the same logs: ${b.decodeAndDocumentMs === undefined ? "–" : ms(b.decodeAndDocumentMs)} (median of warm runs).`,
        "",
      );
    }
  }
  return out;
}

if (process.argv[2] === "--cpu-child" && process.argv[1] === import.meta.filename) await cpuChild(JSON.parse(process.argv[3]) as CpuConfig);

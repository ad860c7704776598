// First contact in a crowd (issue 23), side by side with a plain resolution in one run on one
// `hardhat node`: a registry of 200 identities with a published inbox each; a contact resolved
// plainly, among k = 8, 32 (the default) and 64 decoys, and verified among 32; caches off, so
// every resolution reads the chain as a first contact does. Per resolution: latency, round trips,
// JSON-RPC calls, bytes sent and received, client CPU; and the decoy pool's one-off read (the
// registry's recent logs by address alone, kept ten minutes). Runnable alone (`npm run
// bench:crowd`, writes docs/crowd-bench.json); `npm run bench` runs it too.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSigilResolver, sendOperation, serviceAttribute, type SigilNetwork, type SigilResolver } from "sigil-did";
import type { Address } from "viem";
import { devChain } from "../../test/support/dev-chain.ts";
import { startHardhatNode } from "../../test/support/hardhat-node.ts";
import { sequentialRoundTrips, startRpcProxy, type RpcProxy } from "../../test/support/rpc-proxy.ts";

export interface CrowdRow {
  mode: string;
  /** Identities each request names the contact among (1: plain). */
  hiddenAmong: number;
  medianMs: number;
  roundTrips: number;
  calls: number;
  kbSent: number;
  kbReceived: number;
  cpuMs: number;
}
export interface CrowdBench {
  identities: number;
  rows: CrowdRow[];
  pool: { ms: number; kbReceived: number; identities: number };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function measureCrowd({ smoke = false } = {}): Promise<CrowdBench> {
  const size = smoke ? 40 : 200;
  const runs = smoke ? 3 : 20;
  const node = await startHardhatNode();
  const proxies: RpcProxy[] = [];
  try {
    const chain = devChain(node.url);
    const registry = await chain.deploySigil();
    const identities = await register(chain, registry, size);
    const target = identities[0];
    const proxy = async () => {
      const p = await startRpcProxy(node.url);
      proxies.push(p);
      return p;
    };
    const modes: [string, number, Partial<SigilNetwork>][] = [
      ["plain", 1, {}],
      ["crowd k = 8", 9, { crowd: { k: 8 } }],
      ["crowd k = 32", 33, { crowd: { k: 32 } }],
      ...(smoke ? [] : ([["crowd k = 64", 65, { crowd: { k: 64 } }]] as [string, number, Partial<SigilNetwork>][])),
      ["verified", 1, { verify: { k: 1 } }],
      ["verified, crowd k = 32", 33, { verify: { k: 1 }, crowd: { k: 32 } }],
    ];
    const rows: CrowdRow[] = [];
    let pool: CrowdBench["pool"] = { ms: 0, kbReceived: 0, identities: size };
    for (const [mode, hiddenAmong, extra] of modes) {
      const p = await proxy();
      const resolver = createSigilResolver({
        networks: [{ chainId: 31337, name: "bench", registry, rpcUrls: [p.url], ...extra }],
        cache: false,
      });
      const did = `did:sigil:bench:${target.toLowerCase()}`;
      // The first lookup reads the decoy pool too: measured once, apart.
      const t = performance.now();
      await resolver.resolve(did);
      if (mode === "crowd k = 32") pool = { ms: performance.now() - t, kbReceived: p.bytesOut / 1024, identities: size };
      rows.push({ mode, hiddenAmong, ...(await measure(resolver, did, p, runs)) });
    }
    return { identities: size, rows, pool };
  } finally {
    await Promise.all(proxies.map((p) => p.close()));
    await node.stop();
  }
}

/** `n` identities, each publishing an inbox (one change): every one a plausible contact. */
async function register(chain: ReturnType<typeof devChain>, registry: Address, n: number): Promise<Address[]> {
  type Wallet = Awaited<ReturnType<typeof chain.funded>>;
  const wallets: Wallet[] = [];
  for (let i = 0; i < n; i++) wallets.push(await chain.funded());
  const write = (w: Wallet, i: number) =>
    sendOperation(
      w,
      { registry, publicClient: chain.publicClient },
      {
        type: "setAttribute",
        identity: w.account.address,
        ...serviceAttribute("Inbox", `https://inbox.example/${i}`),
        validity: 31_536_000n,
      },
    );
  for (let i = 0; i < n; i += 20) await Promise.all(wallets.slice(i, i + 20).map((w, j) => write(w, i + j)));
  return wallets.map((w) => w.account.address);
}

async function measure(resolver: SigilResolver, did: string, p: RpcProxy, runs: number) {
  for (let i = 0; i < 2; i++) await resolver.resolve(did);
  const [times, trips, cpu] = [[] as number[], [] as number[], [] as number[]];
  let [calls, sent, received] = [0, 0, 0];
  for (let i = 0; i < runs; i++) {
    p.reset();
    const [t, c] = [performance.now(), process.cpuUsage()];
    const r = await resolver.resolve(did);
    const used = process.cpuUsage(c);
    times.push(performance.now() - t);
    cpu.push((used.user + used.system) / 1000);
    if (r.didResolutionMetadata.error) throw new Error(`${did}: ${r.didResolutionMetadata.message}`);
    trips.push(sequentialRoundTrips(p.exchanges));
    calls += p.requests.length;
    sent += p.bytesIn;
    received += p.bytesOut;
  }
  return {
    medianMs: median(times),
    roundTrips: median(trips),
    calls: calls / runs,
    kbSent: sent / runs / 1024,
    kbReceived: received / runs / 1024,
    cpuMs: median(cpu),
  };
}

export function renderCrowd(b: CrowdBench): string {
  const base = (r: CrowdRow) => b.rows.find((x) => x.mode === (r.mode.startsWith("verified") ? "verified" : "plain"))!;
  return [
    "| mode | hidden among | median | × plain | round trips | calls | sent | received | client CPU |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...b.rows.map(
      (r) =>
        `| ${r.mode} | ${r.hiddenAmong} | ${r.medianMs.toFixed(1)} ms | ${(r.medianMs / base(r).medianMs).toFixed(2)}x | ${r.roundTrips} | ${r.calls.toFixed(1)} | ${r.kbSent.toFixed(1)} KB | ${r.kbReceived.toFixed(1)} KB | ${r.cpuMs.toFixed(1)} ms |`,
    ),
    "",
    `The decoy pool (read once per ten minutes, with the first lookup): the registry's logs of the last 200,000 blocks by its address alone, ${b.pool.kbReceived.toFixed(1)} KB for ${b.pool.identities} identities; that first lookup took ${b.pool.ms.toFixed(1)} ms in all.`,
  ].join("\n");
}

if (process.argv[1] === import.meta.filename) {
  const bench = await measureCrowd({ smoke: process.argv.includes("--smoke") });
  console.log(renderCrowd(bench));
  if (!process.argv.includes("--smoke")) {
    const root = join(import.meta.dirname, "..", "..");
    writeFileSync(
      join(root, "docs", "crowd-bench.json"),
      JSON.stringify({ measuredAt: new Date().toISOString(), ...bench }, null, 2) + "\n",
    );
  }
}

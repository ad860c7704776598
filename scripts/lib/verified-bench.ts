// Verified resolution's cost (issue 22), side by side with the default (trusted) mode in one run
// on one `hardhat node`: round trips, latency, requests, bytes downloaded and client CPU per
// current-document resolution at 0, 10, 100 and 1,000 changes, the proof size per DID, and a
// batch of 1,000 DIDs. Trusted reads one endpoint; verified reads the same endpoint and trusts
// the header that endpoint and a second one serve (verify: { k: 2 }), the smallest honest quorum,
// with its default header reuse (2 s) and with the trust asked for every resolution.
// Both have their cache off: every resolution reads the chain. Runnable alone
// (`npm run bench:verified`, writes docs/verified-bench.json); `npm run bench` runs it too.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSigilResolver, serviceAttribute, type SigilResolver } from "sigil-did";
import type { Address, Hex } from "viem";
import { devChain } from "../../test/support/dev-chain.ts";
import { startHardhatNode } from "../../test/support/hardhat-node.ts";
import { sequentialRoundTrips, startRpcProxy, type RpcProxy } from "../../test/support/rpc-proxy.ts";
import { identitySlots, legacyNonceSlot } from "../../sdk/core/src/read/registry-storage.ts";

export interface VerifiedRow {
  changes: number;
  mode: "trusted" | "verified" | "verified, header each time";
  medianMs: number;
  roundTrips: number;
  requests: number;
  kbDownloaded: number;
  cpuMs: number;
}
export interface VerifiedBench {
  rows: VerifiedRow[];
  proofBytes: Record<number, number>;
  batch: { dids: number; trustedMs: number; verifiedMs: number; trustedKb: number; verifiedKb: number };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function measureVerified({ smoke = false } = {}): Promise<VerifiedBench> {
  const sizes = smoke ? [0, 10] : [0, 10, 100, 1000];
  const runs = smoke ? 3 : 20;
  const batchSize = smoke ? 50 : 1000;
  const node = await startHardhatNode();
  const proxies: RpcProxy[] = [];
  try {
    const chain = devChain(node.url);
    const registry = await chain.deploySigil();
    const identities = new Map<number, Address>();
    for (const n of sizes) identities.set(n, await writeChanges(chain, registry, n));
    const proxy = async () => {
      const p = await startRpcProxy(node.url);
      proxies.push(p);
      return p;
    };
    const [trustedProxy, reader, second, coldReader, coldSecond] = [
      await proxy(),
      await proxy(),
      await proxy(),
      await proxy(),
      await proxy(),
    ];
    const net = { chainId: 31337, name: "bench", registry };
    const trusted = createSigilResolver({ networks: [{ ...net, rpcUrls: [trustedProxy.url] }], cache: false });
    const verified = createSigilResolver({ networks: [{ ...net, rpcUrls: [reader.url, second.url], verify: { k: 2 } }], cache: false });
    // The trust asked for every resolution (the default reuses a trusted header for 2 s: a burst of lookups shares it).
    const cold = createSigilResolver({
      networks: [{ ...net, rpcUrls: [coldReader.url, coldSecond.url], verify: { k: 2, maxHeaderAgeMs: 0 } }],
      cache: false,
    });
    const rows: VerifiedRow[] = [];
    for (const n of sizes) {
      const did = `did:sigil:bench:${identities.get(n)!.toLowerCase()}`;
      rows.push(await measure(n, "trusted", trusted, did, [trustedProxy], runs));
      rows.push(await measure(n, "verified", verified, did, [reader, second], runs));
      rows.push(await measure(n, "verified, header each time", cold, did, [coldReader, coldSecond], runs));
    }
    const proofBytes: Record<number, number> = {};
    for (const n of sizes) proofBytes[n] = await proofSize(node.url, registry, identities.get(n)!);
    const batch = await measureBatch(trusted, verified, [trustedProxy], [reader, second], batchSize);
    return { rows, proofBytes, batch };
  } finally {
    await Promise.all(proxies.map((p) => p.close()));
    await node.stop();
  }
}

/** A fresh identity with `n` changes (services set and revoked, keys added), mined one per block. */
export async function writeChanges(chain: ReturnType<typeof devChain>, registry: Address, n: number): Promise<Address> {
  const w = await chain.funded();
  const abi = (await import("sigil-did")).sigilRegistryAbi;
  let last: Hex | undefined;
  for (let i = 0; i < n; i++) {
    const svc = serviceAttribute("Messaging", `https://m${i % 7}.example`);
    const fn = i % 3 === 2 ? "revokeAttribute" : "setAttribute";
    const args = fn === "setAttribute" ? [w.account.address, svc.name, svc.value, 86_400n] : [w.account.address, svc.name, svc.value];
    last = await w.writeContract({ address: registry, abi, functionName: fn as never, args: args as never, chain: null });
  }
  if (last) await chain.publicClient.waitForTransactionReceipt({ hash: last });
  return w.account.address;
}

async function measure(changes: number, mode: VerifiedRow["mode"], resolver: SigilResolver, did: string, at: RpcProxy[], runs: number) {
  for (let i = 0; i < 3; i++) await resolver.resolve(did);
  const [times, trips, cpu] = [[] as number[], [] as number[], [] as number[]];
  let [requests, bytes] = [0, 0];
  for (let i = 0; i < runs; i++) {
    at.forEach((p) => p.reset());
    const [t, c] = [performance.now(), process.cpuUsage()];
    const r = await resolver.resolve(did);
    const used = process.cpuUsage(c);
    times.push(performance.now() - t);
    cpu.push((used.user + used.system) / 1000);
    if (r.didResolutionMetadata.error) throw new Error(`${mode} at ${changes} changes: ${r.didResolutionMetadata.message}`);
    trips.push(sequentialRoundTrips(at.flatMap((p) => p.exchanges)));
    requests += at.reduce((s, p) => s + p.requests.length, 0);
    bytes += at.reduce((s, p) => s + p.bytesOut, 0);
  }
  return {
    changes,
    mode,
    medianMs: median(times),
    roundTrips: median(trips),
    requests: requests / runs,
    kbDownloaded: bytes / runs / 1024,
    cpuMs: median(cpu),
  };
}

/** Bytes of the eth_getProof answer a verified resolution of `identity` downloads. */
async function proofSize(url: string, registry: Address, identity: Address): Promise<number> {
  const slots = [...Object.values(identitySlots(identity)), legacyNonceSlot(identity)];
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getProof", params: [registry, slots, "latest"] });
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  return (await res.text()).length;
}

async function measureBatch(trusted: SigilResolver, verified: SigilResolver, t: RpcProxy[], v: RpcProxy[], size: number) {
  const dids = Array.from({ length: size }, (_, i) => `did:sigil:bench:0x${(i + 0x1000).toString(16).padStart(40, "0")}`);
  const run = async (resolver: SigilResolver, at: RpcProxy[]) => {
    at.forEach((p) => p.reset());
    const start = performance.now();
    const results = await resolver.resolveMany(dids);
    const failed = results.find((r) => r.didResolutionMetadata.error);
    if (failed) throw new Error(`batch: ${failed.didResolutionMetadata.message}`);
    return { ms: performance.now() - start, kb: at.reduce((s, p) => s + p.bytesOut, 0) / 1024 };
  };
  const [a, b] = [await run(trusted, t), await run(verified, v)];
  return { dids: size, trustedMs: a.ms, verifiedMs: b.ms, trustedKb: a.kb, verifiedKb: b.kb };
}

export function renderVerified(b: VerifiedBench): string {
  const find = (n: number, m: string) => b.rows.find((r) => r.changes === n && r.mode === m)!;
  const lines = [
    "| changes | mode | median | round trips | requests | downloaded | client CPU | verified / trusted latency |",
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...b.rows.map((r) => {
      const ratio = r.mode !== "trusted" ? `${(r.medianMs / find(r.changes, "trusted").medianMs).toFixed(2)}x` : "";
      return `| ${r.changes} | ${r.mode} | ${r.medianMs.toFixed(1)} ms | ${r.roundTrips} | ${r.requests.toFixed(1)} | ${r.kbDownloaded.toFixed(1)} KB | ${r.cpuMs.toFixed(1)} ms | ${ratio} |`;
    }),
    "",
    `Proof per DID (the eth_getProof answer, ${Object.keys(b.proofBytes).length} identities): ${Object.entries(b.proofBytes)
      .map(([n, bytes]) => `${(bytes / 1024).toFixed(1)} KB at ${n} changes`)
      .join(", ")}.`,
    `A batch of ${b.batch.dids} never-changed DIDs (resolveMany): trusted ${b.batch.trustedMs.toFixed(0)} ms, ${b.batch.trustedKb.toFixed(0)} KB; verified ${b.batch.verifiedMs.toFixed(0)} ms, ${b.batch.verifiedKb.toFixed(0)} KB.`,
  ];
  return lines.join("\n");
}

if (process.argv[1] === import.meta.filename) {
  const bench = await measureVerified({ smoke: process.argv.includes("--smoke") });
  const md = renderVerified(bench);
  console.log(md);
  if (!process.argv.includes("--smoke")) {
    const root = join(import.meta.dirname, "..", "..");
    writeFileSync(
      join(root, "docs", "verified-bench.json"),
      JSON.stringify({ measuredAt: new Date().toISOString(), ...bench }, null, 2) + "\n",
    );
  }
}

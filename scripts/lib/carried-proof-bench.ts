// Identity proofs carried with messages (issue 23), side by side with a lookup, on one `hardhat
// node`: per history length (changes since the identity's last purge), the encoded proof's size
// (bytes, and the base64url characters a message carries) next to the JSON material it is made
// from; the median time to verify it offline in Node (verifyIdentityProof: header confirmed by a
// local header store, the verified read replayed over the proof) and the requests that made (0);
// and, for comparison, the median latency of the 1-request lookup a recipient makes without a
// proof (the default mode's current document over loopback, cache off), and of a verified lookup.
// Runnable alone (`npm run bench:proof`, writes docs/carried-proof-bench.json); `npm run bench`
// runs it too.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { base64urlnopad } from "@scure/base";
import {
  createSigilResolver,
  createTrustedHeaderStore,
  proveIdentity,
  proveResolution,
  verifyIdentityProof,
  type SigilNetwork,
} from "sigil-did";
import { toHex, type Address, type Hex } from "viem";
import { devChain } from "../../test/support/dev-chain.ts";
import { startHardhatNode } from "../../test/support/hardhat-node.ts";
import { startRpcProxy } from "../../test/support/rpc-proxy.ts";
import { rpc } from "../../test/support/victim-history.ts";
import { writeChanges } from "./verified-bench.ts";

export interface CarriedProofRow {
  changes: number;
  proofBytes: number;
  proofChars: number;
  materialJsonBytes: number;
  offlineMedianMs: number;
  offlineRequests: number;
  lookupMedianMs: number;
  lookupRequests: number;
  verifiedLookupMedianMs: number;
  verifiedLookupRequests: number;
}
export interface CarriedProofBench {
  runs: number;
  rows: CarriedProofRow[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function measureCarriedProofs({ smoke = false } = {}): Promise<CarriedProofBench> {
  const sizes = smoke ? [0, 1] : [0, 1, 10, 100];
  const runs = smoke ? 3 : 30;
  const node = await startHardhatNode();
  const proxy = await startRpcProxy(node.url);
  try {
    const chain = devChain(node.url);
    const registry = await chain.deploySigil();
    const identities = new Map<number, Address>();
    for (const n of sizes) identities.set(n, await writeChanges(chain, registry, n));
    for (let i = 0; i < 3; i++) await rpc(node.url, "evm_mine");
    const network: SigilNetwork = { chainId: 31337, name: "bench", registry, rpcUrls: [proxy.url] };
    const config = { networks: [network], cache: false as const };
    // The recipient's trusted headers, as its watcher would hold them (read here from the node directly).
    const store = createTrustedHeaderStore();
    const head = BigInt((await rpc(node.url, "eth_blockNumber")) as Hex);
    for (let n = 0n; n <= head; n++) {
      const b = (await rpc(node.url, "eth_getBlockByNumber", [toHex(n), false])) as { hash: Hex; timestamp: Hex };
      store.add(31337, { number: n, hash: b.hash, timestamp: BigInt(b.timestamp) });
    }
    const at = Number(((await rpc(node.url, "eth_getBlockByNumber", ["latest", false])) as { timestamp: Hex }).timestamp);
    const lookup = createSigilResolver(config);
    const verifiedLookup = createSigilResolver({ networks: [{ ...network, verify: { k: 1, maxHeaderAgeMs: 0 } }], cache: false });
    const rows: CarriedProofRow[] = [];
    for (const n of sizes) {
      const did = `did:sigil:bench:${identities.get(n)!.toLowerCase()}`;
      const proof = await proveIdentity(config, did);
      const { material } = await proveResolution(config, did);
      const offline = await timed(runs, proxy, async () => {
        const checked = await verifyIdentityProof(proof, did, { networks: [network], trustedHeaders: store, at });
        if (!checked.accepted) throw new Error(`carried proof at ${n} changes: ${checked.reason}`);
      });
      const resolveWith = (resolver: typeof lookup) => async () => {
        const r = await resolver.resolve(did);
        if (r.didResolutionMetadata.error) throw new Error(`lookup at ${n} changes: ${r.didResolutionMetadata.message}`);
      };
      const plain = await timed(runs, proxy, resolveWith(lookup));
      const verified = await timed(runs, proxy, resolveWith(verifiedLookup));
      rows.push({
        changes: n,
        proofBytes: base64urlnopad.decode(proof).length,
        proofChars: proof.length,
        materialJsonBytes: JSON.stringify(material).length,
        offlineMedianMs: offline.ms,
        offlineRequests: offline.requests,
        lookupMedianMs: plain.ms,
        lookupRequests: plain.requests,
        verifiedLookupMedianMs: verified.ms,
        verifiedLookupRequests: verified.requests,
      });
    }
    return { runs, rows };
  } finally {
    await proxy.close();
    await node.stop();
  }
}

/** Median ms of `f` over `runs` (after 3 warm-up runs), and the HTTP requests per run at the proxy. */
async function timed(runs: number, proxy: Awaited<ReturnType<typeof startRpcProxy>>, f: () => Promise<void>) {
  for (let i = 0; i < 3; i++) await f();
  proxy.reset();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    times.push(performance.now() - t);
  }
  return { ms: median(times), requests: proxy.roundTrips / runs };
}

export function renderCarriedProofs(b: CarriedProofBench): string {
  return [
    "| changes since last purge | carried proof | as base64url | material (JSON) | verify offline | HTTP requests | lookup (default mode) | HTTP requests | verified lookup (k: 1) | HTTP requests |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...b.rows.map(
      (r) =>
        `| ${r.changes} | ${(r.proofBytes / 1024).toFixed(1)} KB | ${(r.proofChars / 1024).toFixed(1)} KB | ${(r.materialJsonBytes / 1024).toFixed(1)} KB | ${r.offlineMedianMs.toFixed(1)} ms | ${r.offlineRequests} | ${r.lookupMedianMs.toFixed(1)} ms | ${r.lookupRequests} | ${r.verifiedLookupMedianMs.toFixed(1)} ms | ${r.verifiedLookupRequests} |`,
    ),
    "",
    `Medians of ${b.runs} runs after 3 warm-up ones, in Node on this machine; lookups over loopback to a local node (no internet round trip: on a real network each request adds one). Goals (issue 23): under 16 KB per proof at up to 10 changes, under 50 ms to verify.`,
  ].join("\n");
}

if (process.argv[1] === import.meta.filename) {
  const bench = await measureCarriedProofs({ smoke: process.argv.includes("--smoke") });
  console.log(renderCarriedProofs(bench));
  if (!process.argv.includes("--smoke")) {
    const root = join(import.meta.dirname, "..", "..");
    writeFileSync(
      join(root, "docs", "carried-proof-bench.json"),
      JSON.stringify({ measuredAt: new Date().toISOString(), ...bench }, null, 2) + "\n",
    );
  }
}

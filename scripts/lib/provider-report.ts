// The provider-profile section of docs/benchmarks.md, from what scripts/lib/provider-bench.ts measured.
import type { ProxyOptions } from "../../test/support/rpc-proxy.ts";
import type { ProviderBench } from "./provider-bench.ts";

/** The section of docs/benchmarks.md. */
export function renderProviders(b: ProviderBench): string[] {
  const n = (x: number) => (Number.isFinite(x) ? (Number.isInteger(x) ? String(x) : x.toFixed(1)) : "–");
  const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(x < 10 ? 2 : 0)} ms` : "–");
  const kb = (x: number) => (Number.isFinite(x) ? `${(x / 1024).toFixed(1)} KB` : "–");
  const caps = (o: ProxyOptions) =>
    [
      o.style && `${o.style} style`,
      o.maxLogRange && `${o.maxLogRange.toLocaleString("en-US")} blocks per getLogs`,
      o.maxLogResults && `${o.maxLogResults.toLocaleString("en-US")} logs per answer`,
      o.maxBatch && `batches of ${o.maxBatch.toLocaleString("en-US")}`,
      o.omitBlockTimestamp && "logs without blockTimestamp",
      o.slowLogs && `getLogs over ${o.slowLogs.overBlocks.toLocaleString("en-US")} blocks answer after ${o.slowLogs.delayMs} ms`,
    ]
      .filter(Boolean)
      .join(", ") || "no caps";
  const scenarios = [...new Set(b.rows.map((r) => r.scenario))];
  const out = [
    "## Resolution on public-provider profiles (issue #15)",
    "",
    `A second \`hardhat node\`, mined to ${b.longChainBlocks.toLocaleString("en-US")} blocks, behind the loopback provider emulator (test/support/rpc-proxy.ts): every HTTP request answers ${b.latencyMs} ms late (the internet round trip), and each profile's caps are refused with the error codes, messages and HTTP statuses the named provider sends (test/support/provider-styles.ts cites where each was seen). Sigil runs in its default configuration: nothing preset, caps learned from the refusals; cache off except in the "cached" rows. "first, learning" is a new resolver's first resolution (median over new resolvers); the other Sigil rows come after it, on the same resolver. ethr-did-resolver stock (\`rpcUrl\`) and tuned (static network, no batching, no response cache), with hex chain-id DIDs (\`did:ethr:0x7a69:…\`; the named form costs it a getNetwork round trip). Sequential round trips: the longest chain of HTTP requests each sent after the previous one was answered (the critical path the emulator records); bytes: request and answer bodies. Medians per run: ${b.runs}; the "resolved" column counts runs that resolved (a group run counts when every DID did). Goals are judged from these measurements, never asserted.`,
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
      ...rows.map(
        (r) =>
          `| ${r.profile} | ${r.resolver} | ${n(r.sequentialRoundTrips)} | ${n(r.httpRequests)} | ${n(r.calls)} | ${kb(r.bytes)} | ${ms(r.median)} | ${ms(r.p95)} | ${n(r.refused)} | ${r.ok}/${r.runs}${r.error ? ` (${r.error.replace(/\|/g, "/").replace(/\s+/g, " ")})` : ""} |${cpu ? ` ${r.cpuMs === undefined ? "" : ms(r.cpuMs)} |` : ""} ${r.goal ? `${r.goal.met ? "met" : "**missed**"}: ${r.goal.text}` : ""} |`,
      ),
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

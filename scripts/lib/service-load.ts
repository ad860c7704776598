// Load on the resolver service: `sigil serve` as its own process on 127.0.0.1 in front of a real
// node, driven by autocannon from this one. Each scenario gets a fresh service; every request
// must answer 200, and the service's own count of answered requests must equal autocannon's
// (nothing lost between them).
import { spawn } from "node:child_process";
import { join } from "node:path";
import autocannon from "autocannon";
import { freePort } from "../../test/support/hardhat-node.ts";

const root = join(import.meta.dirname, "..", "..");

export interface LoadTarget {
  rpcUrl: string;
  registry: string;
  chainId: number;
  /** DIDs to cycle through (did:sigil:<network>:0x…, network named "bench"). */
  dids: readonly string[];
}

export interface LoadRow {
  scenario: string;
  connections: number;
  seconds: number;
  /** Sent; all must complete (a fixed number of requests, not a duration that cuts some off). */
  sent: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  /** Sent but not answered by the service (its /metrics) or not completed at the client. */
  lost: number;
}

const SCENARIOS = [
  { name: "cached: one eth_call confirms each document", flags: ["--cache-max-age", "0"], batch: 0 },
  { name: "cached, max age 1 s: most documents without a request", flags: ["--cache-max-age", "1000"], batch: 0 },
  { name: "uncached: state and logs read per document", flags: ["--no-cache"], batch: 0 },
  { name: "batch of 100 DIDs per request (cached)", flags: ["--cache-max-age", "0"], batch: 100 },
] as const;

async function startService(target: LoadTarget, flags: readonly string[]) {
  const port = await freePort();
  const args = [
    join(root, "sdk/cli/dist/bin.js"),
    "--network",
    "bench",
    "--registry",
    target.registry,
    "--chain-id",
    String(target.chainId),
    "--rpc",
    target.rpcUrl,
  ];
  const child = spawn(process.execPath, [...args, "serve", "--port", String(port), "--log-level", "warn", ...flags], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (c) => (output += c));
  child.stderr.on("data", (c) => (output += c));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`sigil serve exited with ${child.exitCode}:\n${output}`);
    if (i > 100) throw new Error(`sigil serve did not start:\n${output}`);
    const up = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return { url, stop, output: () => output };
}

/** Requests the service has answered on a route, from its own /metrics. */
async function answered(url: string, route: string): Promise<number> {
  await new Promise((r) => setTimeout(r, 100)); // the last responses' onResponse hooks run after the client has them
  const text = await (await fetch(`${url}/metrics`)).text();
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(`sigil_http_requests_total{route="${route}"`)) total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}

export async function measureServiceLoad(target: LoadTarget, options: { requests: number; connections: number }): Promise<LoadRow[]> {
  const rows: LoadRow[] = [];
  for (const scenario of SCENARIOS) {
    const service = await startService(target, scenario.flags);
    try {
      const requests =
        scenario.batch > 0
          ? [
              {
                method: "POST" as const,
                path: "/1.0/identifiers",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ dids: target.dids.slice(0, scenario.batch) }),
              },
            ]
          : target.dids.map((did) => ({ method: "GET" as const, path: `/1.0/identifiers/${did}` }));
      const route = scenario.batch > 0 ? "/1.0/identifiers" : "/1.0/identifiers/*";
      // Warm-up: the first read of each DID fills the cache (and the JIT).
      await autocannon({ url: service.url, connections: 4, amount: Math.max(requests.length, 50), requests });
      const before = await answered(service.url, route);
      const amount = scenario.batch > 0 ? Math.ceil(options.requests / 20) : options.requests;
      // Timed from the start to the last response: autocannon ends a fixed amount on its 1 s tick.
      let last = 0;
      const started = performance.now();
      const result = await new Promise<autocannon.Result>((resolve, reject) => {
        const run = autocannon({ url: service.url, connections: options.connections, amount, requests, timeout: 10 }, (error, r) =>
          error ? reject(error) : resolve(r),
        );
        run.on("response", () => (last = performance.now()));
      });
      const after = await answered(service.url, route);
      const ok = result["2xx"];
      const seconds = (last - started) / 1000;
      rows.push({
        scenario: scenario.name,
        connections: options.connections,
        seconds,
        sent: amount,
        requestsPerSecond: (ok + result.non2xx) / seconds,
        p50: result.latency.p50,
        p99: result.latency.p99,
        requests: ok + result.non2xx,
        errors: result.errors + result.timeouts + result.non2xx,
        lost: Math.max(amount - (after - before), amount - (ok + result.non2xx)),
      });
    } finally {
      await service.stop();
    }
  }
  return rows;
}

export function renderLoad(rows: readonly LoadRow[]): string[] {
  return [
    "| scenario | connections | requests/s | p50 | p99 | sent | answered | errors | lost |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${r.connections} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50} ms | ${r.p99} ms | ${r.sent} | ${r.requests} | ${r.errors} | ${r.lost} |`,
    ),
  ];
}

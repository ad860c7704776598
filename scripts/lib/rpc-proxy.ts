// A JSON-RPC proxy on 127.0.0.1 for tests and benchmarks: counts HTTP round trips and JSON-RPC requests,
// and can misbehave on purpose (slow, down, wrong chain id, capped eth_getLogs range).
import { createServer, type Server } from "node:http";
import { keccak256, type Hex } from "viem";

export interface ProxyOptions {
  /** Delay before answering, ms. */
  delayMs?: number;
  /** Answer every request with HTTP 503. */
  down?: boolean;
  /** Report this chain id instead of the node's. */
  chainId?: number;
  /** Refuse eth_getLogs spanning more blocks than this (as public nodes do). */
  maxLogRange?: number;
  /** Accept raw transactions (answering their hash) but never pass them on: a node that dies
   * after taking a transaction. */
  dropTransactions?: boolean;
}

export interface RpcProxy {
  url: string;
  roundTrips: number;
  requests: string[];
  options: ProxyOptions;
  reset(): void;
  close(): Promise<void>;
}

type RpcRequest = { id: unknown; method: string; params?: unknown[] };

export async function startRpcProxy(upstream: string, options: ProxyOptions = {}): Promise<RpcProxy> {
  const proxy: RpcProxy = {
    url: "",
    roundTrips: 0,
    requests: [],
    options,
    reset() {
      proxy.roundTrips = 0;
      proxy.requests = [];
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const handle = async (req: RpcRequest) => {
    proxy.requests.push(req.method);
    if (req.method === "eth_chainId" && options.chainId !== undefined) {
      return { jsonrpc: "2.0", id: req.id, result: `0x${options.chainId.toString(16)}` };
    }
    if (req.method === "eth_sendRawTransaction" && options.dropTransactions) {
      return { jsonrpc: "2.0", id: req.id, result: keccak256((req.params?.[0] ?? "0x") as Hex) };
    }
    if (req.method === "eth_getLogs" && options.maxLogRange !== undefined) {
      const f = (req.params?.[0] ?? {}) as { fromBlock?: string; toBlock?: string };
      const head = BigInt((await forward({ jsonrpc: "2.0", id: 0, method: "eth_blockNumber" })).result as string);
      const to = f.toBlock === undefined || f.toBlock === "latest" ? head : BigInt(f.toBlock);
      const from = f.fromBlock === undefined ? head : BigInt(f.fromBlock);
      if (to - from + 1n > BigInt(options.maxLogRange)) {
        return { jsonrpc: "2.0", id: req.id, error: { code: -32005, message: `query exceeds max block range ${options.maxLogRange}` } };
      }
    }
    return forward(req);
  };
  const forward = async (body: unknown) => {
    const res = await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return (await res.json()) as { result?: unknown };
  };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      proxy.roundTrips++;
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      if (options.down) {
        res.writeHead(503).end("down");
        return;
      }
      try {
        const parsed = JSON.parse(body) as RpcRequest | RpcRequest[];
        const answer = Array.isArray(parsed) ? await Promise.all(parsed.map(handle)) : await handle(parsed);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
      } catch (e) {
        res.writeHead(500).end(String(e));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  proxy.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return proxy;
}

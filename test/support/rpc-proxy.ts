// A JSON-RPC proxy on 127.0.0.1 for tests and benchmarks, in front of a real node. It counts what
// crosses it (HTTP requests, JSON-RPC calls, bytes, refusals, and the sequential round trips of
// an operation) and can misbehave on purpose: slow, down, wrong chain id, dropped transactions,
// and the caps of public providers (eth_getLogs block range and result count, batch length),
// refused the way each provider refuses them (test/support/provider-styles.ts), an internet round
// trip on every request, slow wide eth_getLogs, and logs without blockTimestamp. With `tamper` it
// lies: any call rewritten before the node sees it, any answer after (test/support/lies.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { keccak256, type Hex } from "viem";
import { STYLES, type ProviderStyle, type Refusal } from "./provider-styles.ts";

export type { ProviderStyle } from "./provider-styles.ts";

export interface ProxyOptions {
  /** Delay before answering, ms. */
  delayMs?: number;
  /** Answer every request with HTTP 503. */
  down?: boolean;
  /** Report this chain id instead of the node's. */
  chainId?: number;
  /** Refuse eth_getLogs spanning more blocks than this (as public nodes do). */
  maxLogRange?: number;
  /** Refuse eth_getLogs whose answer would hold more logs than this. */
  maxLogResults?: number;
  /** Refuse JSON-RPC batch arrays longer than this. */
  maxBatch?: number;
  /** Whose refusals to imitate (codes, messages, HTTP statuses). Default "generic". */
  style?: ProviderStyle;
  /** Added to every HTTP request, ms: the internet round trip. */
  latencyMs?: number;
  /** eth_getLogs spanning more than `overBlocks` blocks answer `delayMs` later (and so does the
   * batch carrying them). */
  slowLogs?: { overBlocks: number; delayMs: number };
  /** Strip `blockTimestamp` from every log (nodes that do not include it). */
  omitBlockTimestamp?: boolean;
  /** Accept raw transactions (answering their hash) but never pass them on: a node that dies
   * after taking a transaction. */
  dropTransactions?: boolean;
  /** Changes calls before they go upstream and answers before they are sent: a lying endpoint
   * (test/support/lies.ts). */
  tamper?: Tamper;
}

/** One JSON-RPC call as a client sent it, and an answer to it. */
export type RpcRequest = { jsonrpc?: string; id: unknown; method: string; params?: unknown[] };
export type RpcAnswer = { jsonrpc: "2.0"; id: unknown; result?: unknown; error?: { code: number; message: string } };

/** A misbehaviour at the JSON-RPC level: `request` may rewrite a call (or answer it without the
 * node, returning an answer), `answer` may rewrite the node's answer. */
export interface Tamper {
  request?(req: RpcRequest): Promise<RpcRequest | RpcAnswer>;
  answer?(req: RpcRequest, answer: RpcAnswer): Promise<RpcAnswer>;
}

/** One HTTP request as the proxy saw it (performance.now() times). */
export interface Exchange {
  start: number;
  end: number;
  calls: number;
}

export interface ProxyStats {
  httpRequests: number;
  calls: number;
  bytesIn: number;
  bytesOut: number;
  refused: number;
  /** The longest chain of HTTP requests each started after the previous one ended. */
  sequentialRoundTrips: number;
}

export interface RpcProxy {
  url: string;
  /** HTTP requests since the last reset. */
  roundTrips: number;
  /** JSON-RPC method of every call since the last reset. */
  requests: string[];
  /** Bytes of request bodies received and of answers sent. */
  bytesIn: number;
  bytesOut: number;
  /** Calls the proxy refused (caps), since the last reset. */
  refused: number;
  exchanges: Exchange[];
  options: ProxyOptions;
  stats(): ProxyStats;
  reset(): void;
  close(): Promise<void>;
}

type Log = { blockNumber: Hex; blockTimestamp?: Hex };
type Served = { answer: RpcAnswer; status: number };
type Plan = { req: RpcRequest; local?: Served; from?: bigint; span?: bigint };

/** The critical path of a set of HTTP requests: the most requests in a chain where each starts
 * after the one before it ended. Concurrent requests count once; a request that had to wait for
 * another's answer counts again. O(n log n). */
export function sequentialRoundTrips(exchanges: readonly { start: number; end: number }[]): number {
  const byStart = [...exchanges].sort((a, b) => a.start - b.start);
  const byEnd = byStart.map((e, i) => ({ end: e.end, i })).sort((a, b) => a.end - b.end);
  const depth = new Array<number>(byStart.length).fill(0);
  let done = 0;
  let best = 0; // deepest chain among requests that ended before the current one started
  let longest = 0;
  for (let i = 0; i < byStart.length; i++) {
    while (done < byEnd.length && byEnd[done].end <= byStart[i].start) best = Math.max(best, depth[byEnd[done++].i]);
    depth[i] = best + 1;
    longest = Math.max(longest, depth[i]);
  }
  return longest;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What every step of serving a request reads: where to forward, how to behave, what to count. */
interface ProxyContext {
  upstream: string;
  options: ProxyOptions;
  proxy: RpcProxy;
}

const styleOf = (options: ProxyOptions) => STYLES[options.style ?? "generic"];

/** The counters and their accessors; `close` stops the server. */
function newProxy(options: ProxyOptions, close: () => Promise<void>): RpcProxy {
  const proxy: RpcProxy = {
    url: "",
    roundTrips: 0,
    requests: [],
    bytesIn: 0,
    bytesOut: 0,
    refused: 0,
    exchanges: [],
    options,
    stats: () => ({
      httpRequests: proxy.roundTrips,
      calls: proxy.requests.length,
      bytesIn: proxy.bytesIn,
      bytesOut: proxy.bytesOut,
      refused: proxy.refused,
      sequentialRoundTrips: sequentialRoundTrips(proxy.exchanges),
    }),
    reset() {
      proxy.roundTrips = 0;
      proxy.requests = [];
      proxy.bytesIn = proxy.bytesOut = proxy.refused = 0;
      proxy.exchanges = [];
    },
    close,
  };
  return proxy;
}

/** A refused call, with the HTTP status that applies when it travelled alone. */
function refuse({ proxy }: ProxyContext, req: RpcRequest, refusal: Refusal): Served {
  proxy.refused++;
  return { answer: { jsonrpc: "2.0", id: req.id, error: { code: refusal.code, message: refusal.message } }, status: refusal.status };
}

const post = async (upstream: string, body: unknown) =>
  (await (
    await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
  ).json()) as unknown;

/** The calls the proxy does not answer itself go upstream in ONE batch per HTTP request. */
async function forward(upstream: string, reqs: RpcRequest[]): Promise<RpcAnswer[]> {
  const out = await post(
    upstream,
    reqs.map((r, i) => ({ ...r, jsonrpc: "2.0", id: i })),
  );
  const byId = new Map(Array.isArray(out) ? (out as RpcAnswer[]).map((a) => [a.id, a]) : []);
  return reqs.map((r, i) => ({
    ...(byId.get(i) ?? { jsonrpc: "2.0", error: { code: -32603, message: `upstream: ${JSON.stringify(out).slice(0, 200)}` } }),
    id: r.id,
  }));
}

/** What the proxy decides before the node is asked: answer locally, refuse, or pass on. */
async function plan(ctx: ProxyContext, asked: RpcRequest, head: () => Promise<bigint>): Promise<Plan> {
  const { options, proxy } = ctx;
  proxy.requests.push(asked.method);
  const rewritten = options.tamper?.request ? await options.tamper.request(asked) : asked;
  if ("jsonrpc" in rewritten && rewritten.jsonrpc === "2.0" && !("method" in rewritten))
    return { req: asked, local: { answer: { ...(rewritten as RpcAnswer), id: asked.id }, status: 200 } };
  const req = rewritten as RpcRequest;
  if (req.method === "eth_chainId" && options.chainId !== undefined) {
    return { req, local: { answer: { jsonrpc: "2.0", id: req.id, result: `0x${options.chainId.toString(16)}` }, status: 200 } };
  }
  if (req.method === "eth_sendRawTransaction" && options.dropTransactions) {
    return { req, local: { answer: { jsonrpc: "2.0", id: req.id, result: keccak256((req.params?.[0] ?? "0x") as Hex) }, status: 200 } };
  }
  if (req.method !== "eth_getLogs") return { req };
  const f = (req.params?.[0] ?? {}) as { fromBlock?: string; toBlock?: string; blockHash?: string };
  if (f.blockHash !== undefined) return { req, from: 0n, span: 1n };
  const tag = (t: string | undefined) =>
    t === undefined || ["latest", "safe", "finalized", "pending"].includes(t) ? head() : t === "earliest" ? 0n : BigInt(t);
  const from = await tag(f.fromBlock);
  const span = (await tag(f.toBlock)) - from + 1n;
  if (options.maxLogRange !== undefined && span > BigInt(options.maxLogRange))
    return { req, local: refuse(ctx, req, styleOf(options).logRange(span, options.maxLogRange, from)) };
  return { req, from, span };
}

/** The node's answer to a passed-on call, as the provider would return it. */
async function finish(ctx: ProxyContext, { req, from, span }: Plan, untampered: RpcAnswer): Promise<Served> {
  const { options } = ctx;
  const answer = options.tamper?.answer ? await options.tamper.answer(req, untampered) : untampered;
  const logs = req.method === "eth_getLogs" ? (answer.result as Log[] | undefined) : undefined;
  if (logs && options.maxLogResults !== undefined && logs.length > options.maxLogResults) {
    // Suggest the range that would fit, as providers do: up to the block before the first log
    // past the cap (at least the first block, even when that block alone is too much).
    const over = BigInt(logs[options.maxLogResults].blockNumber);
    return refuse(
      ctx,
      req,
      styleOf(options).logResults(options.maxLogResults, [from!, over - 1n > from! ? over - 1n : from!], options.maxLogRange),
    );
  }
  if (logs && options.omitBlockTimestamp) for (const log of logs) delete log.blockTimestamp;
  if (logs && options.slowLogs && span! > BigInt(options.slowLogs.overBlocks)) await sleep(options.slowLogs.delayMs);
  return { answer, status: 200 };
}

async function serve(ctx: ProxyContext, reqs: RpcRequest[]): Promise<Served[]> {
  let head: Promise<bigint> | undefined; // asked at most once per HTTP request
  const headOnce = () =>
    (head ??= post(ctx.upstream, { jsonrpc: "2.0", id: 0, method: "eth_blockNumber" }).then((a) =>
      BigInt((a as RpcAnswer).result as string),
    ));
  const plans = await Promise.all(reqs.map((r) => plan(ctx, r, headOnce)));
  const remote = plans.filter((p) => !p.local);
  const answers = remote.length
    ? await forward(
        ctx.upstream,
        remote.map((p) => p.req),
      )
    : [];
  return Promise.all(plans.map(async (p) => p.local ?? finish(ctx, p, answers[remote.indexOf(p)])));
}

/** The HTTP status and body answering one request body. */
async function answerBody(ctx: ProxyContext, parsed: RpcRequest | RpcRequest[]): Promise<{ status: number; body: unknown }> {
  const { options, proxy } = ctx;
  if (!Array.isArray(parsed)) {
    const [{ answer, status }] = await serve(ctx, [parsed]);
    return { status: answer.error ? status : 200, body: answer };
  }
  const max = options.maxBatch;
  if (max === undefined || parsed.length <= max) return { status: 200, body: (await serve(ctx, parsed)).map((a) => a.answer) };
  const refusal = styleOf(options).batch(parsed[0]?.id, parsed.length, max);
  if (refusal.kind === "whole") {
    for (const r of parsed) proxy.requests.push(r.method);
    proxy.refused += parsed.length;
    return { status: refusal.status, body: refusal.body };
  }
  const served = await serve(ctx, parsed.slice(0, max));
  const refused = parsed.slice(max).map((r) => {
    proxy.requests.push(r.method);
    return refuse(ctx, r, refusal.error).answer;
  });
  return { status: 200, body: [...served.map((a) => a.answer), ...refused] };
}

/** One HTTP exchange: counted, delayed as configured, answered. */
function handleExchange(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse): void {
  const { options, proxy } = ctx;
  const start = performance.now();
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", async () => {
    proxy.roundTrips++;
    proxy.bytesIn += Buffer.byteLength(body);
    const exchange: Exchange = { start, end: Infinity, calls: 0 };
    proxy.exchanges.push(exchange);
    // A client that gives up (a timeout) ends the exchange for it: what it sends next waited.
    res.on("close", () => (exchange.end = Math.min(exchange.end, performance.now())));
    const send = (status: number, text: string, json = true) => {
      if (res.destroyed) return;
      proxy.bytesOut += Buffer.byteLength(text);
      exchange.end = performance.now();
      res.writeHead(status, json ? { "content-type": "application/json" } : {}).end(text);
    };
    const wait = (options.delayMs ?? 0) + (options.latencyMs ?? 0);
    if (wait) await sleep(wait);
    if (options.down) return send(503, "down", false);
    try {
      const parsed = JSON.parse(body) as RpcRequest | RpcRequest[];
      exchange.calls = Array.isArray(parsed) ? parsed.length : 1;
      const { status, body: out } = await answerBody(ctx, parsed);
      send(status, JSON.stringify(out));
    } catch (e) {
      send(500, String(e), false);
    }
  });
}

export async function startRpcProxy(upstream: string, options: ProxyOptions = {}): Promise<RpcProxy> {
  const proxy = newProxy(
    options,
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const ctx: ProxyContext = { upstream, options, proxy };
  const server: Server = createServer((req, res) => handleExchange(ctx, req, res));
  // Providers keep connections open far longer than Node's 5 s default; a client reusing a socket
  // the server is closing would see resets no provider causes.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  proxy.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return proxy;
}

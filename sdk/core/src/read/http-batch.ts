// A viem transport for one JSON-RPC endpoint over HTTP that batches what is asked in the same
// tick, as viem's http transport does, and adapts to the endpoint instead of failing:
// - eth_getLogs travels in its own HTTP request, apart from the state calls, so that a slow log
//   query cannot time out the eth_call that a document most needs (or anything else);
// - a batch larger than the endpoint accepts is split and resent, and the endpoint's limit is
//   remembered (endpoint.ts), so it is learned once;
// - eth_getLogs calls are sized to the endpoint's learned block range and result limits, and
//   refused or slow ones are split (log-ranges.ts).
// Errors are viem's (HttpRequestError, RpcRequestError, TimeoutError), so viem's error mapping
// and fallback transport treat them as they treat http()'s.
import { createTransport, HttpRequestError, RpcRequestError, TimeoutError, type Transport } from "viem";
import type { Endpoint } from "./endpoint.ts";
import { getLogsAdaptive, type LogFilter } from "./log-ranges.ts";

type Body = { jsonrpc: "2.0"; id: number; method: string; params: unknown };
type Answer = { id?: unknown; result?: unknown; error?: { code: number; message: string; data?: unknown } };
interface Pending {
  body: Body;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** Times this call was sent back because its batch was too large. */
  resent?: number;
}

/** A call refused for being one too many in its batch (a per-request or per-second limit). */
const OVER_LIMIT = /limit reached|rate limit|too many requests|batch/i;
const MAX_RESENDS = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An answer to a whole batch that says the batch itself was refused (too many calls): an
 * array of errors about the batch, or one error object answering none of the calls. */
function batchRefusal(status: number, parsed: unknown, sent: number): string | undefined {
  if (Array.isArray(parsed)) {
    const errors = (parsed as Answer[]).filter((a) => a?.error);
    const said = errors.find((a) => /batch/i.test(a.error!.message ?? ""))?.error!.message;
    return said !== undefined && (parsed.length < sent || errors.length === parsed.length) ? said : undefined;
  }
  const single = parsed as Answer | undefined;
  const aboutNone = single && typeof single === "object" && (single.id === null || single.id === undefined);
  if (aboutNone && single!.error && (status === 413 || /batch|too many|too large|size/i.test(single!.error.message ?? ""))) {
    return single!.error.message ?? `HTTP ${status}`;
  }
  return status === 413 && !aboutNone && !(single && typeof single === "object") ? "HTTP 413 (request entity too large)" : undefined;
}

/** The limit a refusal names ("max batch size is 100"), if smaller than what was sent; else half. */
function smallerBatch(message: string, sent: number): number {
  const named = message
    .match(/(\d[\d,]*)/g)
    ?.map((n) => Number(n.replace(/,/g, "")))
    .find((n) => n >= 1 && n < sent);
  return Math.max(1, named ?? Math.floor(sent / 2));
}

export interface AdaptiveHttpOptions {
  /** Per HTTP request, ms. */
  timeoutMs: number;
}

type Lane = "state" | "logs";

export function adaptiveHttp(endpoint: Endpoint, options: AdaptiveHttpOptions): Transport {
  const { url, caps } = endpoint;
  const post = (chunk: Pending[], lane: Lane) => postBatch(endpoint, options.timeoutMs, chunk, lane);
  let nextId = 1;
  let queues: Record<Lane, Pending[]> = { state: [], logs: [] };
  let scheduled = false;

  // Everything asked in one tick leaves together, in batches the endpoint accepts.
  const flush = () => {
    scheduled = false;
    const { state, logs } = queues;
    queues = { state: [], logs: [] };
    for (const [lane, items] of [
      ["state", state],
      ["logs", logs],
    ] as const) {
      for (const chunk of chunksOf(items, caps.maxBatch)) void post(chunk, lane);
    }
  };

  const enqueue = (method: string, params: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      queues[method === "eth_getLogs" ? "logs" : "state"].push({ body: { jsonrpc: "2.0", id: nextId++, method, params }, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setTimeout(flush, 0);
      }
    });

  const request = async ({ method, params }: { method: string; params?: unknown }) => {
    if (method !== "eth_getLogs") return enqueue(method, params ?? []);
    const [filter] = (params ?? []) as [LogFilter];
    return getLogsAdaptive(endpoint, filter, (f) => enqueue("eth_getLogs", [f]) as never);
  };

  return () =>
    createTransport(
      {
        key: "sigil-http",
        name: "Sigil adaptive HTTP JSON-RPC",
        request: request as never,
        retryCount: 0,
        timeout: options.timeoutMs,
        type: "http",
      },
      { url, endpoint },
    );
}

/** Sends `chunk` as one HTTP request and settles each call in it: answered, refused, or (when the
 * batch was too large) sent again in smaller batches. */
async function postBatch(endpoint: Endpoint, timeoutMs: number, chunk: Pending[], lane: Lane): Promise<void> {
  const { url, caps, stats } = endpoint;
  const resend = (calls: Pending[]) => Promise.all(chunksOf(calls, caps.maxBatch).map((c) => postBatch(endpoint, timeoutMs, c, lane)));
  stats.httpRequests++;
  stats.calls += chunk.length;
  const body = chunk.length === 1 ? chunk[0].body : chunk.map((c) => c.body);
  const response = await postJson(url, body, timeoutMs);
  if (response instanceof Error) {
    if (response instanceof TimeoutError && lane === "logs") stats.slowLogQueries++;
    for (const c of chunk) c.reject(response);
    return;
  }
  const { status, text } = response;
  stats.bytesReceived += text.length;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const refused = chunk.length > 1 ? batchRefusal(status, parsed, chunk.length) : undefined;
  if (refused !== undefined) {
    stats.refusedBatches++;
    caps.maxBatch = Math.min(caps.maxBatch, smallerBatch(refused, chunk.length));
    await resend(chunk);
    return;
  }
  const answers = (Array.isArray(parsed) ? parsed : parsed && typeof parsed === "object" ? [parsed] : []) as Answer[];
  const byId = new Map(answers.map((a) => [a.id, a]));
  const resending = new Set(resendOverLimit(endpoint, chunk, byId, resend));
  for (const c of chunk) {
    if (resending.has(c)) continue;
    const a = byId.get(c.body.id) ?? (chunk.length === 1 && answers.length === 1 ? answers[0] : undefined);
    if (a?.error) c.reject(new RpcRequestError({ body: c.body, error: a.error, url }));
    else if (a && "result" in a && status < 400) c.resolve(a.result);
    else
      c.reject(
        new HttpRequestError({
          body: c.body as never,
          url,
          status,
          details: text.slice(0, 200) || `HTTP ${status}, no answer for this call`,
        }),
      );
  }
}

/** POSTs `body`; the status and text, or viem's TimeoutError / HttpRequestError. */
async function postJson(url: string, body: unknown, timeoutMs: number): Promise<{ status: number; text: string } | Error> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    return { status: res.status, text: await res.text() };
  } catch (cause) {
    return controller.signal.aborted
      ? new TimeoutError({ body: body as never, url })
      : new HttpRequestError({ body: body as never, url, cause: cause as Error, details: (cause as Error)?.message });
  } finally {
    clearTimeout(timer);
  }
}

/** Some providers serve the first N calls of a batch and refuse the rest one by one: keep the
 * answers, learn N, and send the rest again (after a second when the limit is per second).
 * Returns the calls sent again. */
function resendOverLimit(
  endpoint: Endpoint,
  chunk: Pending[],
  byId: Map<unknown, Answer>,
  resend: (calls: Pending[]) => Promise<unknown>,
): Pending[] {
  const over =
    chunk.length > 1
      ? chunk.filter((c) => OVER_LIMIT.test(byId.get(c.body.id)?.error?.message ?? "") && (c.resent ?? 0) < MAX_RESENDS)
      : [];
  const served = chunk.length - over.length;
  if (over.length === 0 || served === 0) return [];
  endpoint.stats.refusedBatches++;
  endpoint.caps.maxBatch = Math.min(endpoint.caps.maxBatch, served);
  for (const c of over) c.resent = (c.resent ?? 0) + 1;
  const perSecond = /second/i.test(byId.get(over[0].body.id)!.error!.message);
  void (perSecond ? sleep(1_000) : Promise.resolve()).then(() => resend(over));
  return over;
}

function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

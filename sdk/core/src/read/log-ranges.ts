// eth_getLogs sized to what one endpoint accepts. A call over a numbered block range is split
// into windows of the endpoint's learned range cap; a call the endpoint refuses for its range
// teaches the cap (from the message when it names it, e.g. "limited to a 5 range", "up to a 2K
// block range", "exceeds limit of 10000", or the range it suggests; else half the span) and
// is split; one refused for its result count is split where the endpoint suggests, or in two;
// one that timed out is retried as two halves. A call bounded by a tag ("latest") is sent as
// is: its caller knows no numbers to split with and has a bounded read to fall back on.
import { BaseError, TimeoutError, type Hex } from "viem";
import type { Endpoint } from "./endpoint.ts";
import type { RawLog } from "./events.ts";

export interface LogFilter {
  address?: Hex | Hex[];
  topics?: (Hex | Hex[] | null)[];
  fromBlock?: Hex | string;
  toBlock?: Hex | string;
}

/** A block holds more of the queried logs than the endpoint returns per call: no range is small
 * enough. A viem BaseError, so that viem's request wrapper passes it on as it is. */
export class LogLimitError extends BaseError {
  override name = "LogLimitError";
  constructor(
    readonly block: bigint,
    readonly limit: number | undefined,
    options?: { cause?: Error },
  ) {
    super(`block ${block} holds more matching logs than the endpoint returns per eth_getLogs${limit ? ` (${limit})` : ""}`, {
      cause: options?.cause,
    });
  }
}

export type LogRefusal =
  | { kind: "range"; limit?: bigint; suggested?: [bigint, bigint] }
  | { kind: "results"; limit?: number; suggested?: [bigint, bigint] }
  | { kind: "timeout" };

const number = (text: string) => {
  const m = text.replace(/,/g, "").match(/^(\d+)(k?)$/i);
  return m ? BigInt(m[1]) * (m[2] ? 1000n : 1n) : undefined;
};

/** What an eth_getLogs refusal says, from its message (every provider words it differently). */
export function classifyLogRefusal(error: unknown): LogRefusal | undefined {
  if (error instanceof TimeoutError) return { kind: "timeout" };
  const e = error as { details?: unknown; message?: unknown; data?: unknown };
  const message = `${typeof e?.details === "string" ? e.details : ""} ${typeof e?.message === "string" ? e.message : ""}`;
  const range = message.match(/\[\s*(0x[0-9a-f]+)\s*,\s*(0x[0-9a-f]+)\s*\]/i);
  const suggested = range ? ([BigInt(range[1]), BigInt(range[2])] as [bigint, bigint]) : undefined;
  const results = message.match(
    /more than (\d[\d,]*k?) (?:results|logs)|cap of (\d[\d,]*k?) logs|(?:results?|logs?) (?:limit|exceed\w*)[^\d]{0,20}(\d[\d,]*k?)/i,
  );
  if (results || /response size|too many (?:results|logs)|result(?:s)? (?:limit|window)/i.test(message)) {
    const limit = results ? number(results[1] ?? results[2] ?? results[3]) : undefined;
    // Alchemy names both caps in one message; it is a result cap when it says "response size".
    return { kind: "results", limit: limit === undefined ? undefined : Number(limit), suggested };
  }
  if (/range|too (?:wide|large|high|many blocks)|block ?limit/i.test(message)) {
    const named =
      message.match(/limited to an? (\d[\d,]*k?)(?: block)? range/i) ??
      message.match(/up to an? (\d[\d,]*k?) block range/i) ??
      message.match(/(?:exceeds?|bigger than) (?:the )?(?:max(?:imum)? )?(?:block )?(?:range )?limit(?: of)? (\d[\d,]*k?)/i) ??
      message.match(/max(?:imum)? (?:block )?range(?: is| of|:| =)? ?(\d[\d,]*k?)/i) ??
      message.match(/range limit(?: of|:)? (\d[\d,]*k?)/i);
    const limit = named ? number(named[1]) : suggested ? suggested[1] - suggested[0] + 1n : undefined;
    return { kind: "range", limit: limit !== undefined && limit > 0n ? limit : undefined, suggested };
  }
  return undefined;
}

const asBlock = (tag: string | undefined) => (tag !== undefined && /^0x[0-9a-f]+$/i.test(tag) ? BigInt(tag) : undefined);
const hex = (n: bigint) => `0x${n.toString(16)}` as Hex;

/** Sends eth_getLogs for `filter` through `send`, split as `endpoint` requires; logs in chain order. */
export async function getLogsAdaptive(
  endpoint: Endpoint,
  filter: LogFilter,
  send: (f: LogFilter) => Promise<RawLog[]>,
  depth = 0,
): Promise<RawLog[]> {
  const from = asBlock(filter.fromBlock);
  const to = asBlock(filter.toBlock);
  if (from === undefined || to === undefined || to < from) {
    try {
      return note(endpoint, await send(filter));
    } catch (error) {
      // Bounded by a tag: nothing to split, but a cap the refusal names is worth remembering.
      const refusal = classifyLogRefusal(error);
      if (refusal?.kind === "range" && refusal.limit !== undefined) {
        endpoint.stats.refusedLogQueries++;
        if (endpoint.caps.maxLogRange === undefined || refusal.limit < endpoint.caps.maxLogRange) endpoint.caps.maxLogRange = refusal.limit;
      }
      throw error;
    }
  }
  const cap = endpoint.caps.maxLogRange;
  if (cap !== undefined && to - from + 1n > cap) {
    const windows: Promise<RawLog[]>[] = [];
    for (let start = from; start <= to; start += cap) {
      const end = start + cap - 1n < to ? start + cap - 1n : to;
      windows.push(getLogsAdaptive(endpoint, { ...filter, fromBlock: hex(start), toBlock: hex(end) }, send, depth + 1));
    }
    return (await Promise.all(windows)).flat();
  }
  try {
    return note(endpoint, await send(filter));
  } catch (error) {
    const refusal = classifyLogRefusal(error);
    if (!refusal || depth > 64) throw error;
    const span = to - from + 1n;
    if (refusal.kind === "timeout" || refusal.kind === "results") {
      if (refusal.kind === "results") {
        endpoint.stats.refusedLogQueries++;
        if (refusal.limit !== undefined) endpoint.caps.maxLogResults = refusal.limit;
      }
      if (span === 1n) {
        if (refusal.kind === "results") throw new LogLimitError(from, refusal.limit, { cause: error as Error });
        throw error;
      }
      const hint = refusal.kind === "results" ? refusal.suggested?.[1] : undefined;
      const mid = hint !== undefined && hint >= from && hint < to ? hint : from + span / 2n - 1n;
      const halves = [
        getLogsAdaptive(endpoint, { ...filter, toBlock: hex(mid) }, send, depth + 1),
        getLogsAdaptive(endpoint, { ...filter, fromBlock: hex(mid + 1n) }, send, depth + 1),
      ];
      return (await Promise.all(halves)).flat();
    }
    endpoint.stats.refusedLogQueries++;
    // The cap must shrink below this span, or the retry would be refused the same way.
    const learned = refusal.limit !== undefined && refusal.limit < span ? refusal.limit : span / 2n > 0n ? span / 2n : 1n;
    if (span === 1n) throw error;
    endpoint.caps.maxLogRange = cap === undefined || learned < cap ? learned : cap;
    return getLogsAdaptive(endpoint, filter, send, depth + 1);
  }
}

function note(endpoint: Endpoint, logs: RawLog[]): RawLog[] {
  if (logs.length > 0) endpoint.caps.logTimestamps = logs[0].blockTimestamp !== undefined && logs[0].blockTimestamp !== null;
  return logs;
}

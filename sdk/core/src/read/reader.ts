// Reads what documents are built from: the registry's storage state of many identities and the
// part of their event history a read needs, in as few round trips as the history allows:
//   1. identityStates(ids) through eth_call: owner, last change, first change, last purge (and
//      the chain id, so a node on the wrong chain is caught without another request);
//   2. eth_getLogs over each identity's own span, [max(firstChange, purgedAt), changed] for a
//      current document (history-span.ts), identities sharing calls when their spans are close;
//      identities that never changed cost nothing here. On a young chain the logs can ride with
//      step 1 (`speculate`), making one round trip.
// The transport sizes each eth_getLogs to the endpoint (log-ranges.ts); a node that refuses in a
// way nobody recognises gets a walk of the previousChange chain, one block per call. Every read
// is checked against the chain of previousChange links (history-span.ts).
import { pad, toEventSelector, toHex, type Address, type Client, type Hex } from "viem";
import { identityStatesAbi, registryEventsAbi } from "../abi.ts";
import { decodeRegistryLogs, type RawLog, type RegistryEvent } from "./events.ts";
import { decodeLogData } from "./log-data.ts";
import { checkHistory, checkLogs } from "./consistency.ts";
import { InconsistentAnswerError } from "../errors.ts";
import { checkLinks, groupSpans, HistoryReadError, spanStart, type Span } from "./history-span.ts";
import { LogLimitError, type LogFilter } from "./log-ranges.ts";
import { ALL_TOPICS, readByKind } from "./log-split.ts";
import type { BlockHeader, IdentitySnapshot, IdentityState } from "./types.ts";

export { HistoryReadError, type HistoryReadFailure } from "./history-span.ts";

export interface ReadOptions {
  registry: Address;
  /** The registry's deployment block: no history is older. */
  fromBlock: bigint;
  /** "current" (default): events since the last purge; "full": the whole history (past versions). */
  scope?: "current" | "full";
  /** Blocks whose headers are wanted too (a versionId). */
  blocks?: readonly bigint[];
  /** Per identity, the last block already held (a cache): only later logs are read. */
  after?: ReadonlyMap<Address, bigint>;
  /** Also ask for the logs from fromBlock to the head with the state (one round trip on a young chain). */
  speculate?: boolean;
  /** Called when the speculative logs took over a second (or timed out): do not speculate again. */
  onSlowSpeculation?: () => void;
  /** Widest union of spans one eth_getLogs serves for several identities. Default 50,000 blocks. */
  combineSpan?: bigint;
  /** Whether the endpoint's logs carry blockTimestamp: false fetches the headers a document needs with the logs. */
  logTimestamps?: boolean;
  /** Called with the chain id the state was read on, before any log is asked: may throw. */
  checkChainId?: (chainId: number) => void;
}

/** Identities per eth_call and per eth_getLogs topic list: under common node limits. */
const STATE_CHUNK = 250;
const TOPIC_CHUNK = 500;
const DEFAULT_COMBINE_SPAN = 50_000n;
/** What a purge does not void, for a current document's metadata: guardian and recovery events,
 * and the commitment's (commits and rotations), whose time the commitment's seniority counts from. */
const PRE_PURGE_TOPICS = registryEventsAbi.filter((e) => /^DID(Guardian|Recover|NextOwnerCommitted|OwnerRotated)/.test(e.name)).map((e) => toEventSelector(e as never));

/** The eth_call answered empty: no contract at the registry address on the node's chain. */
export class EmptyCallError extends Error {}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const identityTopic = (address: Address): Hex => pad(address.toLowerCase() as Hex, { size: 32 });
/** eth_getLogs, refusing an answer with a log the filter did not ask for (consistency.ts). */
async function getLogs(client: Client, filter: LogFilter): Promise<RawLog[]> {
  const logs = (await client.request({ method: "eth_getLogs", params: [filter] } as never)) as RawLog[];
  checkLogs(logs, filter);
  return logs;
}

/** `identityStates(address[])`'s selector (test/sdk/abi-sync.ts checks it against the ABI). */
export const IDENTITY_STATES_SELECTOR = "0xdd3e1990";

/** The calldata of identityStates(ids), encoded by hand: one dynamic array of addresses. */
export function encodeStatesCall(ids: readonly Address[]): Hex {
  const words = [32n, BigInt(ids.length)].map((n) => n.toString(16).padStart(64, "0"));
  return `${IDENTITY_STATES_SELECTOR}${words.join("")}${ids.map((a) => a.slice(2).toLowerCase().padStart(64, "0")).join("")}` as Hex;
}

/** identityStates(ids) at the latest block: [chainId, blockNumber, timestamp, states]. */
export async function callStates(client: Client, registry: Address, ids: readonly Address[]) {
  const data = encodeStatesCall(ids);
  const raw = (await client.request({ method: "eth_call", params: [{ to: registry, data }, "latest"] } as never)) as Hex;
  if (raw === "0x") throw new EmptyCallError(`no contract answered at ${registry}`);
  const [chainId, blockNumber, timestamp, states] = decodeLogData(identityStatesAbi[0].outputs, raw) as [bigint, bigint, bigint, IdentityState[]];
  if (states.length !== ids.length) throw new Error(`identityStates answered ${states.length} states for ${ids.length} identities`);
  return [chainId, blockNumber, timestamp, states] as const;
}

/** A block's header; null when the node has none (a block after its head). Another block's header is refused. */
async function getHeader(client: Client, block: bigint): Promise<BlockHeader | null> {
  const raw = (await client.request({ method: "eth_getBlockByNumber", params: [toHex(block), false] } as never)) as { number: Hex; timestamp: Hex } | null;
  if (raw && BigInt(raw.number) !== block) throw new InconsistentAnswerError("header", `it answered the header of block ${block} with block ${BigInt(raw.number)}'s`);
  return raw ? { number: block, timestamp: BigInt(raw.timestamp) } : null;
}

/** Headers of `blocks` into `into`. `known`: the blocks are changes the state reported, so the node
 * must have them (a missing one would silently drop a document's created or updated time). */
async function getHeaders(client: Client, blocks: Iterable<bigint>, into: Map<bigint, bigint>, known = false) {
  const wanted = [...new Set(blocks)].filter((b) => b > 0n && !into.has(b));
  const headers = await Promise.all(wanted.map((b) => getHeader(client, b)));
  headers.forEach((h, i) => {
    if (h) into.set(h.number, h.timestamp);
    else if (known) throw new InconsistentAnswerError("header", `it has no header for block ${wanted[i]}, where its state says the identity changed`);
  });
}

/**
 * Reads state and history of `identities` (any address case). Requests of one step are issued
 * in the same tick, so a batching transport sends them together.
 */
export async function readIdentities(
  client: Client,
  identities: readonly Address[],
  options: ReadOptions,
): Promise<{ snapshot: IdentitySnapshot; headers: Map<bigint, BlockHeader> }> {
  const ids = [...new Set(identities.map((a) => a.toLowerCase() as Address))];
  const { registry, fromBlock } = options;
  const scope = options.scope ?? "current";
  // Step 1. With no identities, one empty call still answers chain id, head block and time.
  const statesP = Promise.all((ids.length ? chunks(ids, STATE_CHUNK) : [[]]).map((c) => callStates(client, registry, c)));
  const blockTimes = new Map<bigint, bigint>();
  const headersP = getHeaders(client, options.blocks ?? [], blockTimes);
  const speculative = options.speculate && ids.length
    ? Promise.all(chunks(ids, TOPIC_CHUNK).map((c) => getLogs(client, { address: registry, topics: [null, c.map(identityTopic)], fromBlock: toHex(fromBlock), toBlock: "latest" })))
    : undefined;
  const started = performance.now();
  // Judged below: a refusal only means step 2. Only a really slow answer stops speculation.
  if (speculative) {
    const slow = setTimeout(() => options.onSlowSpeculation?.(), SLOW_SPECULATION_MS);
    (slow as { unref?: () => void }).unref?.(); // never keeps a Node process alive
    speculative.then(() => clearTimeout(slow), () => clearTimeout(slow));
  }
  const [stateChunks] = await Promise.all([statesP, headersP]);
  const stateMs = performance.now() - started;
  const [chainId, blockNumber, timestamp] = stateChunks[0];
  options.checkChainId?.(Number(chainId));
  const states = new Map<Address, IdentityState>();
  stateChunks.forEach((chunk, ci) => chunk[3].forEach((s, i) => states.set(ids[ci * STATE_CHUNK + i], s)));

  // Step 2: the span each identity needs.
  const spans: Span[] = [];
  for (const id of ids) {
    const s = states.get(id)!;
    if (s.changed === 0n) continue;
    const from = spanStart(s, scope, fromBlock, options.after?.get(id));
    if (from <= s.changed) spans.push({ id, from, to: s.changed });
  }
  // Waited for only when a span needs it, and only about as long again as the state took: a
  // node slow on the wide query must not hold the read up (step 2 is one round trip).
  let raw: RawLog[] | undefined = speculative && spans.length ? await settledWithin(speculative, Math.max(stateMs, MIN_SPECULATION_GRACE_MS)) : undefined;
  const failures = new Map<Address, Error>();
  // Block times a document needs that its logs may not give: the last change's (updated) and the
  // first change's (created), which a read from the last purge does not reach.
  const wantTimes = (noLogTimes: boolean) =>
    getHeaders(
      client,
      spans.flatMap((s) => {
        const first = states.get(s.id)!.firstChange;
        const beforeSpan = first < s.from && !options.after?.has(s.id);
        return [...(noLogTimes ? [s.to] : []), ...(noLogTimes || beforeSpan ? [first] : [])];
      }),
      blockTimes,
      true,
    );
  const timesP = spans.length ? wantTimes(options.logTimestamps === false) : undefined; // with the logs
  timesP?.catch(() => undefined); // awaited below, after the logs: no unhandled rejection meanwhile
  // Before a purge only guardian, recovery and commitment events still matter: read those alone (a
  // flood of entries before the purge costs nothing). Never left out: without them the metadata
  // would say "no guardians" of a guarded identity, so a read that fails fails the identity.
  const before = raw || scope !== "current" ? [] : spans.filter((sp) => sp.from > first(states.get(sp.id)!, fromBlock) && !options.after?.has(sp.id));
  const beforeP = Promise.all(before.map((sp) => readBeforePurge(client, registry, sp, first(states.get(sp.id)!, fromBlock), failures)));
  if (!raw && spans.length) raw = await readSpans(client, registry, spans, options.combineSpan ?? DEFAULT_COMBINE_SPAN, failures, (id) => first(states.get(id)!, fromBlock));
  raw = [...(await beforeP).flat(), ...(raw ?? [])];
  await timesP;

  const byId = new Map<string, RawLog[]>();
  for (const log of raw ?? []) {
    const block = log.blockNumber === null ? undefined : BigInt(log.blockNumber);
    if (block === undefined || block > blockNumber) continue; // pending, or after the snapshot
    const id = `0x${log.topics[1]?.slice(26)}`.toLowerCase();
    const list = byId.get(id) ?? [];
    list.push(log);
    byId.set(id, list);
  }
  const events = new Map<Address, RegistryEvent[]>(ids.map((id) => [id, []]));
  const from = new Map<Address, bigint>();
  for (const id of ids) {
    const span = spans.find((s) => s.id === id);
    const start = span?.from ?? spanStart(states.get(id)!, scope, fromBlock, options.after?.get(id));
    from.set(id, start);
    if (!span || failures.has(id)) continue;
    // Only what the read needs is decoded: a flood before the last purge costs no CPU.
    const wanted = (byId.get(id) ?? []).filter((l) => BigInt(l.blockNumber!) >= start || PRE_PURGE_TOPICS.includes(l.topics[0] as Hex));
    const decoded = decodeRegistryLogs(wanted);
    try {
      const exit = checkLinks(id, decoded, start, span.to);
      checkHistory({ id, state: states.get(id)!, events: decoded, exit, headTime: timestamp, partial: options.after?.has(id) ?? false });
      events.set(id, decoded);
    } catch (error) {
      failures.set(id, error as Error);
    }
  }
  // Step 3, only for nodes whose logs lack block times and were not known to: the headers of
  // the first and last change (a document's created and updated).
  if ([...events.values()].some((list) => list.some((e) => e.blockTimestamp === undefined))) await wantTimes(true);
  const headers = new Map([...blockTimes].map(([n, t]) => [n, { number: n, timestamp: t }]));
  return {
    snapshot: { chainId: Number(chainId), blockNumber, timestamp, states, events, from, failures, blockTimes },
    headers,
  };
}

/** Least time the speculative logs get after the state answered, ms. */
const MIN_SPECULATION_GRACE_MS = 100;
/** A speculative answer slower than this (or a timeout) means the endpoint is slow on wide log
 * queries: it is not sent them again. A merely late one (jitter) only sends this read to step 2. */
const SLOW_SPECULATION_MS = 1_000;

/** The flattened logs if they arrive within `ms`; undefined on a refusal or when late. */
async function settledWithin(logs: Promise<RawLog[][]>, ms: number): Promise<RawLog[] | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), ms)));
  try {
    const out = await Promise.race([logs.then((r) => r.flat(), () => undefined), timeout]);
    return out === "late" ? undefined : out;
  } finally {
    clearTimeout(timer);
  }
}

const first = (state: IdentityState, fromBlock: bigint) => (state.firstChange > fromBlock ? state.firstChange : fromBlock);

/** The logs of every span: grouped calls through the adaptive transport. A group that fails on
 * a flooded block is read again identity by identity, so that only the flooded one fails; an
 * identity whose node refused in a way the transport did not recognise gets a walk of its
 * previousChange chain. */
async function readSpans(
  client: Client,
  registry: Address,
  spans: Span[],
  combineSpan: bigint,
  failures: Map<Address, Error>,
  firstOf: (id: Address) => bigint,
): Promise<RawLog[]> {
  const readGroup = async (group: Span[]): Promise<RawLog[]> => {
    const lo = group.reduce((m, s) => (s.from < m ? s.from : m), group[0].from);
    const hi = group.reduce((m, s) => (s.to > m ? s.to : m), group[0].to);
    const topics = [null, group.map((s) => identityTopic(s.id))];
    try {
      return await getLogs(client, { address: registry, topics, fromBlock: toHex(lo), toBlock: toHex(hi) });
    } catch (error) {
      if (error instanceof LogLimitError) {
        if (group.length > 1) return (await Promise.all(group.map((s) => readGroup([s])))).flat();
        return readFlooded(client, registry, group[0], firstOf(group[0].id), failures);
      }
      if (!isRefusal(error)) throw error;
      return (await Promise.all(group.map((s) => walkChain(client, registry, s)))).flat();
    }
  };
  return (await Promise.all(groupSpans(spans, combineSpan, TOPIC_CHUNK).map(readGroup))).flat();
}

/** One identity's span with a block the node's result cap cannot return whole: read by event
 * type (a guardian's flood of approvals proposal by proposal); a flood of one type fails it. */
async function readFlooded(client: Client, registry: Address, span: Span, first: bigint, failures: Map<Address, Error>): Promise<RawLog[]> {
  try {
    return await readByKind({ getLogs: (f) => getLogs(client, f), registry, identity: identityTopic(span.id), from: span.from, to: span.to, kinds: ALL_TOPICS, proposalsFrom: first });
  } catch (error) {
    if (!(error instanceof LogLimitError)) throw error;
    const message =
      `${error.shortMessage}: the node caps eth_getLogs results and this identity's history since its last purge holds more in one block; ` +
      "use an endpoint without that cap, or rotate with purge to leave the flood behind";
    failures.set(span.id, new HistoryReadError(message, { cause: error, reason: "logCap" }));
    return [];
  }
}

/** The guardian, recovery and commitment events of `span`'s identity before its last purge
 * (from `start`). A flooded block is read by event type; what cannot be read fails the identity
 * with the reason, never leaves its guardians out. */
async function readBeforePurge(client: Client, registry: Address, span: Span, start: bigint, failures: Map<Address, Error>): Promise<RawLog[]> {
  const identity = identityTopic(span.id);
  const [from, to] = [start, span.from - 1n];
  try {
    try {
      return await getLogs(client, { address: registry, topics: [[...PRE_PURGE_TOPICS], identity], fromBlock: toHex(from), toBlock: toHex(to) });
    } catch (error) {
      if (!(error instanceof LogLimitError)) throw error;
      return await readByKind({ getLogs: (f) => getLogs(client, f), registry, identity, from, to, kinds: PRE_PURGE_TOPICS, proposalsFrom: from });
    }
  } catch (error) {
    if (error instanceof InconsistentAnswerError) {
      failures.set(span.id, error);
      return [];
    }
    const capped = error instanceof LogLimitError;
    const cause = capped ? error.shortMessage : ((error as { shortMessage?: string }).shortMessage ?? (error as Error).message ?? String(error)).split("\n")[0];
    failures.set(
      span.id,
      new HistoryReadError(
        `the guardian, recovery and commitment events of ${span.id} before its last purge (blocks ${from} to ${to}) could not be read (${cause}); ` +
          `without them its guardians and recoveries would be shown wrong, so it is not resolved: ${capped ? "use an endpoint without that eth_getLogs result cap" : "retry, or use another endpoint"}`,
        { cause: error, reason: "guardianEvents" },
      ),
    );
    return [];
  }
}

/** A JSON-RPC error answer (the node refused the call), as opposed to a transport failure. */
const isRefusal = (error: unknown) => typeof (error as { code?: unknown })?.code === "number" && (error as { name?: string }).name !== "TimeoutError";

/** Follows one identity's previousChange chain down to its span's start, one block per call. */
async function walkChain(client: Client, registry: Address, span: Span): Promise<RawLog[]> {
  const out: RawLog[] = [];
  for (let block = span.to; block >= span.from && block > 0n; ) {
    const logs = await getLogs(client, { address: registry, topics: [null, identityTopic(span.id)], fromBlock: toHex(block), toBlock: toHex(block) });
    out.push(...logs);
    let previous = 0n;
    for (const e of decodeRegistryLogs(logs)) {
      // Rotation and recovery events carry no previousChange: the owner change beside them does.
      if (e.previousChange === undefined) continue;
      const pc = e.previousChange;
      if (pc < block && (previous === 0n || pc < previous)) previous = pc;
    }
    if (logs.length === 0) break; // checkChain reports the gap
    block = previous;
  }
  return out;
}

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
// is checked against the chain of previousChange links (history-span.ts). Its plain errors
// (EmptyCallError, a short answer) are internal signals: the resolver turns them into
// InternalError results, so what reaches an app is a SigilError.
import { toHex, type Address, type Client, type Hex } from "viem";
import { identityStatesAbi } from "../abi.ts";
import { decodeRegistryLogs, type RawLog, type RegistryEvent } from "./events.ts";
import { decodeLogData } from "./log-data.ts";
import { checkHistory } from "./consistency.ts";
import { InconsistentAnswerError } from "../errors.ts";
import { checkLinks, spanStart, type Span } from "./history-span.ts";
import { PRE_PURGE_TOPICS, readBeforePurge, readSpans } from "./span-logs.ts";
import { MIN_SPECULATION_GRACE_MS, settledWithin, speculate } from "./speculation.ts";
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

/** Identities per eth_call: under common node limits. */
const STATE_CHUNK = 250;
const DEFAULT_COMBINE_SPAN = 50_000n;

/** The eth_call answered empty: no contract at the registry address on the node's chain. */
export class EmptyCallError extends Error {}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
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
  const [chainId, blockNumber, timestamp, states] = decodeLogData(identityStatesAbi[0].outputs, raw) as [
    bigint,
    bigint,
    bigint,
    IdentityState[],
  ];
  if (states.length !== ids.length) throw new Error(`identityStates answered ${states.length} states for ${ids.length} identities`);
  return [chainId, blockNumber, timestamp, states] as const;
}

/** A block's header; null when the node has none (a block after its head). Another block's header is refused. */
async function getHeader(client: Client, block: bigint): Promise<BlockHeader | null> {
  const raw = (await client.request({ method: "eth_getBlockByNumber", params: [toHex(block), false] } as never)) as {
    number: Hex;
    timestamp: Hex;
  } | null;
  if (raw && BigInt(raw.number) !== block)
    throw new InconsistentAnswerError("header", `it answered the header of block ${block} with block ${BigInt(raw.number)}'s`);
  return raw ? { number: block, timestamp: BigInt(raw.timestamp) } : null;
}

/** Headers of `blocks` into `into`. `known`: the blocks are changes the state reported, so the node
 * must have them (a missing one would silently drop a document's created or updated time). */
async function getHeaders(client: Client, blocks: Iterable<bigint>, into: Map<bigint, bigint>, known = false) {
  const wanted = [...new Set(blocks)].filter((b) => b > 0n && !into.has(b));
  const headers = await Promise.all(wanted.map((b) => getHeader(client, b)));
  headers.forEach((h, i) => {
    if (h) into.set(h.number, h.timestamp);
    else if (known)
      throw new InconsistentAnswerError("header", `it has no header for block ${wanted[i]}, where its state says the identity changed`);
  });
}

/** What one read has learned so far, shared by its steps. */
interface Read {
  client: Client;
  options: ReadOptions;
  scope: "current" | "full";
  ids: Address[];
  states: Map<Address, IdentityState>;
  /** The spans step 2 reads, one per identity whose history the read needs. */
  spans: Span[];
  failures: Map<Address, Error>;
  blockTimes: Map<bigint, bigint>;
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
  const read: Read = {
    client,
    options,
    scope: options.scope ?? "current",
    ids,
    states: new Map(),
    spans: [],
    failures: new Map(),
    blockTimes: new Map(),
  };
  const { chainId, blockNumber, timestamp, speculative, stateMs } = await readStates(read);
  read.spans = spansOf(read);
  // Waited for only when a span needs it, and only about as long again as the state took: a
  // node slow on the wide query must not hold the read up (step 2 is one round trip).
  const early =
    speculative && read.spans.length ? await settledWithin(speculative, Math.max(stateMs, MIN_SPECULATION_GRACE_MS)) : undefined;
  const logs = await readLogs(read, early);
  const { events, from } = checkedHistories(read, logs, blockNumber, timestamp);
  // Step 3, only for nodes whose logs lack block times and were not known to: the headers of
  // the first and last change (a document's created and updated).
  if ([...events.values()].some((list) => list.some((e) => e.blockTimestamp === undefined))) await changeTimes(read, true);
  const { states, failures, blockTimes } = read;
  const headers = new Map([...blockTimes].map(([n, t]) => [n, { number: n, timestamp: t }]));
  return {
    snapshot: { chainId, blockNumber, timestamp, states, events, from, failures, blockTimes },
    headers,
  };
}

/** Step 1: every identity's state, the wanted headers and (speculating) the whole chain's logs of
 * the identities, in one tick. With no identities, one empty call still answers chain id, head
 * block and time. */
async function readStates(read: Read) {
  const { client, options, ids } = read;
  const statesP = Promise.all((ids.length ? chunks(ids, STATE_CHUNK) : [[]]).map((c) => callStates(client, options.registry, c)));
  const headersP = getHeaders(client, options.blocks ?? [], read.blockTimes);
  const speculative =
    options.speculate && ids.length
      ? speculate(client, options.registry, ids, { fromBlock: options.fromBlock, onSlow: options.onSlowSpeculation }, "latest")
      : undefined;
  const started = performance.now();
  const [stateChunks] = await Promise.all([statesP, headersP]);
  const stateMs = performance.now() - started;
  const [chainId, blockNumber, timestamp] = stateChunks[0];
  options.checkChainId?.(Number(chainId));
  stateChunks.forEach((chunk, ci) => chunk[3].forEach((s, i) => read.states.set(ids[ci * STATE_CHUNK + i], s)));
  return { chainId: Number(chainId), blockNumber, timestamp, speculative, stateMs };
}

/** Step 2's spans: the blocks each identity's history needs (none for one that never changed). */
function spansOf({ ids, states, scope, options }: Read): Span[] {
  const spans: Span[] = [];
  for (const id of ids) {
    const s = states.get(id)!;
    if (s.changed === 0n) continue;
    const from = spanStart(s, scope, options.fromBlock, options.after?.get(id));
    if (from <= s.changed) spans.push({ id, from, to: s.changed });
  }
  return spans;
}

/** Block times a document needs that its logs may not give: the last change's (updated) and the
 * first change's (created), which a read from the last purge does not reach. */
function changeTimes({ client, spans, states, options, blockTimes }: Read, noLogTimes: boolean) {
  const blocks = spans.flatMap((s) => {
    const first = states.get(s.id)!.firstChange;
    const beforeSpan = first < s.from && !options.after?.has(s.id);
    return [...(noLogTimes ? [s.to] : []), ...(noLogTimes || beforeSpan ? [first] : [])];
  });
  return getHeaders(client, blocks, blockTimes, true);
}

/** Step 2: the spans' logs (unless the speculative ones came in time), the events before a last
 * purge that a current document's metadata needs, and the change times, together. */
async function readLogs(read: Read, early: RawLog[] | undefined): Promise<RawLog[]> {
  const { client, options, spans, states, failures } = read;
  const { registry, fromBlock } = options;
  if (!spans.length) return early ?? [];
  const timesP = changeTimes(read, options.logTimestamps === false); // with the logs
  timesP.catch(() => undefined); // awaited below, after the logs: no unhandled rejection meanwhile
  const firstOf = (id: Address) => first(states.get(id)!, fromBlock);
  // Before a purge only guardian, recovery and commitment events still matter: read those alone (a
  // flood of entries before the purge costs nothing). Never left out: without them the metadata
  // would say "no guardians" of a guarded identity, so a read that fails fails the identity.
  const before = early || read.scope !== "current" ? [] : spans.filter((sp) => sp.from > firstOf(sp.id) && !options.after?.has(sp.id));
  const beforeP = Promise.all(before.map((sp) => readBeforePurge(client, registry, sp, firstOf(sp.id), failures)));
  const logs = early ?? (await readSpans(client, registry, spans, options.combineSpan ?? DEFAULT_COMBINE_SPAN, failures, firstOf));
  const all = [...(await beforeP).flat(), ...logs];
  await timesP;
  return all;
}

/** Each identity's events up to the snapshot's block, decoded only where the read needs them and
 * checked against its previousChange links and its state; an identity that fails is a failure. */
function checkedHistories({ ids, spans, states, scope, options, failures }: Read, logs: RawLog[], blockNumber: bigint, headTime: bigint) {
  const byId = new Map<string, RawLog[]>();
  for (const log of logs) {
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
    const start = span?.from ?? spanStart(states.get(id)!, scope, options.fromBlock, options.after?.get(id));
    from.set(id, start);
    if (!span || failures.has(id)) continue;
    // Only what the read needs is decoded: a flood before the last purge costs no CPU.
    const wanted = (byId.get(id) ?? []).filter((l) => BigInt(l.blockNumber!) >= start || PRE_PURGE_TOPICS.includes(l.topics[0] as Hex));
    const decoded = decodeRegistryLogs(wanted);
    try {
      const exit = checkLinks(id, decoded, start, span.to);
      checkHistory({ id, state: states.get(id)!, events: decoded, exit, headTime, partial: options.after?.has(id) ?? false });
      events.set(id, decoded);
    } catch (error) {
      failures.set(id, error as Error);
    }
  }
  return { events, from };
}

const first = (state: IdentityState, fromBlock: bigint) => (state.firstChange > fromBlock ? state.firstChange : fromBlock);

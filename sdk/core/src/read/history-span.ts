// Which blocks of an identity's history a read needs, how identities share eth_getLogs calls,
// and the check that what a node (or cache) returned is the whole of it. Pure: no I/O.
//
// The registry bounds every identity's history: its events lie in [firstChange, changed], and
// a purge at purgedAt voids everything before it for keys and services. Each change's events
// carry `previousChange`, the block of the change before, so the change blocks form a chain
// from `changed` down to the first: a node that leaves out a change block breaks the chain,
// and the read is refused instead of showing a document with a change missing.
import type { Address } from "viem";
import { SigilError } from "../errors.ts";
import type { RegistryEvent } from "./events.ts";

export interface HistoryBounds {
  changed: bigint;
  firstChange: bigint;
  purgedAt: bigint;
}

/** Why a history could not be read whole. */
export type HistoryReadFailure =
  | "missingLogs" // a change block's logs are not there: a node without them, behind, or lying
  | "logCap" // a block holds more of the identity's logs than the node returns per eth_getLogs
  | "guardianEvents"; // the guardian, recovery and commitment events before the last purge could not be read

/** The history's events are not all there, so no document is shown (DID Resolution
 * `internalError`): a partial one could list voided keys or hide guardians. */
export class HistoryReadError extends SigilError {
  override name = "HistoryReadError";
  readonly reason: HistoryReadFailure;
  constructor(message: string, options: { cause?: unknown; reason?: HistoryReadFailure } = {}) {
    super("internalError", message, { cause: options.cause });
    this.reason = options.reason ?? "missingLogs";
  }
}

/**
 * First block a read must cover: the first change, or for current documents the last purge
 * (nothing before it is in force), and never blocks a cache already holds (`after`).
 */
export function spanStart(state: HistoryBounds, scope: "current" | "full", fromBlock: bigint, after?: bigint): bigint {
  let start = state.firstChange > fromBlock ? state.firstChange : fromBlock;
  if (scope === "current" && state.purgedAt > start) start = state.purgedAt;
  if (after !== undefined && after + 1n > start) start = after + 1n;
  return start;
}

export interface Span {
  id: Address;
  from: bigint;
  to: bigint;
}

/**
 * Groups spans so that one eth_getLogs (a list of identity topics) serves several identities
 * when their union stays within `maxSpan` blocks; others get their own call. Sorted by start,
 * so neighbours in time share calls.
 */
export function groupSpans(spans: readonly Span[], maxSpan: bigint, maxIds: number): Span[][] {
  const sorted = [...spans].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const groups: Span[][] = [];
  let current: Span[] = [];
  let lo = 0n;
  let hi = 0n;
  for (const s of sorted) {
    const nlo = current.length ? (s.from < lo ? s.from : lo) : s.from;
    const nhi = current.length ? (s.to > hi ? s.to : hi) : s.to;
    if (current.length && (current.length >= maxIds || nhi - nlo + 1n > maxSpan)) {
      groups.push(current);
      current = [s];
      [lo, hi] = [s.from, s.to];
      continue;
    }
    current.push(s);
    [lo, hi] = [nlo, nhi];
  }
  if (current.length) groups.push(current);
  return groups;
}

/** Per block with events, the block of the change before it as they record it (0 for the first). */
function previousByBlock(events: readonly RegistryEvent[]): Map<bigint, bigint> {
  const previous = new Map<bigint, bigint>();
  for (const e of events) {
    if (e.previousChange === undefined || e.previousChange >= e.blockNumber) continue;
    const known = previous.get(e.blockNumber);
    if (known === undefined || e.previousChange < known) previous.set(e.blockNumber, e.previousChange);
  }
  return previous;
}

/**
 * Checks that `events` (chain-ordered, already cut to blocks >= `start`) hold every change of
 * the identity from `changed` back to `start`: following previousChange from `changed` must
 * only meet blocks that have events, until it leaves the span. Returns the block it leaves
 * to (the last change before the span, 0 if none).
 */
export function checkLinks(id: Address, events: readonly RegistryEvent[], start: bigint, changed: bigint): bigint {
  const previousOf = previousByBlock(events);
  let block = changed;
  for (let steps = 0; block >= start && block > 0n; steps++) {
    const previous = previousOf.get(block);
    if (previous === undefined || steps > events.length) {
      throw new HistoryReadError(
        `the node returned no registry logs for block ${block}, where ${id} ${block === changed ? "last changed" : "changed"}; ` +
          "it may lack historical logs (use an archive node), be behind, or leave logs out: retry or use another endpoint",
      );
    }
    block = previous;
  }
  return block;
}

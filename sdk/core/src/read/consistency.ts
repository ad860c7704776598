// Checks an endpoint's answers against each other, without proofs: every log must be what was
// asked (the registry's address, the block range, the event and identity topics), and an
// identity's storage state must agree with what its logs say (owner, deactivation, epoch and last
// purge, commitment, first and last change, block times). A lie that keeps its story consistent
// passes (only verified resolution can catch it: docs/verified-resolution.md); a lie that
// changes one side only is refused, naming what disagreed, never shown as a weaker document.
// Pure: no I/O.
import { zeroAddress, zeroHash, type Address, type Hex } from "viem";
import { InconsistentAnswerError, type ConsistencyCheck } from "../errors.ts";
import type { RawLog, RegistryEvent } from "./events.ts";
import type { LogFilter } from "./log-ranges.ts";
import type { IdentityState } from "./types.ts";
import { chainStart, eventsHead } from "./log-chain.ts";

const big = (v: bigint | Hex | number | null | undefined) => (v === null || v === undefined ? undefined : BigInt(v));
const tag = (t: string | undefined) => (t === undefined || !t.startsWith("0x") ? undefined : BigInt(t));
/** A filter's alternatives, lower-case, as a set: a batch's topic list holds up to 500 identities. */
const lower = (v: Hex | Hex[] | null | undefined) =>
  v === null || v === undefined ? undefined : new Set((Array.isArray(v) ? v : [v]).map((t) => t.toLowerCase()));

/** Refuses an eth_getLogs answer holding a log the filter did not ask for. */
export function checkLogs(logs: readonly (RawLog & { address?: string })[], filter: LogFilter): void {
  const addresses = lower(filter.address as Hex | Hex[] | undefined);
  const [from, to] = [tag(filter.fromBlock), tag(filter.toBlock)];
  const topics = (filter.topics ?? []).map(lower);
  for (const log of logs) {
    const block = big(log.blockNumber);
    if (addresses && !addresses.has(String(log.address).toLowerCase())) {
      throw new InconsistentAnswerError(
        "logAddress",
        `it answered eth_getLogs for ${[...addresses].join(", ")} with a log of ${log.address} (another contract)`,
      );
    }
    if (block !== undefined && ((from !== undefined && block < from) || (to !== undefined && block > to))) {
      throw new InconsistentAnswerError(
        "logRange",
        `it answered eth_getLogs for blocks ${from ?? "?"} to ${to ?? "latest"} with a log of block ${block}`,
      );
    }
    topics.forEach((wanted, i) => {
      if (wanted && !wanted.has(String(log.topics[i]).toLowerCase()))
        throw new InconsistentAnswerError(
          "logTopic",
          `it answered eth_getLogs with a log whose topic ${i} (${log.topics[i]}) was not asked for`,
        );
    });
  }
}

const isPurge = (e: RegistryEvent): e is Extract<RegistryEvent, { kind: "rotate" | "recovered" }> =>
  (e.kind === "rotate" || e.kind === "recovered") && e.purged;

export interface HistoryCheck {
  id: Address;
  state: IdentityState;
  /** The identity's events as read (chain order), with the guardian and commitment events before the span. */
  events: readonly RegistryEvent[];
  /** The block the previousChange walk left the span to (checkLinks), 0 if none. */
  exit: bigint;
  /** The state's block time: no log is later. */
  headTime: bigint;
  /** Only the events after a cached history were read: the whole-history checks do not apply. */
  partial: boolean;
  /** The event-chain head was already matched against a proven state (verified.ts): not recomputed. */
  headProven?: boolean;
}

/** Refuses a state and a history that tell different stories of one identity. */
export function checkHistory({ id, state, events, exit, headTime, partial, headProven }: HistoryCheck): void {
  const fail = (check: ConsistencyCheck, what: string): never => {
    throw new InconsistentAnswerError(check, `for ${id}, ${what}`);
  };
  let time = 0n;
  for (const e of events) {
    if (e.blockNumber > state.changed)
      fail("changed", `its state says the last change was at block ${state.changed}, but it returned a change at block ${e.blockNumber}`);
    if (e.blockTimestamp === undefined) continue;
    if (e.blockTimestamp < time || e.blockTimestamp > headTime)
      fail(
        "blockTime",
        `block ${e.blockNumber}'s time (${e.blockTimestamp}) is ${e.blockTimestamp > headTime ? `after the head's (${headTime})` : "before an earlier block's"}`,
      );
    time = e.blockTimestamp;
  }
  if (exit > 0n && state.firstChange > exit)
    fail(
      "firstChange",
      `its state says the first change was at block ${state.firstChange}, but its logs link to a change at block ${exit}`,
    );
  if (partial) return;
  let owner: Address = id;
  let purges = 0n;
  let lastPurge: RegistryEvent | undefined;
  let commitment: Hex = zeroHash;
  for (const e of events) {
    if (e.kind === "owner") owner = e.owner;
    else if (e.kind === "commit") commitment = e.commitment;
    else if (e.kind === "rotate" || e.kind === "recovered") commitment = e.newOwner === zeroAddress ? zeroHash : e.nextCommitment;
    if (isPurge(e)) [purges, lastPurge] = [purges + 1n, e];
  }
  const stateOwner = state.owner.toLowerCase();
  if (owner.toLowerCase() !== stateOwner)
    fail("owner", `its state names ${stateOwner} as the controller, but its logs make it ${owner.toLowerCase()}`);
  if (state.deactivated !== (owner === zeroAddress))
    fail("deactivated", `its state says deactivated: ${state.deactivated}, but its logs' last controller is ${owner.toLowerCase()}`);
  const purgedAt = lastPurge?.blockNumber ?? 0n;
  const epoch = lastPurge && isPurge(lastPurge) ? lastPurge.epoch : 0n;
  if (purges !== state.epoch || epoch !== state.epoch || purgedAt !== state.purgedAt) {
    fail(
      "epoch",
      `its state says epoch ${state.epoch}, last purge at block ${state.purgedAt}; its logs show ${purges} purge(s), the last at block ${purgedAt} (epoch ${epoch})`,
    );
  }
  if (!state.deactivated && commitment.toLowerCase() !== state.nextOwnerCommitment.toLowerCase()) {
    fail("commitment", `its state's next-key commitment is ${state.nextOwnerCommitment}, but its logs' last is ${commitment}`);
  }
  if (!headProven) checkHead(state, events, fail);
}

/** The logs since the last purge must reproduce the state's event-chain head (registry 2.2).
 * Skipped when a log's block time is unknown (a node whose logs lack blockTimestamp): the default
 * mode does not fetch a header per change for it; the verified mode does. */
function checkHead(state: IdentityState, events: readonly RegistryEvent[], fail: (check: ConsistencyCheck, what: string) => never) {
  const start = chainStart(events, state.purgedAt);
  if (start >= 0 && events.slice(start).some((e) => e.blockTimestamp === undefined)) return;
  const head = eventsHead(events, state.purgedAt);
  if (head?.toLowerCase() === state.head.toLowerCase()) return;
  const since = state.purgedAt ? `the purge at block ${state.purgedAt}` : "the first change";
  fail(
    "head",
    `its state's event-chain head is ${state.head}, but its logs since ${since} produce ${head ?? "no chain (no purge there)"}: a log was left out, altered, reordered or injected`,
  );
}

// Registry 2.2 keeps, in each identity's record, a hash chain of every event the identity emitted
// since its last purge (SigilRecords._link): head' = bytes20(keccak256(head ‖ uint64 block ‖
// uint64 time ‖ topic0 ‖ topic2 or 0 ‖ keccak256(data))), reset to zero by a purge just before
// the purge's DIDOwnerChanged. Recomputing it from the logs an endpoint gave and comparing it
// with the record's head shows whether any log since the purge was left out, altered, reordered,
// injected or moved in block or time. Against an unproven state (the default mode) it catches
// lies told in the logs alone; against a proven one (verified.ts) it catches every lie about them.
// Pure: no I/O.
import { keccak256, type Hex } from "viem";
import type { RegistryEvent } from "./events.ts";

export const ZERO_HEAD: Hex = `0x${"0".repeat(40)}`;

/** The head after `event` is chained onto `head`; the event must carry its block's time. */
export function chainLink(head: Hex, event: RegistryEvent): Hex {
  if (event.blockTimestamp === undefined) throw new Error(`block ${event.blockNumber}'s time is unknown`);
  const { topic0, topic2, data } = event.link;
  const u64 = (n: bigint) => n.toString(16).padStart(16, "0");
  const packed = `${head}${u64(event.blockNumber)}${u64(event.blockTimestamp)}${topic0.slice(2)}${topic2.slice(2)}${keccak256(data).slice(2)}`;
  return keccak256(packed as Hex).slice(0, 42) as Hex;
}

const isPurge = (e: RegistryEvent) => (e.kind === "rotate" || e.kind === "recovered") && e.purged;

/** Index of the event the chain starts with: the first one when the identity was never purged
 * (`purgedAt` 0), else the DIDOwnerChanged of the last purge (at block `purgedAt`); -1 when the
 * events hold no such purge (they cannot reproduce the head). */
export function chainStart(events: readonly RegistryEvent[], purgedAt: bigint): number {
  if (purgedAt === 0n) return 0;
  for (let p = events.length - 1; p >= 0; p--) {
    if (!isPurge(events[p]) || events[p].blockNumber !== purgedAt) continue;
    for (let o = p - 1; o >= 0 && events[o].blockNumber === purgedAt; o--) if (events[o].kind === "owner") return o;
    return -1;
  }
  return -1;
}

/** The head `events` produce from the identity's last purge (`purgedAt`, 0 if none); undefined
 * when they hold no such purge. Block times must be known (the logs' blockTimestamp, or headers). */
export function eventsHead(events: readonly RegistryEvent[], purgedAt: bigint): Hex | undefined {
  const start = chainStart(events, purgedAt);
  if (start < 0) return undefined;
  let head = ZERO_HEAD;
  for (let i = start; i < events.length; i++) head = chainLink(head, events[i]);
  return head;
}

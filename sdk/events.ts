// Decodes the registry's logs into typed change events, ordered as the chain ordered them.
// Pure: no I/O. Logs that are not the registry's (or not decodable) are skipped, as a
// stock ERC-1056 resolver skips them.
import { decodeEventLog, type Address, type Hex, type Log } from "viem";
import { sigilRegistryAbi } from "./abi.ts";

interface EventBase {
  blockNumber: bigint;
  logIndex: number;
  /** Unix seconds of the block, when the node includes `blockTimestamp` in logs. */
  blockTimestamp?: bigint;
  previousChange?: bigint;
}

export type RegistryEvent =
  | (EventBase & { kind: "owner"; owner: Address })
  | (EventBase & { kind: "delegate"; delegateType: Hex; delegate: Address; validTo: bigint })
  | (EventBase & { kind: "attribute"; name: Hex; value: Hex; validTo: bigint })
  | (EventBase & { kind: "commit"; commitment: Hex })
  | (EventBase & { kind: "rotate"; newOwner: Address; nextCommitment: Hex; purged: boolean; epoch: bigint });

/** A log as eth_getLogs returns it, after viem's formatting or raw (hex quantities). */
export type RawLog = Pick<Log, "data" | "topics"> & {
  blockNumber: bigint | Hex | null;
  logIndex: number | Hex | null;
  blockTimestamp?: bigint | Hex | null;
};

const toBig = (v: bigint | Hex | number | null | undefined): bigint | undefined =>
  v === null || v === undefined ? undefined : BigInt(v);

export function decodeRegistryLog(log: RawLog): RegistryEvent | undefined {
  let decoded;
  try {
    decoded = decodeEventLog({ abi: sigilRegistryAbi, data: log.data, topics: log.topics as [Hex, ...Hex[]] });
  } catch {
    return undefined;
  }
  const base: EventBase = {
    blockNumber: toBig(log.blockNumber) ?? 0n,
    logIndex: Number(toBig(log.logIndex) ?? 0n),
    blockTimestamp: toBig(log.blockTimestamp),
  };
  switch (decoded.eventName) {
    case "DIDOwnerChanged": {
      const a = decoded.args;
      return { ...base, kind: "owner", owner: a.owner, previousChange: a.previousChange };
    }
    case "DIDDelegateChanged": {
      const a = decoded.args;
      return {
        ...base,
        kind: "delegate",
        delegateType: a.delegateType,
        delegate: a.delegate,
        validTo: a.validTo,
        previousChange: a.previousChange,
      };
    }
    case "DIDAttributeChanged": {
      const a = decoded.args;
      return { ...base, kind: "attribute", name: a.name, value: a.value, validTo: a.validTo, previousChange: a.previousChange };
    }
    case "DIDNextOwnerCommitted":
      return { ...base, kind: "commit", commitment: decoded.args.commitment };
    case "DIDOwnerRotated": {
      const a = decoded.args;
      return { ...base, kind: "rotate", newOwner: a.newOwner, nextCommitment: a.nextCommitment, purged: a.purged, epoch: a.epoch };
    }
    default:
      return undefined;
  }
}

/** Decodes and sorts by (block, log index); duplicates (same position) are dropped. */
export function decodeRegistryLogs(logs: readonly RawLog[]): RegistryEvent[] {
  const seen = new Set<string>();
  const events: RegistryEvent[] = [];
  for (const log of logs) {
    const event = decodeRegistryLog(log);
    if (!event) continue;
    const key = `${event.blockNumber}:${event.logIndex}`;
    if (seen.has(key)) continue;
    seen.add(key);
    events.push(event);
  }
  return events.sort((a, b) =>
    a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1,
  );
}

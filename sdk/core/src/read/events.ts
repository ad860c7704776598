// Decodes the registry's logs into typed change events, ordered as the chain ordered them.
// Pure: no I/O. Logs that are not the registry's (or not decodable) are skipped, as a
// stock ERC-1056 resolver skips them.
import { toEventSelector, type AbiEvent, type AbiParameter, type Address, type Hex } from "viem";
import { registryEventsAbi } from "../abi.ts";
import { decodeLogData } from "./log-data.ts";

interface EventBase {
  blockNumber: bigint;
  logIndex: number;
  /** Unix seconds of the block, when the node includes `blockTimestamp` in logs. */
  blockTimestamp?: bigint;
  previousChange?: bigint;
  /** What the registry's hash chain binds of the log besides its block and time (log-chain.ts). */
  link: { topic0: Hex; topic2: Hex; data: Hex };
}

export interface RecoveryProposalData {
  newOwner: Address;
  nextCommitment: Hex;
  purge: boolean;
  /** The guardian set the recovery installs (`replace`) or keeps. */
  guardians: { replace: boolean; root: Hex; threshold: bigint; delay: bigint };
}

export type RegistryEvent =
  | (EventBase & { kind: "owner"; owner: Address })
  | (EventBase & { kind: "delegate"; delegateType: Hex; delegate: Address; validTo: bigint })
  | (EventBase & { kind: "attribute"; name: Hex; value: Hex; validTo: bigint })
  /** The ERC-1056 marker a Sigil-only change also emits (`DIDAttributeChanged` named
   * `sigil/...`, empty, validTo 0) so that stock ERC-1056 readers walk its block: no entry. */
  | (EventBase & { kind: "marker"; name: Hex })
  | (EventBase & { kind: "commit"; commitment: Hex })
  | (EventBase & { kind: "rotate"; newOwner: Address; nextCommitment: Hex; purged: boolean; epoch: bigint })
  | (EventBase & { kind: "guardiansProposed"; root: Hex; threshold: number; delay: bigint; effectiveAt: bigint })
  | (EventBase & { kind: "guardiansChanged"; root: Hex; threshold: number; delay: bigint })
  | (EventBase & { kind: "guardianChangeCancelled" })
  | (EventBase & { kind: "recoveryProposed"; proposal: Hex; recovery: RecoveryProposalData; round: bigint })
  | (EventBase & { kind: "recoveryApproved"; proposal: Hex; guardian: Address; approvals: number; readyAt: bigint })
  | (EventBase & { kind: "recoveryCancelled"; proposal: Hex })
  | (EventBase & { kind: "recovered"; proposal: Hex; newOwner: Address; nextCommitment: Hex; purged: boolean; epoch: bigint });

/** A log as eth_getLogs returns it, after viem's formatting or raw (hex quantities). */
export type RawLog = {
  data: Hex;
  topics: readonly Hex[];
  blockNumber: bigint | Hex | null;
  logIndex: number | Hex | null;
  blockTimestamp?: bigint | Hex | null;
};

const toBig = (v: bigint | Hex | number | null | undefined): bigint | undefined => (v === null || v === undefined ? undefined : BigInt(v));

type RegistryEventName = (typeof registryEventsAbi)[number]["name"];

/** Per event selector (topic 0): the event's name, its data parameters, and the names of its
 * indexed parameters after the identity. Built once: viem's decodeEventLog hashes every event
 * signature of the ABI for every log, which was most of the client's CPU on long histories. */
const DECODERS = new Map(
  (registryEventsAbi as readonly AbiEvent[]).map((item) => [
    toEventSelector(item),
    {
      name: item.name as RegistryEventName,
      data: item.inputs.filter((i) => !i.indexed) as AbiParameter[],
      topics: item.inputs.filter((i) => i.indexed).map((i) => i.name as string),
    },
  ]),
);

/** The event's arguments by name (the identity topic, which the caller already knows, is left
 * out); undefined when the log is not one of the registry's events or does not decode. */
function decodeArgs(log: RawLog): { eventName: RegistryEventName; args: Record<string, unknown> } | undefined {
  const decoder = DECODERS.get(log.topics[0] as Hex);
  if (!decoder || log.topics.length !== decoder.topics.length + 1) return undefined;
  try {
    const values = decodeLogData(decoder.data, log.data);
    const args: Record<string, unknown> = {};
    decoder.data.forEach((p, i) => (args[p.name as string] = values[i]));
    // Indexed parameters other than the identity are bytes32 (a proposal id): the topic itself.
    decoder.topics.forEach((name, i) => name !== "identity" && (args[name] = log.topics[i + 1]));
    return { eventName: decoder.name, args };
  } catch {
    return undefined;
  }
}

const ZERO_WORD = `0x${"0".repeat(64)}`;

/** bytes32 names starting "sigil/": the registry's markers of Sigil-only changes. */
const MARKER_PREFIX = "0x736967696c2f";

export function decodeRegistryLog(log: RawLog): RegistryEvent | undefined {
  const decoded = decodeArgs(log) as ReturnType<typeof decodeArgs> & { args: Args };
  if (!decoded) return undefined;
  const base: EventBase = {
    blockNumber: toBig(log.blockNumber) ?? 0n,
    logIndex: Number(toBig(log.logIndex) ?? 0n),
    blockTimestamp: toBig(log.blockTimestamp),
    link: { topic0: log.topics[0] as Hex, topic2: (log.topics[2] ?? ZERO_WORD) as Hex, data: log.data },
  };
  return controllerEvent(decoded, base) ?? guardianEvent(decoded, base);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- decoded by the event's own ABI entry (DECODERS)
type Args = any;
type Decoded = { eventName: string; args: Args };

/** ERC-1056's events and pre-rotation's: keys, services, the controller and its next key. */
function controllerEvent(decoded: Decoded, base: EventBase): RegistryEvent | undefined {
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
      if (a.validTo === 0n && a.value === "0x" && a.name.startsWith(MARKER_PREFIX)) {
        return { ...base, kind: "marker", name: a.name, previousChange: a.previousChange };
      }
      return { ...base, kind: "attribute", name: a.name, value: a.value, validTo: a.validTo, previousChange: a.previousChange };
    }
    case "DIDNextOwnerCommitted":
      return { ...base, kind: "commit", commitment: decoded.args.commitment, previousChange: decoded.args.previousChange };
    case "DIDOwnerRotated": {
      const a = decoded.args;
      return { ...base, kind: "rotate", newOwner: a.newOwner, nextCommitment: a.nextCommitment, purged: a.purged, epoch: a.epoch };
    }
    default:
      return undefined;
  }
}

/** Guardian recovery's events: the guardian set, its changes, proposals, approvals and outcomes. */
function guardianEvent(decoded: Decoded, base: EventBase): RegistryEvent | undefined {
  switch (decoded.eventName) {
    case "DIDGuardiansProposed": {
      const a = decoded.args;
      const policy = { root: a.root, threshold: Number(a.threshold), delay: a.delay };
      return { ...base, kind: "guardiansProposed", ...policy, effectiveAt: a.effectiveAt, previousChange: a.previousChange };
    }
    case "DIDGuardiansChanged": {
      const a = decoded.args;
      return {
        ...base,
        kind: "guardiansChanged",
        root: a.root,
        threshold: Number(a.threshold),
        delay: a.delay,
        previousChange: a.previousChange,
      };
    }
    case "DIDGuardianChangeCancelled":
      return { ...base, kind: "guardianChangeCancelled", previousChange: decoded.args.previousChange };
    case "DIDRecoveryProposed": {
      const a = decoded.args;
      return {
        ...base,
        kind: "recoveryProposed",
        proposal: a.proposal,
        recovery: { ...a.recovery },
        round: a.round,
        previousChange: a.previousChange,
      };
    }
    case "DIDRecoveryApproved": {
      const a = decoded.args;
      const approval = { proposal: a.proposal, guardian: a.guardian, approvals: Number(a.approvals), readyAt: a.readyAt };
      return { ...base, kind: "recoveryApproved", ...approval, previousChange: a.previousChange };
    }
    case "DIDRecoveryCancelled":
      return { ...base, kind: "recoveryCancelled", proposal: decoded.args.proposal, previousChange: decoded.args.previousChange };
    case "DIDRecovered": {
      const a = decoded.args;
      const outcome = { newOwner: a.newOwner, nextCommitment: a.nextCommitment, purged: a.purged, epoch: a.epoch };
      return { ...base, kind: "recovered", proposal: a.proposal, ...outcome };
    }
    default:
      return undefined;
  }
}

/** Decodes and sorts by (block, log index); duplicates (same position) are dropped before decoding. */
export function decodeRegistryLogs(logs: readonly RawLog[]): RegistryEvent[] {
  const seen = new Set<string>();
  const events: RegistryEvent[] = [];
  for (const log of logs) {
    const key = `${log.blockNumber}:${log.logIndex}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const event = decodeRegistryLog(log);
    if (event) events.push(event);
  }
  return events.sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
}

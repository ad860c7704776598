// Plans a rotation the safe way by default: purge (O(1) gas whatever a thief published),
// commit to a fresh next key in the same transaction (so recovering does not end protection),
// and list nothing. Listing live entries, so that stock ERC-1056 readers drop them too, is
// opt-in; the list is then split into transactions that each stay far below a block's gas
// limit: the first part rides in the rotation, the rest follow as `revokeEntries` batches
// sent by the new controller.
import { zeroHash, type Address, type Hex } from "viem";
import { activeEntries } from "../document/active.ts";
import type { RegistryEvent } from "../read/events.ts";
import { generateNextKey, type NextKeyCard } from "../recovery/guardians.ts";
import {
  KEEP_GUARDIANS,
  REMOVE_GUARDIANS,
  type AttributeRef,
  type DelegateRef,
  type GuardianUpdate,
  type Operation,
} from "./operations.ts";
import { foldRecovery } from "../recovery/recovery-state.ts";

/** Gas one transaction's listed revocations may use (a block holds 30-36 M; a cap is 16.7 M). */
export const REVOCATION_GAS_BUDGET = 3_000_000;

type RotateOp = Extract<Operation, { type: "rotate" }>;
type RevokeEntriesOp = Extract<Operation, { type: "revokeEntries" }>;

export interface RotationPlan {
  rotate: RotateOp;
  /** Batches the new controller sends after the rotation (only when listing was asked for). */
  followUps: RevokeEntriesOp[];
  /** The fresh next key committed to: the user must keep it offline, with its salt. */
  nextKey?: NextKeyCard;
  /** Things the user must be told (pre-rotation turned off, services removed, ...). */
  warnings: string[];
}

/** Upper estimate of the gas a listed revocation costs: storage write or log, plus calldata. */
function revocationGas(entry: { kind: "delegate" } | { kind: "attribute"; value: Hex }): number {
  if (entry.kind === "delegate") return 9_000;
  const bytes = (entry.value.length - 2) / 2;
  return 4_000 + 26 * bytes; // log data 8/byte + calldata 16/byte + hashing, with margin
}

/** Splits entries into batches that each stay under REVOCATION_GAS_BUDGET. */
export function splitRevocations(delegates: readonly DelegateRef[], attributes: readonly AttributeRef[], budget = REVOCATION_GAS_BUDGET) {
  const batches: { revokeDelegates: DelegateRef[]; revokeAttributes: AttributeRef[] }[] = [];
  let current = { revokeDelegates: [] as DelegateRef[], revokeAttributes: [] as AttributeRef[] };
  let gas = 0;
  const add = (cost: number, push: () => void) => {
    if (gas + cost > budget && gas > 0) {
      batches.push(current);
      current = { revokeDelegates: [], revokeAttributes: [] };
      gas = 0;
    }
    push();
    gas += cost;
  };
  for (const d of delegates) add(revocationGas({ kind: "delegate" }), () => current.revokeDelegates.push(d));
  for (const a of attributes) add(revocationGas({ kind: "attribute", value: a.value }), () => current.revokeAttributes.push(a));
  if (gas > 0) batches.push(current);
  return batches;
}

export function planRotation(args: {
  identity: Address;
  /** The salt of the commitment being consumed (from the next-key card). */
  salt: Hex;
  /** Default: the next key itself. */
  newOwner: Address;
  /** A fresh next key to commit to (default: generated here); `null` turns pre-rotation off, explicitly. */
  nextKey?: NextKeyCard | null;
  /** Or a commitment made elsewhere (a hardware key), instead of `nextKey`. */
  nextCommitment?: Hex;
  /** Default true: void everything published before. */
  purge?: boolean;
  /** The identity's history and the chain time, to list live entries for stock ERC-1056 readers. */
  listRevocations?: { events: readonly RegistryEvent[]; now: bigint };
  /** The guardian set after the rotation (default: keep it, unless `history` shows it changed
   * after the commitment being consumed was made: then restore the set of that moment). */
  guardians?: GuardianUpdate;
  /** The identity's history (events of the whole life, or since before the commitment). */
  history?: readonly RegistryEvent[];
}): RotationPlan {
  const purge = args.purge ?? true;
  const warnings: string[] = [];
  let nextKey: NextKeyCard | undefined;
  let nextCommitment: Hex = zeroHash;
  if (args.nextCommitment) nextCommitment = args.nextCommitment;
  else if (args.nextKey !== null) {
    nextKey = args.nextKey ?? generateNextKey();
    nextCommitment = nextKey.commitment;
  }
  if (nextCommitment === zeroHash) {
    warnings.push("no next key is committed: until you commit one, a thief who steals the new key can take the identity");
  }
  const batches = args.listRevocations ? listed(args.listRevocations.events, args.listRevocations.now) : [];
  if (purge && args.listRevocations) {
    const services = batches.flatMap((b) => b.revokeAttributes).filter((a) => a.name.startsWith("0x6469642f7376632f")); // "did/svc/"
    if (services.length > 0)
      warnings.push(`${services.length} service endpoint(s) are removed with everything else: publish the ones you still use again`);
  } else if (purge) {
    warnings.push("every key and service published before is void: publish the ones you still use again");
  }
  let guardians = args.guardians ?? KEEP_GUARDIANS;
  if (!args.guardians && args.history) {
    const restore = guardiansAtCommitment(args.history);
    if (restore) {
      guardians = restore;
      warnings.push(
        restore.root === zeroHash
          ? "the guardian set changed after you committed to this key: the rotation removes it (you named no guardians then)"
          : "the guardian set changed after you committed to this key: the rotation restores the set of that moment",
      );
    }
  }
  const [first, ...rest] = batches;
  return {
    rotate: {
      type: "rotate",
      identity: args.identity,
      salt: args.salt,
      newOwner: args.newOwner,
      nextCommitment,
      purge,
      guardians,
      revokeDelegates: first?.revokeDelegates ?? [],
      revokeAttributes: first?.revokeAttributes ?? [],
    },
    followUps: rest.map((b) => ({ type: "revokeEntries", identity: args.identity, ...b })),
    nextKey,
    warnings,
  };
}

/**
 * The guardian update that puts back the set in effect when the current commitment was made, if
 * the set changed after that (a change the current key proposed before the commitment and that
 * applied after it is the only way a set can change under a commitment without the next key);
 * undefined when nothing changed. The commitment was made by the last commit, rotation or
 * recovery that set one; a set that same transaction installed is the owner's.
 */
export function guardiansAtCommitment(history: readonly RegistryEvent[]): GuardianUpdate | undefined {
  let made = -1;
  history.forEach((e, i) => {
    if (e.kind === "commit" || ((e.kind === "rotate" || e.kind === "recovered") && e.nextCommitment !== zeroHash)) made = i;
  });
  if (made < 0) return undefined;
  const block = history[made].blockNumber;
  const changedAfter = history.some((e, i) => i > made && e.blockNumber > block && e.kind === "guardiansChanged");
  if (!changedAfter) return undefined;
  const then = foldRecovery(history.filter((e) => e.blockNumber <= block)).guardians;
  return then ? { replace: true, root: then.root, threshold: BigInt(then.threshold), delay: then.delay } : REMOVE_GUARDIANS;
}

function listed(events: readonly RegistryEvent[], now: bigint) {
  const { delegates, attributes } = activeEntries(events, now);
  return splitRevocations(delegates, attributes);
}

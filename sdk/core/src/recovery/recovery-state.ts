// Folds an identity's guardian and recovery events into what a correspondent and its owner
// need to see: whether guardians are set (threshold and delay, never who they are), a pending
// guardian change, and open recovery proposals (approvals so far, armed or not, when they can
// be finalised). Pure: no I/O. Mirrors SigilRecovery.sol's rounds: a new guardian set, a
// cancelled or a finalised recovery voids every earlier proposal.
import type { Address, Hex } from "viem";
import { getAddress } from "viem";
import type { RegistryEvent } from "../read/events.ts";
import { KEEP_GUARDIANS, type GuardianUpdate, type RecoveryProposal } from "../write/operations.ts";

export interface GuardianPolicy {
  root: Hex;
  threshold: number;
  /** Seconds a recovery waits after it is armed, and a guardian change after it is proposed. */
  delay: bigint;
  /** Unix seconds when this set took effect (when the node gave block times). */
  since?: bigint;
}

export interface PendingGuardianChange {
  /** Zero when the change removes the guardians. */
  root: Hex;
  threshold: number;
  delay: bigint;
  effectiveAt: bigint;
  /** Unix seconds of the proposal: the applied set's seniority counts from it. */
  proposedAt?: bigint;
}

export interface OpenRecovery {
  proposal: Hex;
  round: bigint;
  newOwner: Address;
  nextCommitment: Hex;
  purge: boolean;
  /** The guardian set the recovery installs (`replace`), or keeps. */
  guardians: GuardianUpdate;
  approvals: number;
  /** Guardians who approved: they revealed themselves by acting. */
  approvedBy: Address[];
  armed: boolean;
  /** When armed: from when anyone may finalise it (unix seconds). */
  readyAt?: bigint;
  /** Unix seconds of its first approval (approvals count for one delay from it). */
  startedAt?: bigint;
}

export interface RecoveryView {
  guardians: GuardianPolicy | null;
  pendingGuardianChange: PendingGuardianChange | null;
  /** Proposals of the current round, the armed one first. */
  recoveries: OpenRecovery[];
  round: bigint;
  /** Unix seconds from which the current next-key commitment's seniority counts (a rotation's
   * new commitment keeps that of the one it consumed), if known. */
  committedAt?: bigint;
}

const ZERO = `0x${"0".repeat(64)}` as Hex;

/** The guardian and recovery state after `events` (already cut at the point of interest). */
export function foldRecovery(events: readonly RegistryEvent[]): RecoveryView {
  let guardians: GuardianPolicy | null = null;
  let pending: PendingGuardianChange | null = null;
  let open = new Map<Hex, OpenRecovery>();
  let round = 0n;
  let committedAt: bigint | undefined;
  let commitment: Hex = ZERO;
  const newRound = () => {
    round++;
    open = new Map();
  };
  const setCommitment = (next: Hex, at?: bigint) => {
    if (next !== commitment) committedAt = next === ZERO ? undefined : at;
    commitment = next;
  };
  for (const e of events) {
    switch (e.kind) {
      case "commit":
        setCommitment(e.commitment, e.blockTimestamp);
        break;
      case "rotate":
        // The new commitment keeps the seniority of the one consumed, as the contract does.
        // A pending change it dropped is said by its own guardianChangeCancelled event, and one
        // it proposed (a junior next key's) by guardiansProposed: nothing to do here.
        setCommitment(e.nextCommitment, committedAt);
        break;
      case "guardiansProposed":
        pending = { root: e.root, threshold: e.threshold, delay: e.delay, effectiveAt: e.effectiveAt, proposedAt: e.blockTimestamp };
        break;
      case "guardiansChanged": {
        const since = pending?.root === e.root ? pending.proposedAt : e.blockTimestamp; // applied: from its proposal
        guardians = e.root === ZERO ? null : { root: e.root, threshold: e.threshold, delay: e.delay, since };
        pending = null;
        newRound();
        break;
      }
      case "guardianChangeCancelled":
        pending = null;
        break;
      case "recoveryProposed": // also a proposal starting over after its approvals expired
        open.set(e.proposal, {
          proposal: e.proposal,
          round: e.round,
          ...e.recovery,
          approvals: 0,
          approvedBy: [],
          armed: false,
          startedAt: e.blockTimestamp,
        });
        break;
      case "recoveryApproved": {
        const r = open.get(e.proposal);
        if (!r) break;
        r.approvals = e.approvals;
        r.approvedBy.push(e.guardian);
        if (e.readyAt > 0n) {
          r.armed = true;
          r.readyAt = e.readyAt;
        }
        break;
      }
      case "recoveryCancelled":
        newRound();
        break;
      case "recovered":
        setCommitment(e.nextCommitment, e.blockTimestamp);
        pending = null;
        newRound();
        break;
      case "owner":
        if (/^0x0{40}$/.test(e.owner)) {
          guardians = null;
          pending = null;
          open = new Map();
          commitment = ZERO;
          committedAt = undefined;
        }
        break;
    }
  }
  const recoveries = [...open.values()].sort((a, b) => Number(b.armed) - Number(a.armed));
  return { guardians, pendingGuardianChange: pending, recoveries, round, committedAt };
}

const iso = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");

/** The `guardians`, `pendingGuardianChange`, `recoveries` and `commitmentSince` members of
 * a document's `sigil` metadata, judged at `now` (unix seconds of the document's point). */
export function recoveryMetadata(view: RecoveryView, now: bigint): Record<string, unknown> {
  const p = view.pendingGuardianChange;
  return {
    guardians: view.guardians && {
      threshold: view.guardians.threshold,
      delaySeconds: Number(view.guardians.delay),
      ...(view.guardians.since !== undefined ? { since: iso(view.guardians.since) } : {}),
    },
    pendingGuardianChange: p && {
      removesGuardians: p.root === ZERO,
      threshold: p.threshold,
      delaySeconds: Number(p.delay),
      effectiveAt: iso(p.effectiveAt),
      canBeApplied: now >= p.effectiveAt,
    },
    recoveries: view.recoveries.map((r) => ({
      proposal: r.proposal,
      status: recoveryStatus(r, view.guardians, now),
      newOwner: r.newOwner.toLowerCase(),
      nextOwnerCommitment: r.nextCommitment === ZERO ? null : r.nextCommitment,
      purge: r.purge,
      ...(r.guardians.replace
        ? {
            replacesGuardians: {
              root: r.guardians.root,
              threshold: Number(r.guardians.threshold),
              delaySeconds: Number(r.guardians.delay),
            },
          }
        : {}),
      approvals: r.approvals,
      ...(view.guardians ? { threshold: view.guardians.threshold } : {}),
      approvedBy: r.approvedBy.map((a) => a.toLowerCase()),
      ...(r.readyAt !== undefined ? { readyAt: iso(r.readyAt) } : {}),
      ...(!r.armed && r.startedAt !== undefined && view.guardians ? { approvalsExpireAt: iso(r.startedAt + view.guardians.delay) } : {}),
    })),
    ...(view.committedAt !== undefined ? { commitmentSince: iso(view.committedAt) } : {}),
  };
}

/** One entry of a document's `sigil.recoveries` metadata. */
export interface RecoveryMetadataEntry {
  newOwner: string;
  nextOwnerCommitment: string | null;
  purge: boolean;
  replacesGuardians?: { root: string; threshold: number; delaySeconds: number };
}

/** The exact proposal (as guardians approve and anyone finalises it) that a metadata entry
 * describes: the one source of that mapping for the CLI and the console. */
export function proposalOf(entry: RecoveryMetadataEntry): RecoveryProposal {
  const g = entry.replacesGuardians;
  return {
    newOwner: getAddress(entry.newOwner),
    nextCommitment: (entry.nextOwnerCommitment ?? ZERO) as Hex,
    purge: entry.purge,
    guardians: g ? { replace: true, root: g.root as Hex, threshold: BigInt(g.threshold), delay: BigInt(g.delaySeconds) } : KEEP_GUARDIANS,
  };
}

/** proposed → armed (M approvals) → ready (its delay passed); a proposal whose approvals did not
 * reach M within one delay of the first is expired (a new approval starts it over). */
function recoveryStatus(r: OpenRecovery, guardians: GuardianPolicy | null, now: bigint): "proposed" | "expired" | "armed" | "ready" {
  if (r.armed) return now >= (r.readyAt ?? 0n) ? "ready" : "armed";
  if (guardians && r.startedAt !== undefined && now > r.startedAt + guardians.delay) return "expired";
  return "proposed";
}

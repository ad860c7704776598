// What the console reads, as types (and the one accessor the views share), apart from the code
// that reads it (chain.ts): the page draws its lookup form without waiting for viem and the SDK.
import type { IdentityState, RegistryEvent, SigilResolver } from "sigil-did";

/** An event with its block time known. */
export type TimedEvent = RegistryEvent & { blockTimestamp: bigint };

export interface History {
  events: TimedEvent[];
  state: IdentityState | undefined;
  head: { blockNumber: bigint; timestamp: bigint };
}

/** The Sigil block of a result's metadata, typed as the resolver writes it. */
export interface SigilMeta {
  chainId: number;
  registry: string;
  owner: string;
  epoch: string;
  nextOwnerCommitment: string | null;
  preRotation: boolean;
  deactivatedFinal: boolean;
  resolvedAtBlock: string;
  commitmentSince?: string;
  guardians: { threshold: number; delaySeconds: number; since?: string } | null;
  pendingGuardianChange: {
    removesGuardians: boolean;
    threshold: number;
    delaySeconds: number;
    effectiveAt: string;
    canBeApplied: boolean;
  } | null;
  recoveries: {
    proposal: string;
    status: "proposed" | "expired" | "armed" | "ready";
    newOwner: string;
    nextOwnerCommitment: string | null;
    purge: boolean;
    approvals: number;
    threshold?: number;
    approvedBy: string[];
    readyAt?: string;
    approvalsExpireAt?: string;
  }[];
}

/** A DID Resolution result as the SDK returns it. */
export type Resolution = Awaited<ReturnType<SigilResolver["resolve"]>>;

export const sigilMeta = (r: Resolution): SigilMeta | undefined => (r.didDocumentMetadata as { sigil?: SigilMeta }).sigil;

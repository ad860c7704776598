// Builds DID Resolution results: the document (document.ts) as of a point in the chain, its
// metadata (versions, deactivation, and Sigil's block: controller, epoch, pre-rotation,
// guardians and recoveries), and error results that never throw.
import type { DIDDocumentMetadata, DIDResolutionResult } from "did-resolver";
import { zeroHash, type Address } from "viem";
import { buildDocument, type DocumentPoint } from "./document.ts";
import { InternalError, SigilError } from "./errors.ts";
import type { RegistryEvent } from "./events.ts";
import type { IdentityState } from "./reader.ts";
import { foldRecovery, recoveryMetadata } from "./recovery-state.ts";
import { canonicalDid, type CachedHistory, type NetworkEntry } from "./sigil-client.ts";

export const CONTENT_TYPES = ["application/did+ld+json", "application/did+json", "application/did", "application/ld+json"];

const iso = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");

export function errorResult(error: unknown): DIDResolutionResult {
  const e = error instanceof SigilError ? error : new InternalError({ cause: error });
  return { didResolutionMetadata: { error: e.code, message: e.message }, didDocument: null, didDocumentMetadata: {} };
}

/** Block time of `block` from the events (nodes that include `blockTimestamp`) or fetched headers. */
export const blockTimeOf = (events: readonly RegistryEvent[], headers?: Map<bigint, { timestamp: bigint }>) => (block: bigint) =>
  events.find((e) => e.blockNumber === block)?.blockTimestamp ?? headers?.get(block)?.timestamp;

export interface ResultInput {
  entry: NetworkEntry;
  address: Address;
  events: readonly RegistryEvent[];
  at: DocumentPoint;
  /** The head the read was taken at; `state` only for current documents (storage is authoritative). */
  head: { blockNumber: bigint; state?: IdentityState };
  historical: boolean;
  accept: string;
  blockTime: (block: bigint) => bigint | undefined;
}

export function buildResult(input: ResultInput): DIDResolutionResult {
  const { entry, address, events, at, head, historical, accept, blockTime } = input;
  const built = buildDocument({ did: canonicalDid(entry, address), address, chainId: entry.network.chainId, events, at });
  const state = historical ? undefined : head.state;
  const metadata: DIDDocumentMetadata & Record<string, unknown> = {};
  if (built.deactivated) metadata.deactivated = true;
  if (built.versionId > 0n) {
    metadata.versionId = built.versionId.toString();
    const t = blockTime(built.versionId);
    if (t !== undefined) metadata.updated = iso(t);
  }
  if (historical && built.nextVersionId !== undefined) {
    metadata.nextVersionId = built.nextVersionId.toString();
    const t = blockTime(built.nextVersionId);
    if (t !== undefined) metadata.nextUpdate = iso(t);
  }
  const commitment = state ? state.nextOwnerCommitment : (built.nextOwnerCommitment ?? zeroHash);
  metadata.sigil = {
    chainId: entry.network.chainId,
    registry: entry.network.registry.toLowerCase(),
    owner: (state ? state.owner : built.owner).toLowerCase(),
    epoch: (state ? state.epoch : built.epoch).toString(),
    nextOwnerCommitment: commitment === zeroHash ? null : commitment,
    preRotation: commitment !== zeroHash,
    deactivatedFinal: built.deactivated,
    resolvedAtBlock: (historical ? at.blockNumber : head.blockNumber).toString(),
    ...recoveryMetadata(foldRecovery(events.filter((e) => e.blockNumber <= at.blockNumber)), at.timestamp),
  };
  const didDocument = { ...built.didDocument };
  // application/did (DID 1.1) keeps @context, as did+ld+json; only plain did+json drops it.
  if (accept === "application/did+json") delete didDocument["@context"];
  return { didResolutionMetadata: { contentType: accept }, didDocument, didDocumentMetadata: metadata };
}

/** The current document from a (possibly cached) history, as of the block it was confirmed at. */
export const currentResult = (entry: NetworkEntry, address: Address, h: CachedHistory, accept: string) =>
  buildResult({
    entry,
    address,
    events: h.events,
    at: { blockNumber: h.blockNumber, timestamp: h.timestamp },
    head: { blockNumber: h.blockNumber, state: h.state },
    historical: false,
    accept,
    blockTime: blockTimeOf(h.events),
  });

// Builds DID Resolution results: the document (document.ts) as of a point in the chain, its
// metadata (versions, deactivation, and Sigil's block: controller, epoch, pre-rotation,
// guardians and recoveries), and error results that never throw.
import type { DIDDocumentMetadata, DIDResolutionResult } from "did-resolver";
import { zeroHash, type Address, type Hex } from "viem";
import { buildDocument, type DocumentPoint } from "./document.ts";
import { InternalError, SigilError } from "../errors.ts";
import type { RegistryEvent } from "../read/events.ts";
import type { IdentityState } from "../read/types.ts";
import { foldRecovery, recoveryMetadata } from "../recovery/recovery-state.ts";
import { documentContext } from "./representation.ts";
import { canonicalDid } from "../resolve/sigil-client.ts";
import type { CachedHistory, NetworkEntry } from "../resolve/types.ts";

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
  /** The DID as the caller wrote it: the document's `id` (DID Core: the DID that was resolved). */
  did: string;
  address: Address;
  events: readonly RegistryEvent[];
  at: DocumentPoint;
  /** The head the read was taken at; `state` only for current documents (storage is authoritative). */
  head: { blockNumber: bigint; state?: IdentityState };
  historical: boolean;
  accept: string;
  blockTime: (block: bigint) => bigint | undefined;
  /** Whether this network is the resolver's default (then `did:sigil:<address>` names it too). */
  isDefaultNetwork?: boolean;
  /** The identity's first change (from its state), when `events` may start later (at its last purge). */
  firstChange?: bigint;
  /** The trusted header the read was verified against (the network's `verify`), if it was. */
  verification?: { blockNumber: bigint; blockHash: Hex; basis: string };
}

export function buildResult(input: ResultInput): DIDResolutionResult {
  const { entry, did, address, events, at, head, historical, accept, blockTime } = input;
  const built = buildDocument({ did, address, chainId: entry.network.chainId, events, at });
  const state = historical ? undefined : head.state;
  const metadata: DIDDocumentMetadata & Record<string, unknown> = {};
  // The method's one canonical form (chain id and address in lower-case hex), and the other forms
  // of this DID that this resolver knows (DID Resolution: canonicalId, equivalentId).
  const canonical = canonicalDid(entry, address);
  metadata.canonicalId = canonical;
  const equivalent = [...new Set(equivalentDids(entry, address, input.isDefaultNetwork))].filter((d) => d !== canonical);
  if (equivalent.length > 0) metadata.equivalentId = equivalent;
  // A current document's events start at the last purge (with guardian events from before it);
  // the state knows the first change.
  const firstChange = state?.firstChange ?? input.firstChange ?? 0n;
  const first =
    firstChange > 0n && firstChange <= at.blockNumber ? { blockNumber: firstChange } : events.find((e) => e.blockNumber <= at.blockNumber);
  if (first) {
    const t = blockTime(first.blockNumber);
    if (t !== undefined) metadata.created = iso(t); // when the DID first appeared on chain
  }
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
  // DID Resolution §4.4: a deactivated DID resolves to no document (so no contentType), with
  // deactivated: true in its metadata.
  if (built.deactivated) return { didResolutionMetadata: verifiedMetadata(input), didDocument: null, didDocumentMetadata: metadata };
  const didDocument = { ...built.didDocument };
  // The contexts of the media type: DID Core 1.0's for did+ld+json and ld+json, DID 1.1's for
  // application/did, none for plain did+json.
  const context = documentContext(accept);
  if (context) didDocument["@context"] = context;
  else delete didDocument["@context"];
  return { didResolutionMetadata: { contentType: accept, ...verifiedMetadata(input) }, didDocument, didDocumentMetadata: metadata };
}

/** `verified` in the resolution metadata: what the document was checked against (absent: an endpoint's word). */
function verifiedMetadata({ verification: v }: ResultInput) {
  return v ? { verified: { blockNumber: v.blockNumber.toString(), blockHash: v.blockHash, trust: v.basis } } : {};
}

/** The forms of a DID this resolver reads as the same identity: chain id, configured name, default. */
function equivalentDids(entry: NetworkEntry, address: Address, isDefault = false): string[] {
  const forms = [`did:sigil:0x${entry.network.chainId.toString(16)}:${address}`];
  if (entry.network.name) forms.push(`did:sigil:${entry.network.name}:${address}`);
  if (isDefault) forms.push(`did:sigil:${address}`);
  return forms;
}

/** The current document from a (possibly cached) history, as of the block it was confirmed at. */
export const currentResult = (
  entry: NetworkEntry,
  did: string,
  address: Address,
  h: CachedHistory,
  accept: string,
  isDefaultNetwork?: boolean,
) =>
  buildResult({
    entry,
    did,
    isDefaultNetwork,
    address,
    events: h.events,
    at: { blockNumber: h.blockNumber, timestamp: h.timestamp },
    head: { blockNumber: h.blockNumber, state: h.state },
    historical: false,
    accept,
    blockTime: blockTimeOf(h.events, new Map([...h.blockTimes].map(([n, t]) => [n, { timestamp: t }]))),
    verification: h.verification,
  });

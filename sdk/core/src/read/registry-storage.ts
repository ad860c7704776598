// Where SigilRegistry 2.2 keeps an identity's state in storage, and how to read it back from
// proven slot values (verified.ts proves them with EIP-1186 against a trusted header). Must match
// the contracts' declaration order (SigilTypedData: EIP712's two fallback strings, Nonces; then
// SigilRecords, SigilRecovery, SigilRegistry): test/sdk/verified.ts compares every field decoded
// here with identityState() and recoveryState() on a real node, so a layout change fails there.
import { getAddress, numberToHex, zeroAddress, type Address, type Hex } from "viem";
import { mappingSlot, slotPlus } from "./proof.ts";
import type { IdentityState } from "./types.ts";

/** Base slots of the registry's mappings keyed by identity. */
export const REGISTRY_LAYOUT = {
  nonces: 2n, // OpenZeppelin Nonces._nonces: the identity's EIP-712 nonce
  records: 3n, // head 160 | changed 36 | firstChange 36 | epoch 22 | committed 1 | deactivated 1
  owners: 4n,
  nextKeys: 5n, // commitment; since 40 | nonce 32 | purgedAt 40
  guardians: 7n, // root; threshold 8 | delay 32 | since 40
  guardianChanges: 8n, // root; threshold 8 | delay 32 | effectiveAt 40 | proposedAt 40
  recoveries: 9n, // armedProposal; round 32 | armedAt 40
  legacyNonces: 14n, // SigilRegistry.nonce: ERC-1056's per-signer nonce
} as const;

/** `mapping(address => T)` at `base`: the slot of `key`'s value, plus `field` words (a struct's later fields). */
const fieldOf = (key: Address, base: bigint, field = 0n): Hex => slotPlus(mappingSlot(key, base), field);

export type SlotName =
  "record" | "owner" | "commitment" | "nextKey" | "guardianRoot" | "guardians" | "changeRoot" | "change" | "armedProposal" | "recovery";

/** The legacy (ERC-1056) nonce's slot: the owner's. */
export const legacyNonceSlot = (owner: Address): Hex => fieldOf(owner, REGISTRY_LAYOUT.legacyNonces);

/** The slots verified.ts proves for `identity`: what a document is built from (not the nonces, which only writes need). */
export function identitySlots(identity: Address): Record<SlotName, Hex> {
  const L = REGISTRY_LAYOUT;
  return {
    record: fieldOf(identity, L.records),
    owner: fieldOf(identity, L.owners),
    commitment: fieldOf(identity, L.nextKeys),
    nextKey: fieldOf(identity, L.nextKeys, 1n),
    guardianRoot: fieldOf(identity, L.guardians),
    guardians: fieldOf(identity, L.guardians, 1n),
    changeRoot: fieldOf(identity, L.guardianChanges),
    change: fieldOf(identity, L.guardianChanges, 1n),
    armedProposal: fieldOf(identity, L.recoveries),
    recovery: fieldOf(identity, L.recoveries, 1n),
  };
}

const bits = (word: bigint, from: number, width: number) => (word >> BigInt(from)) & ((1n << BigInt(width)) - 1n);
const word32 = (v: bigint) => numberToHex(v, { size: 32 });

/** The identity's state as identityState() would answer it, from proven slot values. */
export function decodeIdentity(identity: Address, slot: (name: SlotName) => bigint): IdentityState {
  const record = slot("record");
  const deactivated = bits(record, 255, 1) === 1n;
  const stored = BigInt(slot("owner"));
  const owner = stored !== 0n || deactivated ? getAddress(numberToHex(stored, { size: 20 })) : getAddress(identity);
  return {
    owner: deactivated ? zeroAddress : owner,
    head: numberToHex(bits(record, 0, 160), { size: 20 }),
    changed: bits(record, 160, 36),
    firstChange: bits(record, 196, 36),
    epoch: bits(record, 232, 22),
    deactivated,
    nextOwnerCommitment: word32(slot("commitment")),
    purgedAt: bits(slot("nextKey"), 72, 40),
  };
}

/** The guardian and recovery state as recoveryState() keeps it, from proven slot values. */
export interface ProvenRecovery {
  guardians: { root: Hex; threshold: number; delay: bigint; since: bigint } | null;
  pendingChange: { root: Hex; threshold: number; delay: bigint; effectiveAt: bigint } | null;
  round: bigint;
  armedProposal: Hex | null;
  armedAt: bigint;
  committedAt: bigint;
}

export function decodeRecovery(slot: (name: SlotName) => bigint): ProvenRecovery {
  const [g, c, r] = [slot("guardians"), slot("change"), slot("recovery")];
  const root = slot("guardianRoot");
  const effectiveAt = bits(c, 40, 40);
  return {
    guardians: root === 0n ? null : { root: word32(root), threshold: Number(bits(g, 0, 8)), delay: bits(g, 8, 32), since: bits(g, 40, 40) },
    pendingChange:
      effectiveAt === 0n
        ? null
        : { root: word32(slot("changeRoot")), threshold: Number(bits(c, 0, 8)), delay: bits(c, 8, 32), effectiveAt },
    round: bits(r, 0, 32),
    armedProposal: bits(r, 32, 40) === 0n ? null : word32(slot("armedProposal")),
    armedAt: bits(r, 32, 40),
    committedAt: bits(slot("nextKey"), 0, 40),
  };
}

// Where SigilRegistry 2.2 keeps an identity's state in storage, and how to read it back from
// proven slot values (verified.ts proves them with EIP-1186 against a trusted header). Must match
// the contracts' declaration order (SigilTypedData: EIP712's two fallback strings, Nonces; then
// SigilRecords, SigilRecovery, SigilRegistry): test/sdk/verified.ts compares every field decoded
// here with identityState() and recoveryState() on a real node, so a layout change fails there.
import { concat, getAddress, keccak256, numberToHex, pad, zeroAddress, type Address, type Hex } from "viem";
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

/** keccak256(key ‖ slot): where Solidity keeps `mapping(address => T)`'s value for `key`, plus `field` words. */
export function mappingSlot(key: Address, base: bigint, field = 0n): Hex {
  const at = BigInt(keccak256(concat([pad(key.toLowerCase() as Hex), numberToHex(base, { size: 32 })]))) + field;
  return numberToHex(at, { size: 32 });
}

/** The slots verified.ts proves for `identity` (the legacy nonce is its owner's: asked once the owner is known). */
export function identitySlots(identity: Address): Record<string, Hex> {
  const L = REGISTRY_LAYOUT;
  return {
    record: mappingSlot(identity, L.records),
    owner: mappingSlot(identity, L.owners),
    nonce: mappingSlot(identity, L.nonces),
    commitment: mappingSlot(identity, L.nextKeys),
    nextKey: mappingSlot(identity, L.nextKeys, 1n),
    guardianRoot: mappingSlot(identity, L.guardians),
    guardians: mappingSlot(identity, L.guardians, 1n),
    changeRoot: mappingSlot(identity, L.guardianChanges),
    change: mappingSlot(identity, L.guardianChanges, 1n),
    armedProposal: mappingSlot(identity, L.recoveries),
    recovery: mappingSlot(identity, L.recoveries, 1n),
  };
}

const bits = (word: bigint, from: number, width: number) => (word >> BigInt(from)) & ((1n << BigInt(width)) - 1n);
const word32 = (v: bigint) => numberToHex(v, { size: 32 });

/** The identity's state as identityState() would answer it, from proven slot values. */
export function decodeIdentity(identity: Address, slot: (name: string) => bigint, legacyNonce: bigint): IdentityState {
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
    nonce: slot("nonce"),
    legacyNonce,
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

export function decodeRecovery(slot: (name: string) => bigint): ProvenRecovery {
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

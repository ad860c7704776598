// EIP-1186 proofs (eth_getProof) checked against a verified header: the account proof leads from
// the header's stateRoot to the account, each storage proof from the account's storageHash to a
// slot, so a storage value is believed only as far as the header is. The Merkle-Patricia walk is
// mpt-walk.ts. Not imported by the plain resolver: the verified mode loads it lazily.
import { decode, type NestedUint8Array } from "@ethereumjs/rlp";
import { bytesToBigInt, bytesToHex, concatHex, hexToBytes, isAddress, keccak256, numberToHex, padHex, type Address, type Hex } from "viem";
import { InvalidInputError, ProofError } from "../errors.ts";
import type { VerifiedHeader } from "./header.ts";
import { walkProof } from "./mpt-walk.ts";

/** An account as its proof shows it. */
export interface ProvenAccount {
  nonce: bigint;
  balance: bigint;
  storageHash: Hex;
  codeHash: Hex;
}

/** A storage slot: a number, or up to 32 bytes of hex. */
export type Slot = bigint | Hex;

const HEX = /^0x([0-9a-f]{2})*$/i;
const SLOT_LIMIT = 2n ** 256n;
/** keccak256(rlp("")): the root of a trie with nothing in it (an account without storage). */
const EMPTY_TRIE_ROOT = "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421";
const toBigInt = (bytes: Uint8Array) => (bytes.length === 0 ? 0n : bytesToBigInt(bytes));

/** `slot` as the 32-byte lowercase hex that keys the storage trie and the returned Map. */
export function slotHex(slot: Slot): Hex {
  const value = typeof slot === "bigint" ? slot : /^0x[0-9a-f]{1,64}$/i.test(slot) ? BigInt(slot) : -1n;
  if (value < 0n || value >= SLOT_LIMIT)
    throw new InvalidInputError({ what: "storage slot", value: String(slot), expected: "0 to 2^256-1" });
  return numberToHex(value, { size: 32 });
}

/** The slot of `mapping[key]` for a mapping at `baseSlot`, as Solidity lays out a mapping whose key is
 * an address or a 32-byte value type: keccak256(pad32(key) ‖ pad32(baseSlot)). */
export function mappingSlot(key: Hex, baseSlot: Slot): Hex {
  if (!HEX.test(key) || (key.length !== 42 && key.length !== 66)) {
    throw new InvalidInputError({ what: "mapping key", value: key, expected: "an address (20 bytes) or a 32-byte hex value" });
  }
  return keccak256(concatHex([padHex(key.toLowerCase() as Hex, { size: 32 }), slotHex(baseSlot)]));
}

/** The slot `n` after `slot` (a struct's later fields), wrapping at 2^256 as Solidity does. */
export function slotPlus(slot: Slot, n: bigint | number): Hex {
  return numberToHex((BigInt(slotHex(slot)) + BigInt(n)) % SLOT_LIMIT, { size: 32 });
}

function proofNodes(proof: unknown, what: "accountProof" | "storageProof", of: string): Uint8Array[] {
  if (!Array.isArray(proof) || !proof.every((node) => typeof node === "string" && HEX.test(node))) {
    throw new ProofError(what, `the proof of ${of} is not a list of hex nodes`);
  }
  return proof.map((node: Hex) => hexToBytes(node));
}

/** The value a proof proves at `key` in the trie with `root` (null: proven absent). */
async function proven(root: Hex, key: Uint8Array, nodes: Uint8Array[], what: "accountProof" | "storageProof", of: string) {
  if (!/^0x[0-9a-f]{64}$/i.test(root)) throw new InvalidInputError({ what: "trie root", value: root, expected: "32 bytes of hex" });
  // An empty trie holds no key, whatever nodes come with it (nodes send none, or its one "0x80").
  if (root.toLowerCase() === EMPTY_TRIE_ROOT) return null;
  try {
    return walkProof(hexToBytes(root), keccak256(key, "bytes"), nodes);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new ProofError(what, `the proof of ${of} does not lead from the root ${root}: ${why} (altered, or from another block)`, {
      cause,
    });
  }
}

/** The account `address` as a proof from `stateRoot` shows it, or null when it proves the account
 * absent. Throws ProofError ("accountProof") for any other proof. */
export async function verifyAccount(stateRoot: Hex, address: Address, accountProof: readonly Hex[]): Promise<ProvenAccount | null> {
  if (!isAddress(address, { strict: false }))
    throw new InvalidInputError({ what: "address", value: address, expected: "a 20-byte hex address" });
  const of = `account ${address}`;
  const leaf = await proven(stateRoot, hexToBytes(address), proofNodes(accountProof, "accountProof", of), "accountProof", of);
  if (leaf === null) return null;
  const fields = decodeOrNull(leaf);
  if (!Array.isArray(fields) || fields.length !== 4 || !fields.every((f) => f instanceof Uint8Array)) {
    throw new ProofError("accountProof", `the proof of ${of} leads to a value that is not an account`);
  }
  const [nonce, balance, storageHash, codeHash] = fields as Uint8Array[];
  return {
    nonce: toBigInt(nonce),
    balance: toBigInt(balance),
    storageHash: bytesToHex(storageHash),
    codeHash: bytesToHex(codeHash),
  };
}

/** The value at `slot` as a proof from `storageHash` shows it (0n when it proves the slot empty).
 * Throws ProofError ("storageProof") for any other proof. */
export async function verifyStorage(storageHash: Hex, slot: Slot, storageProof: readonly Hex[]): Promise<bigint> {
  const key = slotHex(slot);
  const of = `slot ${key}`;
  const leaf = await proven(storageHash, hexToBytes(key), proofNodes(storageProof, "storageProof", of), "storageProof", of);
  if (leaf === null) return 0n;
  const value = decodeOrNull(leaf);
  if (!(value instanceof Uint8Array) || value.length > 32) {
    throw new ProofError("storageProof", `the proof of ${of} leads to a value that is not a storage word`);
  }
  return toBigInt(value);
}

function decodeOrNull(bytes: Uint8Array): Uint8Array | NestedUint8Array | null {
  try {
    return decode(bytes);
  } catch {
    return null;
  }
}

/** The part of an eth_getProof answer this module reads. */
interface ProofAnswer {
  address: string;
  accountProof: Hex[];
  balance: string;
  nonce: string;
  codeHash: string;
  storageHash: string;
  storageProof: { key: string; value: string; proof: Hex[] }[];
}

const quantity = (value: unknown): bigint | undefined =>
  typeof value === "string" && /^0x[0-9a-f]+$/i.test(value) ? BigInt(value) : undefined;

/** The storage proofs of an answer by the slot they are for, refusing any not asked or missing. */
function entriesBySlot(answer: ProofAnswer, asked: readonly Hex[], address: Address): Map<Hex, ProofAnswer["storageProof"][number]> {
  if (!Array.isArray(answer.storageProof)) throw new ProofError("slot", `the answer for ${address} has no storageProof list`);
  const bySlot = new Map<Hex, ProofAnswer["storageProof"][number]>();
  for (const entry of answer.storageProof) {
    const key = quantity(entry?.key);
    const slot = key !== undefined && key < SLOT_LIMIT ? numberToHex(key, { size: 32 }) : undefined;
    if (slot === undefined || !asked.includes(slot) || bySlot.has(slot)) {
      const why = slot === undefined ? "a malformed key" : bySlot.has(slot) ? `slot ${slot} twice` : `slot ${slot}, which was not asked`;
      throw new ProofError("slot", `the answer for ${address} proves ${why}`);
    }
    bySlot.set(slot, entry);
  }
  const missing = asked.find((slot) => !bySlot.has(slot));
  if (missing) throw new ProofError("slot", `the answer for ${address} has no proof of slot ${missing}, which was asked`);
  return bySlot;
}

/** The claimed account fields that differ from the proven ones. */
function accountMismatch(answer: ProofAnswer, account: ProvenAccount): string | undefined {
  const lower = (value: unknown) => (typeof value === "string" ? value.toLowerCase() : value);
  const claims: [keyof ProvenAccount, unknown][] = [
    ["nonce", quantity(answer.nonce)],
    ["balance", quantity(answer.balance)],
    ["storageHash", lower(answer.storageHash)],
    ["codeHash", lower(answer.codeHash)],
  ];
  const wrong = claims.find(([field, claimed]) => claimed !== account[field]);
  return wrong && `its ${wrong[0]} is ${String(account[wrong[0]])}, but the endpoint says ${String(answer[wrong[0]])}`;
}

/** The values of `slots` of `address`'s storage at `header`, from an eth_getProof answer for them at
 * that block, each proven from the header's stateRoot (0n for empty slots and absent accounts).
 * Throws ProofError naming what did not check: "address", "slot" (another set of slots than asked),
 * "accountProof", "account" (claimed fields differ), "storageProof", "value" (a claimed value differs). */
export async function verifyProof(
  header: VerifiedHeader,
  address: Address,
  answer: unknown,
  slots: readonly Slot[],
): Promise<Map<Hex, bigint>> {
  const asked = [...new Set(slots.map(slotHex))];
  if (answer === null || typeof answer !== "object")
    throw new ProofError("address", `the endpoint answered ${answer === null ? "null" : typeof answer}, not a proof of ${address}`);
  const claimed = answer as ProofAnswer;
  if (typeof claimed.address !== "string" || claimed.address.toLowerCase() !== address.toLowerCase()) {
    throw new ProofError("address", `${address} was asked, the endpoint answered for ${String(claimed.address)}`);
  }
  const bySlot = entriesBySlot(claimed, asked, address);
  const account = await verifyAccount(header.stateRoot, address, claimed.accountProof);
  const mismatch = account && accountMismatch(claimed, account);
  if (mismatch) throw new ProofError("account", `at block ${header.number} the account ${address} is proven, and ${mismatch}`);
  const values = new Map<Hex, bigint>();
  for (const slot of asked) {
    const entry = bySlot.get(slot)!;
    const value = account ? await verifyStorage(account.storageHash, slot, entry.proof) : 0n;
    if (quantity(entry.value) !== value) {
      const where = account ? "" : " (the account is proven absent)";
      throw new ProofError(
        "value",
        `slot ${slot} of ${address} at block ${header.number} is proven ${value}${where}, but the endpoint says ${String(entry.value)}`,
      );
    }
    values.set(slot, value);
  }
  return values;
}

// Guardian sets and next keys, built offline. A guardian set is published only as the root of a
// Merkle tree of salted leaves (OpenZeppelin's StandardMerkleTree, the layout the contract's
// MerkleProof check expects), padded with random dummy leaves, so that the chain shows neither
// who the guardians are nor exactly how many; each guardian gets a card with its salt and proof
// and reveals itself only when it acts. A next key is committed to with a secret random salt,
// so that nobody can confirm a guess of it by hashing candidate addresses.
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { bytesToHex, getAddress, isAddress, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { InvalidInputError } from "../errors.ts";
import { commitmentOf, type GuardianProof } from "../write/operations.ts";

/** Bounds the contract enforces on a guardian set's delay (seconds). */
export const MIN_RECOVERY_DELAY = 3_600n;
export const MAX_RECOVERY_DELAY = 365n * 86_400n;
/** The SDK's default delay: a week for guardians to react to a thief, and for an owner to veto colluding guardians. */
export const DEFAULT_RECOVERY_DELAY = 7n * 86_400n;
/** Trees have at least this many leaves, so a proof's length reveals little about the set's size. */
const MIN_LEAVES = 8;

const LEAF_ENCODING = ["address", "bytes32"];

/** What one guardian keeps: enough to approve a recovery of `identity` without anyone's help. */
export interface GuardianCard extends GuardianProof {
  identity: Address;
  root: Hex;
  threshold: number;
  delay: string;
}

export interface GuardianSet {
  root: Hex;
  threshold: number;
  delay: bigint;
  /** One card per guardian, in the order given: hand each to its guardian, keep none on chain. */
  cards: GuardianCard[];
}

const randomSalt = (): Hex => bytesToHex(crypto.getRandomValues(new Uint8Array(32)));

/**
 * A salted guardian tree for `identity`: `threshold` of `guardians` (distinct addresses, EOAs or
 * EIP-1271 contracts) must approve a recovery, which waits `delay` seconds. `controller`, the
 * identity's current controller when the caller knows it, may not be a guardian either.
 */
export function buildGuardianSet(args: {
  identity: Address;
  guardians: readonly string[];
  threshold: number;
  delay?: bigint;
  controller?: Address;
}): GuardianSet {
  const delay = args.delay ?? DEFAULT_RECOVERY_DELAY;
  const guardians = args.guardians.map((g, i) => {
    if (typeof g !== "string" || !isAddress(g, { strict: false }))
      throw new InvalidInputError({ what: `guardian ${i + 1}`, value: String(g), expected: "a 0x-prefixed 20-byte address" });
    return getAddress(g.toLowerCase());
  });
  refuseOwnKeys(guardians, args.identity, args.controller);
  if (new Set(guardians).size !== guardians.length) {
    throw new InvalidInputError({
      what: "guardians",
      value: guardians.join(","),
      expected: "distinct addresses (a guardian listed twice still has one vote)",
    });
  }
  const { threshold } = args;
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > guardians.length || threshold > 255) {
    throw new InvalidInputError({
      what: "threshold",
      value: String(threshold),
      expected: `a whole number from 1 to the number of guardians (${guardians.length})`,
    });
  }
  if (delay < MIN_RECOVERY_DELAY || delay > MAX_RECOVERY_DELAY) {
    throw new InvalidInputError({
      what: "delay",
      value: `${delay} s`,
      expected: `between ${MIN_RECOVERY_DELAY} s (1 hour) and ${MAX_RECOVERY_DELAY} s (365 days)`,
    });
  }
  const real: [Address, Hex][] = guardians.map((g) => [g, randomSalt()]);
  let size = MIN_LEAVES;
  while (size < real.length) size *= 2;
  const dummies: [Address, Hex][] = Array.from({ length: size - real.length }, () => [
    privateKeyToAddress(generatePrivateKey()),
    randomSalt(),
  ]);
  const tree = StandardMerkleTree.of([...real, ...dummies], LEAF_ENCODING);
  const root = tree.root as Hex;
  const cards = real.map(([guardian, salt]) => ({
    identity: getAddress(args.identity),
    guardian,
    salt,
    proof: tree.getProof([guardian, salt]) as Hex[],
    root,
    threshold,
    delay: delay.toString(),
  }));
  return { root, threshold, delay, cards };
}

/** Guardians exist to recover the identity from whoever holds its keys: the identity's own key
 * (its address) or its controller as a guardian would let a thief holding that key approve a
 * recovery to himself (alone, with threshold 1). */
function refuseOwnKeys(guardians: readonly Address[], identity: Address, controller?: Address) {
  const own = [
    [identity, "the identity's own address (its original key)"],
    [controller, "the identity's current controller"],
  ] as const;
  for (const [address, role] of own) {
    if (address === undefined || !isAddress(address, { strict: false })) continue;
    const i = guardians.indexOf(getAddress(address.toLowerCase()));
    if (i >= 0) {
      throw new InvalidInputError({
        what: `guardian ${i + 1}`,
        value: guardians[i],
        expected: `an address other than ${role}: whoever steals that key could approve a recovery to himself; name people or devices that hold other keys`,
      });
    }
  }
}

/** Whether `card` proves its guardian belongs to the set with `root` (checked offline). */
export function verifyGuardianCard(card: GuardianProof, root: Hex): boolean {
  return StandardMerkleTree.verify(root, LEAF_ENCODING, [card.guardian, card.salt], [...card.proof]);
}

/** A next key to keep offline: its private key, the secret salt, and the commitment to publish. */
export interface NextKeyCard {
  address: Address;
  privateKey: Hex;
  salt: Hex;
  commitment: Hex;
}

/** A fresh next key and the salted commitment to it (the salt must be kept with the key). */
export function generateNextKey(): NextKeyCard {
  const privateKey = generatePrivateKey();
  const address = privateKeyToAddress(privateKey);
  const salt = randomSalt();
  return { address, privateKey, salt, commitment: commitmentOf(address, salt) };
}

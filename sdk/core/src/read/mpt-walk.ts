// The lookup of one key in a Merkle-Patricia trie known only by its root hash, through the nodes
// an EIP-1186 proof carries (Ethereum yellow paper, appendix D). Why not @ethereumjs/mpt's
// verifyMerkleProof, which this mirrors: it builds a whole trie (with lru-cache, debug and, through
// @ethereumjs/util's constants, secp256k1) and costs 34 KB gzip in a browser, more than the
// verified mode's whole budget. This walk decodes nodes with @ethereumjs/rlp and hashes with
// viem's keccak256; test/sdk/mpt-walk.ts checks it against @ethereumjs/mpt on random tries, their
// proofs and every single-byte edit of them.
import { decode, type NestedUint8Array } from "@ethereumjs/rlp";
import { bytesToHex, keccak256 } from "viem";

/** A proof that does not lead from the root to an answer: a node is missing, malformed or forged. */
export class TrieProofError extends Error {}

type Ref = Uint8Array | NestedUint8Array;

function nibbles(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (const b of bytes) out.push(b >> 4, b & 15);
  return out;
}

/** A leaf's or an extension's path: hex-prefix encoding (flag nibble 0/1 extension, 2/3 leaf; odd
 * flags hold the first nibble, even ones a zero pad nibble). */
function hexPrefix(encoded: Uint8Array): { leaf: boolean; path: number[] } {
  const all = nibbles(encoded);
  const flag = all[0];
  if (flag === undefined || flag > 3 || (flag % 2 === 0 && all[1] !== 0)) throw new TrieProofError("a node's path has a bad prefix");
  return { leaf: flag >= 2, path: all.slice(flag % 2 === 1 ? 1 : 2) };
}

const startsWith = (key: number[], at: number, path: number[]) => path.every((n, i) => key[at + i] === n);

/**
 * The value stored at `key` (already hashed, for Ethereum's secure tries) in the trie whose root
 * hash is `root`, proven by `proof` (the nodes on the key's path, in any order); null when the
 * proof shows no value there. Throws TrieProofError when the proof does not decide: a node on
 * the path is missing or does not decode as a trie node.
 */
export function walkProof(root: Uint8Array, key: Uint8Array, proof: readonly Uint8Array[]): Uint8Array | null {
  const byHash = new Map(proof.map((node) => [bytesToHex(keccak256(node, "bytes")), node]));
  const path = nibbles(key);
  let at = 0;
  let ref: Ref = root;
  for (;;) {
    let node: NestedUint8Array;
    if (ref instanceof Uint8Array) {
      if (ref.length === 0) return null; // an empty branch slot: nothing below
      if (ref.length !== 32) throw new TrieProofError("a node refers to a child by something other than a 32-byte hash");
      const raw = byHash.get(bytesToHex(ref));
      if (!raw) throw new TrieProofError(`the node ${bytesToHex(ref)} on the key's path is missing`);
      const decoded = decodeNode(raw);
      node = decoded;
    } else node = ref; // a child under 32 bytes, embedded in its parent (so covered by its hash)
    if (node.length === 17) {
      if (at === path.length) return valueOf(node[16]);
      ref = node[path[at++]];
    } else if (node.length === 2) {
      const [encoded, child] = node;
      if (!(encoded instanceof Uint8Array)) throw new TrieProofError("a node's path is not a byte string");
      const { leaf, path: part } = hexPrefix(encoded);
      if (!startsWith(path, at, part)) return null; // the key leaves the trie's path here
      at += part.length;
      if (leaf) return at === path.length ? valueOf(child) : null;
      if (part.length === 0) throw new TrieProofError("an extension node has an empty path");
      ref = child;
    } else throw new TrieProofError(`a node has ${node.length} items (a trie node has 2 or 17)`);
  }
}

function decodeNode(raw: Uint8Array): NestedUint8Array {
  let decoded: Uint8Array | NestedUint8Array;
  try {
    decoded = decode(raw);
  } catch (cause) {
    throw new TrieProofError(`a proof node is not RLP: ${(cause as Error).message}`);
  }
  if (decoded instanceof Uint8Array) throw new TrieProofError("a proof node is a byte string, not a list");
  return decoded;
}

function valueOf(value: Ref | undefined): Uint8Array | null {
  if (!(value instanceof Uint8Array)) throw new TrieProofError("a node's value is not a byte string");
  return value.length === 0 ? null : value;
}

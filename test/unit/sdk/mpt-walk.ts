// The verified mode's Merkle-Patricia proof walk (sdk/core/src/read/mpt-walk.ts) against
// @ethereumjs/mpt, the reference it replaces in the browser bundle: on random tries (secure ones
// with hashed keys as Ethereum's state and storage are, and plain ones with short shared-prefix
// keys, which bring extension nodes, values in branch nodes and embedded nodes), it proves the
// same value or the same absence for every key, present or not; and on proofs edited one byte, one
// node dropped or one foreign node added, it never proves what @ethereumjs/mpt does not.
import { createMerkleProof, createMPT, verifyMerkleProof } from "@ethereumjs/mpt";
import { expect } from "chai";
import fc from "fast-check";
import { bytesToHex, keccak256 } from "viem";
import { TrieProofError, walkProof } from "../../../sdk/core/src/read/mpt-walk.ts";

type Entries = [Uint8Array, Uint8Array][];

async function trieOf(entries: Entries, hashed: boolean) {
  const trie = await createMPT({ useKeyHashing: hashed });
  for (const [k, v] of entries) await trie.put(k, v);
  return trie;
}

/** The reference's answer: a value, null (proven absent) or "throws". */
async function reference(root: Uint8Array, key: Uint8Array, proof: Uint8Array[], hashed: boolean) {
  try {
    return await verifyMerkleProof(key, proof, { root, useKeyHashing: hashed });
  } catch {
    return "throws" as const;
  }
}

function ours(root: Uint8Array, key: Uint8Array, proof: Uint8Array[], hashed: boolean) {
  try {
    return walkProof(root, hashed ? keccak256(key, "bytes") : key, proof);
  } catch (error) {
    expect(error).to.be.instanceOf(TrieProofError);
    return "throws" as const;
  }
}

const show = (v: Uint8Array | null | "throws") => (v instanceof Uint8Array ? bytesToHex(v) : v);

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
/** Short keys over two byte values: shared prefixes, keys that are prefixes of others. */
const plainKey = fc.array(fc.constantFrom(0x00, 0x01, 0x10, 0x11), { minLength: 1, maxLength: 4 }).map((a) => Uint8Array.from(a));
const entries = (key: fc.Arbitrary<Uint8Array>) => fc.array(fc.tuple(key, bytes(1, 40)), { minLength: 1, maxLength: 24 });

async function agreeOnAllKeys(list: Entries, probes: Uint8Array[], hashed: boolean) {
  const trie = await trieOf(list, hashed);
  const root = trie.root();
  for (const key of [...list.map(([k]) => k), ...probes]) {
    const proof = await createMerkleProof(trie, key);
    const expected = await reference(root, key, proof, hashed);
    expect(expected).to.not.equal("throws");
    expect(show(ours(root, key, proof, hashed))).to.equal(show(expected));
  }
}

describe("sdk: Merkle-Patricia proof walk (against @ethereumjs/mpt)", () => {
  it("proves the same value or absence as @ethereumjs/mpt on random secure tries", async () => {
    await fc.assert(
      fc.asyncProperty(entries(bytes(20, 32)), fc.array(bytes(20, 32), { maxLength: 4 }), (list, probes) =>
        agreeOnAllKeys(list, probes, true),
      ),
      { numRuns: 60 },
    );
  });

  it("does so on plain tries with extensions, branch values and embedded nodes", async () => {
    await fc.assert(
      fc.asyncProperty(entries(plainKey), fc.array(plainKey, { maxLength: 4 }), (list, probes) => agreeOnAllKeys(list, probes, false)),
      { numRuns: 150 },
    );
  });

  it("never proves what @ethereumjs/mpt does not, on proofs edited a byte, short a node or with a foreign one", async () => {
    const edit = fc.oneof(
      fc.record({ kind: fc.constant("flip" as const), node: fc.nat(), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ kind: fc.constant("drop" as const), node: fc.nat() }),
      fc.record({ kind: fc.constant("add" as const), extra: bytes(1, 80) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.boolean(), entries(plainKey), plainKey, edit, async (hashed, list, probe, change) => {
        const trie = await trieOf(list, hashed);
        const root = trie.root();
        const key = change.kind === "add" ? probe : list[0][0];
        const proof = (await createMerkleProof(trie, key)).map((n) => Uint8Array.from(n));
        if (change.kind === "flip") {
          const node = proof[change.node % proof.length];
          node[change.at % node.length] ^= change.xor;
        } else if (change.kind === "drop") proof.splice(change.node % proof.length, 1);
        else proof.push(change.extra);
        const mine = ours(root, key, proof, hashed);
        if (mine !== "throws") expect(show(mine)).to.equal(show(await reference(root, key, proof, hashed)));
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a proof without the root's node, a missing child and a node that is not a trie node", () => {
    const root = keccak256(Uint8Array.from([0xc0]), "bytes");
    expect(() => walkProof(new Uint8Array(32), new Uint8Array(32), [])).to.throw(TrieProofError, "is missing");
    // A one-item list hashed as the root: decodes, but is neither a leaf/extension nor a branch.
    const odd = Uint8Array.from([0xc1, 0x01]);
    expect(() => walkProof(keccak256(odd, "bytes"), new Uint8Array(32), [odd])).to.throw(TrieProofError, "has 1 items");
    expect(() => walkProof(root, new Uint8Array(32), [Uint8Array.from([0xc0])])).to.throw(TrieProofError, "has 0 items");
    const notRlp = Uint8Array.from([0xf8]);
    expect(() => walkProof(keccak256(notRlp, "bytes"), new Uint8Array(32), [notRlp])).to.throw(TrieProofError, "not RLP");
  });
});

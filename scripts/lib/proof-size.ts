// The proof a verified resolution downloads, as the registry grows: a storage trie deepens with
// every identity, and each proven slot's path with it. Measured on a `hardhat node` whose
// registry storage is filled with random slots (hardhat_setStorageAt; mapping slots are keccak
// hashes, so random keys give the trie the shape real identities would), then eth_getProof of an
// identity with 10 changes: the JSON answer's bytes (what crosses the wire) and its distinct trie
// nodes' bytes (what a compact encoding carries). The chain's state trie stays a test chain's
// (a handful of accounts): on a busy chain the account proof adds about 8 nodes, ~4 KB. Beside
// them, the identity proof a message carries at that registry size (proveIdentity: the nodes, the
// header and the 10 changes' logs).
import { proveIdentity } from "sigil-did";
import type { Address, Hex } from "viem";
import { identitySlots } from "../../sdk/core/src/read/registry-storage.ts";
import { devChain } from "../../test/support/dev-chain.ts";
import { startHardhatNode } from "../../test/support/hardhat-node.ts";
import { writeChanges } from "./verified-bench.ts";

export interface ProofSizeRow {
  /** Storage slots filled besides the identity's (about 3 per identity that published keys). */
  filledSlots: number;
  jsonBytes: number;
  nodeBytes: number;
  nodes: number;
  /** The identity proof a message carries (proveIdentity, decoded from base64url), logs and header included. */
  carriedBytes: number;
}

const post = async (url: string, body: unknown) =>
  (await (
    await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
  ).json()) as unknown;

export async function measureProofSizes({ smoke = false } = {}): Promise<ProofSizeRow[]> {
  const sizes = smoke ? [0, 1_000] : [0, 1_000, 10_000, 100_000];
  const node = await startHardhatNode();
  try {
    const chain = devChain(node.url);
    const registry = await chain.deploySigil();
    const identity = await writeChanges(chain, registry, 10);
    const rows: ProofSizeRow[] = [];
    let filled = 0;
    for (const size of sizes) {
      for (; filled < size; filled += 1000) {
        const batch = Array.from({ length: Math.min(1000, size - filled) }, (_, i) => ({
          jsonrpc: "2.0",
          id: i,
          method: "hardhat_setStorageAt",
          params: [registry, randomWord(), `0x${"0".repeat(63)}1`],
        }));
        await post(node.url, batch);
      }
      // Three blocks: hardhat_setStorageAt rewrites the state of the block that is latest at the
      // time without changing its header, so a proof against it would not check; the carried
      // proof is made 2 blocks back, so the fills must be in a block mined after them.
      for (let i = 0; i < 3; i++) await post(node.url, { jsonrpc: "2.0", id: 1, method: "evm_mine", params: [] });
      const network = { chainId: 31337, name: "size", registry, rpcUrls: [node.url], verify: { k: 1, depth: 0 } };
      const carried = await proveIdentity({ networks: [network], cache: false }, `did:sigil:size:${identity.toLowerCase()}`);
      rows.push({
        filledSlots: size,
        ...(await proofOf(node.url, registry, identity)),
        carriedBytes: Math.floor((carried.length * 3) / 4),
      });
    }
    return rows;
  } finally {
    await node.stop();
  }
}

const randomWord = (): Hex => `0x${[...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, "0")).join("")}`;

async function proofOf(url: string, registry: Address, identity: Address) {
  const slots = Object.values(identitySlots(identity));
  const answer = (await post(url, { jsonrpc: "2.0", id: 1, method: "eth_getProof", params: [registry, slots, "latest"] })) as {
    result: { accountProof: Hex[]; storageProof: { proof: Hex[] }[] };
  };
  const nodes = new Set([...answer.result.accountProof, ...answer.result.storageProof.flatMap((p) => p.proof)]);
  return {
    jsonBytes: JSON.stringify(answer).length,
    nodeBytes: [...nodes].reduce((s, n) => s + (n.length - 2) / 2, 0),
    nodes: nodes.size,
  };
}

export function renderProofSizes(rows: readonly ProofSizeRow[]): string {
  return [
    "| other slots in the registry | eth_getProof answer | distinct trie nodes | their bytes | carried identity proof |",
    "| ---: | ---: | ---: | ---: | ---: |",
    ...rows.map(
      (r) =>
        `| ${r.filledSlots.toLocaleString("en")} | ${(r.jsonBytes / 1024).toFixed(1)} KB | ${r.nodes} | ${(r.nodeBytes / 1024).toFixed(1)} KB | ${(r.carriedBytes / 1024).toFixed(1)} KB |`,
    ),
  ].join("\n");
}

if (process.argv[1] === import.meta.filename)
  console.log(renderProofSizes(await measureProofSizes({ smoke: process.argv.includes("--smoke") })));

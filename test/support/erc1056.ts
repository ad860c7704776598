// The original ERC-1056 EthereumDIDRegistry, as the `ethr-did-registry` npm package ships it
// (compiled by its authors, not by us), for side-by-side tests and benchmarks.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

export interface Erc1056Artifact {
  abi: readonly unknown[];
  bytecode: `0x${string}`;
}

export function loadErc1056Artifact(): Erc1056Artifact {
  const dist = dirname(require.resolve("ethr-did-registry"));
  const file = join(dist, "artifacts", "contracts", "EthereumDIDRegistry.sol", "EthereumDIDRegistry.json");
  const { abi, bytecode } = JSON.parse(readFileSync(file, "utf8"));
  return { abi, bytecode };
}

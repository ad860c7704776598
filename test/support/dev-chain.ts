// The dev account on a local node (test/support/hardhat-node.ts): its clients, fresh funded
// wallets, and the two registries deployed from it. What the benchmarks, the load script and the
// HTTP tests share.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createPublicClient, createWalletClient, http, parseEther, type Address, type Hex, type PublicClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { loadErc1056Artifact } from "./erc1056.ts";
import { DEV_PRIVATE_KEY } from "./hardhat-node.ts";

const SIGIL_ARTIFACT = join(import.meta.dirname, "..", "..", "artifacts", "contracts", "SigilRegistry.sol", "SigilRegistry.json");

export function devChain(url: string) {
  const publicClient = createPublicClient({ transport: http(url), pollingInterval: 50 }) as PublicClient;
  const wallet = (key: Hex) => createWalletClient({ account: privateKeyToAccount(key), transport: http(url) });
  const dev = wallet(DEV_PRIVATE_KEY);
  const deploy = async (abi: unknown, bytecode: Hex): Promise<Address> =>
    (await publicClient.waitForTransactionReceipt({ hash: await dev.deployContract({ abi: abi as never, bytecode, chain: null }) }))
      .contractAddress!;
  return {
    publicClient,
    dev,
    /** A wallet client for `key` (fund it first). */
    wallet,
    /** SigilRegistry as compiled in artifacts/ (run `hardhat compile` first). */
    deploySigil: () => {
      const { abi, bytecode } = JSON.parse(readFileSync(SIGIL_ARTIFACT, "utf8"));
      return deploy(abi, bytecode);
    },
    /** The original ERC-1056, as the ethr-did-registry package ships it. */
    deployErc1056: () => {
      const { abi, bytecode } = loadErc1056Artifact();
      return deploy(abi, bytecode);
    },
    /** A wallet with a fresh key and 10 ETH from the dev account. */
    async funded() {
      const w = wallet(generatePrivateKey());
      await publicClient.waitForTransactionReceipt({
        hash: await dev.sendTransaction({ to: w.account.address, value: parseEther("10"), chain: null }),
      });
      return w;
    },
  };
}

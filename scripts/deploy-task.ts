// `npx hardhat deploy-registry --network <name> [--redeploy] [--write]`: the Hardhat task
// behind `npm run deploy`. Thin: the logic is the SDK's deployRegistry (sigil-did/node), driven
// through the network's EIP-1193 provider with its first account.
import { join } from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import {
  createPublicClient,
  createWalletClient,
  custom,
  type Address,
  type EIP1193Provider,
  type Hex,
  type PublicClient,
  type WalletClient,
} from "viem";
import { deployRegistry } from "sigil-did/node";

export default async function deployTask(args: { redeploy: boolean; write: boolean }, hre: HardhatRuntimeEnvironment): Promise<void> {
  const connection = await hre.network.create();
  const provider = connection.provider as unknown as EIP1193Provider;
  const transport = custom(provider, { retryCount: 0 });
  const [account] = (await provider.request({ method: "eth_accounts" })) as Address[];
  const artifact = await hre.artifacts.readArtifact("SigilRegistry");
  const inProcess = connection.networkConfig.type === "edr-simulated";
  if (inProcess && !args.write) {
    console.log("(in-process chain: it ends with this command, so nothing is written to deployments/; --write to record it anyway)");
  }
  await deployRegistry({
    wallet: createWalletClient({ account, transport }) as WalletClient,
    publicClient: createPublicClient({ transport, pollingInterval: 100 }) as PublicClient,
    networkName: connection.networkName,
    artifact: { abi: artifact.abi, bytecode: artifact.bytecode as Hex },
    compiler: `solc ${hre.config.solidity.profiles.default.compilers[0].version}`,
    dir: join(hre.config.paths.root, "deployments"),
    redeploy: args.redeploy,
    write: inProcess ? args.write : true,
    log: (line) => console.log(line),
  });
  await connection.close();
}

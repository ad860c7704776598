// `npx hardhat deploy-registry --network <name> [--redeploy] [--write]`: the Hardhat task
// behind `npm run deploy`. Thin: the logic is in scripts/lib/deploy.ts.
import { join } from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { deployRegistry } from "./lib/deploy.ts";

export default async function deployTask(
  args: { redeploy: boolean; write: boolean },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  const connection = await hre.network.create();
  const { ethers, networkName } = connection;
  const [signer] = await ethers.getSigners();
  const artifact = await hre.artifacts.readArtifact("SigilRegistry");
  const inProcess = connection.networkConfig.type === "edr-simulated";
  if (inProcess && !args.write) {
    console.log("(in-process chain: it ends with this command, so nothing is written to deployments/; --write to record it anyway)");
  }
  await deployRegistry({
    provider: ethers.provider,
    signer,
    networkName,
    artifact: { abi: [...artifact.abi], bytecode: artifact.bytecode },
    compiler: `solc ${hre.config.solidity.profiles.default.compilers[0].version}`,
    dir: join(hre.config.paths.root, "deployments"),
    redeploy: args.redeploy,
    write: inProcess ? args.write : true,
    log: (line) => console.log(line),
  });
  await connection.close();
}

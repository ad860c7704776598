// Deploys SigilRegistry once per chain and records where it lives in deployments/<network>.json.
// A recorded deployment is kept when the same chain still has the same code at its address;
// otherwise (a reset local chain, another chain behind the same name) it is deployed anew.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ContractFactory, keccak256, type Provider, type Signer } from "ethers";

export interface DeploymentRecord {
  contract: "SigilRegistry";
  version: string;
  network: string;
  chainId: number;
  address: string;
  transactionHash: string;
  blockNumber: number;
  deployer: string;
  compiler: string;
  codeHash: string;
  deployedAt: string;
}

export interface DeployOptions {
  provider: Provider;
  signer: Signer;
  networkName: string;
  artifact: { abi: unknown[]; bytecode: string };
  compiler: string;
  /** Folder of the deployment records (deployments/). */
  dir: string;
  /** Deploy even when a usable deployment is recorded. */
  redeploy?: boolean;
  /** Write the record (off for the in-process chain, which dies with the process). */
  write?: boolean;
  log?: (line: string) => void;
}

export interface DeployResult {
  record: DeploymentRecord;
  reused: boolean;
  file?: string;
}

export function deploymentFile(dir: string, networkName: string): string {
  return join(dir, `${networkName}.json`);
}

export function readDeployment(dir: string, networkName: string): DeploymentRecord | undefined {
  const file = deploymentFile(dir, networkName);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as DeploymentRecord) : undefined;
}

/** Why a recorded deployment cannot be reused on this chain, or undefined when it can. */
async function staleReason(record: DeploymentRecord, provider: Provider, chainId: number): Promise<string | undefined> {
  if (record.chainId !== chainId) return `it is on chain ${record.chainId}, this node serves chain ${chainId}`;
  const code = await provider.getCode(record.address);
  if (code === "0x") return `no code at ${record.address} (was the chain reset?)`;
  if (keccak256(code) !== record.codeHash) return `the code at ${record.address} is not the recorded registry`;
  return undefined;
}

export async function deployRegistry(options: DeployOptions): Promise<DeployResult> {
  const { provider, signer, networkName, dir } = options;
  const log = options.log ?? (() => undefined);
  const chainId = Number((await provider.getNetwork()).chainId);
  const existing = readDeployment(dir, networkName);
  if (existing && !options.redeploy) {
    const reason = await staleReason(existing, provider, chainId);
    if (!reason) {
      log(`SigilRegistry ${existing.version} already deployed on ${networkName} at ${existing.address} (block ${existing.blockNumber}); keeping it (pass --redeploy to replace it)`);
      return { record: existing, reused: true, file: deploymentFile(dir, networkName) };
    }
    log(`the recorded deployment on ${networkName} is unusable: ${reason}; deploying anew`);
  }
  const factory = new ContractFactory(options.artifact.abi as never, options.artifact.bytecode, signer);
  const contract = await factory.deploy();
  const tx = contract.deploymentTransaction()!;
  const receipt = (await tx.wait())!;
  const address = await contract.getAddress();
  const version = (await (contract as unknown as { VERSION(): Promise<string> }).VERSION()) as string;
  const record: DeploymentRecord = {
    contract: "SigilRegistry",
    version,
    network: networkName,
    chainId,
    address: address.toLowerCase(),
    transactionHash: receipt.hash,
    blockNumber: receipt.blockNumber,
    deployer: (await signer.getAddress()).toLowerCase(),
    compiler: options.compiler,
    codeHash: keccak256(await provider.getCode(address)),
    deployedAt: new Date().toISOString(),
  };
  log(`deployed SigilRegistry ${version} on ${networkName} (chain ${chainId}) at ${record.address}, block ${record.blockNumber}, tx ${record.transactionHash}`);
  if (options.write === false) return { record, reused: false };
  mkdirSync(dir, { recursive: true });
  const file = deploymentFile(dir, networkName);
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  log(`wrote ${file}`);
  return { record, reused: false, file };
}

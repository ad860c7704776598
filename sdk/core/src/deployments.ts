// Deployment records (deployments/<name>.json): deploying the registry once per chain and
// recording where it lives, and networks from those records, so a resolver needs no
// configuration on a machine that deployed. Node.js only (reads and writes files).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { keccak256, type Abi, type Address, type Hex, type PublicClient, type WalletClient } from "viem";
import { sigilRegistryAbi } from "./abi.ts";
import { SigilError, toSigilError } from "./errors.ts";
import type { SigilNetwork } from "./read/networks.ts";

/** Well-known local endpoints; other networks take their URLs from SIGIL_RPC_URL_<NAME>. */
const LOCAL_RPC: Record<string, string> = { localhost: "http://127.0.0.1:8545" };

/**
 * One network per deployments/*.json record. RPC URLs: `rpcUrls[name]` if given, else the
 * comma-separated `SIGIL_RPC_URL_<NAME>` environment variable (name upper-cased, '-' as '_'),
 * else for `localhost` `SIGIL_RPC_URL` or 127.0.0.1:8545; records with no URL are skipped.
 */
export function networksFromDeployments(
  dir = join(process.cwd(), "deployments"),
  rpcUrls: Record<string, readonly string[]> = {},
): SigilNetwork[] {
  if (!existsSync(dir)) return [];
  const networks: SigilNetwork[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    let record: { contract?: string; network: string; chainId: number; address: Address; blockNumber: number };
    try {
      record = JSON.parse(readFileSync(join(dir, file), "utf8"));
    } catch {
      continue; // not JSON: not a deployment record
    }
    if (record.contract !== "SigilRegistry" || typeof record.network !== "string") continue;
    const named = process.env[`SIGIL_RPC_URL_${record.network.toUpperCase().replaceAll("-", "_")}`];
    // SIGIL_RPC_URL is the localhost network's URL, as in hardhat.config.ts.
    const env = named ?? (record.network === "localhost" ? process.env.SIGIL_RPC_URL : undefined);
    const urls =
      rpcUrls[record.network] ?? (env ? env.split(",").map((u) => u.trim()) : LOCAL_RPC[record.network] ? [LOCAL_RPC[record.network]] : []);
    if (urls.length === 0) continue;
    networks.push({
      name: record.network,
      chainId: record.chainId,
      registry: record.address,
      fromBlock: BigInt(record.blockNumber),
      rpcUrls: urls,
    });
  }
  return networks;
}

/** What `deployRegistry` records in deployments/<network>.json. */
export interface DeploymentRecord {
  contract: "SigilRegistry";
  version: string;
  network: string;
  chainId: number;
  address: Address;
  transactionHash: Hex;
  blockNumber: number;
  deployer: Address;
  compiler: string;
  codeHash: Hex;
  deployedAt: string;
}

export interface DeployOptions {
  wallet: WalletClient;
  publicClient: PublicClient;
  networkName: string;
  /** The compiled SigilRegistry (sigil-did-contracts/build/SigilRegistry.json, or Hardhat's artifact). */
  artifact: { abi: readonly unknown[]; bytecode: Hex };
  compiler: string;
  /** Folder of the deployment records (deployments/). */
  dir: string;
  /** Deploy even when a usable deployment is recorded. */
  redeploy?: boolean;
  /** Write the record (off for an in-process chain, which dies with the process). */
  write?: boolean;
  log?: (line: string) => void;
}

export interface DeployResult {
  record: DeploymentRecord;
  reused: boolean;
  file?: string;
}

export const deploymentFile = (dir: string, networkName: string) => join(dir, `${networkName}.json`);

export function readDeployment(dir: string, networkName: string): DeploymentRecord | undefined {
  const file = deploymentFile(dir, networkName);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as DeploymentRecord) : undefined;
}

/** Why a recorded deployment cannot be reused on this chain, or undefined when it can. */
async function staleReason(record: DeploymentRecord, client: PublicClient, chainId: number): Promise<string | undefined> {
  if (record.chainId !== chainId) return `it is on chain ${record.chainId}, this node serves chain ${chainId}`;
  const code = await client.getCode({ address: record.address });
  if (!code || code === "0x") return `no code at ${record.address} (was the chain reset?)`;
  if (keccak256(code) !== record.codeHash) return `the code at ${record.address} is not the recorded registry`;
  return undefined;
}

/**
 * Deploys SigilRegistry once per chain and records where it lives: a recorded deployment is
 * kept while the same chain still has the same code at its address; otherwise (a reset local
 * chain, another chain behind the same name) it is deployed anew.
 */
export async function deployRegistry(options: DeployOptions): Promise<DeployResult> {
  try {
    return await deploy(options);
  } catch (error) {
    throw toSigilError(error);
  }
}

async function deploy(options: DeployOptions): Promise<DeployResult> {
  const { wallet, publicClient, networkName, dir } = options;
  const log = options.log ?? (() => undefined);
  const chainId = await publicClient.getChainId();
  const existing = readDeployment(dir, networkName);
  if (existing && !options.redeploy) {
    const reason = await staleReason(existing, publicClient, chainId);
    if (!reason) {
      log(
        `SigilRegistry ${existing.version} already deployed on ${networkName} at ${existing.address} (block ${existing.blockNumber}); keeping it (pass --redeploy to replace it)`,
      );
      return { record: existing, reused: true, file: deploymentFile(dir, networkName) };
    }
    log(`the recorded deployment on ${networkName} is unusable: ${reason}; deploying anew`);
  }
  const account = wallet.account!;
  const hash = await wallet.deployContract({
    abi: options.artifact.abi as Abi,
    bytecode: options.artifact.bytecode,
    account,
    chain: wallet.chain ?? null,
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success" || !receipt.contractAddress)
    throw new SigilError("internalError", `the deployment transaction ${hash} failed`);
  const address = receipt.contractAddress.toLowerCase() as Address;
  const version = (await publicClient.readContract({ address, abi: sigilRegistryAbi, functionName: "VERSION" })) as string;
  const code = (await publicClient.getCode({ address })) as Hex;
  const record: DeploymentRecord = {
    contract: "SigilRegistry",
    version,
    network: networkName,
    chainId,
    address,
    transactionHash: hash,
    blockNumber: Number(receipt.blockNumber),
    deployer: account.address.toLowerCase() as Address,
    compiler: options.compiler,
    codeHash: keccak256(code),
    deployedAt: new Date().toISOString(),
  };
  log(`deployed SigilRegistry ${version} on ${networkName} (chain ${chainId}) at ${address}, block ${record.blockNumber}, tx ${hash}`);
  if (options.write === false) return { record, reused: false };
  mkdirSync(dir, { recursive: true });
  const file = deploymentFile(dir, networkName);
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  log(`wrote ${file}`);
  return { record, reused: false, file };
}

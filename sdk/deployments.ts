// Networks from the deployment records that `npm run deploy` writes (deployments/<name>.json),
// so a resolver needs no configuration on a machine that deployed. Node.js only (reads files).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Address } from "viem";
import type { SigilNetwork } from "./networks.ts";

/** Well-known local endpoints; other networks take their URLs from SIGIL_RPC_URL_<NAME>. */
const LOCAL_RPC: Record<string, string> = { localhost: "http://127.0.0.1:8545" };

/**
 * One network per deployments/*.json record. RPC URLs: `rpcUrls[name]` if given, else the
 * comma-separated `SIGIL_RPC_URL_<NAME>` environment variable (name upper-cased, '-' as '_'),
 * else 127.0.0.1:8545 for `localhost`; records with no URL are skipped.
 */
export function networksFromDeployments(
  dir = join(process.cwd(), "deployments"),
  rpcUrls: Record<string, readonly string[]> = {},
): SigilNetwork[] {
  if (!existsSync(dir)) return [];
  const networks: SigilNetwork[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    let record: { contract?: string; network: string; chainId: number; address: Address; blockNumber: number };
    try {
      record = JSON.parse(readFileSync(join(dir, file), "utf8"));
    } catch {
      continue; // not JSON: not a deployment record
    }
    if (record.contract !== "SigilRegistry" || typeof record.network !== "string") continue;
    const env = process.env[`SIGIL_RPC_URL_${record.network.toUpperCase().replaceAll("-", "_")}`];
    const urls = rpcUrls[record.network] ?? (env ? env.split(",").map((u) => u.trim()) : LOCAL_RPC[record.network] ? [LOCAL_RPC[record.network]] : []);
    if (urls.length === 0) continue;
    networks.push({ name: record.network, chainId: record.chainId, registry: record.address, fromBlock: BigInt(record.blockNumber), rpcUrls: urls });
  }
  return networks;
}

// Which networks the CLI knows: every SigilRegistry record in the deployments folder (each with
// its RPC URLs from --rpc for the selected one, SIGIL_RPC_URL_<NAME>, or for localhost
// SIGIL_RPC_URL or 127.0.0.1:8545), or one given by --registry/--chain-id/--rpc. A record without
// a URL is still known, so the user is told which variable to set, not to deploy again.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseDid, type SigilNetwork } from "sigil-did";
import { chainIdHex } from "sigil-did/internal";
import { getAddress, type Address } from "viem";
import { CliError, EXIT } from "./errors.ts";

export interface RecordedNetwork {
  name: string;
  file: string;
  chainId: number;
  registry: Address;
  fromBlock: bigint;
}

/** The environment variable holding a network's RPC URLs (comma-separated). */
export const rpcVariable = (name: string) => `SIGIL_RPC_URL_${name.toUpperCase().replaceAll("-", "_")}`;

/** Every SigilRegistry deployment record in `dir` (other JSON files are ignored). */
export function recordedNetworks(dir: string): RecordedNetwork[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const found: RecordedNetwork[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    let record: { contract?: string; network?: unknown; chainId?: unknown; address?: unknown; blockNumber?: unknown };
    try {
      record = JSON.parse(readFileSync(join(dir, file), "utf8"));
    } catch {
      continue;
    }
    if (
      record.contract !== "SigilRegistry" ||
      typeof record.network !== "string" ||
      typeof record.chainId !== "number" ||
      typeof record.address !== "string"
    )
      continue;
    found.push({
      name: record.network,
      file: join(dir, file),
      chainId: record.chainId,
      registry: record.address as Address,
      fromBlock: BigInt(Number(record.blockNumber ?? 0)),
    });
  }
  return found;
}

/** A network's RPC URLs: --rpc (for the selected one), its variable, or localhost's defaults. */
export function rpcUrlsOf(name: string, flag?: readonly string[]): string[] {
  if (flag?.length) return [...flag];
  const env = process.env[rpcVariable(name)] ?? (name === "localhost" ? process.env.SIGIL_RPC_URL : undefined);
  if (env)
    return env
      .split(",")
      .map((u) => u.trim())
      .filter(Boolean);
  return name === "localhost" ? ["http://127.0.0.1:8545"] : [];
}

export interface NetworkChoice {
  /** The network writes go to and DIDs without a network name mean. */
  selected: SigilNetwork;
  /** Every network with RPC URLs, the selected one first (resolution of any recorded DID). */
  all: SigilNetwork[];
  dir: string;
}

export function chooseNetworks(options: {
  network?: string;
  rpc?: string[];
  registry?: string;
  chainId?: string;
  deployments?: string;
}): NetworkChoice {
  const name = options.network ?? "localhost";
  const dir = resolve(options.deployments ?? "deployments");
  const records = recordedNetworks(dir);
  const others = records
    .filter((r) => r.name !== name)
    .map((r) => ({ r, urls: rpcUrlsOf(r.name) }))
    .filter(({ urls }) => urls.length > 0)
    .map(({ r, urls }): SigilNetwork => ({
      name: r.name,
      chainId: r.chainId,
      registry: r.registry,
      fromBlock: r.fromBlock,
      rpcUrls: urls,
    }));
  if (options.registry) {
    if (!options.rpc?.length || !options.chainId) throw new CliError("--registry needs --rpc and --chain-id too");
    const chainId = Number(options.chainId);
    if (!Number.isSafeInteger(chainId) || chainId < 1) throw new CliError(`--chain-id "${options.chainId}" must be a whole number > 0`);
    const selected: SigilNetwork = { name, chainId, registry: options.registry as Address, rpcUrls: options.rpc };
    return { selected, all: [selected, ...others], dir };
  }
  const record = records.find((r) => r.name === name);
  if (!record) {
    const known = records.length ? `recorded there: ${records.map((r) => r.name).join(", ")}` : "none is recorded there";
    throw new CliError(
      `unknown network "${name}": no deployment record for it in ${dir} (${known}); deploy there first (sigil --network ${name} --rpc <url> deploy), give --deployments <dir>, or --registry, --chain-id and --rpc`,
    );
  }
  const urls = rpcUrlsOf(name, options.rpc);
  if (urls.length === 0)
    throw new CliError(`network "${name}" (${record.file}) has no RPC URL: give --rpc <url> or set ${rpcVariable(name)}`);
  const selected: SigilNetwork = { name, chainId: record.chainId, registry: record.registry, fromBlock: record.fromBlock, rpcUrls: urls };
  return { selected, all: [selected, ...others], dir };
}

/** Whether a DID's network (its name, chain id, or none: the selected one) is `network`. */
export function namesNetwork(did: string, network: SigilNetwork): boolean {
  const ref = parseDid(did).network;
  return ref === undefined || ref === network.name || ref === chainIdHex(network.chainId);
}

/** The identity a DID names, refused when the DID is on another network than the one written to. */
export function identityOn(did: string, network: SigilNetwork): Address {
  const parsed = parseDid(did);
  if (!namesNetwork(did, network)) {
    throw new CliError(
      `${did} is on network "${parsed.network}", but this command writes to "${network.name}" (chain ${network.chainId}): add --network ${parsed.network}`,
    );
  }
  return getAddress(parsed.address);
}

/** Usage errors for a DID whose network is not among `all` (exit 2, naming where records were looked for). */
export function requireKnownNetwork(did: string, all: readonly SigilNetwork[], dir: string) {
  const ref = parseDid(did).network;
  if (ref === undefined || all.some((n) => n.name === ref || chainIdHex(n.chainId) === ref)) return;
  const named = recordedNetworks(dir).find((r) => r.name === ref);
  if (named)
    throw new CliError(`network "${ref}" (${named.file}) has no RPC URL: give --network ${ref} --rpc <url>, or set ${rpcVariable(ref)}`);
  throw new CliError(
    `the DID's network "${ref}" is not configured: no deployment record for it in ${dir} (give --deployments <dir>, or --network ${ref} with --registry, --chain-id and --rpc)`,
    EXIT.usage,
  );
}

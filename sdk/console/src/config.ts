// Where the console reads: defaults from config.json beside the page (`sigil serve --console`
// writes its own network there), then the page's query (?rpc=&chainId=&registry=&network=
// &fromBlock=&recentDays=), then the settings form. Nothing is stored: a reload starts again
// from the file and the query.
import type { Address } from "viem";
import { explorerTemplate, type Explorer } from "./explorer.ts";

/** 0x and 40 hex digits (the first render loads no viem: a wrong checksum is refused when the chain is read). */
const isAddress = (v: string): v is Address => /^0x[0-9a-fA-F]{40}$/.test(v);

export interface ConsoleConfig {
  network: {
    name?: string;
    chainId: number;
    registry: Address | "";
    rpcUrls: string[];
    fromBlock?: bigint;
    /** Verified resolution: k of the rpcUrls must serve the header every document is proven against (config.json only). */
    verify?: { k: number };
  };
  /** Warn when keys changed within this many days. */
  recentDays: number;
  /** A relayer for signed operations (config.json only: never from the address bar). */
  relayerUrl?: string;
  /** Where transaction hashes and addresses link to (config.json only: a link in the address bar
   * must not send people's clicks elsewhere). */
  explorer?: Explorer;
}

export const DEFAULT_CONFIG: ConsoleConfig = {
  network: { name: "localhost", chainId: 31337, registry: "", rpcUrls: ["http://127.0.0.1:8545"] },
  recentDays: 7,
};

interface FileConfig {
  network?: { name?: string; chainId?: number; registry?: string; rpcUrls?: string[]; fromBlock?: string | number; verify?: unknown };
  recentDays?: number;
  relayerUrl?: string;
  explorer?: { tx?: unknown; address?: unknown };
}

/** The file's explorer templates that are usable (http(s), with their placeholder); the others are left out. */
function explorerOf(file: FileConfig["explorer"], base: Explorer | undefined): Explorer | undefined {
  if (typeof file !== "object" || file === null) return base;
  const tx = explorerTemplate(file.tx, "tx");
  const address = explorerTemplate(file.address, "address");
  return tx || address ? { ...(tx ? { tx } : {}), ...(address ? { address } : {}) } : undefined;
}

/** `{ k }` with k a positive integer (checked against the rpcUrls when the config is checked). */
function verifyOf(file: unknown, base: ConsoleConfig["network"]["verify"]) {
  if (file === undefined) return base;
  const k = (file as { k?: unknown } | null)?.k;
  return typeof k === "number" && Number.isInteger(k) && k > 0 ? { k } : base;
}

function merge(base: ConsoleConfig, file: FileConfig): ConsoleConfig {
  const n = file.network ?? {};
  return {
    network: {
      name: n.name ?? base.network.name,
      chainId: typeof n.chainId === "number" ? n.chainId : base.network.chainId,
      registry: typeof n.registry === "string" && isAddress(n.registry) ? n.registry : base.network.registry,
      rpcUrls: Array.isArray(n.rpcUrls) && n.rpcUrls.length > 0 ? n.rpcUrls.map(String) : base.network.rpcUrls,
      fromBlock: n.fromBlock !== undefined && /^\d+$/.test(String(n.fromBlock)) ? BigInt(n.fromBlock) : base.network.fromBlock,
      verify: verifyOf(n.verify, base.network.verify),
    },
    recentDays: typeof file.recentDays === "number" && file.recentDays > 0 ? file.recentDays : base.recentDays,
    relayerUrl: typeof file.relayerUrl === "string" && /^(\/|https?:\/\/)/.test(file.relayerUrl) ? file.relayerUrl : base.relayerUrl,
    explorer: explorerOf(file.explorer, base.explorer),
  };
}

/** Settings from the query string, as a FileConfig. */
function fromQuery(q: URLSearchParams): FileConfig {
  const network: FileConfig["network"] = {};
  const rpc = q
    .getAll("rpc")
    .flatMap((v) => v.split(","))
    .filter(Boolean);
  if (rpc.length) network.rpcUrls = rpc;
  if (q.get("chainId") && /^\d+$/.test(q.get("chainId")!)) network.chainId = Number(q.get("chainId"));
  if (q.get("registry")) network.registry = q.get("registry")!;
  if (q.get("network")) network.name = q.get("network")!;
  if (q.get("fromBlock")) network.fromBlock = q.get("fromBlock")!;
  const recent = Number(q.get("recentDays"));
  return { network, ...(recent > 0 ? { recentDays: recent } : {}) };
}

export async function loadConfig(): Promise<ConsoleConfig> {
  let file: FileConfig = {};
  try {
    const response = await fetch("config.json", { cache: "no-cache" });
    if (response.ok) file = (await response.json()) as FileConfig;
  } catch {
    file = {};
  }
  return merge(merge(DEFAULT_CONFIG, file), fromQuery(new URLSearchParams(location.search)));
}

/** Writes the settings into the address bar (no reload), so a reload or a shared link keeps them. */
export function saveToQuery(config: ConsoleConfig) {
  const q = new URLSearchParams();
  for (const url of config.network.rpcUrls) q.append("rpc", url);
  q.set("chainId", String(config.network.chainId));
  if (config.network.registry) q.set("registry", config.network.registry);
  if (config.network.name) q.set("network", config.network.name);
  if (config.network.fromBlock) q.set("fromBlock", config.network.fromBlock.toString());
  q.set("recentDays", String(config.recentDays));
  history.replaceState(null, "", `${location.pathname}?${q}${location.hash}`);
}

/** Problems that stop the console from reading, in words. */
export function configProblems(config: ConsoleConfig): string[] {
  const problems: string[] = [];
  if (!config.network.registry) problems.push("no registry address is set: enter it in the network settings");
  const k = config.network.verify?.k;
  if (k !== undefined && k > config.network.rpcUrls.length)
    problems.push(`verify asks ${k} endpoints to agree, but only ${config.network.rpcUrls.length} RPC URL(s) are set`);
  for (const url of config.network.rpcUrls) {
    try {
      const u = new URL(url);
      if (!["http:", "https:"].includes(u.protocol)) problems.push(`RPC URL ${url} must be http or https`);
    } catch {
      problems.push(`RPC URL "${url}" is not a URL`);
    }
  }
  if (!Number.isSafeInteger(config.network.chainId) || config.network.chainId <= 0)
    problems.push("the chain id must be a positive whole number");
  return problems;
}

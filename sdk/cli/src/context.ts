// What every `sigil` command shares: the network (from deployments/ or --rpc), the key (from
// SIGIL_PRIVATE_KEY or a keystore file, never the command line), output as a table or --json,
// a spinner while waiting, and one clear line plus an exit code when something is wrong.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createWalletClient, getAddress, isAddress, type Address, type Hex, type PublicClient, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createSigilResolver, type SigilNetwork, type SigilResolver } from "sigil-did";
import { networkClient, networkTransport } from "sigil-did/internal";

import { CliError, EXIT } from "./errors.ts";
import { loadKey } from "./keys.ts";
import { chooseNetworks, identityOn, requireKnownNetwork } from "./networks.ts";

export { CliError, EXIT };
export { describeFailure } from "./errors.ts";

export interface GlobalOptions {
  network?: string;
  rpc?: string[];
  registry?: string;
  chainId?: string;
  deployments?: string;
  keystore?: string;
  passphraseFile?: string;
  as?: string;
  json?: boolean;
  timeout?: string;
  wait?: string;
  verify?: string;
  deadline?: string;
  nonce?: string;
  commitmentNonce?: string;
  round?: string;
}

export interface Context {
  network: SigilNetwork;
  publicClient: PublicClient;
  /** Resolves DIDs of every recorded network with an RPC URL (the selected one is the default). */
  resolver: SigilResolver;
  /** The deployments folder the networks were read from (absolute). */
  deployments: string;
  /** The (checksummed) identity a DID names; a usage error if the DID is on another network than `network`. */
  identity(did: string): Address;
  /** A usage error naming the folder searched if the DID's network is not configured. */
  requireKnownNetwork(did: string): void;
  json: boolean;
  /** The key from --keystore (which wins) or `envName` (default SIGIL_PRIVATE_KEY); a usage error when there is none. */
  key(envName?: string): Promise<Hex>;
  walletFor(key: Hex): WalletClient;
  /** How long a write waits for its receipt, ms (--wait). */
  waitMs: number;
  /** What --prepare may be told instead of reading the chain (--deadline, --nonce, ...). */
  offline: { deadline?: string; nonce?: string; commitmentNonce?: string; round?: string };
  print(human: string, data: unknown): void;
  spin<T>(label: string, work: Promise<T>): Promise<T>;
}

/** JSON with bigints as decimal strings. */
export const toJson = (data: unknown) => JSON.stringify(data, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2);

/** Reads a JSON file the user named, or says plainly why it cannot. */
export function readJson<T>(file: string, what: string): T {
  if (!existsSync(file)) throw new CliError(`${what} ${file} does not exist`);
  if (statSync(file).isDirectory()) throw new CliError(`${what} ${file} is a directory: give the file itself`);
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch (e) {
    throw new CliError(`${what} ${file} is not valid JSON: ${(e as Error).message.split("\n")[0]}`);
  }
}

/** Writes a file that must not replace an existing one (secrets: readable by the owner only). */
export function writeNew(file: string, data: unknown, secret = false) {
  try {
    writeFileSync(file, typeof data === "string" ? data : toJson(data), { flag: "wx", mode: secret ? 0o600 : 0o644 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      code === "EEXIST"
        ? `${file} already exists: choose another file (nothing was overwritten)`
        : `cannot write ${file}: ${(e as Error).message}`,
    );
  }
}

/** A checksummed address from user input; a usage error naming `what` otherwise. */
export function parseAddress(value: string, what: string): Address {
  if (!isAddress(value, { strict: false })) throw new CliError(`${what} "${value}" is not a 0x-prefixed 20-byte address`);
  if (value !== value.toLowerCase() && value.slice(2) !== value.slice(2).toUpperCase() && !isAddress(value, { strict: true })) {
    throw new CliError(`${what} "${value}" has a wrong EIP-55 checksum (a typo?): check it, or write it in lower case`);
  }
  return getAddress(value.toLowerCase());
}

/** A whole number of milliseconds in [1, max] from an option, or a usage error. */
export function milliseconds(value: string, option: string, max = 600_000): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new CliError(`${option} "${value}" must be a whole number of milliseconds from 1 to ${max}`);
  }
  return n;
}

/** --verify's k: how many of the network's RPC URLs must serve the header documents are proven against. */
function quorum(value: string, urls: number): number {
  const k = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(k) || k < 1)
    throw new CliError(`--verify "${value}" must be a whole number of endpoints (1 or more) that must agree on the header`);
  if (k > urls)
    throw new CliError(
      `--verify ${k} needs ${k} RPC endpoints and the network has ${urls}: give more with --rpc (repeated), or a smaller k`,
    );
  return k;
}

export function makeContext(options: GlobalOptions): Context {
  const choice = chooseNetworks(options);
  let network = choice.selected;
  let others = choice.all.slice(1);
  if (options.timeout !== undefined) {
    const timeoutMs = milliseconds(options.timeout, "--timeout");
    network = { ...network, timeoutMs };
    others = others.map((n) => ({ ...n, timeoutMs }));
  }
  if (options.verify !== undefined) network = { ...network, verify: { k: quorum(options.verify, network.rpcUrls?.length ?? 0) } };
  const waitMs = options.wait === undefined ? 120_000 : milliseconds(options.wait, "--wait", 3_600_000);
  const json = options.json === true;
  const resolver = createSigilResolver({ networks: [network, ...others], cache: false });
  const net = network;
  return {
    network,
    publicClient: networkClient(network),
    resolver,
    deployments: choice.dir,
    identity: (did: string) => identityOn(did, net),
    requireKnownNetwork: (did: string) => requireKnownNetwork(did, [net, ...others], choice.dir),
    json,
    waitMs,
    offline: { deadline: options.deadline, nonce: options.nonce, commitmentNonce: options.commitmentNonce, round: options.round },
    key: (envName = "SIGIL_PRIVATE_KEY") => loadKey(options, envName),
    walletFor: (key: Hex) => createWalletClient({ account: privateKeyToAccount(key), transport: networkTransport(net) }) as WalletClient,
    print(human, data) {
      console.log(json ? toJson(data) : human);
    },
    async spin(label, work) {
      if (json || !process.stderr.isTTY) return work;
      const frames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
      let i = 0;
      const timer = setInterval(() => process.stderr.write(`\r${frames[i++ % frames.length]} ${label}`), 80);
      try {
        return await work;
      } finally {
        clearInterval(timer);
        process.stderr.write(`\r${" ".repeat(label.length + 2)}\r`);
      }
    },
  };
}

// What every `sigil` command shares: the network (from deployments/ or --rpc), the key (from
// SIGIL_PRIVATE_KEY or a keystore file, never the command line), output as a table or --json,
// a spinner while waiting, and one clear line plus an exit code when something is wrong.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createWalletClient, getAddress, isAddress, isHex, type Address, type Hex, type PublicClient, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { networksFromDeployments } from "sigil-did/node";
import { createSigilResolver, networkClient, networkTransport, SigilError, type SigilNetwork, type SigilResolver } from "sigil-did";

/** Exit codes (documented in the README). */
export const EXIT = { ok: 0, refused: 1, usage: 2, network: 3 } as const;

export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.usage) {
    super(message);
    this.exitCode = exitCode;
  }
}

export interface GlobalOptions {
  network?: string;
  rpc?: string[];
  registry?: string;
  chainId?: string;
  deployments?: string;
  keystore?: string;
  json?: boolean;
  timeout?: string;
}

export interface Context {
  network: SigilNetwork;
  publicClient: PublicClient;
  resolver: SigilResolver;
  json: boolean;
  /** The key in `envName` (default SIGIL_PRIVATE_KEY) or --keystore; a usage error when there is none. */
  key(envName?: string): Hex;
  walletFor(key: Hex): WalletClient;
  /** The wallet of SIGIL_PRIVATE_KEY (or --keystore); throws a usage error when there is none. */
  wallet(envName?: string): WalletClient;
  print(human: string, data: unknown): void;
  spin<T>(label: string, work: Promise<T>): Promise<T>;
}

/** JSON with bigints as decimal strings. */
export const toJson = (data: unknown) => JSON.stringify(data, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2);

/** Reads a JSON file the user named, or says plainly why it cannot. */
export function readJson<T>(file: string, what: string): T {
  if (!existsSync(file)) throw new CliError(`${what} ${file} does not exist`);
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
    throw new CliError(code === "EEXIST" ? `${file} already exists: choose another file (nothing was overwritten)` : `cannot write ${file}: ${(e as Error).message}`);
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

function readKey(options: GlobalOptions, envName: string): Hex {
  let key = process.env[envName];
  if (!key && options.keystore) {
    if (!existsSync(options.keystore)) throw new CliError(`keystore file ${options.keystore} does not exist`);
    const text = readFileSync(options.keystore, "utf8").trim();
    key = text.startsWith("{") ? (JSON.parse(text) as { privateKey?: string }).privateKey : text;
  }
  if (!key) {
    throw new CliError(`no key: set ${envName} to a 0x-prefixed private key, or pass --keystore <file> (never a key on the command line)`);
  }
  if (!isHex(key) || key.length !== 66) throw new CliError(`the key in ${envName}/keystore must be 32 bytes of 0x-prefixed hex`);
  return key as Hex;
}

export function makeContext(options: GlobalOptions): Context {
  const name = options.network ?? "localhost";
  let network: SigilNetwork | undefined = networksFromDeployments(options.deployments ?? undefined, options.rpc?.length ? { [name]: options.rpc } : {}).find(
    (n) => n.name === name,
  );
  if (options.registry) {
    if (!options.rpc?.length || !options.chainId) throw new CliError("--registry needs --rpc and --chain-id too");
    network = { name, chainId: Number(options.chainId), registry: options.registry as Address, rpcUrls: options.rpc };
  }
  if (!network) {
    throw new CliError(`unknown network "${name}": deploy there first (npm run deploy) or give --registry, --chain-id and --rpc`);
  }
  if (options.timeout) network = { ...network, timeoutMs: Number(options.timeout) };
  const json = options.json === true;
  const resolver = createSigilResolver({ networks: [network], cache: false });
  return {
    network,
    publicClient: networkClient(network),
    resolver,
    json,
    key: (envName = "SIGIL_PRIVATE_KEY") => readKey(options, envName),
    walletFor: (key: Hex) => createWalletClient({ account: privateKeyToAccount(key), transport: networkTransport(network) }) as WalletClient,
    wallet: (envName = "SIGIL_PRIVATE_KEY") =>
      createWalletClient({ account: privateKeyToAccount(readKey(options, envName)), transport: networkTransport(network) }) as WalletClient,
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

/** One line for the user and the exit code for any error a command can end in. */
export function describeFailure(error: unknown): { line: string; code: number } {
  if (error instanceof CliError) return { line: error.message, code: error.exitCode };
  if (error instanceof SigilError) {
    const refused = error.code === "registryRevert" || error.code === "messageRefused";
    const code = refused ? EXIT.refused : error.code === "internalError" ? EXIT.network : EXIT.usage;
    return { line: error.message, code };
  }
  const message = error instanceof Error ? ((error as { shortMessage?: string }).shortMessage ?? error.message) : String(error);
  const network = /fetch failed|ECONNREFUSED|HTTP request failed|timed out|took too long/i.test(message);
  return { line: network ? `cannot reach the RPC endpoint: ${message.split("\n")[0]}; is the node running? (--rpc)` : message.split("\n")[0], code: network ? EXIT.network : EXIT.refused };
}

// What the CLI's process tests share: a real `hardhat node` with the registry recorded in a
// temporary deployments folder, the real `sigil` binary run as a child process, and fresh
// funded identities so that tests do not depend on each other.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicClient, createWalletClient, http, parseEther, type Hex, type PublicClient, type WalletClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { deployRegistry } from "sigil-did/node";
import { DEV_PRIVATE_KEY, startHardhatNode, type HardhatNode } from "../support/hardhat-node.ts";

export const root = join(import.meta.dirname, "..", "..");
/** The binary under test (SIGIL_TEST_BIN: another build of it, e.g. to show a test fails without a fix). */
export const BIN = process.env.SIGIL_TEST_BIN ?? join(root, "sdk", "cli", "dist", "bin.js");

export interface Run {
  code: number | null;
  out: string;
  err: string;
}

/** The environment with every SIGIL_* variable a developer may have set removed. */
export function cleanEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("SIGIL_")));
  return { ...base, ...env };
}

/** Runs `sigil args…` to completion. */
export function run(args: string[], env: Record<string, string> = {}, options: { input?: string; cwd?: string } = {}): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? root,
    encoding: "utf8",
    input: options.input ?? "",
    env: cleanEnv(env),
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** As `run`, without blocking this process (needed when this process serves something the CLI talks to). */
export function runAsync(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: root, env: cleanEnv(env) });
    let [out, err] = ["", ""];
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => resolve({ code, out, err }));
  });
}

export interface CliChain {
  node: HardhatNode;
  /** The deployments folder holding localhost.json. */
  dir: string;
  publicClient: PublicClient;
  /** `sigil --deployments dir --rpc node args…`. */
  sigil(args: string[], env?: Record<string, string>, input?: string): Run;
  /** A fresh key holding 10 ETH, and its DID on localhost. */
  funded(): Promise<{ key: Hex; address: string; did: string }>;
  /** A fresh key with no coins, and its DID. */
  poor(): { key: Hex; address: string; did: string };
  blockNumber(): Promise<bigint>;
  stop(): Promise<void>;
}

export async function startCliChain(): Promise<CliChain> {
  const node = await startHardhatNode();
  const dir = mkdtempSync(join(tmpdir(), "sigil-cli-truth-"));
  const transport = http(node.url);
  const publicClient = createPublicClient({ transport, pollingInterval: 50 }) as PublicClient;
  const dev = createWalletClient({ account: privateKeyToAccount(DEV_PRIVATE_KEY as Hex), transport }) as WalletClient;
  const artifact = JSON.parse(readFileSync(join(root, "contracts", "build", "SigilRegistry.json"), "utf8"));
  await deployRegistry({ wallet: dev, publicClient, networkName: "localhost", artifact, compiler: "solc 0.8.28", dir });
  const poor = () => {
    const key = generatePrivateKey();
    const address = privateKeyToAccount(key).address.toLowerCase();
    return { key, address, did: `did:sigil:localhost:${address}` };
  };
  return {
    node,
    dir,
    publicClient,
    sigil: (args, env = {}, input) => run(["--deployments", dir, "--rpc", node.url, ...args], env, { input }),
    poor,
    async funded() {
      const id = poor();
      const hash = await dev.sendTransaction({ to: id.address as Hex, value: parseEther("10"), account: dev.account!, chain: null });
      await publicClient.waitForTransactionReceipt({ hash });
      return id;
    },
    blockNumber: () => publicClient.getBlockNumber(),
    async stop() {
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

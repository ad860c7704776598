// The web console's stage, shared by its browser tests and its metrics: a real `hardhat node`
// with the registry, two identities with a history, and a real `sigil serve --console` process
// serving the built console (sdk/console/dist) beside the resolver API.
//   alice: her key was stolen; the thief added his own key and swapped her inbox; she rotated
//          with her pre-committed next key (purge + a fresh commitment) and published her key and
//          inbox again; then 30 days passed.
//   bob:   controlled by the node's unlocked account #1 (a test wallet in the page signs through
//          it), one service, 30 days old: no next key yet.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { Address, Hex, PublicClient, WalletClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  bytes32Name,
  generateNextKey,
  planRotation,
  relayOperation,
  sendOperation,
  serviceAttribute,
  signOperation,
  type NextKeyCard,
  type Operation,
  type SignableOperation,
} from "sigil-did";
import { devChain } from "./dev-chain.ts";
import { startHardhatNode, type HardhatNode } from "./hardhat-node.ts";

const root = join(import.meta.dirname, "..", "..");
export const CONSOLE_DIST = join(root, "sdk", "console", "dist");

/** Hardhat's well-known account #1: unlocked in `hardhat node` (eth_sendTransaction signs for it). */
export const WALLET_ACCOUNT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as Address;
const WALLET_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d" as Hex;

export interface ConsoleStage {
  node: HardhatNode;
  registry: Address;
  publicClient: PublicClient;
  /** The console's URL (sigil serve --console). */
  url: string;
  alice: { did: string; address: Address; device: Address; thief: Address; rotationBlock: bigint; theftBlock: bigint; next: NextKeyCard };
  bob: { did: string; address: Address };
  /** The dev account's clients (test/support/dev-chain.ts). */
  chain: ReturnType<typeof devChain>;
  /** The account `sigil serve --relay` pays with. */
  relayer: Address;
  /** Relays `op` signed by `key`, paid by the dev account. */
  relay(key: Hex, op: SignableOperation): Promise<bigint>;
  increaseTime(seconds: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `sigil serve` with the console on a free port; resolves once it listens. */
export async function startSigilServe(
  args: string[],
  timeoutMs = 20_000,
  env: NodeJS.ProcessEnv = {},
): Promise<{ url: string; process: ChildProcess; stop(): Promise<void>; output(): string }> {
  const child = spawn(process.execPath, [join(root, "sdk", "cli", "dist", "bin.js"), ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sigil serve did not listen in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /"address":"(http:\/\/[^"]+)".*"msg":"listening"/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`sigil serve exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    process: child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

type Chain = ReturnType<typeof devChain>;
const YEAR = 365n * 86_400n;

/** Sending, relaying (the next key holds no coins) and moving the clock on the stage's chain. */
function stageTools(chain: Chain, registry: Address) {
  const target = { registry, publicClient: chain.publicClient };
  const send = async (wallet: WalletClient, op: Operation) => (await sendOperation(wallet, target, op)).blockNumber;
  const relay = async (key: Hex, op: SignableOperation) => {
    const signed = await signOperation(chain.wallet(key), target, op);
    return (await relayOperation(chain.dev, target, signed)).blockNumber;
  };
  const increaseTime = async (seconds: number) => {
    await chain.publicClient.request({ method: "evm_increaseTime" as never, params: [seconds] as never });
    await chain.publicClient.request({ method: "evm_mine" as never, params: [] as never });
  };
  return { send, relay, increaseTime };
}

/** Alice: her next key committed; then the theft; then her rotation away from the stolen key. */
async function aliceStory(chain: Chain, { send, relay, increaseTime }: ReturnType<typeof stageTools>) {
  const aliceWallet = await chain.funded();
  const alice = aliceWallet.account.address;
  const device = privateKeyToAccount(generatePrivateKey()).address;
  const thief = privateKeyToAccount(generatePrivateKey()).address;
  const inbox = serviceAttribute("MessagingService", "https://inbox.example/alice");
  const next = generateNextKey();
  const sigAuth = (delegate: Address) => ({ identity: alice, delegateType: bytes32Name("sigAuth"), delegate, validity: YEAR });
  await send(aliceWallet, { type: "addDelegate", ...sigAuth(device) });
  await send(aliceWallet, { type: "setAttribute", identity: alice, ...inbox, validity: YEAR });
  await send(aliceWallet, { type: "commitNextOwner", identity: alice, commitment: next.commitment });
  await increaseTime(2 * 86_400);
  const theftBlock = await send(aliceWallet, { type: "addDelegate", ...sigAuth(thief) });
  await send(aliceWallet, { type: "revokeAttribute", identity: alice, ...inbox });
  await send(aliceWallet, {
    type: "setAttribute",
    identity: alice,
    ...serviceAttribute("MessagingService", "https://evil.example/inbox"),
    validity: YEAR,
  });
  await increaseTime(6 * 3_600);
  // She rotates with the next key (relayed: it holds no coins), purging, with a fresh next key.
  const plan = planRotation({ identity: alice, salt: next.salt, newOwner: next.address, nextKey: generateNextKey() });
  const rotationBlock = await relay(next.privateKey, plan.rotate);
  await relay(next.privateKey, { type: "addDelegate", ...sigAuth(device) });
  await relay(next.privateKey, { type: "setAttribute", identity: alice, ...inbox, validity: YEAR });
  return { did: `did:sigil:localhost:${alice.toLowerCase()}`, address: alice, device, thief, rotationBlock, theftBlock, next };
}

/** `sigil serve --console --relay`, paying for relayed operations with a funded key of its own. */
async function serveWithRelay(chain: Chain, nodeUrl: string, registry: Address) {
  const relayerKey = generatePrivateKey();
  const relayer = privateKeyToAccount(relayerKey).address;
  await chain.publicClient.waitForTransactionReceipt({
    hash: await chain.dev.sendTransaction({ to: relayer, value: 10n ** 19n, chain: null }),
  });
  const args = ["--rpc", nodeUrl, "--registry", registry, "--chain-id", "31337", "--network", "localhost", "serve", "--port", "0"];
  const serve = await startSigilServe([...args, "--console", CONSOLE_DIST, "--relay"], 20_000, { SIGIL_RELAYER_KEY: relayerKey });
  return { serve, relayer };
}

export async function startConsoleStage(): Promise<ConsoleStage> {
  const node = await startHardhatNode();
  try {
    const chain = devChain(node.url);
    const registry = await chain.deploySigil();
    const tools = stageTools(chain, registry);
    const alice = await aliceStory(chain, tools);
    // Bob: the test wallet's account, one service.
    await tools.send(chain.wallet(WALLET_KEY), {
      type: "setAttribute",
      identity: WALLET_ACCOUNT,
      ...serviceAttribute("MessagingService", "https://inbox.example/bob"),
      validity: YEAR,
    });
    await tools.increaseTime(30 * 86_400);
    const { serve, relayer } = await serveWithRelay(chain, node.url, registry);
    return {
      node,
      registry,
      publicClient: chain.publicClient,
      url: serve.url,
      alice,
      bob: { did: `did:sigil:localhost:${WALLET_ACCOUNT.toLowerCase()}`, address: WALLET_ACCOUNT },
      chain,
      relayer,
      relay: tools.relay,
      increaseTime: tools.increaseTime,
      async stop() {
        await serve.stop();
        await node.stop();
      },
    };
  } catch (error) {
    await node.stop();
    throw error;
  }
}

/** An EIP-1193 provider for the page (injected before it loads): accounts are `account`, every
 * other request goes to the node, which signs for its unlocked accounts. Calls are recorded in
 * window.__walletCalls; window.__walletFail = { method: message } makes a method fail, and
 * window.__walletChainId = n puts the wallet on chain n. */
export function testWalletScript(rpcUrl: string, account: Address): string {
  return `(() => {
  const calls = (window.__walletCalls = []);
  let id = 0;
  const listeners = {};
  window.ethereum = {
    isSigilTestWallet: true,
    async request({ method, params }) {
      calls.push(method);
      // A test may make the wallet fail a method (window.__walletFail = { method: message }).
      const failure = (window.__walletFail ?? {})[method];
      if (failure) throw Object.assign(new Error(failure), { code: -32603 });
      // ... or be on another chain (window.__walletChainId = 1).
      if (method === "eth_chainId" && window.__walletChainId) return "0x" + window.__walletChainId.toString(16);
      if (method === "eth_requestAccounts" || method === "eth_accounts") return [${JSON.stringify(account)}];
      const response = await fetch(${JSON.stringify(rpcUrl)}, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params: params ?? [] }) });
      const body = await response.json();
      if (body.error) throw Object.assign(new Error(body.error.message), { code: body.error.code, data: body.error.data });
      return body.result;
    },
    on(event, fn) { (listeners[event] ??= []).push(fn); },
    removeListener(event, fn) { listeners[event] = (listeners[event] ?? []).filter((f) => f !== fn); },
  };
})();`;
}

// What both acts of the demo share: the chain (in-process by default, or --network localhost),
// the relayer that pays all gas, narration with checked claims, relaying signed operations,
// and asserting that the registry refuses an attempt with the expected error.
import { network } from "hardhat";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { deployRegistry } from "sigil-did/node";
import {
  createPublicClient,
  createWalletClient,
  custom,
  type Address,
  type EIP1193Provider,
  type Hex,
  type PublicClient,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  createSigilResolver,
  describeChange,
  RegistryRevertError,
  relayOperation,
  sendOperation,
  signOperation,
  type DidChange,
  type Operation,
  type SignableOperation,
  type SigilResolver,
} from "sigil-did";

export interface Demo {
  provider: EIP1193Provider;
  publicClient: PublicClient;
  chainId: number;
  registry: Address;
  /** The network name the demo's DIDs carry: `demo` in process, else the Hardhat network's. */
  network: string;
  /** The DID of `address` on the demo's network. */
  did(address: Address): string;
  resolver: SigilResolver;
  failures: () => number;
  say(text: string): void;
  step(title: string): void;
  check(ok: boolean, claim: string, detail?: string): void;
  chainTime(): Promise<number>;
  advance(seconds: number): Promise<void>;
  /** Signs `op` with `key` (EIP-712) and has the app's relayer submit it. */
  relay(key: Hex, op: SignableOperation): ReturnType<typeof relayOperation>;
  /** Signs `op` with `key` without sending it (e.g. a rotation kept offline until needed). */
  sign(key: Hex, op: SignableOperation, deadline?: bigint): ReturnType<typeof signOperation>;
  /** Has the relayer submit an operation signed earlier. */
  relaySigned(signed: Awaited<ReturnType<typeof signOperation>>): ReturnType<typeof relayOperation>;
  /** Sends an operation anyone may send (finalise, apply) from the relayer. */
  send(op: Operation): ReturnType<typeof sendOperation>;
  refused(title: string, attempt: () => Promise<unknown>, expected: string): Promise<void>;
  /** What Bob's app shows for a watcher's changes. */
  warn(who: string, change: DidChange): void;
  close(): Promise<void>;
}

export async function startDemo(): Promise<Demo> {
  const connection = await network.create();
  const provider = connection.provider as unknown as EIP1193Provider;
  const transport = custom(provider, { retryCount: 0 });
  const publicClient = createPublicClient({ transport, pollingInterval: 50 }) as PublicClient;
  const [relayerAddress] = (await provider.request({ method: "eth_accounts" })) as Address[];
  const relayer = createWalletClient({ account: relayerAddress, transport }) as WalletClient;
  const chainId = await publicClient.getChainId();
  const artifact = JSON.parse(
    readFileSync(join(import.meta.dirname, "..", "..", "artifacts", "contracts", "SigilRegistry.sol", "SigilRegistry.json"), "utf8"),
  );
  // On a real node the registry is recorded in deployments/ (or the recorded one reused), so the
  // demo's DIDs resolve afterwards with `sigil resolve`; the in-process chain ends with the demo.
  const inProcess = connection.networkConfig.type === "edr-simulated";
  const networkName = inProcess ? "demo" : connection.networkName;
  const { record } = await deployRegistry({
    wallet: relayer,
    publicClient,
    networkName,
    artifact: { abi: artifact.abi, bytecode: artifact.bytecode as Hex },
    compiler: "solc 0.8.28",
    dir: join(import.meta.dirname, "..", "..", "deployments"),
    write: !inProcess,
    log: inProcess ? undefined : (line) => console.log(line),
  });
  const registry = record.address;
  const target = { registry, publicClient };
  const resolver = createSigilResolver({ networks: [{ chainId, registry, provider, name: networkName }], cache: { maxAgeMs: 0 } });
  let failures = 0;
  let n = 0;
  const say = (text: string) => console.log(text);
  const check = (ok: boolean, claim: string, detail = "") => {
    if (!ok) failures++;
    say(`   ${ok ? "✔" : "✘ FAILED:"} ${claim}${detail ? ` (${detail})` : ""}`);
  };
  const keyWallet = (key: Hex) => createWalletClient({ account: privateKeyToAccount(key), transport }) as WalletClient;
  say(
    `Sigil demo on ${inProcess ? "the in-process chain" : networkName} (chain ${chainId}), registry ${registry}. The messaging app's relayer pays all gas: users hold no coins.`,
  );
  return {
    provider,
    publicClient,
    chainId,
    registry,
    network: networkName,
    did: (address) => `did:sigil:${networkName}:${address.toLowerCase()}`,
    resolver,
    failures: () => failures,
    say,
    step: (title) => say(`\n${++n}. ${title}`),
    check,
    chainTime: async () => Number((await publicClient.getBlock()).timestamp),
    advance: async (seconds) => {
      await provider.request({ method: "evm_increaseTime", params: [seconds] } as never);
      await provider.request({ method: "evm_mine", params: [] } as never);
    },
    relay: async (key, op) => relayOperation(relayer, target, await signOperation(keyWallet(key), target, op)),
    sign: (key, op, deadline) => signOperation(keyWallet(key), target, op, { deadline }),
    relaySigned: (signed) => relayOperation(relayer, target, signed),
    send: (op) => sendOperation(relayer, target, op),
    async refused(title, attempt, expected) {
      try {
        await attempt();
        check(false, `${title} was refused`, "it was accepted");
      } catch (e) {
        const name = e instanceof RegistryRevertError ? e.errorName : String(e);
        check(name === expected, `${title}: refused with ${name}`);
      }
    },
    warn: (who, change) => {
      for (const item of change.changes) say(`   [Bob's app] ⚠ ${who}: ${describeChange(item)}`);
    },
    close: () => connection.close(),
  };
}

// Shared set-up for SDK tests: a fresh in-process chain with the registry deployed, viem
// wallet clients for Hardhat's unlocked accounts, and a provider that counts JSON-RPC requests.
import { network } from "hardhat";
import {
  createPublicClient,
  createWalletClient,
  custom,
  type Address,
  type EIP1193Provider,
  type PublicClient,
  type WalletClient,
} from "viem";
import { sendOperation, type Operation, type OperationReceipt, type RegistryTarget } from "sigil-did";

export interface CountingProvider extends EIP1193Provider {
  calls: string[];
  reset(): void;
}

/** Wraps an EIP-1193 provider, recording every method called through it. */
export function countingProvider(inner: { request(args: { method: string; params?: unknown }): Promise<unknown> }) {
  const calls: string[] = [];
  const provider = {
    calls,
    reset: () => void calls.splice(0),
    request: (args: { method: string; params?: unknown }) => {
      calls.push(args.method);
      return inner.request(args);
    },
    on: () => undefined,
    removeListener: () => undefined,
  };
  return provider as unknown as CountingProvider;
}

/** `initialDate`: start the chain's clock there (e.g. behind the wall clock). */
export async function setup(options: { initialDate?: Date } = {}) {
  const connection = options.initialDate
    ? await network.create({ override: { initialDate: options.initialDate.toISOString() } } as never)
    : await network.create();
  const { ethers, networkHelpers } = connection;
  const registryContract = await ethers.deployContract("SigilRegistry");
  const registry = (await registryContract.getAddress()).toLowerCase() as Address;
  const provider = connection.provider as unknown as EIP1193Provider;
  const publicClient = createPublicClient({ transport: custom(provider, { retryCount: 0 }), pollingInterval: 50 }) as PublicClient;
  const addresses = (await provider.request({ method: "eth_accounts" })) as Address[];
  const wallet = (i: number): WalletClient =>
    createWalletClient({ account: addresses[i], transport: custom(provider, { retryCount: 0 }) }) as WalletClient;
  const target: RegistryTarget = { registry, publicClient };
  const send = (i: number, op: Operation): Promise<OperationReceipt> => sendOperation(wallet(i), target, op);
  const counting = countingProvider(provider);
  const chainId = Number(await publicClient.getChainId());
  return { connection, ethers, networkHelpers, registry, provider, publicClient, addresses, wallet, target, send, counting, chainId };
}

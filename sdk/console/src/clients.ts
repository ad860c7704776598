// viem clients with only the actions the console and the SDK's write path call. viem's
// createPublicClient and createWalletClient bring every action (ENS, multicall, …): 170 KB of
// the bundle. The tests drive every write path (send, relay, sign to a file) through these.
import { createClient, type Account, type Address, type PublicClient, type Transport, type WalletClient } from "viem";
import {
  getBalance,
  getBlock,
  getBlockNumber,
  getChainId,
  getCode,
  readContract,
  signTypedData,
  simulateContract,
  waitForTransactionReceipt,
  writeContract,
} from "viem/actions";

// Each action as viem's own function takes it; the client is typed as viem's full client for the SDK.
type Action = (client: never, args: never) => unknown;
const bind = (client: object, actions: Record<string, Action>) =>
  Object.assign(
    client,
    Object.fromEntries(Object.entries(actions).map(([name, action]) => [name, (args: never) => action(client as never, args)])),
  );

export function publicClientOf(transport: Transport, pollingInterval = 500): PublicClient {
  const actions = {
    getBalance,
    getBlock,
    getBlockNumber,
    getChainId,
    getCode,
    readContract,
    simulateContract,
    waitForTransactionReceipt,
  } as unknown as Record<string, Action>;
  return bind(createClient({ transport, pollingInterval }), actions) as unknown as PublicClient;
}

/** A wallet client for `account`: a local account (a key in the page) or an address its EIP-1193 transport signs for. */
export function walletClientOf(account: Account | Address, transport: Transport): WalletClient {
  return bind(createClient({ account, transport }), { writeContract, signTypedData } as unknown as Record<
    string,
    Action
  >) as unknown as WalletClient;
}

// Sends registry operations: directly from the controller's wallet, or signed as EIP-712
// meta-transactions that any relayer submits (the messaging app pays gas, users need no coins).
// Every send is simulated first, so a call the contract would refuse is reported as a typed
// error naming the contract's error, and nothing is sent to the chain.
import {
  BaseError,
  ContractFunctionRevertedError,
  type Account,
  type Address,
  type Hex,
  type PublicClient,
  type WalletClient,
} from "viem";
import { sigilRegistryAbi } from "./abi.ts";
import { decodeRegistryLogs, type RegistryEvent } from "./events.ts";
import { directCall, operationTypedData, relayedCall, type Operation } from "./operations.ts";
import { RegistryRevertError } from "./errors.ts";

export interface RegistryTarget {
  registry: Address;
  publicClient: PublicClient;
}

export interface OperationReceipt {
  hash: Hex;
  blockNumber: bigint;
  gasUsed: bigint;
  /** What changed, decoded from the receipt's registry events. */
  events: RegistryEvent[];
}

/** An operation signed by its authoriser, ready for any relayer. JSON-safe apart from bigints. */
export interface SignedOperation {
  operation: Operation;
  signer: Address;
  chainId: number;
  registry: Address;
  nonce: bigint;
  deadline: bigint;
  signature: Hex;
}

/** Default lifetime of a signed operation: one hour. */
export const DEFAULT_DEADLINE_SECONDS = 3600n;

/** Turns viem's revert errors into a RegistryRevertError naming the contract's error. */
function asRegistryError(error: unknown, op: Operation): unknown {
  if (!(error instanceof BaseError)) return error;
  const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(revert instanceof ContractFunctionRevertedError)) return error;
  // require(..., "bad_actor") decodes as the built-in Error(string): name it by its reason.
  const builtin = revert.data?.errorName === "Error";
  const errorName = (builtin ? revert.reason : revert.data?.errorName) ?? revert.reason ?? "unknown";
  return new RegistryRevertError({ operation: op.type, errorName, args: builtin ? [] : (revert.data?.args ?? []), cause: error });
}

async function submit(
  wallet: WalletClient,
  target: RegistryTarget,
  op: Operation,
  call: { functionName: string; args: readonly unknown[] },
): Promise<OperationReceipt> {
  const account = wallet.account as Account;
  let hash: Hex;
  try {
    const { request } = await target.publicClient.simulateContract({
      address: target.registry,
      abi: sigilRegistryAbi,
      functionName: call.functionName as never,
      args: call.args as never,
      account,
    });
    hash = await wallet.writeContract({ ...(request as object), account, chain: wallet.chain ?? null } as never);
  } catch (error) {
    throw asRegistryError(error, op);
  }
  const receipt = await target.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") {
    throw new RegistryRevertError({ operation: op.type, errorName: "reverted", args: [hash] });
  }
  const own = receipt.logs.filter((l) => l.address.toLowerCase() === target.registry.toLowerCase());
  return { hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, events: decodeRegistryLogs(own) };
}

/** Performs `op` from the controller's own wallet (for `rotate`: the pre-committed key's). */
export function sendOperation(wallet: WalletClient, target: RegistryTarget, op: Operation): Promise<OperationReceipt> {
  return submit(wallet, target, op, directCall(op));
}

/**
 * Signs `op` as EIP-712 typed data with `signer` (the controller, or for `rotate` the
 * pre-committed key). Reads the identity's nonce and the chain id unless given.
 */
export async function signOperation(
  signer: WalletClient,
  target: RegistryTarget,
  op: Operation,
  options: { nonce?: bigint; deadline?: bigint; chainId?: number } = {},
): Promise<SignedOperation> {
  const account = signer.account as Account;
  const [nonce, chainId, block] = await Promise.all([
    options.nonce ??
      target.publicClient.readContract({
        address: target.registry,
        abi: sigilRegistryAbi,
        functionName: "nonces",
        args: [op.identity],
      }),
    options.chainId ?? target.publicClient.getChainId(),
    options.deadline === undefined ? target.publicClient.getBlock() : undefined,
  ]);
  const deadline = options.deadline ?? (block as { timestamp: bigint }).timestamp + DEFAULT_DEADLINE_SECONDS;
  const typed = operationTypedData(op, { chainId, registry: target.registry, nonce, deadline });
  const signature = await signer.signTypedData({ ...typed, account } as never);
  return { operation: op, signer: account.address, chainId, registry: target.registry, nonce, deadline, signature };
}

/** Submits a signed operation from `relayer`, who pays the gas. */
export function relayOperation(
  relayer: WalletClient,
  target: RegistryTarget,
  signed: SignedOperation,
): Promise<OperationReceipt> {
  return submit(relayer, target, signed.operation, relayedCall(signed.operation, signed));
}

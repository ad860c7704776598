// Sends registry operations: directly from the controller's wallet, or signed as EIP-712
// meta-transactions that any relayer submits (the messaging app pays gas, users need no coins).
// Every send is simulated first, so a call the contract would refuse is reported as a typed
// error naming the contract's error, and nothing is sent to the chain.
import {
  BaseError,
  ContractFunctionRevertedError,
  WaitForTransactionReceiptTimeoutError,
  type Account,
  type Address,
  type Hex,
  type PublicClient,
  type WalletClient,
} from "viem";
import { sigilRegistryAbi } from "../abi.ts";
import { decodeRegistryLogs, type RegistryEvent } from "../read/events.ts";
import {
  AUTHORISER,
  directCall,
  operationTypedData,
  type ContractCall,
  relayedCall,
  type Operation,
  type SignableOperation,
  type SigningContext,
} from "./operations.ts";
import { NoRegistryError, RegistryRevertError, SigilError, toSigilError } from "../errors.ts";

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
  operation: SignableOperation;
  signer: Address;
  chainId: number;
  registry: Address;
  /** What the signature binds besides the operation (nonce, commitment, round), for display. */
  context: Omit<SigningContext, "chainId" | "registry" | "deadline">;
  deadline: bigint;
  signature: Hex;
}

/** Default lifetime of a signed operation: one hour. */
export const DEFAULT_DEADLINE_SECONDS = 3600n;

/** Turns viem's revert errors into a RegistryRevertError naming the contract's error. */
function asRegistryError(error: unknown, op: Operation): SigilError {
  if (!(error instanceof BaseError)) return toSigilError(error);
  const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(revert instanceof ContractFunctionRevertedError)) return toSigilError(error);
  // require(..., "bad_actor") decodes as the built-in Error(string): name it by its reason.
  const builtin = revert.data?.errorName === "Error";
  const errorName = (builtin ? revert.reason : revert.data?.errorName) ?? revert.reason ?? "unknown";
  return new RegistryRevertError({ operation: op.type, errorName, args: builtin ? [] : (revert.data?.args ?? []), cause: error });
}

/** Refuses to send to an address where the chain has no code: a call there "succeeds" and does nothing. */
async function requireRegistry(target: RegistryTarget, op: Operation) {
  const code = await target.publicClient.getCode({ address: target.registry });
  if (!code || code === "0x") {
    const chainId = await target.publicClient.getChainId();
    throw new NoRegistryError({ operation: op.type, registry: target.registry, chainId });
  }
}

/** The transaction request a successful simulation prepared (viem's, to pass to writeContract). */
export interface SimulatedRequest {
  address: Address;
  functionName: string;
  args?: readonly unknown[];
  [field: string]: unknown;
}

/**
 * Simulates `call` as `account` and returns the request to send; a refusal by the registry
 * becomes a RegistryRevertError naming the contract's error. Nothing is sent.
 */
export async function simulateOperation(
  target: RegistryTarget,
  op: Operation,
  call: ContractCall,
  account: Account | Address,
): Promise<SimulatedRequest> {
  try {
    await requireRegistry(target, op);
    const { request } = await target.publicClient.simulateContract({
      address: target.registry,
      abi: sigilRegistryAbi,
      functionName: call.functionName as never,
      args: call.args as never,
      account,
    });
    return request as SimulatedRequest;
  } catch (error) {
    throw asRegistryError(error, op);
  }
}

/** How a write reports progress and how long it waits for its receipt. */
export interface SubmitOptions {
  /** Called as soon as the transaction is sent, with its hash (before it is mined). */
  onSent?: (hash: Hex) => void;
  /** Longest wait for the receipt, ms (default: viem's, about 3 minutes). */
  timeoutMs?: number;
}

/** The transaction was sent but no receipt came within the wait: it may still be mined. */
export class ReceiptTimeoutError extends SigilError {
  override name = "ReceiptTimeoutError";
  readonly hash: Hex;
  constructor(args: { operation: string; hash: Hex; timeoutMs: number; cause?: unknown }) {
    super("internalError", `${args.operation} was sent but not mined within ${Math.round(args.timeoutMs / 1000)} s`, {
      details: `transaction ${args.hash} may still be mined: check the DID again later; the node may be down or the network congested`,
      cause: args.cause,
    });
    this.hash = args.hash;
  }
}

async function submit(
  wallet: WalletClient,
  target: RegistryTarget,
  op: Operation,
  call: ContractCall,
  options: SubmitOptions = {},
): Promise<OperationReceipt> {
  const account = wallet.account as Account;
  const request = await simulateOperation(target, op, call, account);
  let hash: Hex;
  try {
    hash = await wallet.writeContract({ ...request, account, chain: wallet.chain ?? null } as never);
  } catch (error) {
    throw asRegistryError(error, op);
  }
  options.onSent?.(hash);
  let receipt;
  try {
    receipt = await target.publicClient.waitForTransactionReceipt({ hash, timeout: options.timeoutMs });
  } catch (error) {
    if (error instanceof WaitForTransactionReceiptTimeoutError)
      throw new ReceiptTimeoutError({ operation: op.type, hash, timeoutMs: options.timeoutMs ?? 180_000, cause: error });
    throw toSigilError(error);
  }
  if (receipt.status !== "success") {
    throw new RegistryRevertError({ operation: op.type, errorName: "reverted", args: [hash] });
  }
  const own = receipt.logs.filter((l) => l.address.toLowerCase() === target.registry.toLowerCase());
  const events = decodeRegistryLogs(own);
  // No false success: every registry operation emits events; a receipt without them changed nothing.
  if (events.length === 0) throw new NoRegistryError({ operation: op.type, registry: target.registry, hash });
  return { hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, events };
}

/** Performs `op` from the controller's own wallet (for `rotate`: the pre-committed key's). */
export function sendOperation(
  wallet: WalletClient,
  target: RegistryTarget,
  op: Operation,
  options?: SubmitOptions,
): Promise<OperationReceipt> {
  return submit(wallet, target, op, directCall(op), options);
}

/**
 * What a signature of `op` must bind, read from the chain: the identity's nonce for the
 * controller's operations, the commitment and its nonce for a rotation, the commitment and the
 * recovery round for a cancellation, the round for a guardian's approval.
 */
export async function readSigningContext(
  target: RegistryTarget,
  op: SignableOperation,
): Promise<Omit<SigningContext, "chainId" | "registry" | "deadline">> {
  const read = (functionName: "nonces" | "recoveryState") =>
    target.publicClient
      .readContract({ address: target.registry, abi: sigilRegistryAbi, functionName, args: [op.identity] })
      .catch((error: unknown) => {
        throw toSigilError(error);
      });
  if (AUTHORISER[op.type] === "controller") return { nonce: (await read("nonces")) as bigint };
  const state = (await read("recoveryState")) as { nextOwnerCommitment: Hex; commitmentNonce: bigint; round: bigint };
  return { commitment: state.nextOwnerCommitment, commitmentNonce: state.commitmentNonce, round: state.round };
}

/**
 * Why a signed operation can no longer be used, read from the chain (its deadline passed, the
 * nonce, commitment or recovery round it binds moved on), or undefined if it still can. Said
 * before paying to be told SigilInvalidSignature, or to explain that refusal.
 */
export async function staleReason(target: RegistryTarget, signed: SignedOperation): Promise<string | undefined> {
  const [block, current] = await Promise.all([target.publicClient.getBlock(), readSigningContext(target, signed.operation)]);
  if (signed.deadline < block.timestamp) return `it expired at ${new Date(Number(signed.deadline) * 1000).toISOString()}`;
  const was = signed.context;
  if (was.nonce !== undefined && current.nonce !== undefined && was.nonce !== current.nonce) {
    return was.nonce < current.nonce
      ? `its nonce ${was.nonce} was already used (it was relayed, or another signed operation of this identity came first)`
      : `it was signed for nonce ${was.nonce} and the identity is at ${current.nonce}: relay the earlier ones first`;
  }
  if (was.commitment !== undefined && was.commitment !== current.commitment)
    return "the commitment it consumes is no longer the identity's (already rotated, or replaced by a recovery)";
  if (was.commitmentNonce !== undefined && was.commitmentNonce !== current.commitmentNonce)
    return "it was signed for an earlier commitment";
  if (was.round !== undefined && was.round !== current.round)
    return "the recovery round moved on (a recovery finished or was cancelled, or the guardians changed)";
  return undefined;
}

/**
 * Signs `op` as EIP-712 typed data with `signer` (the controller; for `rotate` and
 * `cancelRecovery` the pre-committed key; for `approveRecovery` the guardian). Reads what the
 * signature binds, the chain id and the block time (for the default deadline) unless given.
 */
export async function signOperation(
  signer: WalletClient,
  target: RegistryTarget,
  op: SignableOperation,
  options: { context?: Omit<SigningContext, "chainId" | "registry" | "deadline">; deadline?: bigint; chainId?: number } = {},
): Promise<SignedOperation> {
  const account = signer.account as Account;
  try {
    const [context, chainId, block] = await Promise.all([
      options.context ?? readSigningContext(target, op),
      options.chainId ?? target.publicClient.getChainId(),
      options.deadline === undefined ? target.publicClient.getBlock() : undefined,
    ]);
    const deadline = options.deadline ?? (block as { timestamp: bigint }).timestamp + DEFAULT_DEADLINE_SECONDS;
    const typed = operationTypedData(op, { ...context, chainId, registry: target.registry, deadline });
    const signature = await signer.signTypedData({ ...typed, account } as never);
    return { operation: op, signer: account.address, chainId, registry: target.registry, context, deadline, signature };
  } catch (error) {
    throw toSigilError(error);
  }
}

/** Submits a signed operation from `relayer`, who pays the gas. */
export function relayOperation(
  relayer: WalletClient,
  target: RegistryTarget,
  signed: SignedOperation,
  options?: SubmitOptions,
): Promise<OperationReceipt> {
  return submit(relayer, target, signed.operation, relayedCall(signed.operation, signed), options);
}

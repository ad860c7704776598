// A thin adapter for ethers v6 users: run SDK operations through a TypeChain/ethers contract,
// sign them with an ethers Signer, and hand an ethers provider to the resolver. Type-only
// imports: the SDK does not depend on ethers at run time.
import type { AbstractProvider, JsonRpcApiProvider, Signer, TypedDataField } from "ethers";
import type { Address, EIP1193Provider, Hex } from "viem";
import { AUTHORISER, directCall, operationTypedData, relayedCall, type Operation, type SignableOperation } from "./write/operations.ts";
import type { SignedOperation } from "./write/write.ts";

/** Any ethers contract for the registry (TypeChain's `SigilRegistry` included). */
type RegistryContract = { getAddress(): Promise<string> } & Record<string, unknown>;

/** Sends `op` from the contract's runner (the controller); resolves with the ethers response. */
export async function sendOperationWithEthers(registry: RegistryContract, op: Operation) {
  const { functionName, args } = directCall(op);
  return (registry[functionName] as (...a: unknown[]) => Promise<unknown>)(...args);
}

type RecoveryReads = {
  nonces(identity: string): Promise<bigint>;
  recoveryState(identity: string): Promise<{ nextOwnerCommitment: string; commitmentNonce: bigint; round: bigint }>;
};

/** Signs `op` as EIP-712 typed data with an ethers Signer (its authoriser: controller, next key or guardian). */
export async function signOperationWithEthers(
  signer: Signer,
  registry: RegistryContract & RecoveryReads,
  op: SignableOperation,
  options: { deadline: bigint; chainId?: number },
): Promise<SignedOperation> {
  const address = (await registry.getAddress()) as Address;
  const chainId = options.chainId ?? Number((await signer.provider!.getNetwork()).chainId);
  let context: SignedOperation["context"];
  if (AUTHORISER[op.type] === "controller") context = { nonce: await registry.nonces(op.identity) };
  else {
    const s = await registry.recoveryState(op.identity);
    context = { commitment: s.nextOwnerCommitment as Hex, commitmentNonce: s.commitmentNonce, round: s.round };
  }
  const typed = operationTypedData(op, { ...context, chainId, registry: address, deadline: options.deadline });
  const signature = (await signer.signTypedData(typed.domain, typed.types as Record<string, TypedDataField[]>, typed.message)) as Hex;
  return {
    operation: op,
    signer: (await signer.getAddress()) as Address,
    chainId,
    registry: address,
    context,
    deadline: options.deadline,
    signature,
  };
}

/** Relays a signed operation through `registry` connected to the paying relayer. */
export async function relayOperationWithEthers(registry: RegistryContract, signed: SignedOperation) {
  const { functionName, args } = relayedCall(signed.operation, signed);
  return (registry[functionName] as (...a: unknown[]) => Promise<unknown>)(...args);
}

/** An ethers JSON-RPC provider as the EIP-1193 provider the resolver takes (`provider` in a network). */
export function eip1193FromEthers(provider: JsonRpcApiProvider | AbstractProvider): EIP1193Provider {
  const send = (provider as JsonRpcApiProvider).send.bind(provider);
  return {
    request: ({ method, params }: { method: string; params?: unknown[] }) => send(method, params ?? []),
  } as unknown as EIP1193Provider;
}

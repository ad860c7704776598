// Whether what a signed operation asks for is already on chain: a relayer that is told "reverted"
// for a rotation someone else sent first (a thief copying the owner's signed rotation gains
// nothing by it: the rotation hands the identity to the owner's key) must say it took effect,
// never that it failed.
import { getAddress, toHex, type Address, type Hex } from "viem";
import { decodeRegistryLogs } from "../read/events.ts";
import { readIdentities } from "../read/reader.ts";
import { readSigningContext, type RegistryTarget, type SignedOperation } from "./write.ts";

export interface AppliedOperation {
  /** The transaction that made the change (not necessarily the relayer's). */
  transactionHash: Hex;
  blockNumber: bigint;
  /** Who sent that transaction. */
  sentBy: Address;
  /** The kinds of the registry events that transaction emitted. */
  events: string[];
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * For a signed rotation: the rotation on chain that did exactly what it asks (same new owner,
 * next commitment and purge), provided the commitment it consumes has been used and its new owner
 * still controls the identity; otherwise undefined (nothing to report as done). Other operation
 * types: undefined.
 */
export async function signedOperationOnChain(
  target: RegistryTarget,
  signed: SignedOperation,
  fromBlock = 0n,
): Promise<AppliedOperation | undefined> {
  const op = signed.operation;
  if (op.type !== "rotate") return undefined;
  const [context, { snapshot }] = await Promise.all([
    readSigningContext(target, op),
    readIdentities(target.publicClient, [op.identity], { registry: target.registry, fromBlock, scope: "full" }),
  ]);
  if (signed.context.commitmentNonce === undefined || context.commitmentNonce === signed.context.commitmentNonce) return undefined;
  const id = op.identity.toLowerCase() as Address;
  const state = snapshot.states.get(id);
  if (!state || !same(state.owner, op.newOwner)) return undefined;
  const event = [...(snapshot.events.get(id) ?? [])]
    .reverse()
    .find(
      (e) => e.kind === "rotate" && same(e.newOwner, op.newOwner) && same(e.nextCommitment, op.nextCommitment) && e.purged === op.purge,
    );
  if (!event) return undefined;
  const block = toHex(event.blockNumber);
  const logs = (await target.publicClient.request({
    method: "eth_getLogs",
    params: [{ address: target.registry, fromBlock: block, toBlock: block }],
  })) as { logIndex: Hex; transactionHash: Hex }[];
  const log = logs.find((l) => Number(l.logIndex) === event.logIndex);
  if (!log) return undefined;
  const receipt = await target.publicClient.getTransactionReceipt({ hash: log.transactionHash });
  const events = decodeRegistryLogs(receipt.logs.filter((l) => same(l.address, target.registry)) as never).map((e) => e.kind);
  return { transactionHash: log.transactionHash, blockNumber: event.blockNumber, sentBy: getAddress(receipt.from), events };
}

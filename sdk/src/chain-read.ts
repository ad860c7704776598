// Reads of a network's registry with the checks every answer must pass: the node serves the
// chain the network names (else its answers describe someone else's keys), and a registry
// answers at the configured address (said plainly when it does not).
import { hexToBigInt, toHex, type Address, type Hex } from "viem";
import { InternalError } from "./errors.ts";
import { callStates, EmptyCallError, readIdentities, type IdentityState } from "./reader.ts";
import { networkLabel, type NetworkEntry } from "./sigil-client.ts";

/** Refuses answers from a node on another chain. */
export function checkChain(entry: NetworkEntry, chainId: number) {
  const { network } = entry;
  if (chainId !== network.chainId) {
    throw new InternalError({
      details: `the RPC endpoint serves chain ${chainId}, but network ${network.name ?? network.chainId} is chain ${network.chainId}: refusing its answers; fix the RPC URL`,
    });
  }
}

/** Turns "no contract at the registry address" into the likelier cause, said plainly. */
async function guard<T>(entry: NetworkEntry, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (!(error instanceof EmptyCallError)) throw error;
    // Only on this failure path: one more round trip.
    const chainId = Number(await entry.client.request({ method: "eth_chainId" }));
    checkChain(entry, chainId);
    throw new InternalError({
      details: `no SigilRegistry answers at ${entry.network.registry} on chain ${chainId}; check the network's registry address`,
      cause: error,
    });
  }
}

type RawBlock = { number: Hex; hash: Hex } | null;

/** The number and hash of a block ("latest" or a number): a point to re-check for resets and reorgs. */
export async function blockAnchor(entry: NetworkEntry, block: bigint | "latest"): Promise<{ number: bigint; hash: Hex } | undefined> {
  const raw = (await entry.client.request({ method: "eth_getBlockByNumber", params: [block === "latest" ? block : toHex(block), false] })) as RawBlock;
  return raw ? { number: hexToBigInt(raw.number), hash: raw.hash } : undefined;
}

/** State and history of `addresses`, plus the headers of `blocks` and (for a cache) the head's
 * hash, in one batch. */
export async function readHistory(entry: NetworkEntry, addresses: Address[], blocks?: bigint[], withAnchor = false) {
  const { network, client } = entry;
  const read = readIdentities(client, addresses, {
    registry: network.registry,
    fromBlock: network.fromBlock ?? 0n,
    maxLogBlockRange: network.maxLogBlockRange,
    blocks,
  });
  const head = withAnchor ? blockAnchor(entry, "latest") : undefined; // same tick: same batch
  head?.catch(() => undefined);
  const { snapshot, headers } = await guard(entry, read);
  checkChain(entry, snapshot.chainId);
  return { snapshot, headers, anchor: await head?.catch(() => undefined) };
}

/** The storage state of `addresses` (one eth_call), with the block it was read at. */
export async function confirmStates(entry: NetworkEntry, addresses: Address[]) {
  const [chainId, blockNumber, timestamp, states] = await guard(entry, callStates(entry.client, entry.network.registry, addresses));
  checkChain(entry, Number(chainId));
  return {
    blockNumber,
    timestamp,
    states: new Map(addresses.map((a, i) => [a, { ...states[i], epoch: BigInt(states[i].epoch) } as IdentityState])),
  };
}

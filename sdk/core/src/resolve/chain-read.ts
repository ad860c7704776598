// Reads of a network's registry with the checks every answer must pass: the node serves the
// chain the network names (else its answers describe someone else's keys), and a registry
// answers at the configured address (said plainly when it does not).
import { hexToBigInt, toHex, type Address, type Hex } from "viem";
import { InternalError } from "../errors.ts";
import { callStates, EmptyCallError, readIdentities } from "../read/reader.ts";
import type { Speculation } from "../read/speculation.ts";
import { crowdOf } from "./crowd-entry.ts";
import type { NetworkEntry } from "./types.ts";

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
  const raw = (await entry.client.request({
    method: "eth_getBlockByNumber",
    params: [block === "latest" ? block : toHex(block), false],
  })) as RawBlock;
  return raw ? { number: hexToBigInt(raw.number), hash: raw.hash } : undefined;
}

/** Chains no longer than this (blocks since the registry's deployment) get their logs asked
 * with the state, in one round trip; longer ones read each identity's span after its state. */
const SPECULATIVE_SPAN = 20_000n;

/** What the read may assume of the network's endpoints: their tightest learned range cap. */
function learnedRange(entry: NetworkEntry): bigint | undefined {
  let cap: bigint | undefined;
  for (const e of entry.endpoints)
    if (e.caps.maxLogRange !== undefined && (cap === undefined || e.caps.maxLogRange < cap)) cap = e.caps.maxLogRange;
  return cap;
}

/** Whether a read of the network may ask its identities' whole history with their state (a young
 * chain whose endpoints have not proven slow or narrow on log ranges), and how. */
export function speculation(entry: NetworkEntry): Speculation | undefined {
  const fromBlock = entry.network.fromBlock ?? 0n;
  const cap = learnedRange(entry);
  const age = entry.knownHead === undefined ? undefined : entry.knownHead - fromBlock + 1n;
  const young = age !== undefined && age <= SPECULATIVE_SPAN && (cap === undefined || age + 1_000n <= cap);
  return young && !entry.slowSpeculation ? { fromBlock, onSlow: () => (entry.slowSpeculation = true) } : undefined;
}

export interface HistoryReadOptions {
  /** Headers wanted in the same batch (a versionId). */
  blocks?: bigint[];
  /** Also the head block's hash (for a cache). */
  withAnchor?: boolean;
  /** "current" (default): since the last purge; "full": the whole history. */
  scope?: "current" | "full";
  /** Per identity, the last block a cache already holds. */
  after?: ReadonlyMap<Address, bigint>;
}

/** State and history of `addresses`, plus the headers of `blocks` and (for a cache) the head's
 * hash, the state and the anchor in one batch. */
export async function readHistory(entry: NetworkEntry, targets: Address[], options: HistoryReadOptions = {}) {
  const { network, client } = entry;
  const addresses = await crowdOf(entry, targets);
  const fromBlock = network.fromBlock ?? 0n;
  const cap = learnedRange(entry);
  const speculate = !options.after && speculation(entry) !== undefined;
  const read = readIdentities(client, addresses, {
    registry: network.registry,
    fromBlock,
    scope: options.scope,
    blocks: options.blocks,
    after: crowdAfter(options.after, addresses),
    speculate,
    onSlowSpeculation: () => (entry.slowSpeculation = true),
    combineSpan: cap,
    logTimestamps: entry.logTimestamps,
    checkChainId: (chainId) => checkChain(entry, chainId),
  });
  const head = options.withAnchor ? blockAnchor(entry, "latest") : undefined; // same tick: same batch
  head?.catch(() => undefined);
  const { snapshot, headers } = await guard(entry, read);
  checkChain(entry, snapshot.chainId);
  entry.knownHead = snapshot.blockNumber;
  const logged = [...snapshot.events.values()].flat();
  if (logged.length) entry.logTimestamps = logged.every((e) => e.blockTimestamp !== undefined);
  return { snapshot, headers, anchor: await head?.catch(() => undefined) };
}

/** The storage state of `addresses` (one eth_call), with the block it was read at. */
export async function confirmStates(entry: NetworkEntry, targets: Address[]) {
  const addresses = await crowdOf(entry, targets);
  const [chainId, blockNumber, timestamp, states] = await guard(entry, callStates(entry.client, entry.network.registry, addresses));
  checkChain(entry, Number(chainId));
  const byId = new Map(addresses.map((a, i) => [a.toLowerCase(), states[i]]));
  return { blockNumber, timestamp, states: new Map(targets.map((a) => [a, byId.get(a.toLowerCase())!])) };
}

/** A crowd's decoys read from where their targets' cached histories end, so that every
 * identity of the crowd is asked the same span (what they answer is not used). */
function crowdAfter(after: ReadonlyMap<Address, bigint> | undefined, crowd: readonly Address[]) {
  if (!after?.size) return after;
  const lowest = [...after.values()].reduce((m, b) => (b < m ? b : m));
  const out = new Map([...after].map(([a, b]) => [a.toLowerCase() as Address, b]));
  for (const a of crowd) if (!out.has(a)) out.set(a, lowest);
  return out;
}

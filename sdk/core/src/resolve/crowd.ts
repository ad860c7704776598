// First contact in a crowd (issue 23), loaded on first use by crowd-entry.ts: on a network with `crowd`, every read that names
// identities (the identityStates eth_call, the eth_getLogs topics, the eth_getProof accounts'
// slots) names each one among k decoys, so the RPC endpoint learns that the app looked up one of
// k + 1 identities, not which. What makes the crowd hold up against an observer:
//  - decoys are identities that exist: drawn from the registry's own recent logs (asked by the
//    contract's address alone), so "the one with a history" does not single the target out;
//  - the draw is keyed by a secret seed of the app's, so nobody can recompute a candidate's
//    crowd and match it against the one observed (a public draw would give the target away);
//  - each target's decoys are kept (DecoyStore) and reused on every later read of it, so
//    repeated lookups show the same crowd: intersecting them narrows nothing;
//  - the crowd is sent in address order, in the same requests, so position and timing within a
//    read tell nothing. What it does not hide is listed in docs/private-lookups.md.
import { bytesToHex, concatHex, keccak256, toHex, type Address, type Hex } from "viem";
import { InternalError } from "../errors.ts";
import { LogLimitError } from "../read/log-ranges.ts";
import { getLogs } from "../read/span-logs.ts";
import type { CrowdOptions, DecoyStore } from "../read/networks.ts";
import { checkCrowdOptions } from "./crowd-options.ts";
import type { NetworkEntry } from "./types.ts";

export type { CrowdOptions, DecoyStore };

const POOL_TTL_MS = 10 * 60_000;

/** A Map-backed DecoyStore (the default). */
export function memoryDecoyStore(): DecoyStore {
  const map = new Map<string, readonly Address[]>();
  return { get: (key) => map.get(key), set: (key, decoys) => void map.set(key, decoys) };
}

interface CrowdState {
  k: number;
  seed: Hex;
  store: DecoyStore;
  poolBlocks: bigint;
  pool?: { identities: Promise<Address[]>; at: number };
}

const states = new WeakMap<NetworkEntry, CrowdState>();

/** The network's crowd state, made on first use (the options were checked with the resolver). */
export function crowdState(entry: NetworkEntry): CrowdState | undefined {
  const options = entry.network.crowd;
  if (!options) return undefined;
  let state = states.get(entry);
  if (state) return state;
  const { k, poolBlocks } = checkCrowdOptions(options);
  const seed = bytesToHex(options.seed ?? crypto.getRandomValues(new Uint8Array(32)));
  state = { k, seed, store: options.store ?? memoryDecoyStore(), poolBlocks };
  states.set(entry, state);
  return state;
}

/** `targets` with each one's decoys, in address order (lower case); the targets alone when the
 * network has no crowd. Throws InternalError when the registry holds too few identities to hide
 * a target among k: a lookup that cannot be hidden is not made. */
export async function withCrowd(entry: NetworkEntry, targets: readonly Address[]): Promise<Address[]> {
  const state = crowdState(entry);
  if (!state || targets.length === 0) return [...targets];
  const all = new Set(targets.map((t) => t.toLowerCase() as Address));
  for (const target of [...all]) for (const decoy of await decoysOf(entry, state, target)) all.add(decoy);
  return [...all].sort();
}

async function decoysOf(entry: NetworkEntry, state: CrowdState, target: Address): Promise<readonly Address[]> {
  const key = `${entry.network.chainId}:${entry.network.registry.toLowerCase()}:${target}`;
  const kept = await state.store.get(key);
  if (kept && kept.length >= state.k) return kept;
  const pool = (await identityPool(entry, state)).filter((a) => a !== target);
  if (pool.length < state.k) {
    throw new InternalError({
      details: `cannot hide the lookup of ${target} among ${state.k} others: the registry's logs of the last ${state.poolBlocks} blocks name only ${pool.length} other identities`,
      hint: "lower the network's crowd.k, widen crowd.poolBlocks, or resolve without crowd (the endpoint then learns the DID)",
    });
  }
  // Rank every candidate by a keyed hash: secret without the seed, stable for a given pool.
  const rank = (a: Address) => keccak256(concatHex([state.seed, target, a]));
  const decoys = pool
    .map((a) => [rank(a), a] as const)
    .sort(([x], [y]) => (x < y ? -1 : 1))
    .slice(0, state.k)
    .map(([, a]) => a);
  await state.store.set(key, decoys);
  return decoys;
}

/** The identities named in the registry's recent logs, asked by the contract's address alone
 * (nothing in the request concerns the target). Cached for ten minutes per network. */
function identityPool(entry: NetworkEntry, state: CrowdState): Promise<Address[]> {
  if (state.pool && Date.now() - state.pool.at < POOL_TTL_MS) return state.pool.identities;
  const identities = readPool(entry, state.poolBlocks);
  state.pool = { identities, at: Date.now() };
  identities.catch(() => (state.pool = undefined)); // a failure is not kept
  return identities;
}

async function readPool(entry: NetworkEntry, poolBlocks: bigint): Promise<Address[]> {
  const { client, network } = entry;
  const head = BigInt((await client.request({ method: "eth_blockNumber" } as never)) as Hex);
  const start = network.fromBlock ?? 0n;
  // A node may refuse a wide window for its result count: halve it (recent identities suffice).
  for (let span = poolBlocks; ; span /= 2n) {
    const from = head - span + 1n > start ? head - span + 1n : start;
    try {
      const logs = await getLogs(client, { address: network.registry, fromBlock: toHex(from), toBlock: toHex(head) });
      const seen = new Set<Address>();
      for (const log of logs) if (log.topics[1]) seen.add(`0x${log.topics[1].slice(26)}`.toLowerCase() as Address);
      return [...seen];
    } catch (error) {
      if (!(error instanceof LogLimitError) || span <= 1n) throw error;
    }
  }
}

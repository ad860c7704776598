// The state a Sigil resolver holds, and nothing else: its networks (each with a viem client),
// the default network, and the history cache with its counters. Every resolver action
// (resolve.ts, history-cache.ts, health.ts) takes this object explicitly, as viem's actions
// take a client: no hidden global state.
import type { Address, Client, Hex } from "viem";
import type { ParsedSigilDid } from "../did/did.ts";
import { UnknownNetworkError } from "../errors.ts";
import type { RegistryEvent } from "../read/events.ts";
import type { PendingRead } from "./coalesce.ts";
import type { Endpoint } from "../read/endpoint.ts";
import { chainIdHex, networkEndpoints, networkReadClient, type SigilNetwork } from "../read/networks.ts";
import { LruMap } from "../read/lru.ts";
import type { IdentityState } from "../read/reader.ts";

export interface SigilResolverConfig {
  networks: readonly SigilNetwork[];
  /** Name or chain id of the network used when a DID names none. Default: the first. */
  defaultNetwork?: string | number;
  /** Cache of identity histories keyed on their last change; `false` turns it off. */
  cache?: false | { maxEntries?: number; maxAgeMs?: number };
}

export interface NetworkEntry {
  network: SigilNetwork;
  client: Client;
  /** The rpcUrls' endpoints, with what was learned of them (none for a provider or transport). */
  endpoints: readonly Endpoint[];
  /** The head block at the last read: how long the chain is. */
  knownHead?: bigint;
  /** Whether the network's logs carried blockTimestamp at the last read. */
  logTimestamps?: boolean;
  /** The whole-chain log query sent with the state took over a second once: not sent again. */
  slowSpeculation?: boolean;
}

/** An identity's history as last read, with the state and block it was confirmed at. */
export interface CachedHistory {
  state: IdentityState;
  /** The identity's events from `from` (its last purge, for a current document) on. */
  events: RegistryEvent[];
  from: bigint;
  /** Times of the first and last change's blocks, when the logs did not carry them. */
  blockTimes: Map<bigint, bigint>;
  checkedAt: number;
  blockNumber: bigint;
  timestamp: bigint;
  /** The chain's head when the history was read: while that block is still canonical, the
   * chain below it was not reset or reorganised, so an unchanged state means an unchanged history. */
  anchor?: { number: bigint; hash: Hex };
}

/** Counts of current-document lookups by how the cache served them, since the resolver was made. */
export interface CacheStats {
  /** Served from the cache within maxAgeMs: no request. */
  fresh: number;
  /** Cached history confirmed unchanged by one eth_call. */
  confirmed: number;
  /** Cached identity that changed: only its new logs were read. */
  grown: number;
  /** Read from the chain (state and logs). */
  missed: number;
}

/** What the client needs of a cache (an LRU by default); no library's types leak into the API. */
export interface HistoryCache {
  get(key: string): CachedHistory | undefined;
  set(key: string, value: CachedHistory): unknown;
  has(key: string): boolean;
}

export interface SigilClient {
  entries: readonly NetworkEntry[];
  /** Current-history reads gathering identities until the end of this turn (coalesce.ts). */
  pending: Map<string, PendingRead>;
  defaultEntry?: NetworkEntry;
  cache?: HistoryCache;
  maxAgeMs: number;
  stats: CacheStats;
}

export function createSigilClient(config: SigilResolverConfig): SigilClient {
  const entries = config.networks.map((network): NetworkEntry => {
    const endpoints = network.transport || network.provider ? [] : networkEndpoints(network);
    return { network, client: networkReadClient(network, endpoints), endpoints };
  });
  const defaultEntry =
    config.defaultNetwork === undefined
      ? entries[0]
      : entries.find((e) => e.network.name === config.defaultNetwork || e.network.chainId === config.defaultNetwork);
  return {
    entries,
    pending: new Map(),
    defaultEntry,
    cache: config.cache === false ? undefined : new LruMap<CachedHistory>(config.cache?.maxEntries ?? 10_000),
    maxAgeMs: config.cache === false ? 0 : (config.cache?.maxAgeMs ?? 0),
    stats: { fresh: 0, confirmed: 0, grown: 0, missed: 0 },
  };
}

/** The configured network a DID names (or the default); notFound otherwise. */
export function findNetwork(client: SigilClient, parsed: ParsedSigilDid): NetworkEntry {
  const ref = parsed.network;
  const entry =
    ref === undefined ? client.defaultEntry : client.entries.find((e) => e.network.name === ref || chainIdHex(e.network.chainId) === ref);
  if (!entry) {
    const known = client.entries.map((e) => networkLabel(e.network)).join(", ") || "none";
    throw new UnknownNetworkError({ network: ref ?? "(default)", known });
  }
  return entry;
}

export const networkLabel = (network: SigilNetwork) => network.name ?? chainIdHex(network.chainId);

/** The method's canonical form of a DID: the chain id and the address in lower-case hex (the same
 * for every resolver, whatever names it configures). */
export function canonicalDid(entry: NetworkEntry, address: Address): string {
  return `did:sigil:${chainIdHex(entry.network.chainId)}:${address.toLowerCase()}`;
}

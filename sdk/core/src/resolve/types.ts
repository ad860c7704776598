// The types a Sigil resolver's state is made of (sigil-client.ts makes it), apart from the
// modules that act on it, so that none of them imports another for its types alone.
import type { Address, Client, Hex } from "viem";
import type { RegistryEvent } from "../read/events.ts";
import type { Endpoint } from "../read/endpoint.ts";
import type { SigilNetwork } from "../read/networks.ts";
import type { IdentityState } from "../read/types.ts";

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
  /** Set when every fact was checked against a trusted header (the network's `verify`). */
  verification?: { blockNumber: bigint; blockHash: Hex; basis: string };
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

export interface PendingRead {
  addresses: Set<Address>;
  result: Promise<Histories>;
}

export interface Histories {
  histories: Map<Address, CachedHistory>;
  /** Identities whose history could not be read whole (others are unaffected). */
  failures: Map<Address, Error>;
}

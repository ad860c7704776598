// The did:sigil resolver: a DIF did-resolver plugin (`getResolver`) and a reusable
// `createSigilResolver` that also resolves many DIDs at once. A resolution never throws and
// never hangs: every failure becomes a DID Resolution error result, every request has a
// timeout, and endpoints fail over in order.
import type {
  DIDDocumentMetadata,
  DIDResolutionOptions,
  DIDResolutionResult,
  DIDResolver,
  ParsedDID,
} from "did-resolver";
import { LRUCache } from "lru-cache";
import { zeroHash, type Address, type PublicClient } from "viem";
import { buildDocument, type DocumentPoint } from "./document.ts";
import { parseDid, type ParsedSigilDid } from "./did.ts";
import {
  InternalError,
  InvalidResolutionOptionError,
  RepresentationNotSupportedError,
  SigilError,
  UnknownNetworkError,
} from "./errors.ts";
import type { RegistryEvent } from "./events.ts";
import { chainIdHex, networkClient, type SigilNetwork } from "./networks.ts";
import { foldRecovery, recoveryMetadata } from "./recovery-state.ts";
import { readQuery } from "./version-query.ts";
import { callStates, EmptyCallError, readIdentities, type IdentitySnapshot, type IdentityState } from "./reader.ts";

export interface SigilResolverConfig {
  networks: readonly SigilNetwork[];
  /** Name or chain id of the network used when a DID names none. Default: the first. */
  defaultNetwork?: string | number;
  /** Cache of identity histories keyed on their last change; `false` turns it off. */
  cache?: false | { maxEntries?: number; maxAgeMs?: number };
}

export type SigilResolutionResult = DIDResolutionResult;

const CONTENT_TYPES = ["application/did+ld+json", "application/did+json", "application/did", "application/ld+json"];

interface CachedHistory {
  state: IdentityState;
  events: RegistryEvent[];
  checkedAt: number;
  blockNumber: bigint;
  timestamp: bigint;
}

interface NetworkEntry {
  network: SigilNetwork;
  client: PublicClient;
}

const sameState = (a: IdentityState, b: IdentityState) =>
  a.owner === b.owner &&
  a.changed === b.changed &&
  a.epoch === b.epoch &&
  a.nextOwnerCommitment === b.nextOwnerCommitment &&
  a.deactivated === b.deactivated;

const iso = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");

function errorResult(error: unknown): DIDResolutionResult {
  const e = error instanceof SigilError ? error : new InternalError({ cause: error });
  return {
    didResolutionMetadata: { error: e.code, message: e.message },
    didDocument: null,
    didDocumentMetadata: {},
  };
}

/** Counts of current-document lookups by how the cache served them, since the resolver was made. */
export interface CacheStats {
  /** Served from the cache within maxAgeMs: no request. */
  fresh: number;
  /** Cached history confirmed unchanged by one eth_call. */
  confirmed: number;
  /** Read from the chain (state and logs). */
  missed: number;
}

/** Whether a network's registry can be read, and how far its chain is. */
export interface NetworkHealth {
  network: string;
  chainId: number;
  ok: boolean;
  blockNumber?: string;
  /** Seconds between the head block's timestamp and now: a stalled chain shows here. */
  headAgeSeconds?: number;
  error?: string;
}

export interface SigilResolver {
  /** Resolves one DID (or DID URL with versionId/versionTime); never throws. */
  resolve(did: string, options?: DIDResolutionOptions): Promise<DIDResolutionResult>;
  /** Resolves many current documents in one batch per network; results in input order. */
  resolveMany(dids: readonly string[], options?: DIDResolutionOptions): Promise<DIDResolutionResult[]>;
  /** The did-resolver plugin map: `new Resolver(resolver.plugin())`. */
  plugin(): Record<string, DIDResolver>;
  /** One eth_call per network: reachable, on the right chain, registry present. Never throws. */
  health(): Promise<NetworkHealth[]>;
  cacheStats(): CacheStats;
}

export function createSigilResolver(config: SigilResolverConfig): SigilResolver {
  const entries: NetworkEntry[] = config.networks.map((network) => ({ network, client: networkClient(network) }));
  const defaultEntry =
    config.defaultNetwork === undefined
      ? entries[0]
      : entries.find((e) => e.network.name === config.defaultNetwork || e.network.chainId === config.defaultNetwork);
  const cache =
    config.cache === false
      ? undefined
      : new LRUCache<string, CachedHistory>({ max: config.cache?.maxEntries ?? 10_000 });
  const maxAgeMs = config.cache === false ? 0 : (config.cache?.maxAgeMs ?? 0);
  const stats: CacheStats = { fresh: 0, confirmed: 0, missed: 0 };

  function findNetwork(parsed: ParsedSigilDid): NetworkEntry {
    const ref = parsed.network;
    const entry =
      ref === undefined
        ? defaultEntry
        : entries.find((e) => e.network.name === ref || chainIdHex(e.network.chainId) === ref);
    if (!entry) {
      const known = entries.map((e) => e.network.name ?? chainIdHex(e.network.chainId)).join(", ") || "none";
      throw new UnknownNetworkError({ network: ref ?? "(default)", known });
    }
    return entry;
  }

  /** The canonical DID for documents: the network as configured name, else hex chain id. */
  function canonicalDid(entry: NetworkEntry, address: Address): string {
    return `did:sigil:${entry.network.name ?? chainIdHex(entry.network.chainId)}:${address}`;
  }

  async function read(entry: NetworkEntry, addresses: Address[], blocks?: bigint[]) {
    const { network, client } = entry;
    const { snapshot, headers } = await guard(
      entry,
      readIdentities(client, addresses, {
        registry: network.registry,
        fromBlock: network.fromBlock ?? 0n,
        maxLogBlockRange: network.maxLogBlockRange,
        blocks,
      }),
    );
    checkChain(entry, snapshot.chainId);
    return { snapshot, headers };
  }

  /** Refuses answers from a node on another chain: they would describe someone else's keys. */
  function checkChain(entry: NetworkEntry, chainId: number) {
    const { network } = entry;
    if (chainId !== network.chainId) {
      throw new InternalError({
        details: `the RPC endpoint serves chain ${chainId}, but network ${network.name ?? network.chainId} is chain ${network.chainId}: refusing its answers; fix the RPC URL`,
      });
    }
  }

  /** Turns "no contract at the registry address" into the likelier cause, said plainly. */
  async function guard<T>(entry: NetworkEntry, p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (error) {
      if (!(error instanceof EmptyCallError)) throw error;
      const chainId = await entry.client.getChainId(); // only on this failure path: one more round trip
      checkChain(entry, chainId);
      throw new InternalError({
        details: `no SigilRegistry answers at ${entry.network.registry} on chain ${chainId}; check the network's registry address`,
        cause: error,
      });
    }
  }

  /** Current histories, through the cache when the identity's state is unchanged. */
  async function currentHistories(entry: NetworkEntry, addresses: Address[]) {
    const key = (a: Address) => `${entry.network.chainId}:${entry.network.registry}:${a}`;
    const now = Date.now();
    const out = new Map<Address, CachedHistory>();
    const stale: Address[] = [];
    for (const a of addresses) {
      const hit = cache?.get(key(a));
      if (hit && now - hit.checkedAt < maxAgeMs) out.set(a, hit);
      else stale.push(a);
    }
    stats.fresh += out.size;
    if (stale.length === 0) return out;
    const cached = stale.filter((a) => cache?.has(key(a)));
    if (cached.length === stale.length) {
      // Every identity is cached: one eth_call confirms nothing changed.
      const snap = await confirmStates(entry, cached);
      const changed: Address[] = [];
      for (const a of cached) {
        const hit = cache!.get(key(a))!;
        const state = snap.states.get(a)!;
        if (!sameState(hit.state, state)) {
          changed.push(a);
          continue;
        }
        const fresh = { ...hit, checkedAt: now, blockNumber: snap.blockNumber, timestamp: snap.timestamp };
        cache!.set(key(a), fresh);
        out.set(a, fresh);
        stats.confirmed++;
      }
      if (changed.length === 0) return out;
      stale.splice(0, stale.length, ...changed);
    }
    const { snapshot } = await read(entry, stale);
    stats.missed += stale.length;
    for (const a of stale) {
      const history: CachedHistory = {
        state: snapshot.states.get(a)!,
        events: snapshot.events.get(a) ?? [],
        checkedAt: now,
        blockNumber: snapshot.blockNumber,
        timestamp: snapshot.timestamp,
      };
      cache?.set(key(a), history);
      out.set(a, history);
    }
    return out;
  }

  async function confirmStates(entry: NetworkEntry, addresses: Address[]) {
    const [chainId, blockNumber, timestamp, states] = await guard(entry, callStates(entry.client, entry.network.registry, addresses));
    checkChain(entry, Number(chainId));
    return {
      blockNumber,
      timestamp,
      states: new Map(addresses.map((a, i) => [a, { ...states[i], epoch: BigInt(states[i].epoch) } as IdentityState])),
    };
  }

  function result(
    entry: NetworkEntry,
    address: Address,
    events: readonly RegistryEvent[],
    at: DocumentPoint,
    head: { blockNumber: bigint; state?: IdentityState },
    historical: boolean,
    accept: string,
    blockTime: (block: bigint) => bigint | undefined,
  ): DIDResolutionResult {
    const did = canonicalDid(entry, address);
    const built = buildDocument({ did, address, chainId: entry.network.chainId, events, at });
    // Storage is authoritative for the current state (it also covers a walk that misses
    // commitments, which are not on the previousChange chain).
    const state = historical ? undefined : head.state;
    const metadata: DIDDocumentMetadata & Record<string, unknown> = {};
    if (built.deactivated) metadata.deactivated = true;
    if (built.versionId > 0n) {
      metadata.versionId = built.versionId.toString();
      const t = blockTime(built.versionId);
      if (t !== undefined) metadata.updated = iso(t);
    }
    if (historical && built.nextVersionId !== undefined) {
      metadata.nextVersionId = built.nextVersionId.toString();
      const t = blockTime(built.nextVersionId);
      if (t !== undefined) metadata.nextUpdate = iso(t);
    }
    const commitment = state ? state.nextOwnerCommitment : (built.nextOwnerCommitment ?? zeroHash);
    metadata.sigil = {
      chainId: entry.network.chainId,
      registry: entry.network.registry.toLowerCase(),
      owner: (state ? state.owner : built.owner).toLowerCase(),
      epoch: (state ? state.epoch : built.epoch).toString(),
      nextOwnerCommitment: commitment === zeroHash ? null : commitment,
      preRotation: commitment !== zeroHash,
      deactivatedFinal: built.deactivated,
      resolvedAtBlock: (historical ? at.blockNumber : head.blockNumber).toString(),
      ...recoveryMetadata(foldRecovery(events.filter((e) => e.blockNumber <= at.blockNumber)), at.timestamp),
    };
    const didDocument = { ...built.didDocument };
    // application/did (DID 1.1) keeps @context, as did+ld+json; only plain did+json drops it.
    if (accept === "application/did+json") delete didDocument["@context"];
    return {
      didResolutionMetadata: { contentType: accept },
      didDocument,
      didDocumentMetadata: metadata,
    };
  }

  const blockTimeOf = (events: readonly RegistryEvent[], headers?: Map<bigint, { timestamp: bigint }>) => (block: bigint) =>
    events.find((e) => e.blockNumber === block)?.blockTimestamp ?? headers?.get(block)?.timestamp;

  /** The current document from a (possibly cached) history, as of the block it was confirmed at. */
  const currentResult = (entry: NetworkEntry, address: Address, h: CachedHistory, accept: string) =>
    result(
      entry,
      address,
      h.events,
      { blockNumber: h.blockNumber, timestamp: h.timestamp },
      { blockNumber: h.blockNumber, state: h.state },
      false,
      accept,
      blockTimeOf(h.events),
    );

  async function resolveOne(did: string, options: DIDResolutionOptions): Promise<DIDResolutionResult> {
    const accept = options.accept ?? "application/did+ld+json";
    if (!CONTENT_TYPES.includes(accept)) throw new RepresentationNotSupportedError({ accept, supported: CONTENT_TYPES });
    const parsed = parseDid(did);
    const entry = findNetwork(parsed);
    const query = readQuery(parsed, options);
    const address = parsed.address;

    if (query.versionId === undefined && query.versionTime === undefined) {
      return currentResult(entry, address, (await currentHistories(entry, [address])).get(address)!, accept);
    }

    const blocks = query.versionId !== undefined ? [query.versionId] : [];
    const { snapshot, headers } = await read(entry, [address], blocks);
    const events = snapshot.events.get(address) ?? [];
    await fillTimestamps(entry, events, headers);
    let at: DocumentPoint;
    if (query.versionId !== undefined) {
      const header = headers.get(query.versionId);
      if (!header || query.versionId > snapshot.blockNumber) {
        throw new InvalidResolutionOptionError({
          option: "versionId",
          value: query.versionId.toString(),
          expected: `a block number no later than the chain head (${snapshot.blockNumber})`,
        });
      }
      at = { blockNumber: query.versionId, timestamp: header.timestamp };
    } else {
      const t = query.versionTime as bigint;
      let blockNumber = snapshot.blockNumber;
      if (t < snapshot.timestamp) {
        const after = events.find((e) => (e.blockTimestamp ?? 0n) > t);
        blockNumber = after ? after.blockNumber - 1n : snapshot.blockNumber;
      }
      at = { blockNumber, timestamp: t };
    }
    return result(entry, address, events, at, { blockNumber: snapshot.blockNumber }, true, accept, blockTimeOf(events, headers));
  }

  /** Nodes that omit `blockTimestamp` from logs: fetch the few headers needed, in one batch. */
  async function fillTimestamps(entry: NetworkEntry, events: RegistryEvent[], headers: Map<bigint, { timestamp: bigint }>) {
    const missing = [...new Set(events.filter((e) => e.blockTimestamp === undefined).map((e) => e.blockNumber))];
    if (missing.length === 0) return;
    const blocks = await Promise.all(missing.map((b) => entry.client.getBlock({ blockNumber: b })));
    const times = new Map(blocks.map((b) => [b.number, b.timestamp]));
    for (const e of events) if (e.blockTimestamp === undefined) e.blockTimestamp = times.get(e.blockNumber);
    for (const [n, t] of times) if (n !== null) headers.set(n, { timestamp: t });
  }

  async function resolve(did: string, options: DIDResolutionOptions = {}) {
    try {
      return await resolveOne(did, options);
    } catch (error) {
      return errorResult(error);
    }
  }

  async function resolveMany(dids: readonly string[], options: DIDResolutionOptions = {}) {
    const accept = options.accept ?? "application/did+ld+json";
    const results: DIDResolutionResult[] = new Array(dids.length);
    const groups = new Map<NetworkEntry, { index: number; address: Address }[]>();
    dids.forEach((did, index) => {
      try {
        if (!CONTENT_TYPES.includes(accept)) throw new RepresentationNotSupportedError({ accept, supported: CONTENT_TYPES });
        const parsed = parseDid(did);
        const query = readQuery(parsed, {});
        if (query.versionId !== undefined || query.versionTime !== undefined) {
          throw new InvalidResolutionOptionError({
            option: query.versionId !== undefined ? "versionId" : "versionTime",
            value: parsed.query ?? "",
            expected: "no version in resolveMany, which reads current documents; resolve past versions one by one",
          });
        }
        const entry = findNetwork(parsed);
        const list = groups.get(entry) ?? [];
        list.push({ index, address: parsed.address });
        groups.set(entry, list);
      } catch (error) {
        results[index] = errorResult(error);
      }
    });
    await Promise.all(
      [...groups].map(async ([entry, items]) => {
        try {
          const histories = await currentHistories(entry, [...new Set(items.map((i) => i.address))]);
          for (const { index, address } of items) {
            results[index] = currentResult(entry, address, histories.get(address)!, accept);
          }
        } catch (error) {
          for (const { index } of items) results[index] = errorResult(error);
        }
      }),
    );
    return results;
  }

  const plugin = () => ({
    sigil: (did: string, parsed: ParsedDID, _r: unknown, options: DIDResolutionOptions) =>
      resolve(parsed.didUrl ?? did, options),
  });
  async function health(): Promise<NetworkHealth[]> {
    return Promise.all(
      entries.map(async (entry) => {
        const { network } = entry;
        const base = { network: network.name ?? chainIdHex(network.chainId), chainId: network.chainId };
        try {
          const { blockNumber, timestamp } = await confirmStates(entry, []);
          const headAgeSeconds = Math.max(0, Math.round(Date.now() / 1000 - Number(timestamp)));
          return { ...base, ok: true, blockNumber: blockNumber.toString(), headAgeSeconds };
        } catch (error) {
          const e = error instanceof SigilError ? error : new InternalError({ cause: error });
          return { ...base, ok: false, error: e.message };
        }
      }),
    );
  }

  return { resolve, resolveMany, plugin, health, cacheStats: () => ({ ...stats }) };
}

/** The DIF did-resolver plugin: `new Resolver(getResolver(config))`. */
export function getResolver(config: SigilResolverConfig): Record<string, DIDResolver> {
  return createSigilResolver(config).plugin();
}

export type { IdentitySnapshot };

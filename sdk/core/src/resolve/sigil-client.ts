// Makes the state a Sigil resolver holds (types.ts: its networks, each with a viem client, the
// default network, and the history cache with its counters) and finds a DID's network in it.
// Every resolver action (resolve.ts, history-cache.ts, health.ts) takes the client explicitly,
// as viem's actions take a client: no hidden global state.
import type { Address } from "viem";
import type { ParsedSigilDid } from "../did/did.ts";
import { UnknownNetworkError } from "../errors.ts";
import { chainIdHex, networkEndpoints, networkReadClient, type SigilNetwork } from "../read/networks.ts";
import { LruMap } from "../read/lru.ts";
import { checkCrowdOptions } from "./crowd-options.ts";
import type { CachedHistory, NetworkEntry, SigilClient, SigilResolverConfig } from "./types.ts";

export function createSigilClient(config: SigilResolverConfig): SigilClient {
  const entries = config.networks.map((network): NetworkEntry => {
    const endpoints = network.transport || network.provider ? [] : networkEndpoints(network);
    const entry: NetworkEntry = { network, client: networkReadClient(network, endpoints), endpoints };
    if (network.crowd) checkCrowdOptions(network.crowd); // a bad crowd setting is refused here, not at the first lookup
    return entry;
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

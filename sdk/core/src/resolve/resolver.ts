// The did:sigil resolver: a DIF did-resolver plugin (`getResolver`) and `createSigilResolver`,
// which binds the resolver's actions (resolve.ts, health.ts) to one client (sigil-client.ts).
// A resolution never throws and never hangs: every failure becomes a DID Resolution error
// result, every request has a timeout, and endpoints fail over in order.
import type { DIDResolutionOptions, DIDResolutionResult, DIDResolver, ParsedDID } from "did-resolver";
import { agree, comparedHosts, comparingClients } from "../read/compare.ts";
import { networkHealth, type NetworkHealth } from "./health.ts";
import type { SigilResolutionOptions } from "../document/resolution-options.ts";
import { resolveDid, resolveDids } from "./resolve.ts";
import { createSigilClient } from "./sigil-client.ts";
import type { CacheStats, SigilResolverConfig } from "./types.ts";

export type { CacheStats, NetworkHealth, SigilResolutionOptions, SigilResolverConfig };
export type SigilResolutionResult = DIDResolutionResult;

export interface SigilResolver {
  /** Resolves one DID (or DID URL with versionId/versionTime); never throws. Options: see SigilResolutionOptions. */
  resolve(did: string, options?: SigilResolutionOptions | DIDResolutionOptions): Promise<DIDResolutionResult>;
  /** Resolves many current documents in one batch per network; results in input order. */
  resolveMany(dids: readonly string[], options?: DIDResolutionOptions): Promise<DIDResolutionResult[]>;
  /** The did-resolver plugin map: `new Resolver(resolver.plugin())`. */
  plugin(): Record<string, DIDResolver>;
  /** One eth_call per network: reachable, on the right chain, registry present. Never throws. */
  health(): Promise<NetworkHealth[]>;
  cacheStats(): CacheStats;
}

export function createSigilResolver(config: SigilResolverConfig): SigilResolver {
  const client = createSigilClient(config);
  const comparing = comparingClients(config);
  const resolve = comparing
    ? (did: string, options?: DIDResolutionOptions) => resolveCompared(comparing, did, options)
    : (did: string, options?: DIDResolutionOptions) => resolveDid(client, did, options);
  return {
    resolve,
    resolveMany: (dids, options) => (comparing ? resolveManyCompared(comparing, dids, options) : resolveDids(client, dids, options)),
    plugin: () => ({
      sigil: (did: string, parsed: ParsedDID, _r: unknown, options: DIDResolutionOptions) => resolve(parsed.didUrl ?? did, options),
    }),
    health: () => networkHealth(client),
    cacheStats: () => ({ ...(comparing?.clients[0] ?? client).stats }),
  };
}

type Comparing = NonNullable<ReturnType<typeof comparingClients>>;

/** One DID: from every compared endpoint when its network compares (they must agree), else as usual. */
async function resolveCompared({ clients, hosts }: Comparing, did: string, options?: DIDResolutionOptions): Promise<DIDResolutionResult> {
  const compared = comparedHosts(clients[0], hosts, did);
  if (!compared) return resolveDid(clients[0], did, options);
  const results = await Promise.all(clients.slice(0, compared.length).map((c) => resolveDid(c, did, options)));
  return agree(did, compared, results);
}

/** Many DIDs: each compared endpoint answers the batch; compared DIDs must agree item by item. */
async function resolveManyCompared(
  { clients, hosts }: Comparing,
  dids: readonly string[],
  options?: DIDResolutionOptions,
): Promise<DIDResolutionResult[]> {
  const compared = dids.map((did) => comparedHosts(clients[0], hosts, did));
  // Client 0 answers every DID; client i only those compared across more than i endpoints.
  const asked = clients.map((_, i) => dids.flatMap((_, j) => (i === 0 || (compared[j]?.length ?? 0) > i ? [j] : [])));
  const answers = await Promise.all(
    clients.map((c, i) =>
      resolveDids(
        c,
        asked[i].map((j) => dids[j]),
        options,
      ),
    ),
  );
  const position = asked.map((list) => new Map(list.map((j, k) => [j, k])));
  const answerOf = (i: number, j: number) => answers[i][position[i].get(j)!];
  return dids.map((did, j) => {
    const hostsOf = compared[j];
    return hostsOf
      ? agree(
          did,
          hostsOf,
          hostsOf.map((_, i) => answerOf(i, j)),
        )
      : answerOf(0, j);
  });
}

/** The DIF did-resolver plugin: `new Resolver(getResolver(config))`. */
export function getResolver(config: SigilResolverConfig): Record<string, DIDResolver> {
  return createSigilResolver(config).plugin();
}

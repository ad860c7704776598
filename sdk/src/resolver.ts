// The did:sigil resolver: a DIF did-resolver plugin (`getResolver`) and `createSigilResolver`,
// which binds the resolver's actions (resolve.ts, health.ts) to one client (sigil-client.ts).
// A resolution never throws and never hangs: every failure becomes a DID Resolution error
// result, every request has a timeout, and endpoints fail over in order.
import type { DIDResolutionOptions, DIDResolutionResult, DIDResolver, ParsedDID } from "did-resolver";
import { networkHealth, type NetworkHealth } from "./health.ts";
import { resolveManyWithOptions, resolveWithOptions, type SigilResolutionOptions } from "./resolution-options.ts";
import { createSigilClient, type CacheStats, type SigilResolverConfig } from "./sigil-client.ts";

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
  // Options are checked and applied around resolve.ts (resolution-options.ts).
  const resolve = (did: string, options?: DIDResolutionOptions) => resolveWithOptions(client, did, options);
  return {
    resolve,
    resolveMany: (dids, options) => resolveManyWithOptions(client, dids, options),
    plugin: () => ({
      sigil: (did: string, parsed: ParsedDID, _r: unknown, options: DIDResolutionOptions) => resolve(parsed.didUrl ?? did, options),
    }),
    health: () => networkHealth(client),
    cacheStats: () => ({ ...client.stats }),
  };
}

/** The DIF did-resolver plugin: `new Resolver(getResolver(config))`. */
export function getResolver(config: SigilResolverConfig): Record<string, DIDResolver> {
  return createSigilResolver(config).plugin();
}

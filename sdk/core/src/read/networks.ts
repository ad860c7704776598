// Network configuration for the resolver and clients: which chains, which registry, which
// RPC endpoints (in failover order), with timeouts on every request and JSON-RPC batching so
// that requests issued together travel in one HTTP round trip.
import {
  createClient,
  createPublicClient,
  custom,
  type Address,
  type Client,
  type EIP1193Provider,
  type PublicClient,
  type Transport,
} from "viem";
import { SigilError } from "../errors.ts";
import { createEndpoint, type Endpoint } from "./endpoint.ts";
import { failover } from "./failover.ts";
import { adaptiveHttp } from "./http-batch.ts";
import type { HeaderPolicy } from "./trust.ts";

/** Where each target's decoys are kept. Persist it (with the seed) across restarts: a new draw
 * after a restart would let an observer intersect the old and the new crowd. */
export interface DecoyStore {
  get(key: string): readonly Address[] | undefined | Promise<readonly Address[] | undefined>;
  set(key: string, decoys: readonly Address[]): void | Promise<void>;
}

export interface CrowdOptions {
  /** Decoys per target. Default 32. */
  k?: number;
  /** The app's secret for the draw (32 bytes). Default: random per resolver, which with the
   * default in-memory store keeps crowds stable for the resolver's life only. */
  seed?: Uint8Array;
  /** Where the decoys are kept. Default: in memory. */
  store?: DecoyStore;
  /** How far back (blocks) to look for identities to draw from. Default 200,000. */
  poolBlocks?: bigint;
}

export interface SigilNetwork {
  /** EIP-155 chain id. */
  chainId: number;
  /** Name usable in DIDs (`did:sigil:<name>:0x...`); lower-case letters, digits, hyphens. */
  name?: string;
  /** Address of the SigilRegistry on this chain. */
  registry: Address;
  /** JSON-RPC endpoints, tried in order when one fails. */
  rpcUrls?: readonly string[];
  /** Ask this many of the rpcUrls (the first ones, each alone) for every resolution and refuse
   * when they disagree, saying which endpoint said what (EndpointDisagreementError). Default 1:
   * one endpoint answers, the others are failover. With 2 or more, a failing endpoint fails the
   * resolution (no fallback to a single answer), and each costs its own requests. */
  compare?: number;
  /** Verified resolution: every current document is checked against a block header this policy
   * trusts (EIP-1186 proofs of the registry's storage, and the logs against its event chain), or
   * refused naming what did not check. `{ k }`: k of the rpcUrls must serve the same header
   * (depth blocks behind the k-th highest head, default 2; or at a tag). Or a policy: a quorum of
   * other endpoints, a pinned checkpoint, or a light client's headers (sdk/core/README.md).
   * Costs a proof per DID and the trust's requests; results are never served from the cache. */
  verify?: (HeaderPolicy | { k: number; depth?: number; tag?: "finalized" | "safe" }) & {
    /** How long a trusted header is reused for later resolutions, ms. Default 2000 (about a block
     * on fast chains; the header is already `depth` blocks back); 0 asks the trust every time. */
    maxHeaderAgeMs?: number;
  };
  /** First contact in a crowd: every read names each DID among `k` decoys (default 32), identities
   * drawn from the registry's recent logs by a secret seed and kept per DID, so the endpoint
   * learns one of k + 1, not which (docs/private-lookups.md). A lookup that cannot be hidden
   * (too few identities) fails rather than go out alone. Costs the decoys' reads. */
  crowd?: CrowdOptions;
  /** Or an EIP-1193 provider (a wallet, Hardhat's in-process network). */
  provider?: EIP1193Provider;
  /** Or any viem transport. */
  transport?: Transport;
  /** First block worth scanning for logs (the registry's deployment block). Default 0. */
  fromBlock?: bigint;
  /** Per-request timeout for HTTP endpoints, ms. Default 5000. */
  timeoutMs?: number;
  /** Largest block span one eth_getLogs may cover on these endpoints, when known in advance.
   * Unset, it is learned from the first refusal (and shown by health()). */
  maxLogBlockRange?: bigint;
  /** Most calls per JSON-RPC batch, when known in advance. Default 1,000, lowered when an
   * endpoint refuses a batch. */
  maxBatchSize?: number;
  /** How often to poll for receipts and new blocks, ms. Default 500. */
  pollingIntervalMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 5_000;

/** The endpoints of a network's rpcUrls, each with what is learned of it (health() shows them). */
export function networkEndpoints(network: SigilNetwork): Endpoint[] {
  return (network.rpcUrls ?? []).map((url) =>
    createEndpoint(url, { maxBatch: network.maxBatchSize, maxLogRange: network.maxLogBlockRange }),
  );
}

/** The transport for a network: adaptive batching HTTP endpoints behind an ordered failover. */
export function networkTransport(network: SigilNetwork, endpoints: readonly Endpoint[] = networkEndpoints(network)): Transport {
  if (network.transport) return network.transport;
  if (network.provider) return custom(network.provider, { retryCount: 0 });
  if (endpoints.length === 0) {
    throw new SigilError("invalidInput", `network ${network.name ?? network.chainId} has no rpcUrls, provider or transport`);
  }
  const timeoutMs = network.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const transports = endpoints.map((endpoint) => adaptiveHttp(endpoint, { timeoutMs }));
  if (transports.length === 1) return transports[0]; // its chain is checked on every answer (identityStates returns it)
  // Failover must also leave an endpoint that serves another chain, not only one that is down.
  return failover(transports.map((t, i) => onChain(t, network.chainId, endpoints[i].url)));
}

/** An endpoint on the wrong chain, found before anything it answers is used. */
export class WrongChainError extends Error {
  override name = "WrongChainError";
}

/**
 * Wraps a transport so that its first use asks the endpoint's chain id (one request, once) and,
 * when it is not `chainId`, every request fails: the failover then moves on to the next
 * endpoint. A failed check (endpoint down) is retried on the next use.
 */
function onChain(transport: Transport, chainId: number, url: string): Transport {
  return ((params: Parameters<Transport>[0]) => {
    const inner = transport(params);
    let checked: Promise<void> | undefined;
    const check = () =>
      (checked ??= (inner.request({ method: "eth_chainId" }) as Promise<string>).then(
        (id) => {
          if (Number(id) !== chainId) throw new WrongChainError(`${new URL(url).host} serves chain ${Number(id)}, not ${chainId}`);
        },
        (error: unknown) => {
          checked = undefined;
          throw error;
        },
      ));
    return {
      ...inner,
      request: (async (args: never) => {
        await check();
        return inner.request(args);
      }) as typeof inner.request,
    };
  }) as Transport;
}

/** A bare client for reads (no public actions bundled): what the resolver needs. */
export function networkReadClient(network: SigilNetwork, endpoints?: readonly Endpoint[]): Client {
  return createClient({ transport: networkTransport(network, endpoints), pollingInterval: network.pollingIntervalMs ?? 500 });
}

/** A client with viem's public actions (simulation, receipts): what writes need. */
export function networkClient(network: SigilNetwork): PublicClient {
  return createPublicClient({ transport: networkTransport(network), pollingInterval: network.pollingIntervalMs ?? 500 }) as PublicClient;
}

/** `0x7a69` for 31337: the method's hex form of a chain id. */
export function chainIdHex(chainId: number): string {
  return `0x${chainId.toString(16)}`;
}

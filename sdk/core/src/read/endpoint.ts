// What the SDK has learned about one JSON-RPC endpoint: the limits it enforces (batch size,
// eth_getLogs block range and result count), whether its logs carry block timestamps, and
// counters of what was sent. Learned once from the endpoint's own refusals, kept for the life
// of the resolver, and shown by health(). Nothing here does I/O.

export interface EndpointCaps {
  /** Most calls sent in one JSON-RPC batch (lowered when the endpoint refuses a batch). */
  maxBatch: number;
  /** Most blocks one eth_getLogs may span, once the endpoint refused a wider one (or as configured). */
  maxLogRange?: bigint;
  /** Most logs one eth_getLogs may return, once the endpoint said so. */
  maxLogResults?: number;
  /** Whether its logs carry `blockTimestamp` (undefined until a log was seen). */
  logTimestamps?: boolean;
}

export interface EndpointStats {
  httpRequests: number;
  calls: number;
  bytesReceived: number;
  /** Batches the endpoint refused as too large (then split). */
  refusedBatches: number;
  /** eth_getLogs calls refused for their range or result count (then split). */
  refusedLogQueries: number;
  /** eth_getLogs HTTP requests that timed out (then retried over smaller ranges). */
  slowLogQueries: number;
}

export interface Endpoint {
  readonly url: string;
  /** Host only: URLs often carry API keys. */
  readonly host: string;
  readonly caps: EndpointCaps;
  readonly stats: EndpointStats;
}

/** The batch size the SDK starts from: what the most generous public providers accept. */
export const DEFAULT_MAX_BATCH = 1_000;

export function createEndpoint(url: string, preset: { maxBatch?: number; maxLogRange?: bigint } = {}): Endpoint {
  let host: string;
  try {
    host = new URL(url).host || "(no host)";
  } catch {
    host = "(invalid URL)";
  }
  return {
    url,
    host,
    caps: { maxBatch: preset.maxBatch ?? DEFAULT_MAX_BATCH, maxLogRange: preset.maxLogRange },
    stats: { httpRequests: 0, calls: 0, bytesReceived: 0, refusedBatches: 0, refusedLogQueries: 0, slowLogQueries: 0 },
  };
}

/** What health() shows of an endpoint: JSON-safe (block counts as numbers). */
export interface EndpointHealth {
  host: string;
  maxBatch: number;
  maxLogRange?: number;
  maxLogResults?: number;
  logTimestamps?: boolean;
  stats: EndpointStats;
}

export function endpointHealth(endpoint: Endpoint): EndpointHealth {
  const { caps } = endpoint;
  return {
    host: endpoint.host,
    maxBatch: caps.maxBatch,
    ...(caps.maxLogRange !== undefined && { maxLogRange: Number(caps.maxLogRange) }),
    ...(caps.maxLogResults !== undefined && { maxLogResults: caps.maxLogResults }),
    ...(caps.logTimestamps !== undefined && { logTimestamps: caps.logTimestamps }),
    stats: { ...endpoint.stats },
  };
}

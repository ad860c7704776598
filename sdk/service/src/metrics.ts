// Prometheus metrics of one resolver service, in a registry of its own (no process-global
// state, so two services in one process, as in tests, never mix counts). Labels never carry a
// DID: a metrics endpoint must not become a record of who looked up whom.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { SigilResolver } from "sigil-did";

export interface ServiceMetrics {
  registry: Registry;
  requests: Counter<"route" | "status">;
  duration: Histogram<"route">;
  /** Outcome of each DID resolved: "ok", "deactivated", or the DID Resolution error code. */
  resolutions: Counter<"outcome">;
}

export function createMetrics(resolver: SigilResolver): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "sigil_" });
  const requests = new Counter({
    name: "sigil_http_requests_total",
    help: "HTTP requests answered, by route and status code",
    labelNames: ["route", "status"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "sigil_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by route",
    labelNames: ["route"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const resolutions = new Counter({
    name: "sigil_resolutions_total",
    help: "DIDs resolved (a batch counts each), by outcome",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  new Gauge({
    name: "sigil_cache_lookups",
    help: "Current-document lookups since start, by how the cache served them: fresh (no request), confirmed (one eth_call), missed (full read)",
    labelNames: ["outcome"] as const,
    registers: [registry],
    collect() {
      const s = resolver.cacheStats();
      this.set({ outcome: "fresh" }, s.fresh);
      this.set({ outcome: "confirmed" }, s.confirmed);
      this.set({ outcome: "missed" }, s.missed);
    },
  });
  new Gauge({
    name: "sigil_cache_hit_ratio",
    help: "Share of current-document lookups served from the cache (fresh or confirmed) since start",
    registers: [registry],
    collect() {
      const s = resolver.cacheStats();
      const total = s.fresh + s.confirmed + s.missed;
      this.set(total === 0 ? 0 : (s.fresh + s.confirmed) / total);
    },
  });
  return { registry, requests, duration, resolutions };
}

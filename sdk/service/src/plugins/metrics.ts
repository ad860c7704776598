// The service's Prometheus metrics, made once per service and shared as the instance decorator
// "serviceMetrics" (read with metricsOf): every answer is counted here, by route and status; the
// routes count resolutions by outcome. Labels never carry a DID.
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { SigilResolver } from "sigil-did";
import { createMetrics, type ServiceMetrics } from "../metrics.ts";

const DECORATOR = "serviceMetrics";

/** The metrics of the service `app` belongs to. */
export const metricsOf = (app: FastifyInstance) => app.getDecorator<ServiceMetrics>(DECORATOR);

export const metrics = fp<{ resolver: SigilResolver }>(
  async (app, { resolver }) => {
    const metrics = createMetrics(resolver);
    app.decorate(DECORATOR, metrics);
    app.addHook("onResponse", async (request, reply) => {
      const route = request.routeOptions.url ?? "unmatched";
      metrics.requests.inc({ route, status: String(reply.statusCode) });
      metrics.duration.observe({ route }, reply.elapsedTime / 1000);
    });
  },
  { name: "sigil-metrics" },
);

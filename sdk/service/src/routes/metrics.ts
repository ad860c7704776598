// GET /metrics: the service's Prometheus metrics (plugins/metrics.ts), as text.
import type { FastifyPluginAsync } from "fastify";
import { metricsOf } from "../plugins/metrics.ts";

export const metricsRoute: FastifyPluginAsync = async (app) => {
  app.get("/metrics", async (_request, reply) => {
    const { registry } = metricsOf(app);
    const text = await registry.metrics();
    return reply.header("content-type", registry.contentType).send(text);
  });
};

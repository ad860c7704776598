// The resolver service: the DIF Universal Resolver driver API and the W3C DID Resolution HTTPS
// binding over a SigilResolver, on fastify. Stateless but for the resolver's cache, so any
// number of copies can run behind a load balancer.
//   GET  /1.0/identifiers/{did-or-did-url}   resolve a DID, or dereference a DID URL (#fragment,
//                                            ?service=/serviceType=/relativeRef=); options in the query
//   POST /1.0/identifiers/{did-or-did-url}   the same, options in a JSON body (DID Resolution §12.1)
//   POST /1.0/identifiers                    {"dids": [...]}: many current documents in one batched read
//   GET  /contexts/sigil/v1                  Sigil's JSON-LD context (https://w3id.org/sigil/v1)
//   POST /1.0/stream/{network}               the registry's event stream (restricted JSON-RPC that never receives a DID)
//   GET  /healthz                            200 when every network's registry can be read, else 503
//   GET  /metrics                            Prometheus text
// CORS lets web apps on other origins call it. Every answer that is not a resolution result is
// RFC 9457 problem details (application/problem+json): unknown routes, wrong methods (405 with
// Allow), malformed, too large or wrongly typed bodies, overlong headers (431), shutdown (503).
// Logs (pino) and metrics never carry the DIDs looked up nor the client's address: a resolver's
// logs must not become a record of who checks whom.
//
// Each job is a fastify plugin (plugins/ for what applies to every route, routes/ for the
// routes); this file only composes them. Their order matters: the cross-cutting plugins come
// first, so that the routes' scopes inherit their hooks, decorators and error handler.
import Fastify, { LogController, type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { type SigilResolver, type SigilResolverConfig } from "sigil-did";
import { MAX_DID_URL_LENGTH } from "sigil-did/internal";
import { refuseBeforeRouting } from "./client-errors.ts";
import { accessLog } from "./plugins/access-log.ts";
import { corsOrigins, corsPlugin, type CorsOrigins } from "./plugins/cors.ts";
import { errors, frameworkErrors } from "./plugins/errors.ts";
import { allowedMethods, unrouted } from "./plugins/methods.ts";
import { metrics } from "./plugins/metrics.ts";
import { shutdown } from "./plugins/shutdown.ts";
import { batchRoute } from "./routes/batch.ts";
import { contextRoute } from "./routes/context.ts";
import { proofsRoute } from "./routes/proofs.ts";
import { streamRoute, type StreamRouteOptions } from "./routes/stream.ts";
import { healthRoute } from "./routes/health.ts";
import { identifierRoutes } from "./routes/identifiers.ts";
import { metricsRoute } from "./routes/metrics.ts";

export type { CorsOrigins };
export { logReason } from "./plugins/access-log.ts";
export { problemBody } from "./problem.ts";
export { DEREFERENCING_TYPE, dereferencingErrorBody, errorBody } from "./results.ts";
export { SIGIL_CONTEXT_PATH } from "./routes/context.ts";
export { PROOFS_PATH } from "./routes/proofs.ts";
export { STREAM_PATH } from "./routes/stream.ts";

export interface ResolverServiceOptions {
  resolver: SigilResolver;
  /** A pino logger; default: none. */
  logger?: Logger;
  /** Most DIDs one batch request may name. Default 1000. */
  maxBatch?: number;
  /**
   * Which web origins may call the service from a browser (CORS). `"*"` (the default) or `true`:
   * any origin; an origin (`"https://console.example"`) or a list of origins: only those (the
   * answer names the caller's origin and varies on `Origin`); `false`: no CORS headers at all.
   * Never with credentials: the service has no cookies or authentication to share.
   */
  cors?: CorsOrigins;
  /** The resolver's networks: also serve GET /1.0/proofs/{did}, proven documents with their material. */
  proofs?: SigilResolverConfig;
  /** Also serve POST /1.0/stream/{network}: the registry's events for private watchers, a
   * restricted JSON-RPC endpoint that refuses every call that could name a DID. */
  stream?: StreamRouteOptions;
}

/** Node's limit on a request's line plus headers (its default is 16 KiB). Room for long DID URLs. */
export const MAX_HEADER_BYTES = 96 * 1024;
/** Largest request body (1,000 DIDs of the usual length take about 70 kB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The fastify instance, configured: limits, logging, and the answers given before any plugin runs. */
function createFastify(options: ResolverServiceOptions, origins: ReturnType<typeof corsOrigins>): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    clientErrorHandler: refuseBeforeRouting(origins === "*", MAX_HEADER_BYTES),
    routerOptions: { maxParamLength: MAX_DID_URL_LENGTH * 3 },
    bodyLimit: MAX_BODY_BYTES,
    // No type coercion, no silent removal of members, should a route ever declare a schema.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false } },
    // Answered by plugins/shutdown.ts in our own shape, while closing connections.
    return503OnClosing: false,
    frameworkErrors,
  }) as unknown as FastifyInstance;
  // Bodies are JSON only (fastify would also take text/plain, then read it as something else).
  app.removeContentTypeParser("text/plain");
  return app;
}

export function createResolverService(options: ResolverServiceOptions): FastifyInstance {
  const { resolver } = options;
  const maxBatch = options.maxBatch ?? 1000;
  // Checked now, so that a mistyped origin throws before anything listens.
  const origins = corsOrigins(options.cors);
  const app = createFastify(options, origins);
  app.register(metrics, { resolver });
  app.register(accessLog);
  app.register(errors, { maxBatch, maxBody: MAX_BODY_BYTES });
  // onRequest hooks, in this order: OPTIONS learns what its path allows, CORS answers
  // preflights (and adds its headers to everything after), then shutdown's 503, then 404 / 405.
  app.register(allowedMethods);
  app.register(corsPlugin, { origins });
  app.register(shutdown);
  app.register(unrouted);
  app.register(identifierRoutes, { resolver });
  app.register(batchRoute, { resolver, maxBatch });
  app.register(contextRoute);
  app.register(healthRoute, { resolver });
  if (options.proofs) app.register(proofsRoute, { config: options.proofs });
  if (options.stream) app.register(streamRoute, options.stream);
  app.register(metricsRoute);
  return app;
}

// The resolver service: the DIF Universal Resolver driver API and the W3C DID Resolution HTTPS
// binding over a SigilResolver, on fastify. Stateless but for the resolver's cache, so any
// number of copies can run behind a load balancer.
//   GET  /1.0/identifiers/{did-or-did-url}   resolve (versionId, versionTime) or dereference #fragment
//   POST /1.0/identifiers                    {"dids": [...]}: many current documents in one batched read
//   GET  /healthz                            200 when every network's registry can be read, else 503
//   GET  /metrics                            Prometheus text
// Logs (pino) and metrics never carry the DIDs looked up nor the client's address: a resolver's
// logs must not become a record of who checks whom.
import Fastify, { LogController, type FastifyInstance, type FastifyReply } from "fastify";
import type { DIDResolutionResult } from "did-resolver";
import type { Logger } from "pino";
import { echo, InvalidDidError, MAX_DID_URL_LENGTH, parseDid, SigilError, type SigilResolver } from "sigil-did";
import { createMetrics } from "./metrics.ts";
import { negotiate, RESULT_TYPE, SUPPORTED_TYPES, type Representation } from "./negotiate.ts";

export interface ResolverServiceOptions {
  resolver: SigilResolver;
  /** A pino logger; default: none. */
  logger?: Logger;
  /** Most DIDs one batch request may name. Default 1000. */
  maxBatch?: number;
}

const PREFIX = "/1.0/identifiers/";
const RESOLUTION_CONTEXT = "https://w3id.org/did-resolution/v1";
const OPTIONS = ["versionId", "versionTime"] as const;

/** DID Resolution error codes: HTTP status, the error type URI, a title. */
const ERRORS: Record<string, { status: number; type: string; title: string }> = {
  invalidDid: { status: 400, type: "INVALID_DID", title: "Invalid DID" },
  invalidDidUrl: { status: 400, type: "INVALID_DID_URL", title: "Invalid DID URL" },
  invalidOptions: { status: 400, type: "INVALID_OPTIONS", title: "Invalid resolution options" },
  notFound: { status: 404, type: "NOT_FOUND", title: "Not found" },
  representationNotSupported: { status: 406, type: "REPRESENTATION_NOT_SUPPORTED", title: "Representation not supported" },
  methodNotSupported: { status: 501, type: "METHOD_NOT_SUPPORTED", title: "DID method not supported" },
  internalError: { status: 500, type: "INTERNAL_ERROR", title: "Internal error" },
};

/** A failed resolution: the spec's shape, the error as RFC 9457 problem details. */
export function errorBody(code: string, detail: string) {
  const e = ERRORS[code] ?? ERRORS.internalError;
  return {
    status: e.status,
    body: {
      "@context": RESOLUTION_CONTEXT,
      didDocument: null,
      didResolutionMetadata: { error: { type: `https://www.w3.org/ns/did#${e.type}`, title: e.title, detail } },
      didDocumentMetadata: {},
    },
  };
}

/** An SDK result in the spec's HTTP shape (errors as problem details). */
function resultBody(result: DIDResolutionResult) {
  const { error, message } = result.didResolutionMetadata as { error?: string; message?: string };
  if (error) return errorBody(error, message ?? error).body;
  return {
    "@context": RESOLUTION_CONTEXT,
    didDocument: result.didDocument,
    didResolutionMetadata: { ...result.didResolutionMetadata, contentType: "application/did" },
    didDocumentMetadata: result.didDocumentMetadata,
  };
}

class RequestError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Options from the HTTP query: only the ones we know, each once, percent-decoded ("+" stays "+"). */
function readOptions(query: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (query === "") return out;
  for (const pair of query.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const [name, value] = eq < 0 ? [pair, ""] : [pair.slice(0, eq), pair.slice(eq + 1)];
    let decoded: [string, string];
    try {
      decoded = [decodeURIComponent(name), decodeURIComponent(value)];
    } catch {
      throw new RequestError("invalidOptions", `option ${echo(pair, 60)} is not valid percent-encoding`);
    }
    if (!(OPTIONS as readonly string[]).includes(decoded[0])) {
      throw new RequestError("invalidOptions", `unknown option ${echo(decoded[0], 40)}; supported: ${OPTIONS.join(", ")}`);
    }
    if (decoded[0] in out) throw new RequestError("invalidOptions", `option ${decoded[0]} is given more than once`);
    out[decoded[0]] = decoded[1];
  }
  return out;
}

/** The DID URL and options of a GET, taken from the raw URL so nothing is decoded twice. */
function readRequest(rawUrl: string): { identifier: string; options: Record<string, string> } {
  const rest = rawUrl.slice(PREFIX.length);
  const q = rest.indexOf("?");
  const encoded = q < 0 ? rest : rest.slice(0, q);
  if (encoded === "") throw new RequestError("invalidDid", "no DID given: GET /1.0/identifiers/{did}");
  if (encoded.length > MAX_DID_URL_LENGTH * 3) {
    throw new RequestError("invalidDid", `the DID URL is over ${MAX_DID_URL_LENGTH} characters`);
  }
  let identifier: string;
  try {
    identifier = decodeURIComponent(encoded);
  } catch {
    throw new RequestError("invalidDid", `${echo(encoded)} is not valid percent-encoding`);
  }
  return { identifier, options: readOptions(q < 0 ? "" : rest.slice(q + 1)) };
}

/** The verification method or service a fragment names, if the document has it. */
function findFragment(doc: NonNullable<DIDResolutionResult["didDocument"]>, fragment: string): object | undefined {
  const ids = new Set([`${doc.id}#${fragment}`, `#${fragment}`]);
  const pools = [doc.verificationMethod ?? [], doc.service ?? []] as { id: string }[][];
  for (const pool of pools) for (const item of pool) if (ids.has(item.id)) return item;
  return undefined;
}

export function createResolverService(options: ResolverServiceOptions): FastifyInstance {
  const { resolver } = options;
  const maxBatch = options.maxBatch ?? 1000;
  const metrics = createMetrics(resolver);
  const send = (reply: FastifyReply, status: number, contentType: string, body: unknown) =>
    reply.code(status).header("content-type", contentType).header("vary", "Accept").header("cache-control", "no-cache").send(JSON.stringify(body));
  const fail = (reply: FastifyReply, code: string, detail: string) => {
    const { status, body } = errorBody(code, detail);
    metrics.resolutions.inc({ outcome: code });
    reply.header("x-did-resolution-error", code);
    return send(reply, status, RESULT_TYPE, body);
  };
  const problem = (reply: FastifyReply, status: number, title: string, detail: string) =>
    reply.code(status).header("content-type", "application/problem+json").send(JSON.stringify({ type: "about:blank", title, status, detail }));
  const app = Fastify({
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { maxParamLength: MAX_DID_URL_LENGTH * 3 },
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    // The router refuses malformed percent-encoding before any handler runs: answer in our shape.
    frameworkErrors: (_error, request, reply) => {
      const url = request.raw.url ?? "";
      if (url.startsWith(PREFIX)) return fail(reply as FastifyReply, "invalidDid", `${echo(url.slice(PREFIX.length))} is not valid percent-encoding`);
      return problem(reply as FastifyReply, 400, "Bad Request", `${echo(url, 80)} is not a valid URL`);
    },
  }) as unknown as FastifyInstance;

  // While closing, answers end their keep-alive connection, so shutdown need not wait for the
  // clients' idle sockets to time out.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onSend", async (_request, reply) => {
    if (closing) reply.header("connection", "close");
  });

  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    const seconds = reply.elapsedTime / 1000;
    metrics.requests.inc({ route, status: String(reply.statusCode) });
    metrics.duration.observe({ route }, seconds);
    const outcome = reply.getHeader("x-did-resolution-error");
    request.log.info({ method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, outcome }, "answered");
  });

  app.get(`${PREFIX}*`, async (request, reply) => {
    let representation: Representation | undefined;
    let parsed: ReturnType<typeof parseDid>;
    let opts: Record<string, string>;
    try {
      const { identifier, options: httpOptions } = readRequest(request.raw.url ?? "");
      opts = httpOptions;
      representation = negotiate(request.headers.accept);
      if (!representation) {
        return fail(reply, "representationNotSupported", `cannot answer ${echo(request.headers.accept ?? "", 80)}; ask for one of ${SUPPORTED_TYPES.join(", ")}`);
      }
      parsed = parseDid(identifier);
    } catch (error) {
      if (error instanceof RequestError) return fail(reply, error.code, error.message);
      if (error instanceof InvalidDidError && ["path", "query", "fragment"].includes(error.part)) return fail(reply, "invalidDidUrl", error.message);
      if (error instanceof SigilError) return fail(reply, error.code, error.message);
      throw error;
    }
    if (parsed.path !== undefined) {
      return fail(reply, "notFound", `did:sigil defines no resources under a path (${echo(parsed.path, 60)}); resolve the DID, or dereference a #fragment`);
    }
    const query = parsed.query !== undefined ? `?${parsed.query}` : "";
    const result = await resolver.resolve(`${parsed.did}${query}`, {
      ...opts,
      accept: representation.kind === "document" ? representation.contentType : "application/did",
    });
    const { error, message } = result.didResolutionMetadata as { error?: string; message?: string };
    if (error) return fail(reply, error, message ?? error);
    const deactivated = result.didDocumentMetadata.deactivated === true;
    metrics.resolutions.inc({ outcome: deactivated ? "deactivated" : "ok" });
    const status = deactivated ? 410 : 200;
    const doc = result.didDocument!;
    if (parsed.fragment !== undefined) {
      const content = findFragment(doc, parsed.fragment);
      if (!content) return fail(reply, "notFound", `${doc.id} has no verification method or service with fragment ${echo(parsed.fragment, 60)}`);
      if (representation.kind === "document") return send(reply, status, "application/json", content);
      return send(reply, status, "application/did-url-dereferencing", {
        "@context": RESOLUTION_CONTEXT,
        content,
        contentMetadata: result.didDocumentMetadata,
        dereferencingMetadata: { contentType: "application/json" },
      });
    }
    if (representation.kind === "document") return send(reply, status, representation.contentType, doc);
    if (representation.kind === "dereferencing") {
      return send(reply, status, representation.contentType, {
        "@context": RESOLUTION_CONTEXT,
        content: doc,
        contentMetadata: result.didDocumentMetadata,
        dereferencingMetadata: { contentType: "application/did" },
      });
    }
    return send(reply, status, representation.contentType, resultBody(result));
  });

  app.post(
    "/1.0/identifiers",
    {
      schema: {
        body: {
          type: "object",
          required: ["dids"],
          additionalProperties: false,
          properties: { dids: { type: "array", minItems: 1, maxItems: maxBatch, items: { type: "string", maxLength: MAX_DID_URL_LENGTH } } },
        },
      },
    },
    async (request, reply) => {
      const { dids } = request.body as { dids: string[] };
      const results = await resolver.resolveMany(dids, { accept: "application/did" });
      for (const r of results) {
        const e = (r.didResolutionMetadata as { error?: string }).error;
        metrics.resolutions.inc({ outcome: e ?? (r.didDocumentMetadata.deactivated ? "deactivated" : "ok") });
      }
      return send(reply, 200, "application/json", { results: results.map(resultBody) });
    },
  );

  app.get("/healthz", async (_request, reply) => {
    const networks = await resolver.health();
    const ok = networks.every((n) => n.ok);
    return send(reply, ok ? 200 : 503, "application/json", { status: ok ? "ok" : "unavailable", networks });
  });

  app.get("/metrics", async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.header("content-type", metrics.registry.contentType).send(text);
  });

  // Anything else, and malformed requests (bad JSON, too large, wrong type): RFC 9457 problems.
  app.setNotFoundHandler((request, reply) =>
    problem(reply, 404, "Not Found", `no route ${request.method} ${echo((request.raw.url ?? "").split("?")[0], 80)}; see GET /1.0/identifiers/{did}`),
  );
  app.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, "unexpected failure");
    const detail = status === 500 ? "unexpected failure; see the service's log" : error.message;
    const hint = error.validation ? `; send {"dids": ["did:sigil:…", …]} with 1 to ${maxBatch} DIDs` : "";
    return problem(reply, status, status === 500 ? "Internal Server Error" : "Bad Request", `${detail}${hint}`);
  });
  return app;
}

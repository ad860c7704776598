// The resolver service: the DIF Universal Resolver driver API and the W3C DID Resolution HTTPS
// binding over a SigilResolver, on fastify. Stateless but for the resolver's cache, so any
// number of copies can run behind a load balancer.
//   GET  /1.0/identifiers/{did-or-did-url}   resolve (versionId, versionTime) or dereference #fragment
//   POST /1.0/identifiers                    {"dids": [...]}: many current documents in one batched read
//   GET  /healthz                            200 when every network's registry can be read, else 503
//   GET  /metrics                            Prometheus text
// CORS lets web apps on other origins call it. Every answer that is not a resolution result is
// RFC 9457 problem details (application/problem+json): unknown routes, wrong methods (405 with
// Allow), malformed, too large or wrongly typed bodies, overlong headers (431), shutdown (503).
// Logs (pino) and metrics never carry the DIDs looked up nor the client's address: a resolver's
// logs must not become a record of who checks whom.
import cors from "@fastify/cors";
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { DIDResolutionResult } from "did-resolver";
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
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
  /**
   * Which web origins may call the service from a browser (CORS). `"*"` (the default) or `true`:
   * any origin; an origin (`"https://console.example"`) or a list of origins: only those (the
   * answer names the caller's origin and varies on `Origin`); `false`: no CORS headers at all.
   * Never with credentials: the service has no cookies or authentication to share.
   */
  cors?: CorsOrigins;
}

/** See ResolverServiceOptions.cors. */
export type CorsOrigins = boolean | string | readonly string[];

/** Node's limit on a request's line plus headers (its default is 16 KiB). Room for long DID URLs. */
export const MAX_HEADER_BYTES = 96 * 1024;
/** Largest request body (1,000 DIDs of the usual length take about 70 kB). */
export const MAX_BODY_BYTES = 1024 * 1024;

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

/** The DIDs of a batch request, or a BatchError saying what is wrong. No type is coerced. */
class BatchError extends Error {
  readonly errors?: { pointer: string; detail: string }[];
  constructor(message: string, errors?: { pointer: string; detail: string }[]) {
    super(message);
    this.errors = errors;
  }
}

/** "a number", "null", "an array"…: what a JSON value is, never its content. */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "missing";
  if (Array.isArray(value)) return "an array";
  const type = typeof value;
  return type === "object" ? "an object" : `a ${type}`;
}

function readBatch(body: unknown, maxBatch: number): string[] {
  const shape = `send {"dids": ["did:sigil:…", …]} with 1 to ${maxBatch} DIDs, each a string`;
  const refuse = (what: string, errors?: { pointer: string; detail: string }[]): never => {
    throw new BatchError(`${what}; ${shape}`, errors);
  };
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return refuse(body === undefined ? "the body is empty" : `the body is ${kindOf(body)}, not a JSON object`);
  }
  // Extra members are refused, not ignored: a misspelt or unsupported option (say "accept" or
  // "versionTime") must not be silently dropped, as on GET.
  const extra = Object.keys(body).filter((k) => k !== "dids");
  if (extra.length > 0) {
    const more = extra.length > 1 ? ` (and ${extra.length - 1} more)` : "";
    refuse(`unknown member ${echo(extra[0], 40)}${more}: the body has only "dids" (batches resolve current documents, without options)`);
  }
  const dids = (body as { dids?: unknown }).dids;
  if (dids === undefined) refuse(`"dids" is missing`);
  if (!Array.isArray(dids)) return refuse(`"dids" is ${kindOf(dids)}, not an array`, [{ pointer: "#/dids", detail: `must be an array of DID strings, not ${kindOf(dids)}` }]);
  if (dids.length === 0 || dids.length > maxBatch) refuse(`"dids" has ${dids.length} entries`);
  const errors: { pointer: string; detail: string }[] = [];
  dids.forEach((did: unknown, i) => {
    if (typeof did !== "string") errors.push({ pointer: `#/dids/${i}`, detail: `must be a DID string, not ${kindOf(did)}` });
    else if (did.length > MAX_DID_URL_LENGTH) errors.push({ pointer: `#/dids/${i}`, detail: `is over ${MAX_DID_URL_LENGTH} characters, longer than any DID URL` });
  });
  if (errors.length > 0) {
    const first = `dids[${errors[0].pointer.slice("#/dids/".length)}] ${errors[0].detail}`;
    refuse(`${errors.length} of the ${dids.length} entries of "dids" ${errors.length === 1 ? "is" : "are"} not a DID string (${first})`, errors.slice(0, 20));
  }
  return dids as string[];
}

/** Status phrases as RFC 9110 names them (Node still says "Payload Too Large" for 413). */
const TITLES: Record<number, string> = {
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};
const titleOf = (status: number) => TITLES[status] ?? STATUS_CODES[status] ?? "Error";

/** An RFC 9457 body with "about:blank" semantics: the title is the status's phrase. */
function problemBody(status: number, detail: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({ type: "about:blank", title: titleOf(status), status, detail, ...extra });
}

/** Resolution errors a client's request causes: logged at info, without the reason (it echoes the input). */
const CLIENT_ERRORS = new Set(["invalidDid", "invalidDidUrl", "invalidOptions", "notFound", "representationNotSupported", "methodNotSupported"]);
type Level = "info" | "warn" | "error";
const levelOf = (code: string): Level => (CLIENT_ERRORS.has(code) ? "info" : code === "internalError" ? "error" : "warn");
const LEVELS: Level[] = ["info", "warn", "error"];
const worse = (a: Level, b: Level) => (LEVELS.indexOf(a) >= LEVELS.indexOf(b) ? a : b);

/**
 * A failure's reason as it may be logged: DIDs and addresses blanked (a reason could quote the
 * identity being read), one line, short.
 */
export function logReason(message: string): string {
  const line = message
    .split("\n")[0]
    .replace(/did:[^\s"'`<>]*/gi, "did:…")
    .replace(/0x[0-9a-f]{40}(?![0-9a-f])/gi, "0x…");
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** The origins option as @fastify/cors takes it, each origin checked (a typo would never match). */
function corsOrigins(option: ResolverServiceOptions["cors"]): false | "*" | string[] {
  if (option === undefined || option === true || option === "*") return "*";
  if (option === false) return false;
  const list = typeof option === "string" ? [option] : [...option];
  if (list.length === 0) throw new TypeError("cors: give at least one origin, \"*\" for any, or false to turn CORS off");
  if (list.includes("*")) return "*";
  for (const origin of list) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.origin === "null" || parsed.origin !== origin) {
      throw new TypeError(`cors: ${echo(String(origin), 80)} is not an origin; write scheme://host[:port], without a path or trailing slash (e.g. "https://console.example")`);
    }
  }
  return list;
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
  const origins = corsOrigins(options.cors);
  const metrics = createMetrics(resolver);

  // What each answer's log line says beyond route and status: the resolution outcome(s), the
  // level, and for failures that are not the client's doing, a reason without the DID.
  interface Note {
    outcome?: string;
    outcomes?: Record<string, number>;
    level: Level;
    reason?: string;
  }
  const notes = new WeakMap<FastifyRequest, Note>();
  const noteOutcome = (request: FastifyRequest, outcome: string, message?: string) => {
    const level = outcome === "ok" || outcome === "deactivated" ? "info" : levelOf(outcome);
    notes.set(request, { outcome, level, reason: level !== "info" && message ? logReason(message) : undefined });
  };

  const send = (reply: FastifyReply, status: number, contentType: string, body: unknown) => {
    const vary = reply.getHeader("vary"); // CORS may already vary on Origin
    return reply
      .code(status)
      .header("content-type", contentType)
      .header("vary", vary ? `${String(vary)}, Accept` : "Accept")
      .header("cache-control", "no-cache")
      .send(JSON.stringify(body));
  };
  const fail = (reply: FastifyReply, code: string, detail: string) => {
    const { status, body } = errorBody(code, detail);
    metrics.resolutions.inc({ outcome: code });
    noteOutcome(reply.request, code, detail);
    reply.header("x-did-resolution-error", code);
    return send(reply, status, RESULT_TYPE, body);
  };
  const problem = (reply: FastifyReply, status: number, detail: string, extra?: Record<string, unknown>) =>
    reply.code(status).header("content-type", "application/problem+json").header("cache-control", "no-cache").send(problemBody(status, detail, extra));

  /** The methods with a route for this path (HEAD comes with GET); none: no such resource. */
  const methodsFor = (rawUrl: string): string[] => {
    const url = rawUrl.split("?")[0];
    return ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"].filter((method) => {
      try {
        return app.findRoute({ method: method as "GET", url }) !== null;
      } catch {
        return false;
      }
    });
  };
  const allowHeader = (methods: string[]) => [...methods, "OPTIONS"].join(", ");

  /** A request no route takes: 404 when nothing lives at the path, else 405 (or 204 to OPTIONS) with Allow. */
  const unrouted = (request: FastifyRequest, reply: FastifyReply) => {
    const path = (request.raw.url ?? "").split("?")[0];
    const methods = methodsFor(path);
    if (methods.length === 0) return problem(reply, 404, `no resource at ${echo(path, 80)}; resolve with GET /1.0/identifiers/{did}, or POST /1.0/identifiers for a batch`);
    reply.header("allow", allowHeader(methods));
    if (request.method === "OPTIONS") return reply.code(204).send();
    return problem(reply, 405, `${echo(request.method, 20)} is not allowed on ${echo(path, 80)}; use ${methods.filter((m) => m !== "HEAD").join(" or ")}`);
  };

  // Refused before routing (the request line and headers could not be read): Node's own answer
  // is a bare status line, fastify's plain JSON; ours is problem details like every other.
  const refused = new WeakSet<Socket>();
  const clientErrorHandler = (error: Error & { code?: string }, socket: Socket) => {
    if (error.code === "ECONNRESET" || socket.destroyed || refused.has(socket)) return;
    refused.add(socket); // Node may report the rest of an overflowing request again
    const [status, detail] =
      error.code === "HPE_HEADER_OVERFLOW"
        ? [431, `the request line and headers are over ${MAX_HEADER_BYTES} bytes; a DID URL has at most ${MAX_DID_URL_LENGTH} characters, so shorten the URL or drop headers`]
        : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? [408, "the request did not arrive in time; send it again"]
          : [400, "the request is not valid HTTP/1.1; check the request line and headers"];
    metrics.requests.inc({ route: "unmatched", status: String(status) });
    // The error carries the raw bytes received (the DID among them): log its code only.
    app.log.info({ status, reason: error.code ?? "client error" }, "refused before routing");
    // As Node does: no answer on a socket that cannot take one, or whose current response has begun.
    const current = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!socket.writable || current?.headersSent) return void socket.destroy();
    const body = problemBody(status, detail);
    const allowOrigin = origins === "*" ? "access-control-allow-origin: *\r\n" : "";
    socket.end(
      `HTTP/1.1 ${status} ${titleOf(status)}\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${allowOrigin}connection: close\r\n\r\n${body}`,
    );
    // Half-closed, so the client can still read the answer while it finishes sending; gone soon after.
    socket.setTimeout(5_000, () => socket.destroy());
  };

  const app = Fastify({
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    clientErrorHandler,
    routerOptions: { maxParamLength: MAX_DID_URL_LENGTH * 3 },
    bodyLimit: MAX_BODY_BYTES,
    // No type coercion, no silent removal of members, should a route ever declare a schema.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false } },
    // Answered below in our own shape, while closing connections.
    return503OnClosing: false,
    // The router refuses malformed percent-encoding before any handler runs: answer in our shape.
    frameworkErrors: (_error, request, reply) => {
      const url = request.raw.url ?? "";
      if (url.startsWith(PREFIX)) return fail(reply as FastifyReply, "invalidDid", `${echo(url.slice(PREFIX.length))} is not valid percent-encoding`);
      return problem(reply as FastifyReply, 400, `${echo(url, 80)} is not a valid URL`);
    },
  }) as unknown as FastifyInstance;
  // Bodies are JSON only (fastify would also take text/plain, then read it as something else).
  app.removeContentTypeParser("text/plain");

  // While closing, answers end their keep-alive connection, so shutdown need not wait for the
  // clients' idle sockets to time out; a request that still slips in gets a 503 (below).
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onSend", async (_request, reply) => {
    if (closing) reply.header("connection", "close");
  });

  // OPTIONS on a path where nothing lives is 404 (not a CORS preflight that would succeed);
  // elsewhere it says what the path allows, and the CORS plugin (or, without CORS, this hook)
  // answers 204.
  app.addHook("onRequest", async (request, reply) => {
    if (request.method !== "OPTIONS") return;
    const methods = methodsFor(request.raw.url ?? "");
    if (methods.length === 0) return unrouted(request, reply);
    reply.header("allow", allowHeader(methods));
    if (origins === false) return reply.code(204).send();
  });
  if (origins !== false) {
    app.register(cors, {
      origin: origins,
      methods: ["GET", "HEAD", "POST", "OPTIONS"],
      // allowedHeaders unset: a preflight's requested headers are allowed (there are no
      // credentials to protect); exposed: what a client reads beyond the safelisted headers.
      exposedHeaders: ["x-did-resolution-error", "allow"],
      maxAge: 7200,
      // A plain OPTIONS (no Origin) is answered 204 with Allow, not refused as a bad preflight.
      strictPreflight: false,
    });
  }
  // After CORS, so that 404, 405 and 503 answers are readable by a web app too.
  app.addHook("onRequest", async (request, reply) => {
    if (closing) return problem(reply.header("retry-after", "1"), 503, "this copy of the service is shutting down; send the request again (another copy will answer)");
    if (request.is404) return unrouted(request, reply);
  });

  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    const seconds = reply.elapsedTime / 1000;
    metrics.requests.inc({ route, status: String(reply.statusCode) });
    metrics.duration.observe({ route }, seconds);
    const note = notes.get(request);
    const level = note?.level ?? (reply.statusCode >= 500 && reply.statusCode !== 503 ? "error" : "info");
    const fields = { method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, outcome: note?.outcome, outcomes: note?.outcomes, reason: note?.reason };
    request.log[level](fields, "answered");
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
    noteOutcome(request, deactivated ? "deactivated" : "ok");
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

  // Validated here rather than by a JSON schema: fastify's ajv would coerce ("x" into ["x"], 1
  // into "1", null into "") and drop unknown members silently.
  app.post("/1.0/identifiers", async (request, reply) => {
    let dids: string[];
    try {
      dids = readBatch(request.body, maxBatch);
    } catch (error) {
      if (!(error instanceof BatchError)) throw error;
      return problem(reply, 400, error.message, error.errors ? { errors: error.errors } : undefined);
    }
    const results = await resolver.resolveMany(dids, { accept: "application/did" });
    const outcomes: Record<string, number> = {};
    let level: Level = "info";
    const reasons = new Set<string>();
    for (const r of results) {
      const { error, message } = r.didResolutionMetadata as { error?: string; message?: string };
      const outcome = error ?? (r.didDocumentMetadata.deactivated ? "deactivated" : "ok");
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      metrics.resolutions.inc({ outcome });
      if (error && levelOf(error) !== "info") {
        level = worse(level, levelOf(error));
        if (reasons.size < 3) reasons.add(logReason(message ?? error));
      }
    }
    notes.set(request, { outcomes, level, reason: reasons.size > 0 ? [...reasons].join(" | ") : undefined });
    return send(reply, 200, "application/json", { results: results.map(resultBody) });
  });

  app.get("/healthz", async (request, reply) => {
    const networks = await resolver.health();
    const ok = networks.every((n) => n.ok);
    if (!ok) {
      const reason = networks
        .filter((n) => !n.ok)
        .map((n) => `${n.network}: ${(n as { error?: string }).error ?? "unavailable"}`)
        .join(" | ");
      notes.set(request, { level: "warn", reason: logReason(reason) });
    }
    return send(reply, ok ? 200 : 503, "application/json", { status: ok ? "ok" : "unavailable", networks });
  });

  app.get("/metrics", async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.header("content-type", metrics.registry.contentType).send(text);
  });

  // Normally answered by the onRequest hook above; here for anything that still falls through.
  app.setNotFoundHandler((request, reply) => unrouted(request, reply));
  // Malformed requests (bad JSON, too large, wrong type) and failures: RFC 9457 problems, each
  // with its own status and what to do.
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) {
      request.log.error({ err: error }, "unexpected failure");
      return problem(reply, 500, "unexpected failure; see the service's log");
    }
    const shape = `{"dids": ["did:sigil:…", …]} with 1 to ${maxBatch} DIDs`;
    switch (error.code) {
      case "FST_ERR_CTP_BODY_TOO_LARGE":
        return problem(reply, 413, `the body is over ${MAX_BODY_BYTES} bytes; send at most ${maxBatch} DIDs per request, splitting larger sets over several requests`);
      case "FST_ERR_CTP_INVALID_MEDIA_TYPE": {
        const type = request.headers["content-type"];
        const given = type ? `Content-Type ${echo(type, 80)} is not accepted` : "the body has no Content-Type";
        return problem(reply.header("accept-post", "application/json"), 415, `${given}; send it as Content-Type: application/json, ${shape}`);
      }
      case "FST_ERR_CTP_EMPTY_JSON_BODY":
        return problem(reply, 400, `the body is empty; send ${shape}`);
      case "FST_ERR_CTP_INVALID_JSON_BODY":
        return problem(reply, 400, `the body is not valid JSON (or names __proto__ or constructor.prototype, which are refused); send ${shape}`);
      case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
        return problem(reply, 400, "the body's length does not match its Content-Length header; send it again");
    }
    return problem(reply, status, error.message);
  });
  return app;
}

// The resolver service: the DIF Universal Resolver driver API and the W3C DID Resolution HTTPS
// binding over a SigilResolver, on fastify. Stateless but for the resolver's cache, so any
// number of copies can run behind a load balancer.
//   GET  /1.0/identifiers/{did-or-did-url}   resolve a DID, or dereference a DID URL (#fragment,
//                                            ?service=/serviceType=/relativeRef=); options in the query
//   POST /1.0/identifiers/{did-or-did-url}   the same, options in a JSON body (DID Resolution §12.1)
//   POST /1.0/identifiers                    {"dids": [...]}: many current documents in one batched read
//   GET  /contexts/sigil/v1                  Sigil's JSON-LD context (https://w3id.org/sigil/v1)
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
import { dereference, InvalidDidError, parseDid, SIGIL_CONTEXT, SigilError, type DereferencingResult, type SigilResolver } from "sigil-did";
import { DID_PARAMETERS, echo, MAX_DID_URL_LENGTH, RESOLUTION_OPTIONS, URI_LIST } from "sigil-did/internal";
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
/** Where the service publishes Sigil's JSON-LD context (the bytes the SDK bundles). */
export const SIGIL_CONTEXT_PATH = "/contexts/sigil/v1";
const RESOLUTION_CONTEXT = "https://w3id.org/did-resolution/v1";
export const DEREFERENCING_TYPE = "application/did-url-dereferencing";
/** Options of the HTTP binding (DID Resolution §12.1): resolution options but accept (the Accept header), and verificationRelationship (§5.1). */
const OPTIONS: readonly string[] = [...RESOLUTION_OPTIONS.filter((o) => o !== "accept"), "verificationRelationship"];
/** DID parameters that select something in the document, read from the HTTP query when the DID URL is sent unencoded (§12.1's example). */
const SELECTING_PARAMETERS: readonly string[] = DID_PARAMETERS.filter((p) => p !== "versionId" && p !== "versionTime");

/** DID Resolution §11 errors (and Controlled Identifiers §3.5 for verificationRelationship): HTTP status (§12.1's table), the error type URI, a title. */
const ERRORS: Record<string, { status: number; type: string; title: string }> = {
  invalidDid: { status: 400, type: "https://www.w3.org/ns/did#INVALID_DID", title: "Invalid DID" },
  invalidDidUrl: { status: 400, type: "https://www.w3.org/ns/did#INVALID_DID_URL", title: "Invalid DID URL" },
  invalidOptions: { status: 400, type: "https://www.w3.org/ns/did#INVALID_OPTIONS", title: "Invalid options" },
  notFound: { status: 404, type: "https://www.w3.org/ns/did#NOT_FOUND", title: "Not found" },
  representationNotSupported: { status: 406, type: "https://www.w3.org/ns/did#REPRESENTATION_NOT_SUPPORTED", title: "Representation not supported" },
  methodNotSupported: { status: 501, type: "https://www.w3.org/ns/did#METHOD_NOT_SUPPORTED", title: "DID method not supported" },
  featureNotSupported: { status: 501, type: "https://www.w3.org/ns/did#FEATURE_NOT_SUPPORTED", title: "Feature not supported" },
  internalError: { status: 500, type: "https://www.w3.org/ns/did#INTERNAL_ERROR", title: "Internal error" },
  // "Any other error URI": 500, as §12.1's table says, though the caller caused them.
  invalidVerificationMethod: { status: 500, type: "https://w3id.org/security#INVALID_VERIFICATION_METHOD", title: "Invalid verification method" },
  invalidRelationshipForVerificationMethod: {
    status: 500,
    type: "https://w3id.org/security#INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD",
    title: "Verification method not authorised for this relationship",
  },
};

const problemOf = (code: string, detail: string) => {
  const e = ERRORS[code] ?? ERRORS.internalError;
  return { status: e.status, error: { type: e.type, title: e.title, detail } };
};

/** A failed resolution: the spec's shape, the error as RFC 9457 problem details. */
export function errorBody(code: string, detail: string) {
  const { status, error } = problemOf(code, detail);
  return { status, body: { "@context": RESOLUTION_CONTEXT, didDocument: null, didResolutionMetadata: { error }, didDocumentMetadata: {} } };
}

/** A failed dereferencing: a DID URL dereferencing result (DID Resolution §10) with null content. */
export function dereferencingErrorBody(code: string, detail: string) {
  const { status, error } = problemOf(code, detail);
  return { status, body: { "@context": RESOLUTION_CONTEXT, content: null, dereferencingMetadata: { error }, contentMetadata: {} } };
}

/** An SDK result in the spec's HTTP shape (errors as problem details). */
function resultBody(result: DIDResolutionResult) {
  const { error, message } = result.didResolutionMetadata as { error?: string; message?: string };
  if (error) return errorBody(error, message ?? error).body;
  return {
    "@context": RESOLUTION_CONTEXT,
    didDocument: result.didDocument,
    didResolutionMetadata: result.didResolutionMetadata,
    didDocumentMetadata: result.didDocumentMetadata,
  };
}

/** A dereferencing result in the spec's HTTP shape (DID Resolution §10: content, dereferencingMetadata, contentMetadata). */
function dereferencingBody(result: DereferencingResult) {
  return { "@context": RESOLUTION_CONTEXT, content: result.contentStream, dereferencingMetadata: result.dereferencingMetadata, contentMetadata: result.contentMetadata };
}

class RequestError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** The query of an HTTP request split into options and (for an unencoded DID URL) DID parameters. */
interface HttpQuery {
  options: Record<string, string>;
  /** `name=value` pairs of selecting DID parameters, still percent-encoded, in their order. */
  didParameters: string[];
}

/**
 * The HTTP query: options (DID Resolution §12.1 puts every option but accept there), each once and
 * percent-decoded ("+" stays "+"); the selecting DID parameters of a DID URL sent unencoded
 * (`…/did:example:1234?service=files&relativeRef=/resume.pdf`, §12.1) kept apart; versionId and
 * versionTime are both and taken as options. Anything else is FEATURE_NOT_SUPPORTED.
 */
function readQuery(query: string): HttpQuery {
  const out: HttpQuery = { options: {}, didParameters: [] };
  if (query === "") return out;
  const seen = new Set<string>();
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
    if (seen.has(decoded[0])) throw new RequestError("invalidOptions", `${decoded[0]} is given more than once`);
    seen.add(decoded[0]);
    if (SELECTING_PARAMETERS.includes(decoded[0])) out.didParameters.push(pair);
    else if (OPTIONS.includes(decoded[0])) out.options[decoded[0]] = decoded[1];
    else if (decoded[0] === "accept") throw new RequestError("invalidOptions", "accept is not a query option: send it as the Accept header (DID Resolution §12.1)");
    else throw new RequestError("featureNotSupported", `the option ${echo(decoded[0], 40)} is not supported; options: ${OPTIONS.join(", ")}`);
  }
  return out;
}

/** The DID URL and the raw query of a request, taken from the raw URL so nothing is decoded twice. */
function readRequest(rawUrl: string): { identifier: string; query: string } {
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
  return { identifier, query: q < 0 ? "" : rest.slice(q + 1) };
}

/** Options from a POST body (DID Resolution §12.1): a JSON object of option names to values, nothing coerced. */
function readBodyOptions(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || body === "") return {};
  if (typeof body !== "object" || Array.isArray(body)) {
    throw new RequestError("invalidOptions", `the body is ${kindOf(body)}; send the options as a JSON object, like {"versionTime": "2026-01-01T00:00:00Z"}`);
  }
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    if (name === "accept") throw new RequestError("invalidOptions", "accept is not a body option: send it as the Accept header (DID Resolution §12.1)");
    if (!OPTIONS.includes(name)) throw new RequestError("featureNotSupported", `the option ${echo(name, 40)} is not supported; options: ${OPTIONS.join(", ")}`);
    out[name] = value;
  }
  return out;
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
export function problemBody(status: number, detail: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({ type: "about:blank", title: titleOf(status), status, detail, ...extra });
}

/** Resolution errors a client's request causes: logged at info, without the reason (it echoes the input). */
const CLIENT_ERRORS = new Set([
  "invalidDid",
  "invalidDidUrl",
  "invalidOptions",
  "notFound",
  "representationNotSupported",
  "methodNotSupported",
  "featureNotSupported",
  "invalidVerificationMethod",
  "invalidRelationshipForVerificationMethod",
]);
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

  const varyWith = (reply: FastifyReply) => {
    const vary = reply.getHeader("vary"); // CORS may already vary on Origin
    return vary ? `${String(vary)}, Accept` : "Accept";
  };
  const send = (reply: FastifyReply, status: number, contentType: string, body: unknown) =>
    reply.code(status).header("content-type", contentType).header("vary", varyWith(reply)).header("cache-control", "no-cache").send(JSON.stringify(body));
  const fail = (reply: FastifyReply, code: string, detail: string) => {
    const { status, body } = errorBody(code, detail);
    metrics.resolutions.inc({ outcome: code });
    noteOutcome(reply.request, code, detail);
    reply.header("x-did-resolution-error", code);
    return send(reply, status, RESULT_TYPE, body);
  };
  /** A failed dereferencing, answered as a dereferencing result (DID Resolution §10, §12.1). */
  const failDereferencing = (reply: FastifyReply, code: string, detail: string) => {
    const { status, body } = dereferencingErrorBody(code, detail);
    metrics.resolutions.inc({ outcome: code });
    noteOutcome(reply.request, code, detail);
    reply.header("x-did-resolution-error", code);
    return send(reply, status, DEREFERENCING_TYPE, body);
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
    if (methods.length === 0) return problem(reply, 404, `no resource at ${echo(path, 80)}; resolve with GET /1.0/identifiers/{did} (or POST it, options in the body), or POST /1.0/identifiers for a batch`);
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

  /**
   * One resolution or dereferencing, for GET and POST alike (DID Resolution §12.1). A DID alone
   * is resolved; a DID URL (path, query parameters that select, fragment), an Accept of
   * application/did-url-dereferencing or text/uri-list, or a verificationRelationship option,
   * is dereferenced (§5.4).
   */
  const answer = async (request: FastifyRequest, reply: FastifyReply, bodyOptions?: unknown) => {
    let representation: Representation | undefined;
    let identifier = "";
    let options: Record<string, unknown> = {};
    let dereferencing = false;
    let urlLike = false;
    const refuse = (code: string, message: string) => (dereferencing || urlLike ? failDereferencing(reply, code, message) : fail(reply, code, message));
    try {
      const read = readRequest(request.raw.url ?? "");
      identifier = read.identifier;
      // Until the DID URL is parsed, a path, query or fragment marks it as one (for the error's shape).
      urlLike = /[/?#]/.test(identifier.slice(4));
      // DID Resolution §4.4 / §5.4.1: the DID (URL) is judged first, then whether the options are supported, then their values.
      parseDid(identifier);
      const query = readQuery(read.query);
      if (query.didParameters.length > 0) {
        // The DID URL came unencoded (§12.1's example): its query is the HTTP query, unless it has one of its own.
        if (identifier.includes("?") || identifier.includes("#")) {
          throw new RequestError("invalidDidUrl", "DID parameters are given both in the (encoded) DID URL and in the HTTP query; give them once, in the DID URL");
        }
        identifier = `${identifier}?${query.didParameters.join("&")}`;
        urlLike = true;
      }
      options = query.options;
      dereferencing = options.verificationRelationship !== undefined;
      if (bodyOptions !== undefined) {
        const fromBody = readBodyOptions(bodyOptions);
        const twice = Object.keys(fromBody).find((k) => k in options);
        if (twice !== undefined) throw new RequestError("invalidOptions", `${twice} is given both in the query and in the body; give it once`);
        options = { ...options, ...fromBody };
        if (fromBody.verificationRelationship !== undefined) dereferencing = true;
      }
      representation = negotiate(request.headers.accept);
      if (!representation) {
        return refuse("representationNotSupported", `cannot answer ${echo(request.headers.accept ?? "", 80)}; ask for one of ${SUPPORTED_TYPES.join(", ")}`);
      }
      if (representation.kind === "dereferencing" || representation.kind === "uriList") dereferencing = true;
      const parsed = parseDid(identifier);
      // versionId / versionTime alone still name the DID document: that is resolution.
      if (parsed.path !== undefined || parsed.fragment !== undefined || Object.keys(parsed.params).some((p) => p !== "versionId" && p !== "versionTime")) dereferencing = true;
    } catch (error) {
      if (error instanceof RequestError) return refuse(error.code, error.message);
      if (error instanceof InvalidDidError && ["path", "query", "fragment"].includes(error.part)) return refuse("invalidDidUrl", error.message);
      if (error instanceof InvalidDidError && (dereferencing || urlLike)) return refuse("invalidDidUrl", error.message);
      if (error instanceof SigilError) return refuse(error.code, error.message);
      throw error;
    }
    const rep = representation!;
    if (!dereferencing) {
      const result = await resolver.resolve(identifier, { ...options, accept: rep.kind === "document" ? rep.contentType : "application/did" });
      const { error, message } = result.didResolutionMetadata as { error?: string; message?: string };
      if (error) return fail(reply, error, message ?? error);
      const deactivated = result.didDocumentMetadata.deactivated === true;
      metrics.resolutions.inc({ outcome: deactivated ? "deactivated" : "ok" });
      noteOutcome(request, deactivated ? "deactivated" : "ok");
      // §12.1: 410 for a deactivated DID; it has no document, so a bare-document Accept gets the result.
      if (deactivated) return send(reply, 410, rep.kind === "result" ? rep.contentType : RESULT_TYPE, resultBody(result));
      if (rep.kind === "document") return send(reply, 200, rep.contentType, result.didDocument);
      if (rep.kind === "dereferencing") {
        return send(reply, 200, rep.contentType, { "@context": RESOLUTION_CONTEXT, content: result.didDocument, dereferencingMetadata: result.didResolutionMetadata, contentMetadata: result.didDocumentMetadata });
      }
      return send(reply, 200, rep.contentType, resultBody(result));
    }
    const accept = rep.kind === "uriList" ? URI_LIST : rep.kind === "document" ? rep.contentType : "application/did";
    const result = await dereference(resolver, identifier, { ...options, accept });
    const { error, message } = result.dereferencingMetadata;
    if (error) return failDereferencing(reply, error, message ?? error);
    const deactivated = result.contentMetadata.deactivated === true;
    metrics.resolutions.inc({ outcome: deactivated ? "deactivated" : "ok" });
    noteOutcome(request, deactivated ? "deactivated" : "ok");
    // §12.1: 410 whenever contentMetadata says deactivated, with the dereferencing result (there is no content).
    if (deactivated) return send(reply, 410, DEREFERENCING_TYPE, dereferencingBody(result));
    if (result.dereferencingMetadata.contentType === URI_LIST) {
      // §12.1: 303 to the selected endpoint URL, empty body.
      const [location] = result.contentStream as string[];
      return reply.code(303).header("location", location).header("cache-control", "no-cache").header("vary", varyWith(reply)).send();
    }
    if (rep.kind === "document") return send(reply, 200, result.dereferencingMetadata.contentType ?? rep.contentType, result.contentStream);
    return send(reply, 200, DEREFERENCING_TYPE, dereferencingBody(result));
  };

  app.get(`${PREFIX}*`, (request, reply) => answer(request, reply));

  // POST binding (DID Resolution §12.1): options as a JSON body; its own parsers, so the batch
  // route keeps taking application/json only.
  app.register(async (scope) => {
    scope.removeContentTypeParser("application/json");
    const json = scope.getDefaultJsonParser("error", "error");
    scope.addContentTypeParser(["application/json", RESULT_TYPE, DEREFERENCING_TYPE], { parseAs: "string" }, (request, body, done) => {
      if ((body as string).trim() === "") return done(null, undefined); // no options
      json(request, body as string, done);
    });
    scope.post(`${PREFIX}*`, (request, reply) => answer(request, reply, request.body ?? {}));
  });

  app.get(SIGIL_CONTEXT_PATH, async (_request, reply) =>
    reply.header("content-type", "application/ld+json").header("cache-control", "public, max-age=86400").send(JSON.stringify(SIGIL_CONTEXT, null, 2)),
  );

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
    // POST /1.0/identifiers/{did}: options, not a batch. A body that is not JSON is an options error.
    if (request.method === "POST" && (request.raw.url ?? "").startsWith(PREFIX)) {
      const options = 'a JSON object of options, like {"versionTime": "2026-01-01T00:00:00Z"}, or no body';
      switch (error.code) {
        case "FST_ERR_CTP_INVALID_MEDIA_TYPE": {
          const type = request.headers["content-type"];
          const given = type ? `Content-Type ${echo(type, 80)} is not accepted` : "the body has no Content-Type";
          return problem(reply.header("accept-post", `application/json, ${RESULT_TYPE}, ${DEREFERENCING_TYPE}`), 415, `${given}; send ${options} as Content-Type: application/json`);
        }
        case "FST_ERR_CTP_INVALID_JSON_BODY":
          return fail(reply, "invalidOptions", `the body is not valid JSON (or names __proto__ or constructor.prototype, which are refused); send ${options}`);
        case "FST_ERR_CTP_BODY_TOO_LARGE":
          return problem(reply, 413, `the body is over ${MAX_BODY_BYTES} bytes; options take a few hundred`);
      }
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

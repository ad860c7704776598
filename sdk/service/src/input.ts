// Reading a request of the HTTP binding (DID Resolution §12.1): the DID URL from the raw URL, the
// resolution options from the HTTP query or a JSON body. Nothing is coerced; what cannot be read
// is a RequestError carrying the DID Resolution error code to answer with.
import { DID_PARAMETERS, echo, MAX_DID_URL_LENGTH, RESOLUTION_OPTIONS } from "sigil-did/internal";
import type { Representation } from "./negotiate.ts";

export const PREFIX = "/1.0/identifiers/";
/** Options of the HTTP binding (DID Resolution §12.1): resolution options but accept (the Accept header), and verificationRelationship (§5.1). */
const OPTIONS: readonly string[] = [...RESOLUTION_OPTIONS.filter((o) => o !== "accept"), "verificationRelationship"];
/** DID parameters that select something in the document, read from the HTTP query when the DID URL is sent unencoded (§12.1's example). */
const SELECTING_PARAMETERS: readonly string[] = DID_PARAMETERS.filter((p) => p !== "versionId" && p !== "versionTime");

/** What a request of the HTTP binding asks for, once read. */
export interface Asked {
  identifier: string;
  options: Record<string, unknown>;
  representation: Representation;
}

export class RequestError extends Error {
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
export function readQuery(query: string): HttpQuery {
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
    else if (decoded[0] === "accept")
      throw new RequestError("invalidOptions", "accept is not a query option: send it as the Accept header (DID Resolution §12.1)");
    else
      throw new RequestError("featureNotSupported", `the option ${echo(decoded[0], 40)} is not supported; options: ${OPTIONS.join(", ")}`);
  }
  return out;
}

/** The DID URL and the raw query of a request, taken from the raw URL so nothing is decoded twice. */
export function readRequest(rawUrl: string): { identifier: string; query: string } {
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
export function readBodyOptions(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || body === "") return {};
  if (typeof body !== "object" || Array.isArray(body)) {
    throw new RequestError(
      "invalidOptions",
      `the body is ${kindOf(body)}; send the options as a JSON object, like {"versionTime": "2026-01-01T00:00:00Z"}`,
    );
  }
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    if (name === "accept")
      throw new RequestError("invalidOptions", "accept is not a body option: send it as the Accept header (DID Resolution §12.1)");
    if (!OPTIONS.includes(name))
      throw new RequestError("featureNotSupported", `the option ${echo(name, 40)} is not supported; options: ${OPTIONS.join(", ")}`);
    out[name] = value;
  }
  return out;
}

/** "a number", "null", "an array"…: what a JSON value is, never its content. */
export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "missing";
  if (Array.isArray(value)) return "an array";
  const type = typeof value;
  return type === "object" ? "an object" : `a ${type}`;
}

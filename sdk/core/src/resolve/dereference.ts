// DID URL dereferencing (DID Core 1.0 §7.2; the algorithm of DID Resolution §5.4): a did:sigil
// DID URL to the DID document, a verification method or service in it (#fragment), a selection
// of its services (?service= / ?serviceType=, with ?relativeRef= resolved against each endpoint
// by RFC 3986 §5), or the endpoint URLs themselves (accept "text/uri-list"). did:sigil defines no
// DID paths. Never throws: failures are `dereferencingMetadata.error` (DID Core 1.0 keywords:
// invalidDidUrl, notFound, featureNotSupported, …) with a `message`, as resolution errors are.
import type { DIDDocument, DIDResolutionResult, Service, VerificationMethod } from "did-resolver";
import { parseDid, type ParsedSigilDid } from "../did/did.ts";
import {
  echo,
  FeatureNotSupportedError,
  InvalidDidError,
  InvalidResolutionOptionError,
  RepresentationNotSupportedError,
  SigilError,
} from "../errors.ts";
import { readResolutionOptions, RESOLUTION_OPTIONS, type SigilResolutionOptions } from "../document/resolution-options.ts";
import { CONTENT_TYPES } from "../document/resolution-result.ts";
import { parseUri, resolveDidUrl, resolveUri } from "../did/uri.ts";

/** DID URL dereferencing options (DID Resolution §5.1) and the resolution options they pass on. */
export interface DereferencingOptions extends SigilResolutionOptions {
  /** The media type wanted for the content: a DID document type (default application/did+ld+json) or, with ?service=, text/uri-list. */
  accept?: string;
  /** The relationship the dereferenced verification method must be authorised for (DID Resolution §5.1, §5.4.2). */
  verificationRelationship?: string;
}

/** The three outputs of dereference() (DID Core 1.0 §7.2, DID Resolution §5). */
export interface DereferencingResult {
  dereferencingMetadata: { contentType?: string; error?: string; message?: string; [key: string]: unknown };
  /** The document, a part of it, or the endpoint URLs; null on failure (and for a deactivated DID). */
  contentStream: unknown;
  contentMetadata: Record<string, unknown>;
}

/** Anything that resolves like a SigilResolver or a DIF did-resolver Resolver. */
export interface Resolvable {
  resolve(did: string, options?: Record<string, unknown>): Promise<DIDResolutionResult>;
}

/** The DID parameters Sigil dereferences (DID Core 1.0 §3.2.1, DID Resolution §3). */
export const DID_PARAMETERS = ["service", "serviceType", "relativeRef", "versionId", "versionTime"] as const;
export const URI_LIST = "text/uri-list";
export const RELATIONSHIPS = ["authentication", "assertionMethod", "keyAgreement", "capabilityInvocation", "capabilityDelegation"] as const;

class DereferenceError extends SigilError {
  override name = "DereferenceError";
}
const failure = (code: ConstructorParameters<typeof SigilError>[0], message: string) => new DereferenceError(code, message);
const invalidUrl = (message: string) => failure("invalidDidUrl", message);
const notFound = (message: string) => failure("notFound", message);

function errorOf(error: unknown): DereferencingResult {
  const e =
    error instanceof SigilError
      ? error
      : failure("internalError", `unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
  return { dereferencingMetadata: { error: e.code, message: e.message }, contentStream: null, contentMetadata: {} };
}

const isAscii = (s: string) => /^[\x20-\x7e]*$/.test(s);

/** Dereferences a did:sigil DID URL; never throws. `resolver` is a SigilResolver (or a DIF Resolver with Sigil's plugin). */
export async function dereference(resolver: Resolvable, didUrl: string, options: DereferencingOptions = {}): Promise<DereferencingResult> {
  try {
    return await run(resolver, didUrl, options);
  } catch (error) {
    return errorOf(error);
  }
}

/** A DID URL and options that passed step 1's checks. */
interface Request {
  parsed: ParsedSigilDid;
  accept?: string;
  verificationRelationship?: string;
  /** The options passed on to resolution. */
  resolutionOptions: Record<string, unknown>;
}

async function run(resolver: Resolvable, didUrl: string, options: DereferencingOptions): Promise<DereferencingResult> {
  const request = checkRequest(didUrl, options);
  // Step 2: resolve the DID, with the DID URL's version parameters and the options.
  const { parsed, accept, resolutionOptions } = request;
  const docAccept = accept === undefined || accept === URI_LIST ? undefined : accept;
  const version: Record<string, string> = {};
  if (parsed.params.versionId !== undefined) version.versionId = parsed.params.versionId;
  if (parsed.params.versionTime !== undefined) version.versionTime = parsed.params.versionTime;
  const resolution = await resolver.resolve(parsed.input, {
    ...resolutionOptions,
    ...version,
    ...(docAccept ? { accept: docAccept } : {}),
  });
  const { error, message } = resolution.didResolutionMetadata as { error?: string; message?: string };
  if (error) return { dereferencingMetadata: { error, message: message ?? error }, contentStream: null, contentMetadata: {} };
  const metadata = resolution.didDocumentMetadata as Record<string, unknown>;
  // A deactivated DID has no document: whatever part of it was asked for, the answer is the
  // deactivation (410 over HTTP), not a missing part.
  if (metadata.deactivated === true || !resolution.didDocument)
    return { dereferencingMetadata: {}, contentStream: null, contentMetadata: metadata };
  const docType = (resolution.didResolutionMetadata.contentType as string | undefined) ?? docAccept ?? "application/did+ld+json";
  return contentOf(request, resolution.didDocument, docType, metadata);
}

/** §5.4.1 step 1: a did:sigil DID URL (any syntax error is INVALID_DID_URL here; another method
 * is not ours) whose DID parameters and options are supported (FEATURE_NOT_SUPPORTED, since
 * they are passed to resolution) before their values are judged. */
function checkRequest(didUrl: string, options: DereferencingOptions): Request {
  let parsed: ParsedSigilDid;
  try {
    parsed = parseDid(didUrl);
  } catch (error) {
    if (error instanceof InvalidDidError) throw invalidUrl(`invalid DID URL ${echo(String(didUrl))}: ${error.reason}`);
    throw error;
  }
  const params = parsed.params;
  const unknownParam = Object.keys(params).find((p) => !(DID_PARAMETERS as readonly string[]).includes(p));
  if (unknownParam !== undefined) {
    throw new FeatureNotSupportedError({
      feature: `the DID parameter ${echo(unknownParam, 40)}`,
      details: `did:sigil DID URLs take ${DID_PARAMETERS.join(", ")}`,
    });
  }
  const { accept, verificationRelationship, ...resolutionOptions } = (options ?? {}) as DereferencingOptions;
  readResolutionOptions(
    resolutionOptions,
    RESOLUTION_OPTIONS.filter((o) => o !== "accept"),
  );
  if (accept !== undefined && (typeof accept !== "string" || (accept !== URI_LIST && !CONTENT_TYPES.includes(accept)))) {
    throw new RepresentationNotSupportedError({ accept: String(accept), supported: [...CONTENT_TYPES, URI_LIST] });
  }
  if (verificationRelationship !== undefined && !(RELATIONSHIPS as readonly string[]).includes(verificationRelationship)) {
    throw new InvalidResolutionOptionError({
      option: "verificationRelationship",
      value: String(verificationRelationship),
      expected: `one of ${RELATIONSHIPS.join(", ")}`,
    });
  }
  for (const name of ["service", "serviceType", "relativeRef"] as const) {
    const value = params[name];
    if (value !== undefined && (value === "" || !isAscii(value)))
      throw invalidUrl(`the DID parameter ${name} must be a non-empty ASCII string (DID Core 1.0 §3.2.1), not ${echo(value, 60)}`);
  }
  if (params.relativeRef !== undefined && parseUri(params.relativeRef).scheme !== undefined) {
    throw invalidUrl(`relativeRef ${echo(params.relativeRef, 60)} has a scheme; it must be a relative reference (RFC 3986 §4.2)`);
  }
  return { parsed, accept, verificationRelationship, resolutionOptions };
}

/** Step 3: the part of the resolved document the DID URL names: the document, its selected
 * services (or their endpoint URLs), or a verification method or service by fragment. */
function contentOf(
  { parsed, accept, verificationRelationship }: Request,
  doc: DIDDocument,
  docType: string,
  metadata: Record<string, unknown>,
): DereferencingResult {
  const params = parsed.params;
  if (parsed.path !== undefined) {
    throw notFound(
      `did:sigil defines no resources under a DID path (${echo(parsed.path, 60)}); dereference the DID, a #fragment or ?service=`,
    );
  }
  const selecting = params.service !== undefined || params.serviceType !== undefined;
  if (!selecting && params.relativeRef !== undefined) {
    throw notFound("relativeRef names a resource at a service endpoint: give service= or serviceType= too");
  }
  if (selecting) {
    const services = selectServices(doc, params.service, params.serviceType);
    if (services.length === 0) {
      throw notFound(
        `${doc.id} has no service${params.service !== undefined ? ` with id ${echo(params.service, 60)}` : ""}${params.serviceType !== undefined ? ` of type ${echo(params.serviceType, 60)}` : ""}`,
      );
    }
    const urls = endpointUrls(services, params.relativeRef);
    if (accept === URI_LIST) {
      if (urls.length === 0) throw notFound("the selected services have no URL endpoint (their endpoints are maps)");
      // §5.4.2: the endpoint URL inherits the DID URL's fragment.
      const list = parsed.fragment === undefined ? urls : urls.map((u) => withFragment(u, parsed.fragment!));
      return { dereferencingMetadata: { contentType: URI_LIST }, contentStream: list, contentMetadata: { contentType: URI_LIST } };
    }
    const selected: DIDDocument = { ...doc, service: services };
    if (parsed.fragment === undefined)
      return { dereferencingMetadata: { contentType: docType }, contentStream: selected, contentMetadata: metadata };
    return fragmentOf(selected, parsed.fragment, metadata, verificationRelationship);
  }
  if (accept === URI_LIST) {
    throw new RepresentationNotSupportedError({
      accept: URI_LIST,
      supported: [`${URI_LIST} (with ?service= or ?serviceType=)`, ...CONTENT_TYPES],
    });
  }
  if (parsed.fragment !== undefined) return fragmentOf(doc, parsed.fragment, metadata, verificationRelationship);
  if (verificationRelationship !== undefined) {
    throw failure("invalidVerificationMethod", "verificationRelationship asks for a verification method: add its #fragment to the DID URL");
  }
  return { dereferencingMetadata: { contentType: docType }, contentStream: doc, contentMetadata: metadata };
}

/** §5.4.1: services whose id matches `service` (absolute or relative, or as the bare fragment the spec's examples use) and whose type matches `serviceType`. */
function selectServices(doc: DIDDocument, service?: string, serviceType?: string): Service[] {
  const wanted =
    service === undefined
      ? undefined
      : new Set([resolveDidUrl(doc.id, service), resolveDidUrl(doc.id, service.startsWith("#") ? service : `#${service}`)]);
  return (doc.service ?? []).filter((s) => {
    if (wanted && !wanted.has(resolveDidUrl(doc.id, s.id))) return false;
    if (serviceType !== undefined && !(Array.isArray(s.type) ? s.type.includes(serviceType) : s.type === serviceType)) return false;
    return true;
  });
}

/** §5.4.1: the selected string endpoints (maps skipped), each resolved against relativeRef when given. */
function endpointUrls(services: Service[], relativeRef?: string): string[] {
  const urls: string[] = [];
  for (const s of services) {
    const endpoints = Array.isArray(s.serviceEndpoint) ? s.serviceEndpoint : [s.serviceEndpoint];
    for (const e of endpoints) if (typeof e === "string") urls.push(relativeRef === undefined ? e : resolveRelativeRef(e, relativeRef));
  }
  return urls;
}

/** Decodes percent-encoding until nothing changes (a doubly encoded "%252E" too); undefined when not UTF-8. */
function fullyDecoded(text: string): string | undefined {
  let current = text;
  for (let i = 0; i < 4; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return undefined;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

/**
 * RFC 3986 §5 with the endpoint as base. A relativeRef that could leave the endpoint is refused
 * (INVALID_DID_URL, DID Resolution §13.7.1): one with an authority ("//host"), or whose path,
 * fully percent-decoded ("%2E%2E", "%252E%252E") with "\" read as "/", has a "." or ".." segment.
 * An absolute path ("/resume.pdf") is taken as RFC 3986 says: the same scheme and host, that path.
 */
function resolveRelativeRef(endpoint: string, relativeRef: string): string {
  const ref = parseUri(relativeRef);
  const decoded = fullyDecoded(ref.path);
  if (decoded === undefined) throw invalidUrl(`relativeRef ${echo(relativeRef, 60)} is not valid percent-encoded UTF-8`);
  if (
    ref.authority !== undefined ||
    decoded
      .replaceAll("\\", "/")
      .split("/")
      .some((segment) => segment === "." || segment === "..")
  ) {
    throw invalidUrl(
      `relativeRef ${echo(relativeRef, 60)} could leave the service endpoint (a host or a "." / ".." segment); DID Resolution §13.7.1`,
    );
  }
  return resolveUri(endpoint, relativeRef);
}

function withFragment(url: string, fragment: string): string {
  if (parseUri(url).fragment !== undefined)
    throw invalidUrl(
      `the service endpoint ${echo(url, 80)} has a fragment already; the DID URL's #${echo(fragment, 40)} cannot be added (DID Resolution §5.4.2)`,
    );
  return `${url}#${fragment}`;
}

/** §5.4.2: the verification method or service a fragment names, checked against verificationRelationship when asked. */
function fragmentOf(doc: DIDDocument, fragment: string, metadata: Record<string, unknown>, relationship?: string): DereferencingResult {
  const target = resolveDidUrl(doc.id, `#${fragment}`);
  const abs = (id: string) => resolveDidUrl(doc.id, id);
  const methods: VerificationMethod[] = [...(doc.verificationMethod ?? [])];
  for (const r of RELATIONSHIPS)
    for (const item of (doc[r] ?? []) as (string | VerificationMethod)[]) if (typeof item === "object") methods.push(item);
  const method = methods.find((m) => abs(m.id) === target);
  const service = method ? undefined : (doc.service ?? []).find((s) => abs(s.id) === target);
  if (!method && !service) throw notFound(`${doc.id} has no verification method or service with fragment ${echo(fragment, 60)}`);
  if (relationship !== undefined) {
    if (!method)
      throw failure(
        "invalidVerificationMethod",
        `#${fragment} is a service, not a verification method (verificationRelationship ${relationship})`,
      );
    const listed = ((doc[relationship as (typeof RELATIONSHIPS)[number]] ?? []) as (string | VerificationMethod)[]).some(
      (x) => abs(typeof x === "string" ? x : x.id) === target,
    );
    if (!listed)
      throw failure("invalidRelationshipForVerificationMethod", `#${fragment} is not authorised for ${relationship} in ${doc.id}`);
  }
  const node = (method ?? service)! as object;
  // The part keeps the document's contexts, so that it reads the same as JSON-LD (DID Resolution §5.5.1).
  const context = (doc as { "@context"?: unknown })["@context"];
  const content = context === undefined ? node : { "@context": context, ...node };
  return {
    dereferencingMetadata: { contentType: context === undefined ? "application/json" : "application/ld+json" },
    contentStream: content,
    contentMetadata: metadata,
  };
}

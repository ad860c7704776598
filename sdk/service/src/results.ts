// The bodies of the HTTP binding's answers (DID Resolution §12.1): resolution results (§4) and
// dereferencing results (§10) in the spec's shape, their errors (§11) as RFC 9457 problem details.
import type { DIDResolutionResult } from "did-resolver";
import type { DereferencingResult } from "sigil-did";

const RESOLUTION_CONTEXT = "https://w3id.org/did-resolution/v1";
export const DEREFERENCING_TYPE = "application/did-url-dereferencing";

/** DID Resolution §11 errors (and Controlled Identifiers §3.5 for verificationRelationship): HTTP status (§12.1's table), the error type URI, a title. */
const ERRORS: Record<string, { status: number; type: string; title: string }> = {
  invalidDid: { status: 400, type: "https://www.w3.org/ns/did#INVALID_DID", title: "Invalid DID" },
  invalidDidUrl: { status: 400, type: "https://www.w3.org/ns/did#INVALID_DID_URL", title: "Invalid DID URL" },
  invalidOptions: { status: 400, type: "https://www.w3.org/ns/did#INVALID_OPTIONS", title: "Invalid options" },
  notFound: { status: 404, type: "https://www.w3.org/ns/did#NOT_FOUND", title: "Not found" },
  representationNotSupported: {
    status: 406,
    type: "https://www.w3.org/ns/did#REPRESENTATION_NOT_SUPPORTED",
    title: "Representation not supported",
  },
  methodNotSupported: { status: 501, type: "https://www.w3.org/ns/did#METHOD_NOT_SUPPORTED", title: "DID method not supported" },
  featureNotSupported: { status: 501, type: "https://www.w3.org/ns/did#FEATURE_NOT_SUPPORTED", title: "Feature not supported" },
  internalError: { status: 500, type: "https://www.w3.org/ns/did#INTERNAL_ERROR", title: "Internal error" },
  // "Any other error URI": 500, as §12.1's table says, though the caller caused them.
  invalidVerificationMethod: {
    status: 500,
    type: "https://w3id.org/security#INVALID_VERIFICATION_METHOD",
    title: "Invalid verification method",
  },
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
export function resultBody(result: DIDResolutionResult) {
  const { error, message } = result.didResolutionMetadata as { error?: string; message?: string };
  if (error) return errorBody(error, message ?? error).body;
  return {
    "@context": RESOLUTION_CONTEXT,
    didDocument: result.didDocument,
    didResolutionMetadata: result.didResolutionMetadata,
    didDocumentMetadata: result.didDocumentMetadata,
  };
}

/** A resolution result answered as a dereferencing result: the document is the content (an Accept of application/did-url-dereferencing). */
export function documentAsDereferencingBody(result: DIDResolutionResult) {
  return {
    "@context": RESOLUTION_CONTEXT,
    content: result.didDocument,
    dereferencingMetadata: result.didResolutionMetadata,
    contentMetadata: result.didDocumentMetadata,
  };
}

/** A dereferencing result in the spec's HTTP shape (DID Resolution §10: content, dereferencingMetadata, contentMetadata). */
export function dereferencingBody(result: DereferencingResult) {
  return {
    "@context": RESOLUTION_CONTEXT,
    content: result.contentStream,
    dereferencingMetadata: result.dereferencingMetadata,
    contentMetadata: result.contentMetadata,
  };
}

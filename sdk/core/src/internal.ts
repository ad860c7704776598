// sigil-did/internal: the pieces of the SDK that Sigil's own CLI, resolver service, console and
// tests build on (the read pipeline, the document builder, option tables, calldata builders,
// staleness checks). NOT a supported API: anything here may change or go in any release without
// notice. Apps use "sigil-did". Browser-safe, like the main entry.
export { fromParsedDid, MAX_DID_URL_LENGTH } from "./did/did.ts";
export { echo } from "./errors.ts";
export { decodeRegistryLog, decodeRegistryLogs } from "./read/events.ts";
export { buildDocument, DID_CONTEXT, type BuiltDocument, type DocumentPoint } from "./document/document.ts";
export { networkClient, networkReadClient, networkTransport, chainIdHex } from "./read/networks.ts";
export { EmptyCallError, readIdentities } from "./read/reader.ts";
export type { IdentitySnapshot } from "./read/types.ts";
export { createEndpoint, type Endpoint, type EndpointCaps, type EndpointStats } from "./read/endpoint.ts";
export { classifyLogRefusal, getLogsAdaptive, LogLimitError, type LogFilter, type LogRefusal } from "./read/log-ranges.ts";
export { RESOLUTION_OPTIONS } from "./document/resolution-options.ts";
export { DID_PARAMETERS, URI_LIST } from "./resolve/dereference.ts";
export { withPublicKeyFormat } from "./document/representation.ts";
export { CONTEXTS, DID_V1_CONTEXT_URL, SIGIL_CONTEXT_URL } from "./document/contexts.ts";
export { resolveUri } from "./did/uri.ts";
export { directCall, isSignable, KEEP_GUARDIANS, relayedCall, REMOVE_GUARDIANS } from "./write/operations.ts";
export { staleReason } from "./write/write.ts";
export { signedOperationOnChain, type AppliedOperation } from "./write/applied.ts";
export { MAX_RECOVERY_DELAY, MIN_RECOVERY_DELAY } from "./recovery/guardians.ts";
export { REVOCATION_GAS_BUDGET, splitRevocations } from "./write/rotation.ts";
export { proposalOf } from "./recovery/recovery-state.ts";
export { DEFAULT_SKEW_SECONDS } from "./messaging/messaging.ts";
export { keysByRelationship, RELATIONSHIPS } from "./document/changes.ts";
export { activeEntries, staleEntries } from "./document/active.ts";

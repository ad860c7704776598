// did:sigil SDK: resolve DIDs (a DIF did-resolver plugin on viem), write to the registry, sign,
// verify and watch. Runs in browsers and Node.js alike: Node-only helpers live in
// `sigil-did/node`, the ethers v6 adapter in `sigil-did/ethers`.
export { registryEventsAbi, sigilRegistryAbi } from "./abi.ts";
export { parseDid, fromParsedDid, formatDid, isSigilDid, MAX_DID_URL_LENGTH, type ParsedSigilDid, type SigilDidParts } from "./did/did.ts";
export * from "./errors.ts";
export { decodeRegistryLog, decodeRegistryLogs, type RawLog, type RegistryEvent } from "./read/events.ts";
export { buildDocument, DID_CONTEXT, type BuiltDocument, type DocumentPoint } from "./document/document.ts";
export { networkClient, networkEndpoints, networkReadClient, networkTransport, chainIdHex, type SigilNetwork } from "./read/networks.ts";
export { EmptyCallError, HistoryReadError, readIdentities, type HistoryReadFailure } from "./read/reader.ts";
export type { IdentitySnapshot, IdentityState } from "./read/types.ts";
export { createEndpoint, DEFAULT_MAX_BATCH, type Endpoint, type EndpointCaps, type EndpointHealth, type EndpointStats } from "./read/endpoint.ts";
export { classifyLogRefusal, getLogsAdaptive, LogLimitError, type LogFilter, type LogRefusal } from "./read/log-ranges.ts";
export {
  createSigilResolver,
  getResolver,
  type CacheStats,
  type NetworkHealth,
  type SigilResolver,
  type SigilResolverConfig,
} from "./resolve/resolver.ts";
export { createSigilClient } from "./resolve/sigil-client.ts";
export type { SigilClient } from "./resolve/types.ts";
export { resolveDid, resolveDids } from "./resolve/resolve.ts";
export { RESOLUTION_OPTIONS, readResolutionOptions, type SigilResolutionOptions } from "./document/resolution-options.ts";
export { dereference, DID_PARAMETERS, URI_LIST, type DereferencingOptions, type DereferencingResult, type Resolvable } from "./resolve/dereference.ts";
export { documentContext, expandRelativeUrls, withPublicKeyFormat, MULTICODEC_PREFIX, PUBLIC_KEY_FORMATS, type PublicKeyFormat } from "./document/representation.ts";
export {
  CONTEXTS,
  contextLoader,
  CID_V1_CONTEXT_URL,
  DID_V1_1_CONTEXT_URL,
  DID_V1_CONTEXT_URL,
  SECP256K1_RECOVERY_CONTEXT_URL,
  SIGIL_CONTEXT,
  SIGIL_CONTEXT_URL,
} from "./document/contexts.ts";
export { parseUri, recompose, removeDotSegments, resolveDidUrl, resolveUri, type UriParts } from "./did/uri.ts";
export { networkHealth } from "./resolve/health.ts";
export {
  AUTHORISER,
  bytes32Name,
  commitmentOf,
  directCall,
  KEEP_GUARDIANS,
  REMOVE_GUARDIANS,
  isSignable,
  operationTypedData,
  relayedCall,
  sigilDomain,
  sigilTypes,
  type AttributeRef,
  type Authoriser,
  type DelegateRef,
  type GuardianProof,
  type GuardianUpdate,
  type Operation,
  type OperationType,
  type RecoveryProposal,
  type SignableOperation,
  type SigningContext,
} from "./write/operations.ts";
export {
  readSigningContext,
  relayOperation,
  sendOperation,
  signOperation,
  simulateOperation,
  staleReason,
  ReceiptTimeoutError,
  type OperationReceipt,
  type SubmitOptions,
  type RegistryTarget,
  type SignedOperation,
} from "./write/write.ts";
export { decodeSignedOperation, encodeSignedOperation, SignedOperationFormatError } from "./write/signed-json.ts";
export { signedOperationOnChain, type AppliedOperation } from "./write/applied.ts";
export {
  buildGuardianSet,
  generateNextKey,
  verifyGuardianCard,
  DEFAULT_RECOVERY_DELAY,
  MAX_RECOVERY_DELAY,
  MIN_RECOVERY_DELAY,
  type GuardianCard,
  type GuardianSet,
  type NextKeyCard,
} from "./recovery/guardians.ts";
export { planRotation, splitRevocations, REVOCATION_GAS_BUDGET, type RotationPlan } from "./write/rotation.ts";
export {
  foldRecovery,
  proposalOf,
  recoveryMetadata,
  type OpenRecovery,
  type RecoveryMetadataEntry,
  type RecoveryView,
} from "./recovery/recovery-state.ts";
export { checkServiceEndpoint, generateKeyPair, publicKeyAttribute, serviceAttribute, type KeyPair, type KeyPurpose, type KeyType } from "./write/keys.ts";
export { signMessage, verifyMessage, DEFAULT_SKEW_SECONDS, type MessageSigner, type VerifyOptions, type VerifyResult } from "./messaging/messaging.ts";
export { authenticationFingerprint, safetyNumber } from "./messaging/safety.ts";
export { encryptMessage, decryptMessage, keyAgreementKeys, type DecryptedMessage, type JWE, type MessageEncryptionSender } from "./messaging/encryption.ts";
export { createContacts, blocksEncryption, UnverifiedChangeError, type Contacts } from "./messaging/contacts.ts";
export { watchDids, type DidChange, type Watcher, type WatchableResolver } from "./messaging/watch.ts";
export { diffResolutions, describeChange, keyMaterial, keysByRelationship, RELATIONSHIPS, type DidChangeItem, type Relationship } from "./document/changes.ts";
export { activeEntries, staleEntries } from "./document/active.ts";
export { checkHistory, checkLogs, type HistoryCheck } from "./read/consistency.ts";

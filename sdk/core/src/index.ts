// did:sigil SDK: resolve DIDs (a DIF did-resolver plugin on viem), write to the registry, sign,
// verify and watch. Runs in browsers and Node.js alike: Node-only helpers live in
// `sigil-did/node`, the ethers v6 adapter in `sigil-did/ethers`. Named exports only, each one
// part of the supported API (api/sigil-did.api.md records it); the pieces Sigil's own CLI,
// service, console and tests reach into are in `sigil-did/internal`, which is not.
export { registryEventsAbi, sigilRegistryAbi } from "./abi.ts";
export { parseDid, formatDid, isSigilDid, type ParsedSigilDid, type SigilDidParts } from "./did/did.ts";
export {
  SigilError,
  InvalidDidError,
  MethodNotSupportedError,
  UnknownNetworkError,
  InvalidResolutionOptionError,
  RepresentationNotSupportedError,
  FeatureNotSupportedError,
  InternalError,
  InconsistentAnswerError,
  EndpointDisagreementError,
  ProofError,
  RpcError,
  InvalidInputError,
  MessageError,
  RegistryRevertError,
  NoRegistryError,
  WalletDeclinedError,
  NoFundsError,
  RpcUnreachableError,
  UnexpectedError,
  toSigilError,
  type ConsistencyCheck,
  type ProofFact,
  type DidPart,
  type EndpointAnswer,
  type MessageRefusal,
  type ResolutionErrorCode,
  type SigilErrorCode,
} from "./errors.ts";
export type { RawLog, RegistryEvent } from "./read/events.ts";
export type { SigilNetwork } from "./read/networks.ts";
export { memoryDecoyStore, type CrowdOptions, type DecoyStore } from "./resolve/crowd.ts";
export { proveResolution, verifyResolutionMaterial, type ResolutionMaterial } from "./resolve/proven.ts";
// Verified resolution's trust policies: types, and the endpoint maker (the policies' code is loaded only when a network verifies).
export {
  httpHeaderEndpoint,
  type CheckpointPolicy,
  type HeaderEndpoint,
  type HeaderPolicy,
  type QuorumPolicy,
  type SourcePolicy,
} from "./read/trust.ts";
export { HistoryReadError, type HistoryReadFailure } from "./read/reader.ts";
export type { IdentityState } from "./read/types.ts";
export type { EndpointHealth } from "./read/endpoint.ts";
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
export type { SigilResolutionOptions } from "./document/resolution-options.ts";
export { dereference, type DereferencingOptions, type DereferencingResult, type Resolvable } from "./resolve/dereference.ts";
export type { PublicKeyFormat } from "./document/representation.ts";
export { contextLoader, SIGIL_CONTEXT } from "./document/contexts.ts";
export {
  AUTHORISER,
  bytes32Name,
  commitmentOf,
  operationTypedData,
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
  type SimulatedRequest,
  ReceiptTimeoutError,
  type OperationReceipt,
  type SubmitOptions,
  type RegistryTarget,
  type SignedOperation,
} from "./write/write.ts";
export { decodeSignedOperation, encodeSignedOperation, SignedOperationFormatError } from "./write/signed-json.ts";
export {
  buildGuardianSet,
  generateNextKey,
  verifyGuardianCard,
  type GuardianCard,
  type GuardianSet,
  type NextKeyCard,
} from "./recovery/guardians.ts";
export { planRotation, type RotationPlan } from "./write/rotation.ts";
export type { OpenRecovery, RecoveryMetadataEntry, RecoveryView } from "./recovery/recovery-state.ts";
export { generateKeyPair, publicKeyAttribute, serviceAttribute, type KeyPair, type KeyPurpose, type KeyType } from "./write/keys.ts";
export {
  PROOF_CLAIM,
  signMessage,
  verifyMessage,
  type MessageSigner,
  type SignMessageOptions,
  type Verdict,
  type VerifiedBy,
  type VerifyOptions,
  type VerifyResult,
} from "./messaging/messaging.ts";
// Identity proofs carried with messages: the compact encoding, and the offline check (issue 23).
export {
  decodeIdentityProof,
  encodeIdentityProof,
  normalizeIdentityProof,
  IdentityProofFormatError,
  IDENTITY_PROOF_VERSION,
  MAX_IDENTITY_PROOF_CHARS,
  type IdentityProof,
  type ProvenAccountEntry,
  type ProvenLog,
} from "./resolve/identity-proof.ts";
export {
  createTrustedHeaderStore,
  identityProofFromMaterial,
  proveIdentity,
  verifyIdentityProof,
  DEFAULT_PROOF_MAX_AGE_SECONDS,
  type CarriedProofOptions,
  type CarriedVerification,
  type ProofMaxAge,
  type ProofRefusal,
  type TrustedHeaderSource,
} from "./resolve/carried.ts";
export { authenticationFingerprint, safetyNumber } from "./messaging/safety.ts";
export {
  encryptMessage,
  keyAgreementKeys,
  DEFAULT_MESSAGE_TYPE,
  type EncryptionProfile,
  type EncryptMessageOptions,
  type JWE,
  type MessageEncryptionSender,
} from "./messaging/encryption.ts";
export { decryptMessage, type DecryptedMessage, type DecryptOptions } from "./messaging/decryption.ts";
export { DIDCOMM_ENCRYPTED, type Ecdh1puVersion } from "./messaging/didcomm-jwe.ts";
export { CONTENT_ALGORITHMS, KEY_ALGORITHMS, type ContentAlgorithm, type KeyAlgorithm } from "./messaging/jwe-crypto.ts";
// DIDComm v2 (issue 24): did:sigil documents in the form DIDComm peers read, and adapters for didcomm-node's resolver interfaces.
export { didcommDocument, didcommEndpoint, DIDCOMM_SERVICE_TYPE, DIDCOMM_V2_PROFILE } from "./messaging/didcomm/document.ts";
export {
  didcommResolutionOptions,
  didcommResolver,
  didcommSecrets,
  type DIDCommKey,
  type DIDCommResolverOptions,
} from "./messaging/didcomm/adapters.ts";
export {
  parseDidcommSigned,
  DIDCOMM_PLAIN_TYPE,
  DIDCOMM_SIGNATURE_ALGORITHMS,
  DIDCOMM_SIGNED_TYPE,
  MAX_DIDCOMM_MESSAGE_CHARS,
  type DIDCommPlaintext,
  type DIDCommSignatureAlgorithm,
  type ParsedSignedMessage,
} from "./messaging/didcomm/envelope.ts";
export {
  signDidcommMessage,
  verifyDidcommSigned,
  type DIDCommSignedRefusal,
  type DIDCommSignedVerdict,
  type DIDCommSigningKey,
  type DIDCommVerifyOptions,
} from "./messaging/didcomm/signed.ts";
export type {
  DIDCommDIDDoc,
  DIDCommDIDResolver,
  DIDCommMessagingEndpoint,
  DIDCommSecret,
  DIDCommSecretsResolver,
  DIDCommService,
  DIDCommVerificationMethod,
} from "./messaging/didcomm/types.ts";
export { createContacts, UnverifiedChangeError, type Contacts } from "./messaging/contacts.ts";
export { watchDids, type DidChange, type Watcher, type WatchableResolver } from "./messaging/watch.ts";
export {
  memoryWatchStore,
  watchDidsPrivately,
  type PrivateWatchOptions,
  type PrivateWatchState,
  type PrivateWatcher,
  type StoredMark,
  type WatchCheckpoint,
  type WatchStore,
} from "./messaging/private-watch.ts";
export type { StreamLog } from "./read/stream.ts";
export { diffResolutions, describeChange, type DidChangeItem, type Relationship } from "./document/changes.ts";
export {
  DEVICE_NAME,
  DEVICE_SERVICE_TYPE,
  deviceLabel,
  devicesOf,
  diffDevices,
  type Device,
  type DeviceChangeItem,
  type DeviceKey,
  type DeviceLabel,
  type DeviceLabelProblem,
  type DeviceSet,
  type IgnoredDeviceLabel,
} from "./document/devices.ts";
export {
  addDeviceOperations,
  checkDeviceName,
  deviceAttributes,
  deviceRemoval,
  generateDevice,
  removeDeviceOperation,
  type DeviceRemoval,
  type NewDevice,
} from "./write/devices.ts";

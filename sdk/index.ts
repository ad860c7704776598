// did:sigil SDK: resolve DIDs (a DIF did-resolver plugin on viem) and write to the registry.
export { sigilRegistryAbi } from "./abi.ts";
export { parseDid, fromParsedDid, formatDid, isSigilDid, MAX_DID_URL_LENGTH, type ParsedSigilDid, type SigilDidParts } from "./did.ts";
export * from "./errors.ts";
export { decodeRegistryLogs, type RegistryEvent } from "./events.ts";
export { buildDocument, DID_CONTEXT, type BuiltDocument, type DocumentPoint } from "./document.ts";
export { networkClient, networkTransport, chainIdHex, type SigilNetwork } from "./networks.ts";
export { readIdentities, type IdentitySnapshot, type IdentityState } from "./reader.ts";
export {
  createSigilResolver,
  getResolver,
  type CacheStats,
  type NetworkHealth,
  type SigilResolver,
  type SigilResolverConfig,
} from "./resolver.ts";
export {
  bytes32Name,
  commitmentOf,
  operationTypedData,
  sigilDomain,
  sigilTypes,
  type AttributeRef,
  type DelegateRef,
  type Operation,
} from "./operations.ts";
export {
  sendOperation,
  signOperation,
  relayOperation,
  type OperationReceipt,
  type RegistryTarget,
  type SignedOperation,
} from "./write.ts";
export { generateKeyPair, publicKeyAttribute, serviceAttribute, type KeyPair, type KeyPurpose, type KeyType } from "./keys.ts";
export { signMessage, verifyMessage, authenticationFingerprint, type MessageSigner, type VerifyResult } from "./messaging.ts";
export { watchDids, type DidChange, type Watcher } from "./watch.ts";
export { sendOperationWithEthers, signOperationWithEthers, relayOperationWithEthers, eip1193FromEthers } from "./ethers.ts";
export { networksFromDeployments } from "./deployments.ts";
export { activeEntries } from "./active.ts";

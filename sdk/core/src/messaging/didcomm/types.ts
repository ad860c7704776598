// The interfaces of didcomm-node (the WASM build of the reference didcomm-rust, 0.4) that the
// SDK's DIDComm adapters implement, declared here structurally: the SDK runs in browsers and must
// not depend on didcomm-node (a dev-only, Node-only WASM package) or on Veramo. Each type matches
// the one of the same name in didcomm-node's index.d.ts, so an adapter object passes where
// didcomm-node asks for its DIDResolver or SecretsResolver, with no cast.

/** A verification method as didcomm-node reads it (its `VerificationMethod`). */
export interface DIDCommVerificationMethod {
  id: string;
  /** Always `JsonWebKey2020` in what the SDK produces. */
  type: string;
  controller: string;
  /** A public JWK without `alg` (didcomm-rust refuses a JWK with an `alg` member). */
  publicKeyJwk?: Record<string, string>;
  publicKeyMultibase?: string;
  publicKeyBase58?: string;
}

/** The DIDComm v2 `DIDCommMessaging` service endpoint (DIDComm Messaging v2.1 §"Service Endpoint"). */
export interface DIDCommMessagingEndpoint {
  uri: string;
  accept: string[];
  routingKeys: string[];
}

/** A service as didcomm-node reads it (its `Service`). */
export interface DIDCommService {
  id: string;
  type: string;
  serviceEndpoint: DIDCommMessagingEndpoint | unknown;
}

/** A DID document as didcomm-node reads it (its `DIDDoc`): every list present, relationships as ids. */
export interface DIDCommDIDDoc {
  id: string;
  keyAgreement: string[];
  authentication: string[];
  verificationMethod: DIDCommVerificationMethod[];
  service: DIDCommService[];
}

/** didcomm-node's `DIDResolver`: null when the DID is not found. */
export interface DIDCommDIDResolver {
  resolve(did: string): Promise<DIDCommDIDDoc | null>;
}

/** didcomm-node's `Secret`: a private key, typed like the document's method that holds its public half. */
export interface DIDCommSecret {
  id: string;
  type: string;
  privateKeyJwk?: Record<string, string>;
  privateKeyMultibase?: string;
  privateKeyBase58?: string;
}

/** didcomm-node's `SecretsResolver`. */
export interface DIDCommSecretsResolver {
  get_secret(secretId: string): Promise<DIDCommSecret | null>;
  find_secrets(secretIds: string[]): Promise<string[]>;
}

// JSON-LD contexts of did:sigil documents, bundled so that a JSON-LD processor never fetches
// one (DID Resolution §13.3, "JSON-LD Context Integrity"): `contextLoader` serves these copies
// and refuses every other URL. Nothing here is imported by the resolver itself, which only
// names the URLs; apps that expand documents (jsonld.js) import `contextLoader`.
//
// Where each copy comes from (sha256 of the upstream bytes):
//   https://www.w3.org/ns/did/v1      w3c/did context/v1 = npm did-context@3.1.1 contexts/did-v1.jsonld
//                                     (4f3eae5568c9c5f036a082088f9e192019ee06faa78973c87ff91d5421b88dad)
//   https://www.w3.org/ns/did/v1.1    w3c/did context/v1.1rc1 (commit 14f276d), the file the DID 1.1
//                                     spec's hash names (ea216ecc1cb02cd39b693dba2250141e270ba0bf95890be107dd9a9e8e43de85)
//   https://www.w3.org/ns/cid/v1      w3c/cid context/v1.jsonld (commit 4bacd23, Controlled Identifiers
//                                     1.0 REC), byte-identical to did/v1.1 (same sha256)
//   https://w3id.org/security/suites/secp256k1recovery-2020/v2
//                                     decentralized-identity/EcdsaSecp256k1RecoverySignature2020
//                                     lds-ecdsa-secp256k1-recovery2020-2.0.jsonld (commit 420e705; no npm
//                                     package ships it) (442e5eb94f2a5108373120fc01f86bdd1c6fbb71ad11ec44546d1eabe603562f)
//   https://w3id.org/sigil/v1         Sigil's own (docs/did-method-spec.md §4.2); `sigil serve` serves it
//                                     at /contexts/sigil/v1
// test/standards/json-ld.ts checks did/v1 against the did-context package and that every document
// the resolver can produce expands in jsonld.js safe mode with this loader alone.

import { SigilError } from "../errors.ts";
import {
  CID_V1_CONTEXT_URL,
  DID_V1_1_CONTEXT_URL,
  DID_V1_CONTEXT_URL,
  SECP256K1_RECOVERY_CONTEXT_URL,
  SIGIL_CONTEXT_URL,
} from "./context-urls.ts";

export { CID_V1_CONTEXT_URL, DID_V1_1_CONTEXT_URL, DID_V1_CONTEXT_URL, SECP256K1_RECOVERY_CONTEXT_URL, SIGIL_CONTEXT_URL };

/** Sigil's context: the key types and properties did:ethr-style documents use, the service types
 * Sigil's tools write and DIDComm's endpoint members, each with the IRI its vocabulary gives it;
 * any other term (a type or endpoint member a controller chose) falls to `@vocab`, so it expands
 * to an IRI that says whose meaning it is rather than being dropped. */
export const SIGIL_CONTEXT = {
  "@context": {
    "@protected": true,
    "@vocab": "https://w3id.org/sigil/controller-defined#",
    EcdsaSecp256k1VerificationKey2019: "https://w3id.org/security#EcdsaSecp256k1VerificationKey2019",
    Ed25519VerificationKey2018: "https://w3id.org/security#Ed25519VerificationKey2018",
    X25519KeyAgreementKey2019: "https://w3id.org/security#X25519KeyAgreementKey2019",
    RSAVerificationKey2018: "https://w3id.org/security#RsaVerificationKey2018",
    publicKeyHex: "https://w3id.org/security#publicKeyHex",
    publicKeyBase58: "https://w3id.org/security#publicKeyBase58",
    publicKeyPem: "https://w3id.org/security#publicKeyPem",
    publicKeyBase64: "https://w3id.org/sigil#publicKeyBase64",
    value: "https://w3id.org/sigil#publicKeyValue",
    DIDCommMessaging: "https://didcomm.org/messaging#DIDCommMessaging",
    uri: "https://didcomm.org/messaging#uri",
    accept: "https://didcomm.org/messaging#accept",
    routingKeys: "https://didcomm.org/messaging#routingKeys",
    LinkedDomains: "https://identity.foundation/.well-known/resources/did-configuration/#LinkedDomains",
    Messaging: "https://w3id.org/sigil#Messaging",
    MessagingService: "https://w3id.org/sigil#MessagingService",
  },
} as const;

const DID_V1 = {
  "@context": {
    "@protected": true,
    id: "@id",
    type: "@type",
    alsoKnownAs: {
      "@id": "https://www.w3.org/ns/activitystreams#alsoKnownAs",
      "@type": "@id",
    },
    assertionMethod: {
      "@id": "https://w3id.org/security#assertionMethod",
      "@type": "@id",
      "@container": "@set",
    },
    authentication: {
      "@id": "https://w3id.org/security#authenticationMethod",
      "@type": "@id",
      "@container": "@set",
    },
    capabilityDelegation: {
      "@id": "https://w3id.org/security#capabilityDelegationMethod",
      "@type": "@id",
      "@container": "@set",
    },
    capabilityInvocation: {
      "@id": "https://w3id.org/security#capabilityInvocationMethod",
      "@type": "@id",
      "@container": "@set",
    },
    controller: {
      "@id": "https://w3id.org/security#controller",
      "@type": "@id",
    },
    keyAgreement: {
      "@id": "https://w3id.org/security#keyAgreementMethod",
      "@type": "@id",
      "@container": "@set",
    },
    service: {
      "@id": "https://www.w3.org/ns/did#service",
      "@type": "@id",
      "@context": {
        "@protected": true,
        id: "@id",
        type: "@type",
        serviceEndpoint: {
          "@id": "https://www.w3.org/ns/did#serviceEndpoint",
          "@type": "@id",
        },
      },
    },
    verificationMethod: {
      "@id": "https://w3id.org/security#verificationMethod",
      "@type": "@id",
    },
  },
};

const DID_V1_1 = {
  "@context": {
    "@protected": true,
    id: "@id",
    type: "@type",
    alsoKnownAs: {
      "@id": "https://www.w3.org/ns/activitystreams#alsoKnownAs",
      "@type": "@id",
    },
    assertionMethod: {
      "@id": "https://w3id.org/security#assertionMethod",
      "@type": "@id",
      "@container": "@set",
    },
    authentication: {
      "@id": "https://w3id.org/security#authenticationMethod",
      "@type": "@id",
      "@container": "@set",
    },
    capabilityDelegation: {
      "@id": "https://w3id.org/security#capabilityDelegationMethod",
      "@type": "@id",
      "@container": "@set",
    },
    capabilityInvocation: {
      "@id": "https://w3id.org/security#capabilityInvocationMethod",
      "@type": "@id",
      "@container": "@set",
    },
    controller: {
      "@id": "https://w3id.org/security#controller",
      "@type": "@id",
    },
    keyAgreement: {
      "@id": "https://w3id.org/security#keyAgreementMethod",
      "@type": "@id",
      "@container": "@set",
    },
    service: {
      "@id": "https://www.w3.org/ns/did#service",
      "@type": "@id",
      "@context": {
        "@protected": true,
        id: "@id",
        type: "@type",
        serviceEndpoint: {
          "@id": "https://www.w3.org/ns/did#serviceEndpoint",
          "@type": "@id",
        },
      },
    },
    verificationMethod: {
      "@id": "https://w3id.org/security#verificationMethod",
      "@type": "@id",
    },
    Multikey: {
      "@id": "https://w3id.org/security#Multikey",
      "@context": {
        "@protected": true,
        id: "@id",
        type: "@type",
        controller: {
          "@id": "https://w3id.org/security#controller",
          "@type": "@id",
        },
        revoked: {
          "@id": "https://w3id.org/security#revoked",
          "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
        },
        expires: {
          "@id": "https://w3id.org/security#expiration",
          "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
        },
        publicKeyMultibase: {
          "@id": "https://w3id.org/security#publicKeyMultibase",
          "@type": "https://w3id.org/security#multibase",
        },
        secretKeyMultibase: {
          "@id": "https://w3id.org/security#secretKeyMultibase",
          "@type": "https://w3id.org/security#multibase",
        },
      },
    },
    JsonWebKey: {
      "@id": "https://w3id.org/security#JsonWebKey",
      "@context": {
        "@protected": true,
        id: "@id",
        type: "@type",
        controller: {
          "@id": "https://w3id.org/security#controller",
          "@type": "@id",
        },
        revoked: {
          "@id": "https://w3id.org/security#revoked",
          "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
        },
        expires: {
          "@id": "https://w3id.org/security#expiration",
          "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
        },
        publicKeyJwk: {
          "@id": "https://w3id.org/security#publicKeyJwk",
          "@type": "@json",
        },
        secretKeyJwk: {
          "@id": "https://w3id.org/security#secretKeyJwk",
          "@type": "@json",
        },
      },
    },
  },
};

const SECP256K1_RECOVERY_2020_V2 = {
  "@context": {
    id: "@id",
    type: "@type",
    "@protected": true,
    proof: {
      "@id": "https://w3id.org/security#proof",
      "@type": "@id",
      "@container": "@graph",
    },
    EcdsaSecp256k1RecoveryMethod2020: {
      "@id": "https://identity.foundation/EcdsaSecp256k1RecoverySignature2020#EcdsaSecp256k1RecoveryMethod2020",
      "@context": {
        "@protected": true,
        id: "@id",
        type: "@type",
        controller: {
          "@id": "https://w3id.org/security#controller",
          "@type": "@id",
        },
        blockchainAccountId: "https://w3id.org/security#blockchainAccountId",
        publicKeyJwk: {
          "@id": "https://w3id.org/security#publicKeyJwk",
          "@type": "@json",
        },
      },
    },
    EcdsaSecp256k1RecoverySignature2020: {
      "@id": "https://identity.foundation/EcdsaSecp256k1RecoverySignature2020#EcdsaSecp256k1RecoverySignature2020",
      "@context": {
        "@protected": true,
        id: "@id",
        type: "@type",
        challenge: "https://w3id.org/security#challenge",
        created: {
          "@id": "http://purl.org/dc/terms/created",
          "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
        },
        domain: "https://w3id.org/security#domain",
        expires: {
          "@id": "https://w3id.org/security#expiration",
          "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
        },
        jws: "https://w3id.org/security#jws",
        nonce: "https://w3id.org/security#nonce",
        proofPurpose: {
          "@id": "https://w3id.org/security#proofPurpose",
          "@type": "@vocab",
          "@context": {
            "@protected": true,
            id: "@id",
            type: "@type",
            assertionMethod: {
              "@id": "https://w3id.org/security#assertionMethod",
              "@type": "@id",
              "@container": "@set",
            },
            authentication: {
              "@id": "https://w3id.org/security#authenticationMethod",
              "@type": "@id",
              "@container": "@set",
            },
            capabilityInvocation: {
              "@id": "https://w3id.org/security#capabilityInvocationMethod",
              "@type": "@id",
              "@container": "@set",
            },
            capabilityDelegation: {
              "@id": "https://w3id.org/security#capabilityDelegationMethod",
              "@type": "@id",
              "@container": "@set",
            },
            keyAgreement: {
              "@id": "https://w3id.org/security#keyAgreementMethod",
              "@type": "@id",
              "@container": "@set",
            },
          },
        },
        verificationMethod: {
          "@id": "https://w3id.org/security#verificationMethod",
          "@type": "@id",
        },
      },
    },
  },
};

/** Every context a did:sigil document (or a dereferenced part of one) can name, by URL. */
export const CONTEXTS: Readonly<Record<string, object>> = {
  [DID_V1_CONTEXT_URL]: DID_V1,
  [DID_V1_1_CONTEXT_URL]: DID_V1_1,
  // The same bytes as DID 1.1's context (Controlled Identifiers 1.0 defines Multikey and JsonWebKey).
  [CID_V1_CONTEXT_URL]: DID_V1_1,
  [SECP256K1_RECOVERY_CONTEXT_URL]: SECP256K1_RECOVERY_2020_V2,
  [SIGIL_CONTEXT_URL]: SIGIL_CONTEXT,
};

/** A jsonld.js document loader serving the bundled contexts; any other URL is refused (no network). */
export async function contextLoader(url: string): Promise<{ contextUrl: null; documentUrl: string; document: object }> {
  if (!Object.hasOwn(CONTEXTS, url))
    throw new SigilError(
      "notFound",
      `no bundled JSON-LD context for ${JSON.stringify(url.slice(0, 200))}; did:sigil documents name only ${Object.keys(CONTEXTS).join(", ")}`,
    );
  return { contextUrl: null, documentUrl: url, document: structuredClone(CONTEXTS[url]) };
}

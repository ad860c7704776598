// A did:sigil document as DIDComm v2 peers read it (didcomm-rust / didcomm-node, and anything
// holding to the DIDComm Messaging v2.1 document rules). Pure: no I/O.
//
// What changes from the did:ethr-compatible document, and why:
// - Only methods that carry a public key are kept. The controller (`#controller`) and
//   Ethereum-account delegates are EcdsaSecp256k1RecoveryMethod2020 entries with a
//   blockchainAccountId and no key: a DIDComm peer cannot check a signature or agree a key
//   against an account address, and didcomm-rust refuses the whole document over one.
// - Each kept key is a JsonWebKey2020 whose publicKeyJwk is the JWK that representation.ts builds
//   for publicKeyFormat "JsonWebKey" (same decoding, same curve checks), minus its `alg` member,
//   which didcomm-rust's JWK parser refuses.
// - `authentication` and `keyAgreement` are lists of ids of kept methods (embedded methods are
//   moved into verificationMethod); `service` is always a list, as didcomm-rust requires one, and
//   holds only DIDCommMessaging services: didcomm-rust refuses a document with any other type.
// - A `DIDCommMessaging` service is given in the DIDComm v2.1 form, serviceEndpoint
//   `{ uri, accept, routingKeys }`, whether it was published as that map or as a bare URI.
import type { DIDDocument, Service, VerificationMethod } from "did-resolver";
import { base58 } from "@scure/base";
import { MULTICODEC_PREFIX, withPublicKeyFormat } from "../../document/representation.ts";
import type { DIDCommDIDDoc, DIDCommMessagingEndpoint, DIDCommService, DIDCommVerificationMethod } from "./types.ts";

/** The DIDComm service type (DIDComm Messaging v2.1) and the profile its `accept` names by default. */
export const DIDCOMM_SERVICE_TYPE = "DIDCommMessaging";
export const DIDCOMM_V2_PROFILE = "didcomm/v2";

const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every((v) => typeof v === "string") ? (value as string[]) : undefined;

/**
 * A `DIDCommMessaging` endpoint in DIDComm v2.1 form: a URI, or a map with a string `uri` and
 * optional string lists `accept` (default `["didcomm/v2"]`) and `routingKeys` (default none); for a
 * list of endpoints, the first one that is either. Undefined when none is.
 */
export function didcommEndpoint(endpoint: unknown): DIDCommMessagingEndpoint | undefined {
  if (Array.isArray(endpoint)) {
    for (const one of endpoint) {
      const found = didcommEndpoint(one);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof endpoint === "string") return { uri: endpoint, accept: [DIDCOMM_V2_PROFILE], routingKeys: [] };
  if (typeof endpoint !== "object" || endpoint === null) return undefined;
  const map = endpoint as Record<string, unknown>;
  if (typeof map.uri !== "string") return undefined;
  const accept = map.accept === undefined ? [DIDCOMM_V2_PROFILE] : strings(map.accept);
  const routingKeys = map.routingKeys === undefined ? [] : strings(map.routingKeys);
  if (!accept || !routingKeys) return undefined;
  return { uri: map.uri, accept: [...accept], routingKeys: [...routingKeys] };
}

const LEGACY_TYPE = {
  secp256k1: "EcdsaSecp256k1VerificationKey2019",
  Ed25519: "Ed25519VerificationKey2018",
  X25519: "X25519KeyAgreementKey2019",
} as const;

/** A Multikey (publicKeyFormat "Multikey") back in its did:ethr type, so that representation.ts
 * re-encodes it as a JWK with the same checks as any key; other methods unchanged. */
function fromMultikey(vm: VerificationMethod): VerificationMethod {
  const multibase = vm.publicKeyMultibase;
  if (vm.type !== "Multikey" || typeof multibase !== "string" || !multibase.startsWith("z")) return vm;
  let bytes: Uint8Array;
  try {
    bytes = base58.decode(multibase.slice(1));
  } catch {
    return vm;
  }
  for (const [curve, [a, b]] of Object.entries(MULTICODEC_PREFIX) as [keyof typeof LEGACY_TYPE, readonly [number, number]][]) {
    if (bytes[0] === a && bytes[1] === b)
      return { id: vm.id, type: LEGACY_TYPE[curve], controller: vm.controller, publicKeyBase58: base58.encode(bytes.slice(2)) };
  }
  return vm;
}

const DIDCOMM_CURVES = new Set(["OKP Ed25519", "OKP X25519", "EC secp256k1", "EC P-256"]);

/** A method as JsonWebKey2020 without `alg`, or undefined when it carries no key Sigil can encode. */
function asJsonWebKey2020(vm: VerificationMethod): DIDCommVerificationMethod | undefined {
  const jwk = vm.publicKeyJwk as Record<string, unknown> | undefined;
  if ((vm.type !== "JsonWebKey" && vm.type !== "JsonWebKey2020") || !jwk) return undefined;
  // Only curves DIDComm peers implement: didcomm-rust refuses a whole document over one it does not.
  if (!DIDCOMM_CURVES.has(`${String(jwk.kty)} ${String(jwk.crv)}`)) return undefined;
  const publicKeyJwk: Record<string, string> = {};
  for (const [name, value] of Object.entries(jwk)) if (name !== "alg" && typeof value === "string") publicKeyJwk[name] = value;
  return { id: vm.id, type: "JsonWebKey2020", controller: vm.controller, publicKeyJwk };
}

/** Only DIDCommMessaging services: didcomm-rust 0.4 refuses the whole document over a service of
 * any other type (its enum knows `DIDCommMessaging` and `Other` only), and DIDComm uses no other. */
function service(s: Service): DIDCommService | undefined {
  if (s.type !== DIDCOMM_SERVICE_TYPE) return undefined;
  const endpoint = didcommEndpoint(s.serviceEndpoint);
  return endpoint ? { id: s.id, type: s.type, serviceEndpoint: endpoint } : undefined;
}

/**
 * The DIDComm-ready form of a resolved did:sigil document (any publicKeyFormat): what
 * didcomm-node's DIDResolver must return. Pure; pass only a document your resolver accepted (a
 * deactivated DID's document has no keys, and `didcommResolver` never calls this for one).
 */
export function didcommDocument(doc: DIDDocument): DIDCommDIDDoc {
  // Embedded methods (Sigil writes none; other documents may) join the list so that they are
  // re-encoded like the others and referred to by id.
  const embedded = [doc.authentication, doc.keyAgreement].flatMap((list) =>
    (list ?? []).filter((x): x is VerificationMethod => typeof x === "object" && x !== null),
  );
  const all: DIDDocument = { ...doc, verificationMethod: [...(doc.verificationMethod ?? []), ...embedded].map(fromMultikey) };
  const methods = (withPublicKeyFormat(all, "JsonWebKey", "application/did+json").verificationMethod ?? [])
    .map(asJsonWebKey2020)
    .filter((vm): vm is DIDCommVerificationMethod => vm !== undefined);
  const kept = new Set(methods.map((vm) => vm.id));
  const ids = (list: DIDDocument["authentication"]) =>
    [...new Set((list ?? []).map((x) => (typeof x === "string" ? x : x.id)))].filter((id) => kept.has(id));
  return {
    id: doc.id,
    verificationMethod: [...new Map(methods.map((vm) => [vm.id, vm])).values()],
    authentication: ids(doc.authentication),
    keyAgreement: ids(doc.keyAgreement),
    service: (doc.service ?? []).map(service).filter((s): s is DIDCommService => s !== undefined),
  };
}

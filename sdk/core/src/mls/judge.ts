// Whether a DID, as resolved, authenticates an MLS leaf's signature key: the one rule the
// authentication service, the batched group check and the watcher all apply, so the three never
// disagree. Pure over a resolution result; key bytes compared as curve points through
// @noble/curves (an MLS library may send a P-256 key compressed or not).
import { p256 } from "@noble/curves/nist.js";
import { base58, base64, base64urlnopad, hex } from "@scure/base";
import type { DIDResolutionResult, VerificationMethod } from "did-resolver";

/** Why a leaf is not (or no longer) authorised by its DID. */
export type StaleReason =
  | "notDidCredential" // the credential is not a basic credential naming a DID
  | "unresolvable" // the DID does not resolve (not found, invalid, method not supported)
  | "deactivated" // the DID is deactivated: no key speaks for it any more
  | "keyNotAuthenticated"; // the leaf's key is not among the DID's authentication keys (rotated, revoked, recovered)

/** What a resolution says about one leaf key. `retry`: the resolver failed (network), nothing is known. */
export type MemberVerdict =
  { ok: true; did: string; keyId: string } | { ok: false; did?: string; reason: StaleReason; message: string; retry?: boolean };

/** The curves of the MLS signature keys a did:sigil document can publish (suites 1 and 3: Ed25519; suite 2: P-256). */
export type MlsKeyCurve = "Ed25519" | "P-256";

/** Legacy and DID 1.1 types whose key is an Ed25519 or P-256 key (MLS suites 1, 3 and 2). */
const CURVE_OF_TYPE: Record<string, MlsKeyCurve> = {
  Ed25519VerificationKey2018: "Ed25519",
  Ed25519VerificationKey2020: "Ed25519",
  P256: "P-256",
  EcdsaSecp256r1VerificationKey2019: "P-256",
};
/** Multicodec headers (ed25519-pub 0xed, p256-pub 0x1200) of a Multikey. */
const MULTIKEY_HEADERS: [MlsKeyCurve, number, number][] = [
  ["Ed25519", 0xed, 0x01],
  ["P-256", 0x80, 0x24],
];

/** The curve and raw key of a verification method in any of the forms resolvers give, or undefined. */
export function methodKey(vm: VerificationMethod): { curve: MlsKeyCurve; bytes: Uint8Array } | undefined {
  try {
    const jwk = vm.publicKeyJwk;
    if (jwk && typeof jwk.x === "string") {
      if (jwk.kty === "OKP" && jwk.crv === "Ed25519") return { curve: "Ed25519", bytes: base64urlnopad.decode(jwk.x) };
      if (jwk.kty === "EC" && jwk.crv === "P-256" && typeof jwk.y === "string")
        return { curve: "P-256", bytes: Uint8Array.of(4, ...base64urlnopad.decode(jwk.x), ...base64urlnopad.decode(jwk.y)) };
      return undefined;
    }
    if (typeof vm.publicKeyMultibase === "string" && vm.publicKeyMultibase.startsWith("z")) {
      const raw = base58.decode(vm.publicKeyMultibase.slice(1));
      const header = MULTIKEY_HEADERS.find(([, a, b]) => raw[0] === a && raw[1] === b);
      return header ? { curve: header[0], bytes: raw.slice(2) } : undefined;
    }
    const curve = CURVE_OF_TYPE[vm.type];
    if (!curve) return undefined;
    if (typeof vm.publicKeyHex === "string") return { curve, bytes: hex.decode(vm.publicKeyHex.toLowerCase()) };
    if (typeof vm.publicKeyBase58 === "string") return { curve, bytes: base58.decode(vm.publicKeyBase58) };
    if (typeof vm.publicKeyBase64 === "string") return { curve, bytes: base64.decode(vm.publicKeyBase64) };
  } catch {
    return undefined; // malformed encoding: not a key this leaf could match
  }
  return undefined;
}

/** The key as one canonical byte string for its curve (P-256 compressed), or undefined when it is no key. */
function canonical(curve: MlsKeyCurve, bytes: Uint8Array): string | undefined {
  try {
    // Ed25519 keys are compared as the bytes signatures are checked against (RFC 8032 §5.1.7).
    if (curve === "Ed25519") return bytes.length === 32 ? hex.encode(bytes) : undefined;
    return hex.encode(p256.Point.fromBytes(bytes).toBytes(true));
  } catch {
    return undefined;
  }
}

/** The authentication methods of a document, references followed to its verificationMethod list. */
function authenticationMethods(result: DIDResolutionResult): VerificationMethod[] {
  const doc = result.didDocument;
  if (!doc) return [];
  const byId = new Map((doc.verificationMethod ?? []).map((vm) => [vm.id.startsWith("#") ? `${doc.id}${vm.id}` : vm.id, vm]));
  return (doc.authentication ?? []).flatMap((ref) => {
    if (typeof ref !== "string") return [ref];
    const vm = byId.get(ref.startsWith("#") ? `${doc.id}${ref}` : ref);
    return vm ? [vm] : [];
  });
}

/** Resolution errors that say something about the DID itself; any other (a timeout, a node down) says nothing. */
const DEFINITIVE = new Set(["notFound", "invalidDid", "methodNotSupported"]);

/**
 * Judges one leaf key against its DID's resolution: authorised when the DID resolves, is not
 * deactivated, and lists a verification method with that key (Ed25519 or P-256) under
 * `authentication`, the relationship DID Core gives to keys that prove who the subject is.
 */
export function judgeMember(did: string, signaturePublicKey: Uint8Array, result: DIDResolutionResult): MemberVerdict {
  const error = result.didResolutionMetadata.error;
  if (error) {
    const message = `${did} did not resolve: ${error}${result.didResolutionMetadata.message ? ` (${result.didResolutionMetadata.message})` : ""}`;
    return { ok: false, did, reason: "unresolvable", message, ...(DEFINITIVE.has(error) ? {} : { retry: true }) };
  }
  if (result.didDocumentMetadata.deactivated === true)
    return { ok: false, did, reason: "deactivated", message: `${did} is deactivated: remove the member` };
  if (result.didDocument?.id !== undefined && result.didDocument.id.toLowerCase() !== did.toLowerCase())
    return { ok: false, did, reason: "unresolvable", message: `the resolver answered for ${result.didDocument.id}, not ${did}` };
  for (const vm of authenticationMethods(result)) {
    const key = methodKey(vm);
    if (!key) continue;
    const theirs = canonical(key.curve, key.bytes);
    if (theirs !== undefined && theirs === canonical(key.curve, signaturePublicKey)) return { ok: true, did, keyId: vm.id };
  }
  return {
    ok: false,
    did,
    reason: "keyNotAuthenticated",
    message: `the leaf's signature key is not an authentication key of ${did} (rotated or revoked): refuse its messages and remove the leaf`,
  };
}

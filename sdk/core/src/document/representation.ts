// How a did:sigil document is represented: its JSON-LD contexts for the media type asked for,
// the DID 1.1 / Controlled Identifiers key formats (`publicKeyFormat`: Multikey or JsonWebKey)
// as an option beside the did:ethr-compatible default, and DID Resolution's expandRelativeUrls.
// Pure functions over a built document; no I/O.
//
//   media type               @context
//   application/did+ld+json  did/v1, [cid/v1 with publicKeyFormat], secp256k1recovery-2020/v2, sigil/v1   (DID Core 1.0 §6.3.1)
//   application/ld+json      the same
//   application/did          did/v1.1, secp256k1recovery-2020/v2, sigil/v1                            (DID 1.1: v1.1 first)
//   application/did+json     none                                                                     (DID Core 1.0 §6.2)
//
// Key formats (docs/did-method-spec.md §4.2 has the table): a key published as a did/pub attribute
// whose type and length Sigil knows becomes, with publicKeyFormat "Multikey", a Multikey whose
// publicKeyMultibase is "z" (base58btc) + base58btc(multicodec varint prefix ‖ key) with the prefix
// from the multicodec table: secp256k1-pub 0xe7 (bytes e7 01, the 33-byte compressed key),
// ed25519-pub 0xed (ed 01), x25519-pub 0xec (ec 01), p256-pub 0x1200 (80 24, compressed); with
// "JsonWebKey", a JsonWebKey whose publicKeyJwk is RFC 8037 OKP (Ed25519 with alg EdDSA, X25519),
// RFC 8812 EC secp256k1 (x, y; alg ES256K) or RFC 7518 EC P-256 (x, y; alg ES256). Everything else (the controller and delegates, which are Ethereum accounts, RSA
// keys, unknown algorithms, keys of the wrong length or off the curve) keeps its did:ethr form.
import { p256 } from "@noble/curves/nist.js";
import { base58, base64, base64urlnopad } from "@scure/base";
import type { DIDDocument, VerificationMethod } from "did-resolver";
import { bytesToBigInt, hexToBytes, numberToBytes } from "viem";
import {
  CID_V1_CONTEXT_URL,
  DID_V1_1_CONTEXT_URL,
  DID_V1_CONTEXT_URL,
  SECP256K1_RECOVERY_CONTEXT_URL,
  SIGIL_CONTEXT_URL,
} from "./context-urls.ts";
import { resolveDidUrl } from "../did/uri.ts";

/** The key formats `publicKeyFormat` offers (DID 1.1 / Controlled Identifiers 1.0 types). */
export type PublicKeyFormat = "Multikey" | "JsonWebKey";
export const PUBLIC_KEY_FORMATS: readonly PublicKeyFormat[] = ["Multikey", "JsonWebKey"];

/** The @context for `accept` (undefined: none, for plain JSON); `keyFormat` adds cid/v1 to a DID Core 1.0 context. */
export function documentContext(accept: string, keyFormat = false): string[] | undefined {
  if (accept === "application/did+json") return undefined;
  if (accept === "application/did") return [DID_V1_1_CONTEXT_URL, SECP256K1_RECOVERY_CONTEXT_URL, SIGIL_CONTEXT_URL];
  return keyFormat
    ? [DID_V1_CONTEXT_URL, CID_V1_CONTEXT_URL, SECP256K1_RECOVERY_CONTEXT_URL, SIGIL_CONTEXT_URL]
    : [DID_V1_CONTEXT_URL, SECP256K1_RECOVERY_CONTEXT_URL, SIGIL_CONTEXT_URL];
}

type Curve = "secp256k1" | "Ed25519" | "X25519" | "P-256";
const CURVE_OF: Record<string, Curve> = {
  EcdsaSecp256k1VerificationKey2019: "secp256k1",
  Ed25519VerificationKey2018: "Ed25519",
  X25519KeyAgreementKey2019: "X25519",
  // A did/pub/P256 attribute: did:ethr's type is the algorithm itself (no legacy name for P-256).
  P256: "P-256",
};
/** Multicodec varint prefixes (multicodec table: secp256k1-pub 0xe7, ed25519-pub 0xed, x25519-pub 0xec, p256-pub 0x1200). */
export const MULTICODEC_PREFIX: Record<Curve, readonly [number, number]> = {
  secp256k1: [0xe7, 0x01],
  Ed25519: [0xed, 0x01],
  X25519: [0xec, 0x01],
  "P-256": [0x80, 0x24],
};

const decoders: [keyof VerificationMethod, (s: string) => Uint8Array][] = [
  ["publicKeyHex", (s) => (/^(?:[0-9a-fA-F]{2})+$/.test(s) ? hexToBytes(`0x${s}`) : new Uint8Array())],
  ["publicKeyBase64", (s) => base64.decode(s)],
  ["publicKeyBase58", (s) => base58.decode(s)],
];

/** The raw public key of a legacy verification method Sigil can re-encode, or undefined. */
function rawKey(vm: VerificationMethod): { curve: Curve; bytes: Uint8Array } | undefined {
  const curve = CURVE_OF[vm.type];
  if (!curve) return undefined;
  for (const [property, decode] of decoders) {
    const text = vm[property];
    if (typeof text !== "string") continue;
    let bytes: Uint8Array;
    try {
      bytes = decode(text);
    } catch {
      return undefined;
    }
    if (curve === "Ed25519" || curve === "X25519") return bytes.length === 32 ? { curve, bytes } : undefined;
    return (bytes.length === 33 && (bytes[0] === 2 || bytes[0] === 3)) || (bytes.length === 65 && bytes[0] === 4)
      ? { curve, bytes }
      : undefined;
  }
  return undefined;
}

// secp256k1 field prime; y = (x³ + 7)^((p+1)/4) mod p, as p ≡ 3 (mod 4) (SEC 1 §2.3.4).
const P = 2n ** 256n - 2n ** 32n - 977n;
function modPow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = base % P;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

/** x ‖ y of a secp256k1 key (SEC 1 §2.3.3-2.3.4), or undefined when the point is not on the curve. */
function secp256k1Point(bytes: Uint8Array): { x: Uint8Array; y: Uint8Array } | undefined {
  const x = bytes.slice(1, 33);
  const X = bytesToBigInt(x);
  const y2 = (X * X * X + 7n) % P;
  if (X >= P) return undefined;
  if (bytes.length === 65) {
    const Y = bytesToBigInt(bytes.slice(33));
    return Y < P && (Y * Y) % P === y2 ? { x, y: bytes.slice(33) } : undefined;
  }
  let Y = modPow(y2, (P + 1n) / 4n);
  if ((Y * Y) % P !== y2) return undefined;
  if ((Y & 1n) !== BigInt(bytes[0] & 1)) Y = P - Y;
  return { x, y: numberToBytes(Y, { size: 32 }) };
}

/** x ‖ y of a P-256 key, through noble (which checks the point is on the curve), or undefined. */
function p256Point(bytes: Uint8Array): { x: Uint8Array; y: Uint8Array } | undefined {
  try {
    const raw = p256.Point.fromBytes(bytes).toBytes(false);
    return { x: raw.slice(1, 33), y: raw.slice(33) };
  } catch {
    return undefined;
  }
}

/** A legacy key method re-expressed as a Multikey or JsonWebKey; undefined when it cannot be. */
function reformat(vm: VerificationMethod, format: PublicKeyFormat): VerificationMethod | undefined {
  const key = rawKey(vm);
  if (!key) return undefined;
  const { curve } = key;
  let bytes = key.bytes;
  const head = { id: vm.id, type: format, controller: vm.controller };
  if (curve === "secp256k1" || curve === "P-256") {
    const point = curve === "P-256" ? p256Point(bytes) : secp256k1Point(bytes);
    if (!point) return undefined;
    if (format === "JsonWebKey") {
      const alg = curve === "P-256" ? "ES256" : "ES256K";
      return {
        ...head,
        publicKeyJwk: { kty: "EC", crv: curve, alg, x: base64urlnopad.encode(point.x), y: base64urlnopad.encode(point.y) },
      };
    }
    bytes = new Uint8Array([2 | (point.y[31] & 1), ...point.x]); // SEC 1 §2.3.3 compressed form, as the multicodec table asks
  }
  if (format === "JsonWebKey") {
    return {
      ...head,
      publicKeyJwk: { kty: "OKP", crv: curve, ...(curve === "Ed25519" ? { alg: "EdDSA" } : {}), x: base64urlnopad.encode(bytes) },
    };
  }
  return { ...head, publicKeyMultibase: `z${base58.encode(new Uint8Array([...MULTICODEC_PREFIX[curve], ...bytes]))}` };
}

/** The document with every key Sigil can re-encode in `format`, and the @context that defines it. */
export function withPublicKeyFormat(doc: DIDDocument, format: PublicKeyFormat, accept: string): DIDDocument {
  const out: DIDDocument = { ...doc };
  if (doc.verificationMethod) out.verificationMethod = doc.verificationMethod.map((vm) => reformat(vm, format) ?? vm);
  const context = documentContext(accept, true);
  if (context && "@context" in doc) out["@context"] = context;
  return out;
}

/**
 * DID Resolution §4.4 expandRelativeUrls: every relative DID URL among the ids of services and
 * verification methods and the references of verification relationships, made absolute against
 * the DID (DID Core 1.0 §3.2.2). Sigil writes absolute ids, so this changes nothing in its own
 * documents; it is implemented for what the option promises.
 */
export function expandRelativeUrls(doc: DIDDocument): DIDDocument {
  const did = doc.id;
  const abs = (url: string) => resolveDidUrl(did, url);
  const item = (x: unknown): unknown => {
    if (typeof x === "string") return abs(x);
    const id = x && typeof x === "object" ? (x as { id?: unknown }).id : undefined;
    return typeof id === "string" ? { ...(x as object), id: abs(id) } : x;
  };
  const out: Record<string, unknown> = { ...doc };
  for (const key of [
    "verificationMethod",
    "service",
    "authentication",
    "assertionMethod",
    "keyAgreement",
    "capabilityInvocation",
    "capabilityDelegation",
  ]) {
    const list = out[key];
    if (Array.isArray(list)) out[key] = list.map(item);
  }
  return out as DIDDocument;
}

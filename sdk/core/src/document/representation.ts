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

// Short Weierstrass curves y² = x³ + ax + b whose field prime p ≡ 3 (mod 4), so a compressed
// key's y is (x³ + ax + b)^((p+1)/4) mod p (SEC 1 §2.3.3-2.3.4). Decompressing a key only to
// re-encode it; signatures are checked by @noble/curves elsewhere. Done here rather than with
// noble's curves because they cost the browser resolver 16 KB gzip for this one step (tested
// against noble on random keys in test/unit/sdk/representation-points.ts).
const CURVES = {
  secp256k1: { p: 2n ** 256n - 2n ** 32n - 977n, a: 0n, b: 7n },
  "P-256": {
    p: 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n,
    a: -3n,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  },
} as const;

function modPow(base: bigint, exponent: bigint, p: bigint): bigint {
  let result = 1n;
  let b = ((base % p) + p) % p;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % p;
    b = (b * b) % p;
  }
  return result;
}

/** x ‖ y of a secp256k1 or P-256 key (33-byte compressed or 65-byte uncompressed), or undefined
 * when the point is not on the curve. */
export function curvePoint(curve: keyof typeof CURVES, bytes: Uint8Array): { x: Uint8Array; y: Uint8Array } | undefined {
  const { p, a, b } = CURVES[curve];
  const x = bytes.slice(1, 33);
  const X = bytesToBigInt(x);
  if (X >= p) return undefined;
  const y2 = (((X * X * X + a * X + b) % p) + p) % p;
  if (bytes.length === 65) {
    const Y = bytesToBigInt(bytes.slice(33));
    return Y < p && (Y * Y) % p === y2 ? { x, y: bytes.slice(33) } : undefined;
  }
  let Y = modPow(y2, (p + 1n) / 4n, p);
  if ((Y * Y) % p !== y2) return undefined;
  if ((Y & 1n) !== BigInt(bytes[0] & 1)) Y = (p - Y) % p;
  return { x, y: numberToBytes(Y, { size: 32 }) };
}

/** A legacy key method re-expressed as a Multikey or JsonWebKey; undefined when it cannot be. */
function reformat(vm: VerificationMethod, format: PublicKeyFormat): VerificationMethod | undefined {
  const key = rawKey(vm);
  if (!key) return undefined;
  const { curve } = key;
  let bytes = key.bytes;
  const head = { id: vm.id, type: format, controller: vm.controller };
  if (curve === "secp256k1" || curve === "P-256") {
    const point = curvePoint(curve, bytes);
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

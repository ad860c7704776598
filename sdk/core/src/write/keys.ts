// Keys the documents carry (secp256k1, Ed25519, X25519, P-256), built on @noble/curves, and the
// ERC-1056 attribute (name + value) that publishes each one in a DID document.
import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { bytesToHex, type Hex } from "viem";
import { InvalidInputError } from "../errors.ts";
import { bytes32Name, type AttributeRef } from "./operations.ts";

/** P256: NIST P-256 (secp256r1), the signature key of MLS cipher suite 2 and of WebAuthn/passkeys. */
export type KeyType = "Secp256k1" | "Ed25519" | "X25519" | "P256";
/** veriKey: assertion (signing); sigAuth: authentication and assertion; enc: key agreement. */
export type KeyPurpose = "veriKey" | "sigAuth" | "enc";

export interface KeyPair {
  type: KeyType;
  secretKey: Uint8Array;
  /** Compressed (33 bytes) for secp256k1 and P-256, 32 bytes for Ed25519 and X25519. */
  publicKey: Uint8Array;
}

export function generateKeyPair(type: KeyType): KeyPair {
  switch (type) {
    case "Secp256k1": {
      const secretKey = secp256k1.utils.randomSecretKey();
      return { type, secretKey, publicKey: secp256k1.getPublicKey(secretKey, true) };
    }
    case "Ed25519": {
      const secretKey = ed25519.utils.randomSecretKey();
      return { type, secretKey, publicKey: ed25519.getPublicKey(secretKey) };
    }
    case "X25519": {
      const secretKey = x25519.utils.randomSecretKey();
      return { type, secretKey, publicKey: x25519.getPublicKey(secretKey) };
    }
    case "P256": {
      const secretKey = p256.utils.randomSecretKey();
      return { type, secretKey, publicKey: p256.getPublicKey(secretKey, true) };
    }
  }
}

const EXPECTED_LENGTH: Record<KeyType, number> = { Secp256k1: 33, Ed25519: 32, X25519: 32, P256: 33 };
/** The Weierstrass curves, whose keys are checked to be points (an Edwards/Montgomery key of the right length always decodes). */
const WEIERSTRASS = { Secp256k1: secp256k1, P256: p256 } as const;

/**
 * The attribute that publishes `publicKey` (`did/pub/<type>/<purpose>/hex`): the document
 * shows it as EcdsaSecp256k1VerificationKey2019, Ed25519VerificationKey2018 or
 * X25519KeyAgreementKey2019 with publicKeyHex, as did:ethr does. A P-256 key
 * (`did/pub/P256/<purpose>/hex`, compressed) has no legacy did:ethr type: ethr-did-resolver's
 * legacyAlgoMap has no P-256 entry, so it (and Sigil's default form) shows type "P256" with
 * publicKeyHex; with `publicKeyFormat` Multikey or JsonWebKey Sigil shows a proper Multikey
 * (p256-pub) or a JsonWebKey (EC, crv P-256). The registered long name,
 * EcdsaSecp256r1VerificationKey2019, does not fit the 32-byte attribute name.
 */
export function publicKeyAttribute(type: KeyType, purpose: KeyPurpose, publicKey: Uint8Array): AttributeRef {
  if (!Object.hasOwn(EXPECTED_LENGTH, type)) {
    throw new InvalidInputError({ what: "key type", value: String(type), expected: Object.keys(EXPECTED_LENGTH).join(", ") });
  }
  if (publicKey.length !== EXPECTED_LENGTH[type]) {
    throw new InvalidInputError({
      what: `${type} public key`,
      value: `${publicKey.length} bytes`,
      expected: `${EXPECTED_LENGTH[type]} bytes`,
    });
  }
  if (type === "X25519" && purpose !== "enc")
    throw new InvalidInputError({ what: "purpose", value: purpose, expected: "enc: an X25519 key is published for key agreement only" });
  if (type !== "X25519" && purpose === "enc")
    throw new InvalidInputError({ what: "purpose", value: purpose, expected: `veriKey or sigAuth: a ${type} key signs` });
  if (type === "Secp256k1" || type === "P256") {
    try {
      WEIERSTRASS[type].Point.fromBytes(publicKey);
    } catch {
      throw new InvalidInputError({
        what: `${type} public key`,
        value: bytesToHex(publicKey),
        expected: "a point on the curve (33-byte compressed form)",
      });
    }
  }
  return { name: bytes32Name(`did/pub/${type}/${purpose}/hex`), value: bytesToHex(publicKey) };
}

/** Endpoint schemes a document may carry: none that runs code or reads local files when followed. */
const REFUSED_SCHEMES = new Set(["javascript:", "data:", "vbscript:", "file:", "blob:"]);
const MAX_ENDPOINT_LENGTH = 2048;

/** Refuses what no correspondent should be sent to: empty, whitespace, not an absolute URI, or a scheme that runs code. */
export function checkServiceEndpoint(endpoint: string, what = "service endpoint"): void {
  const bad = (expected: string) => new InvalidInputError({ what, value: endpoint, expected });
  if (endpoint.length === 0 || endpoint.length > MAX_ENDPOINT_LENGTH) throw bad(`1 to ${MAX_ENDPOINT_LENGTH} characters`);
  if (/[\s\p{Cc}]/u.test(endpoint)) throw bad("no spaces or control characters (percent-encode them)");
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw bad("an absolute URI with a scheme, like https://inbox.example/alice or did:sigil:…");
  }
  if (REFUSED_SCHEMES.has(url.protocol))
    throw bad(`a scheme other than ${[...REFUSED_SCHEMES].join(" ")} (they run code or read local files)`);
}

/** The attribute that publishes a service (`did/svc/<type>`), endpoint as UTF-8 (JSON if not a
 * string: DID Core's map form, whose string values that look like URIs are checked too). */
export function serviceAttribute(type: string, endpoint: string | Record<string, unknown>): AttributeRef {
  if (!/^\w{1,24}$/.test(type))
    throw new InvalidInputError({
      what: "service type",
      value: type,
      expected: "1 to 24 letters, digits or _ (it must fit the 32-byte attribute name)",
    });
  if (typeof endpoint === "string") checkServiceEndpoint(endpoint);
  else {
    for (const [k, v] of Object.entries(endpoint))
      if (typeof v === "string" && /^[a-z][a-z0-9+.-]*:/i.test(v)) checkServiceEndpoint(v, `service endpoint ${k}`);
  }
  const text = typeof endpoint === "string" ? endpoint : JSON.stringify(endpoint);
  return { name: bytes32Name(`did/svc/${type}`), value: bytesToHex(new TextEncoder().encode(text)) as Hex };
}

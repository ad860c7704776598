// Keys the documents carry (secp256k1, Ed25519, X25519), built on @noble/curves, and the
// ERC-1056 attribute (name + value) that publishes each one in a DID document.
import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { bytesToHex, type Hex } from "viem";
import { bytes32Name, type AttributeRef } from "./operations.ts";

export type KeyType = "Secp256k1" | "Ed25519" | "X25519";
/** veriKey: assertion (signing); sigAuth: authentication and assertion; enc: key agreement. */
export type KeyPurpose = "veriKey" | "sigAuth" | "enc";

export interface KeyPair {
  type: KeyType;
  secretKey: Uint8Array;
  /** Compressed (33 bytes) for secp256k1, 32 bytes for Ed25519 and X25519. */
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
  }
}

const EXPECTED_LENGTH: Record<KeyType, number> = { Secp256k1: 33, Ed25519: 32, X25519: 32 };

/**
 * The attribute that publishes `publicKey` (`did/pub/<type>/<purpose>/hex`): the document
 * shows it as EcdsaSecp256k1VerificationKey2019, Ed25519VerificationKey2018 or
 * X25519KeyAgreementKey2019 with publicKeyHex, as did:ethr does.
 */
export function publicKeyAttribute(type: KeyType, purpose: KeyPurpose, publicKey: Uint8Array): AttributeRef {
  if (publicKey.length !== EXPECTED_LENGTH[type]) {
    throw new Error(`a ${type} public key has ${EXPECTED_LENGTH[type]} bytes, got ${publicKey.length}`);
  }
  if (type === "X25519" && purpose !== "enc") throw new Error("an X25519 key can only be published for key agreement (enc)");
  if (type !== "X25519" && purpose === "enc") throw new Error(`a ${type} key signs; publish it as veriKey or sigAuth`);
  return { name: bytes32Name(`did/pub/${type}/${purpose}/hex`), value: bytesToHex(publicKey) };
}

/** The attribute that publishes a service (`did/svc/<type>`), endpoint as UTF-8 (JSON if not a string). */
export function serviceAttribute(type: string, endpoint: string | Record<string, unknown>): AttributeRef {
  if (!/^\w+$/.test(type)) throw new Error(`service type "${type}" must be letters, digits or _ only`);
  const text = typeof endpoint === "string" ? endpoint : JSON.stringify(endpoint);
  return { name: bytes32Name(`did/svc/${type}`), value: bytesToHex(new TextEncoder().encode(text)) as Hex };
}

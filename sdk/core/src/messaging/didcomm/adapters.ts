// Adapters from Sigil to didcomm-node's resolver interfaces (types.ts declares them): a
// DIDResolver that returns did:sigil documents in their DIDComm-ready form (document.ts), judged
// as of a chosen time like verifyMessage, and a SecretsResolver over Sigil key pairs. With them,
// didcomm-node's stock Message.pack_* / unpack work on did:sigil identities with no other glue.
import type { DIDResolutionResult, Resolvable } from "did-resolver";
import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { base64urlnopad } from "@scure/base";
import { hexToBytes, type Hex } from "viem";
import { InvalidInputError } from "../../errors.ts";
import type { KeyType } from "../../write/keys.ts";
import { DEFAULT_SKEW_SECONDS } from "../messaging.ts";
import { didcommDocument } from "./document.ts";
import type { DIDCommDIDResolver, DIDCommSecret, DIDCommSecretsResolver } from "./types.ts";

/** As of when documents are judged (see didcommResolver). */
export interface DIDCommResolverOptions {
  /** The judgement time, unix seconds: when your app received the message being unpacked (or a
   * send time it can vouch for), never the message's own `created_time`, which the sender picks.
   * Default: the current document (the chain's now), which is what packing to someone needs. */
  at?: number;
  /** Clock tolerance in seconds with `at` (default 60, as verifyMessage): a key added up to this
   * long after `at` counts, one revoked within it does not. */
  skewSeconds?: number;
}

/** Resolution errors that mean "there is no such DID to talk to" (didcomm-node: DIDCommDIDNotResolved). */
const NOT_FOUND = new Set(["notFound", "invalidDid", "methodNotSupported"]);

/** An Error named as didcomm-node documents for a resolver's failures, so it reports that kind. */
function didcommError(name: "DIDCommIoError" | "DIDCommMalformed", message: string, cause?: unknown): Error {
  const error = new Error(message, cause === undefined ? undefined : { cause });
  error.name = name;
  return error;
}

/** `…Z` without milliseconds: the XML date-time versionTime takes. */
const isoSeconds = (seconds: number) => new Date(seconds * 1000).toISOString().replace(".000Z", "Z");

/**
 * didcomm-node's DIDResolver over a Sigil resolver (`createSigilResolver`, or any did-resolver
 * `Resolvable` that knows did:sigil). A DID that is deactivated, not found, or not a DID resolves
 * to `null` (didcomm-node then reports DIDCommDIDNotResolved): a deactivated identity yields no
 * keys to encrypt to or to verify with. A resolver that could not read the chain, or answered with
 * an error, throws an Error named `DIDCommIoError` (a failure to retry, not an absent DID); a
 * document about another DID, one named `DIDCommMalformed`.
 *
 * @param resolver resolves did:sigil DIDs (versionTime is used when `options.at` is given)
 * @param options  the judgement time for every document this adapter returns
 */
export function didcommResolver(resolver: Resolvable, options: DIDCommResolverOptions = {}): DIDCommDIDResolver {
  if (options.at !== undefined && !Number.isSafeInteger(options.at))
    throw new InvalidInputError({ what: "judgement time `at`", value: String(options.at), expected: "unix seconds, an integer" });
  const skew = options.skewSeconds ?? DEFAULT_SKEW_SECONDS;
  if (!Number.isSafeInteger(skew) || skew < 0)
    throw new InvalidInputError({ what: "skewSeconds", value: String(skew), expected: "seconds, a non-negative integer" });
  const query = options.at === undefined ? "" : `?versionTime=${isoSeconds(options.at + skew)}`;
  return {
    async resolve(didUrl: string) {
      const did = String(didUrl).split(/[?#]/)[0];
      let result: DIDResolutionResult;
      try {
        result = await resolver.resolve(`${did}${query}`);
      } catch (error) {
        throw didcommError("DIDCommIoError", `could not resolve ${did}: ${error instanceof Error ? error.message : String(error)}`, error);
      }
      const { error, message } = result.didResolutionMetadata;
      if (error !== undefined && NOT_FOUND.has(error)) return null;
      if (error !== undefined) throw didcommError("DIDCommIoError", `could not resolve ${did}: ${error}${message ? `: ${message}` : ""}`);
      if (result.didDocumentMetadata.deactivated === true) return null;
      const doc = result.didDocument;
      if (!doc) return null;
      if (doc.id !== did) throw didcommError("DIDCommMalformed", `the resolver answered for ${String(doc.id)} when asked for ${did}`);
      return didcommDocument(doc);
    },
  };
}

/** A key an app holds, by the DID URL of the method that publishes its public half. */
export interface DIDCommKey {
  /** The verification method's id, e.g. `did:sigil:…#delegate-2` (keyAgreementKeys or the document give it). */
  kid: string;
  type: KeyType;
  /** 32 bytes (hex or bytes). */
  secretKey: Hex | Uint8Array;
}

const b64 = (bytes: Uint8Array) => base64urlnopad.encode(bytes);

/** The private JWK (RFC 8037 OKP / RFC 8812 EC secp256k1 / RFC 7518 EC P-256) of a key, its public half derived by @noble/curves. */
function privateJwk(type: KeyType, secret: Uint8Array): Record<string, string> {
  switch (type) {
    case "Ed25519":
      return { kty: "OKP", crv: "Ed25519", x: b64(ed25519.getPublicKey(secret)), d: b64(secret) };
    case "X25519":
      return { kty: "OKP", crv: "X25519", x: b64(x25519.getPublicKey(secret)), d: b64(secret) };
    case "Secp256k1": {
      const point = secp256k1.getPublicKey(secret, false); // 04 ‖ x ‖ y
      return { kty: "EC", crv: "secp256k1", x: b64(point.slice(1, 33)), y: b64(point.slice(33)), d: b64(secret) };
    }
    case "P256": {
      const point = p256.getPublicKey(secret, false);
      return { kty: "EC", crv: "P-256", x: b64(point.slice(1, 33)), y: b64(point.slice(33)), d: b64(secret) };
    }
  }
}

/** A 32-byte secret key given as hex or bytes; InvalidInputError naming `what` (never the value). */
export function secretKeyBytes(secretKey: unknown, what: string): Uint8Array {
  let secret: unknown;
  try {
    secret = typeof secretKey === "string" ? hexToBytes(secretKey as Hex) : secretKey;
  } catch {
    secret = undefined;
  }
  if (!(secret instanceof Uint8Array) || secret.length !== 32)
    throw new InvalidInputError({ what, value: "(hidden)", expected: "32 bytes" });
  return secret;
}

function checkKey(key: DIDCommKey): Uint8Array {
  if (typeof key.kid !== "string" || !/^did:[a-z0-9]+:[^#]+#[^#]+$/.test(key.kid))
    throw new InvalidInputError({
      what: "DIDComm key id",
      value: typeof key.kid === "string" ? key.kid : typeof key.kid,
      expected: "a DID URL with a fragment, like did:sigil:…#delegate-2",
    });
  if (key.type !== "Ed25519" && key.type !== "X25519" && key.type !== "Secp256k1" && key.type !== "P256")
    throw new InvalidInputError({
      what: "DIDComm key type",
      value: typeof key.type === "string" ? key.type : typeof key.type,
      expected: "Ed25519, X25519, Secp256k1 or P256",
    });
  const secret = secretKeyBytes(key.secretKey, `${key.type} secret key of ${key.kid}`);
  try {
    privateJwk(key.type, secret);
  } catch {
    throw new InvalidInputError({
      what: `${key.type} secret key of ${key.kid}`,
      value: "(hidden)",
      expected: "a valid secret key of that curve",
    });
  }
  return secret;
}

/**
 * didcomm-node's SecretsResolver over the keys an app holds: each as a JsonWebKey2020 private JWK
 * under its method's id (the type didcommResolver gives the public half, as didcomm-node requires).
 * Keys are checked here, once (InvalidInputError); the JWKs are built when asked for.
 */
export function didcommSecrets(keys: readonly DIDCommKey[]): DIDCommSecretsResolver {
  const held = new Map<string, { type: KeyType; secret: Uint8Array }>();
  for (const key of keys) {
    const secret = checkKey(key);
    if (held.has(key.kid)) throw new InvalidInputError({ what: "DIDComm key id", value: key.kid, expected: "each key id once" });
    held.set(key.kid, { type: key.type, secret });
  }
  return {
    async get_secret(secretId: string): Promise<DIDCommSecret | null> {
      const key = held.get(secretId);
      return key ? { id: secretId, type: "JsonWebKey2020", privateKeyJwk: privateJwk(key.type, key.secret) } : null;
    },
    async find_secrets(secretIds: string[]): Promise<string[]> {
      return [...secretIds].filter((id) => held.has(id));
    },
  };
}

/**
 * The resolution options that make a did-resolver-based DIDComm stack (Veramo's
 * `unpackDIDCommMessage({ message, resolutionOptions })`) judge the sender as of receipt through
 * Sigil's getResolver plugin: `versionTime` = `at` + skew, as didcommResolver and verifyMessage use.
 */
export function didcommResolutionOptions(options: { at: number; skewSeconds?: number }): { versionTime: string } {
  if (!Number.isSafeInteger(options.at))
    throw new InvalidInputError({ what: "judgement time `at`", value: String(options.at), expected: "unix seconds, an integer" });
  return { versionTime: isoSeconds(options.at + (options.skewSeconds ?? DEFAULT_SKEW_SECONDS)) };
}

// Encrypted messages to a DID's key-agreement keys. By default DIDComm v2 encrypted messages
// (didcomm-encrypted+json): the plaintext a DIDComm message (id, type, from, to, created_time, body),
// one ephemeral key for all recipients in the protected header with `apv`, anonymous ECDH-ES+A256KW
// (XC20P, or A256GCM / A256CBC-HS512) or authenticated ECDH-1PU+A256KW / A256CBC-HS512 with the
// sender's key in `skid` and `apu` — what didcomm-node and Veramo's DIDComm plugin write and read
// (didcomm-jwe.ts, jwe-crypto.ts). The 0.x did-jwt form (ECDH-ES/1PU+XC20PKW per recipient) is
// still written on request and always read (decryption.ts), so stored messages stay readable.
// Encryption goes to the recipients' CURRENT keys, so keys voided by a rotation no longer receive;
// decryption resolves both sides as of receipt and refuses keys not listed then. An algorithm Sigil
// does not implement is "unsupportedAlgorithm", never "tampered". No cryptography here: see jwe-crypto.ts.
import { createAnonEncrypter, createAuthEncrypter, createJWE, extractPublicKeyBytes, type JWE } from "did-jwt";
import type { DIDResolutionResult, Resolvable, VerificationMethod } from "did-resolver";
import { x25519 } from "@noble/curves/ed25519.js";
import { base64urlnopad } from "@scure/base";
import { bytesToHex, hexToBytes, type Hex } from "viem";
import { MessageError } from "../errors.ts";
import { PROOF_CLAIM } from "./messaging.ts";
import { sealDidcomm, type Ecdh1puVersion } from "./didcomm-jwe.ts";
import { DIDCOMM_PLAIN_TYPE, type DIDCommPlaintext } from "./didcomm/envelope.ts";
import { CONTENT_ALGORITHMS, type ContentAlgorithm } from "./jwe-crypto.ts";

export type { JWE };

export interface MessageEncryptionSender {
  did: string;
  /** The DID URL of the sender's X25519 key-agreement method (e.g. `did:sigil:…#delegate-3`). */
  keyId: string;
  /** Its X25519 secret key. */
  secretKey: Hex | Uint8Array;
}

export const bytes = (k: Hex | Uint8Array) => (typeof k === "string" ? hexToBytes(k) : k);

// An app decrypts many messages with one key object: derive its public key once per object.
// A WeakMap holds no secret beyond the lifetime of the caller's own key.
const publicKeys = new WeakMap<Uint8Array, Hex>();
export function publicKeyOf(secret: Uint8Array): Hex {
  let pub = publicKeys.get(secret);
  if (!pub) publicKeys.set(secret, (pub = bytesToHex(x25519.getPublicKey(secret))));
  return pub;
}
const json = (x: unknown) => new TextEncoder().encode(JSON.stringify(x));
export const didOf = (didUrl: string) => didUrl.split(/[?#]/)[0];

/** The X25519 key-agreement methods of a document, with their public key bytes. */
export function keyAgreementKeys(result: DIDResolutionResult): { id: string; publicKey: Uint8Array }[] {
  const doc = result.didDocument;
  if (!doc) return [];
  const methods = new Map((doc.verificationMethod ?? []).map((vm) => [vm.id, vm]));
  return (doc.keyAgreement ?? [])
    .map((ref) => (typeof ref === "string" ? methods.get(ref) : ref))
    .filter((vm): vm is VerificationMethod => vm !== undefined)
    .flatMap((vm) => {
      try {
        const { keyBytes, keyType } = extractPublicKeyBytes(vm);
        return keyType === "X25519" || (keyType === undefined && keyBytes.length === 32 && /X25519/.test(vm.type))
          ? [{ id: vm.id, publicKey: keyBytes }]
          : [];
      } catch {
        return [];
      }
    });
}

export async function resolveOrRefuse(resolver: Resolvable, didUrl: string, who: string): Promise<DIDResolutionResult> {
  const result = await resolver.resolve(didUrl);
  const error = result.didResolutionMetadata.error;
  if (error)
    throw new MessageError("unresolvable", `could not resolve the ${who}`, `${error}: ${result.didResolutionMetadata.message ?? ""}`);
  if (result.didDocumentMetadata.deactivated)
    throw new MessageError("deactivated", `the ${who}'s DID is deactivated`, "it can no longer receive or send messages");
  return result;
}

/** What to write: "didcomm" (default) a DIDComm v2 encrypted message; "did-jwt" the 0.x form
 * (ECDH-ES/1PU+XC20PKW per recipient), for peers that only run did-jwt's own decrypters. */
export type EncryptionProfile = "didcomm" | "did-jwt";

export interface EncryptMessageOptions {
  /** Authenticate as this sender (ECDH-1PU): the recipient learns and can verify its DID. */
  from?: MessageEncryptionSender;
  /** Encrypt to these key-agreement keys only (DID URLs); default every current X25519 key of every recipient. */
  keyIds?: readonly string[];
  /** Unix seconds for `created_time` (default now). */
  now?: number;
  /** The sender's identity proof (proveIdentity), carried in the protected header (which the
   * authenticated encryption binds), so a recipient verifies the sender's key with no lookup. */
  proof?: string;
  profile?: EncryptionProfile;
  /** Content encryption (DIDComm form): anonymous "XC20P" (default, as didcomm-node), "A256GCM" or
   * "A256CBC-HS512"; authenticated always "A256CBC-HS512" (ECDH-1PU -04 needs its committing tag). */
  enc?: ContentAlgorithm;
  /** ECDH-1PU KDF: "v4" (default, DIDComm v2 and didcomm-node) or "v3" (no tag binding; what
   * Veramo 7 reads). Use "v3" only to reach such a peer: see docs/didcomm-encryption.md. */
  ecdh1pu?: Ecdh1puVersion;
  /** The DIDComm message's `type` URI (default DEFAULT_MESSAGE_TYPE), `id` (default a random UUID),
   * `thid` and `expires_time`. */
  type?: string;
  id?: string;
  thid?: string;
  expiresTime?: number;
}

/** The `type` of a DIDComm message Sigil writes when the app names none: a body of free JSON. */
export const DEFAULT_MESSAGE_TYPE = "https://w3id.org/sigil/message/1.0";

/** Every chosen X25519 key-agreement key of every recipient DID, resolved now (current keys only). */
async function recipientKeys(dids: readonly string[], resolver: Resolvable, keyIds?: readonly string[]) {
  let keys: { id: string; publicKey: Uint8Array }[] = [];
  for (const did of dids) {
    const own = keyAgreementKeys(await resolveOrRefuse(resolver, did, "recipient"));
    if (own.length === 0)
      throw new MessageError(
        "noKeyAgreementKey",
        "the recipient lists no X25519 key-agreement key",
        `${did}: ask them to publish one (sigil key add --type X25519 --purpose enc)`,
      );
    keys.push(...own);
  }
  if (keyIds) {
    const unknown = keyIds.filter((id) => !keys.some((k) => k.id === id));
    if (unknown.length) throw new MessageError("unknownKey", "not a key-agreement key of the recipient", unknown.join(", "));
    keys = keys.filter((k) => keyIds.includes(k.id));
  }
  return keys;
}

/** The sender's secret, checked against its DID's current key-agreement key `keyId`. */
async function senderSecret(from: MessageEncryptionSender, resolver: Resolvable): Promise<Uint8Array> {
  const secret = bytes(from.secretKey);
  const sender = await resolveOrRefuse(resolver, didOf(from.did), "sender");
  const own = keyAgreementKeys(sender).find((k) => k.id === from.keyId);
  if (!own || bytesToHex(own.publicKey) !== bytesToHex(x25519.getPublicKey(secret)))
    throw new MessageError(
      "wrongSenderKey",
      "the sender key is not the sender DID's key-agreement key",
      `${from.keyId} with this secret key is not listed in ${from.did}'s keyAgreement`,
    );
  return secret;
}

function checkAlgorithms(options: EncryptMessageOptions, dids: readonly string[]): ContentAlgorithm {
  const enc = options.enc ?? (options.from ? "A256CBC-HS512" : "XC20P");
  if (!(CONTENT_ALGORITHMS as readonly string[]).includes(enc))
    throw new MessageError(
      "unsupportedAlgorithm",
      `unsupported content encryption ${String(enc)}`,
      `use one of ${CONTENT_ALGORITHMS.join(", ")}`,
    );
  if (options.from && enc !== "A256CBC-HS512")
    throw new MessageError(
      "unsupportedAlgorithm",
      `authenticated encryption (ECDH-1PU+A256KW) with ${enc}`,
      "DIDComm v2 authcrypt uses A256CBC-HS512, whose tag commits to the key (ECDH-1PU draft -04 binds it); leave enc unset",
    );
  if (options.ecdh1pu !== undefined && options.ecdh1pu !== "v4" && options.ecdh1pu !== "v3")
    throw new MessageError("unsupportedAlgorithm", `unknown ECDH-1PU version ${String(options.ecdh1pu)}`, 'use "v4" (default) or "v3"');
  if (options.ecdh1pu === "v3" && new Set(dids).size > 1)
    throw new MessageError(
      "unsupportedAlgorithm",
      "ECDH-1PU -03 to several DIDs",
      "without the tag binding any recipient could forge to the others under your name; send one message per DID",
    );
  return enc;
}

/**
 * Encrypts `content` to the current X25519 key-agreement keys of the DID(s) `to` (all of them, or
 * those in `keyIds`), under one ephemeral key. By default a DIDComm v2 message: the plaintext is a
 * DIDComm message whose `body` is `content`; anonymous ECDH-ES+A256KW / XC20P, or with `from`
 * authenticated ECDH-1PU+A256KW / A256CBC-HS512, the recipient learning and verifying the sender's DID.
 */
export async function encryptMessage(
  to: string | readonly string[],
  content: Record<string, unknown>,
  resolver: Resolvable,
  options: EncryptMessageOptions = {},
): Promise<JWE> {
  const dids = (typeof to === "string" ? [to] : [...to]).map(didOf);
  if (dids.length === 0) throw new MessageError("noKeyAgreementKey", "no recipient", "name at least one recipient DID");
  const profile = options.profile ?? "didcomm";
  if (profile !== "didcomm" && profile !== "did-jwt")
    throw new MessageError("unsupportedAlgorithm", `unknown encryption profile ${String(profile)}`, 'use "didcomm" (default) or "did-jwt"');
  const enc = profile === "didcomm" ? checkAlgorithms(options, dids) : "XC20P";
  const keys = await recipientKeys(dids, resolver, options.keyIds);
  const from = options.from;
  const secret = from ? await senderSecret(from, resolver) : undefined;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const header: Record<string, unknown> = options.proof !== undefined && from ? { [PROOF_CLAIM]: options.proof } : {};
  if (profile === "did-jwt") {
    const apu = from && base64urlnopad.encode(new TextEncoder().encode(from.keyId));
    const encrypters = keys.map((k) =>
      secret ? createAuthEncrypter(k.publicKey, secret, { kid: k.id, apu }) : createAnonEncrypter(k.publicKey, { kid: k.id }),
    );
    const payload = { ...content, ...(from ? { from: didOf(from.did) } : {}), iat: now };
    return createJWE(json(payload), encrypters, { cty: "application/json", ...(from ? { skid: from.keyId } : {}), ...header });
  }
  const message: DIDCommPlaintext = {
    id: options.id ?? globalThis.crypto.randomUUID(),
    typ: DIDCOMM_PLAIN_TYPE,
    type: options.type ?? DEFAULT_MESSAGE_TYPE,
    ...(from ? { from: didOf(from.did) } : {}),
    to: dids,
    created_time: now,
    ...(options.expiresTime !== undefined ? { expires_time: options.expiresTime } : {}),
    ...(options.thid !== undefined ? { thid: options.thid } : {}),
    body: content,
  };
  return sealDidcomm(
    json(message),
    keys.map((k) => ({ kid: k.id, publicKey: k.publicKey })),
    { enc, sender: from && secret ? { kid: from.keyId, secretKey: secret } : undefined, ecdh1pu: options.ecdh1pu, header },
  );
}

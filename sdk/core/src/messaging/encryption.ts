// Encrypted messages to a DID's key-agreement keys, as JWEs that did-jwt (the field's library)
// writes and reads: anonymous (ECDH-ES+XC20PKW) or authenticated, proving the sender's DID
// (ECDH-1PU+XC20PKW, the sender's key named by `skid` in the protected header, as DIDComm v2
// does). Encryption goes to the recipient's CURRENT keys, so keys voided by a rotation no longer
// receive; decryption resolves the sender as of receipt and refuses keys it did not list then.
// No cryptography here: did-jwt and @noble/curves do all of it.
import {
  createAnonDecrypter,
  createAnonEncrypter,
  createAuthDecrypter,
  createAuthEncrypter,
  createJWE,
  decryptJWE,
  extractPublicKeyBytes,
  type Decrypter,
  type Encrypter,
  type JWE,
} from "did-jwt";
import type { DIDResolutionResult, Resolvable, VerificationMethod } from "did-resolver";
import { x25519 } from "@noble/curves/ed25519.js";
import { base64urlnopad } from "@scure/base";
import { bytesToHex, hexToBytes, type Hex } from "viem";
import { MessageError } from "../errors.ts";
import type { CarriedProofOptions } from "../resolve/carried.ts";
import { DEFAULT_SKEW_SECONDS, PROOF_CLAIM } from "./messaging.ts";

export type { JWE };

export interface MessageEncryptionSender {
  did: string;
  /** The DID URL of the sender's X25519 key-agreement method (e.g. `did:sigil:…#delegate-3`). */
  keyId: string;
  /** Its X25519 secret key. */
  secretKey: Hex | Uint8Array;
}

export interface DecryptedMessage {
  payload: Record<string, unknown>;
  /** The sender's DID when the message was authenticated (ECDH-1PU); undefined when anonymous. */
  from?: string;
  /** The recipient key it was decrypted with. */
  keyId: string;
  /** How the sender's key was learned, for an authenticated message: from the identity proof it
   * carried (no request), or by a lookup; with the proof's block, or why it was not used. */
  verifiedBy?: "carriedProof" | "lookup";
  proofBlock?: bigint;
  proofRefused?: string;
}

const bytes = (k: Hex | Uint8Array) => (typeof k === "string" ? hexToBytes(k) : k);

// An app decrypts many messages with one key object: derive its public key once per object.
// A WeakMap holds no secret beyond the lifetime of the caller's own key.
const publicKeys = new WeakMap<Uint8Array, Hex>();
function publicKeyOf(secret: Uint8Array): Hex {
  let pub = publicKeys.get(secret);
  if (!pub) publicKeys.set(secret, (pub = bytesToHex(x25519.getPublicKey(secret))));
  return pub;
}
const json = (x: unknown) => new TextEncoder().encode(JSON.stringify(x));
const didOf = (didUrl: string) => didUrl.split(/[?#]/)[0];

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

async function resolveOrRefuse(resolver: Resolvable, didUrl: string, who: string): Promise<DIDResolutionResult> {
  const result = await resolver.resolve(didUrl);
  const error = result.didResolutionMetadata.error;
  if (error)
    throw new MessageError("unresolvable", `could not resolve the ${who}`, `${error}: ${result.didResolutionMetadata.message ?? ""}`);
  if (result.didDocumentMetadata.deactivated)
    throw new MessageError("deactivated", `the ${who}'s DID is deactivated`, "it can no longer receive or send messages");
  return result;
}

/**
 * Encrypts `content` to the current key-agreement keys of the DID `to` (all of them, or those in
 * `keyIds`). With `from`, authenticated: the recipient learns and can verify the sender's DID.
 */
export async function encryptMessage(
  to: string,
  content: Record<string, unknown>,
  resolver: Resolvable,
  options: {
    from?: MessageEncryptionSender;
    keyIds?: readonly string[];
    now?: number;
    /** The sender's identity proof (proveIdentity), carried in the protected header (which the
     * authenticated encryption binds), so a recipient verifies the sender's key with no lookup. */
    proof?: string;
  } = {},
): Promise<JWE> {
  const recipient = await resolveOrRefuse(resolver, didOf(to), "recipient");
  let keys = keyAgreementKeys(recipient);
  if (keys.length === 0)
    throw new MessageError(
      "noKeyAgreementKey",
      "the recipient lists no X25519 key-agreement key",
      "ask them to publish one (sigil key add --type X25519 --purpose enc)",
    );
  if (options.keyIds) {
    const unknown = options.keyIds.filter((id) => !keys.some((k) => k.id === id));
    if (unknown.length) throw new MessageError("unknownKey", "not a key-agreement key of the recipient", unknown.join(", "));
    keys = keys.filter((k) => options.keyIds!.includes(k.id));
  }
  const from = options.from;
  let encrypters: Encrypter[];
  const header: Record<string, unknown> = { cty: "application/json" };
  if (from) {
    const secret = bytes(from.secretKey);
    const sender = await resolveOrRefuse(resolver, didOf(from.did), "sender");
    const own = keyAgreementKeys(sender).find((k) => k.id === from.keyId);
    if (!own || bytesToHex(own.publicKey) !== bytesToHex(x25519.getPublicKey(secret))) {
      throw new MessageError(
        "wrongSenderKey",
        "the sender key is not the sender DID's key-agreement key",
        `${from.keyId} with this secret key is not listed in ${from.did}'s keyAgreement`,
      );
    }
    header.skid = from.keyId;
    if (options.proof !== undefined) header[PROOF_CLAIM] = options.proof;
    const apu = base64urlnopad.encode(new TextEncoder().encode(from.keyId));
    encrypters = keys.map((k) => createAuthEncrypter(k.publicKey, secret, { kid: k.id, apu }));
  } else {
    encrypters = keys.map((k) => createAnonEncrypter(k.publicKey, { kid: k.id }));
  }
  const payload = { ...content, ...(from ? { from: didOf(from.did) } : {}), iat: options.now ?? Math.floor(Date.now() / 1000) };
  return createJWE(json(payload), encrypters, header);
}

function parseJwe(jwe: unknown): { jwe: JWE; header: Record<string, unknown> } {
  const j = (typeof jwe === "string" ? safeJson(jwe) : jwe) as Partial<JWE> | undefined;
  const ok =
    j &&
    typeof j.protected === "string" &&
    typeof j.iv === "string" &&
    typeof j.ciphertext === "string" &&
    typeof j.tag === "string" &&
    Array.isArray(j.recipients);
  const header = ok ? (safeJson(new TextDecoder().decode(safeBase64url(j.protected!))) as Record<string, unknown> | undefined) : undefined;
  if (!ok || !header || typeof header !== "object")
    throw new MessageError(
      "invalid",
      "not an encrypted message",
      "expected a general-serialisation JWE (protected, iv, ciphertext, tag, recipients)",
    );
  return { jwe: j as JWE, header };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function safeBase64url(text: string): Uint8Array {
  try {
    return base64urlnopad.decode(text);
  } catch {
    return new Uint8Array();
  }
}

/**
 * Decrypts a message sent to `recipient.did` with one of its X25519 secret keys. An authenticated
 * message's sender is resolved as of receipt (`receivedAt`, default now, plus the clock
 * tolerance), and its key must be listed then. Refusals are MessageErrors with a `refusal`.
 */
export async function decryptMessage(
  input: JWE | string,
  recipient: { did: string; secretKey: Hex | Uint8Array },
  resolver: Resolvable,
  options: {
    receivedAt?: number;
    skewSeconds?: number;
    now?: number;
    /** Learn the sender's key from the identity proof the message carries, with no request, when
     * your trusted headers confirm it and it is fresh enough; else `resolver` looks the sender up.
     * Your own DID is still read through `resolver` (serve it from your own cache to stay offline). */
    carried?: CarriedProofOptions;
  } = {},
): Promise<DecryptedMessage> {
  const { jwe, header } = parseJwe(input);
  const secret = bytes(recipient.secretKey);
  const mine = publicKeyOf(secret);
  const judgedAt = (options.receivedAt ?? options.now ?? Math.floor(Date.now() / 1000)) + (options.skewSeconds ?? DEFAULT_SKEW_SECONDS);
  const asOf = (did: string) => `${did}?versionTime=${new Date(judgedAt * 1000).toISOString().replace(".000Z", "Z")}`;
  // Both sides as of receipt: a key rotated away before a message arrived no longer receives it.
  const own = keyAgreementKeys(await resolveOrRefuse(resolver, asOf(didOf(recipient.did)), "recipient")).filter(
    (k) => bytesToHex(k.publicKey) === mine,
  );
  const kids = new Set((jwe.recipients ?? []).map((r) => r.header?.kid));
  const keyId = own.find((k) => kids.has(k.id))?.id;
  if (!keyId)
    throw new MessageError(
      "notForYou",
      "this message was not encrypted to your key",
      "it names other key-agreement keys than yours at receipt (another DID's, or yours from before a rotation)",
    );
  let decrypter: Decrypter = createAnonDecrypter(secret);
  let from: string | undefined;
  let how: Pick<DecryptedMessage, "verifiedBy" | "proofBlock" | "proofRefused"> = {};
  if (typeof header.skid === "string") {
    from = didOf(header.skid);
    const sender = await senderDocument(from, header, options, () => resolveOrRefuse(resolver, asOf(from!), "sender"));
    how = sender.how;
    const senderKey = keyAgreementKeys(sender.result).find((k) => k.id === header.skid);
    if (!senderKey)
      throw new MessageError(
        "unauthorisedSender",
        "the sender's key is not one its DID lists",
        `${header.skid} is not a key-agreement key of ${from} at receipt`,
      );
    decrypter = createAuthDecrypter(secret, senderKey.publicKey);
  }
  let cleartext: Uint8Array;
  try {
    cleartext = await decryptJWE(jwe, decrypter);
  } catch (error) {
    throw new MessageError(
      "tampered",
      "the message could not be decrypted",
      `altered in transit, or not from the key it names (${(error as Error).message})`,
    );
  }
  const payload = safeJson(new TextDecoder().decode(cleartext));
  if (!payload || typeof payload !== "object") throw new MessageError("invalid", "the decrypted content is not a JSON object");
  const claimed = (payload as { from?: unknown }).from;
  if (from && claimed !== undefined && claimed !== from)
    throw new MessageError("unauthorisedSender", "the message claims another sender than its key's DID", `${String(claimed)} vs ${from}`);
  return { payload: payload as Record<string, unknown>, from, keyId, ...how };
}

/** The sender's document: from the identity proof the message carries when `carried` accepts it
 * (no request), else from `lookup`. */
async function senderDocument(
  from: string,
  header: Record<string, unknown>,
  options: { receivedAt?: number; now?: number; skewSeconds?: number; carried?: CarriedProofOptions },
  lookup: () => Promise<DIDResolutionResult>,
): Promise<{ result: DIDResolutionResult; how: Pick<DecryptedMessage, "verifiedBy" | "proofBlock" | "proofRefused"> }> {
  const proof = header[PROOF_CLAIM];
  let proofRefused: string | undefined;
  if (options.carried && typeof proof === "string") {
    const { verifyIdentityProof } = await import("../resolve/carried.ts");
    const at = options.receivedAt ?? options.now ?? Math.floor(Date.now() / 1000);
    const checked = await verifyIdentityProof(proof, from, { ...options.carried, at, skewSeconds: options.skewSeconds });
    if (checked.accepted) {
      if (checked.result.didDocumentMetadata.deactivated)
        throw new MessageError("deactivated", "the sender's DID is deactivated", "it can no longer receive or send messages");
      return { result: checked.result, how: { verifiedBy: "carriedProof", proofBlock: checked.blockNumber } };
    }
    proofRefused = `${checked.refusal}: ${checked.reason}`;
  }
  return { result: await lookup(), how: { verifiedBy: "lookup", ...(proofRefused ? { proofRefused } : {}) } };
}

// Decryption of messages to a DID: DIDComm v2 encrypted messages (whatever didcomm-node or Veramo
// writes in the algorithms of jwe-crypto.ts) and the 0.x did-jwt form, told apart by the protected
// header. Both sides are judged as of receipt: the recipient's key must be listed then, and an
// authenticated sender's key too (learned from a carried identity proof, or a lookup as of then).
// An algorithm Sigil does not implement is "unsupportedAlgorithm"; a failing unwrap or tag "tampered".
import { createAnonDecrypter, createAuthDecrypter, decryptJWE, type JWE } from "did-jwt";
import type { DIDResolutionResult, Resolvable } from "did-resolver";
import { base64urlnopad } from "@scure/base";
import { bytesToHex, type Hex } from "viem";
import { MessageError, type MessageRefusal } from "../errors.ts";
import type { CarriedProofOptions } from "../resolve/carried.ts";
import { DEFAULT_SKEW_SECONDS, PROOF_CLAIM } from "./messaging.ts";
import { DIDCOMM_ENCRYPTED, openDidcomm, readDidcommHeader, type DidcommHeader, type Ecdh1puVersion } from "./didcomm-jwe.ts";
import { bytes, didOf, keyAgreementKeys, publicKeyOf, resolveOrRefuse } from "./encryption.ts";
import { MAX_DIDCOMM_MESSAGE_CHARS, type DIDCommPlaintext } from "./didcomm/envelope.ts";
import { verifyDidcommSigned, type DIDCommSignedRefusal } from "./didcomm/signed.ts";

export interface DecryptedMessage {
  /** The content: a DIDComm message's body, or the JSON of a did-jwt-form message. */
  payload: Record<string, unknown>;
  /** The sender's DID when the message was authenticated (ECDH-1PU); undefined when anonymous. */
  from?: string;
  /** The recipient key it was decrypted with. */
  keyId: string;
  /** The DIDComm message (id, type, from, to, created_time, body …) when it was one; `payload` is then its body. */
  message?: DIDCommPlaintext;
  /** The key that signed the message inside, when the sender signed before encrypting (DIDComm's
   * sign-then-encrypt, for non-repudiation): verified as of receipt like verifyDidcommSigned; `from`
   * is then its DID, also when the encryption was anonymous. */
  signedBy?: string;
  /** How it was encrypted: the DIDComm form or the 0.x did-jwt one, its algorithms, and for
   * ECDH-1PU whether the KEK bound the content tag ("v4") or not ("v3", Veramo 7). */
  encryption: {
    form: "didcomm" | "did-jwt";
    alg: string;
    enc: string;
    ecdh1pu?: Ecdh1puVersion;
    /** The anonymous envelope around it, when the sender protected its identity (didcomm-node's protect_sender). */
    outer?: { form: "didcomm" | "did-jwt"; alg: string; enc: string };
  };
  /** How the sender's key was learned, for an authenticated message: from the identity proof it
   * carried (no request), or by a lookup; with the proof's block, or why it was not used. */
  verifiedBy?: "carriedProof" | "lookup";
  proofBlock?: bigint;
  proofRefused?: string;
}

function parseJwe(jwe: unknown): { jwe: JWE; header: Record<string, unknown> } {
  // The same bound as DIDComm signed messages: a hostile sender cannot make a phone parse megabytes.
  const size = typeof jwe === "string" ? jwe.length : ((jwe as Partial<JWE> | null)?.ciphertext?.length ?? 0);
  if (size > MAX_DIDCOMM_MESSAGE_CHARS)
    throw new MessageError(
      "invalid",
      "the encrypted message is too large",
      `${size} characters; Sigil reads up to ${MAX_DIDCOMM_MESSAGE_CHARS}`,
    );
  const j = (typeof jwe === "string" ? safeJson(jwe) : jwe) as Partial<JWE> | undefined;
  const ok =
    j &&
    typeof j.protected === "string" &&
    typeof j.iv === "string" &&
    typeof j.ciphertext === "string" &&
    typeof j.tag === "string" &&
    (j.aad === undefined || typeof j.aad === "string") &&
    Array.isArray(j.recipients) &&
    j.recipients.every(
      (r: unknown) =>
        isObject(r) &&
        typeof r.encrypted_key === "string" &&
        isObject(r.header) &&
        (r.header.kid === undefined || typeof r.header.kid === "string"),
    );
  const header = ok ? (safeJson(new TextDecoder().decode(safeBase64url(j.protected!))) as Record<string, unknown> | undefined) : undefined;
  if (!ok || !isObject(header))
    throw new MessageError(
      "invalid",
      "not an encrypted message",
      "expected a general-serialisation JWE (protected, iv, ciphertext, tag, recipients with header and encrypted_key; aad a string)",
    );
  return { jwe: j as JWE, header };
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

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

/** The 0.x did-jwt key-management algorithms, still read so stored messages stay readable. */
const DID_JWT_ALGORITHMS = ["ECDH-ES+XC20PKW", "ECDH-1PU+XC20PKW"];

/** How the envelope was built, from its headers: the DIDComm form (a protected `alg`) or did-jwt's. */
function envelopeOf(
  jwe: JWE,
  header: Record<string, unknown>,
): { form: "did-jwt"; alg: string } | { form: "didcomm"; didcomm: DidcommHeader } {
  const perRecipient = new Set((jwe.recipients ?? []).map((r) => r.header?.alg));
  const alg = header.alg ?? (perRecipient.size === 1 ? [...perRecipient][0] : undefined);
  if (typeof alg === "string" && DID_JWT_ALGORITHMS.includes(alg) && header.enc === "XC20P") return { form: "did-jwt", alg };
  if (header.alg === undefined && alg === undefined)
    throw new MessageError("invalid", "not an encrypted message", "no alg in the protected header nor one shared by the recipients");
  return { form: "didcomm", didcomm: readDidcommHeader({ ...header, alg }) };
}

/** The decrypted bytes as the app's payload: a DIDComm message's body (with the message itself),
 * else the JSON; refused when it names another sender than the key's DID, was created after receipt
 * or expired before. `to` is left to the app: a Bcc'd recipient is legitimately not in it. */
function readPlaintext(
  cleartext: Uint8Array,
  from: string | undefined,
  judgedAt: number,
  skew: number,
): { payload: Record<string, unknown>; message?: DIDCommPlaintext } {
  const parsed = safeJson(new TextDecoder().decode(cleartext));
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
    throw new MessageError("invalid", "the decrypted content is not a JSON object");
  const m = parsed as Partial<DIDCommPlaintext>;
  const isMessage =
    typeof m.id === "string" && typeof m.type === "string" && !!m.body && typeof m.body === "object" && !Array.isArray(m.body);
  const claimed = (parsed as { from?: unknown }).from;
  if (from && claimed !== undefined && claimed !== from)
    throw new MessageError("unauthorisedSender", "the message claims another sender than its key's DID", `${String(claimed)} vs ${from}`);
  if (!isMessage) return { payload: parsed as Record<string, unknown> };
  // judgedAt is receipt + skew: an expiry is judged with the same tolerance the other way.
  if (typeof m.expires_time === "number" && m.expires_time < judgedAt - 2 * skew)
    throw new MessageError("invalid", "the message expired before it was received", `expires_time ${m.expires_time}`);
  if (typeof m.created_time === "number" && m.created_time > judgedAt)
    throw new MessageError(
      "invalid",
      "the message says it was created after it was received",
      `created_time ${m.created_time} > ${judgedAt}`,
    );
  return { payload: m.body as Record<string, unknown>, message: m as DIDCommPlaintext };
}

/** The 0.x form, through did-jwt's own decrypters. */
async function openDidJwt(jwe: JWE, alg: string, secret: Uint8Array, senderKey?: Uint8Array) {
  try {
    const cleartext = await decryptJWE(jwe, senderKey ? createAuthDecrypter(secret, senderKey) : createAnonDecrypter(secret));
    return { cleartext, encryption: { form: "did-jwt" as const, alg, enc: "XC20P" } };
  } catch (error) {
    throw new MessageError(
      "tampered",
      "the message could not be decrypted",
      `altered in transit, or not from the key it names (${(error as Error).message})`,
    );
  }
}

/**
 * Decrypts a message sent to `recipient.did` with one of its X25519 secret keys: a DIDComm v2
 * message (ECDH-ES+A256KW or ECDH-1PU+A256KW with A256CBC-HS512, A256GCM or XC20P, as didcomm-node
 * and Veramo write) or the 0.x did-jwt form. An authenticated message's sender is resolved as of
 * receipt (`receivedAt`, default now, plus the clock tolerance), and its key must be listed then.
 * A DIDComm signed message inside (sign-then-encrypt) is verified as verifyDidcommSigned does, as of
 * the same time, and `from` / `signedBy` are its signer's. Refusals are MessageErrors with a
 * `refusal`: "unsupportedAlgorithm" for a valid message in an algorithm Sigil does not implement,
 * "tampered" when a key unwrap or tag fails.
 */
export async function decryptMessage(
  input: JWE | string,
  recipient: { did: string; secretKey: Hex | Uint8Array },
  resolver: Resolvable,
  options: DecryptOptions = {},
): Promise<DecryptedMessage> {
  return openLayer(input, recipient, once(resolver), options, 0);
}

/** `resolver` answering each DID URL once per decryption: the sender as of receipt serves both its
 * authcrypt key and the signature inside, and a nested envelope reads the recipient again. */
function once(resolver: Resolvable): Resolvable {
  const asked = new Map<string, Promise<DIDResolutionResult>>();
  return {
    resolve(didUrl, options) {
      let answer = asked.get(didUrl);
      if (!answer) asked.set(didUrl, (answer = resolver.resolve(didUrl, options)));
      return answer;
    },
  };
}

export interface DecryptOptions {
  receivedAt?: number;
  skewSeconds?: number;
  now?: number;
  /** Learn the sender's key from the identity proof the message carries, with no request, when
   * your trusted headers confirm it and it is fresh enough; else `resolver` looks the sender up.
   * Your own DID is still read through `resolver` (serve it from your own cache to stay offline). */
  carried?: CarriedProofOptions;
  /** Read ECDH-1PU draft -03 messages that do not bind their recipient list (Veramo 7's authcrypt).
   * Any co-recipient of such a message could have written it under the sender's name: accept only
   * for peers that never write to you and others in one message. Default false. */
  acceptEcdh1puV3?: boolean;
}

async function openLayer(
  input: JWE | string,
  recipient: { did: string; secretKey: Hex | Uint8Array },
  resolver: Resolvable,
  options: DecryptOptions,
  depth: number,
): Promise<DecryptedMessage> {
  const { jwe, header } = parseJwe(input);
  const envelope = envelopeOf(jwe, header);
  const secret = bytes(recipient.secretKey);
  const mine = publicKeyOf(secret);
  const judgedAt = (options.receivedAt ?? options.now ?? Math.floor(Date.now() / 1000)) + (options.skewSeconds ?? DEFAULT_SKEW_SECONDS);
  const asOf = (did: string) => `${did}?versionTime=${new Date(judgedAt * 1000).toISOString().replace(".000Z", "Z")}`;
  const myDid = didOf(recipient.did);
  // Both sides as of receipt: a key rotated away before a message arrived no longer receives it.
  const own = keyAgreementKeys(await resolveOrRefuse(resolver, asOf(myDid), "recipient")).filter((k) => bytesToHex(k.publicKey) === mine);
  const kids = (jwe.recipients ?? []).map((r) => r.header?.kid);
  const keyId = own.find((k) => kids.includes(k.id))?.id;
  if (!keyId)
    throw new MessageError(
      "notForYou",
      "this message was not encrypted to your key",
      "it names other key-agreement keys than yours at receipt (another DID's, or yours from before a rotation)",
    );
  // A sender is named only by an authenticating (ECDH-1PU) envelope; an anonymous one's skid is anyone's to write.
  const skid =
    envelope.form === "didcomm"
      ? envelope.didcomm.skid
      : envelope.alg.startsWith("ECDH-1PU") && typeof header.skid === "string"
        ? header.skid
        : undefined;
  const { from, senderKey, how } = skid === undefined ? { how: {} } : await authenticatedSender(skid, header, options, resolver, asOf);
  let opened: { cleartext: Uint8Array; encryption: DecryptedMessage["encryption"] };
  // Without the tag binding (-03, and did-jwt's 0.x ECDH-1PU), a co-recipient knows the content key
  // and can write new content under the sender's name to the others. Accepted only when every
  // recipient key is this DID's own AND the list is bound by apv (Sigil's -03), or the app accepts
  // Veramo 7's apv-less -03; the 0.x form (one DID's keys, as Sigil wrote it) stays readable.
  const ownList = kids.every((k) => typeof k === "string" && didOf(k) === myDid);
  if (envelope.form === "didcomm") {
    const allowV3 = ownList && (envelope.didcomm.apv !== undefined || options.acceptEcdh1puV3 === true);
    const v3Refusal = !ownList
      ? "it names other DIDs' keys, and any of them could have written it under the sender's name"
      : "it has no apv binding its recipient list (Veramo 7 writes it so): pass acceptEcdh1puV3 for senders that write to you alone";
    const { plaintext, ecdh1pu } = openDidcomm(
      jwe,
      envelope.didcomm,
      { kid: keyId, secretKey: secret },
      { senderPublicKey: senderKey, allowV3, v3Refusal },
    );
    const { alg, enc } = envelope.didcomm;
    opened = { cleartext: plaintext, encryption: { form: "didcomm", alg, enc, ...(ecdh1pu ? { ecdh1pu } : {}) } };
  } else if (from && !ownList)
    throw new MessageError(
      "unsupportedAlgorithm",
      "an authenticated did-jwt message to several DIDs is not accepted",
      "its ECDH-1PU binds no content tag: any of the other recipients could have written it under the sender's name",
    );
  else opened = await openDidJwt(jwe, envelope.alg, secret, senderKey);
  // didcomm-node's protect_sender: an anonymous envelope around an authenticated one, opened once.
  const inner = depth === 0 && !from ? nestedEnvelope(opened.cleartext) : undefined;
  if (inner) {
    const result = await openLayer(inner, recipient, resolver, options, 1);
    return { ...result, encryption: { ...result.encryption, outer: opened.encryption } };
  }
  const signed = signedInside(opened.cleartext);
  if (signed) {
    const verdict = await verifySigned(signed, from, resolver, { ...options, recipient: myDid });
    return {
      payload: verdict.message.body as Record<string, unknown>,
      message: verdict.message,
      from: verdict.from,
      signedBy: verdict.signedBy,
      keyId,
      encryption: opened.encryption,
      ...how,
    };
  }
  const { payload, message } = readPlaintext(opened.cleartext, from, judgedAt, options.skewSeconds ?? DEFAULT_SKEW_SECONDS);
  return { payload, ...(message ? { message } : {}), from, keyId, encryption: opened.encryption, ...how };
}

/** The sender named by `skid`, with its key as its DID lists it at receipt (or a typed refusal). */
async function authenticatedSender(
  skid: string,
  header: Record<string, unknown>,
  options: DecryptOptions,
  resolver: Resolvable,
  asOf: (did: string) => string,
) {
  const from = didOf(skid);
  const sender = await senderDocument(from, header, options, () => resolveOrRefuse(resolver, asOf(from), "sender"));
  const senderKey = keyAgreementKeys(sender.result).find((k) => k.id === skid)?.publicKey;
  if (!senderKey)
    throw new MessageError(
      "unauthorisedSender",
      "the sender's key is not one its DID lists",
      `${skid} is not a key-agreement key of ${from} at receipt`,
    );
  return { from, senderKey, how: sender.how };
}

/** The DIDComm signed message a plaintext is, when the sender signed before encrypting. */
function signedInside(cleartext: Uint8Array): Record<string, unknown> | undefined {
  const inner = safeJson(new TextDecoder().decode(cleartext));
  return isObject(inner) && typeof inner.payload === "string" && (Array.isArray(inner.signatures) || typeof inner.signature === "string")
    ? inner
    : undefined;
}

/** Refusals of a signed message inside an encrypted one, as decryption's own. */
const SIGNED_REFUSALS: Partial<Record<DIDCommSignedRefusal, MessageRefusal>> = {
  unsupportedAlgorithm: "unsupportedAlgorithm",
  tampered: "tampered",
  unauthorisedKey: "unauthorisedSender",
  senderMismatch: "unauthorisedSender",
  deactivated: "deactivated",
  unresolvable: "unresolvable",
  notForYou: "notForYou",
};

/** The signed message inside, verified as of receipt; its signer must be the authenticated sender, if any. */
async function verifySigned(
  signed: Record<string, unknown>,
  from: string | undefined,
  resolver: Resolvable,
  options: DecryptOptions & { recipient: string },
) {
  const verdict = await verifyDidcommSigned(signed, resolver, {
    receivedAt: options.receivedAt,
    now: options.now,
    skewSeconds: options.skewSeconds,
    recipient: options.recipient,
  });
  if (!verdict.ok)
    throw new MessageError(
      SIGNED_REFUSALS[verdict.code] ?? "invalid",
      "the signed message inside was refused",
      `${verdict.code}: ${verdict.reason}`,
    );
  if (from !== undefined && verdict.from !== from)
    throw new MessageError(
      "unauthorisedSender",
      "the message is signed by another DID than the one that encrypted it",
      `${verdict.from} vs ${from}`,
    );
  return verdict;
}

/** The inner envelope when a plaintext is itself a DIDComm encrypted message. */
function nestedEnvelope(cleartext: Uint8Array): string | undefined {
  const text = new TextDecoder().decode(cleartext);
  const inner = safeJson(text) as Partial<JWE> | undefined;
  if (!isObject(inner) || typeof inner.protected !== "string" || !Array.isArray(inner.recipients)) return undefined;
  const header = safeJson(new TextDecoder().decode(safeBase64url(inner.protected)));
  return isObject(header) && header.typ === DIDCOMM_ENCRYPTED ? text : undefined;
}

/** The sender's document: from the identity proof the message carries when `carried` accepts it
 * (no request), else from `lookup`. */
async function senderDocument(
  from: string,
  header: Record<string, unknown>,
  options: DecryptOptions,
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

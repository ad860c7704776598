// DIDComm v2 signed messages (DIDComm Messaging v2.1 §"DIDComm Signed Messages"), read and written
// the way didcomm-node and Veramo's DIDComm plugin do, with the sender's keys judged as of receipt
// like verifyMessage: a thief who signs with a key voided by a revocation or a rotation cannot
// backdate past it (the message's own `created_time` is the sender's word and is never used to
// pick the keys). did-jwt (EdDSASigner, ES256KSigner, verifyJWS) does all the cryptography.
//
// Keys: EdDSA with a published Ed25519 key, ES256K with a published secp256k1 key (its public key
// in the document). The controller (`#controller`) and Ethereum-account delegates are accounts,
// not keys: a DIDComm peer cannot check a signature against an address (didcomm-rust has no
// recovery), so Sigil refuses them too rather than accept what no other peer would.
import { EdDSASigner, ES256KSigner, verifyJWS } from "did-jwt";
import type { DIDResolutionResult, Resolvable, VerificationMethod } from "did-resolver";
import { base64urlnopad } from "@scure/base";
import type { Hex } from "viem";
import { InvalidInputError, MessageError } from "../../errors.ts";
import { DEFAULT_SKEW_SECONDS } from "../messaging.ts";
import { secretKeyBytes } from "./adapters.ts";
import { DIDCOMM_PLAIN_TYPE, DIDCOMM_SIGNED_TYPE, KEY_ID, parseDidcommSigned, type DIDCommPlaintext } from "./envelope.ts";

/** A key that signs DIDComm messages, by the id of the method that publishes its public half. */
export interface DIDCommSigningKey {
  /** e.g. `did:sigil:…#delegate-1`: a method in the DID's `authentication`. */
  kid: string;
  type: "Ed25519" | "Secp256k1";
  secretKey: Hex | Uint8Array;
}

const didOf = (didUrl: string) => didUrl.split(/[/?#]/)[0];
/** An app's value in an error message, whatever it is (no toString is called). */
const shown = (x: unknown) => (typeof x === "string" ? x : x === null ? "null" : typeof x);
const encodeJson = (value: unknown) => base64urlnopad.encode(new TextEncoder().encode(JSON.stringify(value)));

/**
 * Signs a DIDComm plaintext message as a DIDComm signed message (general JWS JSON serialisation):
 * protected header `{typ, alg, kid}`, per-signature header `{kid}`. The kid is in both: DIDComm and
 * didcomm-node read the per-signature one, Veramo the protected one (which the signature covers).
 * `message.from` must be the key's DID; `typ` is set to the plaintext media type when absent.
 * Throws InvalidInputError for a bad key or message.
 */
export async function signDidcommMessage(message: DIDCommPlaintext, key: DIDCommSigningKey): Promise<string> {
  if (typeof key?.kid !== "string" || !KEY_ID.test(key.kid))
    throw new InvalidInputError({
      what: "DIDComm signing key id",
      value: shown(key?.kid),
      expected: "a DID URL with a fragment (did:sigil:…#delegate-1)",
    });
  if (key.type !== "Ed25519" && key.type !== "Secp256k1")
    throw new InvalidInputError({
      what: "DIDComm signing key type",
      value: shown(key.type),
      expected: "Ed25519 (EdDSA) or Secp256k1 (ES256K)",
    });
  const did = didOf(key.kid);
  if (typeof message?.id !== "string" || typeof message.type !== "string")
    throw new InvalidInputError({
      what: "DIDComm message",
      value: shown(message),
      expected: "an object with string id and type",
    });
  if (message.from !== did)
    throw new InvalidInputError({ what: "DIDComm message from", value: shown(message.from), expected: `the signing key's DID ${did}` });
  const secret = secretKeyBytes(key.secretKey, `${key.type} secret key`);
  const alg = key.type === "Ed25519" ? "EdDSA" : "ES256K";
  // ES256KSigner(…, false): a plain 64-byte r‖s signature (ES256K), not did-jwt's recoverable ES256K-R.
  const signer = key.type === "Ed25519" ? EdDSASigner(secret) : ES256KSigner(secret, false);
  const protectedHeader = encodeJson({ typ: DIDCOMM_SIGNED_TYPE, alg, kid: key.kid });
  let payload: string;
  try {
    payload = encodeJson({ typ: DIDCOMM_PLAIN_TYPE, ...message });
  } catch (error) {
    const why = error instanceof Error ? error.message : "not serialisable";
    throw new InvalidInputError({ what: "DIDComm message", value: why, expected: "a JSON-serialisable message (no BigInt, no cycles)" });
  }
  const signature = await signer(`${protectedHeader}.${payload}`);
  return JSON.stringify({ payload, signatures: [{ protected: protectedHeader, signature, header: { kid: key.kid } }] });
}

/** Why a signed message was refused. `unsupportedAlgorithm` is never `tampered`: the first is a
 * message Sigil cannot check, the second one whose signature does not match. */
export type DIDCommSignedRefusal =
  | "malformed" // not a DIDComm signed message (what was wrong is in `reason`)
  | "unsupportedAlgorithm" // signed with an algorithm other than EdDSA / ES256K
  | "tampered" // the signature does not match the message under the key its kid names
  | "unauthorisedKey" // the kid is not in the sender's authentication at the judgement time
  | "senderMismatch" // `from` is not the DID the signing key belongs to
  | "notForYou" // its `to` names recipients, and not the one verifying (forwarded or replayed)
  | "deactivated" // the sender's DID is deactivated
  | "unresolvable" // the sender's DID could not be resolved
  | "expired" // past its own expires_time at the judgement time
  | "future"; // dated (created_time) after the judgement time beyond the clock tolerance

export type DIDCommSignedVerdict =
  | { ok: true; message: DIDCommPlaintext; from: string; signedBy: string; alg: "EdDSA" | "ES256K"; judgedAt: number }
  | { ok: false; code: DIDCommSignedRefusal; reason: string; judgedAt: number };

/** As verifyMessage's options: the judgement time is `sentAt` ?? `receivedAt` ?? now. */
export interface DIDCommVerifyOptions {
  /** When your app received the message (unix seconds); default now. Store it with the message. */
  receivedAt?: number;
  /** A send time your app can vouch for (its own server's stamp), instead. Never `created_time`. */
  sentAt?: number;
  /** Clock tolerance, seconds (default 60): a key added up to this long after the judgement time counts, one revoked within it does not. */
  skewSeconds?: number;
  /** The current time instead of the wall clock. */
  now?: number;
  /** Your own DID (or a DID URL of it): a message whose `to` names other recipients only was meant
   * for them (forwarded or replayed to you: a signature proves who wrote it, not to whom) and is
   * refused as `notForYou`. A message with no `to` is for anyone. Default: not checked. */
  recipient?: string;
}

const refuse = (code: DIDCommSignedRefusal, reason: string, judgedAt: number): DIDCommSignedVerdict => ({
  ok: false,
  code,
  reason,
  judgedAt,
});

function checkTimes(options: DIDCommVerifyOptions): { judgedAt: number; skew: number } {
  for (const name of ["receivedAt", "sentAt", "skewSeconds", "now"] as const) {
    const v = options[name];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0))
      throw new InvalidInputError({ what: name, value: String(v), expected: "unix seconds, a non-negative integer" });
  }
  if (options.recipient !== undefined && (typeof options.recipient !== "string" || !/^did:[a-z0-9]+:[^#?/]+/.test(options.recipient)))
    throw new InvalidInputError({ what: "recipient", value: String(options.recipient), expected: "your DID, like did:sigil:…" });
  const now = options.now ?? Math.floor(Date.now() / 1000);
  return { judgedAt: options.sentAt ?? options.receivedAt ?? now, skew: options.skewSeconds ?? DEFAULT_SKEW_SECONDS };
}

/** The sender's document as of `asOf`, or the refusal it leads to. */
async function senderDocument(resolver: Resolvable, did: string, asOf: number, judgedAt: number) {
  const versionTime = new Date(asOf * 1000).toISOString().replace(".000Z", "Z");
  let result: DIDResolutionResult;
  try {
    result = await resolver.resolve(`${did}?versionTime=${versionTime}`);
  } catch (error) {
    return refuse(
      "unresolvable",
      `could not resolve the sender ${did}: ${error instanceof Error ? error.message : String(error)}`,
      judgedAt,
    );
  }
  if (result.didDocumentMetadata?.deactivated === true)
    return refuse("deactivated", "the sender's DID is deactivated: it can no longer sign anything", judgedAt);
  const { error, message } = result.didResolutionMetadata ?? {};
  if (error !== undefined || !result.didDocument)
    return refuse(
      "unresolvable",
      `could not resolve the sender ${did}: ${error ?? "no document"}${message ? `: ${message}` : ""}`,
      judgedAt,
    );
  // A resolver that answers with another DID's document (lying, or a misrouted multi-method one)
  // must not lend that DID's keys to this sender.
  if (result.didDocument.id !== did)
    return refuse("unresolvable", `the resolver answered for ${String(result.didDocument.id)} when asked for ${did}`, judgedAt);
  return result.didDocument;
}

/**
 * Verifies a DIDComm signed message (from didcomm-node, Veramo, or signDidcommMessage): its form,
 * its algorithm (EdDSA, ES256K), that `from` is the DID of the signing key, that this key was in the
 * sender's `authentication` as of the judgement time (receipt by default), and the signature.
 * Never throws for the message's content (a verdict says why it was refused); throws
 * InvalidInputError for bad options.
 */
export async function verifyDidcommSigned(
  packed: unknown,
  resolver: Resolvable,
  options: DIDCommVerifyOptions = {},
): Promise<DIDCommSignedVerdict> {
  const { judgedAt, skew } = checkTimes(options);
  let parsed;
  try {
    parsed = parseDidcommSigned(packed);
  } catch (error) {
    if (!(error instanceof MessageError)) throw error;
    return refuse(error.refusal === "unsupportedAlgorithm" ? "unsupportedAlgorithm" : "malformed", error.message, judgedAt);
  }
  const { message, kid, alg } = parsed;
  const signerDid = didOf(kid);
  if (message.from !== signerDid)
    return refuse(
      "senderMismatch",
      `the message says it is from ${message.from} but is signed with ${kid}, a key of another DID`,
      judgedAt,
    );
  const recipient = options.recipient === undefined ? undefined : didOf(options.recipient);
  if (recipient !== undefined && message.to !== undefined && !message.to.some((to) => didOf(to) === recipient))
    return refuse("notForYou", `it is addressed to ${message.to.join(", ")}, not to ${recipient}`, judgedAt);
  if (message.created_time !== undefined && message.created_time > judgedAt + skew)
    return refuse(
      "future",
      `dated ${message.created_time - judgedAt} s after it was received (more than the ${skew} s clock tolerance)`,
      judgedAt,
    );
  if (message.expires_time !== undefined && message.expires_time < judgedAt)
    return refuse("expired", `it expired ${judgedAt - message.expires_time} s before it was received`, judgedAt);
  const doc = await senderDocument(resolver, signerDid, judgedAt + skew, judgedAt);
  if ("ok" in doc) return doc;
  const methods = new Map((doc.verificationMethod ?? []).map((vm) => [vm.id, vm]));
  const vm = (doc.authentication ?? [])
    .map((ref) => (typeof ref === "string" ? methods.get(ref) : ref))
    .find((m): m is VerificationMethod => m !== undefined && m.id === kid);
  if (!vm)
    return refuse(
      "unauthorisedKey",
      `${kid} is not in the sender's authentication as of receipt (never added, revoked, expired or rotated away)`,
      judgedAt,
    );
  if (vm.blockchainAccountId !== undefined || vm.ethereumAddress !== undefined)
    return refuse(
      "unauthorisedKey",
      `${kid} is an Ethereum account, not a public key: DIDComm peers cannot check it; sign with a published Ed25519 or secp256k1 key`,
      judgedAt,
    );
  try {
    verifyJWS(`${parsed.protected}.${parsed.payload}.${parsed.signature}`, vm);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return refuse(
      "tampered",
      `the ${alg} signature does not match the message under ${kid} (${why.split("\n")[0].slice(0, 160)})`,
      judgedAt,
    );
  }
  return { ok: true, message, from: signerDid, signedBy: kid, alg, judgedAt };
}

// The DIDComm v2 signed-message envelope (DIDComm Messaging v2.1 §"DIDComm Signed Messages"): a
// JWS in JSON serialisation over a plaintext message (a JWM), as didcomm-node and Veramo write
// it. This parser reads the general form ({payload, signatures: [{protected, header, signature}]},
// didcomm-rust's) and the flattened one ({payload, protected, signature}, Veramo's), and refuses
// anything else with a MessageError saying what was wrong: never a crash on hostile input. It
// checks form only; the signature and the sender's keys are signed.ts's business.
import { base64urlnopad } from "@scure/base";
import { echo, MessageError } from "../../errors.ts";

/** Media types (DIDComm Messaging v2.1 §"IANA media types"). */
export const DIDCOMM_SIGNED_TYPE = "application/didcomm-signed+json";
export const DIDCOMM_PLAIN_TYPE = "application/didcomm-plain+json";

/** Signature algorithms Sigil signs and verifies DIDComm messages with. ES256 (P-256) is DIDComm's
 * third; did:sigil documents do not carry P-256 keys yet, so it is refused as unsupported. */
export const DIDCOMM_SIGNATURE_ALGORITHMS = ["EdDSA", "ES256K"] as const;
export type DIDCommSignatureAlgorithm = (typeof DIDCOMM_SIGNATURE_ALGORITHMS)[number];

/** Largest envelope read, in characters: a DIDComm message is not a file transfer (attachments
 * go by link), and a bound keeps a hostile sender from making a phone parse megabytes. */
export const MAX_DIDCOMM_MESSAGE_CHARS = 256 * 1024;

/** A DIDComm plaintext message (JWM). Unknown headers are kept. */
export interface DIDCommPlaintext {
  id: string;
  type: string;
  typ?: string;
  from?: string;
  to?: string[];
  thid?: string;
  pthid?: string;
  created_time?: number;
  expires_time?: number;
  body?: unknown;
  [header: string]: unknown;
}

/** A signed message taken apart, its parts as received (base64url) for the signature check. */
export interface ParsedSignedMessage {
  protected: string;
  payload: string;
  signature: string;
  alg: DIDCommSignatureAlgorithm;
  /** The signing key's DID URL (per-signature header; or the protected one, as Veramo writes it). */
  kid: string;
  message: DIDCommPlaintext;
}

const invalid = (what: string, expected: string) =>
  new MessageError("invalid", `not a DIDComm signed message: ${what}`, `expected ${expected}`);

/** A value for a message, whatever it is (an object with no prototype has no toString). */
const shown = (x: unknown) => (typeof x === "string" ? x : typeof x);
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A base64url (no padding) JSON object, or a MessageError naming `part`. */
function decodeJson(text: unknown, part: string): Record<string, unknown> {
  if (typeof text !== "string" || text.length === 0 || !BASE64URL.test(text))
    throw invalid(`its ${part}`, "a base64url string (no padding)");
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(base64urlnopad.decode(text)));
  } catch {
    throw invalid(`its ${part} is not base64url-encoded UTF-8 JSON`, `a base64url-encoded JSON object`);
  }
  if (!isObject(value)) throw invalid(`its ${part} is not a JSON object`, "a JSON object");
  return value;
}

/** A DID URL with a fragment (a key id), as the DID Core syntax has it, in outline. */
export const KEY_ID = /^did:[a-z0-9]+:[A-Za-z0-9._:%-]+(?:[?/][^#]*)?#[^#\s]+$/;
/** A DID (no path, query or fragment). */
export const DID = /^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$/;

/** The one signature of the envelope: general form with exactly one entry, or flattened. */
function onlySignature(jws: Record<string, unknown>): Record<string, unknown> {
  if (jws.signatures === undefined) return jws;
  if (!Array.isArray(jws.signatures) || jws.signatures.length === 0) throw invalid("`signatures`", "a non-empty list");
  if (jws.signatures.length > 1)
    throw invalid(`${jws.signatures.length} signatures`, "one signature (DIDComm signs with one key; Sigil checks one signer)");
  if (!isObject(jws.signatures[0])) throw invalid("its signature entry", "an object with protected, header and signature");
  if (jws.protected !== undefined || jws.signature !== undefined) throw invalid("both general and flattened members", "one form");
  return jws.signatures[0];
}

/** The plaintext inside: `id` and `type` strings, `from` a DID, and well-typed optional headers. */
function plaintext(payload: Record<string, unknown>): DIDCommPlaintext {
  if (typeof payload.id !== "string" || payload.id.length === 0) throw invalid("its message has no `id`", "a string id");
  if (typeof payload.type !== "string" || payload.type.length === 0) throw invalid("its message has no `type`", "a message type URI");
  if (payload.typ !== undefined && payload.typ !== DIDCOMM_PLAIN_TYPE)
    throw invalid(`its message typ ${echo(shown(payload.typ), 60)}`, DIDCOMM_PLAIN_TYPE);
  if (typeof payload.from !== "string" || !DID.test(payload.from))
    throw invalid("its message has no `from` DID", "the sender's DID in `from` (a signed message names its sender)");
  if (payload.to !== undefined && !(Array.isArray(payload.to) && payload.to.every((t) => typeof t === "string")))
    throw invalid("its `to`", "a list of DIDs");
  for (const time of ["created_time", "expires_time"])
    if (payload[time] !== undefined && !Number.isSafeInteger(payload[time])) throw invalid(`its \`${time}\``, "unix seconds, an integer");
  return payload as DIDCommPlaintext;
}

/**
 * Takes a DIDComm signed message apart (a JSON string or its parsed object). Throws MessageError:
 * `unsupportedAlgorithm` for a well-formed envelope signed with an algorithm other than EdDSA or
 * ES256K, `invalid` for anything that is not a DIDComm signed message (with what was wrong).
 */
export function parseDidcommSigned(input: unknown): ParsedSignedMessage {
  let jws: unknown = input;
  if (typeof input === "string") {
    if (input.length > MAX_DIDCOMM_MESSAGE_CHARS) throw invalid(`${input.length} characters`, `at most ${MAX_DIDCOMM_MESSAGE_CHARS}`);
    try {
      jws = JSON.parse(input);
    } catch {
      throw invalid("it is not JSON", "a JWS in JSON serialisation (a compact JWT is not a DIDComm message)");
    }
  }
  if (!isObject(jws)) throw invalid("it is not a JSON object", "a JWS in JSON serialisation");
  const entry = onlySignature(jws);
  const header = decodeJson(entry.protected, "protected header");
  if (header.typ !== DIDCOMM_SIGNED_TYPE) throw invalid(`its typ ${echo(shown(header.typ), 60)}`, DIDCOMM_SIGNED_TYPE);
  if (header.crit !== undefined || header.b64 !== undefined)
    throw invalid("critical or b64 header parameters", "none (DIDComm defines no extensions to understand)");
  if (typeof header.alg !== "string") throw invalid("no alg", "alg EdDSA or ES256K");
  if (!(DIDCOMM_SIGNATURE_ALGORITHMS as readonly string[]).includes(header.alg))
    throw new MessageError(
      "unsupportedAlgorithm",
      `signature algorithm ${echo(header.alg, 40)} is not supported`,
      `Sigil verifies ${DIDCOMM_SIGNATURE_ALGORITHMS.join(" and ")} DIDComm signatures; ask the sender to sign with an Ed25519 or secp256k1 key of their DID`,
    );
  const unprotected = entry.header === undefined ? {} : entry.header;
  if (!isObject(unprotected)) throw invalid("its per-signature header", "an object");
  const kid = unprotected.kid ?? header.kid;
  if (unprotected.kid !== undefined && header.kid !== undefined && unprotected.kid !== header.kid)
    throw invalid("two different kids in its headers", "one key id");
  if (typeof kid !== "string" || !KEY_ID.test(kid))
    throw invalid(`its kid ${echo(shown(kid), 80)}`, "the signing key's DID URL (did:…#key)");
  if (typeof entry.signature !== "string" || entry.signature.length === 0 || !BASE64URL.test(entry.signature))
    throw invalid("its signature", "a base64url string");
  const message = plaintext(decodeJson(jws.payload, "payload"));
  return {
    protected: entry.protected as string,
    payload: jws.payload as string,
    signature: entry.signature,
    alg: header.alg as DIDCommSignatureAlgorithm,
    kid,
    message,
  };
}

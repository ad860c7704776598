// The DIDComm v2 encrypted envelope (https://identity.foundation/didcomm-messaging/spec/#didcomm-encrypted-messages):
// a general-serialisation JWE whose protected header carries what all recipients share — `typ`
// application/didcomm-encrypted+json, `alg`, `enc`, ONE ephemeral X25519 key `epk`, `apv` =
// base64url(SHA-256 of the recipients' key ids, sorted, joined by ".") and, when authenticated,
// `skid` with `apu` = base64url(skid) — and one wrapped content key per recipient key. The
// algorithms are in jwe-crypto.ts; this file only assembles and checks the structure, so it is
// what didcomm-node and Veramo write and read. A bad structure is "invalid", an algorithm or curve
// Sigil does not implement is "unsupportedAlgorithm", and a failing key unwrap or tag is "tampered".
import { x25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { base64urlnopad } from "@scure/base";
import type { JWE } from "did-jwt";
import { MessageError } from "../errors.ts";
import {
  CONTENT_ALGORITHMS,
  KEY_ALGORITHMS,
  cekLength,
  ecdh1puKek,
  ecdhEsKek,
  openContent,
  sealContent,
  sharedSecret,
  unwrapKey,
  wrapKey,
  type ContentAlgorithm,
  type KdfContext,
  type KeyAlgorithm,
} from "./jwe-crypto.ts";

/** The media type DIDComm v2 gives an encrypted message (the JWE's `typ`). */
export const DIDCOMM_ENCRYPTED = "application/didcomm-encrypted+json";

/** Which ECDH-1PU KDF: "v4" binds the content tag (DIDComm v2, didcomm-node); "v3" does not (Veramo 7). */
export type Ecdh1puVersion = "v4" | "v3";

export interface RecipientKey {
  kid: string;
  publicKey: Uint8Array;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const b64 = (b: Uint8Array) => base64urlnopad.encode(b);

/** DIDComm's `apv`: base64url(SHA-256(recipient kids sorted and joined with ".")). */
export const didcommApv = (kids: readonly string[]): string => b64(sha256(utf8([...kids].sort().join("."))));

/**
 * Encrypts `plaintext` to every key in `recipients` under one ephemeral key, as DIDComm v2 does:
 * ECDH-ES+A256KW without `sender`, ECDH-1PU+A256KW with it. `header` adds protected members
 * (bound by the AAD), e.g. a carried identity proof.
 */
export function sealDidcomm(
  plaintext: Uint8Array,
  recipients: readonly RecipientKey[],
  options: {
    enc: ContentAlgorithm;
    sender?: { kid: string; secretKey: Uint8Array };
    ecdh1pu?: Ecdh1puVersion;
    header?: Record<string, unknown>;
  },
): JWE {
  const { enc, sender } = options;
  const alg: KeyAlgorithm = sender ? "ECDH-1PU+A256KW" : "ECDH-ES+A256KW";
  const ephemeral = x25519.utils.randomSecretKey();
  const apv = didcommApv(recipients.map((r) => r.kid));
  const protectedHeader = {
    typ: DIDCOMM_ENCRYPTED,
    alg,
    enc,
    ...(sender ? { skid: sender.kid, apu: b64(utf8(sender.kid)) } : {}),
    apv,
    epk: { kty: "OKP", crv: "X25519", x: b64(x25519.getPublicKey(ephemeral)) },
    ...options.header,
  };
  const encodedHeader = b64(utf8(JSON.stringify(protectedHeader)));
  const cek = randomBytes(cekLength(enc));
  // The content first: ECDH-1PU -04 derives each KEK from the content's tag.
  const sealed = sealContent(enc, cek, plaintext, utf8(encodedHeader));
  const ctx: KdfContext = { alg, apu: sender ? utf8(sender.kid) : undefined, apv: base64urlnopad.decode(apv) };
  const v3 = options.ecdh1pu === "v3";
  return {
    protected: encodedHeader,
    recipients: recipients.map((r) => {
      const ze = x25519.getSharedSecret(ephemeral, r.publicKey);
      const kek = sender
        ? ecdh1puKek(ze, x25519.getSharedSecret(sender.secretKey, r.publicKey), ctx, v3 ? undefined : sealed.tag)
        : ecdhEsKek(ze, ctx);
      return { header: { kid: r.kid }, encrypted_key: b64(wrapKey(kek, cek)) };
    }),
    iv: b64(sealed.iv),
    ciphertext: b64(sealed.ciphertext),
    tag: b64(sealed.tag),
  };
}

/** A DIDComm protected header, checked. */
export interface DidcommHeader {
  alg: KeyAlgorithm;
  enc: ContentAlgorithm;
  epk: Uint8Array;
  apu?: Uint8Array;
  apv?: Uint8Array;
  /** ECDH-1PU's sender key id: `skid`, or decoded from `apu` when only that is present (as DIDComm allows). */
  skid?: string;
}

const invalid = (what: string) =>
  new MessageError("invalid", "not a well-formed DIDComm encrypted message", `${what} (see the DIDComm v2 spec, encrypted messages)`);

function decodeField(value: unknown, name: string): Uint8Array | undefined {
  if (value === undefined) return undefined;
  try {
    if (typeof value === "string") return base64urlnopad.decode(value);
  } catch {
    // falls through to the typed error
  }
  throw invalid(`${name} is not base64url`);
}

/** Reads `alg`, `enc` and the key-agreement members of a protected header that names an `alg`. */
export function readDidcommHeader(header: Record<string, unknown>): DidcommHeader {
  const { alg, enc } = header;
  if (typeof alg !== "string" || typeof enc !== "string") throw invalid("the protected header needs string alg and enc");
  if (!(KEY_ALGORITHMS as readonly string[]).includes(alg) || !(CONTENT_ALGORITHMS as readonly string[]).includes(enc))
    throw new MessageError(
      "unsupportedAlgorithm",
      `unsupported encryption algorithm ${alg} / ${enc}`,
      `Sigil reads ${KEY_ALGORITHMS.join(" and ")} with ${CONTENT_ALGORITHMS.join(", ")}; ask the sender to use one of these`,
    );
  const epk = header.epk as { kty?: unknown; crv?: unknown; x?: unknown } | undefined;
  if (!epk || typeof epk !== "object") throw invalid("the protected header has no epk");
  if (epk.crv !== "X25519" || epk.kty !== "OKP")
    throw new MessageError(
      "unsupportedAlgorithm",
      `unsupported key agreement curve ${String(epk.crv)}`,
      "Sigil's key-agreement keys are X25519 (OKP); ask the sender to encrypt to one of them",
    );
  const x = decodeField(epk.x, "epk.x");
  if (!x || x.length !== 32) throw invalid("epk.x is not a 32-byte X25519 key");
  const apu = decodeField(header.apu, "apu");
  const apv = decodeField(header.apv, "apv");
  if (header.skid !== undefined && typeof header.skid !== "string") throw invalid("skid is not a string");
  // Only ECDH-1PU authenticates a sender: an anonymous message's `skid` names no one (anyone can
  // write it), so it is not read at all.
  const authenticated = alg === "ECDH-1PU+A256KW";
  const skid = authenticated ? ((header.skid as string | undefined) ?? (apu && new TextDecoder().decode(apu))) : undefined;
  if (authenticated && !skid) throw invalid("ECDH-1PU needs the sender's key id (skid or apu)");
  if (skid !== undefined && apu !== undefined && new TextDecoder().decode(apu) !== skid) throw invalid("apu does not name skid");
  return { alg: alg as KeyAlgorithm, enc: enc as ContentAlgorithm, epk: x, apu, apv, skid };
}

/**
 * Opens the content for the recipient entry `kid` with its X25519 secret. For ECDH-1PU,
 * `senderPublicKey` is the sender's key as listed at receipt; a draft -03 KEK (no tag binding) is
 * tried when -04 fails, and what opens that way is returned only with `allowV3`, else refused as
 * "unsupportedAlgorithm" saying why. Returns the plaintext and the ECDH-1PU version that opened it.
 */
export function openDidcomm(
  jwe: JWE,
  header: DidcommHeader,
  recipient: { kid: string; secretKey: Uint8Array },
  options: { senderPublicKey?: Uint8Array; allowV3: boolean; v3Refusal?: string },
): { plaintext: Uint8Array; ecdh1pu?: Ecdh1puVersion } {
  const entry = (jwe.recipients ?? []).find((r) => r.header?.kid === recipient.kid);
  // apv binds the recipient list into every KEK; a list that does not hash to it was altered.
  const kids = (jwe.recipients ?? []).map((r) => r.header?.kid);
  if (header.apv && (kids.some((k) => typeof k !== "string") || didcommApv(kids as string[]) !== b64(header.apv)))
    throw new MessageError(
      "tampered",
      "the message could not be decrypted",
      "its recipient list does not match the apv it was encrypted with",
    );
  const wrapped = decodeField(entry?.encrypted_key, "encrypted_key");
  const sealed = {
    iv: decodeField(jwe.iv, "iv") ?? new Uint8Array(),
    ciphertext: decodeField(jwe.ciphertext, "ciphertext") ?? new Uint8Array(),
    tag: decodeField(jwe.tag, "tag") ?? new Uint8Array(),
  };
  const ze = sharedSecret(recipient.secretKey, header.epk);
  const zs = options.senderPublicKey ? sharedSecret(recipient.secretKey, options.senderPublicKey) : null;
  const ctx: KdfContext = { alg: header.alg, apu: header.apu, apv: header.apv };
  const aad = utf8(jwe.aad ? `${jwe.protected}.${jwe.aad}` : jwe.protected);
  const attempts: [Uint8Array | null, Ecdh1puVersion | undefined][] = [];
  if (ze && wrapped && header.alg === "ECDH-ES+A256KW") attempts.push([ecdhEsKek(ze, ctx), undefined]);
  if (ze && zs && wrapped && header.alg === "ECDH-1PU+A256KW") {
    attempts.push([ecdh1puKek(ze, zs, ctx, sealed.tag), "v4"]);
    attempts.push([ecdh1puKek(ze, zs, ctx), "v3"]);
  }
  for (const [kek, version] of attempts) {
    const cek = kek && unwrapKey(kek, wrapped!);
    const plaintext = cek && openContent(header.enc, cek, sealed, aad);
    if (plaintext && version === "v3" && !options.allowV3)
      throw new MessageError(
        "unsupportedAlgorithm",
        "ECDH-1PU draft -03 (no tag binding) is not accepted here",
        options.v3Refusal ?? "any co-recipient of such a message could have written it under the sender's name",
      );
    if (plaintext) return { plaintext, ecdh1pu: version };
  }
  throw new MessageError(
    "tampered",
    "the message could not be decrypted",
    "altered in transit, or not from the key it names (the key unwrap or the authentication tag failed)",
  );
}

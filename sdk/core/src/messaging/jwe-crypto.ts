// The JOSE algorithms of DIDComm v2 encryption, each composed from audited libraries rather than
// written here: content encryption A256CBC-HS512 (RFC 7518 §5.2.2: @noble/ciphers' AES-CBC with
// PKCS#7 padding, then @noble/hashes' HMAC-SHA-512 over AAD ‖ IV ‖ ciphertext ‖ AAD length,
// truncated to 32 bytes and compared in constant time), A256GCM and XC20P (@noble/ciphers, the
// XChaCha20-Poly1305 did-jwt itself uses); key wrapping A256KW (RFC 3394, @noble/ciphers' aeskw); key
// agreement ECDH-ES (did-jwt's X25519 KEK functions) and ECDH-1PU (X25519 from @noble/curves).
//
// ECDH-1PU is the one place where no library fits whole: DIDComm v2 names draft-madden-jose-ecdh-1pu
// -04, whose key-wrapping mode binds the content's authentication tag into the KDF (SuppPubInfo =
// keydatalen ‖ len(tag) ‖ tag), so that one recipient of a multi-recipient message, who learns the
// content key, cannot re-encrypt other content under the sender's name for the others. did-jwt's
// createX25519Ecdh1PUv3Kek implements draft -03 (no tag) and derives the KEK before any content
// exists; didcomm-node (didcomm-rust) implements -04 and refuses -03. So the -04 KDF below is
// did-jwt's Concat KDF input (RFC 7518 §4.6.2, one SHA-256 round for a 256-bit key) extended by the
// tag, hashed by @noble/hashes; the -03 form (what Veramo 7 writes and reads) is did-jwt's own.
import { cbc, gcm, aeskw } from "@noble/ciphers/aes.js";
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { equalBytes } from "@noble/ciphers/utils.js";
import { x25519 } from "@noble/curves/ed25519.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { concatBytes, randomBytes } from "@noble/hashes/utils.js";
import { concatKDF } from "did-jwt";

/** Content encryption algorithms (JWE `enc`) Sigil writes and reads in the DIDComm form. */
export const CONTENT_ALGORITHMS = ["A256CBC-HS512", "A256GCM", "XC20P"] as const;
export type ContentAlgorithm = (typeof CONTENT_ALGORITHMS)[number];
/** Key management algorithms (JWE `alg`) of the DIDComm form. */
export const KEY_ALGORITHMS = ["ECDH-ES+A256KW", "ECDH-1PU+A256KW"] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

export interface Sealed {
  iv: Uint8Array;
  ciphertext: Uint8Array;
  tag: Uint8Array;
}

/** The content key length in bytes: A256CBC-HS512 takes a 32-byte MAC key then a 32-byte AES key. */
export const cekLength = (enc: ContentAlgorithm): number => (enc === "A256CBC-HS512" ? 64 : 32);

const be32 = (n: number) => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
};
const be64 = (n: number) => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
};

/** RFC 7518 §5.2.2.1's MAC input and truncated tag (the first half of HMAC-SHA-512). */
function cbcHmacTag(macKey: Uint8Array, aad: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return hmac(sha512, macKey, concatBytes(aad, iv, ciphertext, be64(aad.length * 8))).slice(0, 32);
}

/** A256CBC-HS512 with a given IV (exported for the RFC 7518 Appendix B.3 vector; callers use sealContent). */
export function a256cbcHs512Encrypt(cek: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Sealed {
  const ciphertext = cbc(cek.subarray(32, 64), iv).encrypt(plaintext);
  return { iv, ciphertext, tag: cbcHmacTag(cek.subarray(0, 32), aad, iv, ciphertext) };
}

/** Encrypts `plaintext` under `cek` with a fresh random IV; `aad` is the ASCII of the protected header. */
export function sealContent(enc: ContentAlgorithm, cek: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Sealed {
  if (cek.length !== cekLength(enc)) throw new RangeError(`${enc} takes a ${cekLength(enc)}-byte key`);
  if (enc === "A256CBC-HS512") return a256cbcHs512Encrypt(cek, randomBytes(16), plaintext, aad);
  const iv = randomBytes(enc === "A256GCM" ? 12 : 24);
  const sealed = (enc === "A256GCM" ? gcm : xchacha20poly1305)(cek, iv, aad).encrypt(plaintext);
  return { iv, ciphertext: sealed.subarray(0, -16), tag: sealed.subarray(-16) };
}

/** Decrypts and authenticates; null when the tag does not verify (altered, or the wrong key). */
export function openContent(enc: ContentAlgorithm, cek: Uint8Array, sealed: Sealed, aad: Uint8Array): Uint8Array | null {
  if (cek.length !== cekLength(enc)) return null;
  try {
    if (enc === "A256CBC-HS512") {
      if (sealed.iv.length !== 16 || sealed.tag.length !== 32) return null;
      // Check the tag before decrypting anything (no padding oracle), in constant time.
      if (!equalBytes(cbcHmacTag(cek.subarray(0, 32), aad, sealed.iv, sealed.ciphertext), sealed.tag)) return null;
      return cbc(cek.subarray(32, 64), sealed.iv).decrypt(sealed.ciphertext);
    }
    if (sealed.iv.length !== (enc === "A256GCM" ? 12 : 24) || sealed.tag.length !== 16) return null;
    return (enc === "A256GCM" ? gcm : xchacha20poly1305)(cek, sealed.iv, aad).decrypt(concatBytes(sealed.ciphertext, sealed.tag));
  } catch {
    return null;
  }
}

/** A256KW (RFC 3394) wrap of the content key under a key-encryption key. */
export const wrapKey = (kek: Uint8Array, cek: Uint8Array): Uint8Array => aeskw(kek).encrypt(cek);

/** A256KW unwrap; null when the integrity check fails (the wrong KEK, or an altered key). */
export function unwrapKey(kek: Uint8Array, wrapped: Uint8Array): Uint8Array | null {
  try {
    return aeskw(kek).decrypt(wrapped);
  } catch {
    return null;
  }
}

/** X25519, null for a low-order peer key (an all-zero secret @noble/curves refuses). */
export function sharedSecret(secret: Uint8Array, publicKey: Uint8Array): Uint8Array | null {
  try {
    return x25519.getSharedSecret(secret, publicKey);
  } catch {
    return null;
  }
}

/** The KDF context: `alg` and the decoded `apu`/`apv` of the protected header. */
export interface KdfContext {
  alg: KeyAlgorithm;
  apu?: Uint8Array;
  apv?: Uint8Array;
}

/** ECDH-ES KEK (RFC 7518 §4.6.2), did-jwt's Concat KDF. */
export const ecdhEsKek = (z: Uint8Array, ctx: KdfContext): Uint8Array => concatKDF(z, 256, ctx.alg, ctx.apu, ctx.apv);

/**
 * ECDH-1PU KEK with Z = Ze ‖ Zs. `tag` set: draft -04 key wrapping (DIDComm v2, didcomm-node), the
 * tag appended to SuppPubInfo with its 32-bit length; `tag` undefined: draft -03 (did-jwt, Veramo 7).
 */
export function ecdh1puKek(ze: Uint8Array, zs: Uint8Array, ctx: KdfContext, tag?: Uint8Array): Uint8Array {
  const z = concatBytes(ze, zs);
  if (!tag) return concatKDF(z, 256, ctx.alg, ctx.apu, ctx.apv);
  const field = (b: Uint8Array = new Uint8Array()) => concatBytes(be32(b.length), b);
  const info = concatBytes(field(new TextEncoder().encode(ctx.alg)), field(ctx.apu), field(ctx.apv), be32(256), field(tag));
  // One round: SHA-256 yields the 256 bits A256KW needs (RFC 7518 §4.6.2 counter = 1).
  return sha256(concatBytes(be32(1), z, info));
}

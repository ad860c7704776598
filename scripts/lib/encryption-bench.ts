// Encrypted messages: Sigil's encryptMessage + decryptMessage (its default, a DIDComm v2 anoncrypt
// message: ECDH-ES+A256KW with XC20P, resolving both sides through a warm resolver cache) against
// the raw ceiling of the same primitives with @noble directly and no envelope: an ephemeral X25519
// key, two X25519 agreements, a SHA-256 KDF, AES key wrap and XChaCha20-Poly1305 for the content,
// each way. did-jwt's own envelope (the 0.x ECDH-ES+XC20PKW form) is measured alongside.
// Alternating rounds, medians.
import { aeskw } from "@noble/ciphers/aes.js";
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { x25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { createAnonDecrypter, createAnonEncrypter, createJWE, decryptJWE } from "did-jwt";
import { decryptMessage, encryptMessage, type KeyPair, type SigilResolver } from "sigil-did";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export interface EncryptionBench {
  messages: number;
  sigilPerSecond: number;
  /** did-jwt's createJWE + decryptJWE with the keys in hand: the envelope without Sigil. */
  didJwtPerSecond: number;
  rawPerSecond: number;
  ratio: number;
}

export async function measureEncryption(args: {
  resolver: SigilResolver;
  did: string;
  key: KeyPair;
  now: number;
  messages: number;
}): Promise<EncryptionBench> {
  const { resolver, did, key, now, messages } = args;
  const text = "x".repeat(200); // a chat message
  const viaSigil = async () => {
    const start = performance.now();
    for (let i = 0; i < messages; i++) {
      const jwe = await encryptMessage(did, { text }, resolver, { now });
      const out = await decryptMessage(jwe, { did, secretKey: key.secretKey }, resolver, { now });
      if (out.payload.text !== text) throw new Error("round trip failed");
    }
    return messages / ((performance.now() - start) / 1000);
  };
  const plaintext = new TextEncoder().encode(JSON.stringify({ text, iat: now }));
  const kdf = (z: Uint8Array) => sha256(new Uint8Array([0, 0, 0, 1, ...z, ...new TextEncoder().encode("ECDH-ES+A256KW")]));
  const raw = () => {
    const start = performance.now();
    for (let i = 0; i < messages; i++) {
      const eph = x25519.utils.randomSecretKey();
      const epk = x25519.getPublicKey(eph);
      const cek = randomBytes(32);
      const ivContent = randomBytes(24);
      const wrapped = aeskw(kdf(x25519.getSharedSecret(eph, key.publicKey))).encrypt(cek);
      const sealed = xchacha20poly1305(cek, ivContent).encrypt(plaintext);
      const unwrapped = aeskw(kdf(x25519.getSharedSecret(key.secretKey, epk))).decrypt(wrapped);
      if (xchacha20poly1305(unwrapped, ivContent).decrypt(sealed).length !== plaintext.length) throw new Error("raw round trip failed");
    }
    return messages / ((performance.now() - start) / 1000);
  };
  const decrypter = createAnonDecrypter(key.secretKey);
  const viaDidJwt = async () => {
    const start = performance.now();
    for (let i = 0; i < messages; i++) {
      const jwe = await createJWE(plaintext, [createAnonEncrypter(key.publicKey, { kid: "k" })], { cty: "application/json" });
      if ((await decryptJWE(jwe, decrypter)).length !== plaintext.length) throw new Error("did-jwt round trip failed");
    }
    return messages / ((performance.now() - start) / 1000);
  };
  await viaSigil(); // warms the cache and the JIT
  await viaDidJwt();
  raw();
  const [sigilRounds, didJwtRounds, rawRounds]: [number[], number[], number[]] = [[], [], []];
  for (let round = 0; round < 5; round++) {
    sigilRounds.push(await viaSigil());
    didJwtRounds.push(await viaDidJwt());
    rawRounds.push(raw());
  }
  const [sigilPerSecond, didJwtPerSecond, rawPerSecond] = [median(sigilRounds), median(didJwtRounds), median(rawRounds)];
  return { messages, sigilPerSecond, didJwtPerSecond, rawPerSecond, ratio: sigilPerSecond / rawPerSecond };
}

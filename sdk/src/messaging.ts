// Signed chat messages as JWTs (did-jwt, the field's library): sign with a key a DID
// authorises, verify against the sender's document now or as of when the message was sent,
// and a short fingerprint of a DID's authentication keys to compare out of band.
import { createJWT, ES256KSigner, EdDSASigner, verifyJWT, type JWTVerified } from "did-jwt";
import type { DIDResolutionOptions, DIDResolutionResult, Resolvable, VerificationMethod } from "did-resolver";
import { sha256 } from "@noble/hashes/sha2.js";
import { base64urlnopad } from "@scure/base";
import { bytesToHex, hexToBytes, type Hex } from "viem";
import type { SigilResolver } from "./resolver.ts";

export interface MessageSigner {
  /** The sender's DID. */
  did: string;
  /** secp256k1 (the controller or a sigAuth delegate: ES256K-R) or Ed25519 (EdDSA) secret key. */
  secretKey: Hex;
  type?: "Secp256k1" | "Ed25519";
}

/** Signs `content` as a JWT from `signer.did`, dated `issuedAt` (unix seconds, default now). */
export function signMessage(signer: MessageSigner, content: Record<string, unknown>, issuedAt?: number): Promise<string> {
  const key = hexToBytes(signer.secretKey);
  const ed = signer.type === "Ed25519";
  return createJWT(
    { ...content, iat: issuedAt ?? Math.floor(Date.now() / 1000) },
    { issuer: signer.did, signer: ed ? EdDSASigner(key) : ES256KSigner(key, true), alg: ed ? "EdDSA" : "ES256K-R" },
  );
}

/** The JWT's claims, or none when its payload is not base64url JSON (did-jwt then says why). */
function claims(jwt: string): { iat?: number } {
  try {
    return JSON.parse(new TextDecoder().decode(base64urlnopad.decode(jwt.split(".")[1] ?? ""))) as { iat?: number };
  } catch {
    return {};
  }
}

export type VerifyResult =
  | { ok: true; issuer: string; signedBy: string; payload: JWTVerified["payload"] }
  | { ok: false; reason: string; code: "deactivated" | "unauthorisedKey" | "invalid" | "unresolvable" };

/**
 * Verifies a message: the signature must come from a key that the sender's DID authorises
 * for authentication. By default it is judged against the sender's document as of when the
 * message was sent (`iat`), so messages sent before a rotation stay valid after it. `iat` is the
 * sender's claim: pass `receivedAt` (when your app received it) to judge as of that moment
 * instead, so a thief cannot backdate a message past a rotation. `at: "now"` uses the current
 * document. `now` (unix seconds) overrides the clock did-jwt checks `iat` against.
 */
export async function verifyMessage(
  jwt: string,
  resolver: SigilResolver,
  options: { at?: "sent" | "now"; receivedAt?: number; now?: number } = {},
): Promise<VerifyResult> {
  let deactivated = false;
  const resolvable: Resolvable = {
    resolve: async (didUrl: string, resolveOptions?: DIDResolutionOptions): Promise<DIDResolutionResult> => {
      const payload = claims(jwt);
      const when = options.receivedAt ?? payload.iat;
      const asOf = options.at !== "now" && typeof when === "number" ? `?versionTime=${new Date(when * 1000).toISOString()}` : "";
      const result = await resolver.resolve(`${didUrl.split(/[?#]/)[0]}${asOf}`, resolveOptions);
      deactivated = result.didDocumentMetadata.deactivated === true;
      return result;
    },
  };
  try {
    const verified = await verifyJWT(jwt, {
      resolver: resolvable,
      proofPurpose: "authentication",
      policies: options.now ? { now: options.now } : undefined,
    });
    return { ok: true, issuer: verified.issuer, signedBy: verified.signer.id, payload: verified.payload };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (deactivated) return { ok: false, reason: "the sender's DID is deactivated: it can no longer sign anything", code: "deactivated" };
    if (/invalid_signature|no_suitable_keys/.test(message)) {
      return {
        ok: false,
        reason: "signed by a key the sender's DID does not authorise (never added, revoked, expired or rotated away)",
        code: "unauthorisedKey",
      };
    }
    if (/resolver_error/.test(message)) return { ok: false, reason: `could not resolve the sender: ${message}`, code: "unresolvable" };
    return { ok: false, reason: message, code: "invalid" };
  }
}

/** Key material of a verification method, as bytes of its canonical text. */
function keyMaterial(vm: VerificationMethod): string {
  const m = vm as VerificationMethod & Record<string, string | undefined>;
  return `${vm.type}:${(m.blockchainAccountId ?? m.publicKeyHex ?? m.publicKeyBase64 ?? m.publicKeyBase58 ?? m.publicKeyMultibase ?? JSON.stringify(m.publicKeyJwk ?? "")).toLowerCase()}`;
}

/**
 * A short fingerprint of a document's authentication keys, to compare out of band ("safety
 * number"): SHA-256 over the sorted, newline-joined `type:keyMaterial` lines, first 16 bytes,
 * as 8 groups of 4 hex digits. Independent of key order and of verification-method ids.
 */
export function authenticationFingerprint(result: DIDResolutionResult): string {
  const doc = result.didDocument;
  if (!doc) return "(no document)";
  const methods = new Map((doc.verificationMethod ?? []).map((vm) => [vm.id, vm]));
  const lines = (doc.authentication ?? [])
    .map((ref) => (typeof ref === "string" ? methods.get(ref) : ref))
    .filter((vm): vm is VerificationMethod => vm !== undefined)
    .map(keyMaterial)
    .sort();
  const digest = bytesToHex(sha256(new TextEncoder().encode(lines.join("\n")))).slice(2, 34);
  return digest.match(/.{4}/g)!.join(" ");
}

// Signed chat messages as JWTs (did-jwt, the field's library): sign with a key a DID
// authorises, verify against the sender's document as of receipt (never the date the sender
// claims), and short fingerprints and safety numbers to compare out of band.
import { createJWT, ES256KSigner, EdDSASigner, verifyJWT, type JWTVerified } from "did-jwt";
import type { DIDResolutionOptions, DIDResolutionResult, Resolvable } from "did-resolver";
import { base64urlnopad } from "@scure/base";
import { hexToBytes, type Hex } from "viem";
import type { CarriedProofOptions } from "../resolve/carried.ts";

export interface MessageSigner {
  /** The sender's DID. */
  did: string;
  /** secp256k1 (the controller or a sigAuth delegate: ES256K-R) or Ed25519 (EdDSA) secret key. */
  secretKey: Hex;
  type?: "Secp256k1" | "Ed25519";
}

/** The JWT claim that carries the sender's identity proof (proveIdentity's string). Inside the
 * signed payload, so it cannot be swapped without breaking the signature; it is evidence all the
 * same, checked on its own: a proof of another DID, or of keys that do not include the signing
 * one, simply fails. */
export const PROOF_CLAIM = "sigilProof";

export interface SignMessageOptions {
  /** The sender's identity proof (proveIdentity), carried in the message so that a recipient
   * holding trusted headers verifies it with no lookup (verifyMessage's `carried`). */
  proof?: string;
}

/** Signs `content` as a JWT from `signer.did`, dated `issuedAt` (unix seconds, default now). */
export function signMessage(
  signer: MessageSigner,
  content: Record<string, unknown>,
  issuedAt?: number,
  options: SignMessageOptions = {},
): Promise<string> {
  const key = hexToBytes(signer.secretKey);
  const ed = signer.type === "Ed25519";
  return createJWT(
    {
      ...content,
      ...(options.proof === undefined ? {} : { [PROOF_CLAIM]: options.proof }),
      iat: issuedAt ?? Math.floor(Date.now() / 1000),
    },
    { issuer: signer.did, signer: ed ? EdDSASigner(key) : ES256KSigner(key, true), alg: ed ? "EdDSA" : "ES256K-R" },
  );
}

/** The JWT's claims, or none when its payload is not base64url JSON (did-jwt then says why). */
function claims(jwt: string): { iat?: number; iss?: unknown; [PROOF_CLAIM]?: unknown } {
  try {
    return JSON.parse(new TextDecoder().decode(base64urlnopad.decode(jwt.split(".")[1] ?? ""))) as { iat?: number };
  } catch {
    return {};
  }
}

/** How the sender's keys were learned: from the proof the message carried (no request), or by a
 * lookup through the resolver; with the proof's block, or why a carried proof was not used. */
export interface VerifiedBy {
  verifiedBy: "carriedProof" | "lookup";
  /** The carried proof's block, when it was used. */
  proofBlock?: bigint;
  /** Why the message's carried proof was not used (then the lookup decided). */
  proofRefused?: string;
}

/** A message's verdict: verified, with the signer's key, or why not. */
export type Verdict =
  | { ok: true; issuer: string; signedBy: string; payload: JWTVerified["payload"]; judgedAt: number }
  | { ok: false; reason: string; code: "deactivated" | "unauthorisedKey" | "invalid" | "unresolvable"; judgedAt: number };

export type VerifyResult = Verdict & VerifiedBy;

export interface VerifyOptions {
  /** When your app received the message (unix seconds); default now. The message is judged as of
   * then: a thief who signs with a stolen key after a rotation cannot backdate past it. */
  receivedAt?: number;
  /** A send time your app can vouch for (its own server stamped the message on arrival), to judge
   * as of then instead. Never the message's `iat`: the sender chooses that. */
  sentAt?: number;
  /** Clock tolerance in seconds (default 60): the chain's block time may run ahead of yours, so a
   * key added up to this long after the judgement time counts, and one revoked within it does
   * not. A message dated more than this after the judgement time is refused. */
  skewSeconds?: number;
  /** The current time (unix seconds) instead of the wall clock. */
  now?: number;
  /** Verify with the identity proof the message carries, with no network request, when your
   * trusted headers confirm it and it is fresh enough (resolve/carried.ts); otherwise (no proof, or
   * one refused: `proofRefused` says why) the resolver decides. */
  carried?: CarriedProofOptions;
}

/** Default clock tolerance, seconds. */
export const DEFAULT_SKEW_SECONDS = 60;

/**
 * Verifies a message: the signature must come from a key that the sender's DID authorises for
 * authentication as of the judgement time: when the app received it (default: now), or a send
 * time the app can vouch for. Pass the receipt time for stored messages, so that messages
 * received before a rotation stay valid after it. With `carried`, a message carrying its sender's
 * identity proof is verified from that proof alone (no request); `resolver` is the fallback (a
 * private lookup when configured), or null for none (the message is then `unresolvable`).
 */
export async function verifyMessage(jwt: string, resolver: Resolvable | null, options: VerifyOptions = {}): Promise<VerifyResult> {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const skew = options.skewSeconds ?? DEFAULT_SKEW_SECONDS;
  const judgedAt = options.sentAt ?? options.receivedAt ?? now;
  const { iat, iss, [PROOF_CLAIM]: proof } = claims(jwt);
  if (typeof iat === "number" && iat > judgedAt + skew) {
    return {
      ok: false,
      code: "invalid",
      reason: `dated ${iat - judgedAt} s after it was received (more than the ${skew} s clock tolerance)`,
      judgedAt,
      verifiedBy: "lookup",
    };
  }
  let proofRefused: string | undefined;
  if (options.carried && typeof proof === "string" && typeof iss === "string") {
    // Loaded only when used: apps that never carry proofs do not ship the verified mode.
    const { verifyIdentityProof } = await import("../resolve/carried.ts");
    const checked = await verifyIdentityProof(proof, iss, { ...options.carried, at: judgedAt, skewSeconds: skew });
    if (checked.accepted) {
      const subject = iss.split(/[?#]/)[0];
      const fromProof: Resolvable = {
        resolve: async (didUrl) =>
          didUrl.split(/[?#]/)[0] === subject ? checked.result : notFound(`the carried proof is about ${subject}, not ${didUrl}`),
      };
      const verdict: Verdict = await judge(jwt, fromProof, judgedAt, skew);
      return { ...verdict, verifiedBy: "carriedProof", proofBlock: checked.blockNumber };
    }
    proofRefused = `${checked.refusal}: ${checked.reason}`;
  }
  if (!resolver) {
    const reason = `no lookup is configured and ${proofRefused ? `the carried proof was not used (${proofRefused})` : "the message carries no identity proof"}`;
    return { ok: false, code: "unresolvable", reason, judgedAt, verifiedBy: "lookup", ...(proofRefused ? { proofRefused } : {}) };
  }
  const asOf = `?versionTime=${new Date((judgedAt + skew) * 1000).toISOString().replace(".000Z", "Z")}`;
  const resolvable: Resolvable = {
    resolve: (didUrl: string, resolveOptions?: DIDResolutionOptions) =>
      resolver.resolve(`${didUrl.split(/[?#]/)[0]}${asOf}`, resolveOptions),
  };
  const verdict: Verdict = await judge(jwt, resolvable, judgedAt, skew);
  return { ...verdict, verifiedBy: "lookup", ...(proofRefused ? { proofRefused } : {}) };
}

const notFound = (message: string): DIDResolutionResult => ({
  didResolutionMetadata: { error: "notFound", message },
  didDocument: null,
  didDocumentMetadata: {},
});

/** did-jwt's verification against the sender's document as `resolver` gives it, with Sigil's reasons. */
async function judge(jwt: string, resolver: Resolvable, judgedAt: number, skew: number): Promise<Verdict> {
  let deactivated = false;
  const watching: Resolvable = {
    resolve: async (didUrl: string, resolveOptions?: DIDResolutionOptions): Promise<DIDResolutionResult> => {
      const result = await resolver.resolve(didUrl, resolveOptions);
      deactivated = result.didDocumentMetadata.deactivated === true;
      return result;
    },
  };
  try {
    const verified = await verifyJWT(jwt, {
      resolver: watching,
      proofPurpose: "authentication",
      policies: { now: judgedAt },
      skewTime: skew,
    });
    return { ok: true, issuer: verified.issuer, signedBy: verified.signer.id, payload: verified.payload, judgedAt };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (deactivated)
      return { ok: false, reason: "the sender's DID is deactivated: it can no longer sign anything", code: "deactivated", judgedAt };
    if (/invalid_signature|no_suitable_keys/.test(message)) {
      return {
        ok: false,
        reason: "signed by a key the sender's DID does not authorise (never added, revoked, expired or rotated away)",
        code: "unauthorisedKey",
        judgedAt,
      };
    }
    if (/resolver_error/.test(message))
      return { ok: false, reason: `could not resolve the sender: ${message}`, code: "unresolvable", judgedAt };
    return { ok: false, reason: message, code: "invalid", judgedAt };
  }
}

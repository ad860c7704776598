// Numbers two people compare once, in person or over a channel they trust, to know that the
// keys their apps use are each other's, as Signal's safety numbers do. Derived from documents
// only (SHA-256 from @noble/hashes), independent of key order and of verification-method ids.
import type { DIDResolutionResult } from "did-resolver";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "viem";
import { keysByRelationship } from "../document/changes.ts";
import { devicesOf } from "../document/devices.ts";
import { SigilError } from "../errors.ts";

/** The DID a result is about, in its canonical form when the resolver gives one. */
function didOf(result: DIDResolutionResult): string {
  const canonical = (result.didDocumentMetadata as { canonicalId?: string }).canonicalId;
  return (canonical ?? result.didDocument?.id ?? "").toLowerCase();
}

/**
 * A short fingerprint of a document's authentication keys: SHA-256 over the sorted,
 * newline-joined `type:keyMaterial` lines (key material lower case), first 16 bytes, as 8 groups
 * of 4 hex digits.
 */
export function authenticationFingerprint(result: DIDResolutionResult): string {
  if (!result.didDocument) return "(no document)";
  const lines = [...keysByRelationship(result).authentication].sort();
  const digest = bytesToHex(sha256(new TextEncoder().encode(lines.join("\n")))).slice(2, 34);
  return digest.match(/.{4}/g)!.join(" ");
}

/** 30 decimal digits for one side: SHA-256 of the version line, the DID and its authentication
 * and keyAgreement keys, six 5-byte chunks each taken modulo 100000. Version 1 for a DID without
 * devices (the numbers compared before devices existed stay valid); version 2 adds one line per
 * trusted device (name in lower case and its two keys), so that adding, removing, re-keying or
 * renaming a device changes the number as WhatsApp's security code does. */
function side(result: DIDResolutionResult): { did: string; groups: string[] } {
  const keys = keysByRelationship(result);
  const lines = [
    ...[...keys.authentication].map((k) => `authentication:${k}`),
    ...[...keys.keyAgreement].map((k) => `keyAgreement:${k}`),
  ].sort();
  const devices = devicesOf(result).devices.map(
    (d) => `device:${d.name.toLowerCase()}:${d.signingKey.publicKeyHex}:${d.keyAgreementKey.publicKeyHex}`,
  );
  const version = devices.length === 0 ? "sigil safety number v1" : "sigil safety number v2";
  const did = didOf(result);
  const digest = sha256(new TextEncoder().encode([version, did, ...lines, ...devices.sort()].join("\n")));
  const groups: string[] = [];
  for (let i = 0; i < 6; i++) {
    let n = 0n;
    for (const byte of digest.slice(i * 5, i * 5 + 5)) n = (n << 8n) | BigInt(byte);
    groups.push((n % 100_000n).toString().padStart(5, "0"));
  }
  return { did, groups };
}

/**
 * The safety number of a pair of DIDs: 60 digits in 12 groups of 5, the same on both sides (the
 * two halves are ordered by DID). It changes when either side's authentication or keyAgreement
 * keys or named devices change (`diffResolutions` says which device), and not when keys are
 * merely reordered or renumbered.
 */
export function safetyNumber(a: DIDResolutionResult, b: DIDResolutionResult): string {
  if (!a.didDocument || !b.didDocument)
    throw new SigilError("invalidInput", "a safety number needs both DIDs' documents (resolve them first)");
  const [x, y] = [side(a), side(b)].sort((p, q) => (p.did < q.did ? -1 : p.did > q.did ? 1 : 0));
  return [...x.groups, ...y.groups].join(" ");
}

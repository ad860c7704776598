// Builds a W3C DID Core document from an identity's registry events, as of a block and time.
// Pure: no I/O. For the ERC-1056 subset it produces what ethr-did-resolver produces (same
// verification method types, key encodings, ids and expiry rule), so the two agree on keys;
// on top it applies Sigil's rules: a purging rotation voids every earlier delegate and
// attribute, and deactivation is final. Entries DID Core forbids or JSON-LD cannot read (a
// service endpoint that is not a URI, a map or a set of them; a JSON value using JSON-LD
// keywords; a type named like a keyword alias) are left out, where ethr-did-resolver copies them.
import { getAddress, hexToBytes, zeroAddress, type Address, type Hex } from "viem";
import { base58, base64 } from "@scure/base";
import type { DIDDocument, Service, VerificationMethod } from "did-resolver";
import type { RegistryEvent } from "../read/events.ts";

/** The JSON-LD contexts of a DID Core 1.0 document (application/did+ld+json): DID Core's, the
 * controller's verification method type, and Sigil's own, which defines every other term (see
 * contexts.ts; no "unstable" context). */
export const DID_CONTEXT = [
  "https://www.w3.org/ns/did/v1",
  "https://w3id.org/security/suites/secp256k1recovery-2020/v2",
  "https://w3id.org/sigil/v1",
] as const;

/** Types JSON-LD would read as its keywords `@id` and `@type` (the DID context aliases them). */
const KEYWORD_ALIASES = new Set(["id", "type"]);

// RFC 3986 URI: a scheme, then only characters a URI may hold (percent-encoded otherwise).
const URI = /^[a-z][a-z\d+.-]*:(?:[\w\-.~!$&'()*+,;=:@/?#[\]]|%[\da-f]{2})*$/i;

/** A key that JSON-LD reserves ("@…"), anywhere in a JSON value. */
const usesKeywords = (value: unknown): boolean =>
  typeof value === "object" && value !== null && (Array.isArray(value) ? value.some(usesKeywords) : Object.entries(value).some(([k, v]) => k.startsWith("@") || usesKeywords(v)));

/** DID Core §5.4: a URI, a map, or a set of URIs and maps; and nothing JSON-LD reads as a keyword. */
function isServiceEndpoint(value: unknown): boolean {
  const one = (v: unknown) => (typeof v === "string" ? URI.test(v) : typeof v === "object" && v !== null && !Array.isArray(v));
  const ok = Array.isArray(value) ? value.length > 0 && value.every(one) : one(value);
  return ok && !usesKeywords(value);
}

const legacyAttrTypes: Record<string, string> = {
  sigAuth: "SignatureAuthentication2018",
  veriKey: "VerificationKey2018",
  enc: "KeyAgreementKey2019",
};

const legacyAlgoMap: Record<string, string> = {
  Secp256k1VerificationKey2018: "EcdsaSecp256k1VerificationKey2019",
  Ed25519SignatureAuthentication2018: "Ed25519VerificationKey2018",
  Secp256k1SignatureAuthentication2018: "EcdsaSecp256k1VerificationKey2019",
  RSAVerificationKey2018: "RSAVerificationKey2018",
  Ed25519VerificationKey2018: "Ed25519VerificationKey2018",
  X25519KeyAgreementKey2019: "X25519KeyAgreementKey2019",
};

/** Where in the chain a document is taken: events after `blockNumber` are ignored and
 * validity (`validTo`) is judged against `timestamp`. */
export interface DocumentPoint {
  blockNumber: bigint;
  timestamp: bigint;
}

export interface BuiltDocument {
  didDocument: DIDDocument;
  deactivated: boolean;
  owner: Address;
  epoch: bigint;
  nextOwnerCommitment: Hex | null;
  /** Block of the last change at or before the point, 0n if none. */
  versionId: bigint;
  /** First change after the point, if any. */
  nextVersionId?: bigint;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function utf8(value: Hex): string | null {
  try {
    return strictUtf8.decode(hexToBytes(value));
  } catch {
    return null;
  }
}

/** bytes32 → string the way ethr-did-resolver does it; null when not UTF-8 (not a DID event).
 * Names repeat through a history: each is decoded once per document. */
function bytes32ToString(value: Hex, seen: Map<Hex, string | null>): string | null {
  let name = seen.get(value);
  if (name === undefined) {
    name = utf8(value)?.replace(/\0+$/, "") ?? null;
    seen.set(value, name);
  }
  return name;
}

/** What a JSON text may start with, after whitespace (anything else cannot parse). */
const JSON_START = /^\s*[[{"\-0-9tfn]/;

const ATTRIBUTE_NAME = /^did\/(pub|svc)\/(\w+)(\/(\w+))?(\/(\w+))?$/;

/**
 * The id of the `n`th key or service of an epoch: did:ethr's `#delegate-N` / `#service-N` in
 * epoch 0, `#delegate-N-eE` / `#service-N-eE` after the E-th purge. Numbering restarts at each
 * purge (a current read folds only what follows it), so the epoch keeps a voided key's id from
 * naming a new key: wallets keep secrets by key id.
 */
export function entryId(did: string, kind: "delegate" | "service", n: number, epoch: bigint): string {
  return epoch === 0n ? `${did}#${kind}-${n}` : `${did}#${kind}-${n}-e${epoch}`;
}

export function buildDocument(args: {
  did: string;
  address: Address;
  chainId: number;
  events: readonly RegistryEvent[];
  at: DocumentPoint;
}): BuiltDocument {
  const { did, address, chainId, events, at } = args;
  let owner: Address = getAddress(address);
  let deactivated = false;
  let deactivatedAt = -1n;
  let epoch = 0n;
  let commitment: Hex | null = null;
  let versionId = 0n;
  let nextVersionId: bigint | undefined;
  let delegateCount = 0;
  let serviceCount = 0;
  let auth = new Map<string, string>();
  let signing = new Map<string, string>();
  let agreement = new Map<string, string>();
  let keys = new Map<string, VerificationMethod>();
  let services = new Map<string, Service>();
  const names = new Map<Hex, string | null>();
  // Delegates' accounts are checksummed (a keccak each) only for those left in the document.
  const accounts = new Map<VerificationMethod, Address>();

  for (const event of events) {
    if (event.blockNumber > at.blockNumber) {
      if (nextVersionId === undefined || event.blockNumber < nextVersionId) nextVersionId = event.blockNumber;
      continue;
    }
    if (event.blockNumber > versionId) versionId = event.blockNumber;
    // Final: nothing after deactivation counts, except the rest of the call that deactivated
    // (a rotation or recovery to zero emits DIDOwnerChanged before its own event, which carries
    // the epoch storage shows).
    if (deactivated && !((event.kind === "rotate" || event.kind === "recovered") && event.blockNumber === deactivatedAt)) continue;
    if (event.kind === "commit") {
      commitment = event.commitment;
      continue;
    }
    if (event.kind === "rotate" || event.kind === "recovered") {
      commitment = event.nextCommitment === `0x${"0".repeat(64)}` ? null : event.nextCommitment;
      if (event.purged) {
        // A purge starts the document afresh, numbering included: the same ids whether a reader
        // folds the whole history or only what follows the purge (what current reads fetch). Ids
        // carry the epoch from then on (entryId), so none names a voided key again.
        epoch = event.epoch;
        delegateCount = 0;
        serviceCount = 0;
        auth = new Map();
        signing = new Map();
        agreement = new Map();
        keys = new Map();
        services = new Map();
      }
      continue;
    }
    if (event.kind === "owner") {
      owner = getAddress(event.owner);
      if (event.owner === zeroAddress) {
        deactivated = true;
        deactivatedAt = event.blockNumber;
      }
      continue;
    }
    if (event.kind !== "delegate" && event.kind !== "attribute") continue; // guardians and recoveries: metadata only
    const name = bytes32ToString(event.kind === "delegate" ? event.delegateType : event.name, names);
    if (name === null) continue; // not a DID entry (non-UTF-8 name): skipped, as ethr-did-resolver does
    const entryKey = `${event.kind}-${name}-${event.kind === "delegate" ? event.delegate : event.value}`;
    // Strictly after, as the contract's validDelegate judges it: a revocation sets validTo = now.
    const valid = event.validTo > at.timestamp;
    const match = event.kind === "attribute" ? ATTRIBUTE_NAME.exec(name) : null;
    // did:ethr's numbering (epoch 0) skips a valid did/pub/ or did/svc/ name its pattern does not
    // match but counts it once expired; from epoch 1 every such entry counts, valid or not, so that
    // an id never depends on the time a version is judged at. Other names (sigil/ markers, any
    // non-DID use) never count.
    if (!valid || epoch > 0n || event.kind === "delegate" || match) {
      if (event.kind === "delegate" || name.startsWith("did/pub/")) delegateCount++;
      else if (name.startsWith("did/svc/")) serviceCount++;
    }
    if (!valid) {
      for (const m of [auth, signing, agreement, keys, services]) m.delete(entryKey);
      continue;
    }
    if (event.kind === "delegate") {
      if (name !== "sigAuth" && name !== "veriKey") continue;
      const id = entryId(did, "delegate", delegateCount, epoch);
      const method: VerificationMethod = { id, type: "EcdsaSecp256k1RecoveryMethod2020", controller: did, blockchainAccountId: "" };
      accounts.set(method, event.delegate);
      keys.set(entryKey, method);
      signing.set(entryKey, id);
      if (name === "sigAuth") auth.set(entryKey, id);
      continue;
    }
    if (!match) continue;
    const [, section, algorithm, , purpose, , encoding] = match;
    if (section === "svc") {
      const text = utf8(event.value);
      if (text === null || KEYWORD_ALIASES.has(algorithm)) continue;
      let endpoint: Service["serviceEndpoint"] = text;
      // As ethr-did-resolver: JSON if it parses, else the text. A throw costs tens of µs, so text
      // that cannot start a JSON value (a plain URL) is not tried.
      if (JSON_START.test(text)) {
        try {
          endpoint = JSON.parse(text);
        } catch {
          endpoint = text;
        }
      }
      if (!isServiceEndpoint(endpoint)) continue;
      services.set(entryKey, { id: entryId(did, "service", serviceCount, epoch), type: algorithm, serviceEndpoint: endpoint });
      continue;
    }
    const id = entryId(did, "delegate", delegateCount, epoch);
    const type = `${algorithm}${legacyAttrTypes[purpose] ?? purpose ?? ""}`;
    if (!legacyAlgoMap[type] && KEYWORD_ALIASES.has(algorithm)) continue;
    const key: VerificationMethod & Record<string, unknown> = { id, type: legacyAlgoMap[type] ?? algorithm, controller: did };
    switch (encoding) {
      case undefined:
      case "hex":
        key.publicKeyHex = event.value.slice(2);
        break;
      case "base64":
        key.publicKeyBase64 = base64.encode(hexToBytes(event.value));
        break;
      case "base58":
        key.publicKeyBase58 = base58.encode(hexToBytes(event.value));
        break;
      case "pem": {
        const pem = utf8(event.value);
        if (pem === null) continue;
        key.publicKeyPem = pem;
        break;
      }
      default:
        key.value = event.value.slice(2);
    }
    keys.set(entryKey, key);
    if (purpose === "sigAuth") {
      auth.set(entryKey, id);
      signing.set(entryKey, id);
    } else if (purpose === "enc") agreement.set(entryKey, id);
    else signing.set(entryKey, id);
  }

  for (const method of keys.values()) {
    const account = accounts.get(method);
    if (account !== undefined) method.blockchainAccountId = `eip155:${chainId}:${getAddress(account)}`;
  }
  const controllerId = `${did}#controller`;
  const didDocument: DIDDocument = deactivated
    ? { "@context": [...DID_CONTEXT], id: did, verificationMethod: [], authentication: [], assertionMethod: [] }
    : {
        "@context": [...DID_CONTEXT],
        id: did,
        verificationMethod: [
          {
            id: controllerId,
            type: "EcdsaSecp256k1RecoveryMethod2020",
            controller: did,
            blockchainAccountId: `eip155:${chainId}:${owner}`,
          },
          ...keys.values(),
        ],
        authentication: [controllerId, ...auth.values()],
        assertionMethod: [controllerId, ...signing.values()],
      };
  if (!deactivated && agreement.size > 0) didDocument.keyAgreement = [...agreement.values()];
  if (!deactivated && services.size > 0) didDocument.service = [...services.values()];
  return {
    didDocument,
    deactivated,
    owner: deactivated ? zeroAddress : owner,
    epoch,
    nextOwnerCommitment: deactivated ? null : commitment,
    versionId,
    nextVersionId,
  };
}


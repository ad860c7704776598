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
  typeof value === "object" &&
  value !== null &&
  (Array.isArray(value) ? value.some(usesKeywords) : Object.entries(value).some(([k, v]) => k.startsWith("@") || usesKeywords(v)));

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

/** Who controls the identity as the fold reaches an event: the controller side of the document. */
interface Control {
  owner: Address;
  deactivated: boolean;
  /** Block of the deactivation (-1n: none): the rest of that call still counts. */
  deactivatedAt: bigint;
  epoch: bigint;
  commitment: Hex | null;
}

/** The keys and services of one epoch, each keyed on its entry (kind, name and value): a purge
 * starts them afresh, numbering included. Maps keep insertion order, which is the document's. */
interface Entries {
  delegateCount: number;
  serviceCount: number;
  keys: Map<string, VerificationMethod>;
  authentication: Map<string, string>;
  assertion: Map<string, string>;
  agreement: Map<string, string>;
  services: Map<string, Service>;
}

const noEntries = (): Entries => ({
  delegateCount: 0,
  serviceCount: 0,
  keys: new Map(),
  authentication: new Map(),
  assertion: new Map(),
  agreement: new Map(),
  services: new Map(),
});

/** What every entry of one document is judged and named with. */
interface EntryContext {
  did: string;
  at: DocumentPoint;
  epoch: bigint;
  names: Map<Hex, string | null>;
  /** Delegates' accounts, checksummed (a keccak each) only for those left in the document. */
  accounts: Map<VerificationMethod, Address>;
}

type EntryEvent = Extract<RegistryEvent, { kind: "delegate" | "attribute" }>;

export function buildDocument(args: {
  did: string;
  address: Address;
  chainId: number;
  events: readonly RegistryEvent[];
  at: DocumentPoint;
}): BuiltDocument {
  const { did, address, chainId, events, at } = args;
  const control: Control = { owner: getAddress(address), deactivated: false, deactivatedAt: -1n, epoch: 0n, commitment: null };
  const context: EntryContext = { did, at, epoch: 0n, names: new Map(), accounts: new Map() };
  let entries = noEntries();
  let versionId = 0n;
  let nextVersionId: bigint | undefined;
  for (const event of events) {
    if (event.blockNumber > at.blockNumber) {
      if (nextVersionId === undefined || event.blockNumber < nextVersionId) nextVersionId = event.blockNumber;
      continue;
    }
    if (event.blockNumber > versionId) versionId = event.blockNumber;
    // Final: nothing after deactivation counts, except the rest of the call that deactivated
    // (a rotation or recovery to zero emits DIDOwnerChanged before its own event, which carries
    // the epoch storage shows).
    if (control.deactivated && !((event.kind === "rotate" || event.kind === "recovered") && event.blockNumber === control.deactivatedAt))
      continue;
    const applied = applyControl(control, event);
    if (applied === "purged") {
      entries = noEntries();
      context.epoch = control.epoch;
    } else if (!applied && (event.kind === "delegate" || event.kind === "attribute")) applyEntry(entries, event, context);
    // Guardian and recovery events: metadata only.
  }
  for (const method of entries.keys.values()) {
    const account = context.accounts.get(method);
    if (account !== undefined) method.blockchainAccountId = `eip155:${chainId}:${getAddress(account)}`;
  }
  return {
    didDocument: assembleDocument(did, chainId, control, entries),
    deactivated: control.deactivated,
    owner: control.deactivated ? zeroAddress : control.owner,
    epoch: control.epoch,
    nextOwnerCommitment: control.deactivated ? null : control.commitment,
    versionId,
    nextVersionId,
  };
}

/** Applies a commitment, rotation, recovery or owner change to `control`: true when `event` was
 * one, "purged" when it starts the document afresh, false for any other event. */
function applyControl(control: Control, event: RegistryEvent): boolean | "purged" {
  switch (event.kind) {
    case "commit":
      control.commitment = event.commitment;
      return true;
    case "rotate":
    case "recovered":
      control.commitment = event.nextCommitment === `0x${"0".repeat(64)}` ? null : event.nextCommitment;
      if (!event.purged) return true;
      // A purge starts the document afresh, numbering included: the same ids whether a reader
      // folds the whole history or only what follows the purge (what current reads fetch). Ids
      // carry the epoch from then on (entryId), so none names a voided key again.
      control.epoch = event.epoch;
      return "purged";
    case "owner":
      control.owner = getAddress(event.owner);
      if (event.owner === zeroAddress) {
        control.deactivated = true;
        control.deactivatedAt = event.blockNumber;
      }
      return true;
    default:
      return false;
  }
}

/** Adds, replaces or (once expired or revoked) removes the key or service a delegate or
 * attribute event names, counting it towards the ids as did:ethr does. */
function applyEntry(entries: Entries, event: EntryEvent, context: EntryContext) {
  const name = bytes32ToString(event.kind === "delegate" ? event.delegateType : event.name, context.names);
  if (name === null) return; // not a DID entry (non-UTF-8 name): skipped, as ethr-did-resolver does
  const entryKey = `${event.kind}-${name}-${event.kind === "delegate" ? event.delegate : event.value}`;
  // Strictly after, as the contract's validDelegate judges it: a revocation sets validTo = now.
  const valid = event.validTo > context.at.timestamp;
  const match = event.kind === "attribute" ? ATTRIBUTE_NAME.exec(name) : null;
  // did:ethr's numbering (epoch 0) skips a valid did/pub/ or did/svc/ name its pattern does not
  // match but counts it once expired; from epoch 1 every such entry counts, valid or not, so that
  // an id never depends on the time a version is judged at. Other names (sigil/ markers, any
  // non-DID use) never count.
  if (!valid || context.epoch > 0n || event.kind === "delegate" || match) {
    if (event.kind === "delegate" || name.startsWith("did/pub/")) entries.delegateCount++;
    else if (name.startsWith("did/svc/")) entries.serviceCount++;
  }
  if (!valid) {
    for (const m of [entries.authentication, entries.assertion, entries.agreement, entries.keys, entries.services]) m.delete(entryKey);
    return;
  }
  if (event.kind === "delegate") {
    if (name === "sigAuth" || name === "veriKey") addDelegate(entries, entryKey, event.delegate, name === "sigAuth", context);
    return;
  }
  if (!match) return;
  const [, section, algorithm, , purpose, , encoding] = match;
  if (section === "svc") {
    const endpoint = serviceEndpointOf(event.value, algorithm);
    if (endpoint !== undefined)
      entries.services.set(entryKey, {
        id: entryId(context.did, "service", entries.serviceCount, context.epoch),
        type: algorithm,
        serviceEndpoint: endpoint,
      });
    return;
  }
  const id = entryId(context.did, "delegate", entries.delegateCount, context.epoch);
  const key = publicKeyOf(id, context.did, event.value, algorithm, purpose, encoding);
  if (!key) return;
  entries.keys.set(entryKey, key);
  if (purpose === "sigAuth") {
    entries.authentication.set(entryKey, id);
    entries.assertion.set(entryKey, id);
  } else if (purpose === "enc") entries.agreement.set(entryKey, id);
  else entries.assertion.set(entryKey, id);
}

/** A delegate as did:ethr shows it: a recovery method of its account (filled in at the end),
 * for assertion, and for authentication too when it is a sigAuth delegate. */
function addDelegate(entries: Entries, entryKey: string, delegate: Address, authenticates: boolean, context: EntryContext) {
  const id = entryId(context.did, "delegate", entries.delegateCount, context.epoch);
  const method: VerificationMethod = { id, type: "EcdsaSecp256k1RecoveryMethod2020", controller: context.did, blockchainAccountId: "" };
  context.accounts.set(method, delegate);
  entries.keys.set(entryKey, method);
  entries.assertion.set(entryKey, id);
  if (authenticates) entries.authentication.set(entryKey, id);
}

/** A did/svc/ attribute's endpoint; undefined when DID Core or JSON-LD could not read it. */
function serviceEndpointOf(value: Hex, type: string): Service["serviceEndpoint"] | undefined {
  const text = utf8(value);
  if (text === null || KEYWORD_ALIASES.has(type)) return undefined;
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
  return isServiceEndpoint(endpoint) ? endpoint : undefined;
}

/** A did/pub/ attribute's verification method, typed and encoded as ethr-did-resolver does;
 * undefined when its type would read as a JSON-LD keyword or its PEM is not text. */
function publicKeyOf(
  id: string,
  did: string,
  value: Hex,
  algorithm: string,
  purpose?: string,
  encoding?: string,
): VerificationMethod | undefined {
  const type = `${algorithm}${legacyAttrTypes[purpose!] ?? purpose ?? ""}`;
  if (!legacyAlgoMap[type] && KEYWORD_ALIASES.has(algorithm)) return undefined;
  const key: VerificationMethod & Record<string, unknown> = { id, type: legacyAlgoMap[type] ?? algorithm, controller: did };
  switch (encoding) {
    case undefined:
    case "hex":
      key.publicKeyHex = value.slice(2);
      break;
    case "base64":
      key.publicKeyBase64 = base64.encode(hexToBytes(value));
      break;
    case "base58":
      key.publicKeyBase58 = base58.encode(hexToBytes(value));
      break;
    case "pem": {
      const pem = utf8(value);
      if (pem === null) return undefined;
      key.publicKeyPem = pem;
      break;
    }
    default:
      key.value = value.slice(2);
  }
  return key;
}

/** The DID Core document: the controller's key first, then the epoch's entries; a deactivated
 * identity's has no keys and no services. */
function assembleDocument(did: string, chainId: number, control: Control, entries: Entries): DIDDocument {
  if (control.deactivated)
    return { "@context": [...DID_CONTEXT], id: did, verificationMethod: [], authentication: [], assertionMethod: [] };
  const controllerId = `${did}#controller`;
  const controller: VerificationMethod = {
    id: controllerId,
    type: "EcdsaSecp256k1RecoveryMethod2020",
    controller: did,
    blockchainAccountId: `eip155:${chainId}:${control.owner}`,
  };
  const didDocument: DIDDocument = {
    "@context": [...DID_CONTEXT],
    id: did,
    verificationMethod: [controller, ...entries.keys.values()],
    authentication: [controllerId, ...entries.authentication.values()],
    assertionMethod: [controllerId, ...entries.assertion.values()],
  };
  if (entries.agreement.size > 0) didDocument.keyAgreement = [...entries.agreement.values()];
  if (entries.services.size > 0) didDocument.service = [...entries.services.values()];
  return didDocument;
}

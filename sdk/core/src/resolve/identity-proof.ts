// Identity proofs carried with messages (issue 23): the verified-resolution material of one DID
// (resolve/proven.ts: the trusted header and every JSON-RPC answer the verified read used) cut
// down to what the verified read needs and written as a compact, versioned, canonical binary,
// base64url. What is kept: the header's RLP (its hash is recomputed from it), the Merkle-Patricia
// nodes of the EIP-1186 proofs (each once: the account proof and the storage root's branch are
// shared by every slot), the proven account fields and slot values, and the registry logs since
// the identity's last purge with only the fields the event chain binds (block, index, time,
// topics, data). JSON-RPC noise (ids, transaction hashes, bloom filters, repeated nodes) is not.
// Decoding checks every byte: a malformed, truncated, oversized or non-canonical input is an
// IdentityProofFormatError saying what was wrong, never another exception. Whether the proof is
// TRUE is not decided here: resolve/carried.ts replays the verified read over it.
// Browser-safe: viem, @scure/base and the header's RLP only.
import { base64urlnopad } from "@scure/base";
import { bytesToHex, getAddress, hexToBytes, numberToHex, type Address, type Hex } from "viem";
import { SigilError } from "../errors.ts";

/** The first version; a decoder refuses versions it does not know, naming them. */
export const IDENTITY_PROOF_VERSION = 1;
/** "SGIP": the four bytes every encoded proof starts with. */
const MAGIC = [0x53, 0x47, 0x49, 0x50];
/** Largest encoded proof accepted (characters of base64url): ~190 KB of binary, about 1,000 changes. */
export const MAX_IDENTITY_PROOF_CHARS = 256 * 1024;
const MAX_NODE = 4096; // a Merkle-Patricia node is at most ~540 bytes; room for odd tries
const MAX_DATA = 64 * 1024;

/** One account's EIP-1186 proof: its fields, the indexes of its account-proof nodes in `nodes`,
 * and per storage slot the value and the indexes of its storage-proof nodes. */
export interface ProvenAccountEntry {
  address: Address;
  nonce: bigint;
  balance: bigint;
  codeHash: Hex;
  storageHash: Hex;
  proof: number[];
  storage: { key: Hex; value: bigint; proof: number[] }[];
}

/** A registry log, with only what the event chain binds and the verified read filters on. */
export interface ProvenLog {
  blockNumber: bigint;
  logIndex: number;
  blockTimestamp: bigint;
  topics: Hex[];
  data: Hex;
}

/** The decoded form of a carried identity proof: evidence of `identity`'s document on `chainId`'s
 * registry at the block whose RLP header is `header`, to be checked (resolve/carried.ts). */
export interface IdentityProof {
  version: 1;
  chainId: number;
  registry: Address;
  /** The identity (the DID's address) the proof is about. */
  identity: Address;
  /** The block header, RLP-encoded: its keccak256 is the block hash the app's trust must confirm. */
  header: Hex;
  /** Merkle-Patricia nodes, each once, referenced by index. */
  nodes: Hex[];
  accounts: ProvenAccountEntry[];
  logs: ProvenLog[];
}

/** An encoded identity proof is malformed: `reason` says what is wrong with it. */
export class IdentityProofFormatError extends SigilError {
  override name = "IdentityProofFormatError";
  readonly reason: string;
  constructor(reason: string) {
    const hint = "ask the sender for a fresh proof (proveIdentity), or verify the message by a lookup";
    super("invalidInput", "not a valid identity proof", { details: `${reason}; ${hint}`, hint });
    this.reason = reason;
  }
}

const fail = (reason: string): never => {
  throw new IdentityProofFormatError(reason);
};

// ---- canonical form -------------------------------------------------------------------------

const cmpHex = (a: string, b: string) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0);

/** The one form a proof is encoded in: accounts by address, slots by key, logs in chain order,
 * duplicates dropped, nodes renumbered in order of first use and unused ones left out. Two proofs
 * of the same facts encode to the same string; a decoder refuses any other arrangement. */
export function normalizeIdentityProof(proof: IdentityProof): IdentityProof {
  const order = new Map<string, number>();
  const nodes: Hex[] = [];
  const use = (refs: readonly number[]) =>
    refs.map((i) => {
      const node = proof.nodes[i];
      if (node === undefined) fail(`a proof refers to node ${i}, but there are ${proof.nodes.length}`);
      const key = node.toLowerCase();
      if (!order.has(key)) order.set(key, nodes.push(key as Hex) - 1);
      return order.get(key)!;
    });
  const accounts = uniqueBy(
    [...proof.accounts].sort((a, b) => cmpHex(a.address, b.address)),
    (a) => a.address.toLowerCase(),
  ).map((a) => ({
    address: getAddress(a.address),
    nonce: a.nonce,
    balance: a.balance,
    codeHash: a.codeHash.toLowerCase() as Hex,
    storageHash: a.storageHash.toLowerCase() as Hex,
    proof: use(a.proof),
    storage: uniqueBy(
      [...a.storage].sort((x, y) => cmpHex(x.key, y.key)),
      (s) => s.key.toLowerCase(),
    ).map((s) => ({
      key: s.key.toLowerCase() as Hex,
      value: s.value,
      proof: use(s.proof),
    })),
  }));
  const logs = uniqueBy(
    [...proof.logs].sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1)),
    (l) => `${l.blockNumber}:${l.logIndex}`,
  ).map((l) => ({ ...l, topics: l.topics.map((t) => t.toLowerCase() as Hex), data: l.data.toLowerCase() as Hex }));
  return {
    version: 1,
    chainId: proof.chainId,
    registry: getAddress(proof.registry),
    identity: getAddress(proof.identity),
    header: proof.header.toLowerCase() as Hex,
    nodes,
    accounts,
    logs,
  };
}

function uniqueBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => !seen.has(key(t)) && !!seen.add(key(t)));
}

// ---- binary writer and reader ---------------------------------------------------------------

class Writer {
  private readonly parts: number[] = [];
  byte(b: number) {
    this.parts.push(b);
  }
  varint(value: bigint | number) {
    let v = BigInt(value);
    if (v < 0n) fail(`a negative number (${v}) cannot be encoded`);
    do {
      const low = Number(v & 0x7fn);
      v >>= 7n;
      this.parts.push(v > 0n ? low | 0x80 : low);
    } while (v > 0n);
  }
  fixed(hex: Hex, size: number, what: string) {
    const bytes = hexBytes(hex, what);
    if (bytes.length !== size) fail(`${what} is ${bytes.length} bytes, not ${size}`);
    for (const b of bytes) this.parts.push(b);
  }
  bytes(bytes: Uint8Array) {
    this.varint(bytes.length);
    for (const b of bytes) this.parts.push(b);
  }
  uint(value: bigint) {
    if (value < 0n) fail(`a negative number (${value}) cannot be encoded`);
    this.bytes(value === 0n ? new Uint8Array() : hexToBytes(numberToHex(value, { size: Math.ceil(value.toString(16).length / 2) })));
  }
  refs(refs: readonly number[]) {
    this.varint(refs.length);
    refs.forEach((r) => this.varint(r));
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

function hexBytes(hex: string, what: string): Uint8Array {
  if (typeof hex !== "string" || !/^0x([0-9a-f]{2})*$/i.test(hex)) fail(`${what} is not hex bytes`);
  return hexToBytes(hex as Hex);
}

class Reader {
  private at = 0;
  constructor(private readonly buf: Uint8Array) {}
  get left() {
    return this.buf.length - this.at;
  }
  byte(what: string): number {
    if (this.at >= this.buf.length) fail(`the proof ends inside ${what} (byte ${this.at})`);
    return this.buf[this.at++];
  }
  varint(what: string, max: bigint): bigint {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (shift > 256n) fail(`${what} is a number longer than 256 bits`);
      const b = this.byte(what);
      value |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    if (value > max) fail(`${what} is ${value}, more than the ${max} allowed`);
    return value;
  }
  small(what: string, max: number): number {
    return Number(this.varint(what, BigInt(max)));
  }
  /** A count of items each at least `least` bytes long: never more than the bytes left allow. */
  count(what: string, least = 1): number {
    return this.small(what, Math.floor(this.left / least));
  }
  take(n: number, what: string): Uint8Array {
    if (n > this.left) fail(`the proof ends inside ${what} (${n} bytes needed at byte ${this.at}, ${this.left} left)`);
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  fixed(n: number, what: string): Hex {
    return bytesToHex(this.take(n, what));
  }
  bytes(what: string, max: number): Uint8Array {
    return this.take(this.small(`the length of ${what}`, max), what);
  }
  uint(what: string, maxBytes = 32): bigint {
    const b = this.bytes(what, maxBytes);
    if (b.length > 0 && b[0] === 0) fail(`${what} has a leading zero byte`);
    return b.length === 0 ? 0n : BigInt(bytesToHex(b));
  }
  refs(what: string, nodes: number): number[] {
    return Array.from({ length: this.count(`the node count of ${what}`) }, () => this.small(`a node index of ${what}`, nodes - 1));
  }
}

// ---- encode / decode ------------------------------------------------------------------------

function write(proof: IdentityProof): Uint8Array {
  const w = new Writer();
  MAGIC.forEach((b) => w.byte(b));
  w.byte(IDENTITY_PROOF_VERSION);
  if (!Number.isSafeInteger(proof.chainId) || proof.chainId <= 0) fail(`chain id ${proof.chainId} is not a positive whole number`);
  w.varint(proof.chainId);
  w.fixed(proof.registry, 20, "the registry address");
  w.fixed(proof.identity, 20, "the identity");
  w.bytes(hexBytes(proof.header, "the header"));
  w.varint(proof.nodes.length);
  proof.nodes.forEach((n) => w.bytes(hexBytes(n, "a node")));
  w.varint(proof.accounts.length);
  for (const a of proof.accounts) {
    w.fixed(a.address, 20, "an account address");
    w.varint(a.nonce);
    w.uint(a.balance);
    w.fixed(a.codeHash, 32, "a code hash");
    w.fixed(a.storageHash, 32, "a storage hash");
    w.refs(a.proof);
    w.varint(a.storage.length);
    for (const s of a.storage) {
      w.fixed(s.key, 32, "a storage key");
      w.uint(s.value);
      w.refs(s.proof);
    }
  }
  w.varint(proof.logs.length);
  for (const l of proof.logs) {
    w.varint(l.blockNumber);
    w.varint(l.logIndex);
    w.varint(l.blockTimestamp);
    if (l.topics.length > 4) fail(`a log has ${l.topics.length} topics, more than 4`);
    w.varint(l.topics.length);
    l.topics.forEach((t) => w.fixed(t, 32, "a log topic"));
    w.bytes(hexBytes(l.data, "a log's data"));
  }
  return w.done();
}

/** The proof as the string a message carries: base64url (no padding) of its canonical binary form. */
export function encodeIdentityProof(proof: IdentityProof): string {
  if (!proof || typeof proof !== "object") fail("expected an IdentityProof object");
  if (proof.version !== IDENTITY_PROOF_VERSION) fail(`version ${String(proof.version)} is not one this SDK writes`);
  return base64urlnopad.encode(write(normalizeIdentityProof(proof)));
}

const U64 = 2n ** 64n - 1n;

function read(r: Reader): IdentityProof {
  const magic = [0, 1, 2, 3].map(() => r.byte("the format marker"));
  if (magic.some((b, i) => b !== MAGIC[i])) fail("it does not start with the identity-proof marker (SGIP)");
  const version = r.byte("the version");
  if (version !== IDENTITY_PROOF_VERSION)
    fail(`it is version ${version}, and this SDK reads version ${IDENTITY_PROOF_VERSION}: update sigil-did, or ask for a version 1 proof`);
  const chainId = r.small("the chain id", Number.MAX_SAFE_INTEGER);
  if (chainId === 0) fail("the chain id is 0");
  const registry = getAddress(r.fixed(20, "the registry address"));
  const identity = getAddress(r.fixed(20, "the identity"));
  const header = bytesToHex(r.bytes("the header", 1024));
  const nodes = Array.from({ length: r.count("the node count", 2) }, () => bytesToHex(r.bytes("a node", MAX_NODE)));
  // An account is at least 88 bytes: address 20, nonce 1, balance 1, two hashes 64, proof and slot counts 1 each.
  const accounts = Array.from({ length: r.count("the account count", 88) }, () => ({
    address: getAddress(r.fixed(20, "an account address")),
    nonce: r.varint("an account nonce", U64),
    balance: r.uint("an account balance"),
    codeHash: r.fixed(32, "a code hash"),
    storageHash: r.fixed(32, "a storage hash"),
    proof: r.refs("an account proof", nodes.length),
    storage: Array.from({ length: r.count("the slot count", 34) }, () => ({
      key: r.fixed(32, "a storage key"),
      value: r.uint("a storage value"),
      proof: r.refs("a storage proof", nodes.length),
    })),
  }));
  const logs = Array.from({ length: r.count("the log count", 5) }, () => ({
    blockNumber: r.varint("a log's block number", U64),
    logIndex: r.small("a log's index", 2 ** 32 - 1),
    blockTimestamp: r.varint("a log's block time", U64),
    topics: Array.from({ length: r.small("a log's topic count", 4) }, () => r.fixed(32, "a log topic")),
    data: bytesToHex(r.bytes("a log's data", MAX_DATA)),
  }));
  if (r.left) fail(`${r.left} bytes follow the end of the proof`);
  return { version: 1, chainId, registry, identity, header, nodes, accounts, logs };
}

/** The proof a message carried, every byte checked: throws IdentityProofFormatError saying what is
 * wrong (not base64url, too long, truncated, an unknown version, a count or index out of range,
 * trailing bytes, or not the canonical form encodeIdentityProof writes). */
export function decodeIdentityProof(encoded: string): IdentityProof {
  if (typeof encoded !== "string") fail(`expected a string, got ${encoded === null ? "null" : typeof encoded}`);
  if (encoded.length > MAX_IDENTITY_PROOF_CHARS)
    fail(
      `it is ${encoded.length} characters, more than the ${MAX_IDENTITY_PROOF_CHARS} accepted (a DID with that much history should purge)`,
    );
  let bytes: Uint8Array;
  try {
    bytes = base64urlnopad.decode(encoded);
  } catch {
    return fail("it is not base64url without padding");
  }
  const proof = read(new Reader(bytes));
  let canonical: string;
  try {
    canonical = base64urlnopad.encode(write(normalizeIdentityProof(proof)));
  } catch (error) {
    return fail(error instanceof IdentityProofFormatError ? error.reason : "it does not encode again");
  }
  if (canonical !== encoded)
    fail("it is not in canonical form (duplicate or unsorted accounts, slots or logs, or nodes unused or out of first-use order)");
  return proof;
}

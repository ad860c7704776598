// A block header as a JSON-RPC endpoint describes it (eth_getBlockByNumber / eth_getBlockByHash),
// checked by hashing its fields again: the block hash commits to every field, so an endpoint
// cannot change one (a stateRoot, a timestamp) without the hash changing, and a hash the app
// trusts (trust.ts) then vouches for all of them. Not imported by the plain resolver: the
// verified mode loads it lazily, keeping the browser bundle small.
import { decode, encode } from "@ethereumjs/rlp";
import { bytesToHex, hexToBytes, keccak256, type Hex } from "viem";
import { ProofError } from "../errors.ts";

/** The fields of a header the verified mode uses, once its hash checked. */
export interface VerifiedHeader {
  number: bigint;
  hash: Hex;
  parentHash: Hex;
  stateRoot: Hex;
  receiptsRoot: Hex;
  timestamp: bigint;
}

type Kind = "quantity" | "data" | number; // a number: data of exactly that many bytes

// The header's RLP list, in order. The trailing fields were added by forks, each after the
// last: London, Shanghai, Cancun (three), Prague. A header carries a prefix of them.
const FIELDS: readonly (readonly [string, Kind])[] = [
  ["parentHash", 32],
  ["sha3Uncles", 32],
  ["miner", 20],
  ["stateRoot", 32],
  ["transactionsRoot", 32],
  ["receiptsRoot", 32],
  ["logsBloom", 256],
  ["difficulty", "quantity"],
  ["number", "quantity"],
  ["gasLimit", "quantity"],
  ["gasUsed", "quantity"],
  ["timestamp", "quantity"],
  ["extraData", "data"],
  ["mixHash", 32],
  ["nonce", 8],
];
const FORK_FIELDS: readonly (readonly [string, Kind])[] = [
  ["baseFeePerGas", "quantity"],
  ["withdrawalsRoot", 32],
  ["blobGasUsed", "quantity"],
  ["excessBlobGas", "quantity"],
  ["parentBeaconBlockRoot", 32],
  ["requestsHash", 32],
];

// Leading zeros do not change a quantity's value (nor so the hash): let through.
const QUANTITY = /^0x[0-9a-f]+$/i;
const DATA = /^0x([0-9a-f]{2})*$/i;

const short = (value: unknown) => (typeof value === "string" ? (value.length > 20 ? `${value.slice(0, 20)}…` : value) : typeof value);

function fieldValue(block: Record<string, unknown>, name: string, kind: Kind): bigint | Uint8Array {
  const value = block[name];
  const bad = (expected: string) =>
    new ProofError("header", `the block's ${name} is ${value === undefined ? "missing" : short(value)}, not ${expected}`);
  if (typeof value !== "string") throw bad(kind === "quantity" ? "a hex quantity" : "hex data");
  if (kind === "quantity") {
    if (!QUANTITY.test(value)) throw bad("a hex quantity");
    return BigInt(value);
  }
  if (!DATA.test(value)) throw bad("hex data");
  if (kind !== "data" && value.length !== 2 + 2 * kind) throw bad(`${kind} bytes`);
  return hexToBytes(value as Hex);
}

/** The RLP items of a header, its fork fields included as far as the answer carries them. */
function headerItems(block: Record<string, unknown>): (bigint | Uint8Array)[] {
  const items = FIELDS.map(([name, kind]) => fieldValue(block, name, kind));
  const present = FORK_FIELDS.map(([name]) => block[name] !== undefined && block[name] !== null);
  const count = present.lastIndexOf(true) + 1;
  const gap = present.slice(0, count).indexOf(false);
  if (gap >= 0) {
    const [missing] = FORK_FIELDS[gap];
    const [later] = FORK_FIELDS[count - 1];
    throw new ProofError("header", `the block has ${later} but no ${missing}, which every fork that added ${later} has`);
  }
  for (const [name, kind] of FORK_FIELDS.slice(0, count)) items.push(fieldValue(block, name, kind));
  return items;
}

/** The block hash the fields of an eth_getBlockBy* answer hash to (keccak256 of the RLP header).
 * Throws ProofError ("header") when a field is missing or malformed. */
export function headerHash(block: unknown): Hex {
  if (block === null || typeof block !== "object" || Array.isArray(block)) {
    throw new ProofError("header", block === null ? "the endpoint has no such block" : `the block is ${typeof block}, not an object`);
  }
  return keccak256(encode(headerItems(block as Record<string, unknown>)));
}

/** The RLP header an eth_getBlockBy* answer's fields make (what its hash is the keccak256 of):
 * the compact form a carried identity proof holds. Throws ProofError ("header") as headerHash does. */
export function headerRlp(block: unknown): Uint8Array {
  headerHash(block); // the same checks, the same message
  return encode(headerItems(block as Record<string, unknown>));
}

/** The eth_getBlockBy* fields (and `hash`, keccak256 of `rlp`) of an RLP header, as headerRlp wrote
 * it; refuses anything else (not a list of byte strings, another field count, a quantity with a
 * leading zero byte, a fixed-size field of another size) with ProofError ("header"). */
export function headerFromRlp(rlp: Uint8Array): Record<string, Hex> {
  let items: unknown;
  try {
    items = decode(rlp);
  } catch {
    items = undefined;
  }
  const all = [...FIELDS, ...FORK_FIELDS];
  if (!Array.isArray(items) || items.length < FIELDS.length || items.length > all.length || !items.every((i) => i instanceof Uint8Array))
    throw new ProofError("header", `the header is not an RLP list of ${FIELDS.length} to ${all.length} byte strings`);
  if (bytesToHex(encode(items as Uint8Array[])) !== bytesToHex(rlp)) throw new ProofError("header", "the header's RLP is not canonical");
  const block: Record<string, Hex> = { hash: keccak256(rlp) };
  (items as Uint8Array[]).forEach((item, i) => {
    const [name, kind] = all[i];
    if (kind === "quantity" && item[0] === 0)
      throw new ProofError("header", `the header's ${name} has a leading zero byte (not canonical RLP)`);
    if (typeof kind === "number" && item.length !== kind)
      throw new ProofError("header", `the header's ${name} is ${item.length} bytes, not ${kind}`);
    block[name] =
      kind === "quantity" ? (item.length === 0 ? "0x0" : (`0x${BigInt(bytesToHex(item)).toString(16)}` as Hex)) : bytesToHex(item);
  });
  return block;
}

/** An eth_getBlockBy* answer as a VerifiedHeader, after checking that its fields hash to the hash
 * it claims and to `expected` (the number asked, the hash the app trusts). Throws ProofError:
 * "header" (missing or malformed), "blockHash" (a hash differs), "blockNumber". */
export function checkedHeader(raw: unknown, expected: { number?: bigint; hash?: Hex } = {}): VerifiedHeader {
  const hash = headerHash(raw);
  const block = raw as Record<string, unknown>;
  const claimed = block.hash;
  if (typeof claimed !== "string" || !DATA.test(claimed) || claimed.length !== 66) {
    throw new ProofError("header", `the block's hash is ${claimed === undefined ? "missing" : short(claimed)}, not 32 bytes of hex`);
  }
  if (claimed.toLowerCase() !== hash) {
    throw new ProofError("blockHash", `the block's fields hash to ${hash}, but the endpoint says its hash is ${claimed}`);
  }
  const number = BigInt(block.number as string);
  if (expected.number !== undefined && number !== expected.number) {
    throw new ProofError("blockNumber", `block ${expected.number} was asked, the endpoint answered block ${number}`);
  }
  if (expected.hash !== undefined && expected.hash.toLowerCase() !== hash) {
    throw new ProofError("blockHash", `block ${number}'s fields hash to ${hash}, not to the trusted ${expected.hash}`);
  }
  return {
    number,
    hash,
    parentHash: (block.parentHash as string).toLowerCase() as Hex,
    stateRoot: (block.stateRoot as string).toLowerCase() as Hex,
    receiptsRoot: (block.receiptsRoot as string).toLowerCase() as Hex,
    timestamp: BigInt(block.timestamp as string),
  };
}

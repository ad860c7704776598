// did:sigil identifiers: parse, check against the method's ABNF, canonicalise, format.
//
//   sigil-did  = "did:sigil:" [ network ":" ] address
//   network    = chain-id / name
//   chain-id   = "0x" %x31-39 / "a"-"f" *15( DIGIT / "a"-"f" )   ; lower-case hex, no leading zero
//   name       = %x61-7A *31( %x61-7A / DIGIT / "-" )               ; a configured network name
//   address    = "0x" 40HEXDIG                                      ; EIP-55 checked if mixed case
//
// Canonical form: lower-case address; the network as written (the resolver prints the
// configured name when it has one). A DID URL may add a path, "?query" and "#fragment".
// Parsing is linear in the input (no backtracking regex) and inputs over 2048 chars are refused.
import { getAddress, type Address } from "viem";
import { InvalidDidError, MethodNotSupportedError } from "./errors.ts";

export const MAX_DID_URL_LENGTH = 2048;

export interface ParsedSigilDid {
  /** The canonical DID, without path, query or fragment. */
  did: string;
  method: "sigil";
  /** Chain id in hex (`0x7a69`) or network name; absent for the default network. */
  network?: string;
  /** Lower-case 20-byte address. */
  address: Address;
  path?: string;
  query?: string;
  fragment?: string;
  /** The canonical DID URL (DID + path + query + fragment). */
  didUrl: string;
}

const isLowerHex = (c: string) => (c >= "0" && c <= "9") || (c >= "a" && c <= "f");
const isHex = (c: string) => isLowerHex(c) || (c >= "A" && c <= "F");
const isLower = (c: string) => c >= "a" && c <= "z";
const isDigit = (c: string) => c >= "0" && c <= "9";

function fail(input: string, reason: string): never {
  throw new InvalidDidError({ input, reason });
}

/** Checks a network part; returns a reason when it is not valid. */
function networkProblem(network: string): string | undefined {
  if (network.length === 0) return "the network part between ':' is empty; omit it for the default network";
  if (network.startsWith("0x") || network.startsWith("0X")) {
    const digits = network.slice(2);
    const hint = `network '${network.slice(0, 24)}' must be a chain id in lower-case hex like 0x7a69, or a configured name`;
    if (network[1] === "X" || digits.length === 0 || ![...digits].every(isHex)) return hint;
    if (![...digits].every(isLowerHex)) return hint;
    if (digits[0] === "0") return `chain id '${network.slice(0, 24)}' has a leading zero; write it like 0x7a69`;
    if (digits.length > 16) return "chain id is longer than 16 hex digits";
    return undefined;
  }
  if (network.length > 32) return "network name is longer than 32 characters";
  if (!isLower(network[0])) return `network name '${network.slice(0, 32)}' must start with a lower-case letter`;
  for (const c of network) {
    if (!isLower(c) && !isDigit(c) && c !== "-") {
      return `network name '${network.slice(0, 32)}' may contain only a-z, 0-9 and '-'`;
    }
  }
  return undefined;
}

function parseAddress(input: string, text: string): Address {
  if (!text.startsWith("0x")) {
    fail(input, text.startsWith("0X") ? "address must start with lower-case '0x'" : "address must start with '0x'");
  }
  const digits = text.slice(2);
  if (digits.length !== 40) fail(input, `address has ${digits.length} hex digits, expected 40`);
  const bad = [...digits].findIndex((c) => !isHex(c));
  if (bad >= 0) fail(input, `address has a non-hex character '${digits[bad]}' at position ${bad + 2}`);
  const lower = text.toLowerCase() as Address;
  const mixed = digits !== digits.toLowerCase() && digits !== digits.toUpperCase();
  if (mixed) {
    const checksummed = getAddress(lower);
    if (checksummed !== text) {
      fail(input, `mixed-case address fails its EIP-55 checksum: did you mean ${checksummed}? Use all lower-case to skip the checksum`);
    }
  }
  return lower;
}

/** True when `did` is a syntactically valid did:sigil DID or DID URL. */
export function isSigilDid(did: string): boolean {
  try {
    parseDid(did);
    return true;
  } catch {
    return false;
  }
}

/** Parses a did:sigil DID or DID URL; throws InvalidDidError / MethodNotSupportedError saying why. */
export function parseDid(input: string): ParsedSigilDid {
  if (typeof input !== "string") fail(String(input), "a DID must be a string");
  if (input.length > MAX_DID_URL_LENGTH) fail(input, `longer than ${MAX_DID_URL_LENGTH} characters`);
  if (!input.startsWith("did:")) fail(input, "a DID starts with 'did:', like did:sigil:0x7a69:0xabc…");
  const methodEnd = input.indexOf(":", 4);
  if (methodEnd < 0) fail(input, "missing ':' after the method name");
  const method = input.slice(4, methodEnd);
  if (method.length === 0 || ![...method].every((c) => isLower(c) || isDigit(c))) {
    fail(input, "the method name must be lower-case letters and digits");
  }
  if (method !== "sigil") throw new MethodNotSupportedError({ method });

  let rest = input.slice(methodEnd + 1);
  let fragment: string | undefined;
  let query: string | undefined;
  let path: string | undefined;
  const hash = rest.indexOf("#");
  if (hash >= 0) [rest, fragment] = [rest.slice(0, hash), rest.slice(hash + 1)];
  const q = rest.indexOf("?");
  if (q >= 0) [rest, query] = [rest.slice(0, q), rest.slice(q + 1)];
  const slash = rest.indexOf("/");
  if (slash >= 0) [rest, path] = [rest.slice(0, slash), rest.slice(slash)];
  for (const [part, value] of [["fragment", fragment], ["query", query], ["path", path]] as const) {
    if (value !== undefined && /[\s\u0000-\u001f\u007f]/.test(value)) fail(input, `the ${part} contains spaces or control characters`);
  }

  const parts = rest.split(":");
  if (parts.length > 2) fail(input, `expected did:sigil:[network:]address, found ${parts.length} ':'-separated parts after the method`);
  const [networkText, addressText] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (addressText.length === 0) fail(input, "the address is missing");
  if (networkText !== undefined) {
    const problem = networkProblem(networkText);
    if (problem) fail(input, problem);
  }
  const address = parseAddress(input, addressText);
  const did = formatDid({ network: networkText, address });
  const didUrl = `${did}${path ?? ""}${query !== undefined ? `?${query}` : ""}${fragment !== undefined ? `#${fragment}` : ""}`;
  return { did, method: "sigil", network: networkText, address, path, query, fragment, didUrl };
}

/** The canonical DID for an address on a network (lower-case address). */
export function formatDid(args: { network?: string; address: string }): string {
  const address = args.address.toLowerCase();
  return args.network === undefined ? `did:sigil:${address}` : `did:sigil:${args.network}:${address}`;
}

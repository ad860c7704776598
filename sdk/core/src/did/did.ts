// did:sigil identifiers: parse, check against the method's ABNF, canonicalise, format.
//
//   sigil-did    = "did:sigil:" [ network ":" ] address
//   network      = chain-id / network-name
//   chain-id     = "0x" ( %x31-39 / %x61-66 ) *15( DIGIT / %x61-66 ) ; lower-case hex, no leading zero, not 0x0
//   network-name = %x61-7A *31( %x61-7A / DIGIT / "-" )              ; a configured name, e.g. "gnosis-chiado"
//   address      = "0x" 40HEXDIG                                     ; EIP-55 checked when mixed-case
//
// Canonical form: the address in lower case; the network as written (a resolver prints its
// configured name). A DID URL adds a path, "?query" and "#fragment" as DID Core / RFC 3986 define.
// did-resolver's `parse` splits DID URLs (so we accept exactly what a DIF Resolver passes on);
// when it refuses an input, `explain` walks the input once to say which part is wrong. Every
// check is a linear scan (no backtracking regex) and inputs over 2048 characters are refused
// before anything else looks at them.
import { parse as parseDidUrl, type ParsedDID } from "did-resolver";
import { checksumAddress, type Address } from "viem";
import { echo, InvalidDidError, MethodNotSupportedError, SigilError, type DidPart } from "../errors.ts";

export const MAX_DID_URL_LENGTH = 2048;
const MAX_CHAIN_ID_DIGITS = 16;
const MAX_NETWORK_NAME_LENGTH = 32;
const MAX_CHAIN_ID = 2n ** 64n - 1n;

/** A did:sigil DID URL taken apart; a did-resolver `ParsedDID` whose DID parts are canonical. */
export interface ParsedSigilDid extends ParsedDID {
  /** The DID with its address in lower case, without path, query or fragment. */
  did: string;
  /** The DID exactly as written (network form and address case kept): a document's `id`. */
  input: string;
  /** The canonical DID followed by the path, query and fragment as given. */
  didUrl: string;
  method: "sigil";
  /** The canonical method-specific id: `[network:]address`. */
  id: string;
  /** Hex chain id (`0x7a69`) or network name as written; absent for the default network. */
  network?: string;
  /** The chain id when the network is written as one. */
  chainId?: bigint;
  /** The identity, lower-case. */
  address: Address;
  /** Starts with "/" when present. */
  path?: string;
  /** Without the "?"; "" for a bare "?". */
  query?: string;
  /** Without the "#". */
  fragment?: string;
  /** The query's parameters, percent-decoded ("+" stays "+", as RFC 3986 says); each name once. */
  params: Readonly<Record<string, string>>;
}

/** What formatDid assembles; a ParsedSigilDid is one. */
export interface SigilDidParts {
  /** Network name, hex chain id, or chain id as a number; omit for the default network. */
  network?: string | number | bigint;
  /** Any case; mixed case must be a correct EIP-55 checksum. */
  address: string;
  path?: string;
  query?: string;
  fragment?: string;
}

type Fail = (part: DidPart, reason: string) => never;
const failer =
  (input: string): Fail =>
  (part, reason) => {
    throw new InvalidDidError({ input, reason, part });
  };

const isDigit = (c: string) => c >= "0" && c <= "9";
const isLowerHex = (c: string) => isDigit(c) || (c >= "a" && c <= "f");
const isHex = (c: string) => isLowerHex(c) || (c >= "A" && c <= "F");
const isLower = (c: string) => c >= "a" && c <= "z";
const isUpper = (c: string) => c >= "A" && c <= "Z";
const firstIndex = (s: string, bad: (c: string) => boolean) => {
  for (let i = 0; i < s.length; i++) if (bad(s[i])) return i;
  return -1;
};
/** A character for a message: quoted, and escaped when unprintable. */
const char = (c: string) => echo(c);

/** Parses a did:sigil DID or DID URL; throws InvalidDidError (or MethodNotSupportedError) saying why not. */
export function parseDid(input: string): ParsedSigilDid {
  if (typeof input !== "string") failer("")("input", `a DID must be a string, not ${input === null ? "null" : typeof input}`);
  if (input.length > MAX_DID_URL_LENGTH) {
    failer(input)("input", `the DID URL is ${input.length} characters long, more than the ${MAX_DID_URL_LENGTH} allowed`);
  }
  const split = parseDidUrl(input);
  if (split === null) explain(input);
  return checked(input, split);
}

/** Checks a DID URL that did-resolver already split (the `parsed` a DIDResolver receives). */
export function fromParsedDid(parsed: ParsedDID): ParsedSigilDid {
  return checked(parsed.didUrl, parsed);
}

/** True when `value` is a valid did:sigil DID or DID URL. */
export function isSigilDid(value: unknown): value is string {
  try {
    parseDid(value as string);
    return true;
  } catch (error) {
    if (error instanceof SigilError) return false;
    throw error;
  }
}

/** The canonical DID (or DID URL, when path, query or fragment are given); throws InvalidDidError on bad parts. */
export function formatDid(parts: SigilDidParts): string {
  const preview = `did:sigil:${parts.network === undefined ? "" : `${String(parts.network)}:`}${String(parts.address)}`;
  const fail: Fail = failer(preview);
  let network: { network: string; chainId?: bigint } | undefined;
  if (typeof parts.network === "number" || typeof parts.network === "bigint") {
    const id = typeof parts.network === "number" && Number.isSafeInteger(parts.network) ? BigInt(parts.network) : parts.network;
    if (typeof id !== "bigint" || id < 1n || id > MAX_CHAIN_ID) {
      fail("network", `network chain id ${String(parts.network)} must be an integer from 1 to 2^64-1`);
    }
    network = { network: `0x${id.toString(16)}`, chainId: id };
  } else if (parts.network !== undefined) {
    if (typeof parts.network !== "string") fail("network", `the network must be a string or a chain id, not ${typeof parts.network}`);
    network = checkNetwork(parts.network, fail);
  }
  if (typeof parts.address !== "string") fail("address", `the address must be a string, not ${typeof parts.address}`);
  const address = checkAddress(parts.address, fail);
  const path = parts.path === "" ? undefined : parts.path;
  if (path !== undefined && !path.startsWith("/")) fail("path", `the path ${echo(path, 40)} must start with "/"`);
  checkComponents({ path, query: parts.query, fragment: parts.fragment }, fail);
  return assemble(network?.network, address, path, parts.query, parts.fragment);
}

function assemble(network: string | undefined, address: string, path?: string, query?: string, fragment?: string) {
  const id = network === undefined ? address : `${network}:${address}`;
  const did = `did:sigil:${id}`;
  const didUrl = `${did}${path ?? ""}${query === undefined ? "" : `?${query}`}${fragment === undefined ? "" : `#${fragment}`}`;
  return didUrl;
}

/** Validates the method and the parts of a split DID URL; builds the canonical result. */
function checked(input: string, split: ParsedDID): ParsedSigilDid {
  if (split.method !== "sigil") throw new MethodNotSupportedError({ method: split.method });
  const fail: Fail = failer(input);
  const { network, chainId, address } = checkId(split.id, fail);
  // did-resolver omits an empty path; a hand-made ParsedDID may carry anything, so check again.
  const path = split.path === "" ? undefined : split.path;
  if (path !== undefined && !path.startsWith("/")) fail("path", `the path ${echo(path, 40)} must start with "/"`);
  checkComponents({ path, query: split.query, fragment: split.fragment }, fail);
  const params = parseParams(split.query, fail);
  const id = network === undefined ? address : `${network}:${address}`;
  const parsed: ParsedSigilDid = {
    did: `did:sigil:${id}`,
    input: `did:sigil:${split.id}`,
    didUrl: assemble(network, address, path, split.query, split.fragment),
    method: "sigil",
    id,
    address,
    params,
  };
  if (network !== undefined) parsed.network = network;
  if (chainId !== undefined) parsed.chainId = chainId;
  if (path !== undefined) parsed.path = path;
  if (split.query !== undefined) parsed.query = split.query;
  if (split.fragment !== undefined) parsed.fragment = split.fragment;
  return parsed;
}

/** did-resolver refused `input`: find the first wrong part, from the left, and throw for it. */
function explain(input: string): never {
  const fail: Fail = failer(input);
  if (input === "") fail("input", "the DID is empty; expected did:sigil:[network:]address");
  if (!input.startsWith("did:")) {
    if (input.slice(0, 4).toLowerCase() === "did:") fail("scheme", `the scheme must be lower-case "did:", not ${echo(input.slice(0, 4))}`);
    fail("scheme", "a DID starts with 'did:', like did:sigil:0x7a69:0xf39f…2266");
  }
  const methodEnd = firstIndex(input.slice(4), (c) => c === ":" || c === "/" || c === "?" || c === "#");
  const method = methodEnd < 0 ? input.slice(4) : input.slice(4, 4 + methodEnd);
  if (method === "") fail("method", "the method name is empty; expected did:sigil:…");
  const badMethod = firstIndex(method, (c) => !isLower(c) && !isDigit(c));
  if (badMethod >= 0) {
    const hint = method.toLowerCase() === "sigil" ? ' (did you mean "sigil"?)' : "";
    fail("method", `the method name ${echo(method, 40)} may contain only lower-case letters and digits${hint}`);
  }
  if (methodEnd < 0 || input[4 + methodEnd] !== ":") {
    fail("method", `missing ':' after the method name ${echo(method, 40)}; expected did:sigil:[network:]address`);
  }
  if (method !== "sigil") throw new MethodNotSupportedError({ method });
  const rest = input.slice(4 + methodEnd + 1);
  const idEnd = firstIndex(rest, (c) => c === "/" || c === "?" || c === "#");
  checkId(idEnd < 0 ? rest : rest.slice(0, idEnd), fail);
  const tail = idEnd < 0 ? "" : rest.slice(idEnd);
  const hash = tail.indexOf("#");
  const beforeHash = hash < 0 ? tail : tail.slice(0, hash);
  const q = beforeHash.indexOf("?");
  const path = q < 0 ? beforeHash : beforeHash.slice(0, q);
  checkComponents(
    {
      path: path === "" ? undefined : path,
      query: q < 0 ? undefined : beforeHash.slice(q + 1),
      fragment: hash < 0 ? undefined : tail.slice(hash + 1),
    },
    fail,
  );
  // Unreachable while these rules match did-resolver's grammar; a property test holds them to it.
  fail("input", "is not a DID URL as DID Core defines it");
}

/** The method-specific id: `[network:]address`. */
function checkId(id: string, fail: Fail): { network?: string; chainId?: bigint; address: Address } {
  const first = id.indexOf(":");
  if (first >= 0 && id.indexOf(":", first + 1) >= 0) {
    const parts = id.split(":").length;
    fail("id", `the method-specific id has ${parts} ':'-separated parts; expected did:sigil:[network:]address`);
  }
  if (first < 0) return { address: checkAddress(id, fail) };
  const network = checkNetwork(id.slice(0, first), fail);
  return { ...network, address: checkAddress(id.slice(first + 1), fail) };
}

function checkNetwork(text: string, fail: Fail): { network: string; chainId?: bigint } {
  const shown = echo(text, 40);
  if (text === "") fail("network", "the network between ':' is empty; omit it (did:sigil:0x…) for the default network");
  if (text[0] === "0" && (text[1] === "x" || text[1] === "X")) {
    const digits = text.slice(2);
    if (digits === "") fail("network", `network ${shown} has no hex digits; write a chain id like 0x7a69`);
    const bad = firstIndex(digits, (c) => !isHex(c));
    if (bad >= 0) fail("network", `network ${shown} has ${char(digits[bad])}, not a hex digit; write a chain id like 0x7a69`);
    const value = BigInt(`0x${digits}`);
    const suggestion = value > 0n && value <= MAX_CHAIN_ID ? `; did you mean 0x${value.toString(16)}?` : "";
    if (text[1] === "X" || firstIndex(digits, isUpper) >= 0) {
      fail("network", `network ${shown} must be lower-case hex like 0x7a69 or a configured name${suggestion}`);
    }
    if (value === 0n) fail("network", `network ${shown} is chain id 0, which no chain has`);
    if (digits[0] === "0") fail("network", `network ${shown} has a leading zero${suggestion}`);
    if (digits.length > MAX_CHAIN_ID_DIGITS) {
      fail("network", `network ${shown} has ${digits.length} hex digits; a chain id has at most ${MAX_CHAIN_ID_DIGITS}`);
    }
    return { network: text, chainId: value };
  }
  if (firstIndex(text, (c) => !isDigit(c)) < 0 && text.length <= 20) {
    const value = BigInt(text);
    const hint = value > 0n && value <= MAX_CHAIN_ID ? `; did you mean 0x${value.toString(16)}?` : "";
    fail("network", `network ${shown} looks like a decimal chain id; write chain ids in hex${hint}`);
  }
  if (text.length > MAX_NETWORK_NAME_LENGTH) {
    fail("network", `network name ${shown} has ${text.length} characters; at most ${MAX_NETWORK_NAME_LENGTH} are allowed`);
  }
  const lower = text.toLowerCase();
  const suggestion =
    isLower(lower[0]) && firstIndex(lower, (c) => !isLower(c) && !isDigit(c) && c !== "-") < 0 ? ` (did you mean ${lower}?)` : "";
  if (!isLower(text[0])) fail("network", `network name ${shown} must start with a lower-case letter${suggestion}`);
  const bad = firstIndex(text, (c) => !isLower(c) && !isDigit(c) && c !== "-");
  if (bad >= 0) {
    fail(
      "network",
      isUpper(text[bad])
        ? `network name ${shown} must be lower-case${suggestion}`
        : `network name ${shown} may contain only a-z, 0-9 and '-', not ${char(text[bad])}`,
    );
  }
  return { network: text };
}

function checkAddress(text: string, fail: Fail): Address {
  const shown = echo(text, 50);
  if (text === "") fail("address", "the address is missing; expected did:sigil:[network:]0x followed by 40 hex digits");
  if (!text.startsWith("0x")) {
    fail(
      "address",
      text.startsWith("0X") ? `address ${shown} must start with lower-case "0x", not "0X"` : `address ${shown} must start with "0x"`,
    );
  }
  const digits = text.slice(2);
  const bad = firstIndex(digits, (c) => !isHex(c));
  if (bad >= 0) fail("address", `address character ${bad + 3} is ${char(digits[bad])}, not a hex digit`);
  if (digits.length !== 40) fail("address", `address has ${digits.length} hex digits, expected 40`);
  const lower = text.toLowerCase() as Address;
  if (digits !== lower.slice(2) && digits !== digits.toUpperCase()) {
    const checksummed = checksumAddress(lower);
    if (checksummed !== text) {
      fail(
        "address",
        `EIP-55 checksum mismatch in the mixed-case address: a digit may be mistyped; if not, did you mean ${checksummed}? Use all lower-case to skip the checksum`,
      );
    }
  }
  return lower;
}

// RFC 3986 pchar = unreserved / pct-encoded / sub-delims / ":" / "@"; query and fragment add "/" and "?".
const PCHAR_SYMBOLS = "-._~!$&'()*+,;=:@";
const isPchar = (c: string) => isLower(c) || isUpper(c) || isDigit(c) || PCHAR_SYMBOLS.includes(c);

function checkComponents(parts: { path?: string; query?: string; fragment?: string }, fail: Fail) {
  for (const part of ["path", "query", "fragment"] as const) {
    const text = parts[part];
    if (text === undefined) continue;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (isPchar(c) || c === "/" || (c === "?" && part !== "path")) continue;
      if (c === "%") {
        if (isHex(text[i + 1] ?? "") && isHex(text[i + 2] ?? "")) {
          i += 2;
          continue;
        }
        fail(part, `the ${part} has a "%" at character ${i + 1} not followed by two hex digits; write %25 for a literal "%"`);
      }
      fail(part, `the ${part} has ${char(c)} at character ${i + 1}, which must be percent-encoded${encodingOf(c)}`);
    }
  }
}

function encodingOf(c: string): string {
  try {
    return ` as ${encodeURIComponent(c)}`;
  } catch {
    return ""; // a lone surrogate has no UTF-8 encoding
  }
}

function parseParams(query: string | undefined, fail: Fail): Record<string, string> {
  const entries: [string, string][] = [];
  const seen = new Set<string>();
  for (const pair of query ? query.split("&") : []) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
      value = eq < 0 ? "" : decodeURIComponent(pair.slice(eq + 1));
    } catch {
      fail("query", `the query parameter ${echo(pair, 40)} is not valid percent-encoded UTF-8`);
    }
    if (seen.has(name)) fail("query", `the query parameter ${echo(name, 40)} appears more than once; give it once`);
    seen.add(name);
    entries.push([name, value]);
  }
  // fromEntries defines own properties, so a parameter named "__proto__" stays a parameter.
  return Object.fromEntries(entries);
}

// Decodes ABI data straight from the hex string, for the types the registry's events and its
// identityStates answer use: 32-byte words of addresses, uints, bools, bytes20 and bytes32, dynamic
// `bytes`, static tuples of those, and arrays of static tuples. It is what decodeAbiParameters
// does for these types, without converting the data to bytes and back (most of a long history's
// client CPU) and without viem's general ABI coder in a browser bundle. Strict as viem: a word
// whose padding is not zero, a bool that is not 0 or 1, data out of bounds, or another type throws.
import { getAddress, type AbiParameter, type Hex } from "viem";

const WORD = 64; // hex characters

class LogDataError extends Error {}

function word(data: Hex, index: number): string {
  const start = 2 + index * WORD;
  if (start + WORD > data.length) throw new LogDataError("data too short");
  return data.slice(start, start + WORD);
}

function staticWords(param: AbiParameter): number | undefined {
  if (param.type === "tuple") {
    const components = (param as { components: readonly AbiParameter[] }).components;
    let n = 0;
    for (const c of components) {
      const w = staticWords(c);
      if (w === undefined) return undefined;
      n += w;
    }
    return n;
  }
  return /^(address|bool|bytes20|bytes32|uint\d*)$/.test(param.type) ? 1 : undefined;
}

function decodeWord(type: string, w: string): unknown {
  if (type === "bytes32") return `0x${w}`;
  if (type === "bytes20") {
    if (!/0{24}$/.test(w)) throw new LogDataError("dirty bytes20 padding");
    return `0x${w.slice(0, 40)}`;
  }
  if (type === "address") {
    if (!/^0{24}/.test(w)) throw new LogDataError("dirty address padding");
    return getAddress(`0x${w.slice(24)}`);
  }
  if (type === "bool") {
    if (!/^0{63}[01]$/.test(w)) throw new LogDataError("invalid bool");
    return w.endsWith("1");
  }
  return BigInt(`0x${w}`); // uint256 (the only uint the registry's events carry)
}

function decodeAt(param: AbiParameter, data: Hex, index: number): [unknown, number] {
  if (param.type === "tuple") {
    const out: Record<string, unknown> = {};
    let i = index;
    for (const c of (param as { components: readonly AbiParameter[] }).components) {
      const [value, next] = decodeAt(c, data, i);
      out[c.name as string] = value;
      i = next;
    }
    return [out, i];
  }
  if (param.type === "tuple[]") {
    const element = { ...param, type: "tuple" } as AbiParameter;
    const size = staticWords(element);
    if (size === undefined) throw new LogDataError(`unsupported ABI type ${param.type}`);
    const at = offsetAt(data, index);
    const length = Number(BigInt(`0x${word(data, at)}`));
    if (2 + (at + 1 + length * size) * WORD > data.length) throw new LogDataError("array out of bounds");
    const items: unknown[] = [];
    for (let k = 0; k < length; k++) items.push(decodeAt(element, data, at + 1 + k * size)[0]);
    return [items, index + 1];
  }
  if (param.type === "bytes") {
    const at = offsetAt(data, index);
    const length = Number(BigInt(`0x${word(data, at)}`));
    const start = 2 + (at + 1) * WORD;
    if (start + length * 2 > data.length) throw new LogDataError("bytes out of bounds");
    return [`0x${data.slice(start, start + length * 2)}`, index + 1];
  }
  if (staticWords(param) === undefined) throw new LogDataError(`unsupported ABI type ${param.type}`);
  return [decodeWord(param.type, word(data, index)), index + 1];
}

/** The word index a dynamic value's offset (at word `index`) points to. */
function offsetAt(data: Hex, index: number): number {
  const offset = BigInt(`0x${word(data, index)}`);
  if (offset % 32n !== 0n || offset / 32n > BigInt(data.length)) throw new LogDataError("bad offset");
  return Number(offset / 32n);
}

/** The values of `params` encoded in `data` (an event's non-indexed arguments, a call's answer). */
export function decodeLogData(params: readonly AbiParameter[], data: Hex): readonly unknown[] {
  const values: unknown[] = [];
  let index = 0;
  for (const p of params) {
    const [value, next] = decodeAt(p, data, index);
    values.push(value);
    index = next;
  }
  return values;
}

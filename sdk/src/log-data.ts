// Decodes the data of the registry's events straight from the hex string: 32-byte words of
// addresses, uints, bools and bytes32, one dynamic `bytes`, and static tuples of those. It is
// what decodeAbiParameters does for these types, without converting the data to bytes and back
// (most of a long history's client CPU); anything else goes to viem. Strict as viem: a word
// whose padding is not zero, a bool that is not 0 or 1, or data out of bounds throws.
import { decodeAbiParameters, getAddress, type AbiParameter, type Hex } from "viem";

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
  return /^(address|bool|bytes32|uint\d*)$/.test(param.type) ? 1 : undefined;
}

function decodeWord(type: string, w: string): unknown {
  if (type === "bytes32") return `0x${w}`;
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
  if (param.type === "bytes") {
    const offset = Number(BigInt(`0x${word(data, index)}`));
    if (offset % 32 !== 0) throw new LogDataError("misaligned offset");
    const at = offset / 32;
    const length = Number(BigInt(`0x${word(data, at)}`));
    const start = 2 + (at + 1) * WORD;
    if (start + length * 2 > data.length) throw new LogDataError("bytes out of bounds");
    return [`0x${data.slice(start, start + length * 2)}`, index + 1];
  }
  return [decodeWord(param.type, word(data, index)), index + 1];
}

/** The values of `params` encoded in `data` (an event's non-indexed arguments). */
export function decodeLogData(params: readonly AbiParameter[], data: Hex): readonly unknown[] {
  if (!params.every((p) => p.type === "bytes" || staticWords(p) !== undefined)) return decodeAbiParameters(params, data);
  const values: unknown[] = [];
  let index = 0;
  for (const p of params) {
    const [value, next] = decodeAt(p, data, index);
    values.push(value);
    index = next;
  }
  return values;
}

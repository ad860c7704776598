// A signed operation as JSON (bigints as decimal strings): what `sigil prepare` and the web
// console write, what `sigil relay` and a relaying `sigil serve` read. Decoding checks every
// field, so a damaged or forged file says what is wrong instead of failing on chain.
import { isAddress, isHex } from "viem";
import { SigilError } from "../errors.ts";
import { AUTHORISER } from "./operations.ts";
import type { SignedOperation } from "./write.ts";

/** bigint members of operations and signing contexts. */
const BIGINTS = new Set(["validity", "threshold", "delay", "nonce", "commitmentNonce", "round", "deadline"]);

/** The JSON text of a signed operation. */
export function encodeSignedOperation(signed: SignedOperation): string {
  return JSON.stringify(signed, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/** A signed operation is malformed: `problems` lists each field that is wrong. */
export class SignedOperationFormatError extends SigilError {
  override name = "SignedOperationFormatError";
  readonly problems: readonly string[];
  constructor(problems: string[]) {
    super("invalidInput", "not a signed operation", {
      details: `${problems.join("; ")}; sigil prepare, --prepare or the web console writes one`,
    });
    this.problems = problems;
  }
}

const revive = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, BIGINTS.has(k) && typeof v === "string" && /^\d+$/.test(v) ? BigInt(v) : revive(v)]),
    );
  }
  return value;
};

/** The signed operation a parsed JSON value holds; throws SignedOperationFormatError naming each bad field. */
export function decodeSignedOperation(raw: unknown): SignedOperation {
  const problems: string[] = [];
  const o = (raw && typeof raw === "object" && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  const op = o.operation as Record<string, unknown> | undefined;
  if (!op || typeof op !== "object") problems.push("no operation");
  else if (typeof op.type !== "string" || !Object.hasOwn(AUTHORISER, op.type))
    problems.push(`unknown operation type ${JSON.stringify(op.type)}`);
  else if (typeof op.identity !== "string" || !isAddress(op.identity)) problems.push("operation.identity is not an address");
  if (typeof o.signer !== "string" || !isAddress(o.signer)) problems.push("signer is not an address");
  if (typeof o.registry !== "string" || !isAddress(o.registry)) problems.push("registry is not an address");
  if (typeof o.signature !== "string" || !isHex(o.signature)) problems.push("signature is not hex");
  if (typeof o.chainId !== "number" || !Number.isSafeInteger(o.chainId)) problems.push("chainId is missing");
  if (typeof o.deadline !== "string" || !/^\d+$/.test(o.deadline)) problems.push("deadline is missing");
  if (o.context !== undefined && (typeof o.context !== "object" || o.context === null)) problems.push("context is not an object");
  if (problems.length) throw new SignedOperationFormatError(problems);
  const signed = revive(o) as SignedOperation;
  return { ...signed, context: signed.context ?? {} };
}

// Ordered failover across a network's endpoints: each request goes to the first endpoint, and to
// the next only when one fails, as viem's `fallback` transport does without its ranking and
// retry machinery (which the resolver's browser bundle would carry unused). An answer that would
// be the same from every endpoint (a wallet's refusal, a revert) ends the request at once.
import { createTransport, type Transport } from "viem";

/** Codes of refusals another endpoint would repeat: transaction rejected, user rejected (EIP-1193, CAIP). */
const FINAL_CODES = new Set([-32003, 4001, 5000]);
const REVERTED = /execution reverted|gas required exceeds allowance/i;

function isFinal(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return typeof e?.code === "number" && (FINAL_CODES.has(e.code) || REVERTED.test(String(e.message)));
}

/** A transport that asks `transports` in order until one answers; the last failure if none does. */
export function failover(transports: readonly Transport[]): Transport {
  return (params) => {
    const inner = transports.map((t) => t({ ...params, retryCount: 0 }));
    const request = async (args: never) => {
      let failure: unknown;
      for (const t of inner) {
        try {
          return await t.request(args);
        } catch (error) {
          if (isFinal(error)) throw error;
          failure = error;
        }
      }
      throw failure;
    };
    return createTransport({ key: "failover", name: "Sigil ordered failover", type: "fallback", retryCount: 0, request: request as never });
  };
}

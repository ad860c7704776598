// Speculative logs: an identity's whole history from the registry's deployment, asked in the same
// round trip as its state (or its proofs), before the state says which span is needed. On a young
// chain this makes a read one round trip instead of two. Used by the trusted read (reader.ts) and
// the verified one (verified.ts); the resolver decides when a chain is young enough (chain-read.ts).
import { toHex, type Address, type Client } from "viem";
import type { RawLog } from "./events.ts";
import { getLogs, identityTopic, TOPIC_CHUNK } from "./span-logs.ts";

/** Least time the speculative logs get after the state answered, ms. */
export const MIN_SPECULATION_GRACE_MS = 100;
/** A speculative answer slower than this (or a timeout) means the endpoint is slow on wide log
 * queries: it is not sent them again. A merely late one (jitter) only sends a read to its step 2. */
const SLOW_SPECULATION_MS = 1_000;

export interface Speculation {
  /** The registry's deployment block: no history is older. */
  fromBlock: bigint;
  /** Called when the speculative logs took over a second (or timed out): do not speculate again. */
  onSlow?: () => void;
}

/** The identities' logs from `fromBlock` to `toBlock`, asked now (same tick as the caller's other
 * requests, so a batching transport sends them together); judged later with settledWithin. */
export function speculate(
  client: Client,
  registry: Address,
  ids: readonly Address[],
  { fromBlock, onSlow }: Speculation,
  toBlock: bigint | "latest",
): Promise<RawLog[][]> {
  const chunks: Address[][] = [];
  for (let i = 0; i < ids.length; i += TOPIC_CHUNK) chunks.push(ids.slice(i, i + TOPIC_CHUNK));
  const to = toBlock === "latest" ? toBlock : toHex(toBlock);
  const logs = Promise.all(
    chunks.map((c) =>
      getLogs(client, { address: registry, topics: [null, c.map(identityTopic)], fromBlock: toHex(fromBlock), toBlock: to }),
    ),
  );
  const slow = setTimeout(() => onSlow?.(), SLOW_SPECULATION_MS);
  (slow as { unref?: () => void }).unref?.(); // never keeps a Node process alive
  logs.then(
    () => clearTimeout(slow),
    () => clearTimeout(slow),
  );
  return logs;
}

/** The flattened logs if they arrive within `ms`; undefined on a refusal or when late. */
export async function settledWithin(logs: Promise<RawLog[][]>, ms: number): Promise<RawLog[] | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), ms)));
  try {
    const out = await Promise.race([
      logs.then(
        (r) => r.flat(),
        () => undefined,
      ),
      timeout,
    ]);
    return out === "late" ? undefined : out;
  } finally {
    clearTimeout(timer);
  }
}

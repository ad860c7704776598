// The registry's whole event stream, read without naming anyone: eth_getLogs with the registry's
// address and no identity topic, over numbered block ranges, and the block headers a follower
// needs to notice reorganisations. What an endpoint sees of these calls is the registry (public)
// and the block numbers: nothing about which identities the reader cares for (private-watch.ts).
// The adaptive HTTP transport (log-ranges.ts) splits a range a node refuses; a single block
// holding more registry logs than the node returns per call is read event type by event type
// (topic 0 only: still nobody's name), and what still does not fit is an error saying so.
import { toHex, type Address, type Client, type Hex } from "viem";
import { SigilError } from "../errors.ts";
import type { RawLog } from "./events.ts";
import { LogLimitError } from "./log-ranges.ts";
import { ALL_TOPICS } from "./log-split.ts";
import { getLogs } from "./span-logs.ts";

/** A registry log as the node sent it (hex quantities), with the block hash a follower checks. */
export type StreamLog = RawLog & { blockNumber: Hex; logIndex: Hex; blockHash: Hex; transactionHash?: Hex };

/** A block a follower has reached: its number, hash and time. */
export interface BlockMark {
  blockNumber: bigint;
  blockHash: Hex;
  timestamp: bigint;
}

/** Widest block range one stream call asks for; the transport splits it further when refused. */
export const STREAM_WINDOW = 10_000n;

/** The registry logs in [from, to] that `keep` keeps (default: all), in chain order, asking only
 * for the registry's address. `keep` runs window by window, so that a read of a long stream holds
 * what it keeps, not the whole registry's history. */
export async function readStream(
  client: Client,
  registry: Address,
  from: bigint,
  to: bigint,
  keep: (log: StreamLog) => boolean = () => true,
  window = STREAM_WINDOW,
): Promise<StreamLog[]> {
  const out: StreamLog[] = [];
  for (let start = from; start <= to; start += window) {
    const end = start + window - 1n < to ? start + window - 1n : to;
    out.push(...(await readWindow(client, registry, start, end)).filter(keep));
  }
  return out.sort((a, b) =>
    a.blockNumber === b.blockNumber
      ? Number(BigInt(a.logIndex) - BigInt(b.logIndex))
      : BigInt(a.blockNumber) < BigInt(b.blockNumber)
        ? -1
        : 1,
  );
}

async function readWindow(client: Client, registry: Address, from: bigint, to: bigint): Promise<StreamLog[]> {
  const range = { fromBlock: toHex(from), toBlock: toHex(to) };
  try {
    return (await getLogs(client, { address: registry, ...range })) as StreamLog[];
  } catch (error) {
    if (!(error instanceof LogLimitError)) throw error;
    // One block holds more registry logs than the node returns per call: by event type, which
    // names an event, never an identity.
    const block = { fromBlock: toHex(error.block), toBlock: toHex(error.block) };
    let flooded: StreamLog[];
    try {
      flooded = (
        await Promise.all(ALL_TOPICS.map((t) => getLogs(client, { address: registry, topics: [t], ...block })))
      ).flat() as StreamLog[];
    } catch (inner) {
      if (!(inner instanceof LogLimitError)) throw inner;
      throw new SigilError(
        "internalError",
        `block ${error.block} holds more registry events of one type than the endpoint returns per eth_getLogs`,
        {
          details: `${inner.shortMessage}; a private watcher must read every registry log without naming identities: use an endpoint without that result cap`,
          cause: inner,
          hint: "use an endpoint without that eth_getLogs result cap",
        },
      );
    }
    const before = error.block > from ? await readWindow(client, registry, from, error.block - 1n) : [];
    const after = error.block < to ? await readWindow(client, registry, error.block + 1n, to) : [];
    return [...before, ...flooded, ...after];
  }
}

type RawBlock = { number: Hex; hash: Hex; timestamp: Hex } | null;

/** The canonical block at `number` as the endpoint serves it, or undefined when it has none yet. */
export async function blockAt(client: Client, number: bigint | "latest"): Promise<BlockMark | undefined> {
  const tag = number === "latest" ? "latest" : toHex(number);
  const raw = (await client.request({ method: "eth_getBlockByNumber", params: [tag, false] } as never)) as RawBlock;
  if (!raw) return undefined;
  return { blockNumber: BigInt(raw.number), blockHash: raw.hash, timestamp: BigInt(raw.timestamp) };
}

/** The endpoint's head block number. */
export async function headNumber(client: Client): Promise<bigint> {
  return BigInt((await client.request({ method: "eth_blockNumber" } as never)) as Hex);
}

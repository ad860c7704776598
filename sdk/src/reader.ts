// Reads what documents are built from: the registry's storage state of many identities and
// their whole event history, in ONE batch of JSON-RPC requests (one HTTP round trip) whatever
// the history length: identityStates(...) via eth_call (which also returns the chain id, so a
// node on the wrong chain is caught without another request) and eth_getLogs filtered on the
// indexed identity topic. Nodes that cap eth_getLogs' block range get a chunked read
// (still one batch) when the cap is configured, and otherwise a walk of the previousChange
// chain, one batch per step across all identities (what ERC-1056 resolvers do).
import {
  AbiDecodingZeroDataError,
  decodeFunctionResult,
  encodeFunctionData,
  pad,
  toHex,
  type Address,
  type Hex,
  type Client,
} from "viem";
import { identityStatesAbi } from "./abi.ts";
import { decodeRegistryLogs, type RawLog, type RegistryEvent } from "./events.ts";

export interface IdentityState {
  owner: Address;
  changed: bigint;
  epoch: bigint;
  nextOwnerCommitment: Hex;
  deactivated: boolean;
  nonce: bigint;
  legacyNonce: bigint;
}

export interface IdentitySnapshot {
  chainId: number;
  blockNumber: bigint;
  timestamp: bigint;
  states: Map<Address, IdentityState>;
  /** Every registry event of each identity up to `blockNumber`, in chain order. */
  events: Map<Address, RegistryEvent[]>;
  /** How history was read: "range" (one query), "chunked" or "walk" (previousChange chain). */
  historyMode: "range" | "chunked" | "walk";
}

export interface ReadOptions {
  registry: Address;
  fromBlock: bigint;
  maxLogBlockRange?: bigint;
  /** Extra block numbers whose headers are wanted in the same batch (historical reads). */
  blocks?: readonly bigint[];
}

/** Identities per eth_call and per eth_getLogs topic list: under common node limits. */
const STATE_CHUNK = 250;
const TOPIC_CHUNK = 500;

export interface BlockHeader {
  number: bigint;
  timestamp: bigint;
}

export class HistoryReadError extends Error {}

/** The eth_call answered empty: no contract at the registry address on the node's chain. */
export class EmptyCallError extends Error {}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const identityTopic = (address: Address): Hex => pad(address.toLowerCase() as Hex, { size: 32 });

async function getLogs(client: Client, filter: Record<string, unknown>): Promise<RawLog[]> {
  return (await client.request({ method: "eth_getLogs", params: [filter] } as never)) as RawLog[];
}

/** identityStates(ids) at the latest block: [chainId, blockNumber, timestamp, states]. */
export async function callStates(client: Client, registry: Address, ids: readonly Address[]) {
  const data = encodeFunctionData({ abi: identityStatesAbi, functionName: "identityStates", args: [ids] });
  const raw = (await client.request({ method: "eth_call", params: [{ to: registry, data }, "latest"] } as never)) as Hex;
  try {
    return decodeFunctionResult({ abi: identityStatesAbi, functionName: "identityStates", data: raw });
  } catch (error) {
    if (error instanceof AbiDecodingZeroDataError) throw new EmptyCallError(`no contract answered at ${registry}`, { cause: error });
    throw error;
  }
}

async function getHeader(client: Client, block: bigint): Promise<BlockHeader | null> {
  const raw = (await client.request({ method: "eth_getBlockByNumber", params: [toHex(block), false] } as never)) as {
    number: Hex;
    timestamp: Hex;
  } | null;
  return raw ? { number: BigInt(raw.number), timestamp: BigInt(raw.timestamp) } : null;
}

/**
 * Reads state and history of `identities` (lower-case or checksummed addresses). All requests
 * are issued in the same tick, so a batching transport sends them as one HTTP request.
 */
export async function readIdentities(
  client: Client,
  identities: readonly Address[],
  options: ReadOptions,
): Promise<{ snapshot: IdentitySnapshot; headers: Map<bigint, BlockHeader> }> {
  const ids = [...new Set(identities.map((a) => a.toLowerCase() as Address))];
  const { registry, fromBlock } = options;
  // With no identities, one empty call still answers chain id, head block and time.
  const statesP = Promise.all((ids.length ? chunks(ids, STATE_CHUNK) : [[]]).map((c) => callStates(client, registry, c)));
  const headersP = Promise.all((options.blocks ?? []).map((b) => getHeader(client, b)));
  const logFilters = chunks(ids, TOPIC_CHUNK).map((c) => ({ address: registry, topics: [null, c.map(identityTopic)] }));
  const rangeLogsP = options.maxLogBlockRange
    ? undefined
    : Promise.all(logFilters.map((f) => getLogs(client, { ...f, fromBlock: toHex(fromBlock), toBlock: "latest" })));
  rangeLogsP?.catch(() => undefined); // judged below, after the state read tells us the head

  const [stateChunks, headerList] = await Promise.all([statesP, headersP]);
  const [chainId, blockNumber, timestamp] = stateChunks[0];
  const states = new Map<Address, IdentityState>();
  stateChunks.forEach((chunk, ci) =>
    chunk[3].forEach((s, i) => states.set(ids[ci * STATE_CHUNK + i], { ...s, epoch: BigInt(s.epoch) })),
  );
  const headers = new Map<bigint, BlockHeader>();
  for (const h of headerList) if (h) headers.set(h.number, h);

  let logs: RawLog[] | undefined;
  let historyMode: IdentitySnapshot["historyMode"] = "range";
  if (rangeLogsP) {
    try {
      logs = (await rangeLogsP).flat();
    } catch {
      logs = undefined; // a capped node: fall through to the walk
    }
  } else {
    historyMode = "chunked";
    const span = options.maxLogBlockRange as bigint;
    const requests: Promise<RawLog[]>[] = [];
    for (let start = fromBlock; start <= blockNumber; start += span) {
      const end = start + span - 1n < blockNumber ? start + span - 1n : blockNumber;
      for (const f of logFilters) requests.push(getLogs(client, { ...f, fromBlock: toHex(start), toBlock: toHex(end) }));
    }
    logs = (await Promise.all(requests)).flat();
  }
  if (!logs) {
    historyMode = "walk";
    logs = await walkChain(client, registry, states);
  }

  const events = new Map<Address, RegistryEvent[]>(ids.map((id) => [id, []]));
  const byIdentity = new Map<string, RawLog[]>();
  for (const log of logs) {
    if (log.blockNumber !== null && BigInt(log.blockNumber) > blockNumber) continue; // after the snapshot
    const id = `0x${log.topics[1]?.slice(26)}`.toLowerCase();
    const list = byIdentity.get(id) ?? [];
    list.push(log);
    byIdentity.set(id, list);
  }
  for (const id of ids) {
    const decoded = decodeRegistryLogs(byIdentity.get(id) ?? []);
    const changed = states.get(id)?.changed ?? 0n;
    if (changed > 0n && !decoded.some((e) => e.blockNumber === changed)) {
      throw new HistoryReadError(
        `the node returned no registry logs for block ${changed}, where ${id} last changed; ` +
          "it may lack historical logs (use an archive node) or be behind: retry",
      );
    }
    events.set(id, decoded);
  }
  return {
    snapshot: { chainId: Number(chainId), blockNumber, timestamp, states, events, historyMode },
    headers,
  };
}

/** Follows each identity's previousChange chain, one batch per step across all identities. */
async function walkChain(
  client: Client,
  registry: Address,
  states: Map<Address, IdentityState>,
): Promise<RawLog[]> {
  const out: RawLog[] = [];
  let frontier = [...states].filter(([, s]) => s.changed > 0n).map(([id, s]) => ({ id, block: s.changed }));
  while (frontier.length > 0) {
    const results = await Promise.all(
      frontier.map((f) =>
        getLogs(client, { address: registry, topics: [null, identityTopic(f.id)], fromBlock: toHex(f.block), toBlock: toHex(f.block) }),
      ),
    );
    const next: typeof frontier = [];
    results.forEach((logs, i) => {
      out.push(...logs);
      const block = frontier[i].block;
      let previous = 0n;
      for (const e of decodeRegistryLogs(logs)) {
        const pc = e.previousChange ?? 0n;
        if (pc > 0n && pc < block && (previous === 0n || pc < previous)) previous = pc;
      }
      if (previous > 0n) next.push({ id: frontier[i].id, block: previous });
    });
    frontier = next;
  }
  return out;
}

// POST /1.0/stream/{network} (issue 23): the registry's event stream as a restricted JSON-RPC
// endpoint that never receives an identity. It answers only what following the whole registry
// needs (eth_chainId, eth_blockNumber, eth_getBlockByNumber/Hash without transactions, the
// registry's eth_getCode, and eth_getLogs by the registry's address with at most an event type as
// topic, over at most maxBlockRange blocks) and
// refuses, before anything is forwarded, every call that could name a DID: topics, eth_call,
// eth_getProof, another address. Point a private watcher's or a crowd's decoy-pool reads at it
// (rpcUrls: ["https://service/1.0/stream/<network>"]) and the service learns which blocks the app
// follows, when, and from where; never whom (docs/private-lookups.md).
import type { FastifyPluginAsync } from "fastify";
import type { SigilNetwork } from "sigil-did";
import { chainIdHex, networkReadClient } from "sigil-did/internal";
import type { Client } from "viem";
import { problem } from "../problem.ts";

export const STREAM_PATH = "/1.0/stream/";
/** Most calls in one batch, and the widest eth_getLogs range by default. */
const MAX_CALLS = 100;
const DEFAULT_MAX_BLOCK_RANGE = 10_000n;

type Call = { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
type Answer = { jsonrpc: "2.0"; id: unknown; result?: unknown; error?: { code: number; message: string } };

const SERVED =
  "this endpoint serves eth_chainId, eth_blockNumber, eth_getBlockByNumber, eth_getBlockByHash (without transactions), " +
  "the registry's eth_getCode and eth_getLogs by the registry's address alone, so that it never receives an identity";

/** Why a call is refused (a JSON-RPC error), or undefined when it may be forwarded as is. */
function refusal(call: Call, network: SigilNetwork, maxRange: bigint): Answer["error"] | undefined {
  const params = Array.isArray(call.params) ? call.params : [];
  switch (call.method) {
    case "eth_chainId":
    case "eth_blockNumber":
      return params.length ? { code: -32602, message: `${call.method} takes no parameters` } : undefined;
    case "eth_getBlockByNumber":
    case "eth_getBlockByHash":
      return typeof params[0] === "string" && params[1] === false && params.length === 2
        ? undefined
        : { code: -32602, message: `${call.method} takes [block, false]: blocks are served without transactions` };
    case "eth_getCode":
      return typeof params[0] === "string" && params[0].toLowerCase() === network.registry.toLowerCase() && params.length === 2
        ? undefined
        : { code: -32602, message: `eth_getCode is served for the registry ${network.registry} alone` };
    case "eth_getLogs":
      return logsRefusal(params, network, maxRange);
    default:
      return { code: -32601, message: `${String(call.method)} is not served: ${SERVED}` };
  }
}

function logsRefusal(params: unknown[], network: SigilNetwork, maxRange: bigint): Answer["error"] | undefined {
  const filter = params[0] as { address?: unknown; topics?: unknown; fromBlock?: unknown; toBlock?: unknown; blockHash?: unknown };
  if (params.length !== 1 || !filter || typeof filter !== "object") return { code: -32602, message: "eth_getLogs takes one filter object" };
  const address = Array.isArray(filter.address) && filter.address.length === 1 ? filter.address[0] : filter.address;
  if (typeof address !== "string" || address.toLowerCase() !== network.registry.toLowerCase())
    return { code: -32602, message: `eth_getLogs must ask the registry's address ${network.registry} alone` };
  // The event type (topic 0) names nobody: a flooded block is read type by type. Topics 1 and 2 name identities.
  if (filter.topics !== undefined && !(Array.isArray(filter.topics) && filter.topics.slice(1).every((t) => t === null)))
    return {
      code: -32602,
      message: "eth_getLogs may not filter by topics here but the event type: a topic names an identity; filter the stream locally",
    };
  if (filter.blockHash !== undefined) return typeof filter.blockHash === "string" ? undefined : { code: -32602, message: "bad blockHash" };
  const quantity = (v: unknown) => (typeof v === "string" && /^0x[0-9a-f]{1,16}$/i.test(v) ? BigInt(v) : undefined);
  const [from, to] = [quantity(filter.fromBlock), quantity(filter.toBlock)];
  if (from === undefined || to === undefined || to < from)
    return { code: -32602, message: "eth_getLogs needs fromBlock and toBlock as block numbers (hex), fromBlock <= toBlock" };
  if (to - from + 1n > maxRange)
    return { code: -32005, message: `eth_getLogs is limited to a ${maxRange} block range here (asked ${to - from + 1n}): split the range` };
  return undefined;
}

export interface StreamRouteOptions {
  networks: readonly SigilNetwork[];
  /** Widest eth_getLogs block range. Default 10,000. */
  maxBlockRange?: bigint;
}

export const streamRoute: FastifyPluginAsync<StreamRouteOptions> = async (app, { networks, maxBlockRange }) => {
  const maxRange = maxBlockRange ?? DEFAULT_MAX_BLOCK_RANGE;
  const clients = new Map<string, { network: SigilNetwork; client: Client }>();
  for (const network of networks) {
    const entry = { network, client: networkReadClient(network) };
    clients.set(chainIdHex(network.chainId), entry);
    if (network.name) clients.set(network.name, entry);
  }
  app.post(`${STREAM_PATH}:network`, async (request, reply) => {
    const entry = clients.get((request.params as { network: string }).network);
    if (!entry) return problem(reply, 404, `no such network; this service streams ${[...clients.keys()].join(", ")}`);
    const body = request.body as Call | Call[];
    const calls = Array.isArray(body) ? body : [body];
    if (calls.length === 0 || calls.length > MAX_CALLS || !calls.every((c) => c && typeof c === "object"))
      return problem(reply, 400, `a JSON-RPC call or a batch of 1 to ${MAX_CALLS} calls`);
    const answers = await Promise.all(calls.map((call) => answer(call, entry.network, entry.client, maxRange)));
    return reply
      .code(200)
      .header("content-type", "application/json")
      .header("cache-control", "no-store")
      .send(JSON.stringify(Array.isArray(body) ? answers : answers[0]));
  });
};

async function answer(call: Call, network: SigilNetwork, client: Client, maxRange: bigint): Promise<Answer> {
  const id = call.id ?? null;
  const error = refusal(call, network, maxRange);
  if (error) return { jsonrpc: "2.0", id, error };
  if (call.method === "eth_chainId") return { jsonrpc: "2.0", id, result: chainIdHex(network.chainId) };
  try {
    const result = await client.request({ method: call.method, params: call.params } as never);
    return { jsonrpc: "2.0", id, result };
  } catch (cause) {
    const { code, shortMessage, message } = cause as { code?: unknown; shortMessage?: string; message?: string };
    return {
      jsonrpc: "2.0",
      id,
      error: { code: typeof code === "number" ? code : -32603, message: shortMessage ?? message ?? "upstream failed" },
    };
  }
}

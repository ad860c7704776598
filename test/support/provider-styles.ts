// How public JSON-RPC providers refuse what exceeds their caps, for the emulator in rpc-proxy.ts:
// the error code, message and HTTP status of an eth_getLogs over too many blocks or with too many
// results, and of a batch array longer than allowed. Every text below is one a provider was seen
// to send (sources beside it); where none could be found, the comment says so and the closest
// documented form stands in.
import { toHex } from "viem";

export type ProviderStyle = "alchemy" | "infura" | "quicknode" | "generic";

/** A refused call: its JSON-RPC error, and the HTTP status when the call travelled alone (inside a
 * batch array the error is that item's, and the HTTP answer is 200). */
export interface Refusal {
  code: number;
  message: string;
  status: number;
}

/** A refused batch: either the whole HTTP request gets `body` with `status`, or ("partial") the
 * first `max` calls are served and each later one gets `error`. */
export type BatchRefusal = { kind: "whole"; status: number; body: unknown } | { kind: "partial"; error: Refusal };

interface Style {
  logRange(span: bigint, max: number, from: bigint): Refusal;
  logResults(max: number, suggested: readonly [bigint, bigint], maxLogRange?: number): Refusal;
  batch(firstId: unknown, size: number, max: number): BatchRefusal;
}

const thousands = (n: number) => n.toLocaleString("en-US");
const kilo = (n: number) => (n % 1000 === 0 ? `${n / 1000}K` : thousands(n));
const range = (a: bigint, b: bigint) => `[${toHex(a)}, ${toHex(b)}]`;

// go-ethereum's own answer to an oversize batch (rpc/handler.go, respondWithBatchTooLarge): an
// array of ONE error carrying the first call's id, code -32600 "batch too large", HTTP 200.
const gethBatch = (firstId: unknown): BatchRefusal => ({
  kind: "whole",
  status: 200,
  body: [{ jsonrpc: "2.0", id: firstId ?? null, error: { code: -32600, message: "batch too large" } }],
});

// A result cap with no suggested range: the form Infura documents (docs.infura.io eth_getLogs
// "Constraints": -32005 "query returned more than 10000 results"), also sent by other endpoints
// (ponder-sh/ponder packages/utils/src/getLogsRetryHelper.ts lists it for zkEVM).
const plainResults = (max: number): Refusal => ({ code: -32005, message: `query returned more than ${max} results`, status: 200 });

export const STYLES: Record<ProviderStyle, Style> = {
  // Alchemy. Range cap, as its free tier answers (BobTheBuidler/dank_mids#772: -32600 "You can
  // make eth_getLogs requests with up to a 500 block range. Based on your parameters, this block
  // range should work: [0x123c9b2, 0x123cba5]"). Result cap: -32602 "Log response size exceeded.
  // ... this block range should work: [0x.., 0x..]" (the full text as several projects' tests
  // keep it verbatim, found by code search; the suggestion is what ponder's getLogsRetryHelper
  // parses; an older wording in bancorprotocol/webapp#523), sent with HTTP 400 (one such test keeps
  // a measured body: "Alchemy signals an oversized range as HTTP 400"); we use 400 for the range
  // refusal too, for which we found no status. Batches: Alchemy documents 1,000 calls per HTTP batch
  // (alchemy.com/docs/reference/batch-requests) but not its refusal, and we found no sample of
  // it; the stand-in is erigon's documented form, ONE error object where an array was due
  // (erigontech/erigon#7090, #17245: -32000 "batch limit 100 exceeded: 142 requests given"), the
  // hardest shape for a client (viem's batch scheduler then has no item to hand each call).
  alchemy: {
    logRange: (_span, max, from) => ({
      code: -32600,
      message: `You can make eth_getLogs requests with up to a ${thousands(max)} block range. Based on your parameters, this block range should work: ${range(from, from + BigInt(max) - 1n)}`,
      status: 400,
    }),
    logResults: (max, [a, b], maxLogRange = 2000) => ({
      code: -32602,
      message:
        `Log response size exceeded. You can make eth_getLogs requests with up to a ${kilo(maxLogRange)} block range and no limit on the response size, ` +
        `or you can request any block range with a cap of ${kilo(max)} logs in the response. Based on your parameters and the response size limit, this block range should work: ${range(a, b)}`,
      status: 400,
    }),
    batch: (_id, size, max) => ({
      kind: "whole",
      status: 200,
      body: { jsonrpc: "2.0", id: null, error: { code: -32000, message: `batch limit ${max} exceeded: ${size} requests given` } },
    }),
  },
  // Infura. Result cap with its suggested range: -32005 "query returned more than 10000 results.
  // Try with this block range [0x.., 0x..]." (the code from Infura's docs; the suggestion as
  // ponder's getLogsRetryHelper parses it for "infura, zksync", seen live in ponder-sh/ponder#724).
  // Range cap: -32602 "range 1000000 exceeds limit of 10000" (INFURA/infura#237, observed on
  // mainnet.infura.io; the first number is the requested span). Batches: no cap or refusal text
  // found in Infura's docs (docs.metamask.io "Make batch requests" says only that each call
  // counts); go-ethereum's form stands in.
  infura: {
    logRange: (span, max) => ({ code: -32602, message: `range ${span} exceeds limit of ${max}`, status: 200 }),
    logResults: (max, [a, b]) => ({
      code: -32005,
      message: `query returned more than ${max} results. Try with this block range ${range(a, b)}.`,
      status: 200,
    }),
    batch: (id) => gethBatch(id),
  },
  // QuickNode. Range cap: -32614 "eth_getLogs is limited to a 10,000 range" with HTTP 413
  // (OffchainLabs/arbitrum-sdk#609, the full response; ponder's _test/quicknode.test.ts asserts
  // the same text). Result cap: none documented (QuickNode caps the range only); Infura's
  // documented form stands in. Batches: every call counts against the per-second limit and the
  // excess is refused item by item in a valid array ("Sending a batch with 26 requests while your
  // RPS is 25 will result in 25 valid responses and one (1) error", QuickNode support, "429
  // Errors Explained"), each with -32007 "N/second request limit reached - reduce calls per second
  // or upgrade your account at quicknode.com" (foundry-rs/foundry#4894).
  quicknode: {
    logRange: (_span, max) => ({ code: -32614, message: `eth_getLogs is limited to a ${thousands(max)} range`, status: 413 }),
    logResults: (max) => plainResults(max),
    batch: (_id, _size, max) => ({
      kind: "partial",
      error: {
        code: -32007,
        message: `${max}/second request limit reached - reduce calls per second or upgrade your account at quicknode.com`,
        status: 429,
      },
    }),
  },
  // A self-hosted node. Range cap: -32005 "query exceeds max block range N" (what this proxy
  // always answered; the same text ponder's getLogsRetryHelper matches for Hyperliquid's RPC).
  // Result cap: Infura's documented form. Batches: go-ethereum's.
  generic: {
    logRange: (_span, max) => ({ code: -32005, message: `query exceeds max block range ${max}`, status: 200 }),
    logResults: (max) => plainResults(max),
    batch: (id) => gethBatch(id),
  },
};

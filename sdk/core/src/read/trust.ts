// Which block header an app may trust, and why, by one of three policies. An endpoint's state
// answers are then checked against that header (proof.ts), so what they are worth is what the
// policy is worth:
// - quorum: k independent endpoints must serve the same header, a few blocks behind the head;
// - checkpoint: a header the app pinned, and the chain of headers after it, each linked by hash;
// - source: a header from elsewhere (a light client), whose fields an endpoint must then match.
// Not imported by the plain resolver: the verified mode loads it lazily.
import { numberToHex, type Hex } from "viem";
import { EndpointDisagreementError, InvalidInputError, ProofError, toSigilError } from "../errors.ts";
import { createEndpoint } from "./endpoint.ts";
import { checkedHeader, type VerifiedHeader } from "./header.ts";
import { adaptiveHttp } from "./http-batch.ts";

/** A JSON-RPC endpoint the policies ask: EIP-1193's `request` (a viem client's, a provider's, or
 * httpHeaderEndpoint's, which batches what is asked together) and the host that names it. */
export interface HeaderEndpoint {
  /** Host only, for messages: URLs often carry API keys. */
  readonly host: string;
  request(args: { method: string; params?: readonly unknown[] }): Promise<unknown>;
}

export interface QuorumPolicy {
  kind: "quorum";
  /** Independent endpoints (other providers), each asked every question. */
  endpoints: readonly HeaderEndpoint[];
  /** How many must serve the same header. */
  k: number;
  /** Blocks behind the k-th highest head, so that honest endpoints a block apart, or a short
   * reorganisation, still agree. Default 2, or 0 with a `tag`. */
  depth?: number;
  /** Start from each endpoint's finalized or safe block instead of its head. */
  tag?: "finalized" | "safe";
}

export interface CheckpointPolicy {
  kind: "checkpoint";
  /** The pinned block, from a source the app trusts. */
  number: bigint;
  hash: Hex;
  endpoint: HeaderEndpoint;
  /** Most headers one call walks; beyond, a newer checkpoint is needed. Default 10,000. */
  maxHeaders?: number;
  /** Blocks behind the endpoint's head. Default 2. */
  depth?: number;
}

export interface SourcePolicy {
  kind: "source";
  /** The number and hash of a header the app trusts (a light client's), for a chain. */
  header: (chainId: number) => Promise<{ number: bigint; hash: Hex }>;
}

export type HeaderPolicy = QuorumPolicy | CheckpointPolicy | SourcePolicy;

/** A verified header and why it is trusted ("3 of 3 endpoints at depth 2", "checkpoint 0x… + 12
 * headers", "source"), for display. */
export interface TrustedHeader extends VerifiedHeader {
  basis: string;
}

export interface HeaderTrust {
  readonly policy: HeaderPolicy;
  /** The newest header the policy vouches for. */
  latest(): Promise<TrustedHeader>;
  /** The last header verified (a checkpoint policy walks only the blocks after it; an app may
   * persist it as its next checkpoint). */
  readonly last: VerifiedHeader | undefined;
}

const DEFAULT_DEPTH = 2;
const DEFAULT_MAX_HEADERS = 10_000;
/** Headers asked at once on a checkpoint walk: few HTTP requests, bounded memory. */
const WALK_CHUNK = 250;
const HASH = /^0x[0-9a-f]{64}$/i;

/** An endpoint over HTTP whose calls made together travel in JSON-RPC batches (http-batch.ts). */
export function httpHeaderEndpoint(url: string, options: { timeoutMs?: number; maxBatch?: number } = {}): HeaderEndpoint {
  const endpoint = createEndpoint(url, { maxBatch: options.maxBatch });
  const transport = adaptiveHttp(endpoint, { timeoutMs: options.timeoutMs ?? 5_000 })({ retryCount: 0 });
  return { host: endpoint.host, request: (args) => transport.request(args as never) };
}

const blockAt = (endpoint: HeaderEndpoint, block: bigint | "finalized" | "safe") =>
  endpoint.request({ method: "eth_getBlockByNumber", params: [typeof block === "bigint" ? numberToHex(block) : block, false] });

function whole(what: string, value: number | undefined, least: number, most = Number.MAX_SAFE_INTEGER): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= least && value <= most)) {
    throw new InvalidInputError({ what, value: String(value), expected: `a whole number from ${least} to ${most}` });
  }
}

function checkPolicy(policy: HeaderPolicy): void {
  if (policy.kind === "quorum") {
    whole("quorum k", policy.k, 1, policy.endpoints.length);
    whole("quorum depth", policy.depth, 0);
  } else if (policy.kind === "checkpoint") {
    if (typeof policy.number !== "bigint" || policy.number < 0n) {
      throw new InvalidInputError({ what: "checkpoint number", value: String(policy.number), expected: "a block number (bigint)" });
    }
    if (!HASH.test(policy.hash))
      throw new InvalidInputError({ what: "checkpoint hash", value: String(policy.hash), expected: "a 32-byte block hash" });
    whole("checkpoint maxHeaders", policy.maxHeaders, 1);
    whole("checkpoint depth", policy.depth, 0);
  } else if (policy.kind !== "source") {
    throw new InvalidInputError({
      what: "header policy",
      value: String((policy as { kind?: unknown }).kind),
      expected: "quorum, checkpoint or source",
    });
  }
}

/** The first line of why an endpoint's answer was not used, for EndpointDisagreementError: viem's
 * short message and the endpoint's own words. */
function refusal(error: unknown): string {
  type Described = { shortMessage?: string; message?: string; details?: string; cause?: unknown };
  const e = error as Described;
  const short = (e.shortMessage ?? e.message ?? String(error)).split("\n")[0];
  // viem maps an endpoint's error to its own class; the endpoint's words are the deepest details.
  let said: string | undefined;
  for (let c: unknown = error, depth = 0; c && typeof c === "object" && depth < 8; c = (c as Described).cause, depth++) {
    said = (c as Described).details ?? said;
  }
  const text =
    error instanceof ProofError
      ? `a header that does not check (${e.details})`
      : `failed: ${short}${said && said !== short ? ` (${said})` : ""}`;
  const line = text.replaceAll("\n", " ");
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

async function headOf(endpoint: HeaderEndpoint, tag: QuorumPolicy["tag"]): Promise<bigint> {
  if (tag) return checkedHeader(await blockAt(endpoint, tag)).number;
  const head = await endpoint.request({ method: "eth_blockNumber" });
  if (typeof head !== "string" || !/^0x[0-9a-f]+$/i.test(head)) throw new Error(`eth_blockNumber answered ${String(head).slice(0, 40)}`);
  return BigInt(head);
}

/** The header at the k-th highest head (minus depth) that at least k endpoints serve, the same. */
async function quorumHeader(policy: QuorumPolicy): Promise<TrustedHeader> {
  const { endpoints, k, tag } = policy;
  const depth = BigInt(policy.depth ?? (tag ? 0 : DEFAULT_DEPTH));
  const heads = await Promise.allSettled(endpoints.map((e) => headOf(e, tag)));
  const known = heads.flatMap((h) => (h.status === "fulfilled" ? [h.value] : [])).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  const subject = tag ? `the ${tag} block` : "the chain's head";
  if (known.length < k) {
    const answers = endpoints.map((e, i) => {
      const h = heads[i];
      return { host: e.host, says: h.status === "fulfilled" ? `block ${h.value}` : refusal(h.reason) };
    });
    throw new EndpointDisagreementError({ did: subject, at: `${tag ?? "head"} (${k} of ${endpoints.length} must answer)`, answers });
  }
  // The k-th highest: a minority lying high or low cannot move it past what k endpoints claim.
  const target = known[k - 1] > depth ? known[k - 1] - depth : 0n;
  const served = await Promise.allSettled(endpoints.map(async (e) => checkedHeader(await blockAt(e, target), { number: target })));
  const byHash = new Map<Hex, VerifiedHeader[]>();
  for (const s of served) if (s.status === "fulfilled") byHash.set(s.value.hash, [...(byHash.get(s.value.hash) ?? []), s.value]);
  const agreed = [...byHash.values()].filter((group) => group.length >= k);
  if (agreed.length === 1) {
    const where = tag ? `${tag}${depth ? ` - ${depth}` : ""}` : `depth ${depth}`;
    return { ...agreed[0][0], basis: `${agreed[0].length} of ${endpoints.length} endpoints at ${where}` };
  }
  const answers = endpoints.map((e, i) => {
    const s = served[i];
    return { host: e.host, says: s.status === "fulfilled" ? s.value.hash : refusal(s.reason) };
  });
  throw new EndpointDisagreementError({
    did: `block ${target}`,
    at: `block ${target}'s hash (${k} of ${endpoints.length} must agree)`,
    answers,
  });
}

interface WalkState {
  last?: VerifiedHeader;
  /** Headers verified after the pinned checkpoint. */
  walked: number;
}

/** The headers after the last verified one up to the endpoint's head minus depth, each checked
 * and linked to the one before by its parentHash. */
async function checkpointHeader(policy: CheckpointPolicy, state: WalkState): Promise<TrustedHeader> {
  const { endpoint } = policy;
  const basis = () => `checkpoint ${policy.hash.slice(0, 10)}… + ${state.walked} headers`;
  const ask = async <T>(run: () => Promise<T>) =>
    run().catch((e: unknown) => Promise.reject(e instanceof ProofError ? e : toSigilError(e)));
  state.last ??= await ask(async () => checkedHeader(await blockAt(endpoint, policy.number), { number: policy.number, hash: policy.hash }));
  const head = await ask(() => headOf(endpoint, undefined));
  const target = head - BigInt(policy.depth ?? DEFAULT_DEPTH);
  const count = target - state.last.number;
  const max = policy.maxHeaders ?? DEFAULT_MAX_HEADERS;
  if (count > BigInt(max)) {
    throw new ProofError(
      "checkpoint",
      `block ${target} is ${count} headers after the last verified block ${state.last.number}; the policy walks at most ${max}`,
      {
        shortMessage: "the checkpoint is too far behind the chain's head",
        hint: "pin a more recent checkpoint, or raise maxHeaders",
      },
    );
  }
  for (let from = state.last.number + 1n; from <= target; from += BigInt(WALK_CHUNK)) {
    const numbers: bigint[] = [];
    for (let n = from; n <= target && n < from + BigInt(WALK_CHUNK); n++) numbers.push(n);
    const raws = await ask(() => Promise.all(numbers.map((n) => blockAt(endpoint, n))));
    for (const [i, n] of numbers.entries()) {
      const header = checkedHeader(raws[i], { number: n });
      const previous: VerifiedHeader = state.last;
      if (header.parentHash !== previous.hash) {
        throw new ProofError(
          "parentHash",
          `block ${n}'s parentHash is ${header.parentHash}, but the verified block ${n - 1n} is ${previous.hash}`,
          {
            hint: "the endpoint is faulty or lying, or the chain reorganised deeper than depth: use another endpoint, or a newer checkpoint",
          },
        );
      }
      // Linked to the checkpoint, so as trusted as it: kept even if a later header fails.
      state.last = header;
      state.walked++;
    }
  }
  return { ...(state.last as VerifiedHeader), basis: basis() };
}

/** The header a source vouches for, with its fields from the endpoint (by hash, so a reorganised
 * endpoint still serves it). */
async function sourceHeader(policy: SourcePolicy, network: { chainId: number; endpoint: HeaderEndpoint }): Promise<TrustedHeader> {
  const trusted = await policy.header(network.chainId);
  if (typeof trusted?.number !== "bigint" || typeof trusted.hash !== "string" || !HASH.test(trusted.hash)) {
    throw new InvalidInputError({ what: "source header", value: String(trusted?.hash), expected: "{ number: bigint, hash: 32-byte hex }" });
  }
  let raw: unknown;
  try {
    raw = await network.endpoint.request({ method: "eth_getBlockByHash", params: [trusted.hash, false] });
  } catch (e) {
    throw toSigilError(e);
  }
  return { ...checkedHeader(raw, trusted), basis: "source" };
}

/** A header trust for `policy`. `network` (the chain and an endpoint to fetch fields from) is
 * needed by the source policy only. Throws InvalidInputError for a malformed policy. */
export function headerTrust(policy: HeaderPolicy, network?: { chainId: number; endpoint: HeaderEndpoint }): HeaderTrust {
  checkPolicy(policy);
  if (policy.kind === "source" && !network) {
    throw new InvalidInputError({
      what: "source policy",
      value: "no network",
      expected: "the chain id and an endpoint to fetch the header's fields from",
    });
  }
  const state: WalkState = { walked: 0 };
  let queue: Promise<unknown> = Promise.resolve();
  const run = () =>
    policy.kind === "quorum"
      ? quorumHeader(policy)
      : policy.kind === "checkpoint"
        ? checkpointHeader(policy, state)
        : sourceHeader(policy, network!);
  return {
    policy,
    // One at a time: a checkpoint walk continues from where the previous call left off.
    latest() {
      const next = queue.then(run, run);
      queue = next.catch(() => undefined);
      return next.then((header) => {
        if (policy.kind !== "checkpoint") state.last = header;
        return header;
      });
    },
    get last() {
      return state.last;
    },
  };
}

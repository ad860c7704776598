// A catalogue of lies a JSON-RPC endpoint can tell a did:sigil resolver, one at a time, for the
// lying proxy (test/support/rpc-proxy.ts's `tamper`) or an EIP-1193 provider (lyingProvider).
// Each lie is chosen by name and told, by default, about one identity only (its topic in logs,
// its slot in identityStates) and optionally only after N calls. Lies that keep their story
// consistent (stale state, relinked previousChange chains) are the point: they are what only
// proofs can catch (docs/verified-resolution.md lists which ones today's default mode accepts).
import {
  decodeEventLog,
  decodeFunctionData,
  decodeFunctionResult,
  encodeAbiParameters,
  encodeEventTopics,
  encodeFunctionResult,
  keccak256,
  maxUint256,
  pad,
  toHex,
  zeroAddress,
  zeroHash,
  type AbiEvent,
  type Address,
  type Hex,
} from "viem";
import { registryEventsAbi, sigilRegistryAbi } from "sigil-did";
import type { RpcAnswer, RpcRequest, Tamper } from "./rpc-proxy.ts";

/** A log as eth_getLogs answers it (hex quantities). */
export type JsonLog = {
  address: Hex;
  topics: Hex[];
  data: Hex;
  blockNumber: Hex;
  logIndex: Hex;
  blockTimestamp?: Hex;
  transactionHash?: Hex;
  [k: string]: unknown;
};

type State = {
  owner: Address;
  changed: bigint;
  epoch: bigint;
  nextOwnerCommitment: Hex;
  deactivated: boolean;
  nonce: bigint;
  legacyNonce: bigint;
  firstChange: bigint;
  purgedAt: bigint;
};
type States = readonly [bigint, bigint, bigint, readonly State[]];

export interface LieContext {
  /** A call to the honest node behind the liar. */
  upstream(method: string, params: unknown[]): Promise<unknown>;
  registry: Address;
  /** The identity lied about (its logs and its state); others are told the truth. */
  identity: Address;
  /** The thief's account: the key or owner a lie slips in. */
  thief: Address;
  /** Another SigilRegistry on the same chain (for "another registry's answers"). */
  otherRegistry?: Address;
}

export interface Lie {
  name: string;
  /** What the endpoint claims, in a sentence. */
  says: string;
  make(ctx: LieContext): LieHooks;
}

/** What a lie rewrites: the identity's logs in an eth_getLogs answer, its state in identityStates, or the call itself. */
interface LieHooks {
  logs?(logs: JsonLog[], filter: LogFilterJson): Promise<JsonLog[]> | JsonLog[];
  state?(state: State, answer: { chainId: bigint; blockNumber: bigint; timestamp: bigint }): State | void;
  /** identityStates' chain id, block and time (all identities). */
  head?(head: { chainId: bigint; blockNumber: bigint; timestamp: bigint }): void;
  request?(req: RpcRequest): Promise<RpcRequest | RpcAnswer> | RpcRequest | RpcAnswer;
  /** Any other answer (proofs, headers), rewritten. */
  answer?(req: RpcRequest, answer: RpcAnswer): Promise<RpcAnswer> | RpcAnswer;
}

type LogFilterJson = { address?: Hex; topics?: (Hex | Hex[] | null)[]; fromBlock?: string; toBlock?: string };

const EVENTS = registryEventsAbi as readonly AbiEvent[];
const topicOf = (a: Address) => pad(a.toLowerCase() as Hex, { size: 32 });
const byName = (name: string) => EVENTS.find((e) => e.name === name)!;
const selector = (name: string) => encodeEventTopics({ abi: [byName(name)], eventName: name } as never)[0] as Hex;
const num = (h: Hex | undefined) => (h === undefined ? 0n : BigInt(h));

export function decodeLog(log: JsonLog): { eventName: string; args: Record<string, unknown> } {
  return decodeEventLog({ abi: EVENTS, data: log.data, topics: log.topics as [Hex, ...Hex[]] }) as never;
}

/** A registry log of `eventName` with `args`, at a position in the chain. */
export function makeLog(
  eventName: string,
  args: Record<string, unknown>,
  at: { address: Hex; blockNumber: bigint; logIndex: number; blockTimestamp?: Hex; transactionHash?: Hex },
): JsonLog {
  const event = byName(eventName);
  const topics = encodeEventTopics({ abi: [event], eventName, args } as never) as Hex[];
  const data = encodeAbiParameters(
    event.inputs.filter((i) => !i.indexed),
    event.inputs.filter((i) => !i.indexed).map((i) => args[i.name!]) as never,
  );
  return {
    address: at.address,
    topics,
    data,
    blockNumber: toHex(at.blockNumber),
    logIndex: toHex(at.logIndex),
    blockTimestamp: at.blockTimestamp,
    transactionHash: at.transactionHash ?? zeroHash,
    removed: false,
  };
}

/** The same log with some arguments changed. */
export function rewrite(log: JsonLog, change: (args: Record<string, unknown>) => void): JsonLog {
  const { eventName, args } = decodeLog(log);
  const copy = { ...args };
  change(copy);
  return {
    ...makeLog(eventName, copy, {
      address: log.address,
      blockNumber: num(log.blockNumber),
      logIndex: Number(num(log.logIndex)),
      blockTimestamp: log.blockTimestamp,
      transactionHash: log.transactionHash,
    }),
    ...pick(log),
  };
}
const pick = (log: JsonLog) => Object.fromEntries(Object.entries(log).filter(([k]) => !["topics", "data"].includes(k)));

const is = (log: JsonLog, name: string) => log.topics[0] === selector(name);
const blocksOf = (logs: JsonLog[]) => [...new Set(logs.map((l) => num(l.blockNumber)))].sort((a, b) => (a < b ? -1 : 1));
const last = (logs: JsonLog[]) => blocksOf(logs).at(-1);
/** The lowest previousChange recorded in `block` (the change before it). */
const previousOf = (logs: JsonLog[], block: bigint) => {
  let out: bigint | undefined;
  for (const l of logs.filter((x) => num(x.blockNumber) === block)) {
    const pc = decodeLog(l).args.previousChange as bigint | undefined;
    if (pc !== undefined && pc < block && (out === undefined || pc < out)) out = pc;
  }
  return out ?? 0n;
};
/** Drops `block`'s logs and relinks the next change to the one before it: a consistent omission. */
function hideBlock(logs: JsonLog[], block: bigint | undefined): JsonLog[] {
  if (block === undefined) return logs;
  const before = previousOf(logs, block);
  return logs
    .filter((l) => num(l.blockNumber) !== block)
    .map((l) => (decodeLog(l).args.previousChange === block ? rewrite(l, (a) => (a.previousChange = before)) : l));
}
const rotationBlock = (logs: JsonLog[]) =>
  logs
    .filter((l) => is(l, "DIDOwnerRotated"))
    .map((l) => num(l.blockNumber))
    .at(-1);
const mapLogs = (logs: JsonLog[], name: string, change: (a: Record<string, unknown>) => void) =>
  logs.map((l) => (is(l, name) ? rewrite(l, change) : l));
const text = (s: string) => toHex(new TextEncoder().encode(s));
const bytes32 = (s: string) => pad(text(s), { size: 32, dir: "right" });
/** A log slipped into the last change block, after its own logs, with that block's link. */
function inject(logs: JsonLog[], eventName: string, args: Record<string, unknown>, ctx: LieContext, filter: LogFilterJson): JsonLog[] {
  const block = last(logs);
  const kinds = filter.topics?.[0];
  // A careful liar answers only what was asked: no delegate in an answer to a query for guardian events.
  if (block === undefined || (kinds && !(Array.isArray(kinds) ? kinds : [kinds]).includes(selector(eventName)))) return logs;
  const mine = logs.filter((l) => num(l.blockNumber) === block);
  const index = Math.max(...mine.map((l) => Number(num(l.logIndex)))) + 1;
  const at = {
    address: mine[0].address,
    blockNumber: block,
    logIndex: index,
    blockTimestamp: mine[0].blockTimestamp,
    transactionHash: mine[0].transactionHash,
  };
  return [...logs, makeLog(eventName, { identity: ctx.identity, previousChange: previousOf(logs, block), ...args }, at)];
}
const DAY = 86_400n;

/** A call to identityStates at an older block: every field of the story as it was then. */
async function staleCall(req: RpcRequest, ctx: LieContext): Promise<RpcRequest> {
  const [call] = req.params as [{ to: Hex; data: Hex }, string];
  const honest = (await ctx.upstream("eth_call", [{ to: ctx.registry, data: encodeStates([ctx.identity]) }, "latest"])) as Hex;
  const [, , , [s]] = decodeStates(honest);
  const before = (s.purgedAt > 0n ? s.purgedAt : s.changed) - 1n;
  return { ...req, params: [call, toHex(before)] };
}

export const LIES: readonly Lie[] = [
  // ---- the history (eth_getLogs) ----
  {
    name: "omit-last-change",
    says: "the identity's last change block has no logs",
    make: () => ({ logs: (l) => l.filter((x) => num(x.blockNumber) !== last(l)) }),
  },
  { name: "drop-all-logs", says: "no logs at all for the identity", make: () => ({ logs: () => [] }) },
  {
    name: "omit-rotation-event",
    says: "the purging rotation's DIDOwnerRotated is left out (its owner change kept)",
    make: () => ({ logs: (l) => l.filter((x) => !is(x, "DIDOwnerRotated")) }),
  },
  {
    name: "omit-owner-change",
    says: "the rotation's DIDOwnerChanged is left out (DIDOwnerRotated kept)",
    make: () => ({ logs: (l) => l.filter((x) => !is(x, "DIDOwnerChanged")) }),
  },
  {
    name: "hide-change-relink",
    says: "a change (the revocation of a key) is erased and the next change's previousChange rewritten around it",
    make: () => ({ logs: (l) => hideBlock(l, blocksOf(l).at(-2)) }),
  },
  {
    name: "hide-rotation-relink",
    says: "the rotation away from the stolen key is erased, links rewritten around it",
    make: () => ({ logs: (l) => hideBlock(l, rotationBlock(l)) }),
  },
  {
    name: "cut-previous-link",
    says: "the last change's previousChange is 0 (the chain cut short)",
    make: () => ({
      logs: (l) =>
        l.map((x) =>
          num(x.blockNumber) === last(l) && decodeLog(x).args.previousChange !== undefined ? rewrite(x, (a) => (a.previousChange = 0n)) : x,
        ),
    }),
  },
  { name: "duplicate-logs", says: "every log twice", make: () => ({ logs: (l) => [...l, ...l] }) },
  {
    name: "duplicate-new-index",
    says: "the last change's logs again, under new log indexes",
    make: () => ({
      logs: (l) => [
        ...l,
        ...l.filter((x) => num(x.blockNumber) === last(l)).map((x) => ({ ...x, logIndex: toHex(num(x.logIndex) + 100n) })),
      ],
    }),
  },
  { name: "reorder-logs", says: "the logs in reverse order", make: () => ({ logs: (l) => [...l].reverse() }) },
  {
    name: "inject-delegate",
    says: "a thief's veriKey delegate in the last change block",
    make: (ctx) => ({
      logs: (l, f) =>
        inject(l, "DIDDelegateChanged", { delegateType: bytes32("veriKey"), delegate: ctx.thief, validTo: maxUint256 }, ctx, f),
    }),
  },
  {
    name: "inject-service",
    says: "a phishing service in the last change block",
    make: (ctx) => ({
      logs: (l, f) =>
        inject(
          l,
          "DIDAttributeChanged",
          { name: bytes32("did/svc/Inbox"), value: text("https://phish.example/inbox"), validTo: maxUint256 },
          ctx,
          f,
        ),
    }),
  },
  {
    name: "inject-after-range",
    says: "a thief's delegate at a block after the identity's last change (outside the range asked)",
    make: (ctx) => ({
      logs: async (l, f) => {
        const head = BigInt((await ctx.upstream("eth_blockNumber", [])) as Hex);
        const to = f.toBlock && f.toBlock !== "latest" ? BigInt(f.toBlock) : head;
        const block = to < head ? to + 1n : to;
        const changed = last(l) ?? 0n;
        return [
          ...l,
          makeLog(
            "DIDDelegateChanged",
            { identity: ctx.identity, delegateType: bytes32("veriKey"), delegate: ctx.thief, validTo: maxUint256, previousChange: changed },
            { address: ctx.registry, blockNumber: block, logIndex: 0 },
          ),
        ];
      },
    }),
  },
  {
    name: "inject-before-range",
    says: "a guardian set of the thief's at a block before the range asked",
    make: (ctx) => ({
      logs: (l, f) => {
        const from = f.fromBlock ? BigInt(f.fromBlock) : 1n;
        const log = makeLog(
          "DIDGuardiansChanged",
          { identity: ctx.identity, root: pad(ctx.thief, { size: 32 }), threshold: 1n, delay: 3_600n, previousChange: 0n },
          { address: ctx.registry, blockNumber: from > 1n ? from - 1n : 1n, logIndex: 0 },
        );
        return [...l, log];
      },
    }),
  },
  {
    name: "foreign-address-log",
    says: "an owner change to the thief, emitted by another contract (its address is not the registry's)",
    make: (ctx) => ({
      logs: (l, f) => {
        const out = inject(l, "DIDOwnerChanged", { owner: ctx.thief }, ctx, f);
        return out.length === l.length ? l : [...l, { ...out.at(-1)!, address: (ctx.otherRegistry ?? ctx.thief) as Hex }];
      },
    }),
  },
  {
    name: "alter-key-bytes",
    says: "the public keys' bytes replaced",
    make: () => ({
      logs: (l) =>
        mapLogs(
          l,
          "DIDAttributeChanged",
          (a) => void (String(a.name).startsWith(bytes32("did/pub/").slice(0, 18)) && (a.value = `0x${"ee".repeat(32)}`)),
        ),
    }),
  },
  {
    name: "alter-service-endpoint",
    says: "the services' endpoints pointed at the thief's server",
    make: () => ({
      logs: (l) =>
        mapLogs(
          l,
          "DIDAttributeChanged",
          (a) => void (String(a.name).startsWith(bytes32("did/svc/").slice(0, 18)) && (a.value = text("https://phish.example/inbox"))),
        ),
    }),
  },
  {
    name: "alter-owner-in-log",
    says: "the owner changes name the thief",
    make: (ctx) => ({ logs: (l) => mapLogs(l, "DIDOwnerChanged", (a) => (a.owner = ctx.thief)) }),
  },
  {
    name: "alter-delegate",
    says: "the first delegate added is the thief's account",
    make: (ctx) => ({
      logs: (l) => l.map((x) => (x === l.find((y) => is(y, "DIDDelegateChanged")) ? rewrite(x, (a) => (a.delegate = ctx.thief)) : x)),
    }),
  },
  {
    name: "extend-revoked",
    says: "revocations carry a validTo far in the future (revoked keys valid again)",
    make: () => ({
      logs: (l) =>
        ["DIDAttributeChanged", "DIDDelegateChanged"].reduce(
          (out, name) =>
            mapLogs(
              out,
              name,
              (a) => void ((a.delegate || String(a.name).startsWith(bytes32("did/").slice(0, 10))) && (a.validTo = maxUint256)),
            ),
          l,
        ),
    }),
  },
  {
    name: "forge-deactivation-logs",
    says: "an owner change to zero (deactivation) in the last change block; the state is left as it is",
    make: (ctx) => ({ logs: (l, f) => inject(l, "DIDOwnerChanged", { owner: zeroAddress }, ctx, f) }),
  },
  {
    name: "forge-deactivation-consistent",
    says: "a deactivation in the logs and in the state (owner zero, deactivated, no commitment)",
    make: (ctx) => ({
      logs: (l, f) => inject(l, "DIDOwnerChanged", { owner: zeroAddress }, ctx, f),
      state: (s) => ({ ...s, owner: zeroAddress, deactivated: true, nextOwnerCommitment: zeroHash }),
    }),
  },
  {
    name: "omit-guardian-events",
    says: "no guardian events (guardians shown as none)",
    make: () => ({ logs: (l) => l.filter((x) => !is(x, "DIDGuardiansChanged") && !is(x, "DIDGuardiansProposed")) }),
  },
  {
    name: "forge-pending-recovery",
    says: "a guardians' recovery to the thief, proposed and approved in the last change block",
    make: (ctx) => ({
      logs: (l, f) => {
        const proposal = pad(ctx.thief, { size: 32, dir: "right" });
        const recovery = {
          newOwner: ctx.thief,
          nextCommitment: zeroHash,
          purge: true,
          guardians: { replace: false, root: zeroHash, threshold: 0n, delay: 0n },
        };
        const proposed = inject(l, "DIDRecoveryProposed", { proposal, recovery, round: 1n }, ctx, f);
        return inject(proposed, "DIDRecoveryApproved", { proposal, guardian: ctx.thief, approvals: 1n, readyAt: 1n }, ctx, f);
      },
    }),
  },
  {
    name: "shift-timestamps",
    says: "the rotation's logs carry a block time a day later (still before the next change's)",
    make: () => ({ logs: (l) => shift(l, rotationBlock(l), DAY) }),
  },
  {
    name: "timestamps-past-head",
    says: "the last change carries a block time a year after the head's",
    make: () => ({ logs: (l) => shift(l, last(l), 365n * DAY) }),
  },
  {
    name: "inject-unasked-kind",
    says: "a thief's delegate slipped into every answer, even to a query for guardian and recovery events only",
    make: (ctx) => ({
      logs: (l) => inject(l, "DIDDelegateChanged", { delegateType: bytes32("veriKey"), delegate: ctx.thief, validTo: maxUint256 }, ctx, {}),
    }),
  },
  // ---- block headers ----
  {
    name: "header-null",
    says: "no header for any numbered block (a document's created time would go missing)",
    make: () => ({ request: (req) => (isHeaderCall(req) ? { jsonrpc: "2.0", id: req.id, result: null } : req) }),
  },
  {
    name: "header-other-block",
    says: "the header of the block before the one asked (another time)",
    make: () => ({
      request: (req) =>
        isHeaderCall(req) ? { ...req, params: [toHex(BigInt((req.params as [Hex])[0]) - 1n), ...(req.params ?? []).slice(1)] } : req,
    }),
  },
  // ---- the state (identityStates through eth_call) ----
  {
    name: "stale-state",
    says: "eth_call answered at the block before the rotation: a consistent story as of then",
    make: (ctx) => ({ request: (req) => (isStatesCall(req) ? staleCall(req, ctx) : req) }),
  },
  { name: "state-owner", says: "the owner in the state is the thief", make: (ctx) => ({ state: (s) => ({ ...s, owner: ctx.thief }) }) },
  { name: "state-epoch", says: "the epoch in the state is 0 (no purge)", make: () => ({ state: (s) => ({ ...s, epoch: 0n }) }) },
  {
    name: "state-commitment",
    says: "no next-key commitment in the state (pre-rotation shown off)",
    make: () => ({ state: (s) => ({ ...s, nextOwnerCommitment: zeroHash }) }),
  },
  {
    name: "state-deactivated",
    says: "the state says deactivated (owner and logs untouched)",
    make: () => ({ state: (s) => ({ ...s, deactivated: true }) }),
  },
  {
    name: "state-changed-earlier",
    says: "the state's last change is the one before it (hiding the last change)",
    make: (ctx) => {
      let earlier: bigint | undefined; // learned from the honest node once
      return {
        request: async (req) => {
          if (isStatesCall(req) && earlier === undefined) {
            const [, , , [s]] = decodeStates(
              (await ctx.upstream("eth_call", [{ to: ctx.registry, data: encodeStates([ctx.identity]) }, "latest"])) as Hex,
            );
            const logs = (await ctx.upstream("eth_getLogs", [
              { address: ctx.registry, topics: [null, topicOf(ctx.identity)], fromBlock: toHex(s.changed), toBlock: toHex(s.changed) },
            ])) as JsonLog[];
            earlier = previousOf(logs, s.changed);
          }
          return req;
        },
        state: (s) => ({ ...s, changed: earlier ?? s.changed }),
      };
    },
  },
  {
    name: "state-firstchange-later",
    says: "the state's first change is its last purge (hiding the guardian set from before)",
    make: () => ({ state: (s) => ({ ...s, firstChange: s.purgedAt }) }),
  },
  {
    name: "state-purgedat-later",
    says: "the state's last purge is its last change (hiding what came between)",
    make: () => ({ state: (s) => ({ ...s, purgedAt: s.changed }) }),
  },
  { name: "state-purgedat-zero", says: "the state says never purged", make: () => ({ state: (s) => ({ ...s, purgedAt: 0n }) }) },
  { name: "state-nonce", says: "another nonce in the state", make: () => ({ state: (s) => ({ ...s, nonce: s.nonce + 7n }) }) },
  { name: "state-chain-id", says: "identityStates answers chain 1", make: () => ({ head: (h) => void (h.chainId = 1n) }) },
  {
    name: "head-time-back",
    says: "identityStates' block time 20 days back (revoked keys judged still valid)",
    make: () => ({ head: (h) => void (h.timestamp -= 20n * DAY) }),
  },
  {
    name: "eth-call-error",
    says: "eth_call fails",
    make: () => ({
      request: (req) => (isStatesCall(req) ? { jsonrpc: "2.0", id: req.id, error: { code: -32000, message: "execution reverted" } } : req),
    }),
  },
  {
    name: "guardian-read-error",
    says: "the read of the guardian events before the purge fails",
    make: () => ({
      request: (req) =>
        req.method === "eth_getLogs" && Array.isArray(((req.params?.[0] ?? {}) as LogFilterJson).topics?.[0])
          ? { jsonrpc: "2.0", id: req.id, error: { code: -32000, message: "internal error" } }
          : req,
    }),
  },
  // ---- another deployment ----
  {
    name: "other-registry",
    says: "every answer is another SigilRegistry's (where the stolen key wrote), its logs' address rewritten to the registry's",
    make: (ctx) => ({ request: (req) => redirect(req, ctx), logs: (l) => l.map((x) => ({ ...x, address: ctx.registry })) }),
  },
  {
    name: "other-registry-unmasked",
    says: "every answer is another SigilRegistry's (its logs' address left as it is)",
    make: (ctx) => ({ request: (req) => redirect(req, ctx) }),
  },
];

type ProofJson = { address: Hex; storageProof: { key: Hex; value: Hex; proof: Hex[] }[]; [k: string]: unknown };
const isProof = (req: RpcRequest) => req.method === "eth_getProof";
/** The identity's record slot (registry 2.2: mapping at slot 3), as eth_getProof keys it. */
const recordSlot = (identity: Address) =>
  keccak256(`0x${pad(identity.toLowerCase() as Hex).slice(2)}${toHex(3n, { size: 32 }).slice(2)}` as Hex).toLowerCase();
const withRecord = (answer: RpcAnswer, identity: Address, change: (e: ProofJson["storageProof"][number]) => object): RpcAnswer => {
  const proof = answer.result as ProofJson | null;
  if (!proof?.storageProof) return answer;
  const slot = recordSlot(identity);
  if (!proof.storageProof.some((e) => BigInt(e.key) === BigInt(slot))) return answer;
  return {
    ...answer,
    result: { ...proof, storageProof: proof.storageProof.map((e) => (BigInt(e.key) === BigInt(slot) ? { ...e, ...change(e) } : e)) },
  };
};

/** Lies only the verified mode meets: about EIP-1186 proofs and the headers they are checked
 * against (test/sdk/verified.ts tells them together with LIES). */
export const PROOF_LIES: readonly Lie[] = [
  {
    name: "proof-stale-block",
    says: "eth_getProof answered at the block before the rotation (a genuine proof of an older state)",
    make: (ctx) => ({
      request: async (req) => {
        if (!isProof(req)) return req;
        const honest = (await ctx.upstream("eth_call", [{ to: ctx.registry, data: encodeStates([ctx.identity]) }, "latest"])) as Hex;
        const [, , , [s]] = decodeStates(honest);
        return { ...req, params: [req.params![0], req.params![1], toHex((s.purgedAt > 0n ? s.purgedAt : s.changed) - 1n)] };
      },
    }),
  },
  {
    name: "proof-value",
    says: "the record's value in eth_getProof is another (its proof nodes left as they are)",
    make: (ctx) => ({ answer: (_req, a) => withRecord(a, ctx.identity, (e) => ({ value: toHex(BigInt(e.value) ^ 1n) })) }),
  },
  {
    name: "proof-nodes-swapped",
    says: "the record's proof nodes are another slot's (the value claimed with them)",
    make: (ctx) => ({
      answer: (_req, a) => {
        const other = (a.result as ProofJson | null)?.storageProof?.find((e) => BigInt(e.key) !== BigInt(recordSlot(ctx.identity)));
        return other ? withRecord(a, ctx.identity, () => ({ value: other.value, proof: other.proof })) : a;
      },
    }),
  },
  {
    name: "proof-truncated",
    says: "the record's proof lacks its last node",
    make: (ctx) => ({ answer: (_req, a) => withRecord(a, ctx.identity, (e) => ({ proof: e.proof.slice(0, -1) })) }),
  },
  {
    name: "proof-other-registry",
    says: "eth_getProof answers for another SigilRegistry (where the stolen key wrote), its address rewritten",
    make: (ctx) => ({
      request: (req) => (isProof(req) ? { ...req, params: [ctx.otherRegistry, ...req.params!.slice(1)] } : req),
      answer: (req, a) => (isProof(req) && a.result ? { ...a, result: { ...(a.result as object), address: ctx.registry } } : a),
    }),
  },
  {
    name: "proof-account-stripped",
    says: "the registry's account proof is empty (as if no contract were there)",
    make: () => ({ answer: (req, a) => (isProof(req) && a.result ? { ...a, result: { ...(a.result as object), accountProof: [] } } : a) }),
  },
  {
    name: "header-state-root",
    says: "every block header's stateRoot is replaced (so forged proofs would check against it)",
    make: () => ({
      answer: (req, a) =>
        req.method.startsWith("eth_getBlockBy") && a.result
          ? { ...a, result: { ...(a.result as object), stateRoot: keccak256("0x01") } }
          : a,
    }),
  },
  {
    name: "header-head-low",
    says: "its head is block 1 (dragging a quorum's target back to before the history)",
    make: () => ({ answer: (req, a) => (req.method === "eth_blockNumber" ? { ...a, result: "0x1" } : a) }),
  },
];

/** `block`'s logs with their block time moved by `by` seconds. */
function shift(logs: JsonLog[], block: bigint | undefined, by: bigint): JsonLog[] {
  if (block === undefined) return logs;
  return logs.map((l) =>
    num(l.blockNumber) === block && l.blockTimestamp ? { ...l, blockTimestamp: toHex(num(l.blockTimestamp) + by) } : l,
  );
}

function redirect(req: RpcRequest, ctx: LieContext): RpcRequest {
  const other = ctx.otherRegistry!;
  if (isStatesCall(req)) {
    const [call, tag] = req.params as [{ to: Hex; data: Hex }, string];
    return { ...req, params: [{ ...call, to: other }, tag] };
  }
  if (req.method === "eth_getLogs") return { ...req, params: [{ ...(req.params![0] as object), address: other }] };
  return req;
}

const isHeaderCall = (req: RpcRequest) => req.method === "eth_getBlockByNumber" && String(req.params?.[0]).startsWith("0x");
const identityStatesFn = (sigilRegistryAbi as readonly { type: string; name?: string }[]).filter(
  (e) => e.type === "function" && e.name === "identityStates",
);
const isStatesCall = (req: RpcRequest) =>
  req.method === "eth_call" && String((req.params?.[0] as { data?: string })?.data ?? "").startsWith("0xdd3e1990");
const encodeStates = (ids: Address[]) => `0xdd3e1990${encodeAbiParameters([{ type: "address[]" }], [ids]).slice(2)}` as Hex;
const decodeStates = (data: Hex) =>
  decodeFunctionResult({ abi: identityStatesFn, functionName: "identityStates", data } as never) as unknown as States;

export interface LyingOptions {
  /** Lie only after this many calls reached the liar (the first N are answered honestly). */
  afterRequests?: number;
}

/** The proxy hooks telling `lie` about `ctx.identity`. */
export function tamperFor(lie: Lie, ctx: LieContext, options: LyingOptions = {}): Tamper & { told: number; paused: boolean } {
  const hooks = lie.make(ctx);
  const mine = topicOf(ctx.identity);
  let seen = 0;
  const active = () => !tamper.paused && seen > (options.afterRequests ?? 0);
  const tamper: Tamper & { told: number; paused: boolean } = {
    told: 0,
    /** While true the liar tells the truth (a test's warm-up). */
    paused: false,
    request: async (req) => {
      seen++;
      if (!active() || !hooks.request) return req;
      const out = await hooks.request(req);
      if (out !== req) tamper.told++;
      return out;
    },
    answer: async (req, answer) => {
      if (!active() || answer.error) return answer;
      if (req.method === "eth_getLogs" && hooks.logs && Array.isArray(answer.result)) {
        const logs = answer.result as JsonLog[];
        const ours = logs.filter((l) => l.topics[1]?.toLowerCase() === mine);
        const others = logs.filter((l) => l.topics[1]?.toLowerCase() !== mine);
        const wanted = ((req.params?.[0] ?? {}) as LogFilterJson).topics?.[1];
        const asked =
          wanted === undefined ||
          wanted === null ||
          (Array.isArray(wanted) ? wanted.some((t) => t.toLowerCase() === mine) : wanted.toLowerCase() === mine);
        if (!asked) return answer;
        tamper.told++;
        return { ...answer, result: [...others, ...(await hooks.logs(ours, (req.params?.[0] ?? {}) as LogFilterJson))] };
      }
      if (isStatesCall(req) && (hooks.state || hooks.head) && typeof answer.result === "string" && answer.result !== "0x") {
        const [{ data }] = req.params as [{ data: Hex }];
        const [ids] = decodeFunctionData({ abi: identityStatesFn, data } as never).args as [Address[]];
        const [chainId, blockNumber, timestamp, states] = decodeStates(answer.result as Hex);
        const head = { chainId, blockNumber, timestamp };
        hooks.head?.(head);
        const forged = states.map((s, i) =>
          ids[i].toLowerCase() === ctx.identity.toLowerCase() && hooks.state ? (hooks.state(s, head) ?? s) : s,
        );
        tamper.told++;
        return {
          ...answer,
          result: encodeFunctionResult({
            abi: identityStatesFn,
            functionName: "identityStates",
            result: [head.chainId, head.blockNumber, head.timestamp, forged],
          } as never),
        };
      }
      if (hooks.answer) {
        const out = await hooks.answer(req, answer);
        if (out !== answer) tamper.told++;
        return out;
      }
      return answer;
    },
  };
  return tamper;
}

/** An EIP-1193 provider (the in-process chain's) that tells `lie`: the same hooks as the proxy. */
export function lyingProvider(inner: { request(args: { method: string; params?: unknown }): Promise<unknown> }, tamper: Tamper) {
  let id = 0;
  return {
    request: async (args: { method: string; params?: unknown }) => {
      const asked: RpcRequest = { jsonrpc: "2.0", id: ++id, method: args.method, params: args.params as unknown[] };
      const req = tamper.request ? await tamper.request(asked) : asked;
      let answer: RpcAnswer;
      if (!("method" in req)) answer = req;
      else {
        try {
          answer = { jsonrpc: "2.0", id: req.id, result: await inner.request({ method: req.method, params: req.params }) };
        } catch (e) {
          answer = { jsonrpc: "2.0", id: req.id, error: { code: (e as { code?: number }).code ?? -32603, message: (e as Error).message } };
        }
        if (tamper.answer) answer = await tamper.answer(req, answer);
      }
      if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
      return answer.result;
    },
    on: () => undefined,
    removeListener: () => undefined,
  };
}

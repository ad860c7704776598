// The verified read (issue 22): the same snapshot reader.ts builds, with every fact a current
// document is made of checked against a block header the app trusts (trust.ts), never taken on
// an endpoint's word:
//   1. each identity's registry storage (record, owner, next key, guardians, recovery)
//      through EIP-1186 proofs from the header's stateRoot (proof.ts, registry-storage.ts);
//   2. its logs since the last purge, from any endpoint, must reproduce the proven event-chain
//      head (log-chain.ts): none left out, altered, reordered, injected, or moved in block or
//      time, so their block times are proven too;
//   3. the guardian events before the purge (the chain does not reach them) must agree with the
//      proven guardian set, pending change and armed recovery.
// Then the default mode's consistency checks run as well. What stays unproven: the time of a
// first change older than the last purge (a document's `created`) and the times and tallies of
// unarmed recovery proposals older than it (docs/did-method-spec.md, "Verified resolution").
// Loaded lazily by the resolver: nothing in the plain resolver's bundle imports it.
import { numberToHex, toHex, type Address, type Client, type Hex } from "viem";
import { ProofError } from "../errors.ts";
import { foldRecovery } from "../recovery/recovery-state.ts";
import { checkHistory } from "./consistency.ts";
import { decodeRegistryLogs, type RawLog, type RegistryEvent } from "./events.ts";
import type { VerifiedHeader } from "./header.ts";
import { checkLinks, type Span } from "./history-span.ts";
import { eventsHead } from "./log-chain.ts";
import { verifyAccount, verifyProof } from "./proof.ts";
import { decodeIdentity, decodeRecovery, identitySlots, type ProvenRecovery, type SlotName } from "./registry-storage.ts";
import { PRE_PURGE_TOPICS, readBeforePurge, readSpans } from "./span-logs.ts";
import { MIN_SPECULATION_GRACE_MS, settledWithin, speculate, type Speculation } from "./speculation.ts";
import type { IdentitySnapshot, IdentityState } from "./types.ts";

/** What a verified snapshot was checked against, for the resolution's metadata. */
export interface Verification {
  blockNumber: bigint;
  blockHash: Hex;
  /** Why the header is trusted, e.g. "3 of 3 endpoints agree at depth 2". */
  basis: string;
}

export interface VerifiedReadOptions {
  registry: Address;
  chainId: number;
  header: VerifiedHeader;
  basis: string;
  /** Widest union of spans one eth_getLogs serves for several identities. */
  combineSpan?: bigint;
  /** The trusted time of a block before the last purge (a first change), if the trust can vouch for one. */
  olderBlockTime?: (block: bigint) => Promise<bigint | undefined>;
  /** Ask the identities' logs up to the header with their proofs (one round trip on a young chain). */
  speculate?: Speculation;
}

type Proven = { id: Address; state: IdentityState; recovery: ProvenRecovery };

const getProof = (client: Client, registry: Address, slots: Hex[], block: bigint) =>
  client.request({ method: "eth_getProof", params: [registry, slots, numberToHex(block)] } as never) as Promise<unknown>;

/** Step 1: the identity's storage, proven. */
async function provenIdentity(client: Client, { registry, header }: VerifiedReadOptions, id: Address) {
  const slots = identitySlots(id);
  const asked = Object.values(slots);
  const answer = await getProof(client, registry, asked, header.number);
  const values = await verifyProof(header, registry, answer, asked);
  const slot = (name: SlotName) => values.get(slots[name])!;
  // Empty slots: a fresh identity, or no registry at the address; the same answer's account proof tells which.
  if (asked.every((k) => values.get(k) === 0n)) await requireRegistry(header, registry, answer as { accountProof: Hex[] });
  return { state: decodeIdentity(id, slot), recovery: decodeRecovery(slot) };
}

const EMPTY_CODE = "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470";

/** Refuses an address whose proven account holds no code (verifyProof already checked the proof). */
async function requireRegistry(header: VerifiedHeader, registry: Address, answer: { accountProof: Hex[] }) {
  const account = await verifyAccount(header.stateRoot, registry, answer.accountProof);
  if (!account || account.codeHash.toLowerCase() === EMPTY_CODE)
    throw new ProofError("registry", `no contract is at ${registry} in block ${header.number}'s state`, {
      hint: "check the network's registry address",
    });
}

/** Reads and verifies the current state and history of `identities` at the trusted header. */
export async function readVerified(
  client: Client,
  identities: readonly Address[],
  options: VerifiedReadOptions,
): Promise<{ snapshot: IdentitySnapshot; verification: Verification }> {
  const { header, registry } = options;
  const ids = [...new Set(identities.map((a) => a.toLowerCase() as Address))];
  const proven = new Map<Address, Proven>();
  // Logs are believed only once they reproduce the proven head, so asking them before the proofs
  // say which span is needed costs nothing in trust: a wrong or short answer fails the same check.
  const speculative = options.speculate && ids.length ? speculate(client, registry, ids, options.speculate, header.number) : undefined;
  const started = performance.now();
  await Promise.all(ids.map(async (id) => proven.set(id, { id, ...(await provenIdentity(client, options, id)) })));
  const proofMs = performance.now() - started;
  const failures = new Map<Address, Error>();
  const spans: Span[] = [];
  for (const id of ids) {
    const s = proven.get(id)!.state;
    if (s.changed > 0n) spans.push({ id, from: s.purgedAt > 0n ? s.purgedAt : s.firstChange, to: s.changed });
  }
  const early = speculative && spans.length ? await settledWithin(speculative, Math.max(proofMs, MIN_SPECULATION_GRACE_MS)) : undefined;
  // Step 2, in one tick: the logs, the guardian events before a purge and the trusted times of old
  // first changes.
  const blockTimes = new Map<bigint, bigint>();
  const sideP = createdTimes(spans, proven, blockTimes, options);
  sideP.catch(() => undefined); // awaited below, after the logs
  const all = early ?? (await readLogs(client, options, spans, (id) => proven.get(id)!.state.firstChange, failures));
  await sideP;
  await fetchMissingTimes(client, all, blockTimes);
  const events = new Map<Address, RegistryEvent[]>(ids.map((id) => [id, []]));
  const from = new Map<Address, bigint>();
  for (const id of ids) {
    const span = spans.find((s) => s.id === id);
    from.set(id, span?.from ?? 0n);
    if (!span || failures.has(id)) continue;
    try {
      events.set(id, checkedEvents(id, proven.get(id)!, span, logsOf(all, id, span, blockTimes), header));
    } catch (error) {
      failures.set(id, error as Error);
    }
  }
  const states = new Map([...proven].map(([id, p]) => [id, p.state]));
  return {
    snapshot: {
      chainId: options.chainId,
      blockNumber: header.number,
      timestamp: header.timestamp,
      states,
      events,
      from,
      failures,
      blockTimes,
    },
    verification: { blockNumber: header.number, blockHash: header.hash, basis: options.basis },
  };
}

/** Step 2's logs when the speculative ones did not come in time: each span's, and the guardian
 * events before a last purge (which the event chain does not reach). */
async function readLogs(
  client: Client,
  options: VerifiedReadOptions,
  spans: Span[],
  firstOf: (id: Address) => bigint,
  failures: Map<Address, Error>,
): Promise<RawLog[]> {
  const { registry } = options;
  const beforeP = Promise.all(
    spans.filter((sp) => sp.from > firstOf(sp.id)).map((sp) => readBeforePurge(client, registry, sp, firstOf(sp.id), failures)),
  );
  const logs = await readSpans(client, registry, spans, options.combineSpan ?? 50_000n, failures, firstOf);
  return [...(await beforeP).flat(), ...logs];
}

/** The identity's logs (its own topic, inside the asked range), with block times filled in. */
function logsOf(all: readonly RawLog[], id: Address, span: Span, times: Map<bigint, bigint>): RawLog[] {
  const topic = `0x${id.slice(2).padStart(64, "0")}`.toLowerCase();
  return all
    .filter((l) => String(l.topics[1]).toLowerCase() === topic)
    .filter((l) => BigInt(l.blockNumber!) >= span.from || PRE_PURGE_TOPICS.includes(l.topics[0] as Hex))
    .map((l) => (l.blockTimestamp == null ? { ...l, blockTimestamp: times.get(BigInt(l.blockNumber!)) } : l));
}

/** Headers of the blocks whose logs came without blockTimestamp, from the reading endpoint: the
 * chain check then proves their times (a wrong or missing one fails it). */
async function fetchMissingTimes(client: Client, logs: readonly RawLog[], into: Map<bigint, bigint>) {
  const blocks = new Set(logs.filter((l) => l.blockTimestamp == null).map((l) => BigInt(l.blockNumber!)));
  await Promise.all(
    [...blocks].map(async (n) => {
      const raw = (await client.request({ method: "eth_getBlockByNumber", params: [toHex(n), false] } as never)) as {
        timestamp: Hex;
      } | null;
      if (raw) into.set(n, BigInt(raw.timestamp));
    }),
  );
}

/** The time of each first change older than the last purge (the chain does not reach it), only
 * from the trust: unproven, a document goes without `created` rather than show an endpoint's word. */
async function createdTimes(spans: readonly Span[], proven: Map<Address, Proven>, into: Map<bigint, bigint>, options: VerifiedReadOptions) {
  const older = [...new Set(spans.map((sp) => proven.get(sp.id)!.state.firstChange).filter((n, i) => n < spans[i].from))];
  const timeOf = options.olderBlockTime;
  if (!timeOf) return;
  const times = await Promise.all(older.map((n) => timeOf(n)));
  older.forEach((n, i) => times[i] !== undefined && into.set(n, times[i]!));
}

/** Steps 2 and 3 for one identity: its events, once they reproduce the proven head and agree
 * with the proven guardian state; then the default mode's checks. */
function checkedEvents(id: Address, { state, recovery }: Proven, span: Span, logs: RawLog[], header: VerifiedHeader): RegistryEvent[] {
  const events = decodeRegistryLogs(logs);
  const head = eventsHead(events, state.purgedAt);
  if (head?.toLowerCase() !== state.head.toLowerCase()) {
    const since = state.purgedAt ? `its last purge (block ${state.purgedAt})` : "its first change";
    throw new ProofError(
      "events",
      `the logs of ${id} since ${since} produce the event-chain head ${head ?? "(none: no purge there)"}, but block ${header.number}'s state holds ${state.head}: a log was left out, altered, reordered or injected`,
      { shortMessage: "the RPC endpoint's logs do not match the proven state" },
    );
  }
  checkGuardians(id, events, recovery);
  const exit = checkLinks(id, events, span.from, span.to);
  checkHistory({ id, state, events, exit, headTime: header.timestamp, partial: false, headProven: true });
  return events;
}

/** The guardian view the events give must be the proven one: the set, a pending change, the armed recovery. */
function checkGuardians(id: Address, events: readonly RegistryEvent[], proven: ProvenRecovery) {
  const view = foldRecovery(events);
  const fail = (what: string, logs: unknown, state: unknown) => {
    throw new ProofError("guardians", `the logs of ${id} give ${what} ${String(logs)}, but the proven state holds ${String(state)}`, {
      shortMessage: "the RPC endpoint's guardian events do not match the proven state",
    });
  };
  const policy = (p: { root: Hex; threshold: number; delay: bigint } | null | undefined) =>
    p ? `${p.root.toLowerCase()}/${p.threshold}/${p.delay}` : "none";
  if (policy(view.guardians) !== policy(proven.guardians)) fail("the guardian set", policy(view.guardians), policy(proven.guardians));
  const pending = (p: { root: Hex; threshold: number; delay: bigint; effectiveAt: bigint } | null) =>
    p ? `${policy(p)} effective ${p.effectiveAt}` : "none";
  if (pending(view.pendingGuardianChange) !== pending(proven.pendingChange))
    fail("the pending guardian change", pending(view.pendingGuardianChange), pending(proven.pendingChange));
  const armed = view.recoveries.find((r) => r.armed);
  const armedView = armed ? `${armed.proposal.toLowerCase()} ready at ${armed.readyAt}` : "none";
  const armedProven =
    proven.armedProposal && proven.guardians
      ? `${proven.armedProposal.toLowerCase()} ready at ${proven.armedAt + proven.guardians.delay}`
      : "none";
  if (armedView !== armedProven) fail("the armed recovery", armedView, armedProven);
}

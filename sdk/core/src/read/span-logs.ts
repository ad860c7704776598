// The logs of identities' history spans (reader.ts step 2): grouped eth_getLogs calls through
// the adaptive transport, split again where a block is flooded (by identity, then by event
// type), a walk of the previousChange chain where a node refuses in a way nobody recognises, and
// the guardian, recovery and commitment events before a last purge.
import { pad, toEventSelector, toHex, type Address, type Client, type Hex } from "viem";
import { registryEventsAbi } from "../abi.ts";
import { decodeRegistryLogs, type RawLog } from "./events.ts";
import { checkLogs } from "./consistency.ts";
import { InconsistentAnswerError } from "../errors.ts";
import { groupSpans, HistoryReadError, type Span } from "./history-span.ts";
import { LogLimitError, type LogFilter } from "./log-ranges.ts";
import { ALL_TOPICS, readByKind } from "./log-split.ts";

/** Identities per eth_getLogs topic list: under common node limits. */
export const TOPIC_CHUNK = 500;

/** What a purge does not void, for a current document's metadata: guardian and recovery events,
 * and the commitment's (commits and rotations), whose time the commitment's seniority counts from. */
export const PRE_PURGE_TOPICS = registryEventsAbi
  .filter((e) => /^DID(Guardian|Recover|NextOwnerCommitted|OwnerRotated)/.test(e.name))
  .map((e) => toEventSelector(e as never));

export const identityTopic = (address: Address): Hex => pad(address.toLowerCase() as Hex, { size: 32 });
/** eth_getLogs, refusing an answer with a log the filter did not ask for (consistency.ts). */
export async function getLogs(client: Client, filter: LogFilter): Promise<RawLog[]> {
  const logs = (await client.request({ method: "eth_getLogs", params: [filter] } as never)) as RawLog[];
  checkLogs(logs, filter);
  return logs;
}

/** The logs of every span: grouped calls through the adaptive transport. A group that fails on
 * a flooded block is read again identity by identity, so that only the flooded one fails; an
 * identity whose node refused in a way the transport did not recognise gets a walk of its
 * previousChange chain. */
export async function readSpans(
  client: Client,
  registry: Address,
  spans: Span[],
  combineSpan: bigint,
  failures: Map<Address, Error>,
  firstOf: (id: Address) => bigint,
): Promise<RawLog[]> {
  const readGroup = async (group: Span[]): Promise<RawLog[]> => {
    const lo = group.reduce((m, s) => (s.from < m ? s.from : m), group[0].from);
    const hi = group.reduce((m, s) => (s.to > m ? s.to : m), group[0].to);
    const topics = [null, group.map((s) => identityTopic(s.id))];
    try {
      return await getLogs(client, { address: registry, topics, fromBlock: toHex(lo), toBlock: toHex(hi) });
    } catch (error) {
      if (error instanceof LogLimitError) {
        if (group.length > 1) return (await Promise.all(group.map((s) => readGroup([s])))).flat();
        return readFlooded(client, registry, group[0], firstOf(group[0].id), failures);
      }
      if (!isRefusal(error)) throw error;
      return (await Promise.all(group.map((s) => walkChain(client, registry, s)))).flat();
    }
  };
  return (await Promise.all(groupSpans(spans, combineSpan, TOPIC_CHUNK).map(readGroup))).flat();
}

/** One identity's span with a block the node's result cap cannot return whole: read by event
 * type (a guardian's flood of approvals proposal by proposal); a flood of one type fails it. */
async function readFlooded(client: Client, registry: Address, span: Span, first: bigint, failures: Map<Address, Error>): Promise<RawLog[]> {
  try {
    return await readByKind({
      getLogs: (f) => getLogs(client, f),
      registry,
      identity: identityTopic(span.id),
      from: span.from,
      to: span.to,
      kinds: ALL_TOPICS,
      proposalsFrom: first,
    });
  } catch (error) {
    if (!(error instanceof LogLimitError)) throw error;
    const message =
      `${error.shortMessage}: the node caps eth_getLogs results and this identity's history since its last purge holds more in one block; ` +
      "use an endpoint without that cap, or rotate with purge to leave the flood behind";
    failures.set(span.id, new HistoryReadError(message, { cause: error, reason: "logCap" }));
    return [];
  }
}

/** The guardian, recovery and commitment events of `span`'s identity before its last purge
 * (from `start`). A flooded block is read by event type; what cannot be read fails the identity
 * with the reason, never leaves its guardians out. */
export async function readBeforePurge(
  client: Client,
  registry: Address,
  span: Span,
  start: bigint,
  failures: Map<Address, Error>,
): Promise<RawLog[]> {
  const identity = identityTopic(span.id);
  const [from, to] = [start, span.from - 1n];
  try {
    try {
      return await getLogs(client, {
        address: registry,
        topics: [[...PRE_PURGE_TOPICS], identity],
        fromBlock: toHex(from),
        toBlock: toHex(to),
      });
    } catch (error) {
      if (!(error instanceof LogLimitError)) throw error;
      return await readByKind({
        getLogs: (f) => getLogs(client, f),
        registry,
        identity,
        from,
        to,
        kinds: PRE_PURGE_TOPICS,
        proposalsFrom: from,
      });
    }
  } catch (error) {
    if (error instanceof InconsistentAnswerError) {
      failures.set(span.id, error);
      return [];
    }
    const capped = error instanceof LogLimitError;
    const cause = capped
      ? error.shortMessage
      : ((error as { shortMessage?: string }).shortMessage ?? (error as Error).message ?? String(error)).split("\n")[0];
    failures.set(
      span.id,
      new HistoryReadError(
        `the guardian, recovery and commitment events of ${span.id} before its last purge (blocks ${from} to ${to}) could not be read (${cause}); ` +
          `without them its guardians and recoveries would be shown wrong, so it is not resolved: ${capped ? "use an endpoint without that eth_getLogs result cap" : "retry, or use another endpoint"}`,
        { cause: error, reason: "guardianEvents" },
      ),
    );
    return [];
  }
}

/** A JSON-RPC error answer (the node refused the call), as opposed to a transport failure. */
const isRefusal = (error: unknown) =>
  typeof (error as { code?: unknown })?.code === "number" && (error as { name?: string }).name !== "TimeoutError";

/** Follows one identity's previousChange chain down to its span's start, one block per call. */
async function walkChain(client: Client, registry: Address, span: Span): Promise<RawLog[]> {
  const out: RawLog[] = [];
  for (let block = span.to; block >= span.from && block > 0n;) {
    const logs = await getLogs(client, {
      address: registry,
      topics: [null, identityTopic(span.id)],
      fromBlock: toHex(block),
      toBlock: toHex(block),
    });
    out.push(...logs);
    let previous = 0n;
    for (const e of decodeRegistryLogs(logs)) {
      // Rotation and recovery events carry no previousChange: the owner change beside them does.
      if (e.previousChange === undefined) continue;
      const pc = e.previousChange;
      if (pc < block && (previous === 0n || pc < previous)) previous = pc;
    }
    if (logs.length === 0) break; // checkChain reports the gap
    block = previous;
  }
  return out;
}

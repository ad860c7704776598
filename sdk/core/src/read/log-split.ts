// One identity's logs over a block range where a block holds more of them than the endpoint
// returns per eth_getLogs (a flood no range is small enough for): each event type is asked for
// apart, and approvals, the one event anyone's guardian can emit hundreds of in a block, proposal
// by proposal. What still does not fit throws LogLimitError (the caller fails that identity).
import { toEventSelector, toHex, type Address, type Hex } from "viem";
import { registryEventsAbi } from "../abi.ts";
import type { RawLog } from "./events.ts";
import { LogLimitError, type LogFilter } from "./log-ranges.ts";

const selectorOf = (name: string) => toEventSelector(registryEventsAbi.find((e) => e.name === name) as never);

/** Every event of the registry (topic 0). */
export const ALL_TOPICS: readonly Hex[] = registryEventsAbi.map((e) => toEventSelector(e as never));
const APPROVED = selectorOf("DIDRecoveryApproved");
const PROPOSED = selectorOf("DIDRecoveryProposed");

export interface SplitRead {
  getLogs: (filter: LogFilter) => Promise<RawLog[]>;
  registry: Address;
  /** The identity as a log topic. */
  identity: Hex;
  from: bigint;
  to: bigint;
  /** The event types wanted (topic 0). */
  kinds: readonly Hex[];
  /** First block a proposal whose approvals fall in the range may lie in (the identity's first change). */
  proposalsFrom: bigint;
}

export async function readByKind(read: SplitRead): Promise<RawLog[]> {
  const { getLogs, registry, identity, kinds } = read;
  const query = (topics: LogFilter["topics"], from = read.from) =>
    getLogs({ address: registry, topics, fromBlock: toHex(from), toBlock: toHex(read.to) });
  const rest = (await Promise.all(kinds.filter((k) => k !== APPROVED).map((k) => query([k, identity])))).flat();
  if (!kinds.includes(APPROVED)) return rest;
  try {
    return [...rest, ...(await query([APPROVED, identity]))];
  } catch (error) {
    if (!(error instanceof LogLimitError)) throw error;
    // Approvals name their proposal (indexed), and each proposal's DIDRecoveryProposed precedes
    // its approvals: ask for those of each proposal.
    const proposed =
      read.from <= read.proposalsFrom && kinds.includes(PROPOSED) ? rest : await query([PROPOSED, identity], read.proposalsFrom);
    const proposals = [...new Set(proposed.filter((l) => l.topics[0] === PROPOSED).map((l) => l.topics[2]))];
    const approvals = await Promise.all(proposals.map((p) => query([APPROVED, identity, p])));
    return [...rest, ...approvals.flat()];
  }
}

// The cache policy for current documents. An identity's history (its events since its last
// purge) is cached with its storage state and the head block it was read at: within maxAgeMs a
// repeat sends no request; after it one batch (the identityStates eth_call and that head
// block's header) confirms the state is unchanged AND the head block is still canonical (a
// reset or reorganised chain can reach the same state with other keys). An identity that
// changed on the same chain costs only its new logs, appended and checked to link to what was
// held; anything else re-reads its history. Documents are rebuilt from the cached events at the
// new block time, so expiries still apply.
import type { Address } from "viem";
import { blockAnchor, confirmStates, readHistory } from "./chain-read.ts";
import { checkHistory } from "../read/consistency.ts";
import { checkLinks } from "../read/history-span.ts";
import type { IdentitySnapshot, IdentityState } from "../read/types.ts";
import type { CachedHistory, Histories, NetworkEntry, SigilClient } from "./types.ts";

const sameState = (a: IdentityState, b: IdentityState) =>
  a.owner === b.owner &&
  a.changed === b.changed &&
  a.epoch === b.epoch &&
  a.nextOwnerCommitment === b.nextOwnerCommitment &&
  a.deactivated === b.deactivated &&
  a.purgedAt === b.purgedAt;

/** Current histories of `addresses` on one network, through the cache. */
export async function currentHistories(
  client: SigilClient,
  entry: NetworkEntry,
  addresses: Address[],
  options: { noCache?: boolean } = {},
): Promise<Histories> {
  // The verified mode is a chunk of its own: apps that never verify never load it.
  if (entry.network.verify) return (await import("./verified-histories.ts")).verifiedHistories(entry, addresses);
  const { stats } = client;
  // noCache (DID Resolution): read from the chain; the fresh result still refreshes the cache.
  const cache = options.noCache ? undefined : client.cache;
  const key = (a: Address) => `${entry.network.chainId}:${entry.network.registry}:${a}`;
  const now = Date.now();
  const out: Histories = { histories: new Map(), failures: new Map() };
  let stale: Address[] = [];
  for (const a of addresses) {
    const hit = cache?.get(key(a));
    if (hit && now - hit.checkedAt < client.maxAgeMs) out.histories.set(a, hit);
    else stale.push(a);
  }
  stats.fresh += out.histories.size;
  if (stale.length === 0) return out;
  const grown = new Map<Address, CachedHistory>(); // changed on the same chain: read only new logs
  if (cache && stale.every((a) => cache.has(key(a)))) {
    // Every identity is cached: one batch confirms nothing changed.
    const anchors = [...new Set(stale.map((a) => cache.get(key(a))!.anchor?.number).filter((n): n is bigint => n !== undefined))];
    const canonical = Promise.all(anchors.map((n) => blockAnchor(entry, n))); // same tick: same batch
    canonical.catch(() => undefined);
    const snap = await confirmStates(entry, stale);
    const hashes = new Map((await canonical).flatMap((b) => (b ? [[b.number, b.hash] as const] : [])));
    const reread: Address[] = [];
    for (const a of stale) {
      const hit = cache.get(key(a))!;
      const sameChain = hit.anchor !== undefined && hashes.get(hit.anchor.number) === hit.anchor.hash;
      if (!sameChain) reread.push(a);
      else if (sameState(hit.state, snap.states.get(a)!)) {
        const fresh = { ...hit, checkedAt: now, blockNumber: snap.blockNumber, timestamp: snap.timestamp };
        cache.set(key(a), fresh);
        out.histories.set(a, fresh);
        stats.confirmed++;
      } else if (snap.states.get(a)!.purgedAt === hit.state.purgedAt) grown.set(a, hit);
      // A new purge moves the history's start (and what came before it): read it afresh.
      else reread.push(a);
    }
    if (reread.length === 0 && grown.size === 0) return out;
    stale = reread;
  }
  const withAnchor = client.cache !== undefined;
  const after = new Map([...grown].map(([a, hit]) => [a, hit.anchor!.number < hit.blockNumber ? hit.anchor!.number : hit.blockNumber]));
  // Same tick: both reads travel in the same batches.
  const [full, increments] = await Promise.all([
    stale.length ? readHistory(entry, stale, { withAnchor }) : undefined,
    grown.size ? readHistory(entry, [...grown.keys()], { withAnchor, after }) : undefined,
  ]);
  const store = (a: Address, history: CachedHistory) => {
    client.cache?.set(key(a), history);
    out.histories.set(a, history);
  };
  if (full) {
    stats.missed += stale.length;
    for (const a of stale) {
      const failure = full.snapshot.failures.get(a);
      if (failure) out.failures.set(a, failure);
      else store(a, fromSnapshot(full.snapshot, a, now, full.anchor));
    }
  }
  if (increments) {
    stats.grown += grown.size;
    for (const [a, hit] of grown) {
      const failure = increments.snapshot.failures.get(a);
      if (failure) out.failures.set(a, failure);
      else {
        try {
          store(a, appended(a, hit, fromSnapshot(increments.snapshot, a, now, increments.anchor)));
        } catch (error) {
          out.failures.set(a, error as Error);
        }
      }
    }
  }
  return out;
}

function fromSnapshot(snapshot: IdentitySnapshot, a: Address, now: number, anchor: CachedHistory["anchor"]): CachedHistory {
  const state = snapshot.states.get(a)!;
  const times = new Map([...snapshot.blockTimes].filter(([n]) => n === state.changed || n === state.firstChange));
  return {
    state,
    events: snapshot.events.get(a) ?? [],
    from: snapshot.from.get(a) ?? 0n,
    blockTimes: times,
    checkedAt: now,
    blockNumber: snapshot.blockNumber,
    timestamp: snapshot.timestamp,
    anchor,
  };
}

/** The held history with the new logs after it (no purge in between). The result must link from
 * the new last change down to its start (checkLinks) and agree with the new state (checkHistory). */
function appended(a: Address, held: CachedHistory, added: CachedHistory): CachedHistory {
  const { from } = held; // the same purge: the same start
  const events = [...held.events, ...added.events];
  const exit = checkLinks(a, events, from, added.state.changed);
  // Held and new events together are the whole current history again: the state must agree with it.
  checkHistory({ id: a, state: added.state, events, exit, headTime: added.timestamp, partial: false });
  return { ...added, events, from, blockTimes: new Map([...held.blockTimes, ...added.blockTimes]) };
}

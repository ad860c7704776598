// The cache policy for current documents. An identity's history is cached with its storage
// state (owner, last change block, epoch, commitment, deactivation) and the head block it was
// read at: within maxAgeMs a repeat sends no request; after it one batch (the identityStates
// eth_call and that head block's header) confirms the state is unchanged AND the head block is
// still canonical (a reset or reorganised chain can reach the same state with other keys); the
// document is then rebuilt from the cached events at the new block time, so expiries still
// apply; anything else re-reads the history.
import type { Address } from "viem";
import { blockAnchor, confirmStates, readHistory } from "./chain-read.ts";
import type { IdentityState } from "./reader.ts";
import type { CachedHistory, NetworkEntry, SigilClient } from "./sigil-client.ts";

const sameState = (a: IdentityState, b: IdentityState) =>
  a.owner === b.owner &&
  a.changed === b.changed &&
  a.epoch === b.epoch &&
  a.nextOwnerCommitment === b.nextOwnerCommitment &&
  a.deactivated === b.deactivated;

/** Current histories of `addresses` on one network, through the cache. */
export async function currentHistories(client: SigilClient, entry: NetworkEntry, addresses: Address[], options: { noCache?: boolean } = {}) {
  const { stats } = client;
  // noCache (DID Resolution): read from the chain; the fresh result still refreshes the cache.
  const cache = options.noCache ? undefined : client.cache;
  const key = (a: Address) => `${entry.network.chainId}:${entry.network.registry}:${a}`;
  const now = Date.now();
  const out = new Map<Address, CachedHistory>();
  let stale: Address[] = [];
  for (const a of addresses) {
    const hit = cache?.get(key(a));
    if (hit && now - hit.checkedAt < client.maxAgeMs) out.set(a, hit);
    else stale.push(a);
  }
  stats.fresh += out.size;
  if (stale.length === 0) return out;
  if (cache && stale.every((a) => cache.has(key(a)))) {
    // Every identity is cached: one batch confirms nothing changed.
    const anchors = [...new Set(stale.map((a) => cache.get(key(a))!.anchor?.number).filter((n): n is bigint => n !== undefined))];
    const canonical = Promise.all(anchors.map((n) => blockAnchor(entry, n))); // same tick: same batch
    canonical.catch(() => undefined);
    const snap = await confirmStates(entry, stale);
    const hashes = new Map((await canonical).flatMap((b) => (b ? [[b.number, b.hash] as const] : [])));
    const changed: Address[] = [];
    for (const a of stale) {
      const hit = cache.get(key(a))!;
      const sameChain = hit.anchor !== undefined && hashes.get(hit.anchor.number) === hit.anchor.hash;
      if (!sameChain || !sameState(hit.state, snap.states.get(a)!)) {
        changed.push(a);
        continue;
      }
      const fresh = { ...hit, checkedAt: now, blockNumber: snap.blockNumber, timestamp: snap.timestamp };
      cache.set(key(a), fresh);
      out.set(a, fresh);
      stats.confirmed++;
    }
    if (changed.length === 0) return out;
    stale = changed;
  }
  const { snapshot, anchor } = await readHistory(entry, stale, undefined, client.cache !== undefined);
  stats.missed += stale.length;
  for (const a of stale) {
    const history: CachedHistory = {
      state: snapshot.states.get(a)!,
      events: snapshot.events.get(a) ?? [],
      checkedAt: now,
      blockNumber: snapshot.blockNumber,
      timestamp: snapshot.timestamp,
      anchor,
    };
    client.cache?.set(key(a), history);
    out.set(a, history);
  }
  return out;
}

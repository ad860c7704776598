// Current histories on a network with `verify`: each read fresh (never from the cache: a cached
// document would be checked against an older header), every fact checked against a header the
// network's trust policy vouches for (read/verified.ts). history-cache.ts imports this module on
// first use, so that an app that never verifies does not download any of it.
import type { Address } from "viem";
import type { HeaderTrust, TrustedHeader } from "../read/trust.ts";
import { olderBlockTime, readVerified, trustFor } from "../read/verified-mode.ts";
import { speculation } from "./chain-read.ts";
import { crowdOf } from "./crowd-entry.ts";
import type { CachedHistory, Histories, NetworkEntry } from "./types.ts";

const trusts = new WeakMap<NetworkEntry, HeaderTrust>();
/** The last trusted header per network and when it was obtained: reads in a burst share it. */
const recent = new WeakMap<NetworkEntry, { header: Promise<TrustedHeader>; at: number }>();
const DEFAULT_MAX_HEADER_AGE_MS = 2_000;

function trustedHeader(entry: NetworkEntry, trust: HeaderTrust): Promise<TrustedHeader> {
  const maxAge = entry.network.verify?.maxHeaderAgeMs ?? DEFAULT_MAX_HEADER_AGE_MS;
  const held = recent.get(entry);
  if (held && Date.now() - held.at < maxAge) return held.header;
  const header = trust.latest();
  recent.set(entry, { header, at: Date.now() });
  header.catch(() => recent.delete(entry)); // a failure is not reused
  return header;
}

export async function verifiedHistories(entry: NetworkEntry, addresses: Address[]): Promise<Histories> {
  let trust = trusts.get(entry);
  if (!trust) trusts.set(entry, (trust = trustFor(entry.network, entry.client)));
  const header = await trustedHeader(entry, trust);
  const { network } = entry;
  const { snapshot, verification } = await readVerified(entry.client, await crowdOf(entry, addresses), {
    registry: network.registry,
    chainId: network.chainId,
    header,
    basis: header.basis,
    olderBlockTime: (block) => olderBlockTime(trust.policy, block),
    speculate: speculation(entry),
  });
  if (entry.knownHead === undefined || header.number > entry.knownHead) entry.knownHead = header.number;
  const out: Histories = { histories: new Map(), failures: new Map() };
  const now = Date.now();
  for (const a of addresses) {
    const id = a.toLowerCase() as Address;
    const failure = snapshot.failures.get(id);
    if (failure) {
      out.failures.set(a, failure);
      continue;
    }
    const history: CachedHistory = {
      state: snapshot.states.get(id)!,
      events: snapshot.events.get(id) ?? [],
      from: snapshot.from.get(id) ?? 0n,
      blockTimes: snapshot.blockTimes,
      checkedAt: now,
      blockNumber: snapshot.blockNumber,
      timestamp: snapshot.timestamp,
      verification,
    };
    out.histories.set(a, history);
  }
  return out;
}

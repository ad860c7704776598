// The watcher's changes turned into group action: when a member's DID rotates away from its leaf
// key, is recovered (a purge voids every key) or is deactivated, the leaf is marked stale in the
// guard at once (its messages are refused from then on) and remove proposals are handed to the
// app for an honest member to commit. Judged on the document the watcher already read: no
// further resolution.
import type { ClientState } from "ts-mls";
import { watchDids, type DidChange, type Watcher } from "../messaging/watch.ts";
import { groupMembers, type MemberResolver, type StaleMember } from "./auth.ts";
import type { GroupGuard } from "./guard.ts";
import { judgeMember } from "./judge.ts";

/** What the app gets when members go stale: who, and what to commit (guard.prepareRemoval). */
export interface StaleEvent {
  stale: StaleMember[];
  removal: ReturnType<GroupGuard["prepareRemoval"]>;
}

/**
 * An `onChange` for `watchDids` or `watchDidsPrivately`: judges the changed DID's leaves in
 * `state()` against the new document, marks the stale ones in `guard` and calls `onStale` with
 * them and the removal to commit. Returns the members it marked.
 */
export function staleOnChange(
  guard: GroupGuard,
  state: () => ClientState,
  onStale: (event: StaleEvent) => void,
): (change: DidChange) => StaleMember[] {
  return (change) => {
    const names = new Set([change.did.toLowerCase(), change.result.didDocument?.id.toLowerCase()]);
    const stale = groupMembers(state()).flatMap((member): StaleMember[] => {
      if (member.did === undefined || !names.has(member.did.toLowerCase())) return [];
      const verdict = judgeMember(member.did, member.signaturePublicKey, change.result);
      return verdict.ok || verdict.retry ? [] : [{ ...member, reason: verdict.reason, message: verdict.message }];
    });
    const marked = guard.markStale(stale);
    if (marked.length > 0) onStale({ stale: marked, removal: guard.prepareRemoval(state()) });
    return marked;
  };
}

/**
 * Watches the DIDs of a group's members (one batched read per poll with a Sigil resolver) and
 * acts as `staleOnChange` does. `ready` also checks the group once (members already stale when
 * the watch starts are reported too). The DID list is taken at the start: create a new watcher
 * when membership changes.
 */
export function watchGroup(
  resolver: MemberResolver,
  guard: GroupGuard,
  state: () => ClientState,
  onStale: (event: StaleEvent) => void,
  options: { intervalMs?: number; onError?: (error: unknown) => void } = {},
): Watcher {
  const dids = [...new Set(groupMembers(state()).flatMap((m) => (m.did === undefined ? [] : [m.did])))];
  const watcher = watchDids(resolver, dids, staleOnChange(guard, state, onStale), options);
  const first = guard.check(state()).then((check) => {
    if (check.stale.length > 0) onStale({ stale: check.stale, removal: guard.prepareRemoval(state()) });
  });
  return { ...watcher, ready: Promise.all([watcher.ready, first]).then(() => undefined) };
}

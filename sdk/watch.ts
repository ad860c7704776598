// Watches DIDs for key changes (new or revoked keys, controller rotation, deactivation) so an
// app can warn "Bob's keys changed", as Signal does. Polls with the batched read: one round
// trip per poll for all watched DIDs (one eth_call when nothing changed and the cache is on).
import type { DIDResolutionResult } from "did-resolver";
import { authenticationFingerprint } from "./messaging.ts";
import type { SigilResolver } from "./resolver.ts";

export interface DidChange {
  did: string;
  /** Fingerprints of the authentication keys before and after. */
  before: string;
  after: string;
  deactivated: boolean;
  /** Controller address (lower case) after the change. */
  owner?: string;
  result: DIDResolutionResult;
}

export interface Watcher {
  /** Resolves once the first snapshot is taken. */
  ready: Promise<void>;
  /** Polls now; resolves with the changes seen (also passed to the callback). */
  poll(): Promise<DidChange[]>;
  stop(): void;
}

export function watchDids(
  resolver: SigilResolver,
  dids: readonly string[],
  onChange: (change: DidChange) => void,
  options: { intervalMs?: number; onError?: (error: unknown) => void } = {},
): Watcher {
  const known = new Map<string, { fingerprint: string; owner?: string; deactivated: boolean }>();
  const snapshot = (r: DIDResolutionResult) => ({
    fingerprint: authenticationFingerprint(r),
    owner: (r.didDocumentMetadata as { sigil?: { owner?: string } }).sigil?.owner,
    deactivated: r.didDocumentMetadata.deactivated === true,
  });
  async function poll(): Promise<DidChange[]> {
    const results = await resolver.resolveMany(dids);
    const changes: DidChange[] = [];
    results.forEach((result, i) => {
      if (result.didResolutionMetadata.error) return;
      const now = snapshot(result);
      const was = known.get(dids[i]);
      known.set(dids[i], now);
      if (!was || (was.fingerprint === now.fingerprint && was.owner === now.owner && was.deactivated === now.deactivated)) return;
      const change = { did: dids[i], before: was.fingerprint, after: now.fingerprint, deactivated: now.deactivated, owner: now.owner, result };
      changes.push(change);
      onChange(change);
    });
    return changes;
  }
  let timer: ReturnType<typeof setInterval> | undefined;
  const ready = poll().then(() => {
    if (options.intervalMs) {
      timer = setInterval(() => poll().catch((e) => options.onError?.(e)), options.intervalMs);
      timer.unref?.();
    }
  });
  return { ready, poll, stop: () => timer && clearInterval(timer) };
}

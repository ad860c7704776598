// Watches DIDs and reports every change that matters to a correspondent (keys per verification
// relationship, services, controller, next-key commitment, guardians, pending recoveries,
// deactivation) as a typed list, so an app can warn "Bob's keys changed" as Signal does. Polls
// with the batched read when the resolver has one: one round trip per poll for all watched DIDs
// (one eth_call when nothing changed and the cache is on).
import type { DIDResolutionOptions, DIDResolutionResult } from "did-resolver";
import { diffResolutions, type DidChangeItem } from "../document/changes.ts";
import { authenticationFingerprint } from "./safety.ts";
import { SigilError, type SigilErrorCode } from "../errors.ts";

export interface DidChange {
  did: string;
  /** What changed, in a stable order; never empty. */
  changes: DidChangeItem[];
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

/** A Sigil resolver (`createSigilResolver`, batched) or any did-resolver `Resolver`. */
export type WatchableResolver =
  | { resolveMany(dids: readonly string[], options?: DIDResolutionOptions): Promise<DIDResolutionResult[]> }
  | { resolve(did: string, options?: DIDResolutionOptions): Promise<DIDResolutionResult> };

/** Every DID's current document: one resolveMany when the resolver batches, else one resolve each. */
export function resolveAll(resolver: WatchableResolver, dids: readonly string[]): Promise<DIDResolutionResult[]> {
  if ("resolveMany" in resolver && typeof resolver.resolveMany === "function") return resolver.resolveMany(dids);
  return Promise.all(dids.map((d) => (resolver as { resolve(did: string): Promise<DIDResolutionResult> }).resolve(d)));
}

/** The change a watcher reports for `did`, from its documents before and after (shared with the private watcher). */
export function changeOf(did: string, was: DIDResolutionResult, result: DIDResolutionResult, items: DidChangeItem[]): DidChange {
  return {
    did,
    changes: items,
    before: authenticationFingerprint(was),
    after: authenticationFingerprint(result),
    deactivated: result.didDocumentMetadata.deactivated === true,
    owner: (result.didDocumentMetadata as { sigil?: { owner?: string } }).sigil?.owner,
    result,
  };
}

export function watchDids(
  resolver: WatchableResolver,
  dids: readonly string[],
  onChange: (change: DidChange) => void,
  options: { intervalMs?: number; onError?: (error: unknown) => void } = {},
): Watcher {
  if (options.intervalMs !== undefined && !(Number.isSafeInteger(options.intervalMs) && options.intervalMs >= 100)) {
    throw new SigilError("invalidInput", `intervalMs must be a whole number of milliseconds >= 100, got ${options.intervalMs}`);
  }
  const known = new Map<string, DIDResolutionResult>();
  async function poll(): Promise<DidChange[]> {
    const results = await resolveAll(resolver, dids);
    const changes: DidChange[] = [];
    results.forEach((result, i) => {
      if (result.didResolutionMetadata.error) {
        const code = (result.didResolutionMetadata.error ?? "internalError") as SigilErrorCode;
        options.onError?.(
          new SigilError(code, `${dids[i]}: ${result.didResolutionMetadata.error}: ${result.didResolutionMetadata.message ?? ""}`),
        );
        return;
      }
      const was = known.get(dids[i]);
      known.set(dids[i], result);
      if (!was) return;
      const items = diffResolutions(was, result);
      if (items.length === 0) return;
      const change = changeOf(dids[i], was, result, items);
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

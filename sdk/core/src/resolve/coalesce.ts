// Current-history reads asked in the same turn of the event loop share one read per network:
// an app that calls resolve() once per DID (did-resolver's Resolver does, one call per DID)
// gets the batch resolveMany would send, without calling it. The pending batch lives on the
// client (sigil-client.ts), not in module state.
import type { Address } from "viem";
import { currentHistories } from "./history-cache.ts";
import type { CachedHistory, Histories, NetworkEntry, SigilClient } from "./types.ts";

// After the current turn's promise jobs, so every resolve() started in it has joined.
const nextTurn = (run: () => void) => (typeof setImmediate === "function" ? setImmediate(run) : setTimeout(run, 0));

/** The current history of one identity, read together with the others asked in this turn. */
export function historyOf(client: SigilClient, entry: NetworkEntry, address: Address, noCache: boolean): Promise<CachedHistory> {
  const key = `${client.entries.indexOf(entry)}:${noCache}`;
  let batch = client.pending.get(key);
  if (!batch) {
    const addresses = new Set<Address>();
    const result = new Promise<Histories>((resolve, reject) =>
      nextTurn(() => {
        client.pending.delete(key);
        currentHistories(client, entry, [...addresses], { noCache }).then(resolve, reject);
      }),
    );
    batch = { addresses, result };
    client.pending.set(key, batch);
  }
  batch.addresses.add(address);
  return batch.result.then(({ histories, failures }) => {
    const failure = failures.get(address);
    if (failure) throw failure;
    return histories.get(address)!;
  });
}

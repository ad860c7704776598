// What a private watcher (private-watch.ts) persists between runs, and where: a JSON-safe state
// (hex quantities, no bigint) so that any key-value store holds it as is. The in-memory store is
// the default; `sigil-did/node` adds a file store (watch-file-store.ts).
import type { Address, Hex } from "viem";
import type { StreamLog } from "../read/stream.ts";

/** A block the app trusts, by number and hash: where a private watcher starts reporting. */
export interface WatchCheckpoint {
  /** The block's number. */
  blockNumber: bigint;
  /** Its hash: the watcher refuses a checkpoint whose block the chain does not have. */
  blockHash: Hex;
}

/** A block reached, as stored: hex number, hash, hex Unix time. */
export interface StoredMark {
  /** Block number, 0x hex. */
  blockNumber: Hex;
  /** Block hash: a reorganisation is noticed when the chain's block at that number has another. */
  blockHash: Hex;
  /** Block time, 0x hex Unix seconds: the document is judged as of it (key expiry). */
  timestamp: Hex;
}

export interface PrivateWatchState {
  /** Format of this state; another is refused. */
  version: 1;
  /** The chain followed. */
  chainId: number;
  /** The registry followed, lower case. */
  registry: Address;
  /** The last block read. */
  cursor: StoredMark;
  /** Earlier blocks reached, oldest first: where a reorganisation rolls back to. */
  recent: StoredMark[];
  /** Identities (lower case) whose whole history `logs` holds. */
  watched: Address[];
  /** The registry logs of the watched identities up to the cursor, in chain order, as the node sent them. */
  logs: StreamLog[];
}

/** Where a private watcher keeps its state; `load` answers undefined when it holds none. */
export interface WatchStore {
  /** The state saved last, or undefined when none is. */
  load(): Promise<PrivateWatchState | undefined> | PrivateWatchState | undefined;
  /** Keeps `state` (called after every advance and rollback). */
  save(state: PrivateWatchState): Promise<void> | void;
}

/** A store in memory (a copy per save): a restart of the process starts over from a checkpoint. */
export function memoryWatchStore(initial?: PrivateWatchState): WatchStore {
  let held = initial && structuredClone(initial);
  return {
    load: () => held && structuredClone(held),
    save: (state) => {
      held = structuredClone(state);
    },
  };
}

// Watching without naming (issue 23): follows the registry's whole event stream and keeps, on the
// app's side, the events of the identities it watches, so that the endpoint learns nothing about
// which DIDs those are. watchDids (watch.ts) resolves each watched DID, which names it in the
// eth_call calldata and as an eth_getLogs topic; this watcher sends only:
//   - eth_getLogs { address: registry, fromBlock, toBlock } with no topics (read/stream.ts), and
//     per event type (topic 0) for a block flooded past the node's result cap;
//   - eth_blockNumber, eth_getBlockByNumber (heads, the cursor's hash, reorg rollback points),
//     eth_getCode (the registry exists), eth_chainId.
// Documents are rebuilt locally from the watched identities' events with the resolver's own code
// (buildResult over the whole history, as a past version is built), so the watcher never asks the
// normal resolver about a watched DID, and never asks for a storage proof (eth_getProof names the
// identity's slots). Residual leak, stated: the endpoint sees the client's address and timing, the
// registry it follows and the block ranges (its polling rhythm), which say that it watches someone
// on this registry, not whom; a first start reads the stream from the registry's deployment block
// (network.fromBlock) to the checkpoint so that every watched identity's history is whole, and adding
// a contact later repeats that read for the new one: slow on an old registry, but still unnamed.
//
// Resumes: the state (cursor, a few earlier blocks reached, the watched identities' logs) goes to
// `store` after every advance; a restart continues from the stored cursor and reports what changed
// while stopped, once. Reorgs: every poll first checks that the cursor's block is still canonical;
// when it is not, the watcher rolls back to the newest remembered block that is, drops the logs of
// orphaned blocks and reads again, so an event that vanished is retracted (reported as the change
// back). `confirmations` (default 2) keeps the watcher that many blocks behind the head: most
// reorganisations are one or two blocks deep, so changes shown and then retracted stay rare, at the
// cost of two block times of delay; a deeper one is still handled by the rollback.
import type { DIDResolutionResult } from "did-resolver";
import { toHex, type Address, type Client, type Hex } from "viem";
import { parseDid } from "../did/did.ts";
import { diffResolutions } from "../document/changes.ts";
import { blockTimeOf, buildResult } from "../document/resolution-result.ts";
import { InvalidInputError, SigilError } from "../errors.ts";
import { decodeRegistryLogs } from "../read/events.ts";
import { chainIdHex, networkReadClient, type SigilNetwork } from "../read/networks.ts";
import { identityTopic } from "../read/span-logs.ts";
import { blockAt, headNumber, readStream, type BlockMark, type StreamLog } from "../read/stream.ts";
import type { NetworkEntry } from "../resolve/types.ts";
import { changeOf, type DidChange, type Watcher } from "./watch.ts";
import { memoryWatchStore, type PrivateWatchState, type StoredMark, type WatchCheckpoint, type WatchStore } from "./watch-store.ts";

export { memoryWatchStore, type PrivateWatchState, type StoredMark, type WatchCheckpoint, type WatchStore } from "./watch-store.ts";

/** Options of watchDidsPrivately. */
export interface PrivateWatchOptions {
  /** A block the app trusts (number and hash) at which it knows its contacts' documents: changes
   * after it are reported. Needed when the store holds no state; ignored when it does. */
  checkpoint?: WatchCheckpoint;
  /** Where the cursor and the watched identities' logs persist across restarts. Default: memory. */
  store?: WatchStore;
  /** Blocks to stay behind the head. Default 2 (see the module's header). */
  confirmations?: number;
  /** Poll every this many ms (>= 100); without it, the app calls poll(). */
  intervalMs?: number;
  /** Called with what failed in a timed poll (a SigilError or the transport's error); the next poll tries again. */
  onError?: (error: unknown) => void;
  /** Called when a reorganisation rolled the watcher back: the block it returned to, the block it
   * had reached, and how many watched events were retracted (read again if still canonical). */
  onReorg?: (reorg: { commonBlock: bigint; orphanedFrom: bigint; retracted: number }) => void;
}

/** A running private watcher: watchDids' Watcher, with its cursor and the documents it rebuilt. */
export interface PrivateWatcher extends Watcher {
  /** The last block read (undefined before the first start finished). */
  cursor(): WatchCheckpoint | undefined;
  /** The documents as last rebuilt, by DID as given. */
  documents(): ReadonlyMap<string, DIDResolutionResult>;
  /** Whether `did` (a watched DID, as given or in any form naming the same identity) changed after
   * `block`: true when the watcher read the stream past `block` and saw no change of it, false
   * when it saw one, undefined when it cannot say (not watched, or its cursor is behind `block`).
   * What a carried identity proof's check asks (verifyMessage's `carried.noChangeSince`). */
  noChangeSince(did: string, block: bigint): boolean | undefined;
}

/** Blocks reached that a reorg can roll back to. */
const REMEMBERED = 64;
const DEFAULT_CONFIRMATIONS = 2;

type Watched = { did: string; address: Address; isDefault: boolean };

/**
 * Watches `dids` on `network` without naming them to the endpoint, and calls `onChange` with each
 * change after the checkpoint (the same DidChange as watchDids). `ready` resolves once the history
 * up to the checkpoint (first start) or the stored cursor (restart) is read; it rejects with a
 * SigilError for a checkpoint the chain does not have, no registry, or a store of another registry.
 */
export function watchDidsPrivately(
  network: SigilNetwork,
  dids: readonly string[],
  onChange: (change: DidChange) => void,
  options: PrivateWatchOptions = {},
): PrivateWatcher {
  const watched = checkInput(network, dids, options);
  const confirmations = BigInt(options.confirmations ?? DEFAULT_CONFIRMATIONS);
  const store = options.store ?? memoryWatchStore();
  const client = networkReadClient(network);
  const entry: NetworkEntry = { network, client, endpoints: [] };
  const topics = new Map(watched.map((w) => [identityTopic(w.address), w.address]));
  const known = new Map<string, DIDResolutionResult>();
  let state: PrivateWatchState | undefined;

  const rebuild = (s: PrivateWatchState) => {
    const changes: DidChange[] = [];
    for (const w of watched) {
      const result = documentOf(entry, w, s);
      const was = known.get(w.did);
      known.set(w.did, result);
      const items = was ? diffResolutions(was, result) : [];
      if (was && items.length > 0) changes.push(changeOf(w.did, was, result, items));
    }
    return changes;
  };
  const start = async () => {
    state = await openState(client, network, store, watched, options.checkpoint, topics);
    await rewind(client, state, options.onReorg);
    rebuild(state);
    await store.save(state);
  };
  const step = async (): Promise<DidChange[]> => {
    const s = state as PrivateWatchState;
    const rolled = await rewind(client, s, options.onReorg);
    const advanced = await advance(client, network.registry, s, confirmations, topics);
    if (!rolled && !advanced) return [];
    const changes = rebuild(s);
    await store.save(s);
    changes.forEach((c) => onChange(c));
    return changes;
  };
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const run = queue.then(f, f);
    queue = run.catch(() => undefined);
    return run;
  };
  let timer: ReturnType<typeof setInterval> | undefined;
  let stopped = false;
  const ready = serial(start).then(() => {
    if (options.intervalMs && !stopped) {
      timer = setInterval(() => serial(step).catch((e) => options.onError?.(e)), options.intervalMs);
      timer.unref?.();
    }
  });
  return {
    ready,
    poll: () => ready.then(() => serial(step)),
    stop: () => {
      stopped = true;
      if (timer) clearInterval(timer);
    },
    cursor: () => state && { blockNumber: BigInt(state.cursor.blockNumber), blockHash: state.cursor.blockHash },
    documents: () => new Map(known),
    noChangeSince: (did, block) => {
      let address: string;
      try {
        address = parseDid(did).address.toLowerCase();
      } catch {
        return undefined;
      }
      const w = watched.find((x) => x.address.toLowerCase() === address);
      if (!state || !w || BigInt(state.cursor.blockNumber) < block) return undefined;
      const topic = identityTopic(w.address);
      return !state.logs.some((l) => l.topics[1] === topic && BigInt(l.blockNumber) > block);
    },
  };
}

/** The watched DIDs, each on `network`; bad options are refused before anything is sent. */
function checkInput(network: SigilNetwork, dids: readonly string[], options: PrivateWatchOptions): Watched[] {
  if (!Array.isArray(dids) || dids.length === 0) {
    throw new InvalidInputError({ what: "DID list", value: String(dids), expected: "a non-empty array of did:sigil DIDs to watch" });
  }
  const c = options.confirmations;
  if (c !== undefined && !(Number.isSafeInteger(c) && c >= 0 && c < REMEMBERED)) {
    throw new InvalidInputError({
      what: "confirmations",
      value: String(c),
      expected: `a whole number of blocks from 0 to ${REMEMBERED - 1}`,
    });
  }
  if (options.intervalMs !== undefined && !(Number.isSafeInteger(options.intervalMs) && options.intervalMs >= 100)) {
    throw new SigilError("invalidInput", `intervalMs must be a whole number of milliseconds >= 100, got ${options.intervalMs}`);
  }
  const cp = options.checkpoint;
  if (
    cp !== undefined &&
    !(typeof cp.blockNumber === "bigint" && cp.blockNumber >= 0n && /^0x[0-9a-fA-F]{64}$/.test(String(cp.blockHash)))
  ) {
    throw new InvalidInputError({
      what: "checkpoint",
      value: JSON.stringify(cp, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) ?? String(cp),
      expected: "{ blockNumber: bigint >= 0, blockHash: a 32-byte 0x hex hash } of a block the app trusts",
    });
  }
  return dids.map((did) => {
    const parsed = parseDid(did);
    const ref = parsed.network;
    if (ref !== undefined && ref !== network.name && ref !== chainIdHex(network.chainId)) {
      throw new InvalidInputError({
        what: "DID network",
        value: did,
        expected: `a DID on the watched network (${network.name ?? chainIdHex(network.chainId)}); watch other networks with their own watcher`,
      });
    }
    return { did, address: parsed.address, isDefault: ref === undefined };
  });
}

const mark = (b: BlockMark): StoredMark => ({ blockNumber: toHex(b.blockNumber), blockHash: b.blockHash, timestamp: toHex(b.timestamp) });

/** The stored state, checked against this network, or a new one read up to the checkpoint; the
 * history of watched identities the stored state lacks (a contact added since) is read too. */
async function openState(
  client: Client,
  network: SigilNetwork,
  store: WatchStore,
  watched: readonly Watched[],
  checkpoint: WatchCheckpoint | undefined,
  topics: ReadonlyMap<Hex, Address>,
): Promise<PrivateWatchState> {
  await checkChain(client, network);
  const registry = network.registry.toLowerCase() as Address;
  let state = await store.load();
  if (state && (state.chainId !== network.chainId || state.registry !== registry)) {
    throw new InvalidInputError({
      what: "watch store",
      value: `chain ${state.chainId}, registry ${state.registry}`,
      expected: `the state of chain ${network.chainId}, registry ${registry}: give each registry its own store, or clear it`,
    });
  }
  if (!state) {
    if (!checkpoint) {
      throw new SigilError("invalidInput", "a checkpoint is needed to start watching", {
        details:
          "the store holds no cursor: give { blockNumber, blockHash } of a block the app trusts, at which it knows its contacts' documents",
      });
    }
    const at = await blockAt(client, checkpoint.blockNumber);
    if (!at || at.blockHash.toLowerCase() !== checkpoint.blockHash.toLowerCase()) {
      const head = await headNumber(client);
      throw new SigilError("invalidInput", `checkpoint block ${checkpoint.blockNumber} is not on this chain`, {
        details: at
          ? `the endpoint's block ${checkpoint.blockNumber} is ${at.blockHash}, not ${checkpoint.blockHash}: the checkpoint names another chain's block or an orphaned one; take a checkpoint from this chain`
          : `the endpoint's head is block ${head}: the checkpoint is from another (longer) chain, or the endpoint is behind; take a checkpoint from this chain`,
      });
    }
    state = { version: 1, chainId: network.chainId, registry, cursor: mark(at), recent: [], watched: [], logs: [] };
  }
  const missing = [...topics].filter(([, a]) => !state.watched.includes(a));
  if (missing.length > 0) {
    // The whole stream up to the cursor, kept only for the new identities: their history, unnamed.
    const wanted = new Set(missing.map(([t]) => t));
    const logs = await readStream(client, registry, network.fromBlock ?? 0n, BigInt(state.cursor.blockNumber), (l) =>
      wanted.has(l.topics[1]),
    );
    state.logs = sortLogs([...state.logs, ...logs]);
    state.watched = [...state.watched, ...missing.map(([, a]) => a)];
  }
  return state;
}

/** The endpoint serves this network's chain and the registry has code there. */
async function checkChain(client: Client, network: SigilNetwork): Promise<void> {
  const chainId = Number((await client.request({ method: "eth_chainId" } as never)) as Hex);
  if (chainId !== network.chainId) {
    throw new SigilError("invalidInput", `the endpoint serves chain ${chainId}, not ${network.chainId}`, {
      details: "check the network's chain id and RPC URLs",
    });
  }
  const code = (await client.request({ method: "eth_getCode", params: [network.registry, "latest"] } as never)) as Hex;
  if (!code || code === "0x") {
    throw new SigilError("notFound", `no registry at ${network.registry} on chain ${chainId}`, {
      details: "the address holds no contract: check the network's registry address (deployments/<network>.json), or deploy it",
      hint: "check the registry address",
    });
  }
}

const sortLogs = (logs: StreamLog[]) =>
  logs.sort((a, b) => {
    const [x, y] = [BigInt(a.blockNumber), BigInt(b.blockNumber)];
    return x === y ? Number(BigInt(a.logIndex) - BigInt(b.logIndex)) : x < y ? -1 : 1;
  });

/** Rolls the state back to the newest remembered block still canonical when the cursor's block
 * is not; true when it did. */
async function rewind(client: Client, state: PrivateWatchState, onReorg: PrivateWatchOptions["onReorg"]): Promise<boolean> {
  const current = await blockAt(client, BigInt(state.cursor.blockNumber));
  if (current?.blockHash === state.cursor.blockHash) return false;
  const orphanedFrom = BigInt(state.cursor.blockNumber);
  for (let i = state.recent.length - 1; i >= 0; i--) {
    const back = state.recent[i];
    const canonical = await blockAt(client, BigInt(back.blockNumber));
    if (canonical?.blockHash !== back.blockHash) continue;
    const kept = state.logs.filter((l) => BigInt(l.blockNumber) <= BigInt(back.blockNumber));
    const retracted = state.logs.length - kept.length;
    Object.assign(state, { cursor: back, recent: state.recent.slice(0, i), logs: kept });
    onReorg?.({ commonBlock: BigInt(back.blockNumber), orphanedFrom, retracted });
    return true;
  }
  throw new SigilError(
    "internalError",
    `block ${orphanedFrom} the watcher reached is no longer on the chain, nor any of the ${state.recent.length} before it it remembers`,
    {
      details:
        "the chain was reorganised deeper than this watcher can roll back (or the endpoint serves another chain): start again from an older checkpoint with an empty store",
      hint: "start again from an older checkpoint",
    },
  );
}

/** Reads the stream from the cursor to `confirmations` behind the head and keeps the watched
 * identities' logs; false when there was nothing new (or the chain moved under the read). */
async function advance(
  client: Client,
  registry: Address,
  state: PrivateWatchState,
  confirmations: bigint,
  topics: ReadonlyMap<Hex, Address>,
): Promise<boolean> {
  const target = (await headNumber(client)) - confirmations;
  const from = BigInt(state.cursor.blockNumber) + 1n;
  if (target < from) return false;
  const end = await blockAt(client, target);
  if (!end) return false;
  // Kept: the watched identities' logs, and the target block's (to check its hash below).
  const logs = await readStream(client, registry, from, target, (l) => topics.has(l.topics[1]) || BigInt(l.blockNumber) === target);
  // The header was read first: a log of that block from another fork means the chain moved
  // between the calls; the next poll reads again (rewind() catches it if the header was orphaned).
  if (logs.some((l) => BigInt(l.blockNumber) === target && l.blockHash !== end.blockHash)) return false;
  state.logs.push(...logs.filter((l) => topics.has(l.topics[1])));
  state.recent = [...state.recent, state.cursor].slice(-REMEMBERED);
  state.cursor = mark(end);
  return true;
}

/** One watched identity's document at the cursor, rebuilt from its logs alone (no request). */
function documentOf(entry: NetworkEntry, w: Watched, state: PrivateWatchState): DIDResolutionResult {
  const topic = identityTopic(w.address);
  const events = decodeRegistryLogs(state.logs.filter((l) => l.topics[1] === topic));
  const at = { blockNumber: BigInt(state.cursor.blockNumber), timestamp: BigInt(state.cursor.timestamp) };
  return buildResult({
    entry,
    did: w.did,
    address: w.address,
    events,
    at,
    head: { blockNumber: at.blockNumber },
    historical: true,
    accept: "application/did+ld+json",
    blockTime: blockTimeOf(events),
    isDefaultNetwork: w.isDefault,
  });
}

// The resolver's actions: one DID (current or past version) and many current DIDs in one batch
// per network, each with its resolution options checked first and the document-shaping ones
// (publicKeyFormat) applied to the result (resolution-options.ts). Failures become DID
// Resolution error results; nothing here throws to the caller.
import type { DIDResolutionOptions, DIDResolutionResult } from "did-resolver";
import { hexToBigInt, toHex, type Address, type Hex } from "viem";
import { readHistory } from "./chain-read.ts";
import { parseDid } from "../did/did.ts";
import type { DocumentPoint } from "../document/document.ts";
import {
  FeatureNotSupportedError,
  InconsistentAnswerError,
  InvalidResolutionOptionError,
  RepresentationNotSupportedError,
} from "../errors.ts";
import type { RegistryEvent } from "../read/events.ts";
import { historyOf } from "./coalesce.ts";
import { currentHistories } from "./history-cache.ts";
import { blockTimeOf, buildResult, CONTENT_TYPES, currentResult, errorResult } from "../document/resolution-result.ts";
import { findNetwork } from "./sigil-client.ts";
import type { NetworkEntry, SigilClient } from "./types.ts";
import { readQuery } from "../document/version-query.ts";
import {
  MANY_OPTIONS,
  readResolutionOptions,
  shapeResult,
  type ReadOptions,
  type SigilResolutionOptions,
} from "../document/resolution-options.ts";

function acceptOf(options: DIDResolutionOptions): string {
  const accept = options.accept ?? "application/did+ld+json";
  if (!CONTENT_TYPES.includes(accept)) throw new RepresentationNotSupportedError({ accept, supported: CONTENT_TYPES });
  return accept;
}

/** Resolves one DID (or DID URL with versionId/versionTime) with every option checked first
 * (invalid DID, then unsupported options, then invalid values) and applied; never throws. */
export async function resolveDid(
  client: SigilClient,
  did: string,
  options?: SigilResolutionOptions | DIDResolutionOptions,
): Promise<DIDResolutionResult> {
  let read: ReadOptions;
  try {
    parseDid(did);
    read = readResolutionOptions(options);
  } catch (error) {
    return errorResult(error);
  }
  return shapeResult(await resolveChecked(client, did, read.forward), read);
}

/** Resolves many current documents in one batch per network, results in input order, with the
 * options checked once (every DID gets the same answer to a bad option); never throws. */
export async function resolveDids(
  client: SigilClient,
  dids: readonly string[],
  options?: SigilResolutionOptions | DIDResolutionOptions,
): Promise<DIDResolutionResult[]> {
  let read: ReadOptions;
  try {
    read = readResolutionOptions(options, MANY_OPTIONS);
  } catch (error) {
    return dids.map(() => errorResult(error));
  }
  return (await resolveManyChecked(client, dids, read.forward)).map((r) => shapeResult(r, read));
}

/** One DID, its options already checked (`forward`, what the read itself uses). */
async function resolveChecked(client: SigilClient, did: string, options: DIDResolutionOptions): Promise<DIDResolutionResult> {
  try {
    const accept = acceptOf(options);
    const parsed = parseDid(did);
    const entry = findNetwork(client, parsed);
    const query = readQuery(parsed, options);
    const address = parsed.address;
    const doc = { did: parsed.input, isDefaultNetwork: entry === client.defaultEntry };
    const noCache = (options as { noCache?: unknown }).noCache === true;
    if (query.versionId === undefined && query.versionTime === undefined) {
      return currentResult(entry, doc.did, address, await historyOf(client, entry, address, noCache), accept, doc.isDefaultNetwork);
    }
    if (entry.network.verify) return await verifiedAtTime(client, entry, doc, address, query, accept, noCache);
    return await resolveVersion(client, entry, doc, address, query, accept, noCache);
  } catch (error) {
    return errorResult(error);
  }
}

type DocTarget = { did: string; isDefaultNetwork: boolean };

/** With verify, only the current document is proven: it answers a versionTime at or after its
 * last change (what verifyMessage asks: the document as of a message's time), judged at the
 * trusted header; an earlier time or a versionId is not verifiable and is refused. */
async function verifiedAtTime(
  client: SigilClient,
  entry: NetworkEntry,
  doc: DocTarget,
  address: Address,
  query: { versionId?: bigint; versionTime?: bigint },
  accept: string,
  noCache: boolean,
) {
  const h = await historyOf(client, entry, address, noCache);
  const lastChange = h.state.changed === 0n ? 0n : h.events.at(-1)?.blockTimestamp;
  if (query.versionId === undefined && query.versionTime !== undefined && lastChange !== undefined && query.versionTime >= lastChange)
    return currentResult(entry, doc.did, address, h, accept, doc.isDefaultNetwork);
  throw new FeatureNotSupportedError({
    feature: "past versions with verify",
    details:
      "verified resolution proves the current document, which answers a versionTime at or after its last change; " +
      "an earlier one, or a versionId, is the endpoint's word: resolve it without verify",
  });
}

async function resolveVersion(
  client: SigilClient,
  entry: NetworkEntry,
  doc: DocTarget,
  address: Address,
  query: { versionId?: bigint; versionTime?: bigint },
  accept: string,
  noCache: boolean,
) {
  if (query.versionTime !== undefined) return resolveAtTime(client, entry, doc, address, query.versionTime, accept, noCache);
  const versionId = query.versionId as bigint;
  const { snapshot, headers } = await readHistory(entry, [address], { blocks: [versionId], scope: "full" });
  const failure = snapshot.failures.get(address);
  if (failure) throw failure;
  const events = snapshot.events.get(address) ?? [];
  await fillTimestamps(entry, events, headers);
  const header = headers.get(versionId);
  if (!header || versionId > snapshot.blockNumber) {
    throw new InvalidResolutionOptionError({
      option: "versionId",
      value: versionId.toString(),
      expected: `a block number no later than the chain head (${snapshot.blockNumber})`,
    });
  }
  const at = { blockNumber: versionId, timestamp: header.timestamp };
  const head = { blockNumber: snapshot.blockNumber };
  return buildResult({ entry, ...doc, address, events, at, head, historical: true, accept, blockTime: blockTimeOf(events, headers) });
}

/**
 * The document as of a time, from the identity's current history (through the cache: a
 * verifier judging many messages as of their receipt reads the chain once): events from blocks
 * at or before `t` apply, and validity is judged at `t`; a time after the head is judged against
 * the head's events. A time before the last purge needs the history before it: read whole.
 */
async function resolveAtTime(
  client: SigilClient,
  entry: NetworkEntry,
  doc: DocTarget,
  address: Address,
  t: bigint,
  accept: string,
  noCache: boolean,
) {
  let history = await historyOf(client, entry, address, noCache);
  let events = history.events.map((e) => ({ ...e }));
  await fillTimestamps(entry, events, new Map());
  const whole = history.from <= history.state.firstChange || history.state.firstChange === 0n;
  // The first event of the span the history covers: guardian and recovery events from before the
  // last purge ride along with it, and a time after them may still be before the purge.
  const start = events.find((e) => e.blockNumber >= history.from);
  if (!whole && (start?.blockTimestamp === undefined || t < start.blockTimestamp)) {
    const { snapshot } = await readHistory(entry, [address], { scope: "full" });
    const failure = snapshot.failures.get(address);
    if (failure) throw failure;
    history = { ...history, events: snapshot.events.get(address) ?? [], from: snapshot.from.get(address) ?? 0n };
    events = history.events.map((e) => ({ ...e }));
    await fillTimestamps(entry, events, new Map());
  }
  let blockNumber = history.blockNumber;
  if (t < history.timestamp) {
    const after = events.find((e) => (e.blockTimestamp ?? 0n) > t);
    if (after) blockNumber = after.blockNumber - 1n;
  }
  const at: DocumentPoint = { blockNumber, timestamp: t };
  const head = { blockNumber: history.blockNumber };
  const firstChange = history.state.firstChange;
  return buildResult({
    entry,
    ...doc,
    address,
    events,
    at,
    head,
    historical: true,
    accept,
    blockTime: blockTimeOf(events, timesOf(history)),
    firstChange,
  });
}

const timesOf = (history: { blockTimes: Map<bigint, bigint> }) => new Map([...history.blockTimes].map(([n, t]) => [n, { timestamp: t }]));

/** Nodes that omit `blockTimestamp` from logs: fetch the few headers needed, in one batch. */
async function fillTimestamps(entry: NetworkEntry, events: RegistryEvent[], headers: Map<bigint, { timestamp: bigint }>) {
  const missing = [...new Set(events.filter((e) => e.blockTimestamp === undefined).map((e) => e.blockNumber))];
  if (missing.length === 0) return;
  const blocks = await Promise.all(
    missing.map(
      (b) =>
        entry.client.request({ method: "eth_getBlockByNumber", params: [toHex(b), false] }) as Promise<{
          number: Hex;
          timestamp: Hex;
        } | null>,
    ),
  );
  // Every block here holds one of the identity's events: a node without its header, or answering
  // another block's, is refused (a missing time would apply the event at any versionTime).
  blocks.forEach((b, i) => {
    if (b === null || hexToBigInt(b.number) !== missing[i]) {
      throw new InconsistentAnswerError(
        "header",
        `it answered the header of block ${missing[i]}, where the identity changed, with ${b === null ? "nothing" : `block ${hexToBigInt(b.number)}'s`}`,
      );
    }
  });
  const times = new Map(blocks.map((b) => [hexToBigInt(b!.number), hexToBigInt(b!.timestamp)]));
  for (const e of events) if (e.blockTimestamp === undefined) e.blockTimestamp = times.get(e.blockNumber);
  for (const [n, t] of times) headers.set(n, { timestamp: t });
}

/** Many current DIDs, their options already checked. */
async function resolveManyChecked(
  client: SigilClient,
  dids: readonly string[],
  options: DIDResolutionOptions,
): Promise<DIDResolutionResult[]> {
  const results: DIDResolutionResult[] = new Array(dids.length);
  const groups = new Map<NetworkEntry, { index: number; address: Address; did: string }[]>();
  dids.forEach((did, index) => {
    try {
      acceptOf(options);
      const parsed = parseDid(did);
      const query = readQuery(parsed, {});
      if (query.versionId !== undefined || query.versionTime !== undefined) {
        throw new InvalidResolutionOptionError({
          option: query.versionId !== undefined ? "versionId" : "versionTime",
          value: parsed.query ?? "",
          expected: "no version in resolveMany, which reads current documents; resolve past versions one by one",
        });
      }
      const entry = findNetwork(client, parsed);
      const list = groups.get(entry) ?? [];
      list.push({ index, address: parsed.address, did: parsed.input });
      groups.set(entry, list);
    } catch (error) {
      results[index] = errorResult(error);
    }
  });
  const accept = options.accept ?? "application/did+ld+json";
  await Promise.all(
    [...groups].map(async ([entry, items]) => {
      try {
        const noCache = (options as { noCache?: unknown }).noCache === true;
        const { histories, failures } = await currentHistories(client, entry, [...new Set(items.map((i) => i.address))], { noCache });
        const isDefault = entry === client.defaultEntry;
        for (const { index, address, did } of items) {
          const failure = failures.get(address);
          results[index] = failure ? errorResult(failure) : currentResult(entry, did, address, histories.get(address)!, accept, isDefault);
        }
      } catch (error) {
        for (const { index } of items) results[index] = errorResult(error);
      }
    }),
  );
  return results;
}

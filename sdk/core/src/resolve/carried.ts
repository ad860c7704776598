// Identity proofs carried with messages (issue 23), the checking side: a recipient verifies the
// sender's document from the proof the message carried, with no network request, when its own
// trusted headers (a header store a watcher keeps fresh) confirm the proof's header, and the proof
// is fresh enough. The document is rebuilt by the same verified read a direct verified resolution
// runs (read/verified.ts: EIP-1186 proofs from the header's stateRoot, the logs against the proven
// event-chain head), answered from the proof instead of an endpoint: nothing here re-implements a
// proof check, and a proof that leaves out an answer the read needs fails it.
//
// Why freshness matters (an attacker's view): a proof is true of ITS block. A thief who stole a key
// keeps the proof from before the owner's rotation, which still lists the stolen key, and every
// header in it stays genuine forever. So a carried proof is accepted only when (a) the app's trusted
// headers hold the same hash at its block, and (b) it is recent: its block time at most
// `maxAge.seconds` before the judgement time (and, judging as of now, its block at most
// `maxAge.blocks` behind the newest trusted header), or the app's watcher vouches that nothing
// changed for that identity since its block (`noChangeSince`); a change the watcher saw since
// refuses it whatever its age. Otherwise the caller falls back to a lookup (a private lookup when
// configured).
import type { DIDResolutionResult } from "did-resolver";
import { bytesToHex, custom, getAddress, hexToBytes, numberToHex, type Address, type Hex } from "viem";
import { parseDid } from "../did/did.ts";
import { ProofError, SigilError } from "../errors.ts";
import { checkedHeader, headerFromRlp, headerRlp } from "../read/header.ts";
import type { SigilNetwork } from "../read/networks.ts";
import { decodeIdentityProof, encodeIdentityProof, IdentityProofFormatError, type IdentityProof } from "./identity-proof.ts";
import { proveResolution, type ResolutionMaterial } from "./proven.ts";
import { createSigilResolver } from "./resolver.ts";
import { createSigilClient, findNetwork } from "./sigil-client.ts";
import type { SigilResolverConfig } from "./types.ts";

/** Block headers the app trusts, from its own source (a light client, a quorum it asked, a
 * watcher that follows the chain): asked only locally, never over the network by this SDK. */
export interface TrustedHeaderSource {
  /** The hash the app trusts at block `number` of `chainId`, or undefined when it holds none. */
  hashAt(chainId: number, number: bigint): Hex | undefined | Promise<Hex | undefined>;
  /** The newest header the app trusts on `chainId` (number and block time, unix seconds). */
  newest(chainId: number): { number: bigint; timestamp: bigint } | undefined | Promise<{ number: bigint; timestamp: bigint } | undefined>;
}

/** A TrustedHeaderSource in memory: a watcher (or the app's quorum reads) `add`s the headers it
 * trusts; the oldest are forgotten beyond `keep` per chain (default 100,000: a few days of blocks
 * on fast chains; old messages need the header their proof was made at, so keep what you store). */
export function createTrustedHeaderStore(options: { keep?: number } = {}): TrustedHeaderSource & {
  add(chainId: number, header: { number: bigint; hash: Hex; timestamp: bigint }): void;
} {
  const keep = options.keep ?? 100_000;
  const chains = new Map<number, Map<bigint, { hash: Hex; timestamp: bigint }>>();
  const newest = new Map<number, { number: bigint; timestamp: bigint }>();
  return {
    add(chainId, { number, hash, timestamp }) {
      if (!/^0x[0-9a-f]{64}$/i.test(hash)) throw new SigilError("invalidInput", `invalid trusted header hash ${String(hash).slice(0, 80)}`);
      let headers = chains.get(chainId);
      if (!headers) chains.set(chainId, (headers = new Map()));
      headers.set(number, { hash: hash.toLowerCase() as Hex, timestamp });
      if (headers.size > keep) headers.delete(headers.keys().next().value!);
      const top = newest.get(chainId);
      if (!top || number > top.number) newest.set(chainId, { number, timestamp });
    },
    hashAt: (chainId, number) => chains.get(chainId)?.get(number)?.hash,
    newest: (chainId) => newest.get(chainId),
  };
}

/** How recent a carried proof must be. Default: 600 seconds before the judgement time. */
export interface ProofMaxAge {
  /** Most seconds between the proof's block time and the judgement time. */
  seconds?: number;
  /** Most blocks behind the newest trusted header, when judging as of now (an older judgement
   * time has no newer header to count from: `seconds` alone applies). */
  blocks?: number;
}

export const DEFAULT_PROOF_MAX_AGE_SECONDS = 600;

export interface CarriedProofOptions {
  /** The app's own networks: a proof's chain id and registry must be one of these (a proof from
   * another deployment of the registry proves nothing about this one). */
  networks: readonly SigilNetwork[];
  trustedHeaders: TrustedHeaderSource;
  maxAge?: ProofMaxAge;
  /** The app's watcher (a private watcher's `noChangeSince`): true when it followed the registry
   * from `block` to its cursor and saw no change of `did` (lets an older proof stand); false when it
   * saw one (the proof is out of date, whatever its age: refused); undefined when it cannot say. */
  noChangeSince?(did: string, block: bigint): boolean | undefined | Promise<boolean | undefined>;
}

/** Why a carried proof was not used: the caller falls back to a lookup, and shows this. */
export type ProofRefusal = "format" | "subject" | "network" | "header" | "stale" | "proof";

export type CarriedVerification =
  | {
      accepted: true;
      result: DIDResolutionResult;
      blockNumber: bigint;
      blockHash: Hex;
      blockTime: bigint;
      /** Why it was fresh enough: its age, or the watcher saw no change since its block. */
      freshBy: "age" | "noChangeSince";
    }
  | { accepted: false; refusal: ProofRefusal; reason: string };

/** The proof of `did` in `material` (proveResolution's, or a service's GET /1.0/proofs answer),
 * cut down to what the verified read needs. Throws IdentityProofFormatError when the material
 * lacks the header or a log's block time. */
export function identityProofFromMaterial(
  network: { chainId: number; registry: Address },
  did: string,
  material: ResolutionMaterial,
): IdentityProof {
  const hash = material.header.hash.toLowerCase();
  const blocks = material.calls.filter((c) => /^eth_getBlockBy(Hash|Number)$/.test(c.method) && c.result);
  const header = blocks.find((c) => String((c.result as { hash?: unknown }).hash).toLowerCase() === hash)?.result;
  if (!header) throw new IdentityProofFormatError(`the material has no header for block ${material.header.hash}`);
  const times = new Map(
    blocks.map((c) => {
      const b = c.result as { number: Hex; timestamp: Hex };
      return [BigInt(b.number), BigInt(b.timestamp)];
    }),
  );
  const proof: IdentityProof = {
    version: 1,
    chainId: network.chainId,
    registry: getAddress(network.registry),
    identity: getAddress(parseDid(did).address),
    header: bytesToHex(headerRlp(header)),
    nodes: [],
    accounts: [],
    logs: [],
  };
  const index = new Map<string, number>();
  const ref = (node: Hex) => {
    const key = node.toLowerCase();
    if (!index.has(key)) index.set(key, proof.nodes.push(key as Hex) - 1);
    return index.get(key)!;
  };
  for (const call of material.calls) {
    if (call.method === "eth_getProof") addAccount(proof, call.result as GetProofAnswer, ref);
    if (call.method !== "eth_getLogs") continue;
    for (const log of call.result as { blockNumber: Hex; logIndex: Hex; blockTimestamp?: Hex; topics: Hex[]; data: Hex }[]) {
      const blockNumber = BigInt(log.blockNumber);
      const blockTimestamp = log.blockTimestamp != null ? BigInt(log.blockTimestamp) : times.get(blockNumber);
      if (blockTimestamp === undefined) throw new IdentityProofFormatError(`the material has no time for block ${blockNumber}`);
      proof.logs.push({ blockNumber, logIndex: Number(log.logIndex), blockTimestamp, topics: log.topics, data: log.data });
    }
  }
  return proof;
}

type GetProofAnswer = {
  address: Address;
  nonce: Hex;
  balance: Hex;
  codeHash: Hex;
  storageHash: Hex;
  accountProof: Hex[];
  storageProof: { key: Hex; value: Hex; proof: Hex[] }[];
};

function addAccount(proof: IdentityProof, answer: GetProofAnswer, ref: (node: Hex) => number) {
  const address = getAddress(answer.address);
  let account = proof.accounts.find((a) => a.address === address);
  if (!account) {
    account = {
      address,
      nonce: BigInt(answer.nonce),
      balance: BigInt(answer.balance),
      codeHash: answer.codeHash,
      storageHash: answer.storageHash,
      proof: answer.accountProof.map(ref),
      storage: [],
    };
    proof.accounts.push(account);
  }
  for (const s of answer.storageProof)
    account.storage.push({ key: numberToHex(BigInt(s.key), { size: 32 }), value: BigInt(s.value), proof: s.proof.map(ref) });
}

/** The sender's side: proves `did`'s current document (proveResolution, against the node's header
 * two blocks back) and returns it encoded for carrying with messages (signMessage's `proof`).
 * Throws the resolution's error when the document cannot be proven. Refresh it more often than
 * the recipients' maxAge (default 10 minutes). */
export async function proveIdentity(config: SigilResolverConfig, did: string): Promise<string> {
  const { result, material } = await proveResolution(config, did);
  if (!material) {
    const m = result.didResolutionMetadata as { error?: string; message?: string };
    throw new SigilError("internalError", `could not prove ${did.slice(0, 120)}`, { details: `${m.error}: ${m.message ?? ""}` });
  }
  const entry = findNetwork(createSigilClient({ ...config, cache: false }), parseDid(did));
  return encodeIdentityProof(identityProofFromMaterial(entry.network, did, material));
}

type LogFilter = {
  address?: string | string[];
  topics?: (string | string[] | null)[];
  fromBlock?: string;
  toBlock?: string;
  blockHash?: string;
};

/** A JSON-RPC transport answered from the proof alone: the verified read asks it what it would ask
 * an endpoint, and gets the proof's header, account proofs and logs in the shapes endpoints use.
 * A question the proof cannot answer fails the read, naming what was missing. */
function proofTransport(proof: IdentityProof, block: Record<string, Hex>) {
  const number = BigInt(block.number);
  const missing = (what: string) =>
    new ProofError("header", `the carried proof has no ${what}`, { hint: "ask the sender for a fresh proof, or verify by a lookup" });
  const nodes = (refs: readonly number[]) => refs.map((i) => proof.nodes[i]);
  const answer = (method: string, params: unknown[]): unknown => {
    switch (method) {
      case "eth_chainId":
        return numberToHex(proof.chainId);
      case "eth_blockNumber":
        return block.number;
      case "eth_getBlockByHash":
        if (String(params[0]).toLowerCase() !== block.hash) throw missing(`block ${String(params[0]).slice(0, 66)}`);
        return block;
      case "eth_getBlockByNumber":
        if (params[0] !== "latest" && BigInt(params[0] as string) !== number) throw missing(`block ${String(params[0])}`);
        return block;
      case "eth_getProof":
        return accountAnswer(params as [Address, Hex[], Hex]);
      case "eth_getLogs":
        return logsAnswer(params[0] as LogFilter);
      default:
        throw missing(`answer to ${method}`);
    }
  };
  const accountAnswer = ([address, slots, at]: [Address, Hex[], Hex]) => {
    if (BigInt(at) !== number) throw missing(`state at block ${BigInt(at)}`);
    const account = proof.accounts.find((a) => a.address.toLowerCase() === String(address).toLowerCase());
    if (!account) throw missing(`proof of account ${String(address)}`);
    const storageProof = slots.map((slot) => {
      const entry = account.storage.find((s) => BigInt(s.key) === BigInt(slot));
      if (!entry) throw missing(`proof of slot ${slot} of ${account.address}`);
      return { key: slot, value: numberToHex(entry.value), proof: nodes(entry.proof) };
    });
    return {
      address: account.address,
      nonce: numberToHex(account.nonce),
      balance: numberToHex(account.balance),
      codeHash: account.codeHash,
      storageHash: account.storageHash,
      accountProof: nodes(account.proof),
      storageProof,
    };
  };
  const logsAnswer = (filter: LogFilter) => {
    if (filter.blockHash !== undefined) throw missing("logs by block hash");
    const bound = (tag: string | undefined, otherwise: bigint) =>
      tag === undefined || tag === "latest" ? otherwise : tag === "earliest" ? 0n : BigInt(tag);
    const [from, to] = [bound(filter.fromBlock, number), bound(filter.toBlock, number)];
    const wanted = (v: string | string[] | null | undefined) =>
      v === null || v === undefined ? undefined : new Set((Array.isArray(v) ? v : [v]).map((x) => x.toLowerCase()));
    const addresses = wanted(filter.address);
    if (addresses && !addresses.has(proof.registry.toLowerCase())) return [];
    const topics = (filter.topics ?? []).map(wanted);
    return proof.logs
      .filter((l) => l.blockNumber >= from && l.blockNumber <= to)
      .filter((l) => topics.every((set, i) => !set || (l.topics[i] !== undefined && set.has(l.topics[i].toLowerCase()))))
      .map((l) => ({
        address: proof.registry.toLowerCase(),
        blockNumber: numberToHex(l.blockNumber),
        logIndex: numberToHex(l.logIndex),
        blockTimestamp: numberToHex(l.blockTimestamp),
        topics: l.topics,
        data: l.data,
        removed: false,
      }));
  };
  return custom({ request: async ({ method, params }) => answer(method, (params ?? []) as unknown[]) }, { retryCount: 0 });
}

const refuse = (refusal: ProofRefusal, reason: string): CarriedVerification => ({ accepted: false, refusal, reason });

/**
 * Checks the identity proof a message carried for `did` (its sender, without query or fragment),
 * as of `at` (the judgement time, unix seconds: receipt, or now), with no network request: the
 * proof must be about `did` on one of the app's networks, its header confirmed by the app's
 * trusted headers, fresh enough (ProofMaxAge, or `noChangeSince`), and the verified read over it
 * must rebuild the document. Returns the verified document, or why the proof was not used (the
 * caller then looks the sender up instead); never throws for a bad proof.
 */
export async function verifyIdentityProof(
  encoded: string | IdentityProof,
  did: string,
  options: CarriedProofOptions & { at: number; skewSeconds?: number },
): Promise<CarriedVerification> {
  let proof: IdentityProof;
  let header: Record<string, Hex>;
  try {
    proof = typeof encoded === "string" ? decodeIdentityProof(encoded) : decodeIdentityProof(encodeIdentityProof(encoded));
    header = headerFromRlp(hexToBytes(proof.header));
    checkedHeader(header); // the fields it rebuilt must be a header the verified read accepts
  } catch (error) {
    return refuse("format", error instanceof SigilError ? error.message : String(error));
  }
  const subject = did.split(/[?#]/)[0];
  let entry;
  try {
    entry = findNetwork(createSigilClient({ networks: options.networks, cache: false }), parseDid(subject));
  } catch (error) {
    return refuse("network", error instanceof Error ? error.message : String(error));
  }
  const network = entry.network;
  if (parseDid(subject).address.toLowerCase() !== proof.identity.toLowerCase())
    return refuse("subject", `the proof is about ${proof.identity}, not ${subject}`);
  if (proof.chainId !== network.chainId || proof.registry.toLowerCase() !== network.registry.toLowerCase())
    return refuse(
      "network",
      `the proof is of the registry ${proof.registry} on chain ${proof.chainId}, not the app's ${network.registry} on chain ${network.chainId}`,
    );
  const number = BigInt(header.number);
  const time = BigInt(header.timestamp);
  const trusted = await options.trustedHeaders.hashAt(network.chainId, number);
  if (trusted === undefined) return refuse("header", `your trusted headers hold no block ${number} (they must reach the proof's block)`);
  if (trusted.toLowerCase() !== header.hash)
    return refuse("header", `the proof's block ${number} is ${header.hash}, your trusted headers hold ${trusted}`);
  const fresh = await freshness(options, subject, network.chainId, number, time);
  if ("stale" in fresh) return refuse("stale", fresh.stale);
  const result = await createSigilResolver({ networks: [carriedNetwork(network, proof, header)], cache: false }).resolve(subject);
  const m = result.didResolutionMetadata as { error?: string; message?: string };
  if (m.error) return refuse("proof", `the proof does not check: ${m.message ?? m.error}`);
  return { accepted: true, result, blockNumber: number, blockHash: header.hash, blockTime: time, freshBy: fresh.by };
}

/** Why the proof is recent enough, or why it is not. */
async function freshness(
  options: CarriedProofOptions & { at: number; skewSeconds?: number },
  did: string,
  chainId: number,
  number: bigint,
  time: bigint,
): Promise<{ by: "age" | "noChangeSince" } | { stale: string }> {
  const at = BigInt(Math.floor(options.at));
  const skew = BigInt(options.skewSeconds ?? 60);
  if (time > at + skew)
    return { stale: `the proof's block ${number} (time ${time}) is after the judgement time ${at}: it does not show the keys as of then` };
  // The watcher first: a change it saw after the proof's block (a rotation away from a stolen key)
  // refuses the proof however young it is; the age rule below only covers what nobody watched.
  const watched = options.noChangeSince ? await options.noChangeSince(did, number) : undefined;
  if (watched === false) return { stale: `your watcher saw ${did} change after the proof's block ${number}: the proof is out of date` };
  if (watched === true) return { by: "noChangeSince" };
  const maxSeconds = BigInt(options.maxAge?.seconds ?? DEFAULT_PROOF_MAX_AGE_SECONDS);
  let stale =
    at - time > maxSeconds ? `the proof's block ${number} is ${at - time} s older than the judgement time (most ${maxSeconds} s)` : "";
  const blocks = options.maxAge?.blocks;
  if (!stale && blocks !== undefined) {
    const newest = await options.trustedHeaders.newest(chainId);
    if (newest && newest.timestamp <= at + skew && newest.number - number > BigInt(blocks))
      stale = `the proof's block ${number} is ${newest.number - number} blocks behind your newest trusted header (most ${blocks})`;
  }
  if (!stale) return { by: "age" };
  return { stale: `${stale}, and no watcher vouches that nothing changed since: a key rotated away since would still show` };
}

/** The app's network, read through the proof and trusting the proof's header (already confirmed). */
function carriedNetwork(network: SigilNetwork, proof: IdentityProof, header: Record<string, Hex>): SigilNetwork {
  const { rpcUrls: _urls, provider: _provider, compare: _compare, transport: _transport, ...rest } = network;
  const trusted = { number: BigInt(header.number), hash: header.hash };
  return { ...rest, transport: proofTransport(proof, header), verify: { kind: "source", header: async () => trusted, maxHeaderAgeMs: 0 } };
}

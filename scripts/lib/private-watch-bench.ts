// What watching without naming costs (issue 23): the private watcher (watchDidsPrivately) reads
// every registry event, so its cost follows the registry's global activity, not the app's
// contacts. Measured on a `hardhat node` with the real registry: the eth_getLogs JSON bytes per
// change of each kind (a new service, a new key, a delegate, a new controller, a next-key
// commitment), the bytes and requests of a poll that finds nothing, and the client CPU to parse
// and filter a log (and to decode one). Then modelled for registries of 10^4, 10^5 and 10^6
// identities at two change rates, with the naming watcher (watchDids, 5 contacts) beside it.
// Runnable alone (`npm run bench:watch`, writes docs/private-watch-bench.json); `npm run bench`
// runs it too (section 10). Assumptions (docs/private-lookups.md says why):
//   - rates: "calm" 1 change per identity per 30 days, "busy" 1 per identity per 7 days;
//   - mix of changes: 50% services, 20% keys, 10% delegates, 10% controller changes, 10% commitments;
//   - a poll every 60 s, all day (a foreground messenger; background fetch polls far less);
//   - a phone's budget: 10 MB and 60 s of CPU a day for watching (a 5 GB monthly plan is about
//     170 MB a day; the CPU figures are this machine's, a phone's core is some 2-4x slower).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  bytes32Name,
  commitmentOf,
  createSigilResolver,
  generateKeyPair,
  publicKeyAttribute,
  sendOperation,
  serviceAttribute,
  watchDids,
  watchDidsPrivately,
  type Operation,
} from "sigil-did";
import { decodeRegistryLogs } from "sigil-did/internal";
import { toHex, type Address, type Hex, type WalletClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { devChain } from "../../test/support/dev-chain.ts";
import { startHardhatNode } from "../../test/support/hardhat-node.ts";
import { startObserver, type Observer } from "../../test/support/observer-proxy.ts";

export const KINDS = ["service", "key", "delegate", "controller", "commitment"] as const;
export type ChangeKind = (typeof KINDS)[number];
/** Share of each kind among changes (the assumption above). */
export const MIX: Record<ChangeKind, number> = { service: 0.5, key: 0.2, delegate: 0.1, controller: 0.1, commitment: 0.1 };
export const RATES = [
  { name: "calm", daysPerChange: 30 },
  { name: "busy", daysPerChange: 7 },
] as const;
export const REGISTRY_SIZES = [10_000, 100_000, 1_000_000];
export const POLL_SECONDS = 60;
export const PHONE_BUDGET = { bytesPerDay: 10 * 2 ** 20, cpuSecondsPerDay: 60 };
const CONTACTS = 5;

export interface PerChange {
  kind: ChangeKind;
  /** eth_getLogs answer bytes per change (one transaction), and the logs it holds. */
  bytes: number;
  logs: number;
}
export interface WatchScenario {
  identities: number;
  rate: string;
  changesPerDay: number;
  mbPerDay: number;
  requestsPerDay: number;
  cpuSecondsPerDay: number;
  /** The first start's read of the whole stream, per year of the registry's age. */
  initialMbPerYear: number;
  fitsPhone: boolean;
}
export interface PrivateWatchBench {
  perChange: PerChange[];
  /** A poll that finds nothing: requests, bytes down and up. */
  emptyPoll: { requests: number; bytesDown: number; bytesUp: number };
  /** Client CPU per log: JSON parse and identity filter (every log), decode (watched logs only). */
  cpu: { filterMicros: number; decodeMicros: number; sampleLogs: number };
  /** watchDids (names every contact) with its cache: a poll where nothing changed, 5 contacts. */
  naming: { contacts: number; requests: number; bytesDown: number; bytesUp: number; mbPerDay: number };
  scenarios: WatchScenario[];
  assumptions: { mix: typeof MIX; pollSeconds: number; phoneBudget: typeof PHONE_BUDGET };
}

export async function measurePrivateWatch({ smoke = false } = {}): Promise<PrivateWatchBench> {
  const samples = smoke ? 2 : 20;
  const node = await startHardhatNode();
  const observers: Observer[] = [];
  try {
    const chain = devChain(node.url);
    const registry = await chain.deploySigil();
    const fromBlock = await chain.publicClient.getBlockNumber();
    const wallets: WalletClient[] = [];
    for (let i = 0; i < samples; i++) wallets.push((await chain.funded()) as unknown as WalletClient);
    const target = { registry, publicClient: chain.publicClient };
    const perChange: PerChange[] = [];
    for (const kind of KINDS) {
      const blocks: bigint[] = [];
      for (const w of wallets) blocks.push((await sendOperation(w, target, changeOf(kind, w.account!.address))).blockNumber);
      const [first, last] = [blocks[0], blocks[blocks.length - 1]];
      const text = await rawLogs(node.url, registry, first, last);
      perChange.push({ kind, bytes: text.length / samples, logs: (JSON.parse(text).result as unknown[]).length / samples });
    }
    const observe = async () => {
      const o = await startObserver(node.url);
      observers.push(o);
      return o;
    };
    const contacts = wallets.slice(0, Math.min(CONTACTS, wallets.length)).map((w) => `did:sigil:bench:${w.account!.address.toLowerCase()}`);
    const net = (url: string) => ({ chainId: 31337, name: "bench", registry, rpcUrls: [url], fromBlock });
    const emptyPoll = await measureEmptyPoll(await observe(), net, contacts, chain.publicClient);
    const naming = await measureNaming(await observe(), net, contacts);
    const all = await rawLogs(node.url, registry, fromBlock, BigInt(await chain.publicClient.request({ method: "eth_blockNumber" })));
    const cpu = measureCpu(all, smoke ? 2_000 : 100_000);
    return {
      perChange,
      emptyPoll,
      cpu,
      naming,
      scenarios: model(perChange, emptyPoll, cpu),
      assumptions: { mix: MIX, pollSeconds: POLL_SECONDS, phoneBudget: PHONE_BUDGET },
    };
  } finally {
    await Promise.all(observers.map((o) => o.close()));
    await node.stop();
  }
}

/** One change of `kind` by `identity`'s controller. */
function changeOf(kind: ChangeKind, identity: Address): Operation {
  const other = privateKeyToAccount(generatePrivateKey()).address;
  switch (kind) {
    case "service": {
      const svc = serviceAttribute("Messaging", "https://inbox.example/u/0123456789");
      return { type: "setAttribute", identity, name: svc.name, value: svc.value, validity: 31_536_000n };
    }
    case "key": {
      const key = publicKeyAttribute("Ed25519", "veriKey", generateKeyPair("Ed25519").publicKey);
      return { type: "setAttribute", identity, name: key.name, value: key.value, validity: 31_536_000n };
    }
    case "delegate":
      return { type: "addDelegate", identity, delegateType: bytes32Name("sigAuth"), delegate: other, validity: 31_536_000n };
    case "controller":
      // To itself: its DIDOwnerChanged log is as long as one naming a new key, and the wallet
      // stays the controller for the commitment sample after it.
      return { type: "changeOwner", identity, newOwner: identity };
    case "commitment":
      return { type: "commitNextOwner", identity, commitment: commitmentOf(other, `0x${"11".repeat(32)}` as Hex) };
  }
}

/** The raw eth_getLogs answer for the registry's whole stream over [from, to], as a watcher downloads it. */
async function rawLogs(url: string, registry: Address, from: bigint, to: bigint): Promise<string> {
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "eth_getLogs",
    params: [{ address: registry, fromBlock: toHex(from), toBlock: toHex(to) }],
  });
  return (await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body })).text();
}

type Net = (url: string) => { chainId: number; name: string; registry: Address; rpcUrls: string[]; fromBlock: bigint };

async function measureEmptyPoll(observer: Observer, net: Net, contacts: string[], client: ReturnType<typeof devChain>["publicClient"]) {
  const head = await client.getBlock({ blockTag: "latest" });
  const watcher = watchDidsPrivately(net(observer.url), contacts, () => undefined, {
    checkpoint: { blockNumber: head.number, blockHash: head.hash },
    confirmations: 0,
  });
  await watcher.ready;
  await client.request({ method: "hardhat_mine", params: ["0x1"] } as never);
  observer.reset();
  await watcher.poll();
  watcher.stop();
  const bytesUp = observer.bodies.reduce((s, b) => s + b.length, 0);
  return { requests: observer.calls.length, bytesDown: observer.bytesOut, bytesUp };
}

async function measureNaming(observer: Observer, net: Net, contacts: string[]) {
  const resolver = createSigilResolver({ networks: [net(observer.url)] });
  const watcher = watchDids(resolver, contacts, () => undefined);
  await watcher.ready;
  observer.reset();
  await watcher.poll();
  watcher.stop();
  const bytesUp = observer.bodies.reduce((s, b) => s + b.length, 0);
  const perDay = (86_400 / POLL_SECONDS) * (observer.bytesOut + bytesUp);
  return { contacts: contacts.length, requests: observer.calls.length, bytesDown: observer.bytesOut, bytesUp, mbPerDay: perDay / 2 ** 20 };
}

/** µs per log to parse the answer and keep the watched identities' logs, and to decode one. */
function measureCpu(answer: string, size: number) {
  const logs = JSON.parse(answer).result as { topics: Hex[] }[];
  const many = Array.from({ length: size }, (_, i) => logs[i % logs.length]);
  const text = JSON.stringify({ jsonrpc: "2.0", id: 1, result: many });
  const watched = new Set(logs.slice(0, CONTACTS).map((l) => l.topics[1]));
  const time = (f: () => void) => {
    const start = process.cpuUsage();
    f();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / size;
  };
  time(() => JSON.parse(text)); // warm-up
  let kept = 0;
  const filterMicros = time(() => {
    kept = (JSON.parse(text).result as { topics: Hex[] }[]).filter((l) => watched.has(l.topics[1])).length;
  });
  if (kept === 0) throw new Error("the CPU sample kept no watched log");
  const decodeMicros = time(() => decodeRegistryLogs(many.map((l, i) => ({ ...(l as never as object), logIndex: toHex(i) }) as never)));
  return { filterMicros, decodeMicros, sampleLogs: size };
}

/** Bytes, requests and CPU per day for each registry size and rate. */
export function model(perChange: PerChange[], poll: PrivateWatchBench["emptyPoll"], cpu: PrivateWatchBench["cpu"]): WatchScenario[] {
  const bytesPerChange = perChange.reduce((s, p) => s + MIX[p.kind] * p.bytes, 0);
  const logsPerChange = perChange.reduce((s, p) => s + MIX[p.kind] * p.logs, 0);
  const polls = 86_400 / POLL_SECONDS;
  return REGISTRY_SIZES.flatMap((identities) =>
    RATES.map((rate) => {
      const changesPerDay = identities / rate.daysPerChange;
      const bytes = changesPerDay * bytesPerChange + polls * (poll.bytesDown + poll.bytesUp);
      const cpuSecondsPerDay = (changesPerDay * logsPerChange * cpu.filterMicros) / 1e6;
      return {
        identities,
        rate: rate.name,
        changesPerDay,
        mbPerDay: bytes / 2 ** 20,
        requestsPerDay: polls * poll.requests,
        cpuSecondsPerDay,
        initialMbPerYear: (changesPerDay * 365 * bytesPerChange) / 2 ** 20,
        fitsPhone: bytes <= PHONE_BUDGET.bytesPerDay && cpuSecondsPerDay <= PHONE_BUDGET.cpuSecondsPerDay,
      };
    }),
  );
}

export function renderPrivateWatch(b: PrivateWatchBench): string {
  const n = (x: number) => x.toLocaleString("en-US", { maximumFractionDigits: x < 10 ? 2 : 0 });
  return [
    `Per change, the registry's eth_getLogs JSON: ${b.perChange.map((p) => `${p.kind} ${n(p.bytes)} B (${n(p.logs)} log${p.logs === 1 ? "" : "s"})`).join(", ")}.`,
    `A poll that finds nothing: ${b.emptyPoll.requests} requests, ${n(b.emptyPoll.bytesDown)} B down, ${n(b.emptyPoll.bytesUp)} B up. Client CPU per log: ${b.cpu.filterMicros.toFixed(2)} µs to parse and filter, ${b.cpu.decodeMicros.toFixed(2)} µs to decode (watched logs only), over ${n(b.cpu.sampleLogs)} logs.`,
    `Beside it, watchDids (names its ${b.naming.contacts} contacts in every request): ${b.naming.requests} request(s), ${n(b.naming.bytesDown + b.naming.bytesUp)} B per poll, **${n(b.naming.mbPerDay)} MB/day** whatever the registry's size.`,
    "",
    `| identities | change rate | changes/day | private watcher MB/day | requests/day | CPU s/day | first start, MB per year of registry age | fits a phone (${b.assumptions.phoneBudget.bytesPerDay / 2 ** 20} MB, ${b.assumptions.phoneBudget.cpuSecondsPerDay} s a day) |`,
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ...b.scenarios.map(
      (s) =>
        `| ${n(s.identities)} | ${s.rate} | ${n(s.changesPerDay)} | ${n(s.mbPerDay)} | ${n(s.requestsPerDay)} | ${s.cpuSecondsPerDay.toPrecision(2)} | ${n(s.initialMbPerYear)} | ${s.fitsPhone ? "yes" : "no"} |`,
    ),
  ].join("\n");
}

if (process.argv[1] === import.meta.filename) {
  const smoke = process.argv.includes("--smoke");
  const bench = await measurePrivateWatch({ smoke });
  console.log(renderPrivateWatch(bench));
  if (!smoke) {
    const root = join(import.meta.dirname, "..", "..");
    writeFileSync(
      join(root, "docs", "private-watch-bench.json"),
      JSON.stringify({ measuredAt: new Date().toISOString(), ...bench }, null, 2) + "\n",
    );
  }
}

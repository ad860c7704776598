// The markdown report of scripts/bench.ts: the tables, the targets judged against the figures of
// one run, and the machine it ran on. Pure rendering: every number comes from `results`.
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { maxWarmRatio, renderGas, type GasRow } from "./gas-suite.ts";
import { renderLoad, type LoadRow } from "./service-load.ts";
import type { BundleSize } from "./bundle-size.ts";
import { renderVerified, type VerifiedBench } from "./verified-bench.ts";
import { renderCrowd, type CrowdBench } from "./crowd-bench.ts";
import { renderProofSizes, type ProofSizeRow } from "./proof-size.ts";
import { renderCarriedProofs, type CarriedProofBench } from "./carried-proof-bench.ts";
import { renderPrivateWatch, type PrivateWatchBench } from "./private-watch-bench.ts";
import { renderMessaging, type MessagingBench } from "./messaging-bench.ts";
import type { EncryptionBench } from "./encryption-bench.ts";
import type { ProviderBench } from "./provider-bench.ts";
import { renderProviders } from "./provider-report.ts";
import { metricsMarkdown, type ConsoleMetrics } from "./console-metrics.ts";

const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;

/** The report's markdown and the machine record, from one run's results. */
type Options = { root: string; smoke: boolean; runs: number; sizes: readonly number[] };

/** One timed resolution row of the report (scripts/bench.ts measures them). */
export interface ResolutionRow {
  changes: number | string;
  resolver: string;
  median: number;
  p95: number;
  requests: number;
  httpRequests: number;
  roundTrips: number;
}

/** The results of one run, typed, with the lookups the report shares. */
function view(results: Record<string, unknown>) {
  const gas = results.gas as GasRow[];
  const resolution = results.resolution as ResolutionRow[];
  const group = results.group as {
    size: number;
    sigil: { ms: number; roundTrips: number; httpRequests: number; requests: number };
    ethrStock16: { ms: number; roundTrips: number; httpRequests: number; requests: number };
  };
  const verification = results.verification as { messages: number; sigilPerSecond: number; rawPerSecond: number; ratio: number };
  const encryption = results.encryption as EncryptionBench;
  const load = results.load as LoadRow[];
  const bundles = results.bundles as BundleSize[];
  const providers = results.providers as ProviderBench;
  const providerGoals = providers.rows.filter((r) => r.goal);
  const bundle = (name: string) => bundles.find((b) => b.bundle === name)!;
  const find = (changes: number | string, resolver: string) => resolution.find((r) => r.changes === changes && r.resolver === resolver)!;
  return { results, gas, resolution, group, verification, encryption, load, bundles, providers, providerGoals, bundle, find };
}
type View = ReturnType<typeof view>;

/** The goals judged against this run (none on a smoke run). */
function targets(v: View, { smoke, sizes: SIZES }: Options): string[] {
  const { gas, resolution, group, verification, encryption, load, bundle, providerGoals, find } = v;
  if (smoke) return ["(not judged on a smoke run)"];
  const top = SIZES[SIZES.length - 1];
  const ratio = (n: number | string, who: string, base = "sigil") => find(n, who).median / find(n, base).median;
  const lines: [boolean, string][] = [
    [
      resolution.filter((r) => r.resolver === "sigil").every((r) => r.roundTrips === 1),
      "current document in 1 round trip at every history length",
    ],
    [ratio(top, "stock") >= 100, `at ${top} changes >= 100x faster than stock: ${ratio(top, "stock").toFixed(0)}x`],
    [ratio(top, "tuned") >= 20, `at ${top} changes >= 20x faster than tuned: ${ratio(top, "tuned").toFixed(0)}x`],
    [ratio(0, "stock") >= 3, `at 0 changes >= 3x faster than stock: ${ratio(0, "stock").toFixed(1)}x`],
    [ratio(0, "tuned") >= 1, `at 0 changes no slower than tuned: ${ratio(0, "tuned").toFixed(2)}x`],
    [
      find(`${top} (history)`, "tuned versionId").median / find(`${top} (history)`, "sigil versionId").median >= 20,
      `historical at ${top} changes >= 20x faster than tuned: ${(find(`${top} (history)`, "tuned versionId").median / find(`${top} (history)`, "sigil versionId").median).toFixed(0)}x`,
    ],
    [
      maxWarmRatio(gas) <= 1.25,
      `gas of every ERC-1056 operation, direct and signed, <= 1.25x (warm): max ${maxWarmRatio(gas).toFixed(3)}x`,
    ],
    [
      group.sigil.ms < 1000 && group.sigil.roundTrips <= 2,
      `${group.size}-DID group under 1 s in <= 2 round trips: ${group.sigil.ms.toFixed(0)} ms, ${group.sigil.roundTrips}`,
    ],
    [verification.ratio >= 0.8, `verification >= 80% of the raw ceiling: ${(verification.ratio * 100).toFixed(0)}%`],
    [encryption.ratio >= 0.8, `encrypt + decrypt >= 80% of the raw primitives: ${(encryption.ratio * 100).toFixed(0)}%`],
    [
      load.every((r) => r.errors === 0 && r.lost === 0),
      `service under load: zero errors and zero lost requests (${load.reduce((n, r) => n + r.requests, 0)} answered)`,
    ],
    [
      bundle("sigil: resolver").gzipBytes <= 35 * 1024,
      `browser resolver bundle <= 35 KB gzip: ${(bundle("sigil: resolver").gzipBytes / 1024).toFixed(1)} KB`,
    ],
    [
      providerGoals.every((r) => r.goal!.met),
      `provider profiles (issue #15): ${providerGoals.filter((r) => r.goal!.met).length} of ${providerGoals.length} goals met${
        providerGoals.some((r) => !r.goal!.met)
          ? `; missed: ${providerGoals
              .filter((r) => !r.goal!.met)
              .map((r) => `${r.scenario} / ${r.profile} / ${r.resolver}`)
              .join("; ")}`
          : ""
      }`,
    ],
    [
      bundle("ethr-did-resolver: resolver").gzipBytes / bundle("sigil: resolver").gzipBytes >= 5,
      `resolver bundle >= 5x smaller than ethr-did-resolver's: ${(bundle("ethr-did-resolver: resolver").gzipBytes / bundle("sigil: resolver").gzipBytes).toFixed(1)}x`,
    ],
  ];
  const out = lines.map(([ok, text]) => `- ${ok ? "met" : "**missed**"}: ${text}`);
  if (ratio(0, "tuned") < 1) {
    out.push(
      "",
      `At 0 changes Sigil's cold read is ${((1 / ratio(0, "tuned") - 1) * 100).toFixed(0)}% slower than the tuned incumbent (${ms(find(0, "sigil").median)} vs ${ms(find(0, "tuned").median)} median). Why: both make one round trip, but Sigil's carries two requests (the identityStates eth_call, which also returns the chain id, and eth_getLogs) against one eth_call; ethr-did-resolver reads logs only after changed() says there are any, paying one more round trip per change. With the SDK's default cache (the "sigil cached" row: a repeat resolution is one eth_call that confirms the state) it is ${ratio(0, "tuned", "sigil cached").toFixed(2)}x the tuned time. What would reach it cold: ask for logs only when the state shows a history, at the price of a second round trip for every DID that has one; the design keeps one round trip at every history length instead.`,
    );
  }
  return out;
}

/** Resolution, groups, providers, verification and encryption. */
function resolutionSections({ resolution, group, providers, verification, encryption, find }: View): string[] {
  return [
    "## Resolution of the current document",
    "",
    "| changes | resolver | median | p95 | JSON-RPC calls | HTTP requests | sequential round trips | median vs Sigil |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
    ...resolution.map(
      (r) =>
        `| ${r.changes} | ${r.resolver} | ${ms(r.median)} | ${ms(r.p95)} | ${r.requests.toFixed(1)} | ${r.httpRequests.toFixed(1)} | ${r.roundTrips.toFixed(1)} | ${r.resolver.startsWith("sigil") ? "" : `${(r.median / (find(r.changes, "sigil") ?? find(r.changes, "sigil versionId"))?.median).toFixed(1)}x`} |`,
    ),
    "",
    "stock: ethr-did-resolver configured with `rpcUrl`; both ethr rows resolve hex chain-id DIDs (`did:ethr:0x7a69:…`), which spare ethr-did-resolver the network lookup a named network costs it; tuned: given an ethers JsonRpcProvider with a static network, batching off and its 250 ms response cache off (as Sigil's cache is off in the sigil row). sigil cached: the SDK's default configuration, where a repeat resolution is one eth_call confirming the cached history. ethr-did-resolver ignores `versionTime`; its historical row uses `versionId`.",
    "",
    `## A group of ${group.size} DIDs`,
    "",
    "| resolver | wall time | sequential round trips | HTTP requests | JSON-RPC calls |",
    "|---|---:|---:|---:|",
    `| Sigil resolveMany | ${ms(group.sigil.ms)} | ${group.sigil.roundTrips} | ${group.sigil.httpRequests} | ${group.sigil.requests} |`,
    `| ethr-did-resolver (stock), 16 in flight | ${ms(group.ethrStock16.ms)} | ${group.ethrStock16.roundTrips} | ${group.ethrStock16.httpRequests} | ${group.ethrStock16.requests} |`,
    "",
    ...renderProviders(providers),
    "## Message verification",
    "",
    `${verification.messages} ES256K-R JWTs, median of 5 alternating rounds: Sigil's verifyMessage with a warm cache ${verification.sigilPerSecond.toFixed(0)}/s; raw @noble/curves secp256k1 verification of the same signatures ${verification.rawPerSecond.toFixed(0)}/s: **${(verification.ratio * 100).toFixed(0)}% of the ceiling**.`,
    "",
    "## Encrypted messages",
    "",
    `${encryption.messages} messages of 200 characters, each encrypted to a DID's X25519 key-agreement key (encryptMessage's default: a DIDComm v2 anoncrypt message, ECDH-ES+A256KW with XC20P) and decrypted (decryptMessage, which also resolves the recipient as of receipt), with a warm resolver cache: ${encryption.sigilPerSecond.toFixed(0)} round trips/s. did-jwt's own envelope (createJWE + decryptJWE, the 0.x ECDH-ES+XC20PKW form), keys in hand: ${encryption.didJwtPerSecond.toFixed(0)}/s. The same primitives as Sigil's default with @noble directly and no envelope (an ephemeral X25519 key, two agreements, a SHA-256 KDF, AES key wrap, XChaCha20-Poly1305 for the content, each way): ${encryption.rawPerSecond.toFixed(0)}/s: **${(encryption.ratio * 100).toFixed(0)}% of the ceiling** (median of 5 alternating rounds). The rest of the gap is the DIDComm envelope: a random content key, nonces and message id, ConcatKDF, base64url and JSON of the header and the message.`,
    "",
  ];
}

/** Verified and private reads, the service, bundles, targets and gas. */
function laterSections(v: View, options: Options): string[] {
  const { results, load, bundles, gas, group } = v;
  return [
    "## Verified resolution vs trusted",
    "",
    "Its own `hardhat node`; trusted reads one endpoint, verified reads the same and trusts the header it and a second endpoint serve (`verify: { k: 2 }`), with the default header reuse (2 s) and asking the trust every time; caches off (scripts/lib/verified-bench.ts).",
    "",
    renderVerified(results.verified as VerifiedBench),
    "",
    "The proof per DID as the registry grows (scripts/lib/proof-size.ts: the registry's storage filled with random slots, which is how mapping slots spread; an identity with 10 changes; a test chain's small state trie, so the account proof is short):",
    "",
    renderProofSizes(results.proofSizes as ProofSizeRow[]),
    "",
    "## Private lookups: first contact in a crowd",
    "",
    "Its own `hardhat node`, a registry of identities with an inbox each; a contact resolved plainly and hidden among k decoys (`crowd: { k }`), trusted and verified (`verify: { k: 1 }`); caches off, every resolution a first contact (scripts/lib/crowd-bench.ts).",
    "",
    renderCrowd(results.crowd as CrowdBench),
    "",
    "## Identity proofs carried with messages",
    "",
    "Its own `hardhat node`; a sender's proof (proveIdentity) per history length, its size next to the JSON material it is cut from, verified offline against a local trusted-header store (verifyIdentityProof), side by side with the lookups a recipient makes without one; caches off (scripts/lib/carried-proof-bench.ts).",
    "",
    renderCarriedProofs(results.carried as CarriedProofBench),
    "",
    "## Watching without naming",
    "",
    "The private watcher (`watchDidsPrivately`) reads the registry's whole event stream, so its cost follows the registry's activity, not the contacts: per-change bytes and the cost of an empty poll measured on its own `hardhat node`, then modelled for 10^4 to 10^6 identities changing once per 30 days (calm) or 7 days (busy), polling every 60 s; the naming watcher beside it. Assumptions and when it fits a phone: [docs/private-lookups.md](private-lookups.md#watching-without-naming) (scripts/lib/private-watch-bench.ts).",
    "",
    renderPrivateWatch(results.privateWatch as PrivateWatchBench),
    "",
    "## Messaging interop: DIDComm v2 and MLS",
    "",
    "In-process chains, two did:sigil identities (and up to 100 for the group checks) with their keys really written to the registry. DIDComm: one peer packs and unpacks its own messages, every peer resolving through one Sigil resolver whose cache is warm for the whole run (0 JSON-RPC calls per message, counted), so the cryptography and the envelope are what is timed; Sigil's `encryptMessage`/`decryptMessage` and `signDidcommMessage`/`verifyDidcommSigned` with their defaults; stock didcomm-node (the reference didcomm-rust as WASM) with its default options, given Sigil's `didcommResolver`/`didcommSecrets`; stock Veramo 7 agents (memory stores, local KMS) over Sigil's did-resolver plugin, authcrypt in its ECDH-1PU draft -03 (the only one it reads), with A256CBC-HS512 as the others and with its default A256GCM. MLS: ts-mls with its defaults (suite 1) and Sigil's authentication service; application messages through `guard.processPrivateMessage` vs ts-mls's `processPrivateMessage`, and `checkGroupMembers` over groups of 3, 30 and 100 (scripts/lib/messaging-bench.ts).",
    "",
    renderMessaging(results.messaging as MessagingBench),
    "",
    "## Resolver service under load",
    "",
    `\`sigil serve\` as its own process on 127.0.0.1 in front of the same node, driven by autocannon (a fixed number of requests, cycling over the first ${Math.min(group.size, 100)} DIDs of the group, after a warm-up); "answered" is the service's own count (its /metrics), "lost" what was sent but not answered at either end. The node, the service and autocannon share this machine's cores.`,
    "",
    ...renderLoad(load),
    "",
    "## Browser bundles",
    "",
    "esbuild, bundled for the browser, minified, ES module, tree-shaken; gzip level 9. Each entry keeps what it imports in use (a resolver handed to did-resolver; a verify function), so nothing it needs is dropped. ethr-did-resolver brings ethers.",
    "",
    "| bundle | minified | gzip |",
    "|---|---:|---:|",
    ...bundles.map((b) => `| ${b.bundle} | ${(b.minifiedBytes / 1024).toFixed(1)} KB | ${(b.gzipBytes / 1024).toFixed(1)} KB |`),
    "",
    metricsMarkdown(results.console as ConsoleMetrics),
    "## Targets",
    "",
    ...targets(v, options),
    "",
    "## Gas (receipts, same node)",
    "",
    ...renderGas(gas),
    "",
  ];
}

/** The report's markdown and the machine record, from one run's results. */
export function renderBenchReport(results: Record<string, unknown>, options: Options): { md: string; machine: Record<string, unknown> } {
  const { root, smoke, runs: RUNS } = options;
  const version = (pkg: string) => JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8")).version as string;
  const versions = Object.fromEntries(["hardhat", "ethr-did-resolver", "ethers", "viem", "did-jwt"].map((p) => [p, version(p)]));
  const machine = {
    cpus: `${cpus().length} x ${cpus()[0]?.model}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    versions,
    date: new Date().toISOString(),
    smoke,
    runs: RUNS,
  };
  const v = view(results);
  const md = [
    "# Benchmarks: Sigil vs ERC-1056 / ethr-did-resolver",
    "",
    `One \`hardhat node\` on 127.0.0.1, both registries deployed on it (ERC-1056 from the \`ethr-did-registry\` package's artifact). ${machine.cpus}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${Object.entries(
      versions,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ", ",
      )}, ${machine.date}. ${RUNS} timed resolutions after 3 warm-up ones; JSON-RPC calls, HTTP requests and sequential round trips (the longest chain of HTTP requests each sent after the previous one answered; concurrent requests count once) counted at a loopback proxy in front of each resolver. Produced by \`npm run bench\`${smoke ? " (SMOKE RUN: tiny sizes, not for quoting)" : ""}.`,
    "",
    ...resolutionSections(v),
    ...laterSections(v, options),
  ].join("\n");
  return { md, machine };
}

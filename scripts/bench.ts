// Benchmarks, Sigil vs ERC-1056 and ethr-did-resolver, on one `hardhat node` on 127.0.0.1:
// gas from receipts, resolution latency and requests (counted at loopback proxies), a 1,000-DID
// group, message verification vs the raw signature ceiling, resolution on emulated public
// providers (caps, latency, a long chain; scripts/lib/provider-bench.ts), browser bundles, and
// the web console's weight and time to first render.
//   npm run bench                 full run: writes docs/benchmarks.md and docs/benchmarks.json
//   node scripts/bench.ts --smoke --out <dir>   tiny sizes (the test suite runs this)
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { Resolver } from "did-resolver";
import { getResolver as getEthrResolver } from "ethr-did-resolver";
import { JsonRpcProvider } from "ethers";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { toHex, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  bytes32Name,
  createSigilResolver,
  generateKeyPair,
  publicKeyAttribute,
  serviceAttribute,
  sigilRegistryAbi,
  signMessage,
  verifyMessage,
} from "sigil-did";
import { devChain } from "../test/support/dev-chain.ts";
import { maxWarmRatio, measureGas, renderGas, type GasRow } from "./lib/gas-suite.ts";
import { measureServiceLoad, renderLoad, type LoadRow } from "./lib/service-load.ts";
import { startHardhatNode } from "../test/support/hardhat-node.ts";
import { startRpcProxy, type RpcProxy } from "../test/support/rpc-proxy.ts";
import { measureBundles, type BundleSize } from "./lib/bundle-size.ts";
import { measureVerified, renderVerified, type VerifiedBench } from "./lib/verified-bench.ts";
import { measureCrowd, renderCrowd, type CrowdBench } from "./lib/crowd-bench.ts";
import { measureProofSizes, renderProofSizes, type ProofSizeRow } from "./lib/proof-size.ts";
import { measureCarriedProofs, renderCarriedProofs, type CarriedProofBench } from "./lib/carried-proof-bench.ts";
import { measurePrivateWatch, renderPrivateWatch, type PrivateWatchBench } from "./lib/private-watch-bench.ts";
import { measureEncryption, type EncryptionBench } from "./lib/encryption-bench.ts";
import { measureProviders, type ProviderBench } from "./lib/provider-bench.ts";
import { renderProviders } from "./lib/provider-report.ts";
import { measureConsole, metricsMarkdown, type ConsoleMetrics } from "./lib/console-metrics.ts";

const root = join(import.meta.dirname, "..");
const smoke = process.argv.includes("--smoke");
const outDir = process.argv.includes("--out") ? process.argv[process.argv.indexOf("--out") + 1] : join(root, "docs");
const SIZES = smoke ? [0, 2] : [0, 1, 10, 100];
const RUNS = smoke ? 3 : 30;
const GROUP = smoke ? 20 : 1000;
const MESSAGES = smoke ? 20 : 300;
const DAY = 86_400n;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;

const node = await startHardhatNode();
const results: Record<string, unknown> = {};
try {
  const { publicClient, dev, deploySigil, deployErc1056, funded: fundedWallet } = devChain(node.url);
  const wait = async (hash: Hex) => publicClient.waitForTransactionReceipt({ hash });
  const [sigil, erc] = [await deploySigil(), await deployErc1056()];
  const chainId = await publicClient.getChainId();
  type Wallet = Awaited<ReturnType<typeof fundedWallet>>;
  const call = async (w: Wallet, registry: Address, functionName: string, args: readonly unknown[]) =>
    (
      await wait(
        await w.writeContract({
          address: registry,
          abi: sigilRegistryAbi,
          functionName: functionName as never,
          args: args as never,
          chain: null,
        }),
      )
    ).gasUsed;

  // 1. Gas from receipts: the suite `npm run gas` runs, on this node.
  results.gas = await measureGas({ rpcUrl: node.url, publicClient, dev, sigil, erc1056: erc, smoke });

  // 2. Resolution at several history lengths: the same operations on both registries.
  const identities: Record<number, Address> = {};
  for (const n of SIZES) {
    const w = await fundedWallet();
    identities[n] = w.account.address;
    for (let i = 0; i < n; i++) {
      const svc = serviceAttribute("Messaging", `https://m${i}.example`);
      const prev = serviceAttribute("Messaging", `https://m${i - 1}.example`);
      const step: [string, readonly unknown[]] =
        i % 4 === 0
          ? ["setAttribute", [w.account.address, svc.name, svc.value, DAY]]
          : i % 4 === 1
            ? ["addDelegate", [w.account.address, bytes32Name("veriKey"), `0x${(i + 7).toString(16).padStart(40, "0")}`, DAY]]
            : i % 4 === 2
              ? ["revokeAttribute", [w.account.address, prev.name, prev.value]]
              : [
                  "setAttribute",
                  [
                    w.account.address,
                    bytes32Name("did/pub/Ed25519/veriKey/hex"),
                    `0x${(i % 256).toString(16).padStart(2, "0").repeat(32)}`,
                    DAY,
                  ],
                ];
      for (const registry of [erc, sigil]) await call(w, registry, step[0], step[1]);
      await publicClient.request({ method: "evm_mine" } as never);
    }
  }
  const proxies = {
    sigil: await startRpcProxy(node.url),
    "sigil cached": await startRpcProxy(node.url),
    stock: await startRpcProxy(node.url),
    tuned: await startRpcProxy(node.url),
  };
  const sigilResolver = createSigilResolver({
    networks: [{ chainId, name: "bench", registry: sigil, rpcUrls: [proxies.sigil.url] }],
    cache: false,
  });
  // The SDK's default: histories cached, each resolution confirmed against the latest block by one eth_call.
  const sigilCached = createSigilResolver({
    networks: [{ chainId, name: "bench", registry: sigil, rpcUrls: [proxies["sigil cached"].url] }],
  });
  const stock = new Resolver(getEthrResolver({ networks: [{ name: "bench", chainId, registry: erc, rpcUrl: proxies.stock.url }] }));
  // cacheTimeout -1: ethers otherwise answers a request identical to one sent in the last 250 ms
  // from memory, so back-to-back resolutions of one DID would partly measure that cache, while
  // the "sigil" row has its cache off. (Measured with it on, tuned at 100 changes needed ~40 of
  // its ~100 requests and took 79 ms median.)
  const tunedProvider = new JsonRpcProvider(proxies.tuned.url, chainId, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
  const tuned = new Resolver(getEthrResolver({ networks: [{ name: "bench", chainId, registry: erc, provider: tunedProvider as never }] }));
  const contenders = {
    sigil: (id: Address, q = "") => sigilResolver.resolve(`did:sigil:bench:${id.toLowerCase()}${q}`),
    "sigil cached": (id: Address) => sigilCached.resolve(`did:sigil:bench:${id.toLowerCase()}`),
    // The hex chain-id form: with a network name, ethr-did-resolver first asks the provider its
    // network (a round trip that would flatter Sigil).
    stock: (id: Address, q = "") => stock.resolve(`did:ethr:${toHex(chainId)}:${id}${q}`),
    tuned: (id: Address, q = "") => tuned.resolve(`did:ethr:${toHex(chainId)}:${id}${q}`),
  };
  type Row = {
    changes: number | string;
    resolver: string;
    median: number;
    p95: number;
    requests: number;
    httpRequests: number;
    roundTrips: number;
  };
  const resolution: Row[] = [];
  async function measure(
    label: string,
    changes: number | string,
    run: () => Promise<{ didResolutionMetadata: { error?: string } }>,
    proxy: RpcProxy,
  ) {
    for (let i = 0; i < 3; i++) await run();
    const times: number[] = [];
    proxy.reset();
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const r = await run();
      times.push(performance.now() - t);
      if (r.didResolutionMetadata.error) throw new Error(`${label} failed: ${JSON.stringify(r.didResolutionMetadata)}`);
    }
    resolution.push({
      changes,
      resolver: label,
      median: median(times),
      p95: p95(times),
      requests: proxy.requests.length / RUNS,
      httpRequests: proxy.roundTrips / RUNS,
      roundTrips: proxy.stats().sequentialRoundTrips / RUNS,
    });
  }
  for (const n of SIZES) {
    for (const [label, resolve] of Object.entries(contenders))
      await measure(label, n, () => resolve(identities[n]), proxies[label as keyof typeof proxies]);
  }
  const longest = SIZES[SIZES.length - 1];
  const head = await publicClient.getBlock();
  const mid = new Date(Number(head.timestamp - 5n) * 1000).toISOString();
  await measure(
    "sigil versionTime",
    `${longest} (history)`,
    () => contenders.sigil(identities[longest], `?versionTime=${mid}`),
    proxies.sigil,
  );
  await measure(
    "sigil versionId",
    `${longest} (history)`,
    () => contenders.sigil(identities[longest], `?versionId=${head.number - 3n}`),
    proxies.sigil,
  );
  await measure(
    "tuned versionId",
    `${longest} (history)`,
    () => contenders.tuned(identities[longest], `?versionId=${head.number - 3n}`),
    proxies.tuned,
  );
  results.resolution = resolution;

  // 3. A group of DIDs: Sigil's batched read vs ethr-did-resolver one by one, 16 in flight.
  const group = Array.from({ length: GROUP }, (_, i) =>
    i < SIZES.length ? identities[SIZES[i]] : (`0x${(i + 1).toString(16).padStart(40, "0")}` as Address),
  );
  proxies.sigil.reset();
  let t = performance.now();
  const batch = await sigilResolver.resolveMany(group.map((a) => `did:sigil:bench:${a.toLowerCase()}`));
  const sigilGroup = {
    ms: performance.now() - t,
    roundTrips: proxies.sigil.stats().sequentialRoundTrips,
    httpRequests: proxies.sigil.roundTrips,
    requests: proxies.sigil.requests.length,
    ok: batch.every((r) => r.didDocument),
  };
  proxies.stock.reset();
  t = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < group.length) await stock.resolve(`did:ethr:${toHex(chainId)}:${group[next++]}`);
    }),
  );
  const ethrGroup = {
    ms: performance.now() - t,
    roundTrips: proxies.stock.stats().sequentialRoundTrips,
    httpRequests: proxies.stock.roundTrips,
    requests: proxies.stock.requests.length,
  };
  results.group = { size: GROUP, sigil: sigilGroup, ethrStock16: ethrGroup };

  // 4. Verification: JWS through Sigil (warm cache) vs raw secp256k1 verification of the same signatures.
  const key = generatePrivateKey();
  const did = `did:sigil:bench:${privateKeyToAccount(key).address.toLowerCase()}`;
  const cached = createSigilResolver({
    networks: [{ chainId, name: "bench", registry: sigil, rpcUrls: [node.url] }],
    cache: { maxAgeMs: 3_600_000 },
  });
  const now = Number(head.timestamp);
  const jwts = await Promise.all(
    Array.from({ length: MESSAGES }, (_, i) => signMessage({ did, secretKey: key }, { text: `message ${i}` }, now)),
  );
  const pub = secp256k1.getPublicKey(Buffer.from(key.slice(2), "hex"), true);
  const raw = jwts.map((jwt) => {
    const [h, p, s] = jwt.split(".");
    return { hash: sha256(new TextEncoder().encode(`${h}.${p}`)), sig: Buffer.from(s, "base64url").subarray(0, 64) };
  });
  const viaSigil = async () => {
    const start = performance.now();
    for (const jwt of jwts) if (!(await verifyMessage(jwt, cached, { now })).ok) throw new Error("verification failed");
    return MESSAGES / ((performance.now() - start) / 1000);
  };
  const rawCeiling = () => {
    const start = performance.now();
    for (const { hash, sig } of raw) if (!secp256k1.verify(sig, hash, pub, { prehash: false })) throw new Error("raw verification failed");
    return MESSAGES / ((performance.now() - start) / 1000);
  };
  await viaSigil(); // warms the cache and the JIT
  rawCeiling();
  // Alternating rounds, median of each: the machine is shared and noisy.
  const sigilRounds: number[] = [];
  const rawRounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    sigilRounds.push(await viaSigil());
    rawRounds.push(rawCeiling());
  }
  const sigilPerSecond = median(sigilRounds);
  const rawPerSecond = median(rawRounds);
  results.verification = { messages: MESSAGES, sigilPerSecond, rawPerSecond, ratio: sigilPerSecond / rawPerSecond };

  // 4b. Encryption: encrypt + decrypt to a DID's X25519 key (warm cache) vs the raw primitives.
  const xKey = generateKeyPair("X25519");
  const xOwner = await fundedWallet();
  await call(xOwner, sigil, "setAttribute", [
    xOwner.account.address,
    ...Object.values(publicKeyAttribute("X25519", "enc", xKey.publicKey)),
    DAY,
  ]);
  const xDid = `did:sigil:bench:${xOwner.account.address.toLowerCase()}`;
  const xNow = Number((await publicClient.getBlock()).timestamp);
  results.encryption = await measureEncryption({ resolver: cached, did: xDid, key: xKey, now: xNow, messages: MESSAGES });

  // 5. The resolver service under load: `sigil serve` in its own process, autocannon in this one.
  const loadDids = group.slice(0, 100).map((a) => `did:sigil:bench:${a.toLowerCase()}`);
  results.load = await measureServiceLoad(
    { rpcUrl: node.url, registry: sigil, chainId, dids: loadDids },
    { requests: smoke ? 200 : 20_000, connections: smoke ? 4 : 32 },
  );
  tunedProvider.destroy();
  for (const p of Object.values(proxies)) await p.close();
} finally {
  await node.stop();
}

// 6. Resolution on emulated public providers (issue #15): its own node, mined to a long chain.
results.providers = await measureProviders({ smoke });

// 7. Browser bundle sizes (esbuild, minified, gzip), side by side with ethr-did-resolver.
results.bundles = await measureBundles();

// 8. The web console: its files and time to first render in headless Chromium.
results.console = await measureConsole(smoke ? 1 : 7);

// 9. Verified resolution vs the default (trusted) mode, its own node (scripts/lib/verified-bench.ts).
results.verified = await measureVerified({ smoke });
results.proofSizes = await measureProofSizes({ smoke });

// 10. Private lookups: first contact hidden in a crowd vs a plain resolution (scripts/lib/crowd-bench.ts).
results.crowd = await measureCrowd({ smoke });

// 11. Identity proofs carried with messages vs a lookup, its own node (scripts/lib/carried-proof-bench.ts).
results.carried = await measureCarriedProofs({ smoke });

// 12. Watching without naming: the private watcher's bytes and CPU per day by registry size, its own node (scripts/lib/private-watch-bench.ts).
results.privateWatch = await measurePrivateWatch({ smoke });

// Report.
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
const gas = results.gas as GasRow[];
const resolution = results.resolution as {
  changes: number | string;
  resolver: string;
  median: number;
  p95: number;
  requests: number;
  httpRequests: number;
  roundTrips: number;
}[];
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
function targets(): string[] {
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
  `${encryption.messages} messages of 200 characters, each encrypted to a DID's X25519 key-agreement key (encryptMessage: anonymous JWE, ECDH-ES+XC20PKW, did-jwt) and decrypted (decryptMessage, which also resolves the recipient as of receipt), with a warm resolver cache: ${encryption.sigilPerSecond.toFixed(0)} round trips/s. did-jwt's createJWE + decryptJWE alone, keys in hand: ${encryption.didJwtPerSecond.toFixed(0)}/s (Sigil's own share, resolving both sides from the cache and choosing keys, is the difference: ${(100 - (encryption.sigilPerSecond / encryption.didJwtPerSecond) * 100).toFixed(0)}%). The same primitives with @noble directly and no envelope (an ephemeral X25519 key, two agreements, a SHA-256 KDF, XChaCha20-Poly1305 for key wrap and content, each way): ${encryption.rawPerSecond.toFixed(0)}/s: **${(encryption.ratio * 100).toFixed(0)}% of the ceiling** (median of 5 alternating rounds). The rest of the gap is the standard envelope, did-jwt's work: a random content key and nonces, ConcatKDF, base64url and JSON of the header and recipients.`,
  "",
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
  ...targets(),
  "",
  "## Gas (receipts, same node)",
  "",
  ...renderGas(gas),
  "",
].join("\n");
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, "benchmarks.md"), md);
writeFileSync(
  join(outDir, "benchmarks.json"),
  JSON.stringify({ machine, ...results }, (_k, v) => (typeof v === "bigint" ? Number(v) : v), 2) + "\n",
);
console.log(md);

// MLS groups of did:sigil members (issue 24), on ts-mls 1.x with its documented defaults (suite 1:
// X25519, AES-128-GCM, Ed25519; ts-mls's ClientConfig defaults with Sigil's authentication
// service), members' Ed25519 signature keys written to the registry on the in-process chain:
// - the price of the guard: application messages processed through `guard.processPrivateMessage`
//   (which decrypts the sender data once more to learn the sender before ts-mls ratchets, and
//   looks its leaf key up among the stale ones) against ts-mls's own `processPrivateMessage`,
//   alternating rounds of fresh messages from one sender;
// - the batched member check (`checkGroupMembers`) for groups of 3, 30 and 100 members: wall time,
//   resolveMany calls, JSON-RPC calls and their sequential round trips (a wrapper around the
//   provider times each call), through the SDK's default cache (a warm history confirmed by one
//   batch), with the cache off, and through a did-resolver Resolver that has no resolveMany (one
//   resolve per DID, all at once; Sigil's plugin underneath coalesces concurrent resolutions).
import { Resolver } from "did-resolver";
import {
  createApplicationMessage,
  createCommit,
  createGroup,
  emptyPskIndex,
  processPrivateMessage,
  type ClientState,
  type PrivateMessage,
  type Proposal,
} from "ts-mls";
import { createSigilResolver, generateKeyPair, publicKeyAttribute, sendOperation, type SigilResolverConfig } from "sigil-did";
import { checkGroupMembers, createGroupGuard, sigilClientConfig, type MemberResolver } from "sigil-did/mls";
import { createWalletClient, custom, parseEther, type EIP1193Provider } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { setup } from "../../test/sdk/fixture.ts";
import { DAY, ED25519_SUITE, formGroup, keyPackage, suite, type Member } from "../../test/sdk/mls-helpers.ts";
import { sequentialRoundTrips } from "../../test/support/rpc-proxy.ts";
import { alternatingRates, median } from "./bench-rounds.ts";

type Env = Awaited<ReturnType<typeof setup>>;
type Suite = Awaited<ReturnType<typeof suite>>;

export interface MlsCheckRow {
  members: number;
  resolver: string;
  medianMs: number;
  resolveManyCalls: number;
  rpcCalls: number;
  roundTrips: number;
  /** Members found stale (0 expected: every key is current). */
  stale: number;
}
export interface MlsBench {
  suite: string;
  messages: { rounds: number; perRound: number; guardPerSecond: number; tsMlsPerSecond: number; overheadPercent: number };
  checks: MlsCheckRow[];
  runs: number;
}

/** The provider with every request's start and end, for counting sequential round trips. */
function timedProvider(inner: EIP1193Provider) {
  const exchanges: { method: string; start: number; end: number }[] = [];
  const provider = {
    exchanges,
    request: async (args: { method: string; params?: unknown }) => {
      const start = performance.now();
      try {
        return await inner.request(args as never);
      } finally {
        exchanges.push({ method: args.method, start, end: performance.now() });
      }
    },
    on: () => undefined,
    removeListener: () => undefined,
  };
  return provider as unknown as EIP1193Provider & { exchanges: typeof exchanges };
}

/** `n` identities with fresh accounts (Hardhat has only 20), each with an Ed25519 authentication key written. */
async function publishMembers(env: Env, n: number, cs: Suite, resolver: MemberResolver): Promise<Member[]> {
  const members: Member[] = [];
  for (let i = 0; i < n; i++) {
    const account = privateKeyToAccount(generatePrivateKey());
    await env.publicClient.waitForTransactionReceipt({
      hash: await env.wallet(0).sendTransaction({ to: account.address, value: parseEther("1"), account: env.addresses[0], chain: null }),
    });
    const wallet = createWalletClient({ account, transport: custom(env.provider, { retryCount: 0 }) });
    const key = generateKeyPair("Ed25519");
    await sendOperation(wallet, env.target, {
      type: "setAttribute",
      identity: account.address,
      ...publicKeyAttribute("Ed25519", "sigAuth", key.publicKey),
      validity: DAY,
    });
    const did = `did:sigil:local:${account.address.toLowerCase()}`;
    const kp = await keyPackage(did, key, cs);
    members.push({
      index: i,
      address: account.address,
      did,
      key,
      kp,
      state: undefined as unknown as ClientState,
      guard: createGroupGuard(resolver),
    });
  }
  return members;
}

/** Application messages from one member to another: through the guard vs ts-mls alone. */
async function measureMessages(sender: Member, recipient: Member, cs: Suite, rounds: number, perRound: number) {
  const text = new TextEncoder().encode("x".repeat(200));
  const batch = async (n: number) => {
    const out: PrivateMessage[] = [];
    for (let i = 0; i < n; i++) {
      const made = await createApplicationMessage(sender.state, text, cs);
      sender.state = made.newState;
      out.push(made.privateMessage);
    }
    return out;
  };
  // Each contender processes fresh messages in order (the recipient's ratchet moves on); making them is not timed.
  const through = (process: (state: ClientState, pm: PrivateMessage) => ReturnType<typeof processPrivateMessage>) => async (n: number) => {
    const messages = await batch(n);
    const start = performance.now();
    for (const pm of messages) {
      const result = await process(recipient.state, pm);
      if (result.kind !== "applicationMessage" || result.message.length !== text.length)
        throw new Error("MLS: the message did not come back");
      recipient.state = result.newState;
    }
    return performance.now() - start;
  };
  const rates = await alternatingRates(
    {
      guard: through((state, pm) => recipient.guard.processPrivateMessage(state, pm, emptyPskIndex, cs)),
      tsMls: through((state, pm) => processPrivateMessage(state, pm, emptyPskIndex, cs)),
    },
    { rounds, perRound },
  );
  return {
    rounds,
    perRound,
    guardPerSecond: rates.guard,
    tsMlsPerSecond: rates.tsMls,
    overheadPercent: (rates.tsMls / rates.guard - 1) * 100,
  };
}

/** The creator's state of a group of `members` (one commit adding the rest, Sigil's auth service checking each). */
async function groupOf(members: Member[], cs: Suite, resolver: MemberResolver): Promise<ClientState> {
  const config = sigilClientConfig(resolver);
  const [creator, ...others] = members;
  const state = await createGroup(
    new TextEncoder().encode(`bench-${members.length}`),
    creator.kp.publicPackage,
    creator.kp.privatePackage,
    [],
    cs,
    config,
  );
  const adds: Proposal[] = others.map((m) => ({ proposalType: "add", add: { keyPackage: m.kp.publicPackage } }));
  return (await createCommit({ state, cipherSuite: cs }, { extraProposals: adds })).newState;
}

/** checkGroupMembers through `resolver`, `runs` times after one warm-up: medians, and what the last one asked for. */
async function measureCheck(
  state: ClientState,
  label: string,
  resolver: MemberResolver,
  provider: ReturnType<typeof timedProvider>,
  runs: number,
) {
  let resolveManyCalls = 0;
  const counted: MemberResolver =
    "resolveMany" in resolver && typeof resolver.resolveMany === "function"
      ? { resolveMany: (dids) => (resolveManyCalls++, resolver.resolveMany(dids)) }
      : resolver;
  await checkGroupMembers(counted, state);
  const times: number[] = [];
  const [calls, trips, manys]: number[][] = [[], [], []];
  let stale = 0;
  for (let i = 0; i < runs; i++) {
    provider.exchanges.splice(0);
    resolveManyCalls = 0;
    const t = performance.now();
    const check = await checkGroupMembers(counted, state);
    times.push(performance.now() - t);
    if (check.unchecked.length > 0) throw new Error(`${label}: ${check.unchecked[0].message}`);
    stale = check.stale.length;
    calls.push(provider.exchanges.length);
    trips.push(sequentialRoundTrips(provider.exchanges));
    manys.push(resolveManyCalls);
  }
  const members = state.ratchetTree.filter((n, i) => i % 2 === 0 && n?.nodeType === "leaf").length;
  return {
    members,
    resolver: label,
    medianMs: median(times),
    resolveManyCalls: median(manys),
    rpcCalls: median(calls),
    roundTrips: median(trips),
    stale,
  };
}

export async function measureMls({ smoke = false } = {}): Promise<MlsBench> {
  const sizes = smoke ? [3, 6] : [3, 30, 100];
  const [rounds, perRound, runs] = smoke ? [2, 5, 3] : [7, 200, 15];
  const env = await setup();
  const cs = await suite(ED25519_SUITE);
  const provider = timedProvider(env.provider);
  const config = (cache: SigilResolverConfig["cache"]): SigilResolverConfig => ({
    networks: [{ chainId: env.chainId, name: "local", registry: env.registry, provider }],
    ...(cache === undefined ? {} : { cache }),
  });
  const warm = createSigilResolver(config({ maxAgeMs: 3_600_000 }));
  const pool = await publishMembers(env, Math.max(...sizes), cs, warm);
  await formGroup(pool[0], [pool[1]], cs, warm);
  const messages = await measureMessages(pool[0], pool[1], cs, rounds, perRound);
  const resolvers: [string, MemberResolver][] = [
    ["Sigil resolver, default cache (confirms)", createSigilResolver(config(undefined))],
    ["Sigil resolver, cache off", createSigilResolver(config(false))],
    [
      "did-resolver Resolver, cache off (a resolve per DID, concurrent: Sigil's client coalesces them)",
      new Resolver(createSigilResolver(config(false)).plugin()),
    ],
  ];
  const checks: MlsCheckRow[] = [];
  for (const size of sizes) {
    const state = await groupOf(pool.slice(0, size), cs, warm);
    for (const [label, resolver] of resolvers) checks.push(await measureCheck(state, label, resolver, provider, runs));
  }
  return { suite: ED25519_SUITE, messages, checks, runs };
}

export function renderMls(b: MlsBench): string {
  const m = b.messages;
  return [
    `Application messages (200 bytes) from one member to another, ${b.suite}: through the guard (\`guard.processPrivateMessage\`) ${m.guardPerSecond.toFixed(0)}/s, ts-mls's \`processPrivateMessage\` alone ${m.tsMlsPerSecond.toFixed(0)}/s: **the guard costs ${m.overheadPercent.toFixed(0)}%** (medians of ${m.rounds} alternating rounds of ${m.perRound} fresh messages; making them is not timed).`,
    "",
    "| members | resolver | checkGroupMembers (median) | resolveMany calls | JSON-RPC calls | sequential round trips | stale |",
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ...b.checks.map(
      (r) =>
        `| ${r.members} | ${r.resolver} | ${r.medianMs.toFixed(r.medianMs < 10 ? 2 : 1)} ms | ${r.resolveManyCalls} | ${r.rpcCalls} | ${r.roundTrips} | ${r.stale} |`,
    ),
    "",
    `Medians of ${b.runs} checks after a warm-up, on the in-process chain (no network latency: on a real one each sequential round trip adds one).`,
  ].join("\n");
}

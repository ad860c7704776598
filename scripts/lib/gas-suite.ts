// Gas from receipts, SigilRegistry vs the original ERC-1056 deployed on the same chain: one module
// for `npm run gas` and `npm run bench`. Every ERC-1056 operation direct and legacy-signed
// (ERC-1056's own signed-call hash, relayed), on first use of an identity (cold) and on repeat
// (warm); the same operations as Sigil's EIP-712 meta-transactions; and Sigil's extensions,
// direct and EIP-712: commit, rotate with N listed revocations, revokeEntries, deactivate, and
// guardian recovery (set guardians, apply a change, approve, cancel, finalise). Every key and
// salt is derived from a counter and every deadline is fixed, so that runs are identical.
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import {
  createWalletClient,
  encodePacked,
  http,
  keccak256,
  parseEther,
  stringToHex,
  type Address,
  type Hex,
  type PublicClient,
  type WalletClient,
} from "viem";
import { privateKeyToAccount, sign } from "viem/accounts";
import {
  bytes32Name,
  commitmentOf,
  operationTypedData,
  relayOperation,
  sendOperation,
  signOperation,
  sigilRegistryAbi,
  type AttributeRef,
  type DelegateRef,
  type GuardianProof,
  type Operation,
  type RecoveryProposal,
  type SignableOperation,
} from "sigil-did";
import { directCall, isSignable } from "sigil-did/internal";

export interface GasContext {
  rpcUrl: string;
  publicClient: PublicClient;
  /** Funds the wallets that send directly, and relays every signed call. */
  dev: WalletClient;
  sigil: Address;
  erc1056: Address;
  /** Rotations with 1 listed revocation only (the test suite's smoke run). */
  smoke?: boolean;
}

export type GasGroup = "direct" | "signed" | "extension" | "eip712";

export interface GasRow {
  group: GasGroup;
  operation: string;
  erc1056?: number;
  sigil: number;
  /** sigil / erc1056 */
  ratio?: number;
}

type Mode = "direct" | "signed" | "eip712";
interface Actor {
  key: Hex;
  address: Address;
  wallet: WalletClient;
}

const DAY = 86_400n;
const VERI = bytes32Name("veriKey");
const KEY = bytes32Name("did/pub/Ed25519/veriKey/hex");
const KEY_VALUE = `0x${"ab".repeat(32)}` as Hex;
const SVC = bytes32Name("did/svc/MessagingService");
const SVC_VALUE = stringToHex("https://messaging.example.org/inbox/alice?profile=didcomm-v2"); // 60 bytes
const delegate = (i: number) => `0x${(i + 1).toString(16).padStart(40, "0")}` as Address;
// Fixed (2100-01-01), as every key is derived from a counter: the same signatures, hence the same
// calldata and gas, on every run.
const DEADLINE = 4_102_444_800n;
const SUFFIX: Record<Mode, string> = { direct: "", signed: "Signed", eip712: "WithSig" };

const addDelegate = (identity: Address, i: number): SignableOperation => ({
  type: "addDelegate",
  identity,
  delegateType: VERI,
  delegate: delegate(i),
  validity: DAY,
});

/**
 * The ERC-1056 operations, each sent on a fresh identity (cold), then again (warm). `prep` runs
 * in between, sent by the actor it returns, so that the warm call is the usual case: a revocation
 * of a delegate that exists, and a change of owner by a signer whose nonce is already in use.
 */
const ERC1056_OPS: {
  name: string;
  op: (a: { identity: Actor; other: Actor }, i: number) => SignableOperation;
  prep?: (a: { identity: Actor; other: Actor }) => [Actor, SignableOperation];
}[] = [
  { name: "addDelegate", op: ({ identity }, i) => addDelegate(identity.address, i) },
  {
    name: "revokeDelegate",
    op: ({ identity }, i) => ({ type: "revokeDelegate", identity: identity.address, delegateType: VERI, delegate: delegate(i) }),
    prep: ({ identity }) => [identity, addDelegate(identity.address, 1)],
  },
  {
    name: "setAttribute (32-byte key)",
    op: ({ identity }) => ({ type: "setAttribute", identity: identity.address, name: KEY, value: KEY_VALUE, validity: DAY }),
  },
  {
    name: "setAttribute (60-byte service)",
    op: ({ identity }) => ({ type: "setAttribute", identity: identity.address, name: SVC, value: SVC_VALUE, validity: DAY }),
  },
  { name: "revokeAttribute", op: ({ identity }) => ({ type: "revokeAttribute", identity: identity.address, name: KEY, value: KEY_VALUE }) },
  {
    name: "changeOwner",
    op: ({ identity, other }) => ({ type: "changeOwner", identity: identity.address, newOwner: other.address }),
    prep: ({ identity, other }) => [other, { type: "changeOwner", identity: identity.address, newOwner: identity.address }],
  },
];

/** What every measurement uses: gas of a mined transaction, fresh actors, and one way to send an operation in each mode. */
async function gasTools(ctx: GasContext) {
  const { publicClient, dev } = ctx;
  const chainId = await publicClient.getChainId();
  const gasOf = async (hash: Hex) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
    return receipt.gasUsed;
  };
  // Only wallets that send their own calls need coins; signed calls are relayed by dev.
  let made = 0;
  const actor = async (funded: boolean): Promise<Actor> => {
    const key = keccak256(stringToHex(`sigil gas suite ${made++}`));
    const wallet = createWalletClient({ account: privateKeyToAccount(key), transport: http(ctx.rpcUrl) });
    if (funded)
      await gasOf(await dev.sendTransaction({ to: wallet.account.address, value: parseEther("1"), account: dev.account!, chain: null }));
    return { key, address: wallet.account.address, wallet };
  };
  // Direct: sent by `signer`; eip712: signed by `signer` (controller, next key or guardian), relayed by dev.
  const send = async (mode: Mode, registry: Address, signer: Actor, op: Operation): Promise<bigint> => {
    const target = { registry, publicClient };
    if (mode === "direct" || !isSignable(op)) return (await sendOperation(signer.wallet, target, op)).gasUsed;
    if (mode === "eip712")
      return (await relayOperation(dev, target, await signOperation(signer.wallet, target, op, { chainId, deadline: DEADLINE }))).gasUsed;
    const { functionName, args } = directCall(op);
    const hash = await dev.writeContract({
      address: registry,
      abi: sigilRegistryAbi,
      functionName: `${functionName}Signed` as never,
      args: [args[0], ...(await legacySignature(publicClient, chainId, registry, signer, op)), ...args.slice(1)] as never,
      account: dev.account!,
      chain: null,
    });
    return gasOf(hash);
  };
  const wait = async (seconds: bigint) => {
    await publicClient.request({ method: "evm_increaseTime", params: [Number(seconds)] } as never);
    await publicClient.request({ method: "evm_mine", params: [] } as never);
  };
  return { ctx, dev, actor, send, wait };
}
type GasTools = Awaited<ReturnType<typeof gasTools>>;

// ERC-1056's signed-call hash packs the same arguments, in the same order, as the operation's
// EIP-712 fields between `identity` and `nonce`; the nonce is the signer's (the owner's).
async function legacySignature(publicClient: PublicClient, chainId: number, registry: Address, signer: Actor, op: SignableOperation) {
  const nonce = await publicClient.readContract({
    address: registry,
    abi: sigilRegistryAbi,
    functionName: "nonce",
    args: [signer.address],
  });
  const { primaryType, types, message } = operationTypedData(op, { chainId, registry, nonce, deadline: 0n });
  const fields = types[primaryType].slice(1, -2);
  const values = fields.map((f) => (message as Record<string, unknown>)[f.name]);
  const hash = keccak256(
    encodePacked(
      ["bytes1", "bytes1", "address", "uint256", "address", "string", ...fields.map((f) => f.type)] as never,
      ["0x19", "0x00", registry, nonce, op.identity, op.type, ...values] as never,
    ),
  );
  const { v, r, s } = await sign({ hash, privateKey: signer.key });
  return [Number(v), r, s] as const;
}

/** ERC-1056's operations on both registries, cold and warm, direct and signed; EIP-712 rows are Sigil's alone (ERC-1056 has none). */
async function erc1056Rows({ ctx, actor, send }: GasTools): Promise<GasRow[]> {
  const rows: GasRow[] = [];
  for (const mode of ["direct", "signed", "eip712"] as const) {
    for (const { name, op, prep } of ERC1056_OPS) {
      const measured: bigint[][] = [];
      // The same keys on both registries: the same calldata, so the ratio compares execution alone.
      const actors = { identity: await actor(mode === "direct"), other: await actor(mode === "direct") };
      for (const registry of mode === "eip712" ? [ctx.sigil] : [ctx.erc1056, ctx.sigil]) {
        const cold = await send(mode, registry, actors.identity, op(actors, 0));
        if (prep) await send(mode, registry, ...prep(actors));
        measured.push([cold, await send(mode, registry, actors.identity, op(actors, 1))]);
      }
      const operation = name.replace(/^\w+/, (fn) => fn + SUFFIX[mode]);
      (["cold", "warm"] as const).forEach((k, i) => {
        const sigil = Number(measured[measured.length - 1][i]);
        const erc1056 = measured.length === 2 ? Number(measured[0][i]) : undefined;
        rows.push(
          erc1056 === undefined
            ? { group: mode, operation: `${operation} (${k})`, sigil }
            : { group: mode, operation: `${operation} (${k})`, erc1056, sigil, ratio: sigil / erc1056 },
        );
      });
    }
  }
  return rows;
}

type ExtensionMode = "direct" | "eip712";
const salt = (label: string) => keccak256(stringToHex(`sigil gas suite salt: ${label}`));
const ext = (mode: ExtensionMode, operation: string, gas: bigint): GasRow => ({
  group: mode === "direct" ? "extension" : "eip712",
  operation: operation.replace(/^\w+/, (fn) => fn + SUFFIX[mode]),
  sigil: Number(gas),
});

/** Publishes n entries (delegates and attributes alternately) and returns their references. */
async function publish({ ctx, send }: GasTools, mode: ExtensionMode, owner: Actor, n: number) {
  const revokeDelegates: DelegateRef[] = [];
  const revokeAttributes: AttributeRef[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      revokeDelegates.push({ delegateType: VERI, delegate: delegate(i) });
      await send(mode, ctx.sigil, owner, addDelegate(owner.address, i));
    } else {
      revokeAttributes.push({ name: KEY, value: `0x${(i + 16).toString(16).padStart(2, "0").repeat(32)}` });
      await send(mode, ctx.sigil, owner, {
        type: "setAttribute",
        identity: owner.address,
        ...revokeAttributes[revokeAttributes.length - 1],
        validity: DAY,
      });
    }
  }
  return { revokeDelegates, revokeAttributes };
}

/** Commit, then rotate to the committed key: purging, committing to the key after it (as the
 * SDK's planRotation does), with N entries listed for revocation. */
async function rotationRows(t: GasTools, mode: ExtensionMode) {
  const { ctx, actor, send } = t;
  const funded = mode === "direct";
  const [commits, rotations]: GasRow[][] = [[], []];
  for (const n of ctx.smoke ? [1] : [0, 1, 10, 50]) {
    const [owner, next] = [await actor(funded), await actor(funded)];
    const identity = owner.address;
    const listed = await publish(t, mode, owner, n);
    const nextSalt = salt(`next ${mode} ${n}`);
    const commit = await send(mode, ctx.sigil, owner, {
      type: "commitNextOwner",
      identity,
      commitment: commitmentOf(next.address, nextSalt),
    });
    if (n <= 1) commits.push(ext(mode, `commitNextOwner (${n === 0 ? "first use of the identity" : "identity already in use"})`, commit));
    const rotate: Operation = {
      type: "rotate",
      identity,
      salt: nextSalt,
      newOwner: next.address,
      nextCommitment: commitmentOf(delegate(1000 + n), salt(`after ${mode} ${n}`)),
      purge: true,
      ...listed,
    };
    rotations.push(ext(mode, `rotate (purge, ${n} listed revocation${n === 1 ? "" : "s"})`, await send(mode, ctx.sigil, next, rotate)));
  }
  return { commits, rotations };
}

/** revokeEntries: the controller's batch revocation with ERC-1056 events. */
async function revocationRows(t: GasTools, mode: ExtensionMode): Promise<GasRow[]> {
  const rows: GasRow[] = [];
  for (const n of t.ctx.smoke ? [2] : [10, 50]) {
    const owner = await t.actor(mode === "direct");
    const listed = await publish(t, mode, owner, n);
    rows.push(
      ext(
        mode,
        `revokeEntries (${n} entries)`,
        await t.send(mode, t.ctx.sigil, owner, { type: "revokeEntries", identity: owner.address, ...listed }),
      ),
    );
  }
  return rows;
}

/** A salted tree of 8 leaves holding `guardians` (as sdk/guardians.ts pads it), with each one's proof. */
function guardianTree(guardians: Actor[], label: string) {
  const leaves: [Address, Hex][] = guardians.map((g, i) => [g.address, salt(`${label} guardian ${i}`)]);
  for (let i = 0; leaves.length < 8; i++) leaves.push([delegate(2000 + i), salt(`${label} dummy ${i}`)]);
  const tree = StandardMerkleTree.of(leaves, ["address", "bytes32"]);
  const proofs: GuardianProof[] = guardians.map((g, i) => ({ guardian: g.address, salt: leaves[i][1], proof: tree.getProof(i) as Hex[] }));
  return { root: tree.root as Hex, proofs };
}

/** Guardian recovery, 2 of 3 guardians: set, change, propose, arm, cancel, arm again, finalise. */
async function recoveryRows({ ctx, dev, actor, send, wait }: GasTools, mode: ExtensionMode): Promise<GasRow[]> {
  const funded = mode === "direct";
  const rows: GasRow[] = [];
  const owner = await actor(funded);
  const next = await actor(funded);
  const guardians = [await actor(funded), await actor(funded), await actor(funded)];
  const identity = owner.address;
  const DELAY = 7n * DAY;
  const [first, second] = [guardianTree(guardians, `${mode} first`), guardianTree(guardians, `${mode} second`)];
  const setGuardians = (root: Hex): Operation => ({ type: "setGuardians", identity, root, threshold: 2n, delay: DELAY });
  rows.push(ext(mode, "setGuardians (first set: immediate)", await send(mode, ctx.sigil, owner, setGuardians(first.root))));
  const nextSalt = salt(`recovery next ${mode}`);
  rows.push(ext(mode, "setGuardians (a change: pending for the delay)", await send(mode, ctx.sigil, owner, setGuardians(second.root))));
  await wait(DELAY);
  if (mode === "direct")
    rows.push(
      ext(
        mode,
        "applyGuardians (by anyone, after the delay)",
        await send(mode, ctx.sigil, guardians[2], { type: "applyGuardians", identity }),
      ),
    );
  else await send("direct", ctx.sigil, { ...guardians[2], wallet: dev }, { type: "applyGuardians", identity });
  // Guardians first, then the commitment (under one, the current key cannot change guardians);
  // a delay later the commitment is senior, so its next key may cancel at once.
  await send(mode, ctx.sigil, owner, { type: "commitNextOwner", identity, commitment: commitmentOf(next.address, nextSalt) });
  await wait(DELAY);
  const proposal: RecoveryProposal = {
    newOwner: guardians[0].address,
    nextCommitment: commitmentOf(delegate(3000), salt(`recovered ${mode}`)),
    purge: true,
  };
  const approve = (i: number): Operation => ({ type: "approveRecovery", identity, recovery: proposal, proof: second.proofs[i] });
  rows.push(ext(mode, "approveRecovery (first approval: proposes)", await send(mode, ctx.sigil, guardians[0], approve(0))));
  rows.push(ext(mode, "approveRecovery (arming approval)", await send(mode, ctx.sigil, guardians[1], approve(1))));
  rows.push(
    ext(
      mode,
      "cancelRecovery (by a senior next key)",
      await send(mode, ctx.sigil, next, { type: "cancelRecovery", identity, salt: nextSalt }),
    ),
  );
  // Armed again in the next round, and finalised after the delay.
  await send(mode, ctx.sigil, guardians[1], approve(1));
  await send(mode, ctx.sigil, guardians[2], approve(2));
  await wait(DELAY);
  const finalize: Operation = { type: "finalizeRecovery", identity, recovery: proposal };
  if (mode === "direct")
    rows.push(ext(mode, "finalizeRecovery (by anyone: purge, new controller and commitment)", await send(mode, ctx.sigil, next, finalize)));
  else await send("direct", ctx.sigil, { ...next, wallet: dev }, finalize);
  return rows;
}

/** Sigil's extensions in one mode, direct or as EIP-712 meta-transactions (the calls that anyone
 * may send, applyGuardians and finalizeRecovery, have no signed variant and appear once). */
async function extensionRows(t: GasTools, mode: ExtensionMode): Promise<GasRow[]> {
  const { commits, rotations } = await rotationRows(t, mode);
  const revocations = await revocationRows(t, mode);
  const recovery = await recoveryRows(t, mode);
  const last = await t.actor(mode === "direct");
  const deactivate = ext(
    mode,
    "deactivate (first use of the identity)",
    await t.send(mode, t.ctx.sigil, last, { type: "deactivate", identity: last.address }),
  );
  return [...commits, ...rotations, ...revocations, deactivate, ...recovery];
}

export async function measureGas(ctx: GasContext): Promise<GasRow[]> {
  const t = await gasTools(ctx);
  const rows = await erc1056Rows(t);
  for (const mode of ["direct", "eip712"] as const) rows.push(...(await extensionRows(t, mode)));
  return rows;
}

/** The largest warm Sigil/ERC-1056 ratio over every ERC-1056-equivalent operation, direct and signed. */
export const maxWarmRatio = (rows: readonly GasRow[]) =>
  Math.max(...rows.filter((r) => r.ratio !== undefined && r.operation.endsWith("(warm)")).map((r) => r.ratio!));

/** The largest Sigil/ERC-1056 ratio over every ERC-1056-equivalent operation, direct and signed, cold and warm. */
export const maxRatio = (rows: readonly GasRow[]) => Math.max(...rows.filter((r) => r.ratio !== undefined).map((r) => r.ratio!));

export function renderGas(rows: readonly GasRow[]): string[] {
  const of = (group: GasGroup) => rows.filter((r) => r.group === group);
  const compared = (title: string, group: GasGroup) => [
    `| ${title} | ERC-1056 | Sigil | Sigil / ERC-1056 |`,
    "|---|---:|---:|---:|",
    ...of(group).map((r) => `| ${r.operation} | ${r.erc1056} | ${r.sigil} | ${r.ratio!.toFixed(3)} |`),
  ];
  const alone = (title: string, group: GasGroup) => [
    `| ${title} | Sigil |`,
    "|---|---:|",
    ...of(group).map((r) => `| ${r.operation} | ${r.sigil} |`),
  ];
  return [
    ...compared("ERC-1056 operation, direct", "direct"),
    "",
    ...compared("ERC-1056 operation, legacy-signed (relayed)", "signed"),
    "",
    ...alone("Sigil extension, direct", "extension"),
    "",
    ...alone("EIP-712 meta-transaction (relayed)", "eip712"),
  ];
}

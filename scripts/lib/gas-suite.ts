// Gas from receipts, SigilRegistry vs the original ERC-1056 deployed on the same chain: every
// ERC-1056 operation direct and legacy-signed (ERC-1056's own signed-call hash, sent by a
// relayer), on first use of an identity (cold) and on repeat (warm); and Sigil's extensions:
// commit, rotate with N listed revocations, deactivate, and the EIP-712 variants of every
// operation. One module for `npm run gas` and `npm run bench`.
import {
  createWalletClient,
  encodePacked,
  http,
  keccak256,
  parseEther,
  zeroHash,
  type Address,
  type Hex,
  type PublicClient,
  type WalletClient,
} from "viem";
import { generatePrivateKey, privateKeyToAccount, sign } from "viem/accounts";
import { bytes32Name, commitmentOf, relayOperation, sendOperation, signOperation, sigilRegistryAbi, type Operation } from "../../sdk/index.ts";

export interface GasContext {
  rpcUrl: string;
  publicClient: PublicClient;
  /** Pays for every wallet the suite funds, and relays signed calls. */
  dev: WalletClient;
  sigil: Address;
  erc1056: Address;
  /** N = 1 only for rotations (the test suite's smoke run). */
  smoke?: boolean;
}

export interface GasRow {
  group: "direct" | "signed" | "extension";
  operation: string;
  erc1056?: number;
  sigil: number;
  /** sigil / erc1056 */
  ratio?: number;
}

const DAY = 86_400n;
const KEY = bytes32Name("did/pub/Ed25519/veriKey/hex");
const KEY_VALUE = `0x${"ab".repeat(32)}` as Hex;
const SVC = bytes32Name("did/svc/MessagingService");
const SVC_VALUE = `0x${Buffer.from("https://messaging.example.org/inbox/alice").toString("hex").padEnd(120, "0")}` as Hex; // 60 bytes
const VERI = bytes32Name("veriKey");
const delegate = (i: number) => `0x${(i + 1).toString(16).padStart(40, "0")}` as Address;

export async function measureGas(ctx: GasContext): Promise<GasRow[]> {
  const { publicClient, dev } = ctx;
  const wait = async (hash: Hex) => (await publicClient.waitForTransactionReceipt({ hash })).gasUsed;
  const call = (w: WalletClient, registry: Address, functionName: string, args: readonly unknown[]) =>
    w.writeContract({ address: registry, abi: sigilRegistryAbi, functionName: functionName as never, args: args as never, account: w.account!, chain: null }).then(wait);
  const fresh = () => {
    const key = generatePrivateKey();
    return { key, wallet: createWalletClient({ account: privateKeyToAccount(key), transport: http(ctx.rpcUrl) }) };
  };
  const funded = async () => {
    const f = fresh();
    await wait(await dev.sendTransaction({ to: f.wallet.account.address, value: parseEther("1"), account: dev.account!, chain: null }));
    return f;
  };
  const rows: GasRow[] = [];
  const pair = (group: GasRow["group"], operation: string, erc: bigint[], sig: bigint[]) =>
    (["cold", "warm"] as const).forEach((k, i) =>
      rows.push({ group, operation: `${operation} (${k})`, erc1056: Number(erc[i]), sigil: Number(sig[i]), ratio: Number(sig[i]) / Number(erc[i]) }),
    );

  // Direct: the identity's own key sends; each operation on a fresh identity, then again.
  const direct: [string, (r: Address, w: WalletClient, i: number) => Promise<bigint>, ((r: Address, w: WalletClient) => Promise<unknown>)?][] = [
    ["addDelegate", (r, w, i) => call(w, r, "addDelegate", [w.account!.address, VERI, delegate(i), DAY])],
    ["revokeDelegate", (r, w, i) => call(w, r, "revokeDelegate", [w.account!.address, VERI, delegate(i)]), async (r, w) => {
      for (const i of [0, 1]) await call(w, r, "addDelegate", [w.account!.address, VERI, delegate(i), DAY]);
    }],
    ["setAttribute (32-byte key)", (r, w) => call(w, r, "setAttribute", [w.account!.address, KEY, KEY_VALUE, DAY])],
    ["setAttribute (60-byte service)", (r, w) => call(w, r, "setAttribute", [w.account!.address, SVC, SVC_VALUE, DAY])],
    ["revokeAttribute", (r, w) => call(w, r, "revokeAttribute", [w.account!.address, KEY, KEY_VALUE])],
  ];
  for (const [name, op, prep] of direct) {
    const measured: bigint[][] = [];
    for (const registry of [ctx.erc1056, ctx.sigil]) {
      const { wallet } = await funded();
      if (prep) await prep(registry, wallet);
      measured.push([await op(registry, wallet, 0), await op(registry, wallet, 1)]);
    }
    pair("direct", name, measured[0], measured[1]);
  }
  // changeOwner: the identity hands control away (owners slot set), then the new owner hands it on.
  const owners: bigint[][] = [];
  for (const registry of [ctx.erc1056, ctx.sigil]) {
    const [a, b] = [await funded(), await funded()];
    const id = a.wallet.account.address;
    owners.push([await call(a.wallet, registry, "changeOwner", [id, b.wallet.account.address]), await call(b.wallet, registry, "changeOwner", [id, delegate(7)])]);
  }
  pair("direct", "changeOwner", owners[0], owners[1]);

  // Legacy signed (ERC-1056's scheme): an unfunded identity signs, the dev account relays.
  const legacySign = async (registry: Address, key: Hex, identity: Address, op: string, types: string[], values: unknown[]) => {
    const owner = await publicClient.readContract({ address: registry, abi: sigilRegistryAbi, functionName: "identityOwner", args: [identity] });
    const nonce = await publicClient.readContract({ address: registry, abi: sigilRegistryAbi, functionName: "nonce", args: [owner] });
    const hash = keccak256(encodePacked(["bytes1", "bytes1", "address", "uint256", "address", "string", ...types], ["0x19", "0x00", registry, nonce, identity, op, ...values]));
    const s = await sign({ hash, privateKey: key });
    return [Number(s.v), s.r, s.s] as const;
  };
  const signed: [string, string, string[], (i: number) => unknown[]][] = [
    ["addDelegateSigned", "addDelegate", ["bytes32", "address", "uint256"], (i) => [VERI, delegate(i), DAY]],
    ["revokeDelegateSigned", "revokeDelegate", ["bytes32", "address"], (i) => [VERI, delegate(i)]],
    ["setAttributeSigned", "setAttribute", ["bytes32", "bytes", "uint256"], () => [KEY, KEY_VALUE, DAY]],
    ["revokeAttributeSigned", "revokeAttribute", ["bytes32", "bytes"], () => [KEY, KEY_VALUE]],
    ["changeOwnerSigned", "changeOwner", ["address"], () => [delegate(9)]],
  ];
  for (const [fn, op, types, values] of signed) {
    const measured: bigint[][] = [];
    for (const registry of [ctx.erc1056, ctx.sigil]) {
      const { key, wallet } = fresh();
      const id = wallet.account.address;
      const once = async (i: number) => call(dev, registry, fn, [id, ...(await legacySign(registry, key, id, op, types, values(i))), ...values(i)]);
      // changeOwnerSigned moves control to another key, so its repeat is signed by that key: use
      // the identity handing control to itself instead, which keeps the signer.
      if (fn === "changeOwnerSigned") {
        const self = async () => call(dev, registry, fn, [id, ...(await legacySign(registry, key, id, op, types, [id])), id]);
        measured.push([await self(), await self()]);
      } else {
        measured.push([await once(0), await once(1)]);
      }
    }
    pair("signed", fn, measured[0], measured[1]);
  }

  // Extensions and EIP-712 variants (Sigil only), signed by the identity, relayed by dev.
  const target = { registry: ctx.sigil, publicClient };
  const ext = (operation: string, gas: bigint) => rows.push({ group: "extension", operation, sigil: Number(gas) });
  const relay = async (w: WalletClient, op: Operation) => (await relayOperation(dev, target, await signOperation(w, target, op))).gasUsed;
  {
    const { wallet } = fresh();
    const next = fresh().wallet;
    const id = wallet.account.address;
    await relay(wallet, { type: "setAttribute", identity: id, name: KEY, value: KEY_VALUE, validity: DAY }); // the identity is now warm
    ext("addDelegateWithSig", await relay(wallet, { type: "addDelegate", identity: id, delegateType: VERI, delegate: delegate(0), validity: DAY }));
    ext("revokeDelegateWithSig", await relay(wallet, { type: "revokeDelegate", identity: id, delegateType: VERI, delegate: delegate(0) }));
    ext("setAttributeWithSig", await relay(wallet, { type: "setAttribute", identity: id, name: KEY, value: KEY_VALUE, validity: DAY }));
    ext("revokeAttributeWithSig", await relay(wallet, { type: "revokeAttribute", identity: id, name: KEY, value: KEY_VALUE }));
    ext("changeOwnerWithSig", await relay(wallet, { type: "changeOwner", identity: id, newOwner: id }));
    ext("commitNextOwnerWithSig", await relay(wallet, { type: "commitNextOwner", identity: id, commitment: commitmentOf(next.account.address) }));
    const rotate = { type: "rotate", identity: id, newOwner: next.account.address, nextCommitment: zeroHash, purge: true, revokeDelegates: [], revokeAttributes: [] } as const;
    ext("rotateWithSig (purge, 0 listed)", await relay(next, rotate));
    ext("deactivateWithSig", await relay(next, { type: "deactivate", identity: id }));
  }
  for (const n of ctx.smoke ? [1] : [0, 1, 10, 50]) {
    const owner = (await funded()).wallet;
    const key = (await funded()).wallet;
    const id = owner.account.address;
    const revokeDelegates = [];
    const revokeAttributes = [];
    for (let i = 0; i < n; i++) {
      if (i % 2 === 0) {
        await call(owner, ctx.sigil, "addDelegate", [id, bytes32Name("sigAuth"), delegate(i), DAY]);
        revokeDelegates.push({ delegateType: bytes32Name("sigAuth"), delegate: delegate(i) });
      } else {
        const value = `0x${(i + 16).toString(16).padStart(2, "0").repeat(32)}` as Hex;
        await call(owner, ctx.sigil, "setAttribute", [id, KEY, value, DAY]);
        revokeAttributes.push({ name: KEY, value });
      }
    }
    const commit = (await sendOperation(owner, target, { type: "commitNextOwner", identity: id, commitment: commitmentOf(key.account.address) })).gasUsed;
    if (n <= 1) ext(`commitNextOwner (${n === 0 ? "first use of the identity" : "identity already in use"})`, commit);
    const rotate = { type: "rotate", identity: id, newOwner: key.account.address, nextCommitment: zeroHash, purge: true, revokeDelegates, revokeAttributes } as const;
    ext(`rotate (purge, ${n} listed revocations)`, (await sendOperation(key, target, rotate)).gasUsed);
  }
  const last = (await funded()).wallet;
  ext("deactivate", (await sendOperation(last, target, { type: "deactivate", identity: last.account.address })).gasUsed);
  return rows;
}

/** The largest warm Sigil/ERC-1056 ratio over every ERC-1056-equivalent operation. */
export const maxWarmRatio = (rows: readonly GasRow[]) => Math.max(...rows.filter((r) => r.operation.endsWith("(warm)") && r.ratio !== undefined).map((r) => r.ratio!));

export function renderGas(rows: readonly GasRow[]): string[] {
  const table = (group: GasRow["group"]) => rows.filter((r) => r.group === group).map((r) => `| ${r.operation} | ${r.erc1056} | ${r.sigil} | ${r.ratio!.toFixed(3)} |`);
  return [
    "| ERC-1056 operation, direct | ERC-1056 | Sigil | ratio |",
    "|---|---:|---:|---:|",
    ...table("direct"),
    "",
    "| ERC-1056 operation, legacy-signed (relayed) | ERC-1056 | Sigil | ratio |",
    "|---|---:|---:|---:|",
    ...table("signed"),
    "",
    "| Sigil extension | gas |",
    "|---|---:|",
    ...rows.filter((r) => r.group === "extension").map((r) => `| ${r.operation} | ${r.sigil} |`),
  ];
}

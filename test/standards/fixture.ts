// Every case a did:sigil resolver can meet, on a real `hardhat node`, for the standards tests
// (DID Core 1.0, DID Resolution, Controlled Identifiers): identities in each state, every DID
// form, and networks that fail in each way (RPC down, RPC hanging, another chain, no registry).
// test/standards/*.ts run the specs' normative statements against these, through the SDK and
// over HTTP.
import { bytesToHex, checksumAddress, createWalletClient, http, type Address, type Hex, type WalletClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  bytes32Name,
  createSigilResolver,
  generateKeyPair,
  generateNextKey,
  planRotation,
  publicKeyAttribute,
  sendOperation,
  serviceAttribute,
  type KeyPair,
  type Operation,
  type SigilNetwork,
  type SigilResolver,
} from "sigil-did";
import { devChain } from "../support/dev-chain.ts";
import { startHardhatNode, type HardhatNode } from "../support/hardhat-node.ts";
import { startRpcProxy, type RpcProxy } from "../support/rpc-proxy.ts";

const DAY = 86_400n;
const CHAIN_ID = 31337;

/** A state an identity can be in, with its DID in the network-name form. */
export interface Case {
  name: string;
  address: Address;
  /** did:sigil:local:<address, lower case> */
  did: string;
  deactivated: boolean;
  /** Key material published (rich and purged-then-republished identities). */
  keys?: { secp256k1: KeyPair; ed25519: KeyPair; x25519: KeyPair; ed25519b64: KeyPair; x25519b58: KeyPair };
}

export interface StandardsChain {
  node: HardhatNode;
  proxy: RpcProxy;
  registry: Address;
  net: SigilNetwork;
  /** Networks that fail: RPC down, RPC hanging past its timeout, another chain, no registry. */
  failing: Record<"down" | "hanging" | "wrongChain" | "noRegistry", SigilNetwork>;
  cases: Record<"fresh" | "rich" | "revoked" | "preRotation" | "rotated" | "deactivated", Case>;
  /** rich: a block before its last change, and a time after its first change. */
  history: { beforeLastChange: bigint; firstChangeTime: string; lastChangeBlock: bigint };
  /** Every form of a case's DID this resolver reads (DID Core 1.0 §3.1 + the method's rules). */
  forms(c: Case): { label: string; did: string }[];
  resolver(extra?: SigilNetwork[]): SigilResolver;
  stop(): Promise<void>;
}

type Writer = ReturnType<typeof writer>;

/** Sends operations to the registry on `url` from freshly funded identities. */
function writer(url: string, registry: Address) {
  const { publicClient, funded, dev } = devChain(url);
  const target = { registry, publicClient };
  const send = (w: WalletClient, op: Operation) => sendOperation(w, target, op);
  return { url, publicClient, funded, dev, send };
}

const id = (w: WalletClient) => w.account!.address;
const randomAddress = () => privateKeyToAccount(generatePrivateKey()).address;

/** rich: delegates, keys of each type and encoding, a URL service and a JSON (DIDComm) service. */
async function richIdentity({ publicClient, funded, send }: Writer) {
  const rich = await funded();
  const setAttr = (w: WalletClient, name: string, value: Hex) =>
    send(w, { type: "setAttribute", identity: id(w), name: bytes32Name(name), value, validity: DAY });
  const keys = {
    secp256k1: generateKeyPair("Secp256k1"),
    ed25519: generateKeyPair("Ed25519"),
    x25519: generateKeyPair("X25519"),
    ed25519b64: generateKeyPair("Ed25519"),
    x25519b58: generateKeyPair("X25519"),
  };
  const first = await send(rich, {
    type: "addDelegate",
    identity: id(rich),
    delegateType: bytes32Name("veriKey"),
    delegate: randomAddress(),
    validity: DAY,
  });
  const firstChangeTime = new Date(Number((await publicClient.getBlock({ blockNumber: first.blockNumber })).timestamp) * 1000)
    .toISOString()
    .replace(".000Z", "Z");
  await send(rich, {
    type: "addDelegate",
    identity: id(rich),
    delegateType: bytes32Name("sigAuth"),
    delegate: randomAddress(),
    validity: DAY,
  });
  await send(rich, {
    type: "setAttribute",
    identity: id(rich),
    ...publicKeyAttribute("Secp256k1", "veriKey", keys.secp256k1.publicKey),
    validity: DAY,
  });
  await send(rich, {
    type: "setAttribute",
    identity: id(rich),
    ...publicKeyAttribute("Ed25519", "sigAuth", keys.ed25519.publicKey),
    validity: DAY,
  });
  await send(rich, {
    type: "setAttribute",
    identity: id(rich),
    ...publicKeyAttribute("X25519", "enc", keys.x25519.publicKey),
    validity: DAY,
  });
  // The other encodings ERC-1056 names allow: the value is the raw key; the name says how the document shows it.
  await setAttr(rich, "did/pub/Ed25519/veriKey/base64", bytesToHex(keys.ed25519b64.publicKey));
  await setAttr(rich, "did/pub/X25519/enc/base58", bytesToHex(keys.x25519b58.publicKey));
  await send(rich, {
    type: "setAttribute",
    identity: id(rich),
    ...serviceAttribute("Messaging", "https://inbox.example/rich/"),
    validity: DAY,
  });
  await send(rich, {
    type: "setAttribute",
    identity: id(rich),
    ...serviceAttribute("DIDCommMessaging", { uri: "https://mediator.example/didcomm", accept: ["didcomm/v2"], routingKeys: [] }),
    validity: DAY,
  });
  const beforeLastChange = await publicClient.getBlockNumber();
  const last = await send(rich, {
    type: "setAttribute",
    identity: id(rich),
    ...serviceAttribute("LinkedDomains", "https://rich.example"),
    validity: DAY,
  });
  return { address: id(rich), keys, history: { beforeLastChange, firstChangeTime, lastChangeBlock: last.blockNumber } };
}

/** revoked: a delegate and a key, both revoked. */
async function revokedIdentity({ funded, send }: Writer) {
  const revoked = await funded();
  const revokedDelegate = randomAddress();
  const revokedKey = publicKeyAttribute("Ed25519", "veriKey", generateKeyPair("Ed25519").publicKey);
  await send(revoked, {
    type: "addDelegate",
    identity: id(revoked),
    delegateType: bytes32Name("veriKey"),
    delegate: revokedDelegate,
    validity: DAY,
  });
  await send(revoked, { type: "setAttribute", identity: id(revoked), ...revokedKey, validity: DAY });
  await send(revoked, { type: "revokeDelegate", identity: id(revoked), delegateType: bytes32Name("veriKey"), delegate: revokedDelegate });
  await send(revoked, { type: "revokeAttribute", identity: id(revoked), ...revokedKey });
  return id(revoked);
}

/** pre-rotation: a committed next key. */
async function preRotatedIdentity({ funded, send }: Writer) {
  const pre = await funded();
  await send(pre, { type: "commitNextOwner", identity: id(pre), commitment: generateNextKey().commitment });
  return id(pre);
}

/** rotated with purge: a key and a service, then a rotation that voids them, then a new key. */
async function rotatedIdentity({ url, publicClient, funded, dev, send }: Writer) {
  const rotated = await funded();
  const next = generateNextKey();
  await send(rotated, { type: "commitNextOwner", identity: id(rotated), commitment: next.commitment });
  await send(rotated, {
    type: "setAttribute",
    identity: id(rotated),
    ...publicKeyAttribute("Ed25519", "veriKey", generateKeyPair("Ed25519").publicKey),
    validity: DAY,
  });
  await send(rotated, {
    type: "setAttribute",
    identity: id(rotated),
    ...serviceAttribute("Messaging", "https://old.example/inbox"),
    validity: DAY,
  });
  await publicClient.waitForTransactionReceipt({ hash: await dev.sendTransaction({ to: next.address, value: 10n ** 18n, chain: null }) });
  const nextWallet = createWalletClient({ account: privateKeyToAccount(next.privateKey), transport: http(url) }) as WalletClient;
  await send(nextWallet, planRotation({ identity: id(rotated), salt: next.salt, newOwner: next.address, nextKey: null }).rotate);
  await send(nextWallet, {
    type: "setAttribute",
    identity: id(rotated),
    ...publicKeyAttribute("X25519", "enc", generateKeyPair("X25519").publicKey),
    validity: DAY,
  });
  return id(rotated);
}

/** deactivated, after publishing a service. */
async function deactivatedIdentity({ funded, send }: Writer) {
  const gone = await funded();
  await send(gone, { type: "setAttribute", identity: id(gone), ...serviceAttribute("Messaging", "https://gone.example"), validity: DAY });
  await send(gone, { type: "deactivate", identity: id(gone) });
  return id(gone);
}

/** Every form of a case's DID this resolver reads (DID Core 1.0 §3.1 + the method's rules). */
function formsOf(k: Case): { label: string; did: string }[] {
  const hex = k.address.toLowerCase().slice(2);
  return [
    { label: "network name", did: `did:sigil:local:0x${hex}` },
    { label: "chain id", did: `did:sigil:0x7a69:0x${hex}` },
    { label: "default network", did: `did:sigil:0x${hex}` },
    { label: "EIP-55 address", did: `did:sigil:local:${checksumAddress(k.address)}` },
    { label: "upper-case address", did: `did:sigil:0x7a69:0x${hex.toUpperCase()}` },
  ];
}

export async function startStandardsChain(): Promise<StandardsChain> {
  const node = await startHardhatNode();
  const proxy = await startRpcProxy(node.url);
  const down = await startRpcProxy(node.url, { down: true });
  const hanging = await startRpcProxy(node.url, { delayMs: 5_000 });
  const registry = await devChain(node.url).deploySigil();
  const w = writer(node.url, registry);
  // fresh: an address that never sent anything.
  const fresh = randomAddress();
  const rich = await richIdentity(w);
  const [revoked, pre, rotated, gone] = [
    await revokedIdentity(w),
    await preRotatedIdentity(w),
    await rotatedIdentity(w),
    await deactivatedIdentity(w),
  ];

  const c = (name: string, address: Address, deactivated = false, extra: Partial<Case> = {}): Case => ({
    name,
    address,
    did: `did:sigil:local:${address.toLowerCase()}`,
    deactivated,
    ...extra,
  });
  const net: SigilNetwork = { chainId: CHAIN_ID, name: "local", registry, rpcUrls: [proxy.url] };
  const noCode = randomAddress();
  return {
    node,
    proxy,
    registry,
    net,
    failing: {
      down: { chainId: CHAIN_ID, name: "down", registry, rpcUrls: [down.url], timeoutMs: 1_000 },
      hanging: { chainId: CHAIN_ID, name: "hanging", registry, rpcUrls: [hanging.url], timeoutMs: 300 },
      wrongChain: { chainId: 1, name: "wrongchain", registry, rpcUrls: [proxy.url], timeoutMs: 1_000 },
      noRegistry: { chainId: CHAIN_ID, name: "noregistry", registry: noCode, rpcUrls: [proxy.url], timeoutMs: 1_000 },
    },
    cases: {
      fresh: c("fresh", fresh),
      rich: c("rich", rich.address, false, { keys: rich.keys }),
      revoked: c("revoked", revoked),
      preRotation: c("pre-rotation", pre),
      rotated: c("rotated with purge", rotated),
      deactivated: c("deactivated", gone, true),
    },
    history: rich.history,
    forms: formsOf,
    resolver: (extra = []) => createSigilResolver({ networks: [net, ...extra], cache: { maxAgeMs: 0 } }),
    async stop() {
      for (const p of [proxy, down, hanging]) await p.close();
      await node.stop();
    },
  };
}

/** The metadata structure's value types (DID Resolution §7, DID Core 1.0 §7.3): string, number, boolean, null, map, list; and JSON-serialisable. */
export function isMetadataStructure(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isMetadataStructure);
  if (typeof value === "object")
    return Object.getPrototypeOf(value) === Object.prototype && Object.values(value as object).every(isMetadataStructure);
  return false;
}

/** DID Core 1.0 §3.1 did rule (method-specific-id chars: ALPHA / DIGIT / "." / "-" / "_" / pct-encoded, ":"-separated). */
export const DID_SYNTAX = /^did:[a-z0-9]+:(?:(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})*:)*(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+$/;
/** DID Core 1.0 §3.2 did-url = did path-abempty [ "?" query ] [ "#" fragment ]. */
export const DID_URL_SYNTAX =
  /^did:[a-z0-9]+:(?:(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})*:)*(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+(?:\/(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})*)*(?:\?(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?(?:#(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?$/;
/** DID Resolution §3.1: XML datetime in UTC without sub-second precision. */
export const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
/** RFC 3986 URI (absolute, optional fragment). */
export const URI =
  /^[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9._~!$&'()*+,;=:@/?[\]-]|%[0-9A-Fa-f]{2})*(?:#(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?$/;

let shared: Promise<StandardsChain> | undefined;
/** One chain for every standards test file (started on first use, stopped after the whole run). */
export function sharedChain(): Promise<StandardsChain> {
  return (shared ??= startStandardsChain());
}
after(async function () {
  this.timeout(60_000);
  if (shared) await (await shared).stop();
});

/** The document media types (DID Core 1.0 §6; DID 1.1's application/did). */
export const DOCUMENT_TYPES = ["application/did+ld+json", "application/did+json", "application/did", "application/ld+json"] as const;

// The shared harness of the DIDComm interop tests (issue 24): did:sigil identities whose keys are
// really written to the registry on the in-process chain, and two independently written DIDComm v2
// peers holding them, each with its library's documented defaults:
// - a stock didcomm-node peer (the reference didcomm-rust as WASM): its `Message` pack/unpack, fed
//   only Sigil's adapters (didcommResolver, didcommSecrets) for its DIDResolver/SecretsResolver;
// - a stock Veramo agent: KeyManager (MemoryKeyStore, local KMS over MemoryPrivateKeyStore),
//   DIDManager (MemoryDIDStore; the identity imported, no provider needed), DIDResolverPlugin over
//   Sigil's getResolver (the plain DIF plugin, no adapter), DIDComm, and MessageHandler with
//   DIDCommMessageHandler, as Veramo's docs set an agent up.
import { Message, type DIDResolver as DidcommNodeResolver } from "didcomm-node";
import { createAgent, type IDIDManager, type IKeyManager, type IMessageHandler, type IResolver, type TAgent } from "@veramo/core";
import { DIDComm, DIDCommMessageHandler, type IDIDComm } from "@veramo/did-comm";
import { DIDManager, MemoryDIDStore } from "@veramo/did-manager";
import { DIDResolverPlugin } from "@veramo/did-resolver";
import { KeyManager, MemoryKeyStore, MemoryPrivateKeyStore } from "@veramo/key-manager";
import { KeyManagementSystem } from "@veramo/kms-local";
import { MessageHandler } from "@veramo/message-handler";
import { bytesToHex, type Address } from "viem";
import {
  createSigilResolver,
  didcommResolver,
  didcommSecrets,
  generateKeyPair,
  getResolver,
  publicKeyAttribute,
  serviceAttribute,
  type DIDCommKey,
  type DIDCommResolverOptions,
  type KeyPair,
  type KeyType,
  type SigilResolver,
} from "sigil-did";
import type { setup } from "../sdk/fixture.ts";

export type Chain = Awaited<ReturnType<typeof setup>>;
const DAY = 86_400n;

/** A did:sigil identity of one of Hardhat's accounts, with keys published to its document. */
export interface SigilIdentity {
  did: string;
  address: Address;
  /** Hardhat account index (its wallet sends the identity's transactions). */
  account: number;
  /** Ed25519 key for authentication (EdDSA signatures). */
  ed: KeyPair & { kid: string };
  /** X25519 key for key agreement. */
  x: KeyPair & { kid: string };
  /** secp256k1 key published with its public key (ES256K signatures), when asked for. */
  k?: KeyPair & { kid: string };
  /** The DIDComm keys as Sigil's adapters and Veramo take them. */
  keys: DIDCommKey[];
}

/** The Sigil resolver of a test chain (no cache: every read sees the chain as it is). */
export function sigilResolver(env: Chain) {
  return createSigilResolver({
    networks: [{ chainId: env.chainId, name: "local", registry: env.registry, provider: env.provider }],
    cache: false,
  });
}

/** The id under which `publicKey` appears in the DID's current document. */
async function kidOf(env: Chain, did: string, publicKey: Uint8Array): Promise<string> {
  const doc = (await sigilResolver(env).resolve(did)).didDocument;
  const hex = bytesToHex(publicKey).slice(2);
  const vm = doc?.verificationMethod?.find((m) => m.publicKeyHex === hex);
  if (!vm) throw new Error(`key ${hex} is not in ${did}'s document`);
  return vm.id;
}

/**
 * Writes an identity's DIDComm keys to the registry: an Ed25519 sigAuth key, an X25519 enc key,
 * optionally a secp256k1 sigAuth key with its public key, and a DIDCommMessaging service.
 */
export async function publishIdentity(
  env: Chain,
  account: number,
  options: { secp256k1?: boolean; inbox?: string } = {},
): Promise<SigilIdentity> {
  const address = env.addresses[account];
  const did = `did:sigil:local:${address.toLowerCase()}`;
  const publish = async (type: KeyType, purpose: "sigAuth" | "enc") => {
    const pair = generateKeyPair(type);
    await env.send(account, {
      type: "setAttribute",
      identity: address,
      ...publicKeyAttribute(type, purpose, pair.publicKey),
      validity: DAY,
    });
    return { ...pair, kid: await kidOf(env, did, pair.publicKey) };
  };
  const ed = await publish("Ed25519", "sigAuth");
  const x = await publish("X25519", "enc");
  const k = options.secp256k1 ? await publish("Secp256k1", "sigAuth") : undefined;
  const endpoint = {
    uri: options.inbox ?? `https://relay.example/inbox/${address.toLowerCase()}`,
    accept: ["didcomm/v2"],
    routingKeys: [],
  };
  await env.send(account, { type: "setAttribute", identity: address, ...serviceAttribute("DIDCommMessaging", endpoint), validity: DAY });
  const keys: DIDCommKey[] = [ed, x, ...(k ? [k] : [])].map((p) => ({ kid: p.kid, type: p.type, secretKey: p.secretKey }));
  return { did, address, account, ed, x, k, keys };
}

/** A didcomm-node peer: the stock library, given Sigil's adapters and nothing else. */
export interface DidcommNodePeer {
  identity: SigilIdentity;
  /** didcomm-node's DIDResolver, judged as of `options.at` (default: the current documents). */
  resolver(options?: DIDCommResolverOptions): DidcommNodeResolver;
  /** Signs a plaintext DIDComm message with `signBy` (a DID or key id), as didcomm-node packs it. */
  packSigned(message: Record<string, unknown>, signBy?: string): Promise<string>;
  /** Unpacks anything didcomm-node reads, judging senders as of `options.at`. */
  unpack(packed: string, options?: DIDCommResolverOptions): ReturnType<typeof Message.unpack>;
}

export function didcommNodePeer(env: Chain, identity: SigilIdentity): DidcommNodePeer {
  const secrets = didcommSecrets(identity.keys);
  const resolver = (options: DIDCommResolverOptions = {}) => didcommResolver(sigilResolver(env), options);
  return {
    identity,
    resolver,
    async packSigned(message, signBy = identity.ed.kid) {
      const [packed] = await new Message(message as never).pack_signed(signBy, resolver(), secrets);
      return packed;
    },
    // didcomm-node's documented defaults: no options.
    unpack: (packed, options = {}) => Message.unpack(packed, resolver(options), secrets, {}),
  };
}

export type VeramoAgent = TAgent<IDIDManager & IKeyManager & IResolver & IDIDComm & IMessageHandler>;

/**
 * A Veramo agent holding `identity` (imported with its keys), resolving through Sigil's getResolver
 * (no cache), or through `resolver`'s plugin when given (the benchmark's warm cache).
 */
export async function veramoPeer(env: Chain, identity: SigilIdentity, resolver?: SigilResolver): Promise<VeramoAgent> {
  const agent = createAgent<IDIDManager & IKeyManager & IResolver & IDIDComm & IMessageHandler>({
    plugins: [
      new KeyManager({ store: new MemoryKeyStore(), kms: { local: new KeyManagementSystem(new MemoryPrivateKeyStore()) } }),
      // No did:sigil provider: Veramo cannot create or update did:sigil DIDs (the SDK writes them);
      // an imported identity needs none to sign and decrypt.
      new DIDManager({ store: new MemoryDIDStore(), defaultProvider: "did:sigil", providers: {} }),
      new DIDResolverPlugin({
        ...(resolver?.plugin() ??
          getResolver({
            networks: [{ chainId: env.chainId, name: "local", registry: env.registry, provider: env.provider }],
            cache: false,
          })),
      }),
      new DIDComm(),
      new MessageHandler({ messageHandlers: [new DIDCommMessageHandler()] }),
    ],
  });
  const veramoType = { Ed25519: "Ed25519", X25519: "X25519", Secp256k1: "Secp256k1" } as const;
  await agent.didManagerImport({
    did: identity.did,
    provider: "did:sigil",
    controllerKeyId: identity.ed.kid,
    keys: [identity.ed, identity.x, ...(identity.k ? [identity.k] : [])].map((p) => ({
      kid: p.kid,
      kms: "local",
      type: veramoType[p.type as keyof typeof veramoType],
      privateKeyHex: bytesToHex(p.secretKey).slice(2),
      publicKeyHex: bytesToHex(p.publicKey).slice(2),
    })),
    services: [],
  });
  return agent;
}

// A real MLS group on ts-mls (its documented defaults) whose members are did:sigil identities
// with signature keys published in the registry on the in-process chain, for test/sdk/mls.ts.
import {
  createCommit,
  createGroup,
  decodeMlsMessage,
  defaultAuthenticationService,
  defaultCapabilities,
  defaultKeyPackageEqualityConfig,
  defaultKeyRetentionConfig,
  defaultLifetime,
  defaultLifetimeConfig,
  defaultPaddingConfig,
  emptyPskIndex,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  joinGroup,
  type AuthenticationService,
  type CiphersuiteImpl,
  type CiphersuiteName,
  type ClientConfig,
  type ClientState,
  type KeyPackage,
  type MLSMessage,
  type PrivateKeyPackage,
  type Proposal,
} from "ts-mls";
import { generateKeyPair, publicKeyAttribute, type KeyPair } from "sigil-did";
import { createGroupGuard, didCredential, sigilClientConfig, type GroupGuard, type MemberResolver } from "sigil-did/mls";
import type { Address } from "viem";
import type { setup } from "./fixture.ts";

export const DAY = 86_400n;
export const ED25519_SUITE: CiphersuiteName = "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519";
export const P256_SUITE: CiphersuiteName = "MLS_128_DHKEMP256_AES128GCM_SHA256_P256";

export const suite = async (name: CiphersuiteName) => getCiphersuiteImpl(getCiphersuiteFromName(name));

/** ts-mls's defaults with the authentication service replaced: all an app changes in ClientConfig. */
export const configWith = (authService: AuthenticationService): ClientConfig => ({
  keyRetentionConfig: defaultKeyRetentionConfig,
  lifetimeConfig: defaultLifetimeConfig,
  keyPackageEqualityConfig: defaultKeyPackageEqualityConfig,
  paddingConfig: defaultPaddingConfig,
  authService,
});
export const laxConfig = configWith(defaultAuthenticationService);

export interface Member {
  index: number;
  address: Address;
  did: string;
  key: KeyPair;
  kp: { publicPackage: KeyPackage; privatePackage: PrivateKeyPackage };
  state: ClientState;
  guard: GroupGuard;
}

type Env = Awaited<ReturnType<typeof setup>>;

/** The identity of account `index` with a fresh `type` signature key published for authentication. */
export async function publishMember(env: Env, index: number, type: "Ed25519" | "P256", cs: CiphersuiteImpl, resolver: MemberResolver) {
  const address = env.addresses[index];
  const did = `did:sigil:local:${address.toLowerCase()}`;
  const key = generateKeyPair(type);
  await env.send(index, { type: "setAttribute", identity: address, ...publicKeyAttribute(type, "sigAuth", key.publicKey), validity: DAY });
  const kp = await keyPackage(did, key, cs);
  return { index, address, did, key, kp, state: undefined as unknown as ClientState, guard: createGroupGuard(resolver) } as Member;
}

/** A key package for `did` signed with `key` (ts-mls takes the key pair as is). */
export const keyPackage = (did: string, key: KeyPair, cs: CiphersuiteImpl) =>
  generateKeyPackageWithKey(
    didCredential(did),
    defaultCapabilities(),
    defaultLifetime,
    [],
    { signKey: key.secretKey, publicKey: key.publicKey },
    cs,
  );

/** Through the wire codec, as a peer would receive it. */
export function wire(message: MLSMessage): MLSMessage {
  return decodeMlsMessage(encodeMlsMessage(message), 0)![0];
}

/** `creator` founds a group and adds the others with one commit; each joins from the welcome. */
export async function formGroup(creator: Member, others: Member[], cs: CiphersuiteImpl, resolver: MemberResolver) {
  const config = sigilClientConfig(resolver);
  creator.state = await createGroup(
    new TextEncoder().encode("sigil-mls-test"),
    creator.kp.publicPackage,
    creator.kp.privatePackage,
    [],
    cs,
    config,
  );
  const adds: Proposal[] = others.map((m) => ({ proposalType: "add", add: { keyPackage: m.kp.publicPackage } }));
  const commit = await createCommit({ state: creator.state, cipherSuite: cs }, { extraProposals: adds });
  creator.state = commit.newState;
  for (const m of others)
    m.state = await joinGroup(
      commit.welcome!,
      m.kp.publicPackage,
      m.kp.privatePackage,
      emptyPskIndex,
      cs,
      creator.state.ratchetTree,
      undefined,
      config,
    );
}

/** Processes `message` at `member` through its guard (what an app calls instead of ts-mls's process functions). */
export async function receive(member: Member, message: MLSMessage, cs: CiphersuiteImpl) {
  const m = wire(message);
  if (m.wireformat === "mls_private_message") return member.guard.processPrivateMessage(member.state, m.privateMessage, emptyPskIndex, cs);
  if (m.wireformat === "mls_public_message") return member.guard.processPublicMessage(member.state, m.publicMessage, emptyPskIndex, cs);
  throw new Error(`not a group message: ${m.wireformat}`);
}

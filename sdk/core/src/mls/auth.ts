// ts-mls's authentication service for DID-identified members, and the batched check that a whole
// group is still authorised. ts-mls asks the service only when a leaf enters or changes (a key
// package added, an update, a commit's path, a join's tree), never again: a key voided later
// keeps its leaf, which is why the batched check and the guard (guard.ts) exist.
import {
  defaultKeyPackageEqualityConfig,
  defaultKeyRetentionConfig,
  defaultLifetimeConfig,
  defaultPaddingConfig,
  type AuthenticationService,
  type ClientConfig,
  type ClientState,
  type Credential,
  type LeafNode,
} from "ts-mls";
import type { DIDResolutionResult } from "did-resolver";
import { InvalidInputError } from "../errors.ts";
import { resolveAll, type WatchableResolver } from "../messaging/watch.ts";
import { didOfCredential } from "./credential.ts";
import { judgeMember, type MemberVerdict, type StaleReason } from "./judge.ts";

/** Any did-resolver `Resolver` (a verifying or private one included) or a Sigil resolver (batched). */
export type MemberResolver = WatchableResolver;

/** One occupied leaf of a group: its index, its signature key and the DID its credential names. */
export interface GroupMember {
  leafIndex: number;
  /** undefined when the credential is not a basic credential naming a DID. */
  did: string | undefined;
  signaturePublicKey: Uint8Array;
}

/** A member whose leaf key its DID no longer authorises, and why. */
export interface StaleMember extends GroupMember {
  reason: StaleReason;
  message: string;
}

/** The outcome of checking a group: who is stale, who could not be checked (resolver failure: retry). */
export interface GroupCheck {
  members: GroupMember[];
  stale: StaleMember[];
  unchecked: (GroupMember & { message: string })[];
}

/** Refuses what cannot resolve a DID, when it is given rather than at the first message. */
export function requireResolver(resolver: MemberResolver): void {
  const r = resolver as Partial<Record<"resolve" | "resolveMany", unknown>> | null | undefined;
  if (!r || (typeof r.resolve !== "function" && typeof r.resolveMany !== "function"))
    throw new InvalidInputError({
      what: "resolver",
      value: String(resolver),
      expected: "a did-resolver Resolver or a Sigil resolver (createSigilResolver): something with resolve() or resolveMany()",
    });
}

async function resolveOne(resolver: MemberResolver, did: string): Promise<DIDResolutionResult> {
  return (await resolveAll(resolver, [did]))[0];
}

/** A resolver that threw, as a result (a resolver is meant to answer errors, not throw them). */
const thrown = (error: unknown): DIDResolutionResult => ({
  didResolutionMetadata: { error: "internalError", message: error instanceof Error ? error.message : String(error) },
  didDocument: null,
  didDocumentMetadata: {},
});

/**
 * Checks one credential and key now: the credential names a DID that resolves, is not
 * deactivated and lists the key under `authentication`. Never throws; the verdict says why not.
 */
export async function checkCredential(
  resolver: MemberResolver,
  credential: Credential,
  signaturePublicKey: Uint8Array,
): Promise<MemberVerdict> {
  const did = didOfCredential(credential);
  if (did === undefined)
    return { ok: false, reason: "notDidCredential", message: "the credential is not a basic credential whose identity is a DID" };
  const result = await resolveOne(resolver, did).catch(thrown);
  return judgeMember(did, signaturePublicKey, result);
}

/**
 * ts-mls's `AuthenticationService` (ClientConfig.authService) backed by DID resolution: a leaf is
 * accepted only when `checkCredential` says its key authenticates its DID as of now. Pass a
 * verifying or private resolver to avoid trusting one RPC node. `onRefusal` hears every refusal
 * (ts-mls itself reports only "invalid credential").
 */
export function createSigilAuthService(
  resolver: MemberResolver,
  options: { onRefusal?: (verdict: Extract<MemberVerdict, { ok: false }>) => void } = {},
): AuthenticationService {
  requireResolver(resolver);
  return {
    async validateCredential(credential: Credential, signaturePublicKey: Uint8Array): Promise<boolean> {
      const verdict = await checkCredential(resolver, credential, signaturePublicKey);
      if (!verdict.ok) options.onRefusal?.(verdict);
      return verdict.ok;
    },
  };
}

/** ts-mls's default ClientConfig with `createSigilAuthService(resolver, options)` as its authService (createGroup, joinGroup). */
export function sigilClientConfig(resolver: MemberResolver, options: Parameters<typeof createSigilAuthService>[1] = {}): ClientConfig {
  return {
    keyRetentionConfig: defaultKeyRetentionConfig,
    lifetimeConfig: defaultLifetimeConfig,
    keyPackageEqualityConfig: defaultKeyPackageEqualityConfig,
    paddingConfig: defaultPaddingConfig,
    authService: createSigilAuthService(resolver, options),
  };
}

/** Every occupied leaf of the group state's ratchet tree (leaf i is node 2i, RFC 9420 §7.8). */
export function groupMembers(state: Pick<ClientState, "ratchetTree">): GroupMember[] {
  const members: GroupMember[] = [];
  state.ratchetTree.forEach((node, i) => {
    if (i % 2 !== 0 || node?.nodeType !== "leaf") return;
    members.push(memberOf(i / 2, node.leaf));
  });
  return members;
}

/** The member at one leaf. */
export function memberOf(leafIndex: number, leaf: LeafNode): GroupMember {
  return { leafIndex, did: didOfCredential(leaf.credential), signaturePublicKey: leaf.signaturePublicKey };
}

/**
 * Checks every member of a group as of now with ONE `resolveMany` for all their DIDs (each DID
 * once; a resolver without resolveMany is asked once per DID). A member is stale when its DID
 * is deactivated, does not exist, or no longer lists its leaf key under authentication; a
 * resolver failure puts it in `unchecked` instead (nothing is known: keep it, check again).
 */
export async function checkGroupMembers(resolver: MemberResolver, state: Pick<ClientState, "ratchetTree">): Promise<GroupCheck> {
  requireResolver(resolver);
  const members = groupMembers(state);
  const dids = [...new Set(members.flatMap((m) => (m.did === undefined ? [] : [m.did])))];
  const results = dids.length === 0 ? [] : await resolveAll(resolver, dids).catch((e: unknown) => dids.map(() => thrown(e)));
  const byDid = new Map(dids.map((did, i) => [did, results[i]]));
  const check: GroupCheck = { members, stale: [], unchecked: [] };
  for (const member of members) {
    if (member.did === undefined) {
      check.stale.push({
        ...member,
        reason: "notDidCredential",
        message: "the credential is not a basic credential whose identity is a DID",
      });
      continue;
    }
    const verdict = judgeMember(member.did, member.signaturePublicKey, byDid.get(member.did)!);
    if (verdict.ok) continue;
    if (verdict.retry) check.unchecked.push({ ...member, message: verdict.message });
    else check.stale.push({ ...member, reason: verdict.reason, message: verdict.message });
  }
  return check;
}

// A group guard: the keys of members whose DIDs voided them, and ts-mls's processing wrapped so
// that every commit, proposal and application message signed by such a key is refused before
// ts-mls applies it. MLS authenticates a sender by its leaf key and checks that key's credential
// only when the leaf enters, so without this a thief holding a rotated-away key keeps speaking
// for its leaf until someone removes it.
import {
  processPrivateMessage,
  processPublicMessage,
  type ClientState,
  type CiphersuiteImpl,
  type IncomingMessageCallback,
  type NewStateWithActionTaken,
  type PrivateMessage,
  type ProcessMessageResult,
  type Proposal,
  type PskIndex,
  type PublicMessage,
} from "ts-mls";
// Not in ts-mls's index, but in its package exports ("./*.js"): decrypting only the sender data
// tells who sent a PrivateMessage without ratcheting the secret tree (RFC 9420 §6.3.2).
import { decryptSenderData } from "ts-mls/privateMessage.js";
import { bytesToHex } from "viem";
import { MessageError } from "../errors.ts";
import {
  checkGroupMembers,
  groupMembers,
  memberOf,
  type GroupCheck,
  requireResolver,
  type GroupMember,
  type MemberResolver,
  type StaleMember,
} from "./auth.ts";

/** Refusal of an MLS message whose sender's leaf key is stale; `member` says whose and why. */
export class StaleMemberError extends MessageError {
  override name = "StaleMemberError";
  readonly member: StaleMember;
  readonly contentType: "application" | "proposal" | "commit";
  constructor(member: StaleMember, contentType: "application" | "proposal" | "commit", what = `an MLS ${contentType}`) {
    super(
      "staleMember",
      `refused ${what} from leaf ${member.leafIndex} (${member.did ?? "no DID"})`,
      `${member.message}; remove the leaf (guard.prepareRemoval) and let the member rejoin with a key package for its current key`,
    );
    this.member = member;
    this.contentType = contentType;
  }
}

export interface GroupGuard {
  /** Marks members stale: from now on nothing signed by their leaf keys is accepted. Returns those newly marked. */
  markStale(members: readonly StaleMember[]): StaleMember[];
  /** The stale record of a signature key, if it is marked. */
  staleKey(signaturePublicKey: Uint8Array): StaleMember | undefined;
  /** The members of `state` whose leaf keys are marked (their current leaf indices). */
  staleMembers(state: ClientState): StaleMember[];
  /** `checkGroupMembers` (one resolveMany for the group), marking every stale member it finds. */
  check(state: ClientState): Promise<GroupCheck>;
  /** Who sent a message, from its sender data (PrivateMessage) or its framing (PublicMessage); undefined when ts-mls will refuse it anyway. */
  senderOf(state: ClientState, message: PrivateMessage | PublicMessage, cs: CiphersuiteImpl): Promise<GroupMember | undefined>;
  /** ts-mls's IncomingMessageCallback refusing proposals from stale leaves and commits carrying them; `inner` decides the rest. */
  callback(state: ClientState, inner?: IncomingMessageCallback): IncomingMessageCallback;
  /** ts-mls's processPrivateMessage, same arguments, refusing a stale sender. @throws StaleMemberError */
  processPrivateMessage(
    state: ClientState,
    pm: PrivateMessage,
    pskIndex: PskIndex,
    cs: CiphersuiteImpl,
    callback?: IncomingMessageCallback,
  ): Promise<ProcessMessageResult>;
  /** ts-mls's processPublicMessage, same arguments, refusing a stale sender. @throws StaleMemberError */
  processPublicMessage(
    state: ClientState,
    pm: PublicMessage,
    pskIndex: PskIndex,
    cs: CiphersuiteImpl,
    callback?: IncomingMessageCallback,
  ): Promise<NewStateWithActionTaken>;
  /** For an honest member's commit: the state without stale members' pending proposals, and a remove proposal per stale leaf
   * (`createCommit({ state, cipherSuite }, { extraProposals: proposals })`). */
  prepareRemoval(state: ClientState): { state: ClientState; proposals: Proposal[] };
}

const isPrivate = (m: PrivateMessage | PublicMessage): m is PrivateMessage => "encryptedSenderData" in m;

/**
 * A guard for one member's groups. `resolver`: any did-resolver Resolvable or a Sigil resolver
 * (batched), used by `check`; a watcher (watch.ts) marks members stale as their DIDs change.
 */
export function createGroupGuard(resolver: MemberResolver): GroupGuard {
  requireResolver(resolver);
  const stale = new Map<string, StaleMember>();
  const staleKey = (key: Uint8Array) => stale.get(bytesToHex(key));
  const staleAt = (state: Pick<ClientState, "ratchetTree">, leafIndex: number | undefined) => {
    if (leafIndex === undefined) return undefined;
    const node = state.ratchetTree[leafIndex * 2];
    const mark = node?.nodeType === "leaf" ? staleKey(node.leaf.signaturePublicKey) : undefined;
    return mark && { ...mark, leafIndex };
  };
  const guard: GroupGuard = {
    markStale(members) {
      const added = members.filter((m) => !stale.has(bytesToHex(m.signaturePublicKey)));
      for (const m of members) stale.set(bytesToHex(m.signaturePublicKey), m);
      return added;
    },
    staleKey,
    staleMembers: (state) => groupMembers(state).flatMap((m) => staleAt(state, m.leafIndex) ?? []),
    async check(state) {
      const result = await checkGroupMembers(resolver, state);
      guard.markStale(result.stale);
      return result;
    },
    async senderOf(state, message, cs) {
      if (!isPrivate(message)) {
        const { sender } = message.content;
        if (sender.senderType !== "member") return undefined; // a new member: its leaf is checked by the auth service
        const node = state.ratchetTree[sender.leafIndex * 2];
        return node?.nodeType === "leaf" ? memberOf(sender.leafIndex, node.leaf) : undefined;
      }
      const epoch =
        message.epoch === state.groupContext.epoch
          ? { senderDataSecret: state.keySchedule.senderDataSecret, ratchetTree: state.ratchetTree }
          : state.historicalReceiverData.get(message.epoch);
      if (!epoch) return undefined;
      const data = await decryptSenderData(message, epoch.senderDataSecret, cs).catch(() => undefined);
      const node = data && epoch.ratchetTree[data.leafIndex * 2];
      return node?.nodeType === "leaf" ? memberOf(data!.leafIndex, node.leaf) : undefined;
    },
    callback: (state, inner) => refusals((leaf) => staleAt(state, leaf)).callback(inner),
    async processPrivateMessage(state, pm, pskIndex, cs, callback) {
      await refuseStaleSender(state, pm, cs, pm.contentType);
      const refused = refusals((leaf) => staleAt(state, leaf));
      const result = await processPrivateMessage(state, pm, pskIndex, cs, refused.callback(callback));
      refused.throwIfAny();
      return result;
    },
    async processPublicMessage(state, pm, pskIndex, cs, callback) {
      await refuseStaleSender(state, pm, cs, pm.content.contentType);
      const refused = refusals((leaf) => staleAt(state, leaf));
      const result = await processPublicMessage(state, pm, pskIndex, cs, refused.callback(callback));
      refused.throwIfAny();
      return result;
    },
    prepareRemoval(state) {
      const pending = Object.entries(state.unappliedProposals).filter(([, p]) => !staleAt(state, p.senderLeafIndex));
      const proposals: Proposal[] = guard.staleMembers(state).map((m) => ({ proposalType: "remove", remove: { removed: m.leafIndex } }));
      return { state: { ...state, unappliedProposals: Object.fromEntries(pending) }, proposals };
    },
  };

  async function refuseStaleSender(
    state: ClientState,
    message: PrivateMessage | PublicMessage,
    cs: CiphersuiteImpl,
    contentType: "application" | "proposal" | "commit",
  ) {
    const sender = await guard.senderOf(state, message, cs);
    const mark = sender && staleKey(sender.signaturePublicKey);
    if (mark) throw new StaleMemberError({ ...mark, leafIndex: sender.leafIndex }, contentType);
  }

  return guard;
}

/** The guard's callback for one processing, remembering whether it (not the app's) refused. */
function refusals(staleAt: (leafIndex: number | undefined) => StaleMember | undefined) {
  let refusal: StaleMemberError | undefined;
  return {
    callback:
      (inner?: IncomingMessageCallback): IncomingMessageCallback =>
      (incoming) => {
        const senders = incoming.kind === "commit" ? incoming.proposals.map((p) => p.senderLeafIndex) : [incoming.proposal.senderLeafIndex];
        const mark = senders.map(staleAt).find((m) => m !== undefined);
        if (mark) {
          refusal = new StaleMemberError(mark, incoming.kind, `a ${incoming.kind} carrying a proposal`);
          return "reject";
        }
        return inner ? inner(incoming) : "accept";
      },
    throwIfAny: () => {
      if (refusal) throw refusal;
    },
  };
}

// The Act panel's guardian recovery: as a guardian (with the card the owner gave), propose a
// recovery or approve an open one; as the owner, cancel one with the next key; as anyone, finalise
// a recovery that is ready or apply a guardian change that waited its delay.
import { getAddress, isHex, zeroHash, type Hex } from "viem";
import { proposalOf } from "sigil-did/internal";
import { checkbox, field, h } from "./dom.ts";
import { fileText, parseJson } from "./files.ts";
import { actionForm, block, choice, hexInput, hint } from "./forms.ts";
import { readAddress, readNextKey } from "./key-files.ts";
import type { SigilMeta } from "./meta.ts";
import { keyActor } from "./session.ts";
import type { SubmitContext } from "./submit.ts";

export interface RecoveryContext extends SubmitContext {
  identity: `0x${string}`;
  sigil: SigilMeta | undefined;
}

type Recovery = SigilMeta["recoveries"][number];

/** The guardian card (picked or pasted), read and checked against the DID and the key acting. */
function guardianCard(ctx: RecoveryContext) {
  const file = h("input", { type: "file", name: "guardian-card", accept: ".json,application/json" });
  const paste = h("textarea", {
    name: "guardian-card-text",
    rows: 3,
    spellcheck: "false",
    placeholder: '{"guardian": "0x…", "salt": "0x…", "proof": […], …}',
  });
  const read = async () => {
    const text = (await fileText(file)) ?? paste.value;
    if (!text.trim()) throw new Error("Load your guardian card first.");
    const card = parseJson<{ identity?: string; guardian?: string; salt?: string; proof?: string[] }>(text, "guardian card");
    if (!card.guardian || !isHex(card.salt ?? "") || !Array.isArray(card.proof))
      throw new Error("this is not a guardian card (it needs guardian, salt and proof)");
    if (card.identity && card.identity.toLowerCase() !== ctx.identity.toLowerCase())
      throw new Error(`this guardian card is for ${card.identity}, not for this DID`);
    const actor = ctx.session.controller();
    if (actor.address.toLowerCase() !== card.guardian.toLowerCase()) {
      throw new Error(`this card is guardian ${card.guardian}'s: act with that key (now acting as ${actor.address})`);
    }
    return { proof: { guardian: getAddress(card.guardian), salt: card.salt as Hex, proof: card.proof as Hex[] }, actor };
  };
  return {
    fields: [field("Guardian card", file, "The card the owner gave you (sigil guardians set writes them)."), field("…or paste it", paste)],
    read,
  };
}

type Card = ReturnType<typeof guardianCard>;

function proposeForm(ctx: RecoveryContext, card: Card): HTMLFormElement {
  const newOwner = hexInput("recovery-new-owner", "0x… (the owner's new key)");
  const commitment = hexInput("recovery-commitment", "0x… (optional)");
  const purge = checkbox("Void everything published before (purge)", { name: "recovery-purge", checked: true });
  const commitmentHint = "The owner generates a next key and tells you its commitment; leave empty to recover without one.";
  const fields = [field("New controller", newOwner), field("Owner's next-key commitment", commitment, commitmentHint), purge.el];
  const prepare = async () => {
    const { proof, actor } = await card.read();
    const c = commitment.value.trim();
    if (c && (!isHex(c) || c.length !== 66)) throw new Error("the commitment must be 32 bytes of hex");
    const recovery = {
      newOwner: readAddress(newOwner.value, "the new controller"),
      nextCommitment: (c || zeroHash) as Hex,
      purge: purge.input.checked,
    };
    return { op: { type: "approveRecovery" as const, identity: ctx.identity, recovery, proof }, authoriser: actor };
  };
  return actionForm(ctx, "recovery-start", fields, prepare, { sendLabel: "Check and propose" });
}

const approvals = (r: Recovery) =>
  `${r.approvals}${r.threshold ? ` of ${r.threshold}` : ""} approval${(r.threshold ?? r.approvals) === 1 ? "" : "s"}`;

function approveForm(ctx: RecoveryContext, card: Card, open: Recovery[]): HTMLElement {
  if (!open.length) return h("p", { class: "muted" }, "No recovery is open.");
  const which = choice(
    "recovery",
    open.map((r) => ({ label: `${r.status}: new controller ${r.newOwner}, ${approvals(r)}` })),
  );
  const prepare = async () => {
    const { proof, actor } = await card.read();
    return {
      op: { type: "approveRecovery" as const, identity: ctx.identity, recovery: proposalOf(open[which.index()]), proof },
      authoriser: actor,
    };
  };
  return actionForm(ctx, "recovery-approve", [which.el], prepare, { sendLabel: "Check and approve" });
}

function finalizeForm(ctx: RecoveryContext, open: Recovery[]): HTMLElement {
  const ready = open.filter((r) => r.status === "ready" || r.status === "armed");
  if (!ready.length) return h("p", { class: "muted" }, "No recovery is armed.");
  const which = choice(
    "finalize",
    ready.map((r) => ({ label: `${r.status}: new controller ${r.newOwner}` })),
  );
  const prepare = () => ({
    op: { type: "finalizeRecovery" as const, identity: ctx.identity, recovery: proposalOf(ready[which.index()]) },
    authoriser: ctx.session.controller(),
  });
  return actionForm(ctx, "recovery-finalize", [which.el], prepare, { signable: false, sendLabel: "Check and finalise" });
}

function cancelForm(ctx: RecoveryContext): HTMLFormElement {
  const file = h("input", { type: "file", name: "cancel-next-key-file", accept: ".json,application/json" });
  const fields = [
    hint("As the owner: your next key cancels a recovery you did not ask for, if it was committed at least one delay before the recovery."),
    field("Next-key file", file),
  ];
  const prepare = async () => {
    const text = await fileText(file);
    if (!text) throw new Error("Load your next-key file first.");
    const next = readNextKey(text);
    return {
      op: { type: "cancelRecovery" as const, identity: ctx.identity, salt: next.salt },
      authoriser: keyActor(ctx.chain, next.privateKey, "next"),
    };
  };
  return actionForm(ctx, "recovery-cancel", fields, prepare, { sendLabel: "Check and cancel" });
}

function applyGuardiansForm(ctx: RecoveryContext): HTMLFormElement | null {
  const pending = ctx.sigil?.pendingGuardianChange;
  if (!pending?.canBeApplied) return null;
  const what = pending.removesGuardians ? "The removal of the guardians" : "A new guardian set";
  const prepare = () => ({ op: { type: "applyGuardians" as const, identity: ctx.identity }, authoriser: ctx.session.controller() });
  const fields = [hint(`${what} waited its delay: anyone may now make it effective.`)];
  return actionForm(ctx, "guardians-apply", fields, prepare, { signable: false, sendLabel: "Check and apply" });
}

/** "Guardian recovery": every form of it, by who acts. */
export function recoveryBlock(ctx: RecoveryContext): HTMLDetailsElement {
  const card = guardianCard(ctx);
  const open = ctx.sigil?.recoveries ?? [];
  return block(
    "recovery",
    "Guardian recovery",
    h("h4", undefined, "As a guardian"),
    ...card.fields,
    h("h5", undefined, "Propose a recovery"),
    proposeForm(ctx, card),
    h("h5", undefined, "Approve a proposal"),
    approveForm(ctx, card, open),
    h("h4", undefined, "As the owner"),
    cancelForm(ctx),
    h("h4", undefined, "Anyone"),
    applyGuardiansForm(ctx),
    finalizeForm(ctx, open),
  );
}

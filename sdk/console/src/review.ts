// The review shown before anything is signed, as wallets show one: what changes (in words, from
// the operation itself, not from the form), on which DID, chain and registry, who signs and who
// pays the gas. A key held in the page signs nothing that was not confirmed here; a wallet shows
// its own prompt after this one.
import { hexToString, zeroAddress, zeroHash, type Hex } from "viem";
import type { Operation } from "sigil-did";
import { h } from "./dom.ts";
import { nameOf, short, span } from "./format.ts";

const PURPOSE: Record<string, string> = {
  sigAuth: "may log in and sign as this DID",
  veriKey: "may sign as this DID",
  enc: "receives messages encrypted to this DID",
};

function text(value: Hex): string {
  try {
    return hexToString(value);
  } catch {
    return value;
  }
}

const approvals = (n: bigint) => `${n} approval${n === 1n ? "" : "s"}`;

const validFor = (seconds: bigint) => `, for ${span(Number(seconds))}`;

/** The guardian set a rotation or recovery puts in place, in words ("" when it keeps the set). */
function guardiansAfter(update: { replace: boolean; root: Hex; threshold: bigint; delay: bigint } | undefined): string {
  if (!update?.replace) return "";
  if (update.root === zeroHash) return "; the guardians are removed";
  return `; new guardians: ${approvals(update.threshold)} needed, then a ${span(Number(update.delay))} wait`;
}

/** An attribute in words: a service (its type and endpoint) or a public key (its type and use). */
function attribute(name: Hex, value: Hex): { what: "service" | "key" | "attribute"; words: string } {
  const n = nameOf(name) ?? name;
  const svc = /^did\/svc\/(\w+)/.exec(n);
  if (svc) return { what: "service", words: `${svc[1]} ${text(value)}` };
  const pub = /^did\/pub\/(\w+)\/(\w+)/.exec(n);
  if (pub) return { what: "key", words: `${pub[1]} ${short(value, 8)}, which ${PURPOSE[pub[2]] ?? pub[2]}` };
  return { what: "attribute", words: `${n} = ${short(value, 8)}` };
}

/** What a delegate of this type may do, in words. */
const mayDo = (delegateType: Hex) => PURPOSE[nameOf(delegateType) ?? ""] ?? `is a ${nameOf(delegateType)} delegate`;

/** The purge's words, as a clause. */
const voids = (purge: boolean, yes: string, no = "") => (purge ? yes : no);

/** What `op` changes, in one sentence. */
export function describeOperation(op: Operation): string {
  switch (op.type) {
    case "addDelegate":
      return `Add the key: address ${op.delegate}, which ${mayDo(op.delegateType)}${validFor(op.validity)}.`;
    case "revokeDelegate":
      return `Revoke the key: address ${op.delegate} (${PURPOSE[nameOf(op.delegateType) ?? ""] ?? nameOf(op.delegateType)}).`;
    case "setAttribute": {
      const a = attribute(op.name, op.value);
      return `Add the ${a.what} ${a.words}${validFor(op.validity)}.`;
    }
    case "revokeAttribute": {
      const a = attribute(op.name, op.value);
      return `${a.what === "service" ? "Remove" : "Revoke"} the ${a.what} ${a.words}.`;
    }
    case "commitNextOwner":
      return (
        `Commit to a next key (only its hash, ${short(op.commitment, 8)}, is ` +
        `published). Whoever holds that key can take this DID back after a theft.`
      );
    case "rotate":
      if (op.newOwner === zeroAddress) return "Deactivate this DID for ever with the next key: no controller, no keys. Nobody can undo it.";
      return (
        `Rotate with the next key: ${op.newOwner} becomes the controller` +
        voids(op.purge, "; everything published before (keys, services) is void", "; earlier keys and services are kept") +
        (op.nextCommitment === zeroHash ? "; no new next key is committed" : "; a fresh next key is committed") +
        `${guardiansAfter(op.guardians)}.`
      );
    case "deactivate":
      return "Deactivate this DID for ever: it will have no keys. Nobody, not you, not your guardians, can undo it.";
    case "changeOwner":
      return `Make ${op.newOwner} the controller.`;
    case "revokeEntries":
      return `Revoke ${op.revokeDelegates.length + op.revokeAttributes.length} keys and services.`;
    case "setGuardians":
      return `Set guardians: ${approvals(op.threshold)} needed, then a ${span(Number(op.delay))} wait.`;
    case "applyGuardians":
      return "Make the pending guardian change effective.";
    case "approveRecovery":
      return (
        `As guardian ${op.proof.guardian}: approve the recovery that makes ${op.recovery.newOwner} the controller` +
        voids(op.recovery.purge, " and voids everything published before") +
        (op.recovery.nextCommitment === zeroHash ? ", without a next key" : "") +
        `${guardiansAfter(op.recovery.guardians)} (it is proposed if nobody has yet).`
      );
    case "cancelRecovery":
      return "Cancel the pending recovery with the next key.";
    case "finalizeRecovery":
      return (
        `Finalise the recovery: ${op.recovery.newOwner} becomes the controller` +
        `${voids(op.recovery.purge, " and everything published before is void")}${guardiansAfter(op.recovery.guardians)}.`
      );
  }
}

export interface ReviewFacts {
  op: Operation;
  did: string;
  chain: string;
  registry: string;
  signedBy: string;
  paidBy: string;
  /** The confirm button's words ("Sign and send", …). */
  confirm: string;
  /** A wallet shows its own prompt next. */
  wallet?: boolean;
}

/** Shows the review as a modal dialog; resolves true when confirmed, false when cancelled (or Escape). */
export function review(facts: ReviewFacts): Promise<boolean> {
  const row = (term: string, value: string, mono = false) => [
    h("dt", undefined, term),
    h("dd", undefined, mono ? h("code", { class: "mono" }, value) : value),
  ];
  const dialog = h(
    "dialog",
    { class: "review", "data-review": facts.op.type, "aria-labelledby": "review-title" },
    h("h2", { id: "review-title" }, "Review before signing"),
    h("p", { class: "review-what" }, describeOperation(facts.op)),
    h(
      "dl",
      { class: "facts" },
      ...row("DID", facts.did, true),
      ...row("Chain", facts.chain),
      ...row("Registry", facts.registry, true),
      ...row("Signed by", facts.signedBy),
      ...row("Gas paid by", facts.paidBy),
    ),
    facts.wallet ? h("p", { class: "hint" }, "Your wallet asks you again next: check that it shows the same chain and registry.") : null,
    h(
      "div",
      { class: "buttons" },
      h("button", { type: "button", "data-action": "confirm" }, facts.confirm),
      h("button", { type: "button", class: "secondary", "data-action": "cancel" }, "Cancel"),
    ),
  );
  return new Promise((resolve) => {
    let answered = false;
    const answer = (yes: boolean) => {
      if (answered) return;
      answered = true;
      dialog.close();
      dialog.remove();
      resolve(yes);
    };
    dialog.querySelector('[data-action="confirm"]')!.addEventListener("click", () => answer(true));
    dialog.querySelector('[data-action="cancel"]')!.addEventListener("click", () => answer(false));
    dialog.addEventListener("close", () => answer(false));
    document.body.append(dialog);
    dialog.showModal();
    (dialog.querySelector('[data-action="cancel"]') as HTMLElement).focus();
  });
}

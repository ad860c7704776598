// Acting on a DID from the page: as the controller with an injected wallet (EIP-1193:
// MetaMask-style) or with a key pasted or generated here (kept in this tab's memory only), or
// with the next key from its file (rotation, cancelling a recovery), or as a guardian with a
// guardian card. The forms (act-*.ts) build operations; submit.ts checks, reviews, signs and sends them.
import { activeEntries } from "sigil-did/internal";
import { field, h } from "./dom.ts";
import { actionForm, block, hint } from "./forms.ts";
import { keysBlock, servicesBlock } from "./act-entries.ts";
import { devicesBlock } from "./act-devices.ts";
import { recoveryBlock } from "./act-recovery.ts";
import { commitBlock, rotateBlock } from "./act-rotation.ts";
import { sigilMeta, type History, type Resolution } from "./meta.ts";
import { signersPanel } from "./signers.ts";
import type { SubmitContext } from "./submit.ts";

// The page creates the tab's session with the first Act panel it draws (this chunk loads then).
export { Session } from "./session.ts";

export interface ActContext extends SubmitContext {
  identity: `0x${string}`;
  result: Resolution;
  history: History;
}

/** The Act panel for the DID shown: the signers, then a block per kind of change. */
export function actView(ctx: ActContext): HTMLElement {
  const { result, history } = ctx;
  if (result.didDocumentMetadata.deactivated === true) {
    return h("div", { class: "act-panel" }, h("p", { class: "muted" }, "This DID is deactivated: nothing can change it any more."));
  }
  const sigil = sigilMeta(result);
  const live = history ? activeEntries(history.events, history.head.timestamp) : { delegates: [], attributes: [] };
  const forms = { ...ctx, sigil, live };
  return h(
    "div",
    { class: "act-panel" },
    signersPanel(ctx.session, ctx.chain, sigil?.owner.toLowerCase(), ctx.explorer),
    keysBlock(forms),
    devicesBlock(forms),
    servicesBlock(forms),
    commitBlock(forms),
    rotateBlock(forms),
    recoveryBlock(forms),
    block("deactivate", "Deactivate this DID", deactivateForm(ctx)),
  );
}

function deactivateForm(ctx: ActContext): HTMLFormElement {
  const confirmText = h("input", { type: "text", name: "confirm", autocomplete: "off", spellcheck: "false" });
  const fields = [
    hint("Deactivation is final: the DID will have no keys, for ever. Nobody — not you, not your guardians — can undo it.", "warn-text"),
    field("Type DEACTIVATE to confirm", confirmText),
  ];
  const prepare = () => {
    if (confirmText.value.trim() !== "DEACTIVATE") throw new Error("Type DEACTIVATE (in capitals) to confirm.");
    return { op: { type: "deactivate" as const, identity: ctx.identity }, authoriser: ctx.session.controller() };
  };
  return actionForm(ctx, "deactivate", fields, prepare, { danger: true, sendLabel: "Check and deactivate" });
}

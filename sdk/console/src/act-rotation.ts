// The Act panel's pre-rotation forms: commit to a next key generated here (only its hash is
// published; the page forgets the key once it is committed), and rotate with the next key from
// its file (optionally purging everything published before, and committing a fresh next key).
import { commitmentOf, generateNextKey, planRotation, type NextKeyCard } from "sigil-did";
import { checkbox, field, fill, h } from "./dom.ts";
import { fileText } from "./files.ts";
import { actionForm, block, hexInput, hint, onOpen } from "./forms.ts";
import { nextKeyCard, readAddress, readNextKey } from "./key-files.ts";
import type { SigilMeta } from "./meta.ts";
import { keyActor } from "./session.ts";
import type { SubmitContext } from "./submit.ts";

export interface RotationContext extends SubmitContext {
  identity: `0x${string}`;
  sigil: SigilMeta | undefined;
}

/** A next key generated in the page, with its card and its "I have saved it" box. */
function generatedKey(did: string, label: string) {
  const holder = h("div");
  let card: NextKeyCard | undefined;
  let saved: HTMLInputElement | undefined;
  return {
    holder,
    generate() {
      card = generateNextKey();
      const view = nextKeyCard(card, did, label);
      saved = view.saved;
      fill(holder, view.el);
    },
    card: () => card,
    saved: () => saved?.checked === true,
    forget: () => (card = undefined),
  };
}

/** "Commit to a next key". */
export function commitBlock(ctx: RotationContext): HTMLDetailsElement {
  const next = generatedKey(ctx.did, "Next key");
  const generate = h("button", { type: "button", class: "secondary", "data-action": "generate-next" }, "Generate a next key");
  generate.addEventListener("click", () => {
    next.generate();
    generate.textContent = "Generate another";
  });
  const fields = [
    hint(
      "Only a hash of the next key is published. Keep the key offline: if your current key " +
        "is stolen, the next key takes the DID back and voids everything the thief published.",
    ),
    h("div", { class: "buttons" }, generate),
    next.holder,
  ];
  const form = actionForm(ctx, "commit", fields, () => {
    const card = next.card();
    if (!card) throw new Error("Generate a next key first, and save it.");
    if (!next.saved()) throw new Error("Save the next key (download or print it) and tick the box first: without it you cannot rotate.");
    const after = () => {
      next.forget(); // the page forgets the key once it is committed
      fill(
        next.holder,
        h("p", { class: "good" }, `Committed to ${card.address}. The page has forgotten the key: keep your saved copy offline.`),
      );
    };
    return {
      op: { type: "commitNextOwner", identity: ctx.identity, commitment: card.commitment },
      authoriser: ctx.session.controller(),
      after,
    };
  });
  return block(
    "commit",
    ctx.sigil?.preRotation ? "Commit to a next key (one is committed already)" : "Commit to a next key (pre-rotation)",
    form,
  );
}

/** The next-key file (picked or pasted), checked against the DID's commitment as soon as it is given. */
function nextKeyInput(sigil: SigilMeta | undefined) {
  const file = h("input", { type: "file", name: "next-key-file", accept: ".json,application/json" });
  const paste = h("textarea", {
    name: "next-key-text",
    rows: 3,
    spellcheck: "false",
    placeholder: '{"privateKey": "0x…", "salt": "0x…", …}',
  });
  const status = h("p", { class: "hint", "aria-live": "polite" });
  const read = async () => {
    const text = (await fileText(file)) ?? paste.value;
    if (!text.trim()) throw new Error("Load your next-key file (or paste it) first.");
    return readNextKey(text);
  };
  const check = async () => {
    try {
      const next = await read();
      const matches = sigil?.nextOwnerCommitment && commitmentOf(next.address, next.salt) === sigil.nextOwnerCommitment;
      status.className = matches ? "good" : "bad";
      status.textContent = matches
        ? `✓ Next key ${next.address} matches this DID's commitment.`
        : `✗ Next key ${next.address} is not the one this DID committed to.`;
    } catch (error) {
      status.className = "bad";
      status.textContent = (error as Error).message;
    }
  };
  file.addEventListener("change", () => void check());
  paste.addEventListener("change", () => void check());
  return {
    fields: [field("Next-key file", file), field("…or paste it", paste), status],
    read,
    clear: () => ((file.value = ""), (paste.value = "")),
  };
}

/** "Rotate with your next key". */
export function rotateBlock(ctx: RotationContext): HTMLDetailsElement {
  const next = nextKeyInput(ctx.sigil);
  const newOwner = hexInput("new-owner", "default: the next key itself");
  const purge = checkbox("Void everything published before (purge): recommended after a theft", { name: "purge", checked: true });
  const fresh = checkbox("Commit to a fresh next key in the same step: recommended", { name: "fresh", checked: true });
  // Generated when the form is first opened (a key pair costs a few curve operations).
  const freshKey = generatedKey(ctx.did, "Fresh next key");
  const ensureFresh = () => void (freshKey.card() ?? freshKey.generate());
  fresh.input.addEventListener("change", () => {
    freshKey.holder.hidden = !fresh.input.checked;
    if (fresh.input.checked) ensureFresh();
  });
  const fields = [
    hint(
      "The next key takes over as controller. With purge, every key and service " +
        "published before — a thief's included — is void at once, whatever their number.",
    ),
    ...next.fields,
    field("New controller (optional)", newOwner, "Leave empty to make the next key the controller."),
    purge.el,
    fresh.el,
    freshKey.holder,
  ];
  const form = actionForm(ctx, "rotate", fields, async () => {
    const key = await next.read();
    if (fresh.input.checked) ensureFresh();
    if (fresh.input.checked && !freshKey.saved()) throw new Error("Save the fresh next key (download or print it) and tick the box first.");
    const plan = planRotation({
      identity: ctx.identity,
      salt: key.salt,
      newOwner: newOwner.value.trim() ? readAddress(newOwner.value, "the new controller") : key.address,
      nextKey: fresh.input.checked ? freshKey.card()! : null,
      purge: purge.input.checked,
    });
    return { op: plan.rotate, authoriser: keyActor(ctx.chain, key.privateKey, "next"), after: next.clear };
  });
  return onOpen(block("rotate", "Rotate with your next key", form), ensureFresh);
}

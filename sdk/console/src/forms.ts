// What every form of the Act panel is made of: a form for one operation (its fields and the ways to
// carry it out: send, sign for the relayer, sign to a file), a choice among published entries, a
// validity in days, and the collapsible block that holds related forms.
import { h, uid } from "./dom.ts";
import { submit, type Prepared, type SubmitContext } from "./submit.ts";

export type Prepare = () => Prepared | Promise<Prepared>;

export interface FormOptions {
  /** False when anyone may send the operation (nothing to sign): no relayer or file buttons. */
  signable?: boolean;
  danger?: boolean;
  sendLabel?: string;
}

/** A form for one operation: its fields, "Check and send", and "Sign to a file" when it can be signed. */
export function actionForm(
  ctx: SubmitContext,
  name: string,
  fields: (Node | null)[],
  prepare: Prepare,
  options: FormOptions = {},
): HTMLFormElement {
  const out = h("div", { class: "out", role: "status", "aria-live": "polite", "data-out": name });
  const locked = ctx.session.locked;
  const signable = options.signable !== false;
  const send = h(
    "button",
    { type: "submit", class: options.danger ? "danger" : "", "data-action": "send", disabled: locked },
    options.sendLabel ?? "Check and send",
  );
  const relay =
    signable && ctx.relayerUrl
      ? h(
          "button",
          {
            type: "button",
            class: "secondary",
            "data-action": "relay",
            disabled: locked,
            onclick: () => void submit(ctx, "relay", prepare, out),
          },
          "Sign and send through the relayer",
        )
      : null;
  const file = signable
    ? h(
        "button",
        {
          type: "button",
          class: "secondary",
          "data-action": "file",
          disabled: locked,
          onclick: () => void submit(ctx, "file", prepare, out),
        },
        "Sign to a file for a relayer",
      )
    : null;
  const onsubmit = (e: Event) => (e.preventDefault(), void submit(ctx, "send", prepare, out));
  return h(
    "form",
    { class: "act-form", "data-form": name, novalidate: true, onsubmit },
    ...fields,
    h("div", { class: "buttons" }, send, relay, file),
    out,
  );
}

/** Radio buttons for one of `items` (the first checked); `index()` is the one checked. */
export function choice(name: string, items: { label: string }[]) {
  const group = uid(name);
  const inputs = items.map((_item, i) => h("input", { type: "radio", name: group, value: String(i), id: uid(name), checked: i === 0 }));
  const rows = items.map((item, i) => h("div", { class: "check" }, inputs[i], h("label", { for: inputs[i].id }, item.label)));
  const el = h("fieldset", { class: "choices" }, h("legend", undefined, "Which one"), ...rows);
  return {
    el,
    index: () =>
      Math.max(
        0,
        inputs.findIndex((r) => r.checked),
      ),
  };
}

/** The "Valid for (days)" input: one year unless changed. */
export const validityInput = () => h("input", { type: "number", name: "validity-days", min: 1, value: 365, inputmode: "numeric" });

/** The validity typed in `input`, in seconds. */
export function days(input: HTMLInputElement): bigint {
  const n = Number(input.value);
  if (!Number.isFinite(n) || n <= 0 || n > 36_500) throw new Error("the validity must be a number of days from 1 to 36500");
  return BigInt(Math.round(n * 86_400));
}

/** A collapsible block of the panel ("Add or revoke a key", …). */
export const block = (name: string, title: string, ...content: (Node | null)[]) =>
  h("details", { class: "act", "data-act": name }, h("summary", undefined, title), ...content);

/** Runs `run` each time `details` opens (work that can wait until someone looks). */
export function onOpen(details: HTMLDetailsElement, run: () => void) {
  details.addEventListener("toggle", () => details.open && run());
  return details;
}

/** An explanation above a form. */
export const hint = (text: string, cls = "hint") => h("p", { class: cls }, text);

/** A text input for hex or an address (no autocomplete, no spelling). */
export const hexInput = (name: string, placeholder: string) =>
  h("input", { type: "text", name, autocomplete: "off", spellcheck: "false", placeholder });

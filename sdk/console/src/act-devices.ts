// The Act panel's "Add or remove a device": a device's Ed25519 and X25519 keys are generated in
// this tab (kept in its memory only, until published or discarded), downloaded for the device,
// then published as three entries, keys first and the label last (the registry takes one entry
// per transaction; a label is trusted only once its keys are there). Removing revokes both keys
// and every label of that name in one transaction, never a key another label also names.
import { bytesToHex } from "viem";
import { addDeviceOperations, checkDeviceName, deviceRemoval, devicesOf, generateDevice, type NewDevice, type Operation } from "sigil-did";
import { field, fill, h } from "./dom.ts";
import { actionForm, block, choice, days, hint, validityInput } from "./forms.ts";
import type { EntriesContext } from "./act-entries.ts";
import { download, toJson } from "./files.ts";
import type { Resolution } from "./meta.ts";

export interface DevicesContext extends EntriesContext {
  result: Resolution;
}

/** A device whose keys were generated here and are not all published yet, per DID (the forms are
 * redrawn after every change; what they are in the middle of must outlive them). */
interface Pending {
  device: NewDevice;
  ops: Operation[];
  saved: boolean;
}
const pending = new Map<string, Pending>();

const STEPS = ["its signing key (Ed25519)", "its encryption key (X25519)", "its name (the device label)"];

/** "Add or remove a device". */
export function devicesBlock(ctx: DevicesContext): HTMLDetailsElement {
  const add = h("div", { "data-devices-add": "" });
  drawAdd(ctx, add);
  return block(
    "devices",
    "Add or remove a device",
    h("h4", undefined, "Add a device"),
    add,
    h("h4", undefined, "Remove a device"),
    removeForm(ctx),
  );
}

const isLive = (ctx: DevicesContext, op: Operation) =>
  op.type === "setAttribute" && ctx.live.attributes.some((a) => a.name === op.name && a.value.toLowerCase() === op.value.toLowerCase());

function drawAdd(ctx: DevicesContext, el: HTMLElement) {
  const key = ctx.did.toLowerCase();
  const p = pending.get(key);
  if (p && p.ops.every((op) => isLive(ctx, op))) pending.delete(key);
  fill(el, pending.has(key) ? publishForm(ctx, el, p!) : generateForm(ctx, el));
}

function keyFile(ctx: DevicesContext, device: NewDevice): string {
  const pair = (k: NewDevice["signing"]) => ({ type: k.type, privateKey: bytesToHex(k.secretKey), publicKey: bytesToHex(k.publicKey) });
  return toJson({
    did: ctx.did,
    device: device.name,
    note: "the secret keys of one device: keep them on that device only",
    signing: pair(device.signing),
    keyAgreement: pair(device.keyAgreement),
  });
}

function generateForm(ctx: DevicesContext, el: HTMLElement): HTMLElement {
  const name = h("input", { type: "text", name: "device-name", autocomplete: "off", spellcheck: "false", placeholder: "phone" });
  const validity = validityInput();
  const out = h("div", { class: "out", role: "status", "aria-live": "polite", "data-out": "generate-device" });
  const generate = () => {
    try {
      const wanted = name.value.trim();
      checkDeviceName(wanted);
      const set = devicesOf(ctx.result);
      const clash = [...set.devices, ...set.ignored].find((d) => d.name?.toLowerCase() === wanted.toLowerCase());
      if (clash) throw new Error(`This DID already has a device label named "${clash.name}": remove it first.`);
      const device = generateDevice(wanted);
      const ops = addDeviceOperations(
        ctx.identity,
        { name: wanted, signingPublicKey: device.signing.publicKey, keyAgreementPublicKey: device.keyAgreement.publicKey },
        days(validity),
      );
      pending.set(ctx.did.toLowerCase(), { device, ops, saved: false });
      drawAdd(ctx, el);
    } catch (error) {
      fill(out, h("p", { class: "fail" }, (error as Error).message));
      out.dataset.outcome = "refused";
    }
  };
  return h(
    "div",
    { class: "act-form" },
    hint(
      "Each device has its own signing and encryption keys, generated here and given to that device; contacts see it by name and their safety numbers with you change.",
    ),
    field("Device name", name, "Letters, digits, space, . _ - (up to 32; no look-alike letters)."),
    field("Valid for (days)", validity),
    h(
      "div",
      { class: "buttons" },
      h("button", { type: "button", "data-action": "generate-device", onclick: generate }, "Generate the device's keys"),
    ),
    out,
  );
}

function publishForm(ctx: DevicesContext, el: HTMLElement, p: Pending): HTMLElement {
  const step = p.ops.findIndex((op) => !isLive(ctx, op));
  const saved = h("input", { type: "checkbox", name: "device-saved", checked: p.saved, onchange: () => (p.saved = saved.checked) });
  const savedId = `device-saved-${p.device.name.replaceAll(" ", "_")}`;
  saved.id = savedId;
  const save = () => download(`${p.device.name.replaceAll(" ", "_")}-device-keys.json`, keyFile(ctx, p.device));
  const discard = () => {
    pending.delete(ctx.did.toLowerCase());
    drawAdd(ctx, el);
  };
  const prepare = () => {
    if (!p.saved) throw new Error("Download the device's secret keys and tick the box first: without them the device cannot sign or read.");
    return { op: p.ops[step], authoriser: ctx.session.controller() };
  };
  return h(
    "div",
    { "data-device-pending": p.device.name },
    h("p", undefined, `Device "${p.device.name}": step ${step + 1} of 3, publish ${STEPS[step]}.`),
    h(
      "div",
      { class: "buttons" },
      h("button", { type: "button", class: "secondary", "data-action": "download-device", onclick: save }, "Download its secret keys"),
      h("button", { type: "button", class: "secondary", "data-action": "discard-device", onclick: discard }, "Discard"),
    ),
    h("div", { class: "check" }, saved, h("label", { for: savedId }, "I have saved the device's secret keys")),
    actionForm(ctx, "add-device", [], prepare, { sendLabel: `Check and publish step ${step + 1}` }),
  );
}

function removeForm(ctx: DevicesContext): HTMLElement {
  const set = devicesOf(ctx.result);
  const names = [...new Set([...set.devices.map((d) => d.name), ...set.ignored.flatMap((i) => (i.name ? [i.name] : []))])];
  if (!names.length) return h("p", { class: "muted" }, "No device is published.");
  const items = names.map((n) => ({ label: set.devices.some((d) => d.name === n) ? n : `${n} (not trusted)`, name: n }));
  const which = choice("remove-device", items);
  return actionForm(ctx, "remove-device", [which.el], () => {
    const removal = deviceRemoval(ctx.identity, items[which.index()].name, ctx.live.attributes);
    if (!removal) throw new Error("That device's label is no longer live: look the DID up again.");
    return { op: removal.operation, authoriser: ctx.session.controller() };
  });
}

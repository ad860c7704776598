// The devices a DID's document declares (SigilDevice labels tying an Ed25519 signing key and an
// X25519 key-agreement key under a name), and the labels the SDK does not trust, with why: a
// correspondent sees which phone or laptop each key is, and a label that lies is shown as such.
// Type only: the SDK loads after the first render (chain.ts); main.ts passes devicesOf's answer.
import type { DeviceSet } from "sigil-did";
import { h } from "./dom.ts";

const PROBLEM_WORDS = {
  malformed: "not a device label",
  keysMissing: "names keys the document does not list",
  nameClaimedTwice: "another label has the same name",
  keyClaimedTwice: "another label claims the same key",
} as const;

const fragment = (id: string) => `#${id.split("#")[1] ?? id}`;

/** The "Devices" section of a document: one item per trusted device, a warning per untrusted label. */
export function devicesView({ devices, ignored }: DeviceSet): HTMLElement {
  if (!devices.length && !ignored.length) return h("p", { class: "muted", "data-devices": "none" }, "none");
  return h(
    "ul",
    { class: "devices" },
    ...devices.map((d) =>
      h(
        "li",
        { "data-device": d.name },
        h("strong", undefined, d.name),
        " signs with ",
        h("code", { class: "mono", title: d.signingKey.publicKeyHex }, fragment(d.signingKey.id)),
        ", receives on ",
        h("code", { class: "mono", title: d.keyAgreementKey.publicKeyHex }, fragment(d.keyAgreementKey.id)),
      ),
    ),
    ...ignored.map((i) =>
      h(
        "li",
        { class: "warn-text", "data-untrusted-label": i.name ?? i.serviceId, "data-problem": i.problem },
        h("strong", undefined, `Not trusted: ${i.name ? `"${i.name}"` : fragment(i.serviceId)}`),
        ` — ${PROBLEM_WORDS[i.problem]} (${i.detail}).`,
      ),
    ),
  );
}

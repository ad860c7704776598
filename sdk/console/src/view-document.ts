// A DID document in words: who controls it, whether a next key protects it, its guardians
// (how many must approve and the delay; never who: the chain does not know), any pending
// recovery, then its keys by what they may do, its services, and the raw JSON one click away.
import { h } from "./dom.ts";
import { devicesView } from "./devices-view.ts";
import type { DeviceSet } from "sigil-did";
import type { Hex } from "viem";
import { sigilMeta, type Resolution, type SigilMeta, type TimedEvent } from "./meta.ts";
import { describe, nameOf, short, span, utf8, when, whenIso } from "./format.ts";
import { ref, type Explorer } from "./links.ts";

type VM = {
  id: string;
  type: string;
  controller?: string;
  blockchainAccountId?: string;
  publicKeyHex?: string;
  publicKeyBase58?: string;
  publicKeyBase64?: string;
  publicKeyMultibase?: string;
  publicKeyJwk?: unknown;
};

const RELATIONSHIPS = [
  ["authentication", "Authentication", "keys that may act and log in as this DID"],
  ["assertionMethod", "Signing (assertionMethod)", "keys whose signatures count as this DID's"],
  ["keyAgreement", "Encryption (keyAgreement)", "keys that messages to this DID are encrypted to"],
] as const;

function material(vm: VM): string {
  if (vm.blockchainAccountId) return vm.blockchainAccountId.split(":").at(-1)!;
  return vm.publicKeyHex ?? vm.publicKeyBase58 ?? vm.publicKeyBase64 ?? vm.publicKeyMultibase ?? JSON.stringify(vm.publicKeyJwk ?? "");
}

function keyItem(vm: VM, explorer: Explorer | undefined) {
  const fragment = vm.id.split("#")[1] ?? vm.id;
  return h(
    "li",
    { class: "key", "data-key": material(vm).toLowerCase() },
    h(
      "span",
      { class: "key-type" },
      vm.blockchainAccountId ? "Ethereum address" : vm.type.replace(/VerificationKey\d+|KeyAgreementKey\d+/, ""),
    ),
    fragment === "controller" ? h("span", { class: "tag" }, "controller") : h("span", { class: "tag quiet" }, `#${fragment}`),
    vm.blockchainAccountId ? ref("address", material(vm), explorer) : h("code", { class: "mono" }, material(vm)),
  );
}

const fact = (term: string, ...value: (Node | string)[]) => [h("dt", undefined, term), h("dd", undefined, ...value)];

/** A past version: its block and time, and the block of the first later purge that voided it, if any. */
export interface Version {
  block: bigint;
  time?: bigint;
  voidedAt?: bigint;
}

/** The status of the document shown: a past version is never "Active" (its keys may be void since). */
function status(deactivated: boolean, version: Version | undefined) {
  if (deactivated) return h("strong", { class: "bad" }, "Deactivated (final)");
  if (version?.voidedAt !== undefined)
    return h(
      "strong",
      { class: "bad", "data-status": "voided" },
      `Void: a rotation at block ${version.voidedAt} voided every key and service of this version`,
    );
  if (version) return h("span", { "data-status": "past" }, "A past version: see the current document for what holds today");
  return h("span", { class: "good", "data-status": "active" }, "Active");
}

type Doc = Record<string, unknown> & {
  id: string;
  verificationMethod?: VM[];
  service?: { id: string; type: string; serviceEndpoint: unknown }[];
};

export interface DocumentOptions {
  version?: Version;
  /** Where addresses link to, if anywhere. */
  explorer?: Explorer;
  onBackToCurrent(): void;
  /** The document's devices (the SDK's devicesOf), when it has loaded. */
  devices?: DeviceSet;
}

export function documentView(result: Resolution, options: DocumentOptions): HTMLElement {
  const meta = result.didResolutionMetadata as { error?: string; message?: string };
  if (meta.error) {
    return h(
      "div",
      { class: "banner danger", role: "alert" },
      h("strong", undefined, "This DID could not be resolved. "),
      meta.message ?? meta.error,
    );
  }
  const doc = result.didDocument as Doc | null;
  const raw = (label: string, value: unknown) =>
    h(
      "details",
      { class: "raw" },
      h("summary", undefined, label),
      h("pre", { tabindex: 0, "aria-label": label }, JSON.stringify(value, null, 2)),
    );
  const resolutionMetadata = { didResolutionMetadata: result.didResolutionMetadata, didDocumentMetadata: result.didDocumentMetadata };
  return h(
    "div",
    { class: "document", "data-version": options.version?.block.toString() ?? "current" },
    options.version ? versionNote(options.version, options.onBackToCurrent) : null,
    trustNote(result, options.version !== undefined),
    facts(result, options),
    h("h3", undefined, "Keys"),
    doc ? keys(doc, options.explorer) : h("p", { class: "muted" }, "A deactivated DID has no document and no keys."),
    h("h3", undefined, "Devices"),
    doc && options.devices ? devicesView(options.devices) : h("p", { class: "muted" }, "none"),
    h("h3", undefined, "Services"),
    services(doc?.service ?? []),
    h("div", { class: "raws" }, raw("Raw DID document", result.didDocument), raw("Resolution metadata", resolutionMetadata)),
  );
}

/** Whether the document was proven (the network's verify) or is the RPC endpoint's word. */
function trustNote(result: Resolution, past: boolean) {
  const v = (result.didResolutionMetadata as { verified?: { blockNumber: string; trust: string } }).verified;
  if (v)
    return h(
      "p",
      { class: "trust good", "data-banner": "verified" },
      `Verified: every key and service was proven against block ${v.blockNumber} (${v.trust}).`,
    );
  return h(
    "p",
    { class: "trust muted", "data-banner": "unverified" },
    past
      ? "Not verified: a past version is what the RPC endpoint says (verification proves current documents only)."
      : "Not verified: this is what the RPC endpoint says. Set verify in config.json to prove it against endpoints that must agree.",
  );
}

/** Above a past version: which one it is, and the way back to today's. */
function versionNote(version: Version, onBackToCurrent: () => void) {
  return h(
    "div",
    { class: "banner info version-note", role: "status" },
    h("strong", undefined, `As it was at block ${version.block}`),
    version.time !== undefined ? ` (${when(version.time)})` : "",
    ". Later changes are not shown. ",
    h("button", { type: "button", class: "link", onclick: onBackToCurrent }, "Back to the current document"),
  );
}

/** Status, controller, pre-rotation, guardians, pending changes and recoveries, first and last change. */
function facts(result: Resolution, { version, explorer }: DocumentOptions): HTMLElement {
  const list = h("dl", { class: "facts" });
  const sigil = sigilMeta(result);
  if (!sigil) return list;
  const m = result.didDocumentMetadata as Record<string, unknown>;
  const deactivated = m.deactivated === true;
  const preRotation = sigil.preRotation
    ? h(
        "span",
        { class: "good" },
        `On: a next key is committed${sigil.commitmentSince ? ` (since ${whenIso(sigil.commitmentSince)})` : ""}. ` +
          `Whoever steals the current key cannot lock the owner out.`,
      )
    : h(
        "span",
        { class: deactivated ? "" : "warn-text" },
        deactivated ? "—" : "Off: no next key is committed. A thief of the current key could take this DID.",
      );
  const g = sigil.guardians;
  list.append(
    ...fact("Status", status(deactivated, version)),
    ...fact("Controller", deactivated ? "none" : ref("address", sigil.owner, explorer)),
    ...fact("Pre-rotation", preRotation),
    ...fact(
      "Guardians",
      g ? `${approvals(g.threshold)} needed, then a ${span(g.delaySeconds)} wait. Who they are is not on chain.` : "None",
    ),
  );
  const p = sigil.pendingGuardianChange;
  if (p) {
    const what = p.removesGuardians ? "Removal of the guardians" : `New guardians (${p.threshold} approvals, ${span(p.delaySeconds)} wait)`;
    list.append(
      ...fact("Guardian change", `${what} pending, effective ${whenIso(p.effectiveAt)}${p.canBeApplied ? " — can be applied now" : ""}.`),
    );
  }
  if (sigil.recoveries.length) list.append(...fact("Recovery", h("ul", { class: "plain" }, ...sigil.recoveries.map(recoveryItem))));
  if (typeof m.created === "string") list.append(...fact("First change", whenIso(m.created)));
  if (typeof m.updated === "string") list.append(...fact("Last change", `${whenIso(m.updated)} (block ${String(m.versionId)})`));
  return list;
}

const approvals = (n: number) => `${n} approval${n === 1 ? "" : "s"}`;

const RECOVERY_STATUS: Record<SigilMeta["recoveries"][number]["status"], string> = {
  ready: "Ready to finalise",
  armed: "Armed",
  expired: "Expired",
  proposed: "Proposed",
};

function recoveryItem(r: SigilMeta["recoveries"][number]) {
  const count = `${r.approvals}${r.threshold ? ` of ${r.threshold}` : ""} approval${(r.threshold ?? r.approvals) === 1 ? "" : "s"}`;
  const ready = r.readyAt ? `, can be finalised from ${whenIso(r.readyAt)}` : "";
  const rest = `${r.purge ? ", voids all keys" : ""}${ready}${r.nextOwnerCommitment ? "" : ", no next key"}`;
  return h(
    "li",
    { "data-recovery": r.status },
    h("strong", { class: r.status === "expired" ? "" : "bad" }, RECOVERY_STATUS[r.status]),
    `: new controller ${short(r.newOwner)}, ${count}${rest}.`,
  );
}

/** The keys by what they may do (authentication, signing, encryption). */
function keys(doc: Doc, explorer: Explorer | undefined): HTMLElement {
  const vms = new Map((doc.verificationMethod ?? []).map((vm) => [vm.id, vm]));
  const el = h("div", { class: "keys" });
  for (const [rel, title, hint] of RELATIONSHIPS) {
    const refs = ((doc[rel] as (string | VM)[] | undefined) ?? [])
      .map((r) => (typeof r === "string" ? vms.get(r) : r))
      .filter((v): v is VM => v !== undefined);
    el.append(
      h(
        "section",
        { class: "rel", "data-relationship": rel, "aria-label": title },
        h("h4", undefined, title, " ", h("span", { class: "count" }, String(refs.length))),
        h("p", { class: "hint" }, hint),
        refs.length ? h("ul", { class: "key-list" }, ...refs.map((vm) => keyItem(vm, explorer))) : h("p", { class: "muted" }, "none"),
      ),
    );
  }
  return el;
}

function services(list: NonNullable<Doc["service"]>): HTMLElement {
  if (!list.length) return h("p", { class: "muted" }, "none");
  const endpoint = (e: unknown) => (typeof e === "string" ? e : JSON.stringify(e));
  return h(
    "ul",
    { class: "services" },
    ...list.map((svc) =>
      h(
        "li",
        { "data-service": svc.type },
        h("strong", undefined, svc.type),
        " ",
        h("code", { class: "mono" }, endpoint(svc.serviceEndpoint)),
      ),
    ),
  );
}

/** The device a published key belongs to, by the device labels in the history (live or since
 * revoked, so that a removed device is named too); undefined for a key no label names. */
export function deviceOfKey(events: TimedEvent[], key: Hex): string | undefined {
  const hex = key.toLowerCase().replace(/^0x/, "");
  for (const e of [...events].reverse()) {
    if (e.kind !== "attribute" || nameOf(e.name) !== "did/svc/SigilDevice") continue;
    try {
      const label = JSON.parse(utf8(e.value)) as { name?: unknown; keys?: unknown };
      if (typeof label.name === "string" && Array.isArray(label.keys) && label.keys.includes(hex)) return label.name;
    } catch {
      // not a label Sigil can read: devicesOf reports it as untrusted in the document view
    }
  }
  return undefined;
}

/** Warnings for a correspondent about the current document: deactivated, a pending recovery, keys changed lately. */
export function banners(result: Resolution, events: TimedEvent[], head: { timestamp: bigint }, recentDays: number): HTMLElement[] {
  const out: HTMLElement[] = [];
  const sigil = sigilMeta(result);
  if (result.didDocumentMetadata.deactivated) {
    out.push(
      h(
        "div",
        { class: "banner danger", role: "alert", "data-banner": "deactivated" },
        h("strong", undefined, "This DID is deactivated. "),
        "It has no keys: do not accept anything signed in its name from now on.",
      ),
    );
  }
  const open = sigil?.recoveries.filter((r) => r.status !== "expired") ?? [];
  if (open.length) {
    const r = open[0];
    out.push(
      h(
        "div",
        { class: "banner danger", role: "alert", "data-banner": "recovery" },
        h("strong", undefined, "A recovery by the guardians is pending. "),
        `It would make ${short(r.newOwner)} the controller${r.readyAt ? ` from ${whenIso(r.readyAt)}` : ""}. `,
        sigil?.preRotation
          ? "If the owner did not ask for it, they can cancel it with their " +
              "next key (if it was committed at least one delay before the recovery)."
          : "The owner has no next key committed, so they cannot cancel it: if " +
              "they did not ask for it, they should reach their guardians at once.",
      ),
    );
  }
  const last = [...events].reverse().find((e) => describe(e).keyChange);
  if (last && !result.didDocumentMetadata.deactivated) {
    const age = Number(head.timestamp - last.blockTimestamp);
    const device = last.kind === "attribute" ? deviceOfKey(events, last.value) : undefined;
    if (age <= recentDays * 86_400) {
      out.push(
        h(
          "div",
          { class: "banner warn", role: "alert", "data-banner": "recent-key-change" },
          h("strong", undefined, `The keys of this DID changed ${age < 60 ? "just now" : `${span(age)} ago`}`),
          ` (block ${last.blockNumber}: ${describe(last).text}${device ? `, device "${device}"` : ""}). If you did not expect this, confirm with the person ` +
            `through another channel — compare safety numbers — before trusting what is signed with the new keys.`,
        ),
      );
    }
  }
  return out;
}

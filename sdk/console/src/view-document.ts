// A DID document in words: who controls it, whether a next key protects it, its guardians
// (how many must approve and the delay; never who: the chain does not know), any pending
// recovery, then its keys by what they may do, its services, and the raw JSON one click away.
import { h } from "./dom.ts";
import { sigilMeta, type Resolution, type TimedEvent } from "./meta.ts";
import { describe, short, span, when, whenIso } from "./format.ts";

type VM = { id: string; type: string; controller?: string; blockchainAccountId?: string; publicKeyHex?: string; publicKeyBase58?: string; publicKeyBase64?: string; publicKeyMultibase?: string; publicKeyJwk?: unknown };

const RELATIONSHIPS = [
  ["authentication", "Authentication", "keys that may act and log in as this DID"],
  ["assertionMethod", "Signing (assertionMethod)", "keys whose signatures count as this DID's"],
  ["keyAgreement", "Encryption (keyAgreement)", "keys that messages to this DID are encrypted to"],
] as const;

function material(vm: VM): string {
  if (vm.blockchainAccountId) return vm.blockchainAccountId.split(":").at(-1)!;
  return vm.publicKeyHex ?? vm.publicKeyBase58 ?? vm.publicKeyBase64 ?? vm.publicKeyMultibase ?? JSON.stringify(vm.publicKeyJwk ?? "");
}

function keyItem(vm: VM) {
  const fragment = vm.id.split("#")[1] ?? vm.id;
  return h(
    "li",
    { class: "key", "data-key": material(vm).toLowerCase() },
    h("span", { class: "key-type" }, vm.blockchainAccountId ? "Ethereum address" : vm.type.replace(/VerificationKey\d+|KeyAgreementKey\d+/, "")),
    fragment === "controller" ? h("span", { class: "tag" }, "controller") : h("span", { class: "tag quiet" }, `#${fragment}`),
    h("code", { class: "mono" }, material(vm)),
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
  if (version?.voidedAt !== undefined) return h("strong", { class: "bad", "data-status": "voided" }, `Void: a rotation at block ${version.voidedAt} voided every key and service of this version`);
  if (version) return h("span", { "data-status": "past" }, "A past version: see the current document for what holds today");
  return h("span", { class: "good", "data-status": "active" }, "Active");
}

export function documentView(result: Resolution, options: { version?: Version; onBackToCurrent(): void }): HTMLElement {
  const meta = result.didResolutionMetadata as { error?: string; message?: string };
  if (meta.error) {
    return h("div", { class: "banner danger", role: "alert" }, h("strong", undefined, "This DID could not be resolved. "), meta.message ?? meta.error);
  }
  const doc = result.didDocument as (Record<string, unknown> & { id: string; verificationMethod?: VM[]; service?: { id: string; type: string; serviceEndpoint: unknown }[] }) | null;
  const m = result.didDocumentMetadata as Record<string, unknown>;
  const sigil = sigilMeta(result);
  const vms = new Map((doc?.verificationMethod ?? []).map((vm) => [vm.id, vm]));
  const version = options.version
    ? h(
        "div",
        { class: "banner info version-note", role: "status" },
        h("strong", undefined, `As it was at block ${options.version.block}`),
        options.version.time !== undefined ? ` (${when(options.version.time)})` : "",
        ". Later changes are not shown. ",
        h("button", { type: "button", class: "link", onclick: options.onBackToCurrent }, "Back to the current document"),
      )
    : null;

  const facts = h("dl", { class: "facts" });
  if (sigil) {
    const deactivated = m.deactivated === true;
    facts.append(
      ...fact("Status", status(deactivated, options.version)),
      ...fact("Controller", deactivated ? "none" : h("code", { class: "mono" }, sigil.owner)),
      ...fact(
        "Pre-rotation",
        sigil.preRotation
          ? h("span", { class: "good" }, `On: a next key is committed${sigil.commitmentSince ? ` (since ${whenIso(sigil.commitmentSince)})` : ""}. Whoever steals the current key cannot lock the owner out.`)
          : h("span", { class: deactivated ? "" : "warn-text" }, deactivated ? "—" : "Off: no next key is committed. A thief of the current key could take this DID."),
      ),
      ...fact(
        "Guardians",
        sigil.guardians
          ? `${sigil.guardians.threshold} approval${sigil.guardians.threshold === 1 ? "" : "s"} needed, then a ${span(sigil.guardians.delaySeconds)} wait. Who they are is not on chain.`
          : "None",
      ),
    );
    const p = sigil.pendingGuardianChange;
    if (p) facts.append(...fact("Guardian change", `${p.removesGuardians ? "Removal of the guardians" : `New guardians (${p.threshold} approvals, ${span(p.delaySeconds)} wait)`} pending, effective ${whenIso(p.effectiveAt)}${p.canBeApplied ? " — can be applied now" : ""}.`));
    if (sigil.recoveries.length) {
      facts.append(
        ...fact(
          "Recovery",
          h(
            "ul",
            { class: "plain" },
            ...sigil.recoveries.map((r) =>
              h(
                "li",
                { "data-recovery": r.status },
                h("strong", { class: r.status === "expired" ? "" : "bad" }, r.status === "ready" ? "Ready to finalise" : r.status === "armed" ? "Armed" : r.status === "expired" ? "Expired" : "Proposed"),
                `: new controller ${short(r.newOwner)}, ${r.approvals}${r.threshold ? ` of ${r.threshold}` : ""} approval${(r.threshold ?? r.approvals) === 1 ? "" : "s"}${r.purge ? ", voids all keys" : ""}${r.readyAt ? `, can be finalised from ${whenIso(r.readyAt)}` : ""}${r.nextOwnerCommitment ? "" : ", no next key"}.`,
              ),
            ),
          ),
        ),
      );
    }
    if (typeof m.created === "string") facts.append(...fact("First change", whenIso(m.created)));
    if (typeof m.updated === "string") facts.append(...fact("Last change", `${whenIso(m.updated)} (block ${String(m.versionId)})`));
  }

  const keys = h("div", { class: "keys" });
  for (const [rel, title, hint] of RELATIONSHIPS) {
    const refs = ((doc?.[rel] as (string | VM)[] | undefined) ?? []).map((r) => (typeof r === "string" ? vms.get(r) : r)).filter((v): v is VM => v !== undefined);
    keys.append(
      h(
        "section",
        { class: "rel", "data-relationship": rel, "aria-label": title },
        h("h4", undefined, title, " ", h("span", { class: "count" }, String(refs.length))),
        h("p", { class: "hint" }, hint),
        refs.length ? h("ul", { class: "key-list" }, ...refs.map(keyItem)) : h("p", { class: "muted" }, "none"),
      ),
    );
  }
  const services = doc?.service ?? [];
  const raw = (label: string, value: unknown) => h("details", { class: "raw" }, h("summary", undefined, label), h("pre", { tabindex: 0, "aria-label": label }, JSON.stringify(value, null, 2)));
  return h(
    "div",
    { class: "document", "data-version": options.version?.block.toString() ?? "current" },
    version,
    facts,
    h("h3", undefined, "Keys"),
    doc ? keys : h("p", { class: "muted" }, "A deactivated DID has no document and no keys."),
    h("h3", undefined, "Services"),
    services.length
      ? h("ul", { class: "services" }, ...services.map((svc) => h("li", { "data-service": svc.type }, h("strong", undefined, svc.type), " ", h("code", { class: "mono" }, typeof svc.serviceEndpoint === "string" ? svc.serviceEndpoint : JSON.stringify(svc.serviceEndpoint)))))
      : h("p", { class: "muted" }, "none"),
    h("div", { class: "raws" }, raw("Raw DID document", result.didDocument), raw("Resolution metadata", { didResolutionMetadata: result.didResolutionMetadata, didDocumentMetadata: result.didDocumentMetadata })),
  );
}

/** Warnings for a correspondent about the current document: deactivated, a pending recovery, keys changed lately. */
export function banners(result: Resolution, events: TimedEvent[], head: { timestamp: bigint }, recentDays: number): HTMLElement[] {
  const out: HTMLElement[] = [];
  const sigil = sigilMeta(result);
  if (result.didDocumentMetadata.deactivated) {
    out.push(h("div", { class: "banner danger", role: "alert", "data-banner": "deactivated" }, h("strong", undefined, "This DID is deactivated. "), "It has no keys: do not accept anything signed in its name from now on."));
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
          ? "If the owner did not ask for it, they can cancel it with their next key (if it was committed at least one delay before the recovery)."
          : "The owner has no next key committed, so they cannot cancel it: if they did not ask for it, they should reach their guardians at once.",
      ),
    );
  }
  const last = [...events].reverse().find((e) => describe(e).keyChange);
  if (last && !result.didDocumentMetadata.deactivated) {
    const age = Number(head.timestamp - last.blockTimestamp);
    if (age <= recentDays * 86_400) {
      out.push(
        h(
          "div",
          { class: "banner warn", role: "alert", "data-banner": "recent-key-change" },
          h("strong", undefined, `The keys of this DID changed ${age < 60 ? "just now" : `${span(age)} ago`}`),
          ` (block ${last.blockNumber}: ${describe(last).text}). If you did not expect this, confirm with the person through another channel — compare safety numbers — before trusting what is signed with the new keys.`,
        ),
      );
    }
  }
  return out;
}

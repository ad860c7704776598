// Acting on a DID from the page: as the controller with an injected wallet (EIP-1193:
// MetaMask-style) or with a key pasted or generated here (kept in this tab's memory only), or
// with the next key from its file (rotation, cancelling a recovery), or as a guardian with a
// guardian card. The forms build operations; submit.ts checks, reviews, signs and sends them.
import { getAddress, hexToBytes, isHex, zeroHash, type Address, type Hex } from "viem";
import { bytes32Name, commitmentOf, generateNextKey, planRotation, publicKeyAttribute, serviceAttribute, type KeyPurpose, type KeyType, type NextKeyCard, type Operation } from "sigil-did";
import { activeEntries, proposalOf } from "sigil-did/internal";
import { checkbox, field, fill, h, uid } from "./dom.ts";
import { sigilMeta, type History, type Resolution } from "./meta.ts";
import { fileText, parseJson } from "./files.ts";
import { nameOf, purposeWords, short } from "./format.ts";
import { nextKeyCard, readAddress, readNextKey } from "./key-files.ts";
import { keyActor, lockedNow, session, type Actor } from "./session.ts";
import { signersPanel } from "./signers.ts";
import { submit, type Prepared, type SubmitContext } from "./submit.ts";

export interface ActContext extends SubmitContext {
  identity: Address;
  result: Resolution;
  history: History;
}

export function actView(ctx: ActContext): HTMLElement {
  const { chain, identity, result, history } = ctx;
  const sigil = sigilMeta(result);
  const owner = sigil?.owner.toLowerCase();
  const keysPanel = signersPanel(chain, owner);

  const acting = (): Actor => {
    const a = session.actAs === "wallet" ? session.wallet : session.pageKey;
    const other = session.actAs === "wallet" ? session.pageKey : session.wallet;
    const actor = a ?? other;
    if (!actor) throw new Error("Connect a wallet or enter a key first (Your keys, above): it signs as the controller.");
    return actor;
  };

  /** A form for one operation: its fields, "Check and send", and "Sign to a file" when it can be signed. */
  function actionForm(name: string, fields: (Node | null)[], prepare: () => Prepared | Promise<Prepared>, options: { signable?: boolean; danger?: boolean; sendLabel?: string } = {}) {
    const out = h("div", { class: "out", role: "status", "aria-live": "polite", "data-out": name });
    const form = h(
      "form",
      { class: "act-form", "data-form": name, novalidate: true, onsubmit: (e: Event) => (e.preventDefault(), void submit(ctx, "send", prepare, out)) },
      ...fields,
      h(
        "div",
        { class: "buttons" },
        h("button", { type: "submit", class: options.danger ? "danger" : "", "data-action": "send", disabled: lockedNow() }, options.sendLabel ?? "Check and send"),
        options.signable === false || !ctx.relayerUrl ? null : h("button", { type: "button", class: "secondary", "data-action": "relay", disabled: lockedNow(), onclick: () => void submit(ctx, "relay", prepare, out) }, "Sign and send through the relayer"),
        options.signable === false ? null : h("button", { type: "button", class: "secondary", "data-action": "file", disabled: lockedNow(), onclick: () => void submit(ctx, "file", prepare, out) }, "Sign to a file for a relayer"),
      ),
      out,
    );
    return form;
  }
  const onOpen = (details: HTMLDetailsElement, run: () => void) => {
    details.addEventListener("toggle", () => details.open && run());
    return details;
  };
  const block = (name: string, title: string, ...content: (Node | null)[]) => h("details", { class: "act", "data-act": name }, h("summary", undefined, title), ...content);
  const days = (input: HTMLInputElement) => {
    const n = Number(input.value);
    if (!Number.isFinite(n) || n <= 0 || n > 36_500) throw new Error("the validity must be a number of days from 1 to 36500");
    return BigInt(Math.round(n * 86_400));
  };


  const live = history ? activeEntries(history.events, history.head.timestamp) : { delegates: [], attributes: [] };
  const deactivated = result.didDocumentMetadata.deactivated === true;

  // Keys: add and revoke.
  const kind = h("select", { name: "key-kind" }, h("option", { value: "address" }, "An Ethereum address"), h("option", { value: "public" }, "A public key"));
  const keyAddress = h("input", { type: "text", name: "key-address", autocomplete: "off", spellcheck: "false", placeholder: "0x…" });
  const keyType = h("select", { name: "key-type" }, ...["Ed25519", "X25519", "Secp256k1"].map((t) => h("option", { value: t }, t)));
  const keyHex = h("input", { type: "text", name: "public-key", autocomplete: "off", spellcheck: "false", placeholder: "0x…" });
  const purpose = h("select", { name: "purpose" }, h("option", { value: "sigAuth" }, "Authentication and signing"), h("option", { value: "veriKey" }, "Signing only"), h("option", { value: "enc" }, "Encryption (X25519)"));
  const keyDays = h("input", { type: "number", name: "validity-days", min: 1, value: 365, inputmode: "numeric" });
  const addressField = field("Address", keyAddress);
  const publicFields = h("div", { hidden: true }, field("Key type", keyType), field("Public key (hex)", keyHex));
  kind.addEventListener("change", () => {
    addressField.hidden = kind.value !== "address";
    publicFields.hidden = kind.value === "address";
  });
  const addKey = actionForm("add-key", [field("What to add", kind), addressField, publicFields, field("What it may do", purpose), field("Valid for (days)", keyDays)], () => {
    const p = purpose.value as KeyPurpose;
    if (kind.value === "address") {
      if (p === "enc") throw new Error("an address signs: choose authentication or signing (encryption needs an X25519 public key)");
      return { op: { type: "addDelegate", identity, delegateType: bytes32Name(p), delegate: readAddress(keyAddress.value, "the address"), validity: days(keyDays) }, authoriser: acting() };
    }
    if (!isHex(keyHex.value.trim())) throw new Error("the public key must be hex, starting with 0x");
    const attr = publicKeyAttribute(keyType.value as KeyType, p, hexToBytes(keyHex.value.trim() as Hex));
    return { op: { type: "setAttribute", identity, ...attr, validity: days(keyDays) }, authoriser: acting() };
  });
  const liveKeys = [
    ...live.delegates.map((d) => ({ label: `address ${d.delegate} (${purposeWords(nameOf(d.delegateType))})`, op: { type: "revokeDelegate", identity, delegateType: d.delegateType, delegate: d.delegate } as Operation })),
    ...live.attributes
      .filter((a) => nameOf(a.name)?.startsWith("did/pub/"))
      .map((a) => ({ label: `${nameOf(a.name)!.split("/")[2]} ${short(a.value, 8)} (${purposeWords(nameOf(a.name)!.split("/")[3] ?? null)})`, op: { type: "revokeAttribute", identity, name: a.name, value: a.value } as Operation })),
  ];
  const choice = (name: string, items: { label: string }[]) => {
    const group = uid(name);
    const inputs = items.map((item, i) => h("input", { type: "radio", name: group, value: String(i), id: uid(name), checked: i === 0 }));
    const el = h("fieldset", { class: "choices" }, h("legend", undefined, "Which one"), ...items.map((item, i) => h("div", { class: "check" }, inputs[i], h("label", { for: inputs[i].id }, item.label))));
    return { el, index: () => inputs.findIndex((r) => r.checked) };
  };
  const revokeKeyChoice = choice("revoke-key", liveKeys);
  const revokeKey = liveKeys.length
    ? actionForm("revoke-key", [revokeKeyChoice.el], () => ({ op: liveKeys[Math.max(0, revokeKeyChoice.index())].op, authoriser: acting() }))
    : h("p", { class: "muted" }, "No key is published besides the controller.");

  // Services.
  const svcType = h("input", { type: "text", name: "service-type", value: "MessagingService", autocomplete: "off" });
  const svcEndpoint = h("input", { type: "url", name: "service-endpoint", autocomplete: "off", placeholder: "https://inbox.example/you" });
  const svcDays = h("input", { type: "number", name: "validity-days", min: 1, value: 365, inputmode: "numeric" });
  const addService = actionForm("add-service", [field("Type", svcType, "Letters, digits or _ (up to 24)."), field("Endpoint", svcEndpoint), field("Valid for (days)", svcDays)], () => ({
    op: { type: "setAttribute", identity, ...serviceAttribute(svcType.value.trim(), svcEndpoint.value.trim()), validity: days(svcDays) },
    authoriser: acting(),
  }));
  const liveServices = live.attributes
    .filter((a) => nameOf(a.name)?.startsWith("did/svc/"))
    .map((a) => ({ label: `${nameOf(a.name)!.slice(8)} ${new TextDecoder().decode(hexToBytes(a.value))}`, op: { type: "revokeAttribute", identity, name: a.name, value: a.value } as Operation }));
  const removeServiceChoice = choice("remove-service", liveServices);
  const removeService = liveServices.length
    ? actionForm("remove-service", [removeServiceChoice.el], () => ({ op: liveServices[Math.max(0, removeServiceChoice.index())].op, authoriser: acting() }))
    : h("p", { class: "muted" }, "No service is published.");

  // Pre-rotation: commit to a next key generated here.
  let nextCard: NextKeyCard | undefined;
  const nextHolder = h("div");
  let nextSaved: HTMLInputElement | undefined;
  const generate = h("button", { type: "button", class: "secondary", "data-action": "generate-next", onclick: () => {
    nextCard = generateNextKey();
    const c = nextKeyCard(nextCard, ctx.did, "Next key");
    nextSaved = c.saved;
    fill(nextHolder, c.el);
    generate.textContent = "Generate another";
  } }, "Generate a next key");
  const commit = actionForm(
    "commit",
    [
      h("p", { class: "hint" }, "Only a hash of the next key is published. Keep the key offline: if your current key is stolen, the next key takes the DID back and voids everything the thief published."),
      h("div", { class: "buttons" }, generate),
      nextHolder,
    ],
    () => {
      if (!nextCard) throw new Error("Generate a next key first, and save it.");
      if (!nextSaved?.checked) throw new Error("Save the next key (download or print it) and tick the box first: without it you cannot rotate.");
      const card = nextCard;
      return {
        op: { type: "commitNextOwner", identity, commitment: card.commitment },
        authoriser: acting(),
        after: () => {
          nextCard = undefined; // the page forgets the key once it is committed
          fill(nextHolder, h("p", { class: "good" }, `Committed to ${card.address}. The page has forgotten the key: keep your saved copy offline.`));
        },
      };
    },
  );

  // Rotation with the next key.
  const nextFile = h("input", { type: "file", name: "next-key-file", accept: ".json,application/json" });
  const nextPaste = h("textarea", { name: "next-key-text", rows: 3, spellcheck: "false", placeholder: '{"privateKey": "0x…", "salt": "0x…", …}' });
  const nextStatus = h("p", { class: "hint", "aria-live": "polite" });
  const readLoaded = async () => {
    const text = (await fileText(nextFile)) ?? nextPaste.value;
    if (!text.trim()) throw new Error("Load your next-key file (or paste it) first.");
    return readNextKey(text);
  };
  const checkLoaded = async () => {
    try {
      const next = await readLoaded();
      const matches = sigil?.nextOwnerCommitment && commitmentOf(next.address, next.salt) === sigil.nextOwnerCommitment;
      nextStatus.className = matches ? "good" : "bad";
      nextStatus.textContent = matches ? `✓ Next key ${next.address} matches this DID's commitment.` : `✗ Next key ${next.address} is not the one this DID committed to.`;
    } catch (error) {
      nextStatus.className = "bad";
      nextStatus.textContent = (error as Error).message;
    }
  };
  nextFile.addEventListener("change", () => void checkLoaded());
  nextPaste.addEventListener("change", () => void checkLoaded());
  const newOwner = h("input", { type: "text", name: "new-owner", autocomplete: "off", spellcheck: "false", placeholder: "default: the next key itself" });
  const purge = checkbox("Void everything published before (purge): recommended after a theft", { name: "purge", checked: true });
  const fresh = checkbox("Commit to a fresh next key in the same step: recommended", { name: "fresh", checked: true });
  // Generated when the form is first opened (a key pair costs a few curve operations).
  const freshHolder = h("div");
  let freshCard: NextKeyCard | undefined;
  let freshSaved: HTMLInputElement | undefined;
  const ensureFresh = () => {
    if (freshCard) return;
    freshCard = generateNextKey();
    const view = nextKeyCard(freshCard, ctx.did, "Fresh next key");
    freshSaved = view.saved;
    fill(freshHolder, view.el);
  };
  fresh.input.addEventListener("change", () => {
    freshHolder.hidden = !fresh.input.checked;
    if (fresh.input.checked) ensureFresh();
  });
  const rotate = actionForm(
    "rotate",
    [
      h("p", { class: "hint" }, "The next key takes over as controller. With purge, every key and service published before — a thief's included — is void at once, whatever their number."),
      field("Next-key file", nextFile),
      field("…or paste it", nextPaste),
      nextStatus,
      field("New controller (optional)", newOwner, "Leave empty to make the next key the controller."),
      purge.el,
      fresh.el,
      freshHolder,
    ],
    async () => {
      const next = await readLoaded();
      if (fresh.input.checked) ensureFresh();
      if (fresh.input.checked && !freshSaved?.checked) throw new Error("Save the fresh next key (download or print it) and tick the box first.");
      const plan = planRotation({
        identity,
        salt: next.salt,
        newOwner: newOwner.value.trim() ? readAddress(newOwner.value, "the new controller") : next.address,
        nextKey: fresh.input.checked ? freshCard! : null,
        purge: purge.input.checked,
      });
      return { op: plan.rotate, authoriser: keyActor(chain, next.privateKey, "next"), after: () => ((nextFile.value = ""), (nextPaste.value = "")) };
    },
  );

  // Guardian recovery.
  const cardFile = h("input", { type: "file", name: "guardian-card", accept: ".json,application/json" });
  const cardPaste = h("textarea", { name: "guardian-card-text", rows: 3, spellcheck: "false", placeholder: '{"guardian": "0x…", "salt": "0x…", "proof": […], …}' });
  const readCard = async () => {
    const text = (await fileText(cardFile)) ?? cardPaste.value;
    if (!text.trim()) throw new Error("Load your guardian card first.");
    const card = parseJson<{ identity?: string; guardian?: string; salt?: string; proof?: string[] }>(text, "guardian card");
    if (!card.guardian || !isHex(card.salt ?? "") || !Array.isArray(card.proof)) throw new Error("this is not a guardian card (it needs guardian, salt and proof)");
    if (card.identity && card.identity.toLowerCase() !== identity.toLowerCase()) throw new Error(`this guardian card is for ${card.identity}, not for this DID`);
    const actor = acting();
    if (actor.address.toLowerCase() !== card.guardian.toLowerCase()) throw new Error(`this card is guardian ${card.guardian}'s: act with that key (now acting as ${actor.address})`);
    return { proof: { guardian: getAddress(card.guardian), salt: card.salt as Hex, proof: card.proof as Hex[] }, actor };
  };
  const recNewOwner = h("input", { type: "text", name: "recovery-new-owner", autocomplete: "off", spellcheck: "false", placeholder: "0x… (the owner's new key)" });
  const recCommitment = h("input", { type: "text", name: "recovery-commitment", autocomplete: "off", spellcheck: "false", placeholder: "0x… (optional)" });
  const recPurge = checkbox("Void everything published before (purge)", { name: "recovery-purge", checked: true });
  const startRecovery = actionForm(
    "recovery-start",
    [field("New controller", recNewOwner), field("Owner's next-key commitment", recCommitment, "The owner generates a next key and tells you its commitment; leave empty to recover without one."), recPurge.el],
    async () => {
      const { proof, actor } = await readCard();
      const c = recCommitment.value.trim();
      if (c && (!isHex(c) || c.length !== 66)) throw new Error("the commitment must be 32 bytes of hex");
      return { op: { type: "approveRecovery", identity, recovery: { newOwner: readAddress(recNewOwner.value, "the new controller"), nextCommitment: (c || zeroHash) as Hex, purge: recPurge.input.checked }, proof }, authoriser: actor };
    },
    { sendLabel: "Check and propose" },
  );
  const open = sigil?.recoveries ?? [];
  const openChoice = choice("recovery", open.map((r) => ({ label: `${r.status}: new controller ${r.newOwner}, ${r.approvals}${r.threshold ? ` of ${r.threshold}` : ""} approval${(r.threshold ?? r.approvals) === 1 ? "" : "s"}` })));
  const pick = () => {
    const r = open[Math.max(0, openChoice.index())];
    return proposalOf(r);
  };
  const approve = open.length
    ? actionForm("recovery-approve", [openChoice.el], async () => {
        const { proof, actor } = await readCard();
        return { op: { type: "approveRecovery", identity, recovery: pick(), proof }, authoriser: actor };
      }, { sendLabel: "Check and approve" })
    : h("p", { class: "muted" }, "No recovery is open.");
  const finalizeChoice = choice("finalize", open.filter((r) => r.status === "ready" || r.status === "armed").map((r) => ({ label: `${r.status}: new controller ${r.newOwner}` })));
  const finalize = open.some((r) => r.status === "ready" || r.status === "armed")
    ? actionForm("recovery-finalize", [finalizeChoice.el], () => {
        const armed = open.filter((r) => r.status === "ready" || r.status === "armed")[Math.max(0, finalizeChoice.index())];
        return { op: { type: "finalizeRecovery", identity, recovery: proposalOf(armed) }, authoriser: acting() };
      }, { signable: false, sendLabel: "Check and finalise" })
    : h("p", { class: "muted" }, "No recovery is armed.");
  const cancelFile = h("input", { type: "file", name: "cancel-next-key-file", accept: ".json,application/json" });
  const cancel = actionForm("recovery-cancel", [h("p", { class: "hint" }, "As the owner: your next key cancels a recovery you did not ask for, if it was committed at least one delay before the recovery."), field("Next-key file", cancelFile)], async () => {
    const text = await fileText(cancelFile);
    if (!text) throw new Error("Load your next-key file first.");
    const next = readNextKey(text);
    return { op: { type: "cancelRecovery", identity, salt: next.salt }, authoriser: keyActor(chain, next.privateKey, "next") };
  }, { sendLabel: "Check and cancel" });

  const pendingGuardians = sigil?.pendingGuardianChange;
  const applyGuardians = pendingGuardians?.canBeApplied
    ? actionForm("guardians-apply", [h("p", { class: "hint" }, `${pendingGuardians.removesGuardians ? "The removal of the guardians" : "A new guardian set"} waited its delay: anyone may now make it effective.`)], () => ({ op: { type: "applyGuardians", identity }, authoriser: acting() }), { signable: false, sendLabel: "Check and apply" })
    : null;

  // Deactivation.
  const confirmText = h("input", { type: "text", name: "confirm", autocomplete: "off", spellcheck: "false" });
  const deactivate = actionForm(
    "deactivate",
    [h("p", { class: "warn-text" }, "Deactivation is final: the DID will have no keys, for ever. Nobody — not you, not your guardians — can undo it."), field("Type DEACTIVATE to confirm", confirmText)],
    () => {
      if (confirmText.value.trim() !== "DEACTIVATE") throw new Error("Type DEACTIVATE (in capitals) to confirm.");
      return { op: { type: "deactivate", identity }, authoriser: acting() };
    },
    { danger: true, sendLabel: "Check and deactivate" },
  );

  if (deactivated) return h("div", { class: "act-panel" }, h("p", { class: "muted" }, "This DID is deactivated: nothing can change it any more."));
  return h(
    "div",
    { class: "act-panel" },
    keysPanel,
    block("keys", "Add or revoke a key", h("h4", undefined, "Add a key"), addKey, h("h4", undefined, "Revoke a key"), revokeKey),
    block("services", "Add or remove a service", h("h4", undefined, "Add a service"), addService, h("h4", undefined, "Remove a service"), removeService),
    block("commit", sigil?.preRotation ? "Commit to a next key (one is committed already)" : "Commit to a next key (pre-rotation)", commit),
    onOpen(block("rotate", "Rotate with your next key", rotate), ensureFresh),
    block(
      "recovery",
      "Guardian recovery",
      h("h4", undefined, "As a guardian"),
      field("Guardian card", cardFile, "The card the owner gave you (sigil guardians set writes them)."),
      field("…or paste it", cardPaste),
      h("h5", undefined, "Propose a recovery"),
      startRecovery,
      h("h5", undefined, "Approve a proposal"),
      approve,
      h("h4", undefined, "As the owner"),
      cancel,
      h("h4", undefined, "Anyone"),
      applyGuardians,
      finalize,
    ),
    block("deactivate", "Deactivate this DID", deactivate),
  );
}


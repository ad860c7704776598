// The Act panel's forms for what a DID publishes: add a key (an address or a public key, with what
// it may do) or revoke one, add a service or remove one. Each builds its operation from the form
// and the entries live today; the controller (the session's chosen key) authorises it.
import { hexToBytes, isHex, type Address, type Hex } from "viem";
import { bytes32Name, publicKeyAttribute, serviceAttribute, type KeyPurpose, type KeyType, type Operation } from "sigil-did";
import { field, h } from "./dom.ts";
import { actionForm, block, choice, days, hexInput, validityInput } from "./forms.ts";
import { nameOf, purposeWords, short } from "./format.ts";
import { readAddress } from "./key-files.ts";
import type { SubmitContext } from "./submit.ts";

/** What the entry forms act on: the DID's identity and its entries live now. */
export interface EntriesContext extends SubmitContext {
  identity: Address;
  live: { delegates: { delegateType: Hex; delegate: Address }[]; attributes: { name: Hex; value: Hex }[] };
}

/** "Add or revoke a key". */
export function keysBlock(ctx: EntriesContext): HTMLDetailsElement {
  return block(
    "keys",
    "Add or revoke a key",
    h("h4", undefined, "Add a key"),
    addKeyForm(ctx),
    h("h4", undefined, "Revoke a key"),
    revokeKeyForm(ctx),
  );
}

/** "Add or remove a service". */
export function servicesBlock(ctx: EntriesContext): HTMLDetailsElement {
  const title = "Add or remove a service";
  return block(
    "services",
    title,
    h("h4", undefined, "Add a service"),
    addServiceForm(ctx),
    h("h4", undefined, "Remove a service"),
    removeServiceForm(ctx),
  );
}

function addKeyForm(ctx: EntriesContext): HTMLFormElement {
  const { identity } = ctx;
  const kind = h(
    "select",
    { name: "key-kind" },
    h("option", { value: "address" }, "An Ethereum address"),
    h("option", { value: "public" }, "A public key"),
  );
  const keyAddress = hexInput("key-address", "0x…");
  const keyType = h("select", { name: "key-type" }, ...["Ed25519", "X25519", "Secp256k1", "P256"].map((t) => h("option", { value: t }, t)));
  const keyHex = hexInput("public-key", "0x…");
  const purpose = h(
    "select",
    { name: "purpose" },
    h("option", { value: "sigAuth" }, "Authentication and signing"),
    h("option", { value: "veriKey" }, "Signing only"),
    h("option", { value: "enc" }, "Encryption (X25519)"),
  );
  const keyDays = validityInput();
  const addressField = field("Address", keyAddress);
  const publicFields = h("div", { hidden: true }, field("Key type", keyType), field("Public key (hex)", keyHex));
  kind.addEventListener("change", () => {
    addressField.hidden = kind.value !== "address";
    publicFields.hidden = kind.value === "address";
  });
  const fields = [
    field("What to add", kind),
    addressField,
    publicFields,
    field("What it may do", purpose),
    field("Valid for (days)", keyDays),
  ];
  return actionForm(ctx, "add-key", fields, () => {
    const p = purpose.value as KeyPurpose;
    if (kind.value === "address") {
      if (p === "enc") throw new Error("an address signs: choose authentication or signing (encryption needs an X25519 public key)");
      const delegate = readAddress(keyAddress.value, "the address");
      return {
        op: { type: "addDelegate", identity, delegateType: bytes32Name(p), delegate, validity: days(keyDays) },
        authoriser: ctx.session.controller(),
      };
    }
    if (!isHex(keyHex.value.trim())) throw new Error("the public key must be hex, starting with 0x");
    const attr = publicKeyAttribute(keyType.value as KeyType, p, hexToBytes(keyHex.value.trim() as Hex));
    return { op: { type: "setAttribute", identity, ...attr, validity: days(keyDays) }, authoriser: ctx.session.controller() };
  });
}

/** One of `items` to revoke, or `none` said when there is nothing to revoke. */
function revokeForm(ctx: EntriesContext, name: string, items: { label: string; op: Operation }[], none: string): HTMLElement {
  if (!items.length) return h("p", { class: "muted" }, none);
  const which = choice(name, items);
  return actionForm(ctx, name, [which.el], () => ({ op: items[which.index()].op, authoriser: ctx.session.controller() }));
}

function revokeKeyForm(ctx: EntriesContext): HTMLElement {
  const { identity, live } = ctx;
  const delegates = live.delegates.map((d) => ({
    label: `address ${d.delegate} (${purposeWords(nameOf(d.delegateType))})`,
    op: { type: "revokeDelegate", identity, delegateType: d.delegateType, delegate: d.delegate } as Operation,
  }));
  const publicKeys = live.attributes
    .filter((a) => nameOf(a.name)?.startsWith("did/pub/"))
    .map((a) => {
      const [, , type, purpose] = nameOf(a.name)!.split("/");
      return {
        label: `${type} ${short(a.value, 8)} (${purposeWords(purpose ?? null)})`,
        op: { type: "revokeAttribute", identity, name: a.name, value: a.value } as Operation,
      };
    });
  return revokeForm(ctx, "revoke-key", [...delegates, ...publicKeys], "No key is published besides the controller.");
}

function addServiceForm(ctx: EntriesContext): HTMLFormElement {
  const svcType = h("input", { type: "text", name: "service-type", value: "MessagingService", autocomplete: "off" });
  const svcEndpoint = h("input", { type: "url", name: "service-endpoint", autocomplete: "off", placeholder: "https://inbox.example/you" });
  const svcDays = validityInput();
  const fields = [
    field("Type", svcType, "Letters, digits or _ (up to 24)."),
    field("Endpoint", svcEndpoint),
    field("Valid for (days)", svcDays),
  ];
  return actionForm(ctx, "add-service", fields, () => ({
    op: {
      type: "setAttribute",
      identity: ctx.identity,
      ...serviceAttribute(svcType.value.trim(), svcEndpoint.value.trim()),
      validity: days(svcDays),
    },
    authoriser: ctx.session.controller(),
  }));
}

function removeServiceForm(ctx: EntriesContext): HTMLElement {
  const services = ctx.live.attributes
    .filter((a) => nameOf(a.name)?.startsWith("did/svc/"))
    .map((a) => ({
      label: `${nameOf(a.name)!.slice(8)} ${new TextDecoder().decode(hexToBytes(a.value))}`,
      op: { type: "revokeAttribute", identity: ctx.identity, name: a.name, value: a.value } as Operation,
    }));
  return revokeForm(ctx, "remove-service", services, "No service is published.");
}

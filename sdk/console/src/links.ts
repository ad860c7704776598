// Values people copy or look up elsewhere (DIDs, addresses, transaction hashes): each shown whole,
// with a copy button, and linked to the block explorer the console's config names (explorer.tx,
// explorer.address: URL templates). Without an explorer there is no link, never one to nowhere.
import { h } from "./dom.ts";
import { explorerLink, type Explorer, type RefKind } from "./explorer.ts";

export type { Explorer } from "./explorer.ts";

/** Copies `text` (a DID, an address, a hash: to paste elsewhere without retyping 60 characters); says whether it worked. */
export function copyButton(text: string, label: string): HTMLButtonElement {
  const button = h("button", { type: "button", class: "secondary copy", "data-action": "copy", "aria-label": label }, "Copy");
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = "Copied";
    } catch {
      button.textContent = "Select and copy it by hand";
    }
    setTimeout(() => (button.textContent = "Copy"), 2_000);
  });
  return button;
}

const NOUN: Record<RefKind, string> = { tx: "transaction hash", address: "address" };

/** An address or a transaction hash: the value (a link to the explorer's page when there is one;
 * `text` shows it shortened) and a button that copies it whole. */
export function ref(kind: RefKind, value: string, explorer: Explorer | undefined, text = value): HTMLElement {
  const code = h("code", { class: "mono" }, text);
  const href = explorerLink(explorer, kind, value);
  const title = `This ${kind === "tx" ? "transaction" : "address"} on the block explorer`;
  const shown = href ? h("a", { href, target: "_blank", rel: "noopener noreferrer", "data-explorer": kind, title }, code) : code;
  return h(
    "span",
    { class: "ref", "data-ref": kind, "data-value": value },
    shown,
    " ",
    copyButton(value, `Copy the ${NOUN[kind]} ${value}`),
  );
}

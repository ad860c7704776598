// "Your keys": the connected wallet, a key pasted or generated in this page, and which one acts as
// the controller of the DID shown. What it holds lives in the session (session.ts), not here: the
// panel is drawn again with every lookup.
import { custom, getAddress, type Address } from "viem";
import { generatePrivateKey } from "viem/accounts";
import type { Chain } from "./chain.ts";
import { walletClientOf } from "./clients.ts";
import { field, fill, h, uid } from "./dom.ts";
import { explain } from "./explain.ts";
import { download, toJson } from "./files.ts";
import { readPrivateKey } from "./key-files.ts";
import { ref, type Explorer } from "./links.ts";
import { ethereum, keyActor, type Session } from "./session.ts";

/** What each part of the panel needs: the tab's session, the DID's chain and controller, a redraw. */
interface Panel {
  session: Session;
  chain: Chain;
  /** The DID's controller (lower case; undefined when it has none). */
  owner: string | undefined;
  explorer: Explorer | undefined;
  redraw(): void;
  /** Says why connecting the wallet failed (kept across redraws). */
  error: HTMLElement;
}

/** The panel for the DID whose controller is `owner` (lower case; undefined when it has none). */
export function signersPanel(session: Session, chain: Chain, owner: string | undefined, explorer?: Explorer): HTMLElement {
  const el = h("div", { class: "signers" });
  const panel: Panel = { session, chain, owner, explorer, redraw: () => draw(), error: h("p", { class: "bad", role: "alert" }) };
  const draw = () => {
    const keyError = h("p", { class: "bad", role: "alert" });
    fill(el, h("h3", undefined, "Your keys"), walletLine(panel), pageKeyLine(panel, keyError), keyError, panel.error, actAsChoice(panel));
  };
  draw();
  return el;
}

/** Whether `address` controls the DID shown, as a tag. */
function status(panel: Panel, address: Address) {
  if (panel.owner === address.toLowerCase()) return h("span", { class: "tag good" }, "controls this DID");
  return h("span", { class: "tag" }, "not this DID's controller");
}

const keyLine = (panel: Panel, label: string, address: Address) =>
  h("p", undefined, label, ref("address", address, panel.explorer), status(panel, address));

function walletLine(panel: Panel): HTMLElement {
  const { wallet } = panel.session;
  if (wallet) {
    const line = keyLine(panel, "Wallet ", wallet.address);
    line.dataset.wallet = wallet.address;
    return line;
  }
  if (!ethereum())
    return h("p", { class: "muted" }, "No browser wallet found. Use a key in this page, or sign operations to files for a relayer.");
  return h(
    "p",
    undefined,
    h("button", { type: "button", "data-action": "connect", onclick: () => void connect(panel) }, "Connect wallet"),
    " ",
    h("span", { class: "hint" }, "MetaMask or any browser wallet. It signs as the controller and pays the gas."),
  );
}

/** The key in this page (download it if generated here, forget it), or the form to enter or generate one. */
function pageKeyLine(panel: Panel, keyError: HTMLElement): HTMLElement {
  const { session } = panel;
  const key = session.pageKey;
  if (key) {
    const save = () =>
      download(`sigil-key-${key.address.slice(2, 10).toLowerCase()}.json`, toJson({ address: key.address, privateKey: key.generated }));
    return h(
      "div",
      { "data-page-key": key.address },
      keyLine(panel, "Key in this page ", key.address),
      h(
        "div",
        { class: "buttons" },
        key.generated ? h("button", { type: "button", class: "secondary", onclick: save }, "Download this key") : null,
        h(
          "button",
          { type: "button", class: "secondary", onclick: () => ((session.pageKey = undefined), panel.redraw()) },
          "Forget this key",
        ),
      ),
    );
  }
  const keyInput = h("input", { type: "password", name: "page-key", autocomplete: "off", spellcheck: "false", placeholder: "0x…" });
  const use = (e: Event) => {
    e.preventDefault();
    try {
      session.pageKey = keyActor(panel.chain, readPrivateKey(keyInput.value, "the private key"), "key");
      session.actAs = "key";
      panel.redraw();
    } catch (error) {
      keyError.textContent = (error as Error).message;
    }
  };
  const generate = () => {
    const generated = generatePrivateKey();
    session.pageKey = { ...keyActor(panel.chain, generated, "key"), generated };
    session.actAs = "key";
    panel.redraw();
  };
  return h(
    "form",
    { class: "row-form", onsubmit: use },
    field("Private key", keyInput, "Kept in this tab's memory only: never stored, never sent."),
    h(
      "div",
      { class: "buttons" },
      h("button", { type: "submit" }, "Use this key"),
      h("button", { type: "button", class: "secondary", onclick: generate }, "Generate a new key"),
    ),
  );
}

/** "Act as": the wallet or the key in this page, when both are there. */
function actAsChoice(panel: Panel): HTMLElement | null {
  const { session } = panel;
  const choices: (readonly ["wallet" | "key", string])[] = [];
  if (session.wallet) choices.push(["wallet", "the wallet"]);
  if (session.pageKey) choices.push(["key", "the key in this page"]);
  if (choices.length < 2) return null;
  return h(
    "fieldset",
    { class: "inline" },
    h("legend", undefined, "Act as"),
    ...choices.map(([value, label]) => {
      const onchange = () => ((session.actAs = value), panel.redraw());
      const r = h("input", { type: "radio", name: "act-as", value, id: uid("as"), checked: session.actAs === value, onchange });
      return h("span", { class: "check" }, r, h("label", { for: r.id }, label));
    }),
  );
}

/** Connects the browser wallet, on the DID's chain (asking it to switch when it is on another). */
async function connect(panel: Panel) {
  const { session, chain } = panel;
  const eth = ethereum();
  if (!eth) return;
  try {
    const accounts = (await eth.request({ method: "eth_requestAccounts" })) as string[];
    const chainId = Number(await eth.request({ method: "eth_chainId" }));
    if (chainId !== chain.network.chainId) {
      try {
        await eth.request({ method: "wallet_switchEthereumChain", params: [{ chainId: `0x${chain.network.chainId.toString(16)}` }] });
      } catch {
        const name = chain.network.name ?? "this network";
        throw new Error(`Your wallet is on chain ${chainId}; switch it to chain ${chain.network.chainId} (${name}) and connect again.`);
      }
    }
    const address = getAddress(accounts[0]);
    session.wallet = { kind: "wallet", address, client: walletClientOf(address, custom(eth)) };
    session.actAs = "wallet";
    if (!session.listening) {
      session.listening = true;
      // Another account or a disconnection: connect again (the page will not act for an account it did not show).
      eth.on?.("accountsChanged", () => {
        session.wallet = undefined;
        session.onWalletChange?.();
      });
    }
    session.onWalletChange = panel.redraw;
    panel.redraw();
  } catch (error) {
    const x = explain(error);
    panel.error.textContent = `${x.headline}${x.detail ? ` ${x.detail}` : ""}`;
  }
}

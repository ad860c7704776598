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
import { ethereum, keyActor, session } from "./session.ts";

/** The panel for the DID whose controller is `owner` (lower case; undefined when it has none). */
export function signersPanel(chain: Chain, owner: string | undefined): HTMLElement {
  const keysPanel = h("div", { class: "signers" });
  const keysError = h("p", { class: "bad", role: "alert" });
  // Your keys: the wallet, a key in this page, and which one acts as the controller.
  const renderKeys = () => {
    const eth = ethereum();
    const walletLine = session.wallet
      ? h("p", { "data-wallet": session.wallet.address }, "Wallet ", h("code", { class: "mono" }, session.wallet.address), status(session.wallet.address))
      : eth
        ? h("p", undefined, h("button", { type: "button", "data-action": "connect", onclick: () => void connect() }, "Connect wallet"), " ", h("span", { class: "hint" }, "MetaMask or any browser wallet. It signs as the controller and pays the gas."))
        : h("p", { class: "muted" }, "No browser wallet found. Use a key in this page, or sign operations to files for a relayer.");
    const keyInput = h("input", { type: "password", name: "page-key", autocomplete: "off", spellcheck: "false", placeholder: "0x…" });
    const keyLine = session.pageKey
      ? h(
          "div",
          { "data-page-key": session.pageKey.address },
          h("p", undefined, "Key in this page ", h("code", { class: "mono" }, session.pageKey.address), status(session.pageKey.address)),
          h(
            "div",
            { class: "buttons" },
            session.pageKey.generated
              ? h("button", { type: "button", class: "secondary", onclick: () => download(`sigil-key-${session.pageKey!.address.slice(2, 10).toLowerCase()}.json`, toJson({ address: session.pageKey!.address, privateKey: session.pageKey!.generated })) }, "Download this key")
              : null,
            h("button", { type: "button", class: "secondary", onclick: () => ((session.pageKey = undefined), renderKeys()) }, "Forget this key"),
          ),
        )
      : h(
          "form",
          {
            class: "row-form",
            onsubmit: (e: Event) => {
              e.preventDefault();
              try {
                session.pageKey = keyActor(chain, readPrivateKey(keyInput.value, "the private key"), "key");
                session.actAs = "key";
                renderKeys();
              } catch (error) {
                keyError.textContent = (error as Error).message;
              }
            },
          },
          field("Private key", keyInput, "Kept in this tab's memory only: never stored, never sent."),
          h(
            "div",
            { class: "buttons" },
            h("button", { type: "submit" }, "Use this key"),
            h("button", { type: "button", class: "secondary", onclick: () => {
              const key = generatePrivateKey();
              session.pageKey = { ...keyActor(chain, key, "key"), generated: key };
              session.actAs = "key";
              renderKeys();
            } }, "Generate a new key"),
          ),
        );
    const keyError = h("p", { class: "bad", role: "alert" });
    const choices = [session.wallet && (["wallet", "the wallet"] as const), session.pageKey && (["key", "the key in this page"] as const)].filter(Boolean) as (readonly ["wallet" | "key", string])[];
    const radios =
      choices.length > 1
        ? h(
            "fieldset",
            { class: "inline" },
            h("legend", undefined, "Act as"),
            ...choices.map(([value, label]) => {
              const r = h("input", { type: "radio", name: "act-as", value, id: uid("as"), checked: session.actAs === value, onchange: () => ((session.actAs = value), renderKeys()) });
              return h("span", { class: "check" }, r, h("label", { for: r.id }, label));
            }),
          )
        : null;
    fill(keysPanel, h("h3", undefined, "Your keys"), walletLine, keyLine, keyError, keysError, radios);
  };
  const status = (address: Address) =>
    owner === address.toLowerCase() ? h("span", { class: "tag good" }, "controls this DID") : h("span", { class: "tag" }, "not this DID's controller");

  async function connect() {
    const eth = ethereum();
    if (!eth) return;
    try {
      const accounts = (await eth.request({ method: "eth_requestAccounts" })) as string[];
      const chainId = Number(await eth.request({ method: "eth_chainId" }));
      if (chainId !== chain.network.chainId) {
        try {
          await eth.request({ method: "wallet_switchEthereumChain", params: [{ chainId: `0x${chain.network.chainId.toString(16)}` }] });
        } catch {
          throw new Error(`Your wallet is on chain ${chainId}; switch it to chain ${chain.network.chainId} (${chain.network.name ?? "this network"}) and connect again.`);
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
      session.onWalletChange = renderKeys;
      renderKeys();
    } catch (error) {
      const x = explain(error);
      keysError.textContent = `${x.headline}${x.detail ? ` ${x.detail}` : ""}`;
    }
  }
  renderKeys();
  return keysPanel;
}

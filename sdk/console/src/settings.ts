// The network settings: the form that changes them (applied to the address bar, so that a reload
// or a shared link keeps them) and the header's line that says whether the network answers.
import type { Chain } from "./chain.ts";
import { configProblems, type ConsoleConfig } from "./config.ts";
import { cspBlocked } from "./csp.ts";
import { field, h } from "./dom.ts";
import { explain } from "./explain.ts";

/** A settings field across the whole form: an address or URL is never cut off. */
const wide = (el: HTMLElement) => (el.classList.add("wide"), el);

/** The settings form for `config`; `onApply` gets the settings entered (the network, the warning window). */
export function settingsForm(config: ConsoleConfig, onApply: (next: ConsoleConfig) => void): HTMLDetailsElement {
  const rpc = h("input", { type: "url", name: "rpc", value: config.network.rpcUrls.join(", "), autocomplete: "off", spellcheck: "false" });
  const chainId = h("input", { type: "number", name: "chainId", value: config.network.chainId, min: 1, inputmode: "numeric" });
  const registry = h("input", {
    type: "text",
    name: "registry",
    value: config.network.registry,
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "0x…",
  });
  const name = h("input", { type: "text", name: "network", value: config.network.name ?? "", autocomplete: "off", spellcheck: "false" });
  const recent = h("input", { type: "number", name: "recentDays", value: config.recentDays, min: 1, inputmode: "numeric" });
  const problems = h("ul", { class: "bad", role: "alert" }, ...configProblems(config).map((p) => h("li", undefined, p)));
  return h(
    "details",
    { class: "settings", open: configProblems(config).length > 0 },
    h("summary", undefined, "Network settings"),
    h(
      "form",
      {
        class: "grid-form",
        onsubmit: (e: Event) => {
          e.preventDefault();
          onApply({
            network: {
              name: name.value.trim() || undefined,
              chainId: Number(chainId.value),
              registry: registry.value.trim() as ConsoleConfig["network"]["registry"],
              rpcUrls: rpc.value
                .split(",")
                .map((u) => u.trim())
                .filter(Boolean),
              fromBlock: config.network.fromBlock,
              verify: config.network.verify,
            },
            recentDays: Number(recent.value) > 0 ? Number(recent.value) : 7,
            relayerUrl: config.relayerUrl,
            explorer: config.explorer,
          });
        },
      },
      wide(field("RPC URL", rpc, "Your browser reads the chain here. Several: separate with commas (tried in order).")),
      field("Chain id", chainId),
      wide(field("Registry address", registry)),
      field("Network name", name, "The name DIDs may use, as in did:sigil:<name>:0x…"),
      field("Key-change warning (days)", recent, "Warn when the keys changed within this many days."),
      h("div", { class: "buttons" }, h("button", { type: "submit" }, "Apply")),
      problems,
    ),
  );
}

/** The network `config` reads, in words: "localhost (chain 31337)". */
export const networkName = (config: ConsoleConfig) => `${config.network.name ?? "chain"} (chain ${config.network.chainId})`;

/** Says in `el` (the header) whether the network answers, and at which block. */
export async function showNetworkStatus(el: HTMLElement, config: ConsoleConfig, chainReady: Promise<Chain>) {
  const here = () => networkName(config);
  const problems = configProblems(config);
  if (problems.length) {
    el.textContent = "Not connected: see the network settings";
    el.className = "network bad";
    return;
  }
  const bad = (text: string) => ((el.textContent = text), (el.className = "network bad"));
  try {
    const [health] = await (await chainReady).resolver.health();
    if (!health.ok) {
      const csp = await cspBlocked(config.network.rpcUrls);
      return void bad(
        csp.length
          ? `Not connected to ${here()}: the Content-Security-Policy does not allow ${csp.join(", ")}`
          : `${here()}: the RPC endpoint does not answer (${health.error ?? "unavailable"})`,
      );
    }
    el.textContent = `${here()} · block ${health.blockNumber}`;
    el.className = "network ok";
  } catch (error) {
    bad(explain(error).headline);
  }
}

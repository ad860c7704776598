// The Sigil web console: look up a DID (or a DID URL with versionId/versionTime), read its
// document in words, see its history drawn, compare safety numbers, and act on it. It reads the
// chain through the SDK in this page (no server in between), and talks to no host but its own
// and the RPC endpoint in its settings.
import type { ParsedSigilDid, SigilError } from "sigil-did";
import type { Chain } from "./chain.ts";
import type { History, Resolution } from "./meta.ts";
import type { Session } from "./session.ts";
import { cspBlocked, cspExplained } from "./csp.ts";
import { configProblems, loadConfig, saveToQuery, type ConsoleConfig } from "./config.ts";
import { fill, h } from "./dom.ts";
import { resultsPanel } from "./layout.ts";
import { networkName, settingsForm, showNetworkStatus } from "./settings.ts";
import { copyButton } from "./links.ts";
import { explain } from "./explain.ts";
import { timeline } from "./timeline.ts";
import { banners, documentView, type Version } from "./view-document.ts";

interface Lookup {
  /** The generation of the lookUp call that read it. */
  id: number;
  did: string;
  identity: `0x${string}`;
  current: Resolution;
  history: History;
}

let config: ConsoleConfig;
/** The reading code (the SDK's resolver and viem): asked for at once, not waited for by the first render. */
const chainCode = import("./chain.ts");
/** The SDK's devicesOf, once the chain code has loaded (a document is drawn only after it has). */
let devicesOf: Awaited<typeof chainCode>["devicesOf"] | undefined;
void chainCode.then((m) => (devicesOf = m.devicesOf));
let chain: Chain;
/** The chain of the current settings, once its code has loaded. */
let chainReady: Promise<Chain>;
let lookup: Lookup | undefined;
let selected: bigint | undefined;
let generation = 0;
/** The tab's wallet, key in the page and lock: created with the first Act panel, kept across lookups. */
let session: Session | undefined;

const app = document.getElementById("app")!;
const networkStatus = document.getElementById("network-status")!;

const didInput = h("input", {
  type: "text",
  name: "did",
  id: "did-input",
  autocomplete: "off",
  spellcheck: "false",
  autocapitalize: "off",
  placeholder: "did:sigil:0x7a69:0x…",
  required: true,
});
const lookupError = h("p", { class: "bad", role: "alert", id: "lookup-error" });
/** Says what a lookup found, for screen readers (the document itself is not a live region). */
const announce = h("p", { class: "visually-hidden", role: "status", "aria-live": "polite", id: "lookup-announce" });
const bannerBox = h("div", { class: "banners", id: "banners" });
const docBox = h("div", { id: "document-view" });
const historyBox = h("div", { id: "timeline-view" });
const safetyBox = h("div", { id: "safety-view" });
const actBox = h("div", { id: "act-view" });
const actStatus = h("div", { id: "act-status", role: "status", "aria-live": "polite" });
const results = resultsPanel({ document: docBox, history: historyBox, safety: safetyBox, act: [actStatus, actBox] });

/** The network this console reads, in words: "localhost (chain 31337)". */
const here = () => networkName(config);

const showStatus = async () => showNetworkStatus(networkStatus, config, chainReady);

/** Why `parsed` is not looked up here: it names another chain than this console's (undefined: it does not). */
function otherChain(parsed: ParsedSigilDid): string | undefined {
  const n = config.network;
  if (parsed.network === undefined || parsed.network === n.name || parsed.network === `0x${n.chainId.toString(16)}`) return undefined;
  const theirs = parsed.chainId !== undefined ? `chain ${parsed.chainId}` : parsed.network;
  return (
    `This DID is on ${theirs}. This console is connected to ${here()}: it reads and acts only there, so it ` +
    `shows nothing for this DID. Look it up on a console connected to ${theirs}, or change the network settings.`
  );
}

/** Takes everything of the shown DID off the page (its banners, document, history, forms): a
 * lookup that fails or names something else must not leave them under another address. The log of
 * an operation still running stays, in the shared log, labelled with its DID. */
function clearShown(keepLog = false) {
  const running = actBox.querySelector<HTMLElement>("[data-running]");
  if (running && lookup) fill(actStatus, h("p", { class: "muted" }, `Still running, for ${lookup.did}:`), running);
  else if (!keepLog) fill(actStatus);
  lookup = undefined;
  selected = undefined;
  for (const box of [bannerBox, docBox, historyBox, safetyBox, actBox]) fill(box);
  safetyBox.dataset.did = "";
}

/** Reads the DID's current document and history, and its version `input` names, then draws all.
 * What is drawn belongs to this lookup only: a later lookup (its generation) wins, and nothing of
 * an earlier DID stays while another one is read or when reading it fails. */
async function lookUp(input: string) {
  const mine = ++generation;
  fill(lookupError);
  announce.textContent = "";
  let parsed: ParsedSigilDid;
  const { parseDid } = await chainCode;
  if (mine !== generation) return;
  try {
    parsed = parseDid(input.trim());
  } catch (error) {
    clearShown();
    results.hidden = true;
    lookupError.textContent = (error as SigilError).message;
    return;
  }
  const refused =
    otherChain(parsed) ?? (configProblems(config).length ? `Cannot read the chain: ${configProblems(config).join("; ")}.` : undefined);
  if (refused) {
    clearShown();
    results.hidden = true;
    lookupError.textContent = refused;
    return;
  }
  if (lookup?.did !== parsed.input) clearShown();
  results.setAttribute("aria-busy", "true");
  results.hidden = false;
  fill(docBox, h("p", { class: "muted" }, "Reading the registry…"));
  try {
    const [{ readHistory }, chain] = await Promise.all([chainCode, chainReady]);
    const [current, history] = await Promise.all([chain.resolver.resolve(parsed.input), readHistory(chain, parsed.address)]);
    if (mine !== generation) return;
    lookup = { id: mine, did: parsed.input, identity: parsed.address, current, history };
    const versionId = parsed.params.versionId;
    const versionTime = parsed.params.versionTime;
    selected = undefined;
    if (versionId !== undefined || versionTime !== undefined) {
      const version = await chain.pastResolver.resolve(input.trim());
      if (mine !== generation) return;
      const v = (version.didDocumentMetadata as { versionId?: string }).versionId;
      selected = versionId !== undefined ? BigInt(versionId) : v !== undefined ? BigInt(v) : undefined;
      render(version, true);
    } else render(current, true);
    performance.mark("sigil:document");
    const error = (current.didResolutionMetadata as { error?: string }).error;
    announce.textContent = error
      ? `${parsed.input} could not be resolved.`
      : `Showing ${parsed.input}${selected !== undefined ? ` as it was at block ${selected}` : ""}.`;
  } catch (error) {
    if (mine !== generation) return;
    clearShown(lookup?.did === parsed.input);
    const csp = await cspBlocked(config.network.rpcUrls);
    const x = csp.length ? cspExplained(csp) : explain(error);
    fill(
      docBox,
      h(
        "div",
        { class: "banner danger", role: "alert" },
        h("strong", undefined, `Could not read ${parsed.input}. `),
        x.headline,
        x.detail ? ` ${x.detail}` : "",
      ),
    );
    announce.textContent = "";
  } finally {
    if (mine === generation) results.removeAttribute("aria-busy");
    void showStatus();
  }
}

/** Shows the document of the selected version (or the current one) and everything around it. */
function render(shown: Resolution, full = false) {
  if (!lookup) return;
  const { current, history: hist } = lookup;
  const timed = <T>(name: string, work: () => T): T => {
    const start = performance.now();
    try {
      return work();
    } finally {
      performance.measure(`sigil:render:${name}`, { start, end: performance.now() });
    }
  };
  const resolved = !(shown.didResolutionMetadata as { error?: string }).error;
  fill(bannerBox, ...(resolved ? banners(current, hist.events, hist.head, config.recentDays) : []));
  const version = selected === undefined ? undefined : pastVersion(hist, selected);
  timed("document", () =>
    fill(
      docBox,
      h(
        "p",
        { class: "did-line" },
        h("code", { class: "mono", id: "shown-did" }, lookup!.did),
        " ",
        copyButton(lookup!.did, "Copy the DID"),
      ),
      documentView(shown, {
        version,
        explorer: config.explorer,
        onBackToCurrent: () => void select(undefined),
        devices: shown.didDocument ? devicesOf?.(shown) : undefined,
      }),
    ),
  );
  const width = Math.max(320, historyBox.clientWidth || 760);
  timed("timeline", () =>
    fill(historyBox, resolved ? timeline({ events: hist.events, head: hist.head, selected, onSelect: (b) => void select(b) }, width) : ""),
  );
  // On a narrow screen the timeline scrolls: open it at its newest end (the last purge and "now").
  const scroller = historyBox.querySelector<HTMLElement>(".tl-scroll");
  if (scroller && selected === undefined) scroller.scrollLeft = scroller.scrollWidth;
  // A DID that does not resolve (its document is an error) is not acted on.
  if (!full || !resolved) return;
  // The rest after the document is on screen (QR codes and forms take a few dozen ms).
  const shownLookup = lookup;
  const isCurrent = () => lookup === shownLookup;
  // Their code is a separate chunk, loaded the first time (the document needs none of it).
  void Promise.all([import("./safety-view.ts"), import("./act.ts")]).then(([{ safetyView }, { actView, Session }]) => {
    if (!isCurrent()) return;
    // Drawn again when the document changed (a key or device added from this page): a safety
    // number computed from the document first shown would be the old one.
    const version = `${shownLookup.did}@${String((current.didDocumentMetadata as { versionId?: string }).versionId ?? "")}`;
    if (safetyBox.dataset.did !== version) {
      safetyBox.dataset.did = version;
      timed("safety", () => fill(safetyBox, safetyView(chain, current)));
    }
    const refresh = () => (isCurrent() ? lookUp(shownLookup.did) : Promise.resolve());
    const tab = (session ??= new Session());
    timed("act", () =>
      fill(
        actBox,
        actView({
          session: tab,
          chain,
          did: shownLookup.did,
          identity: shownLookup.identity,
          result: current,
          history: hist,
          relayerUrl: config.relayerUrl,
          explorer: config.explorer,
          isCurrent,
          refresh,
          report,
        }),
      ),
    );
  });
}

/** The version as of `block`: its time, and the first later purge (a rotation or recovery that voided it). */
function pastVersion(hist: History, block: bigint): Version {
  const purge = hist.events.find((e) => e.blockNumber > block && (e.kind === "rotate" || e.kind === "recovered") && e.purged);
  return { block, time: hist.events.find((e) => e.blockNumber === block)?.blockTimestamp, voidedAt: purge?.blockNumber };
}

/** The shared log: the last change made from this page, above the redrawn forms (moved, not
 * copied, so that it keeps showing its steps to the end); undefined clears it. */
function report(log: HTMLElement | undefined) {
  if (!log) return void fill(actStatus);
  log.removeAttribute("role");
  log.removeAttribute("aria-live");
  log.classList.add("last-action");
  fill(actStatus, h("p", { class: "muted" }, "Last change made from this page:"), log);
}

/** Shows the document as of `block` (undefined: the current one). */
async function select(block: bigint | undefined) {
  if (!lookup) return;
  selected = block;
  const url = block === undefined ? lookup.did : `${lookup.did}?versionId=${block}`;
  history.replaceState(null, "", `${location.pathname}${location.search}#did=${encodeURIComponent(url)}`);
  didInput.value = url;
  if (block === undefined) return (render(lookup.current), focusSelected());
  const mine = generation;
  const version = await (block === undefined ? chain.resolver : chain.pastResolver).resolve(url);
  if (mine !== generation) return;
  render(version);
  focusSelected();
}

function focusSelected() {
  historyBox.querySelector<SVGGElement>('.point[tabindex="0"]')?.focus({ preventScroll: true });
}

async function start() {
  const settings = config;
  generation++; // a lookup still reading with the previous settings draws nothing
  chainReady = chainCode.then(({ makeChain }) => (chain = makeChain(settings)));
  safetyBox.dataset.did = "";
  fill(
    app,
    settingsForm(config, (next) => {
      config = next;
      saveToQuery(config);
      void start();
    }),
    h(
      "section",
      { class: "lookup panel", "aria-labelledby": "h-lookup" },
      h("h1", { id: "h-lookup" }, "Look up a DID"),
      h(
        "form",
        {
          class: "lookup-form",
          role: "search",
          onsubmit: (e: Event) => {
            e.preventDefault();
            history.replaceState(null, "", `${location.pathname}${location.search}#did=${encodeURIComponent(didInput.value.trim())}`);
            void lookUp(didInput.value);
          },
        },
        h("label", { for: "did-input" }, "DID or DID URL"),
        h("div", { class: "lookup-row" }, didInput, h("button", { type: "submit" }, "Look up")),
        h("p", { class: "hint" }, "Add ?versionId=<block> or ?versionTime=<ISO time> to see an earlier version."),
        lookupError,
        announce,
      ),
    ),
    bannerBox,
    results,
  );
  document.querySelector(".skip")?.addEventListener("click", (e) => {
    e.preventDefault(); // focus the lookup without replacing the address's #did=…
    didInput.focus();
  });
  performance.mark("sigil:first-render");
  void showStatus();
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("did");
  if (fromHash) {
    didInput.value = fromHash;
    await lookUp(fromHash);
  }
}

addEventListener("hashchange", () => {
  const did = new URLSearchParams(location.hash.slice(1)).get("did");
  if (did && did !== didInput.value.trim()) {
    didInput.value = did;
    void lookUp(did);
  }
});

config = await loadConfig();
await start();

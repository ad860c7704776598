// The web console tells nothing but the truth (issue 20, items 13-16 and 19), in a real headless
// Chromium against a real `hardhat node` and `sigil serve --console` (test/support/console-stage.ts):
// a DID of another chain is never acted on from this chain; a lookup that fails leaves nothing of
// the previous DID on screen and no form that acts on it; one operation at a time (a double click
// sends one transaction) and its log always ends in done, refused or failed; a review names what
// changes, on which DID and chain, and who pays before anything is signed; a malformed DID, an RPC
// that is down and an RPC the page's CSP does not allow are each said as such.
import { expect } from "chai";
import { get as httpGet, type IncomingHttpHeaders } from "node:http";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, brotliDecompressSync, gunzipSync } from "node:zlib";
import type { Page, Route } from "playwright-core";
import type { Address, WalletClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { bytes32Name, createSigilResolver, sendOperation } from "sigil-did";
import { browserPage } from "../support/browser.ts";
import {
  CONSOLE_DIST,
  startConsoleStage,
  startSigilServe,
  testWalletScript,
  WALLET_ACCOUNT,
  type ConsoleStage,
} from "../support/console-stage.ts";
import { startRpcProxy } from "../support/rpc-proxy.ts";

/* eslint-disable @typescript-eslint/no-explicit-any */
const OUT = join(import.meta.dirname, "..", "..", "test-output", "console");
declare const document: any;
declare const window: any;
declare const getComputedStyle: any;

describe("web console: nothing but the truth (wrong chain, stale state, one operation at a time, review before signing)", function () {
  this.timeout(300_000);
  let stage: ConsoleStage;
  let page: Page;
  /** Carol: a key added just now (the page warns of it), on the local chain. */
  let carol: { wallet: WalletClient; address: Address; did: string };
  const pageErrors: string[] = [];
  const resolver = () =>
    createSigilResolver({
      networks: [{ chainId: 31337, name: "localhost", registry: stage.registry, rpcUrls: [stage.node.url] }],
      cache: false,
    });
  const eventCount = async (address: Address) =>
    (await stage.publicClient.getLogs({ address: stage.registry, fromBlock: 0n })).filter((l) =>
      l.topics[1]?.toLowerCase().endsWith(address.slice(2).toLowerCase()),
    ).length;
  /** Requests to the node (one function: page.unroute matches it by identity). */
  const toNode = (url: URL) => url.origin === new URL(stage.node.url).origin;
  const walletCalls = async (method: string) =>
    ((await page.evaluate("window.__walletCalls")) as string[]).filter((m) => m === method).length;

  /** A screenshot in test-output/console/ (the review and the refusals, as a person sees them). */
  const shot = async (name: string) => {
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, `${name}.png`) });
  };

  /** Submits the lookup form and waits until the page has answered (a document or an error). */
  async function submit(did: string) {
    await page.fill("#did-input", did);
    await page.click(".lookup-form button[type=submit]");
    await page.waitForFunction(
      () => {
        if (document.querySelector("#results")?.hasAttribute("aria-busy")) return false;
        const error = document.querySelector("#lookup-error")?.textContent ?? "";
        const shown = document.querySelector("#document-view")?.textContent ?? "";
        return error !== "" || (shown !== "" && !shown.includes("Reading the registry"));
      },
      undefined,
      { timeout: 30_000 },
    );
    await page.waitForTimeout(500); // the forms are drawn after the document: give them the time to appear
  }
  async function lookUp(did: string) {
    await submit(did);
    await page.waitForFunction((d) => document.querySelector("#shown-did")?.textContent === d, did, { timeout: 30_000 });
    await page.waitForSelector("#act-view form[data-form]", { state: "attached" });
  }
  async function open(act: string) {
    const details = page.locator(`details[data-act="${act}"]`);
    if (!(await details.evaluate((d: any) => d.open))) await details.locator("> summary").click();
  }
  async function outcome(form: string) {
    const handle = await page.waitForFunction(
      (name) => {
        const outs: any[] = [...document.querySelectorAll(`[data-out="${name}"][data-outcome]`)];
        const out = outs.find((o) => o.closest("#act-status")) ?? outs[0];
        return out && { outcome: out.dataset.outcome, text: out.innerText };
      },
      form,
      { timeout: 60_000 },
    );
    return (await handle.jsonValue()) as { outcome: string; text: string };
  }
  /** What is left on the page of an identity: its address anywhere in the text, its banners, drawn history and forms. */
  async function leftovers(address: Address) {
    return page.evaluate((a: string) => {
      const text = (document.querySelector("#main").innerText as string).toLowerCase();
      return {
        address: text.includes(a.toLowerCase()),
        banners: document.querySelectorAll("#banners > *").length,
        points: document.querySelectorAll("#timeline-view .point").length,
        forms: document.querySelectorAll("#act-view form[data-form]").length,
        send: document.querySelectorAll('[data-action="send"], [data-action="file"], [data-action="relay"]').length,
      };
    }, address);
  }
  async function usePageKey(key: `0x${string}`) {
    if (await page.locator("[data-page-key]").count()) await page.locator("[data-page-key] button", { hasText: "Forget this key" }).click();
    await page.fill('input[name="page-key"]', key);
    await page.locator(".signers form button[type=submit]").click();
    await page.waitForSelector(`[data-page-key="${privateKeyToAccount(key).address}"]`);
  }

  before(async function () {
    const p = await browserPage();
    if (!p) return this.skip();
    page = p;
    stage = await startConsoleStage();
    const wallet = await stage.chain.funded();
    const address = wallet.account!.address;
    await sendOperation(
      wallet,
      { registry: stage.registry, publicClient: stage.publicClient },
      {
        type: "addDelegate",
        identity: address,
        delegateType: bytes32Name("sigAuth"),
        delegate: privateKeyToAccount(generatePrivateKey()).address,
        validity: 86_400n,
      },
    );
    carol = { wallet, address, did: `did:sigil:localhost:${address.toLowerCase()}` };
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.addInitScript(testWalletScript(stage.node.url, WALLET_ACCOUNT));
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${stage.url}/`);
  });
  after(async () => {
    await page?.context().browser()?.close();
    await stage?.stop();
  });

  it("a DID of another chain (by name or chain id) is never acted on here: no forms, no local banner or history, and the page says which chain it is connected to", async () => {
    await lookUp(carol.did);
    expect(await page.locator('[data-banner="recent-key-change"]').count(), "carol's key change is recent").to.equal(1);
    const before = await eventCount(carol.address);
    for (const did of [`did:sigil:sepolia:${carol.address.toLowerCase()}`, `did:sigil:0x1:${carol.address.toLowerCase()}`]) {
      await submit(did);
      const left = await leftovers(carol.address);
      expect({ banners: left.banners, points: left.points, forms: left.forms, send: left.send }, did).to.deep.equal({
        banners: 0,
        points: 0,
        forms: 0,
        send: 0,
      });
      const said = await page.locator("#main").innerText();
      expect(said, did).to.include("This console is connected to localhost (chain 31337)");
      expect(said, did).to.include(did.split(":")[2] === "sepolia" ? "sepolia" : "chain 1");
    }
    await shot("20-another-chain");
    expect(await eventCount(carol.address), "nothing was written to the local chain").to.equal(before);
    // The same identity named by this chain's id is this chain's: shown and actionable.
    await lookUp(`did:sigil:0x7a69:${carol.address.toLowerCase()}`);
    expect(await page.locator('[data-banner="recent-key-change"]').count()).to.equal(1);
  });

  it("after looking up A, then B with the RPC failing, nothing of A is left under B and no form acts on A", async () => {
    await lookUp(carol.did);
    // The node fails every eth_getLogs while B is read.
    let failed = 0;
    const failLogs = async (route: Route) => {
      if ((route.request().postData() ?? "").includes("eth_getLogs")) {
        failed++;
        return route.abort("connectionreset");
      }
      return route.continue();
    };
    await page.route(toNode, failLogs);
    try {
      await submit(stage.bob.did);
    } finally {
      await page.unroute(toNode, failLogs);
    }
    expect(failed, "RPC requests failed").to.be.greaterThan(0);
    const left = await leftovers(carol.address);
    expect(left).to.deep.equal({ address: false, banners: 0, points: 0, forms: 0, send: 0 });
    const said = await page.locator("#document-view").innerText();
    expect(said).to.include(`Could not read ${stage.bob.did}.`).and.include("could not be reached");
    // Looked up again with the node answering: B, and only B.
    await lookUp(stage.bob.did);
    expect((await leftovers(carol.address)).address).to.equal(false);
  });

  it("a form drawn for A never writes to A once B is shown (the page's state belongs to one lookup)", async () => {
    await lookUp(carol.did);
    const key = generatePrivateKey();
    await usePageKey(key);
    await open("services");
    // A's form, kept by a script across the lookup of B, then submitted: the page refuses.
    await page.evaluate(() => (window.__kept = document.querySelector('form[data-form="add-service"]')));
    await page.fill('form[data-form="add-service"] input[name="service-endpoint"]', "https://inbox.example/stale");
    await lookUp(stage.bob.did);
    const before = await eventCount(carol.address);
    const refused = await page.evaluate(async () => {
      const form = window.__kept;
      document.body.append(form); // visible again, as a stale tab's form would be
      form.querySelector('[data-action="send"]').click();
      for (let i = 0; i < 100 && !form.querySelector("[data-outcome]"); i++) await new Promise((r) => setTimeout(r, 100));
      const out = form.querySelector("[data-outcome]");
      form.remove();
      return out && { outcome: out.dataset.outcome, text: out.innerText };
    });
    expect(refused?.outcome, JSON.stringify(refused)).to.equal("refused");
    expect(refused!.text).to.include("no longer shown");
    expect(await eventCount(carol.address)).to.equal(before);
    await page.locator("[data-page-key] button", { hasText: "Forget this key" }).click();
  });

  it("runs one operation at a time: a double click sends one transaction, and the shared log ends in done", async () => {
    await lookUp(stage.bob.did);
    if (!(await page.locator("[data-wallet]").count())) await page.click('[data-action="connect"]');
    await page.waitForSelector(`[data-wallet="${WALLET_ACCOUNT}"]`);
    await open("services");
    await page.fill('form[data-form="add-service"] input[name="service-endpoint"]', "https://inbox.example/bob-once");
    const sent = await walletCalls("eth_sendTransaction");
    const events = await eventCount(WALLET_ACCOUNT);
    await page.locator('form[data-form="add-service"] [data-action="send"]').dblclick();
    // A review (when the page shows one) confirmed with a double click too.
    const review = page.locator("dialog[data-review][open] [data-action=confirm]");
    if (
      await review.waitFor({ timeout: 5_000 }).then(
        () => true,
        () => false,
      )
    )
      await review.dblclick();
    const result = await outcome("add-service");
    expect(result.outcome, result.text).to.equal("done");
    await page.waitForTimeout(1_500); // time for a second transaction, if one were sent
    expect(await walletCalls("eth_sendTransaction"), "transactions sent").to.equal(sent + 1);
    expect(await eventCount(WALLET_ACCOUNT), "registry events").to.equal(events + 1);
    const shared = await page
      .locator("#act-status [data-out]")
      .evaluate((o: any) => ({ outcome: o.dataset.outcome, last: o.querySelector("li:last-child").innerText }));
    expect(shared.outcome).to.equal("done");
    expect(shared.last).to.match(/^Done in block \d+: the registry recorded a key or service change\.$/);
  });

  it("a wallet that fails after the check ends the log as failed, with its reason (never left at “Confirm in your wallet…”)", async () => {
    await open("services");
    await page.fill('form[data-form="add-service"] input[name="service-endpoint"]', "https://inbox.example/bob-fails");
    await page.evaluate(() => (window.__walletFail = { eth_sendTransaction: "the wallet lost its connection" }));
    try {
      await page.locator('form[data-form="add-service"] [data-action="send"]').click();
      const review = page.locator("dialog[data-review][open] [data-action=confirm]");
      if (
        await review.waitFor({ timeout: 5_000 }).then(
          () => true,
          () => false,
        )
      )
        await review.click();
      const result = await outcome("add-service");
      expect(result.outcome, result.text).to.equal("failed");
      expect(result.text).to.include("the wallet lost its connection");
      expect(result.text).not.to.match(/Confirm in your wallet…\s*$/);
    } finally {
      await page.evaluate(() => (window.__walletFail = {}));
    }
  });

  it("a wallet that switched to another chain after connecting is refused before anything is signed", async () => {
    await lookUp(stage.bob.did);
    if (!(await page.locator("[data-wallet]").count())) await page.click('[data-action="connect"]');
    await open("services");
    await page.fill('form[data-form="add-service"] input[name="service-endpoint"]', "https://inbox.example/bob-chain-1");
    const sent = await walletCalls("eth_sendTransaction");
    await page.evaluate(() => (window.__walletChainId = 1));
    try {
      await page.locator('form[data-form="add-service"] [data-action="send"]').click();
      const result = await outcome("add-service");
      expect(result.outcome, result.text).to.equal("refused");
      expect(result.text).to.include("Your wallet is on chain 1, and this DID is on chain 31337");
      expect(await page.locator("dialog[data-review]").count(), "no review: nothing to confirm").to.equal(0);
      expect(await walletCalls("eth_sendTransaction")).to.equal(sent);
    } finally {
      await page.evaluate(() => (window.__walletChainId = 0));
    }
  });

  it("shows a review before a key held in the page signs: what changes, on which DID and chain, who pays; cancelled, nothing is signed", async () => {
    const key = generatePrivateKey();
    const dave = privateKeyToAccount(key).address;
    await stage.publicClient.waitForTransactionReceipt({
      hash: await stage.chain.dev.sendTransaction({ to: dave, value: 10n ** 18n, chain: null }),
    });
    const did = `did:sigil:localhost:${dave.toLowerCase()}`;
    await lookUp(did);
    await usePageKey(key);
    await open("services");
    await page.fill('form[data-form="add-service"] input[name="service-endpoint"]', "https://inbox.example/dave");
    const block = await stage.publicClient.getBlockNumber();
    await page.locator('form[data-form="add-service"] [data-action="send"]').click();
    const dialog = page.locator("dialog[data-review][open]");
    await dialog.waitFor({ timeout: 10_000 });
    const said = await dialog.innerText();
    expect(said).to.include("Add the service MessagingService https://inbox.example/dave");
    expect(said).to.include(did).and.include("localhost (chain 31337)").and.include(stage.registry);
    expect(said).to.match(new RegExp(`Signed by\\s+the key in this page ${dave}`));
    // The wallet connected earlier pays (it relays what the page's key signed).
    expect(said).to.match(new RegExp(`Gas paid by\\s+your wallet ${WALLET_ACCOUNT}`));
    await shot("21-review");
    await page.waitForTimeout(500);
    expect(await stage.publicClient.getBlockNumber(), "nothing is sent while the review is open").to.equal(block);
    await dialog.locator("[data-action=cancel]").click();
    const cancelled = await outcome("add-service");
    expect(cancelled.outcome).to.equal("refused");
    expect(cancelled.text).to.include("Cancelled: nothing was signed or sent.");
    expect(await stage.publicClient.getBlockNumber()).to.equal(block);
    // Signed to a file: the review says nobody pays yet, and nothing is downloaded before it is confirmed.
    let downloads = 0;
    page.on("download", () => downloads++);
    await page.locator('form[data-form="add-service"] [data-action="file"]').click();
    await dialog.waitFor({ timeout: 10_000 });
    expect(await dialog.innerText()).to.match(/Gas paid by\s+whoever sends the file/);
    await page.waitForTimeout(500);
    expect(downloads, "no signature before the review is confirmed").to.equal(0);
    await dialog.locator("[data-action=cancel]").click();
    // Confirmed: signed and sent, and done once the chain shows it.
    await page.locator('form[data-form="add-service"] [data-action="send"]').click();
    await dialog.locator("[data-action=confirm]").click();
    const done = await outcome("add-service");
    expect(done.outcome, done.text).to.equal("done");
    expect((await resolver().resolve(did)).didDocument!.service!.map((s) => s.serviceEndpoint)).to.deep.equal([
      "https://inbox.example/dave",
    ]);
    await page.locator("[data-page-key] button", { hasText: "Forget this key" }).click();
  });

  it("a malformed DID clears the previous document, its banner and its forms", async () => {
    await lookUp(carol.did);
    expect(await page.locator("#banners > *").count()).to.be.greaterThan(0);
    await submit("did:sigil:localhost:0x1234");
    expect(await page.locator("#lookup-error").innerText()).to.match(/address/i);
    const left = await leftovers(carol.address);
    expect(left).to.deep.equal({ address: false, banners: 0, points: 0, forms: 0, send: 0 });
    expect(await page.locator("#document-view .document").count()).to.equal(0);
  });

  it("the header says so when the RPC is down, and recovers when it is back", async () => {
    await lookUp(carol.did);
    expect(await page.locator("#network-status").getAttribute("class")).to.equal("network ok");
    const down = (route: Route) => route.fulfill({ status: 503, body: "down" });
    await page.route(toNode, down);
    try {
      await submit(stage.bob.did);
      await page.waitForFunction(() => document.querySelector("#network-status")?.className === "network bad", undefined, {
        timeout: 30_000,
      });
      expect(await page.locator("#network-status").innerText()).to.match(/RPC/);
    } finally {
      await page.unroute(toNode, down);
    }
    await lookUp(stage.bob.did);
    await page.waitForFunction(() => document.querySelector("#network-status")?.className === "network ok", undefined, { timeout: 30_000 });
  });

  it("an RPC URL that the page's Content-Security-Policy does not allow is explained as such, not blamed on the node", async () => {
    const proxy = await startRpcProxy(stage.node.url);
    try {
      const q = new URLSearchParams({ rpc: proxy.url, chainId: "31337", registry: stage.registry, network: "localhost" });
      await page.goto(`${stage.url}/?${q}`);
      await submit(stage.bob.did);
      const said = await page.locator("#main").innerText();
      expect(said).to.include(`does not allow this page to connect to ${new URL(proxy.url).origin}`);
      expect(said).not.to.include("the node is running");
      await shot("22-csp-blocked-rpc");
      await page.waitForFunction(() => document.querySelector("#network-status")?.className === "network bad");
      expect(await page.locator("#network-status").innerText()).to.include("Content-Security-Policy");
      expect(proxy.requests, "the browser never reached the RPC").to.deep.equal([]);
    } finally {
      await proxy.close();
      await page.goto(`${stage.url}/`);
    }
  });

  it("a past version voided by a later purge is said void, never “Active”; the text history marks what the purge voided; the fingerprint says it is today's", async () => {
    const { alice } = stage;
    await lookUp(alice.did);
    expect(await page.locator('.facts [data-status="active"]').innerText()).to.equal("Active");
    await page.locator(`#timeline-view .point[data-block="${alice.theftBlock}"]`).click();
    await page.waitForSelector(`#document-view .document[data-version="${alice.theftBlock}"]`);
    const status = await page.locator(".facts dt:text-is('Status') + dd").innerText();
    expect(status).to.equal(`Void: a rotation at block ${alice.rotationBlock} voided every key and service of this version`);
    expect(await page.locator("#document-view .good", { hasText: "Active" }).count()).to.equal(0);
    const voided = await page
      .locator(".tl-text li[data-voided-by]")
      .evaluateAll((items) => items.map((li) => ({ by: li.getAttribute("data-voided-by"), text: (li.textContent ?? "").toLowerCase() })));
    expect(voided.length).to.be.greaterThan(0);
    expect(
      voided.every((v) => v.by === alice.rotationBlock.toString() && v.text.includes(`void since block ${alice.rotationBlock} (purged)`)),
    ).to.equal(true);
    expect(voided.some((v) => v.text.includes(alice.thief.slice(0, 8).toLowerCase()))).to.equal(true);
    expect(
      await page.locator(".tl-text li:not([data-voided-by])").count(),
      "the rotation and what followed are not void",
    ).to.be.greaterThan(0);
    expect(await page.locator("[data-fingerprint-of]").innerText()).to.include("Of the current document");
  });

  it("speaks plainly: purposes in words (not sigAuth), a commitment not said published before it is sent, what a receipt recorded in words", async () => {
    await lookUp(stage.alice.did);
    const history = (await page.locator(".tl-text").textContent()) ?? "";
    expect(history).to.include("(login and signing)").and.not.include("sigAuth");
    expect(await page.locator('form[data-form="revoke-key"]').textContent())
      .to.include("(login and signing)")
      .and.not.include("sigAuth");
    await open("commit");
    await page.click('[data-action="generate-next"]');
    const card = await page.locator('form[data-form="commit"] .next-card').innerText();
    expect(card).to.include("published when you send").and.not.include("published on chain");
  });

  it("on a phone the timeline opens at its newest end (a one-day history names its day), the settings show the whole registry address, the DID copies with one tap; the focus ring has 3:1 contrast; a lookup is announced to screen readers", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await lookUp(stage.alice.did);
      expect(await page.locator("#lookup-announce").innerText()).to.equal(`Showing ${stage.alice.did}.`);
      // The DID copies with one tap.
      await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: stage.url });
      await page.locator('.did-line [data-action="copy"]').click();
      expect(await page.evaluate("navigator.clipboard.readText()")).to.equal(stage.alice.did);
      expect(await page.locator('.did-line [data-action="copy"]').innerText()).to.equal("Copied");
      expect(await page.locator("#lookup-announce").getAttribute("aria-live")).to.equal("polite");
      const scroll = await page
        .locator("#timeline-view .tl-scroll")
        .evaluate((el: any) => ({ left: el.scrollLeft, width: el.clientWidth, total: el.scrollWidth }));
      expect(scroll.total, "the timeline is wider than a phone").to.be.greaterThan(scroll.width);
      expect(scroll.left + scroll.width, "scrolled to its newest end").to.be.within(scroll.total - 2, scroll.total);
      // The settings: the registry address and the RPC URL shown whole.
      await page.locator("details.settings > summary").click();
      for (const name of ["registry", "rpc"]) {
        const fits = await page.locator(`.grid-form input[name="${name}"]`).evaluate((el: any) => el.scrollWidth <= el.clientWidth);
        expect(fits, `the ${name} is not cut off`).to.equal(true);
      }
      await page.locator("details.settings > summary").click();
      const nowBox = await page.locator('#timeline-view .point[data-block="now"]').boundingBox();
      expect(nowBox!.x + nowBox!.width / 2, "“now” is on screen").to.be.within(0, 390);
      // The focus colour against the panel behind it (WCAG relative luminance).
      const [focus, panel] = await page.evaluate(() => {
        const probe = document.createElement("span");
        document.querySelector(".panel").append(probe);
        probe.style.color = "var(--focus)";
        const colors = [getComputedStyle(probe).color, getComputedStyle(document.querySelector(".panel")).backgroundColor];
        probe.remove();
        return colors;
      });
      const luminance = (rgb: string) => {
        const [r, g, b] = rgb
          .match(/\d+/g)!
          .slice(0, 3)
          .map((c) => Number(c) / 255)
          .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const [hi, lo] = [luminance(focus), luminance(panel)].sort((a, b) => b - a);
      expect((hi + 0.05) / (lo + 0.05), `focus ${focus} on ${panel}`).to.be.at.least(3);
      // Carol's whole history is within a day: the axis says which day, once, beside its times of day.
      expect(await page.locator("#timeline-view .axis-date").count(), "alice's history spans weeks: dates on the axis").to.equal(0);
      await lookUp(carol.did);
      expect(await page.locator("#timeline-view .axis-date").textContent()).to.match(/\b20\d\d\b/);
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it("draws the lookup form before the SDK and viem have loaded", async () => {
    // Every script over 40 KB (the SDK and viem) is held back until the form is on screen.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const held: string[] = [];
    const hold = async (route: Route) => {
      const response = await route.fetch().catch(() => undefined);
      if (!response) return;
      const body = await response.body();
      if (body.length > 40_000) {
        held.push(route.request().url());
        await released;
      }
      // After a failure the page may be gone: a route left unanswered then is no error of the page's.
      await route.fulfill({ response, body }).catch(() => undefined);
    };
    const scripts = (url: URL) => url.origin === new URL(stage.url).origin && url.pathname.endsWith(".js");
    await page.route(scripts, hold);
    try {
      await page.goto(`${stage.url}/`, { waitUntil: "commit" });
      await page.waitForSelector("#did-input", { timeout: 15_000 });
      expect(held.length, "big scripts still held back").to.be.greaterThan(0);
      expect(await page.locator(".lookup-form button[type=submit]").isVisible()).to.equal(true);
      release();
      await lookUp(stage.bob.did);
    } finally {
      release();
      await page.unroute(scripts, hold);
    }
  });

  /** A GET of `path` on `base` with `headers`, its body as sent (not decoded). */
  const get = (base: string, path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      httpGet(`${base}${path}`, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      }).on("error", reject);
    });

  it("sigil serve --console sends the console in brotli, else gzip, else as is, by Accept-Encoding (Vary, Content-Length, ETag each), and its hashed chunks as immutable", async () => {
    const html = (await get(stage.url, "/")).body.toString();
    const chunks = [...html.matchAll(/href="(chunk-[A-Z0-9]+\.js)"/g)].map((m) => `/${m[1]}`);
    expect(chunks.length, "index.html preloads its chunks").to.be.greaterThan(0);
    const sizes = { plain: 0, gzip: 0, br: 0 };
    const decode = { br: brotliDecompressSync, gzip: gunzipSync, identity: (b: Buffer) => b } as const;
    for (const path of ["/", "/app.js", "/app-style.css", ...chunks]) {
      const raw = await get(stage.url, path);
      const sent = {
        br: await get(stage.url, path, { "accept-encoding": "gzip, deflate, br" }),
        gzip: await get(stage.url, path, { "accept-encoding": "gzip, deflate" }),
        identity: raw,
      };
      for (const [encoding, res] of Object.entries(sent) as [keyof typeof decode, typeof raw][]) {
        expect(res.headers["content-encoding"], `${path} ${encoding}`).to.equal(encoding === "identity" ? undefined : encoding);
        expect(res.headers.vary, `${path} ${encoding}`).to.equal("accept-encoding");
        expect(Number(res.headers["content-length"]), `${path} ${encoding}: Content-Length`).to.equal(res.body.length);
        expect(decode[encoding](res.body).equals(raw.body), `${path}: the ${encoding} body is the file`).to.equal(true);
        const immutable = path.startsWith("/chunk-");
        expect(res.headers["cache-control"], path).to.equal(immutable ? "public, max-age=31536000, immutable" : "no-cache");
        const again = await get(stage.url, path, { "accept-encoding": encoding, "if-none-match": res.headers.etag! });
        expect(again.status, `${path} ${encoding}: its own ETag`).to.equal(304);
      }
      expect(new Set([sent.br.headers.etag, sent.gzip.headers.etag, raw.headers.etag]).size, `${path}: an ETag per encoding`).to.equal(3);
      // The client's preferences (q) win over the server's; refused codings are never sent.
      const with_ = async (accept: string) => (await get(stage.url, path, { "accept-encoding": accept })).headers["content-encoding"];
      expect(await with_("br;q=0.5, gzip"), path).to.equal("gzip");
      expect(await with_("*"), path).to.equal("br");
      expect(await with_("br;q=0, gzip;q=0, identity"), path).to.equal(undefined);
      sizes.plain += raw.body.length;
      sizes.gzip += sent.gzip.body.length;
      sizes.br += sent.br.body.length;
    }
    expect(sizes.gzip, "gzip makes the console at least 2.5 times smaller").to.be.lessThan(sizes.plain / 2.5);
    expect(sizes.br, "brotli makes it smaller than gzip").to.be.lessThan(sizes.gzip);
  });

  it("sigil serve --console never sends a brotli copy left from another build: the file goes gzipped instead", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sigil-console-stale-"));
    const site = join(dir, "site");
    cpSync(CONSOLE_DIST, site, { recursive: true });
    const css = readFileSync(join(site, "app-style.css"));
    writeFileSync(join(site, "app-style.css.br"), brotliCompressSync(Buffer.concat([css, Buffer.from("\n/* an older build */")])));
    writeFileSync(join(site, "app.js.br"), Buffer.from("not brotli at all"));
    const serve = await startSigilServe([
      "--rpc",
      stage.node.url,
      "--registry",
      stage.registry,
      "--chain-id",
      "31337",
      "serve",
      "--port",
      "0",
      "--console",
      site,
    ]);
    try {
      for (const path of ["/app-style.css", "/app.js"]) {
        const res = await get(serve.url, path, { "accept-encoding": "br, gzip" });
        expect(res.headers["content-encoding"], path).to.equal("gzip");
        expect(gunzipSync(res.body).equals(readFileSync(join(site, path.slice(1)))), path).to.equal(true);
      }
      // The copies that match their file are still sent.
      expect((await get(serve.url, "/", { "accept-encoding": "br" })).headers["content-encoding"]).to.equal("br");
    } finally {
      await serve.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("threw no error in the page", () => {
    expect(pageErrors).to.deep.equal([]);
  });
});

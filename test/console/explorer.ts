// Transaction hashes and addresses in the web console, as on a block explorer (issue 20, item 20):
// with an explorer in the console's config.json (URL templates with {hash} and {address}), the
// hash of a transaction sent from the page and the addresses shown (controller, address keys, the
// wallet) link to the explorer's pages, open there (links are navigation: the CSP lets them), and
// copy with one tap; without one, or with another chain's, there is no link, only the copy button.
// A template that is not http(s) or lacks its placeholder is refused before the console is served.
// Real `hardhat node`, real `sigil serve --console` processes, headless Chromium.
import { expect } from "chai";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import type { Address, Hex } from "viem";
import { browserPage } from "../support/browser.ts";
import { CONSOLE_DIST, startSigilServe, testWalletScript, WALLET_ACCOUNT } from "../support/console-stage.ts";
import { devChain } from "../support/dev-chain.ts";
import { startHardhatNode, type HardhatNode } from "../support/hardhat-node.ts";

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;

const EXPLORER = { tx: "https://explorer.example/tx/{hash}", address: "https://explorer.example/address/{address}" };

describe("web console: transaction hashes and addresses linked to the configured block explorer, and copyable", function () {
  this.timeout(240_000);
  let node: HardhatNode;
  let registry: Address;
  let chain: ReturnType<typeof devChain>;
  let dir: string;
  let page: Page | undefined;
  const servers: { stop(): Promise<void> }[] = [];
  const cspViolations: string[] = [];
  const did = `did:sigil:0x7a69:${WALLET_ACCOUNT.toLowerCase()}`;

  /** A copy of the built console whose own config.json is `config`, served by `sigil serve --console`. */
  async function serve(name: string, config: object) {
    const site = join(dir, name);
    cpSync(CONSOLE_DIST, site, { recursive: true });
    writeFileSync(join(site, "config.json"), JSON.stringify(config));
    const server = await startSigilServe([
      "--rpc",
      node.url,
      "--registry",
      registry,
      "--chain-id",
      "31337",
      "serve",
      "--port",
      "0",
      "--console",
      site,
    ]);
    servers.push(server);
    return server.url;
  }

  async function lookUp(site: string) {
    await page!.goto(`${site}/#did=${encodeURIComponent(did)}`);
    await page!.waitForSelector("#document-view .document");
    await page!.waitForSelector("#act-view form[data-form]", { state: "attached" });
  }

  /** Adds a service through the connected wallet; resolves with the log's transaction reference. */
  async function addService(endpoint: string) {
    if (!(await page!.locator("[data-wallet]").count())) await page!.click('[data-action="connect"]');
    await page!.waitForSelector(`[data-wallet="${WALLET_ACCOUNT}"]`);
    const services = page!.locator('details[data-act="services"]');
    if (!(await services.evaluate((d: any) => d.open))) await services.locator("> summary").click();
    await page!.fill('form[data-form="add-service"] input[name="service-endpoint"]', endpoint);
    await page!.click('form[data-form="add-service"] [data-action="send"]');
    await page!.click("dialog[data-review][open] [data-action=confirm]");
    await page!.waitForSelector('#act-status [data-out="add-service"][data-outcome="done"]', { timeout: 60_000 });
    const tx = page!.locator('#act-status [data-out="add-service"] .ref[data-ref="tx"]');
    expect(await tx.count(), "the log shows the transaction").to.equal(1);
    return tx;
  }

  before(async function () {
    node = await startHardhatNode();
    chain = devChain(node.url);
    registry = await chain.deploySigil();
    dir = mkdtempSync(join(tmpdir(), "sigil-console-explorer-"));
    page = await browserPage();
    if (!page) return this.skip(); // only with SIGIL_SKIP_BROWSER=1 (see browserPage)
    await page.addInitScript(testWalletScript(node.url, WALLET_ACCOUNT));
    page.on("console", (m) => void (/Content.Security.Policy/i.test(m.text()) && cspViolations.push(m.text())));
    // The explorer's host, answered here (this machine has no internet): a link followed opens it.
    await page
      .context()
      .route("https://explorer.example/**", (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<p>explorer</p>" }));
  });
  after(async () => {
    await page?.context().browser()?.close();
    for (const server of servers) await server.stop();
    await node?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("links the hash of a transaction sent from the page, and the controller's and wallet's addresses, to the explorer; each copies whole", async () => {
    const site = await serve("with-explorer", { network: { chainId: 31337 }, explorer: EXPLORER });
    // `sigil serve` serves its own network, keeping the folder's explorer (the same chain's).
    const served = (await (await fetch(`${site}/config.json`)).json()) as { network: { registry: string }; explorer?: object };
    expect(served.network.registry.toLowerCase()).to.equal(registry.toLowerCase());
    expect(served.explorer).to.deep.equal(EXPLORER);
    await lookUp(site);

    const controller = page!.locator('#document-view dd .ref[data-ref="address"]');
    expect((await controller.getAttribute("data-value"))!.toLowerCase()).to.equal(WALLET_ACCOUNT.toLowerCase());
    const controllerLink = controller.locator("a[data-explorer=address]");
    expect((await controllerLink.getAttribute("href"))!.toLowerCase()).to.equal(
      `https://explorer.example/address/${WALLET_ACCOUNT.toLowerCase()}`,
    );
    // The controller is also the DID's one address key: linked in the key list too.
    expect(await page!.locator('#document-view .key .ref[data-ref="address"] a[data-explorer=address]').count()).to.be.greaterThan(0);

    const tx = await addService("https://inbox.example/explorer");
    const hash = (await tx.getAttribute("data-value")) as Hex;
    const receipt = await chain.publicClient.getTransactionReceipt({ hash });
    expect(receipt.status).to.equal("success");
    expect(receipt.to?.toLowerCase()).to.equal(registry.toLowerCase());
    const link = tx.locator("a[data-explorer=tx]");
    expect(await link.getAttribute("href")).to.equal(`https://explorer.example/tx/${hash}`);
    expect(await link.getAttribute("rel")).to.equal("noopener noreferrer");
    expect(await link.getAttribute("target")).to.equal("_blank");
    // The wallet's address (redrawn with the DID after the change) links too.
    await page!.waitForSelector(`[data-wallet="${WALLET_ACCOUNT}"] a[data-explorer=address]`);

    // Followed, the link opens the explorer's page: navigation, which the console's CSP allows.
    const [popup] = await Promise.all([page!.waitForEvent("popup"), link.click()]);
    await popup.waitForLoadState();
    expect(popup.url()).to.equal(`https://explorer.example/tx/${hash}`);
    await popup.close();

    // The copy buttons copy the whole value (the log shows the hash shortened).
    await page!.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: site });
    await tx.locator('[data-action="copy"]').click();
    expect(await page!.evaluate("navigator.clipboard.readText()")).to.equal(hash);
    await controller.locator('[data-action="copy"]').click();
    expect(((await page!.evaluate("navigator.clipboard.readText()")) as string).toLowerCase()).to.equal(WALLET_ACCOUNT.toLowerCase());
    await page!.locator('.did-line [data-action="copy"]').click();
    expect(await page!.evaluate("navigator.clipboard.readText()")).to.equal(did);
    expect(cspViolations).to.deep.equal([]);
  });

  it("without an explorer (or with another chain's) shows hashes and addresses with a copy button and links nowhere", async () => {
    // The folder names an explorer for chain 1: `sigil serve` serves chain 31337, so it is not kept.
    const site = await serve("other-chain-explorer", { network: { chainId: 1 }, explorer: EXPLORER });
    expect(((await (await fetch(`${site}/config.json`)).json()) as { explorer?: object }).explorer).to.equal(undefined);
    await lookUp(site);
    const tx = await addService("https://inbox.example/no-explorer");
    const hash = (await tx.getAttribute("data-value")) as Hex;
    expect((await chain.publicClient.getTransactionReceipt({ hash })).status).to.equal("success");
    expect(await tx.locator('[data-action="copy"]').count()).to.equal(1);
    const counts = await page!.evaluate(() => ({
      links: document.querySelectorAll("a[data-explorer]").length,
      refs: document.querySelectorAll(".ref").length,
      copies: document.querySelectorAll('.ref [data-action="copy"]').length,
    }));
    expect(counts.links, "no link to nowhere").to.equal(0);
    expect(counts.refs).to.be.greaterThan(2);
    expect(counts.copies, "every hash and address copies").to.equal(counts.refs);
  });

  it("refuses to serve a console whose explorer template is not http(s) or lacks its placeholder", async () => {
    for (const [explorer, why] of [
      [{ tx: "javascript:alert(1)//{hash}" }, /explorer\.tx .* must be an http\(s\) URL holding \{hash\}/],
      [{ address: "https://explorer.example/address/" }, /explorer\.address .* must be an http\(s\) URL holding \{address\}/],
    ] as const) {
      const site = join(dir, "bad");
      rmSync(site, { recursive: true, force: true });
      cpSync(CONSOLE_DIST, site, { recursive: true });
      writeFileSync(join(site, "config.json"), JSON.stringify({ network: { chainId: 31337 }, explorer }));
      const started = startSigilServe([
        "--rpc",
        node.url,
        "--registry",
        registry,
        "--chain-id",
        "31337",
        "serve",
        "--port",
        "0",
        "--console",
        site,
      ]);
      const error = await started.then(
        async (s) => (await s.stop(), undefined),
        (e: Error) => e,
      );
      expect(error?.message, JSON.stringify(explorer)).to.match(why);
      expect(readFileSync(join(site, "config.json"), "utf8")).to.include("explorer");
    }
  });
});

// The web console in a real headless Chromium (playwright-core, Debian's binary), served by a
// real `sigil serve --console` process, reading a real `hardhat node` (test/support/console-stage.ts):
// look up a DID, see the rotation that purged a thief's key on the drawn timeline, step back to
// the version before it, compare safety numbers, commit and rotate through an injected EIP-1193
// wallet (which proxies to the node's unlocked account), see the warning banner after the key
// change, have a refusal explained, sign an operation to a file that `sigil relay` submits; on a
// phone-sized screen and with the keyboard; axe-core finds no serious or critical violation; and
// the page asks no host but its own server and the RPC. Screenshots: test-output/console/
// (SIGIL_UPDATE_SCREENSHOTS=1 also refreshes the ones in docs/).
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { verifyTypedData, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  buildGuardianSet,
  createSigilResolver,
  generateKeyPair,
  generateNextKey,
  operationTypedData,
  RegistryRevertError,
  safetyNumber,
  sendOperation,
} from "sigil-did";
import { browserPage } from "../support/browser.ts";
import { CONSOLE_DIST, startConsoleStage, testWalletScript, WALLET_ACCOUNT, type ConsoleStage } from "../support/console-stage.ts";
import { DEV_PRIVATE_KEY } from "../support/hardhat-node.ts";

// Globals of the page, for the functions evaluated in it (this program is typed without the DOM).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const getComputedStyle: any;
declare const innerWidth: number;

const root = join(import.meta.dirname, "..", "..");
const OUT = join(root, "test-output", "console");
const require = createRequire(import.meta.url);
/** Screenshots that the README shows: test-output name → docs file. */
const DOCS: Record<string, string> = {
  "01-lookup": "console-lookup.png",
  "03-version-before-rotation": "console-timeline.png",
  "06-rotated-banner": "console-rotated.png",
  "09-phone": "console-phone.png",
};

describe("web console: sigil serve --console in headless Chromium against a hardhat node", function () {
  this.timeout(300_000);
  let stage: ConsoleStage;
  let page: Page;
  const requests: string[] = [];
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  const resolver = () =>
    createSigilResolver({
      networks: [{ chainId: 31337, name: "localhost", registry: stage.registry, rpcUrls: [stage.node.url] }],
      cache: false,
    });

  /** Full page to test-output; the README's copies are of one element when `element` is given. */
  async function shot(name: string, element?: string) {
    const file = join(OUT, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    if (element) await page.locator(element).screenshot({ path: join(OUT, `${name}-part.png`) });
    if (DOCS[name] && process.env.SIGIL_UPDATE_SCREENSHOTS === "1") {
      const docs = join(root, "docs", DOCS[name]);
      if (element) copyFileSync(join(OUT, `${name}-part.png`), docs);
      else await page.screenshot({ path: docs }); // what the screen shows
    }
  }

  async function lookUp(did: string) {
    if (!page.url().startsWith(stage.url)) await page.goto(`${stage.url}/`);
    await page.fill("#did-input", did);
    await page.click(".lookup-form button[type=submit]");
    await page.waitForFunction(
      (d) => document.querySelector("#shown-did")?.textContent === d && !document.querySelector("#results")?.hasAttribute("aria-busy"),
      did.split("?")[0],
      { timeout: 30_000 },
    );
    await page.waitForSelector("#document-view .document");
  }

  const text = (selector: string) => page.locator(selector).innerText();
  /** Opens a section of the Act panel (if it is not open already). */
  async function open(act: string) {
    const details = page.locator(`details[data-act="${act}"]`);
    if (!(await details.evaluate((d: any) => d.open))) await details.locator("> summary").click();
  }

  /** Waits for the outcome of a form's action ("done", "refused" or "failed"), confirming the
   * review shown before anything is signed (test/console/truth.ts checks what the review says). */
  async function outcome(form: string) {
    for (;;) {
      // A change redraws the forms: its log is then kept above them, in #act-status.
      const handle = await page.waitForFunction(
        (name) => {
          if (document.querySelector("dialog[data-review][open]")) return { review: true };
          const outs: any[] = [...document.querySelectorAll(`[data-out="${name}"][data-outcome]`)];
          const out = outs.find((o) => o.closest("#act-status")) ?? outs[0];
          return out && { outcome: out.dataset.outcome, error: out.dataset.error ?? null, text: out.innerText };
        },
        form,
        { timeout: 60_000 },
      );
      const seen = (await handle.jsonValue()) as { review?: true; outcome: string; error: string | null; text: string };
      if (!seen.review) return seen;
      await page.locator("dialog[data-review][open] [data-action=confirm]").click();
    }
  }

  async function axe(state: string) {
    const source = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
    const violations = (await page.evaluate(
      `${source}\n;axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length, targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) })))`,
    )) as { id: string; impact: string; help: string; nodes: number; targets: string[] }[];
    const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    if (violations.length)
      console.log(`      axe (${state}): ${violations.map((v) => `${v.id} [${v.impact}] ${v.targets.join(", ")}`).join("; ")}`);
    expect(serious, `${state}: ${JSON.stringify(serious, null, 2)}`).to.deep.equal([]);
    return violations;
  }

  before(async function () {
    if (!existsSync(join(CONSOLE_DIST, "index.html"))) {
      const { buildConsole } = await import("../../sdk/console/build.ts");
      await buildConsole();
    }
    mkdirSync(OUT, { recursive: true });
    const p = await browserPage();
    if (!p) return this.skip(); // only with SIGIL_SKIP_BROWSER=1 (see browserPage)
    page = p;
    stage = await startConsoleStage();
    page.on("request", (r) => requests.push(r.url()));
    page.on("console", (m) => {
      if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.addInitScript(testWalletScript(stage.node.url, WALLET_ACCOUNT));
    await page.setViewportSize({ width: 1280, height: 900 });
  });
  after(async () => {
    await page?.context().browser()?.close();
    await stage?.stop();
  });

  it("is served at / by sigil serve with content types, a strict CSP and no-referrer; the API under /1.0 is unchanged", async () => {
    const index = await fetch(`${stage.url}/`);
    expect(index.status).to.equal(200);
    expect(index.headers.get("content-type")).to.equal("text/html; charset=utf-8");
    const csp = index.headers.get("content-security-policy") ?? "";
    expect(csp)
      .to.include("default-src 'none'")
      .and.include("script-src 'self'")
      .and.include("style-src 'self'")
      .and.include("frame-ancestors 'none'");
    expect(csp).to.match(new RegExp(`connect-src 'self' ${new URL(stage.node.url).origin}(;|$)`));
    expect(csp).not.to.include("unsafe-inline");
    expect(index.headers.get("referrer-policy")).to.equal("no-referrer");
    expect(index.headers.get("x-content-type-options")).to.equal("nosniff");
    const html = await index.text();
    expect(html).not.to.match(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(html).not.to.match(/https?:\/\//); // nothing from any other host
    for (const [path, type] of [
      ["/app.js", "text/javascript; charset=utf-8"],
      ["/app-style.css", "text/css; charset=utf-8"],
      ["/favicon.svg", "image/svg+xml"],
    ]) {
      const r = await fetch(`${stage.url}${path}`);
      expect(r.status, path).to.equal(200);
      expect(r.headers.get("content-type"), path).to.equal(type);
      expect(r.headers.get("content-security-policy"), path).to.equal(csp);
      const again = await fetch(`${stage.url}${path}`, { headers: { "if-none-match": r.headers.get("etag")! } });
      expect(again.status, `${path} revalidated`).to.equal(304);
    }
    const config = (await (await fetch(`${stage.url}/config.json`)).json()) as {
      network: { chainId: number; name: string; rpcUrls: string[]; registry: string };
    };
    expect(config.network).to.deep.include({ chainId: 31337, name: "localhost", rpcUrls: [stage.node.url] });
    expect(config.network.registry.toLowerCase()).to.equal(stage.registry.toLowerCase());
    // The API as before: resolution, and problem details for what is not there.
    const api = await fetch(`${stage.url}/1.0/identifiers/${encodeURIComponent(stage.alice.did)}`);
    expect(api.status).to.equal(200);
    expect(((await api.json()) as { didDocument: { id: string } }).didDocument.id).to.equal(stage.alice.did);
    const missing = await fetch(`${stage.url}/nothing-here.js`);
    expect(missing.status).to.equal(404);
    expect(missing.headers.get("content-type")).to.match(/^application\/problem\+json/);
    expect((await fetch(`${stage.url}/..%2f..%2fpackage.json`)).status).to.equal(404);
    expect((await fetch(`${stage.url}/`, { method: "POST" })).status).to.be.oneOf([404, 405]);
  });

  it("sigil serve --console refuses a folder without a built console (exit 2, nothing listens)", () => {
    const r = spawnSync(
      process.execPath,
      [
        join(root, "sdk", "cli", "dist", "bin.js"),
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
        join(root, "docs"),
      ],
      { encoding: "utf8", timeout: 20_000 },
    );
    expect(r.status, r.stdout + r.stderr).to.equal(2);
    expect(r.stderr + r.stdout).to.include("no built web console");
  });

  it("looks up a DID: keys by verification relationship, services, controller, pre-rotation; the thief's key is gone", async () => {
    await page.goto(`${stage.url}/`);
    await lookUp(stage.alice.did);
    const auth = await text('.rel[data-relationship="authentication"]');
    expect(auth.toLowerCase()).to.include(stage.alice.device.toLowerCase());
    expect(auth.toLowerCase()).not.to.include(stage.alice.thief.toLowerCase());
    expect(await page.locator('.rel[data-relationship="keyAgreement"] .muted').innerText()).to.equal("none");
    expect(await text(".services"))
      .to.include("https://inbox.example/alice")
      .and.not.include("evil.example");
    const facts = await text(".facts");
    expect(facts.toLowerCase()).to.include(stage.alice.next.address.toLowerCase()); // the controller is the next key she rotated to
    expect(facts).to.include("On: a next key is committed");
    expect(facts).to.match(/Guardians\s+None/);
    // 30 days after the last change: no warning.
    expect(await page.locator('[data-banner="recent-key-change"]').count()).to.equal(0);
    // The raw document and metadata are one click away.
    await page.locator("details.raw > summary", { hasText: "Raw DID document" }).click();
    expect(JSON.parse(await page.locator("details.raw[open] pre").first().innerText()).id).to.equal(stage.alice.did);
    await page.locator("details.raw > summary", { hasText: "Raw DID document" }).click();
    await shot("01-lookup", "#document");
  });

  it("draws the history: the rotation that purged the thief's key, everything before it hatched as void", async () => {
    const purge = page.locator('#timeline-view .point[data-purge="true"]');
    expect(await purge.count()).to.equal(1);
    expect(await purge.getAttribute("data-block")).to.equal(stage.alice.rotationBlock.toString());
    expect(await purge.getAttribute("aria-label")).to.include("everything published before is void");
    const theft = page.locator(`#timeline-view .point[data-block="${stage.alice.theftBlock}"]`);
    expect(await theft.getAttribute("aria-label"))
      .to.include("key added")
      .and.include(stage.alice.thief.slice(0, 8));
    // The purge line crosses every lane and the void region covers the theft.
    const geometry = await page.evaluate(() => {
      const line = document.querySelector("#timeline-view .purge-line")!.getBoundingClientRect();
      const voidRect = document.querySelector("#timeline-view rect.void")!.getBoundingClientRect();
      const lanes = [...document.querySelectorAll("#timeline-view rect.lane")].map((l: any) => l.getBoundingClientRect());
      return {
        line: { x: line.x, top: line.top, bottom: line.bottom },
        voidRight: voidRect.right,
        voidLeft: voidRect.left,
        lanesTop: lanes[0].top,
        lanesBottom: lanes.at(-1)!.bottom,
        label: document.querySelector("#timeline-view .void-label")!.textContent,
      };
    });
    expect(geometry.line.top).to.be.at.most(geometry.lanesTop);
    expect(geometry.line.bottom).to.be.at.least(geometry.lanesBottom);
    expect(geometry.voidRight).to.be.at.most(geometry.line.x + 1);
    expect(geometry.label).to.equal("void: everything before this line");
    const theftBox = await theft.locator("circle, path, rect:not(.hit)").first().boundingBox();
    expect(theftBox!.x).to.be.within(geometry.voidLeft, geometry.voidRight);
    await shot("02-timeline", "#history");
  });

  it("steps back to the version before the rotation: the thief's key and inbox are in that document", async () => {
    const blocks = await page
      .locator("#timeline-view .point[data-block]")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-block")));
    const before = blocks[blocks.indexOf(stage.alice.rotationBlock.toString()) - 1]!;
    await page.locator(`#timeline-view .point[data-block="${before}"]`).click();
    await page.waitForSelector(`#document-view .document[data-version="${before}"]`);
    expect(await page.inputValue("#did-input")).to.equal(`${stage.alice.did}?versionId=${before}`);
    expect(page.url()).to.include(encodeURIComponent(`?versionId=${before}`));
    expect(await text(".version-note")).to.include(`As it was at block ${before}`);
    expect((await text('.rel[data-relationship="authentication"]')).toLowerCase()).to.include(stage.alice.thief.toLowerCase());
    expect(await text(".services")).to.include("https://evil.example/inbox");
    expect(await page.locator(`#timeline-view .point[data-block="${before}"]`).getAttribute("aria-pressed")).to.equal("true");
    await shot("03-version-before-rotation", "#history");
    // The same version straight from a DID URL, and back to the current document.
    await lookUp(`${stage.alice.did}?versionId=${before}`);
    await page.waitForSelector(`#document-view .document[data-version="${before}"]`);
    await page.click(".version-note button");
    await page.waitForSelector('#document-view .document[data-version="current"]');
    expect((await text('.rel[data-relationship="authentication"]')).toLowerCase()).not.to.include(stage.alice.thief.toLowerCase());
  });

  it("works with the keyboard: Tab reaches the timeline, arrows move along it, Enter selects, focus is visible", async () => {
    await page.focus("#did-input");
    let onPoint = false;
    for (let i = 0; i < 40 && !onPoint; i++) {
      await page.keyboard.press("Tab");
      onPoint = await page.evaluate(() => document.activeElement?.classList.contains("point") ?? false);
    }
    expect(onPoint, "Tab reaches the timeline").to.equal(true);
    expect(await page.evaluate(() => document.activeElement!.getAttribute("data-block"))).to.equal("now"); // the selected (current) version
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowLeft");
    const block = await page.evaluate(() => document.activeElement!.getAttribute("data-block"));
    expect(block).to.match(/^\d+$/);
    const ring = await page.evaluate(() => getComputedStyle(document.activeElement!.querySelector(".hit")!).stroke);
    expect(ring).to.equal("rgb(180, 83, 9)"); // the focus colour, on keyboard focus (3:1 at least: test/console/truth.ts)
    await page.keyboard.press("Enter");
    await page.waitForSelector(`#document-view .document[data-version="${block}"]`);
    expect(await page.evaluate(() => document.activeElement!.getAttribute("data-block"))).to.equal(block); // focus stays on the timeline
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    await page.waitForSelector('#document-view .document[data-version="current"]');
  });

  it("shows safety numbers as digits and QR codes; pasting the other side's number says they match, a changed one that they do not", async () => {
    await page.fill('input[name="other-did"]', stage.bob.did);
    await page.locator(".pair form button", { hasText: "Show the safety number" }).click();
    await page.waitForSelector(".pair-out .digits");
    const shown = (await page.locator(".pair-out .digits").innerText()).replace(/\s+/g, " ").trim();
    const r = resolver();
    const expected = safetyNumber(await r.resolve(stage.alice.did), await r.resolve(stage.bob.did));
    expect(shown).to.equal(expected);
    const payload = await page.locator(".pair-out svg.qr").getAttribute("data-qr-text");
    expect(payload).to.match(/^sigil-safety:did:sigil:0x7a69:0x[0-9a-f]{40},did:sigil:0x7a69:0x[0-9a-f]{40}:\d{60}$/);
    expect(await page.locator(".pair-out svg.qr").getAttribute("aria-label")).to.include(expected);
    expect(await page.locator(".fingerprint .digits").innerText()).to.match(/^([0-9a-f]{4}\s+){7}[0-9a-f]{4}$/);
    // What the other console shows (the same number, from bob's side), pasted or scanned.
    await page.fill('textarea[name="compare"]', payload!);
    await page.locator(".pair form button", { hasText: "Compare" }).click();
    expect(await page.locator(".verdict").getAttribute("data-match")).to.equal("true");
    await page.fill(
      'textarea[name="compare"]',
      expected.replace(/^\d/, (d) => String((Number(d) + 1) % 10)),
    );
    await page.locator(".pair form button", { hasText: "Compare" }).click();
    expect(await page.locator(".verdict").getAttribute("data-match")).to.equal("false");
    expect(await text(".verdict")).to.include("do not match");
    await page.fill('textarea[name="compare"]', expected);
    await page.locator(".pair form button", { hasText: "Compare" }).click();
    expect(await page.locator(".verdict").getAttribute("data-match")).to.equal("true");
    await shot("04-safety", "#safety");
    // Scanned instead: where the browser reads QR codes (BarcodeDetector; here a stand-in and a
    // blank camera, as headless Chromium on Linux has neither), the code fills the box and compares.
    await page.addInitScript(`(() => {
      window.BarcodeDetector = class { async detect() { return window.__scanValue ? [{ rawValue: window.__scanValue }] : []; } };
      const camera = async () => { const c = document.createElement("canvas"); c.width = c.height = 8; c.getContext("2d").fillRect(0, 0, 8, 8); return c.captureStream(5); };
      if (navigator.mediaDevices) navigator.mediaDevices.getUserMedia = camera;
    })();`);
    await page.reload();
    await page.waitForSelector("#document-view .document");
    await page.fill('input[name="other-did"]', stage.bob.did);
    await page.locator(".pair form button", { hasText: "Show the safety number" }).click();
    await page.waitForSelector(".pair-out .digits");
    await page.locator(".pair form button", { hasText: "Scan with the camera" }).click();
    await page.waitForSelector("video.scan-video:not([hidden])");
    await page.evaluate(`window.__scanValue = ${JSON.stringify(payload)}`);
    await page.waitForFunction(() => document.querySelector(".verdict")?.getAttribute("data-match") === "true");
    expect(await page.inputValue('textarea[name="compare"]')).to.equal(payload);
    expect(await page.locator("video.scan-video").isHidden()).to.equal(true); // the camera is released
  });

  let nextFile: string;
  it("commits to a next key through the injected EIP-1193 wallet, after the key is downloaded and marked saved", async () => {
    await lookUp(stage.bob.did);
    expect(await page.locator('[data-banner="recent-key-change"]').count()).to.equal(0);
    await page.click('[data-action="connect"]');
    await page.waitForSelector(`[data-wallet="${WALLET_ACCOUNT}"]`);
    expect(await text("[data-wallet]")).to.include("controls this DID");
    await open("commit");
    // Refused before the key is saved.
    await page.click('[data-action="generate-next"]');
    await page.locator('form[data-form="commit"] [data-action="send"]').click();
    expect((await outcome("commit")).text).to.include("tick the box");
    const download = page.waitForEvent("download");
    await page.click('form[data-form="commit"] [data-action="download-next"]');
    nextFile = join(OUT, "bob-next-key.json");
    await (await download).saveAs(nextFile);
    const card = JSON.parse(readFileSync(nextFile, "utf8"));
    expect(card).to.have.keys("address", "privateKey", "salt", "commitment", "did", "note");
    // Printed: only the sheet with the key file's QR code and text (window.print stubbed: headless has no printer).
    await page.evaluate("window.print = () => { window.__printed = true; }");
    await page.locator('form[data-form="commit"] button', { hasText: "Print it" }).click();
    expect(await page.evaluate("window.__printed")).to.equal(true);
    await page.emulateMedia({ media: "print" });
    expect(await page.locator("#print-sheet svg.qr").getAttribute("data-qr-text")).to.include(card.privateKey);
    expect(await page.locator("#print-sheet").isVisible()).to.equal(true);
    expect(await page.locator("#main").isVisible()).to.equal(false);
    await page.screenshot({ path: join(OUT, "05-print-sheet.png"), fullPage: true });
    await page.emulateMedia({ media: "screen" });
    await page.evaluate("dispatchEvent(new Event('afterprint'))");
    expect(await page.locator("#print-sheet").count()).to.equal(0);
    await page.locator('form[data-form="commit"] input[name="saved"]').check();
    // Signed by the wallet to a file first (EIP-712 through eth_signTypedData_v4): a valid signature, nothing sent.
    const signedFile = page.waitForEvent("download");
    await page.locator('form[data-form="commit"] [data-action="file"]').click();
    expect((await outcome("commit")).outcome).to.equal("done");
    await (await signedFile).saveAs(join(OUT, "bob-commit-signed.json"));
    const signed = JSON.parse(readFileSync(join(OUT, "bob-commit-signed.json"), "utf8"));
    expect(signed.signer).to.equal(WALLET_ACCOUNT);
    expect((await page.evaluate("window.__walletCalls")) as string[]).to.include("eth_signTypedData_v4");
    const typed = operationTypedData(signed.operation, {
      nonce: BigInt(signed.context.nonce),
      chainId: signed.chainId,
      registry: signed.registry,
      deadline: BigInt(signed.deadline),
    });
    expect(
      await verifyTypedData({ ...(typed as object), address: WALLET_ACCOUNT, signature: signed.signature } as Parameters<
        typeof verifyTypedData
      >[0]),
    ).to.equal(true);
    expect(await page.locator('form[data-form="commit"] .next-card').count()).to.equal(1); // the key stays until it is committed
    await page.locator('form[data-form="commit"] [data-action="send"]').click();
    const result = await outcome("commit");
    expect(result.outcome, result.text).to.equal("done");
    const calls = (await page.evaluate("window.__walletCalls")) as string[];
    expect(calls).to.include("eth_sendTransaction");
    const bob = await resolver().resolve(stage.bob.did);
    expect((bob.didDocumentMetadata as { sigil: { nextOwnerCommitment: string } }).sigil.nextOwnerCommitment).to.equal(card.commitment);
    await page.waitForFunction(() => document.querySelector(".facts")?.textContent?.includes("On: a next key is committed"));
    // A commitment changes no key: still no warning.
    expect(await page.locator('[data-banner="recent-key-change"]').count()).to.equal(0);
    await shot("05-committed");
  });

  it("rotates with the next-key file (signed in the page, relayed and paid by the wallet), then warns that the keys changed", async () => {
    await open("rotate");
    await page.setInputFiles('form[data-form="rotate"] input[name="next-key-file"]', nextFile);
    await page.waitForFunction(() =>
      document.querySelector('form[data-form="rotate"] p.good')?.textContent?.includes("matches this DID's commitment"),
    );
    const fresh = await page.locator('form[data-form="rotate"] .next-card').getAttribute("data-next-address");
    const download = page.waitForEvent("download");
    await page.click('form[data-form="rotate"] [data-action="download-next"]');
    await (await download).saveAs(join(OUT, "bob-fresh-next-key.json"));
    await page.locator('form[data-form="rotate"] input[name="saved"]').check();
    const before = ((await page.evaluate("window.__walletCalls")) as string[]).length;
    await page.locator('form[data-form="rotate"] [data-action="send"]').click();
    const result = await outcome("rotate");
    expect(result.outcome, result.text).to.equal("done");
    expect(((await page.evaluate("window.__walletCalls")) as string[]).slice(before)).to.include("eth_sendTransaction");
    const card = JSON.parse(readFileSync(nextFile, "utf8"));
    const bob = await resolver().resolve(stage.bob.did);
    const sigil = (bob.didDocumentMetadata as { sigil: { owner: string; nextOwnerCommitment: string } }).sigil;
    expect(sigil.owner).to.equal(card.address.toLowerCase());
    const freshCard = JSON.parse(readFileSync(join(OUT, "bob-fresh-next-key.json"), "utf8"));
    expect(freshCard.address).to.equal(fresh);
    expect(sigil.nextOwnerCommitment).to.equal(freshCard.commitment);
    expect(bob.didDocument!.service ?? []).to.deep.equal([]); // purged
    const banner = page.locator('[data-banner="recent-key-change"]');
    await banner.waitFor();
    expect(await banner.innerText())
      .to.include("The keys of this DID changed")
      .and.include("rotated to the next key");
    expect(await page.locator('#timeline-view .point[data-purge="true"]').count()).to.equal(1);
    await page.evaluate("scrollTo(0, 0)");
    await shot("06-rotated-banner");
  });

  it("explains a refusal in plain words before anything is sent: the wallet no longer controls the DID", async () => {
    expect(await text("[data-wallet]")).to.include("not this DID's controller");
    await open("services");
    await page.fill('form[data-form="add-service"] input[name="service-endpoint"]', "https://inbox.example/bob2");
    const sent = ((await page.evaluate("window.__walletCalls")) as string[]).filter((m) => m === "eth_sendTransaction").length;
    await page.locator('form[data-form="add-service"] [data-action="send"]').click();
    const result = await outcome("add-service");
    expect(result.outcome).to.equal("refused");
    expect(result.text).to.include("The registry refuses this, so nothing was sent.");
    const hint = new RegistryRevertError({ operation: "setAttribute", errorName: result.error!, args: [] }).details!;
    expect(hint).not.to.include("NatSpec"); // a known error, with its plain-words hint
    expect(result.text.toLowerCase()).to.include(hint.toLowerCase());
    expect(((await page.evaluate("window.__walletCalls")) as string[]).filter((m) => m === "eth_sendTransaction").length).to.equal(sent);
    await shot("07-refusal", "#act");
  });

  it("signs an operation with a key pasted into the page to a file that `sigil relay` submits", async () => {
    await lookUp(stage.alice.did);
    await page.fill('input[name="page-key"]', stage.alice.next.privateKey);
    await page.locator(".signers form button[type=submit]").click();
    await page.waitForSelector(`[data-page-key="${stage.alice.next.address}"]`);
    expect(await text("[data-page-key]")).to.include("controls this DID");
    await open("services");
    await page.fill('form[data-form="add-service"] input[name="service-type"]', "Backup");
    await page.fill('form[data-form="add-service"] input[name="service-endpoint"]', "https://backup.example/alice");
    const download = page.waitForEvent("download");
    await page.locator('form[data-form="add-service"] [data-action="file"]').click();
    const file = join(OUT, "alice-add-service.json");
    const result = await outcome("add-service");
    expect(result.outcome, result.text).to.equal("done");
    await (await download).saveAs(file);
    const signed = JSON.parse(readFileSync(file, "utf8"));
    expect(signed.operation.type).to.equal("setAttribute");
    expect(signed.signer).to.equal(stage.alice.next.address);
    expect(signed.deadline).to.match(/^\d+$/);
    expect(signed.operation.validity).to.match(/^\d+$/);
    // Nothing was sent by the page; a relayer sends it with the CLI.
    expect((await resolver().resolve(stage.alice.did)).didDocument!.service!.map((s) => s.type)).not.to.include("Backup");
    const relay = spawnSync(
      process.execPath,
      [
        join(root, "sdk", "cli", "dist", "bin.js"),
        "--rpc",
        stage.node.url,
        "--registry",
        stage.registry,
        "--chain-id",
        "31337",
        "relay",
        file,
      ],
      {
        encoding: "utf8",
        env: { ...process.env, SIGIL_RELAYER_KEY: DEV_PRIVATE_KEY },
        timeout: 60_000,
      },
    );
    expect(relay.status, relay.stdout + relay.stderr).to.equal(0);
    const services = (await resolver().resolve(stage.alice.did)).didDocument!.service!;
    expect(services.map((s) => s.serviceEndpoint)).to.include("https://backup.example/alice");
    await page.locator("[data-page-key] button", { hasText: "Forget this key" }).click();
    expect(await page.locator("[data-page-key]").count()).to.equal(0);
  });

  /**
   * Carol: a first guardian set (in place at once: there was none), then a change to two other
   * guardians (2 of 2, one hour), which waits its delay; a next key once it applies (committing
   * cancels a change the current key proposed: under a commitment only the next key can).
   * Her guardians' cards and her next key are written to files, as the page takes them.
   */
  async function carolWithGuardians() {
    const carol = await stage.chain.funded();
    const identity = carol.account.address;
    const target = { registry: stage.registry, publicClient: stage.publicClient };
    const first = buildGuardianSet({
      identity,
      guardians: [generatePrivateKey(), generatePrivateKey()].map((k) => privateKeyToAccount(k).address),
      threshold: 2,
      delay: 3_600n,
    });
    await sendOperation(carol, target, { type: "setGuardians", identity, root: first.root, threshold: 2n, delay: 3_600n });
    const guardianKeys = [generatePrivateKey(), generatePrivateKey()];
    const set = buildGuardianSet({
      identity,
      guardians: guardianKeys.map((k) => privateKeyToAccount(k).address),
      threshold: 2,
      delay: 3_600n,
    });
    await sendOperation(carol, target, { type: "setGuardians", identity, root: set.root, threshold: 2n, delay: 3_600n });
    const next = generateNextKey();
    await stage.increaseTime(2 * 3_600);
    const cards = set.cards.map((card, i) => {
      const file = join(OUT, `carol-guardian-${i + 1}.json`);
      writeFileSync(file, JSON.stringify(card, null, 2));
      return file;
    });
    const nextFile = join(OUT, "carol-next-key.json");
    writeFileSync(nextFile, JSON.stringify(next, null, 2));
    return { carol, identity, target, guardianKeys, cards, next, nextFile };
  }

  it("runs a guardian recovery: guardians propose and approve from their cards, the owner cancels with the next key, then it is finalised", async () => {
    const { carol, identity, target, guardianKeys, cards, next, nextFile } = await carolWithGuardians();
    const did = `did:sigil:localhost:${identity.toLowerCase()}`;
    const newOwner = privateKeyToAccount(generatePrivateKey()).address;
    const as = async (key: Hex) => {
      if (await page.locator("[data-page-key]").count())
        await page.locator("[data-page-key] button", { hasText: "Forget this key" }).click();
      await page.fill('input[name="page-key"]', key);
      await page.locator(".signers form button[type=submit]").click();
      await page.waitForSelector(`[data-page-key="${privateKeyToAccount(key).address}"]`);
    };
    const recovery = async (form: string, card?: string) => {
      await open("recovery");
      if (card) await page.setInputFiles('input[name="guardian-card"]', card);
      await page.locator(`form[data-form="${form}"] [data-action="send"]`).click();
      const result = await outcome(form);
      expect(result.outcome, `${form}: ${result.text}`).to.equal("done");
      return result;
    };
    const propose = async () => {
      await as(guardianKeys[0]);
      await open("recovery");
      await page.fill('input[name="recovery-new-owner"]', newOwner);
      await recovery("recovery-start", cards[0]);
      await page.waitForSelector('[data-banner="recovery"]');
      await as(guardianKeys[1]);
      await recovery("recovery-approve", cards[1]);
      await page.waitForSelector('.facts [data-recovery="armed"]');
    };

    await lookUp(did);
    // A change of guardians waits its delay; then anyone applies it.
    const facts = await text(".facts");
    expect(facts, facts).to.include("New guardians (2 approvals, 1 hour wait) pending").and.include("can be applied now");
    if (!(await page.locator("[data-wallet]").count())) await page.click('[data-action="connect"]'); // it pays the gas
    await recovery("guardians-apply");
    await page.waitForFunction(
      () =>
        document.querySelector(".facts")?.textContent?.includes("2 approvals needed, then a 1 hour wait") &&
        !document.querySelector(".facts")?.textContent?.includes("pending"),
    );
    // The next key, committed at least one delay before any recovery (so that it can cancel one).
    await sendOperation(carol, target, { type: "commitNextOwner", identity, commitment: next.commitment });
    await stage.increaseTime(2 * 3_600);
    await lookUp(did);
    await propose();
    expect(await text('[data-banner="recovery"]'))
      .to.include("A recovery by the guardians is pending")
      .and.include(newOwner.slice(0, 8).toLowerCase());
    await shot("11-recovery-armed");
    // The owner did not ask for it: the next key (committed long before) cancels it.
    await open("recovery");
    await page.setInputFiles('input[name="cancel-next-key-file"]', nextFile);
    await recovery("recovery-cancel");
    await page.waitForFunction(() => !document.querySelector('[data-banner="recovery"]'));
    // Asked for this time: proposed, approved, an hour later finalised by anyone (the wallet).
    await propose();
    await stage.increaseTime(3_601);
    await lookUp(did);
    await page.waitForSelector('.facts [data-recovery="ready"]');
    await recovery("recovery-finalize");
    const sigil = (await resolver().resolve(did)).didDocumentMetadata as { sigil: { owner: string; recoveries: unknown[] } };
    expect(sigil.sigil.owner).to.equal(newOwner.toLowerCase());
    expect(sigil.sigil.recoveries).to.deep.equal([]);
    await page.waitForSelector('#timeline-view .point[data-kinds~="recovered"][data-purge="true"]');
    expect(await page.locator('#timeline-view .point[data-kinds~="recoveryCancelled"]').count()).to.equal(1);
    await shot("12-recovered", "#history");
  });

  it("hands an operation signed with a key that holds no coins to sigil serve --relay, and says done once its own node shows the change", async () => {
    const key = generatePrivateKey();
    const erin = privateKeyToAccount(key).address;
    const did = `did:sigil:localhost:${erin.toLowerCase()}`;
    await lookUp(did);
    if (await page.locator("[data-page-key]").count()) await page.locator("[data-page-key] button", { hasText: "Forget this key" }).click();
    await page.fill('input[name="page-key"]', key);
    await page.locator(".signers form button[type=submit]").click();
    await page.waitForSelector(`[data-page-key="${erin}"]`);
    await open("services");
    await page.fill('form[data-form="add-service"] input[name="service-endpoint"]', "https://inbox.example/erin");
    const spentBefore = await stage.publicClient.getBalance({ address: stage.relayer });
    await page.locator('form[data-form="add-service"] [data-action="relay"]').click();
    const result = await outcome("add-service");
    expect(result.outcome, result.text).to.equal("done");
    expect(result.text).to.include("relayed: the registry recorded a key or service change");
    await page.waitForSelector('.services [data-service="MessagingService"]');
    expect((await resolver().resolve(did)).didDocument!.service!.map((s) => s.serviceEndpoint)).to.deep.equal([
      "https://inbox.example/erin",
    ]);
    expect(await stage.publicClient.getBalance({ address: erin }), "erin paid nothing").to.equal(0n);
    expect(await stage.publicClient.getBalance({ address: stage.relayer }), "the relayer paid").to.be.lessThan(spentBefore);
    await page.locator("[data-page-key] button", { hasText: "Forget this key" }).click();
  });

  it("adds and revokes a key and a service with a key pasted into the page, then deactivates, which the page shows as final", async () => {
    const key = generatePrivateKey();
    const dave = privateKeyToAccount(key).address;
    await stage.publicClient.waitForTransactionReceipt({
      hash: await stage.chain.dev.sendTransaction({ to: dave, value: 10n ** 18n, chain: null }),
    });
    const did = `did:sigil:localhost:${dave.toLowerCase()}`;
    await lookUp(did);
    if (await page.locator("[data-page-key]").count()) await page.locator("[data-page-key] button", { hasText: "Forget this key" }).click();
    await page.fill('input[name="page-key"]', key);
    await page.locator(".signers form button[type=submit]").click();
    await page.waitForSelector(`[data-page-key="${dave}"]`);
    const send = async (form: string) => {
      await page.locator(`form[data-form="${form}"] [data-action="send"]`).click();
      const result = await outcome(form);
      expect(result.outcome, `${form}: ${result.text}`).to.equal("done");
    };
    // An X25519 key for encryption.
    const x25519 = generateKeyPair("X25519");
    const hex = Buffer.from(x25519.publicKey).toString("hex");
    await open("keys");
    await page.selectOption('select[name="key-kind"]', "public");
    await page.selectOption('select[name="key-type"]', "X25519");
    await page.fill('input[name="public-key"]', `0x${hex}`);
    await page.selectOption('select[name="purpose"]', "enc");
    await send("add-key");
    await page.waitForSelector(`.rel[data-relationship="keyAgreement"] [data-key="${hex}"]`);
    await open("keys");
    await page.locator('form[data-form="revoke-key"] label', { hasText: /X25519 .*\(encryption\)/ }).click();
    await send("revoke-key");
    await page.waitForFunction(() => document.querySelector('.rel[data-relationship="keyAgreement"] .muted')?.textContent === "none");
    // A service, then removed.
    await open("services");
    await page.fill('form[data-form="add-service"] input[name="service-endpoint"]', "https://inbox.example/dave");
    await send("add-service");
    await page.waitForSelector('.services [data-service="MessagingService"]');
    await open("services");
    await send("remove-service");
    await page.waitForFunction(() => !document.querySelector(".services"));
    // Deactivation: refused until confirmed, then final.
    await open("deactivate");
    await page.locator('form[data-form="deactivate"] [data-action="send"]').click();
    expect((await outcome("deactivate")).text).to.include("Type DEACTIVATE");
    await page.fill('form[data-form="deactivate"] input[name="confirm"]', "DEACTIVATE");
    await send("deactivate");
    await page.waitForSelector('[data-banner="deactivated"]');
    expect(await text(".facts")).to.include("Deactivated (final)");
    expect(await text("#document-view")).to.include("A deactivated DID has no document and no keys.");
    expect(await text("#act-view")).to.include("nothing can change it any more");
    const kinds = await page
      .locator("#timeline-view .point[data-kinds]")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-kinds")));
    expect(kinds.join(" ").split(" ")).to.include.members(["attribute", "owner"]);
    expect(await page.locator("#timeline-view .end-line").count()).to.equal(1);
    expect((await resolver().resolve(did)).didDocumentMetadata.deactivated).to.equal(true);
    await shot("13-deactivated", "#history");
  });

  it("has no serious or critical accessibility violations (axe-core), with every section open", async () => {
    await lookUp(stage.alice.did);
    await axe("lookup");
    for (const act of ["keys", "services", "commit", "rotate", "recovery", "deactivate"]) await open(act);
    await page.click('[data-action="generate-next"]');
    await page.locator("details.raw > summary", { hasText: "Raw DID document" }).click();
    await page.locator(".tl-text > summary").click();
    await axe("every section open");
    await shot("08-act-open");
  });

  it("fits a phone screen: one column, nothing wider than the screen but the scrollable timeline", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${stage.url}/#did=${encodeURIComponent(stage.bob.did)}`);
    await page.waitForSelector("#document-view .document");
    const overflow = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: innerWidth }));
    expect(overflow.page, "the page scrolls sideways").to.be.at.most(overflow.screen);
    await page.locator('[data-banner="recent-key-change"]').waitFor();
    await axe("phone");
    await page.evaluate("scrollTo(0, 0)");
    await shot("09-phone");
    await page.locator("#history").scrollIntoViewIfNeeded();
    await shot("10-phone-history", "#history");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("asked no host but its own server and the RPC, broke no CSP rule, and threw no error", () => {
    const origins = new Set(requests.map((u) => new URL(u).origin));
    expect([...origins].sort()).to.deep.equal([new URL(stage.url).origin, new URL(stage.node.url).origin].sort());
    expect(cspViolations).to.deep.equal([]);
    expect(pageErrors).to.deep.equal([]);
  });
});

// The console's devices (#24) in a real headless Chromium served by `sigil serve --console` over a
// real `hardhat node` (test/support/console-stage.ts): the owner adds a device with a key pasted
// into the page (keys generated in the page, downloaded before anything is published, published
// in three steps), the document shows it by name, the device's key signs for the DID; removing it
// voids that signature at once; and a label that names no keys is shown as not trusted.
import { expect } from "chai";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import type { Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  createSigilResolver,
  deviceAttributes,
  devicesOf,
  generateDevice,
  safetyNumber,
  sendOperation,
  signMessage,
  verifyMessage,
} from "sigil-did";
import { createWalletClient, http, type WalletClient } from "viem";
import { browserPage } from "../support/browser.ts";
import { CONSOLE_DIST, startConsoleStage, type ConsoleStage } from "../support/console-stage.ts";

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;

const OUT = join(import.meta.dirname, "..", "..", "test-output", "console");

describe("web console: a DID's devices, added and removed by its owner in headless Chromium", function () {
  this.timeout(300_000);
  let stage: ConsoleStage;
  let page: Page;
  const pageErrors: string[] = [];
  const resolver = () =>
    createSigilResolver({
      networks: [{ chainId: 31337, name: "localhost", registry: stage.registry, rpcUrls: [stage.node.url] }],
      cache: false,
    });

  async function lookUp(did: string) {
    if (!page.url().startsWith(stage.url)) await page.goto(`${stage.url}/`);
    await page.fill("#did-input", did);
    await page.click(".lookup-form button[type=submit]");
    await page.waitForFunction(
      (d) => document.querySelector("#shown-did")?.textContent === d && !document.querySelector("#results")?.hasAttribute("aria-busy"),
      did,
      { timeout: 30_000 },
    );
    await page.waitForSelector("#document-view .document");
  }
  async function open(act: string) {
    const details = page.locator(`details[data-act="${act}"]`);
    if (!(await details.evaluate((d: any) => d.open))) await details.locator("> summary").click();
  }
  /** The outcome of a form's action, confirming the review shown before anything is signed. */
  async function outcome(form: string) {
    for (;;) {
      const handle = await page.waitForFunction(
        (name) => {
          if (document.querySelector("dialog[data-review][open]")) return { review: true };
          const outs: any[] = [...document.querySelectorAll(`[data-out="${name}"][data-outcome]`)];
          const out = outs.find((o) => o.closest("#act-status")) ?? outs[0];
          return out && { outcome: out.dataset.outcome, text: out.innerText };
        },
        form,
        { timeout: 60_000 },
      );
      const seen = (await handle.jsonValue()) as { review?: true; outcome: string; text: string };
      if (!seen.review) return seen;
      await page.locator("dialog[data-review][open] [data-action=confirm]").click();
    }
  }
  async function send(form: string) {
    await page.locator(`form[data-form="${form}"] [data-action="send"]`).click();
    const result = await outcome(form);
    expect(result.outcome, `${form}: ${result.text}`).to.equal("done");
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
    page.on("pageerror", (e) => pageErrors.push(e.message));
    stage = await startConsoleStage();
    await page.setViewportSize({ width: 1280, height: 900 });
  });
  after(async () => {
    await page?.context().browser()?.close();
    await stage?.stop();
  });

  it("adds a device (keys generated and downloaded in the page, published keys first), shows it by name, then removes it and its key no longer signs for the DID", async () => {
    const key = generatePrivateKey();
    const dave = privateKeyToAccount(key).address;
    await stage.publicClient.waitForTransactionReceipt({
      hash: await stage.chain.dev.sendTransaction({ to: dave, value: 10n ** 18n, chain: null }),
    });
    const did = `did:sigil:localhost:${dave.toLowerCase()}`;
    const bob = await resolver().resolve(stage.bob.did);
    const numberBefore = safetyNumber(await resolver().resolve(did), bob);
    await lookUp(did);
    await page.fill('input[name="page-key"]', key);
    await page.locator(".signers form button[type=submit]").click();
    await page.waitForSelector(`[data-page-key="${dave}"]`);
    expect(await page.locator('[data-devices="none"]').count()).to.equal(1);

    await open("devices");
    await page.fill('input[name="device-name"]', "phοne"); // Greek omicron: a look-alike
    await page.click('[data-action="generate-device"]');
    expect((await outcome("generate-device")).text).to.include("device name");
    await page.fill('input[name="device-name"]', "phone");
    await page.click('[data-action="generate-device"]');
    await page.waitForSelector('[data-device-pending="phone"]');
    // Nothing is published before the secrets are saved.
    await page.locator('form[data-form="add-device"] [data-action="send"]').click();
    expect((await outcome("add-device")).text).to.include("tick the box");
    const download = page.waitForEvent("download");
    await page.click('[data-action="download-device"]');
    const file = join(OUT, "dave-phone-device-keys.json");
    await (await download).saveAs(file);
    const card = JSON.parse(readFileSync(file, "utf8"));
    expect(card).to.include({ did, device: "phone" });
    await page.locator('input[name="device-saved"]').check();
    for (const step of [1, 2, 3]) {
      // Each change redraws the panel: wait for the step the chain is at, then act.
      await page.waitForFunction(
        (n) => document.querySelector('[data-device-pending="phone"]')?.textContent.includes(`step ${n} of 3`),
        step,
      );
      await open("devices");
      expect(await page.locator('input[name="device-saved"]').isChecked(), "the box stays ticked across redraws").to.equal(true);
      await send("add-device");
    }
    await page.waitForSelector('.devices [data-device="phone"]');
    // A correspondent's warning of the key change names the device whose key it is.
    expect(await page.locator('[data-banner="recent-key-change"]').innerText()).to.include('device "phone"');
    expect(await page.locator('.devices [data-device="phone"]').innerText()).to.match(
      /phone signs with #delegate-1, receives on #delegate-2/,
    );

    const result = await resolver().resolve(did);
    const [phone] = devicesOf(result).devices;
    expect(phone.signingKey.publicKeyHex).to.equal(card.signing.publicKey.slice(2));
    expect(phone.keyAgreementKey.publicKeyHex).to.equal(card.keyAgreement.publicKey.slice(2));
    expect(safetyNumber(result, bob)).to.not.equal(numberBefore);
    // The stage's chain runs ahead of the wall clock (30 days passed on it): judge at its time.
    const chainNow = async () => Number((await stage.publicClient.getBlock()).timestamp);
    const jwt = await signMessage(
      { did, secretKey: card.signing.privateKey as Hex, type: "Ed25519" },
      { text: "from dave's phone" },
      await chainNow(),
    );
    const verdict = await verifyMessage(jwt, resolver(), { now: await chainNow() });
    expect(verdict.ok, JSON.stringify(verdict)).to.equal(true);

    // The safety number the page shows is the SDK's, and it says which devices it covers.
    await page.fill('input[name="other-did"]', stage.bob.did);
    await page.locator(".pair form button", { hasText: "Show the safety number" }).click();
    await page.waitForSelector(".pair-out .digits");
    await page.waitForSelector("[data-covered-devices]");
    expect(await page.locator("[data-covered-devices]").innerText()).to.match(
      new RegExp(`did:sigil:0x7a69:${dave.toLowerCase()}: phone\\.$`),
    );
    expect((await page.locator(".pair-out .digits").innerText()).replace(/\s+/g, " ").trim()).to.equal(safetyNumber(result, bob));

    await open("devices");
    await send("remove-device");
    await page.waitForSelector('[data-devices="none"]');
    expect(await page.locator('[data-banner="recent-key-change"]').innerText(), "a removed device is named too").to.match(
      /key revoked.*device "phone"/,
    );
    expect(await verifyMessage(jwt, resolver(), { now: await chainNow() })).to.include({ ok: false, code: "unauthorisedKey" });
    expect(devicesOf(await resolver().resolve(did)).devices).to.deep.equal([]);
    await page.screenshot({ path: join(OUT, "20-device-removed.png"), fullPage: true });
  });

  it("shows a label that names keys the document does not list as not trusted, and says why", async () => {
    const key = generatePrivateKey();
    const erin = privateKeyToAccount(key).address;
    await stage.publicClient.waitForTransactionReceipt({
      hash: await stage.chain.dev.sendTransaction({ to: erin, value: 10n ** 18n, chain: null }),
    });
    const ghost = generateDevice("ghost");
    const label = deviceAttributes("ghost", ghost.signing.publicKey, ghost.keyAgreement.publicKey)[2];
    const wallet = createWalletClient({ account: privateKeyToAccount(key), transport: http(stage.node.url) }) as WalletClient;
    await sendOperation(
      wallet,
      { registry: stage.registry, publicClient: stage.publicClient },
      {
        type: "setAttribute",
        identity: erin,
        ...label,
        validity: 86_400n,
      },
    );
    const did = `did:sigil:localhost:${erin.toLowerCase()}`;
    await lookUp(did);
    const warning = page.locator('[data-untrusted-label="ghost"]');
    expect(await warning.getAttribute("data-problem")).to.equal("keysMissing");
    expect(await warning.innerText())
      .to.include('Not trusted: "ghost"')
      .and.include("names keys the document does not list");
    expect(await page.locator(".devices [data-device]").count()).to.equal(0);
    expect(pageErrors).to.deep.equal([]);
  });
});

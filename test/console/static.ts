// The console as plain static files on any web host: `node sdk/console/build.ts --out <dir>
// --config <file> --csp <origins>` writes a folder that a bare file server (here node:http with
// content types, nothing of Sigil's) serves; the page takes its network from config.json or the
// query string, carries its CSP as a <meta> tag, and resolves a DID against a real hardhat node.
import { expect } from "chai";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { brotliDecompressSync } from "node:zlib";
import type { Page } from "playwright-core";
import { bytes32Name, sendOperation } from "sigil-did";
import { browserPage } from "../support/browser.ts";
import { devChain } from "../support/dev-chain.ts";
import { startHardhatNode, type HardhatNode } from "../support/hardhat-node.ts";
import { buildConsole } from "../../sdk/console/build.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".svg": "image/svg+xml",
};

describe("web console as static files on a plain web host", function () {
  this.timeout(180_000);
  let node: HardhatNode;
  let dir: string;
  let server: Server;
  let site: string;
  let page: Page | undefined;
  let registry: `0x${string}`;
  let did: string;
  const requests: string[] = [];

  before(async function () {
    node = await startHardhatNode();
    const chain = devChain(node.url);
    registry = await chain.deploySigil();
    const owner = await chain.funded();
    await sendOperation(
      owner,
      { registry, publicClient: chain.publicClient },
      {
        type: "addDelegate",
        identity: owner.account.address,
        delegateType: bytes32Name("veriKey"),
        delegate: "0x00000000000000000000000000000000000000aa",
        validity: 86_400n,
      },
    );
    did = `did:sigil:0x7a69:${owner.account.address.toLowerCase()}`;
    dir = mkdtempSync(join(tmpdir(), "sigil-console-site-"));
    const config = join(dir, "..", `${dir.split("/").pop()}-config.json`);
    writeFileSync(config, JSON.stringify({ network: { name: "devnet", chainId: 31337, registry, rpcUrls: [node.url] }, recentDays: 3 }));
    await buildConsole({ outDir: join(dir, "site"), config, csp: node.url });
    rmSync(config);
    server = createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      const name = path === "/" ? "index.html" : path.slice(1);
      if (!readdirSync(join(dir, "site")).includes(name)) return res.writeHead(404).end();
      res.writeHead(200, { "content-type": TYPES[extname(name)] ?? "application/octet-stream" }).end(readFileSync(join(dir, "site", name)));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    site = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    page = await browserPage();
    if (!page) return this.skip(); // only with SIGIL_SKIP_BROWSER=1 (see browserPage)
    page.on("request", (r) => requests.push(r.url()));
  });
  after(async () => {
    await page?.context().browser()?.close();
    await new Promise((r) => server?.close(r));
    await node?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("writes index.html with the CSP as a <meta> tag, one script and one stylesheet, and the given config.json", () => {
    const files = readdirSync(join(dir, "site")).sort();
    expect(files.filter((f) => !/^chunk-\w+\.js(\.br)?$/.test(f) && !f.endsWith(".br"))).to.deep.equal([
      "app-style.css",
      "app.js",
      "config.json",
      "favicon.svg",
      "index.html",
    ]);
    // Brotli copies for hosts that send precompressed files; none of config.json, which the host edits.
    expect(files.filter((f) => f.endsWith(".br") && !f.startsWith("chunk-"))).to.deep.equal([
      "app-style.css.br",
      "app.js.br",
      "index.html.br",
    ]);
    for (const f of files.filter((f) => f.endsWith(".br"))) {
      expect(brotliDecompressSync(readFileSync(join(dir, "site", f))).equals(readFileSync(join(dir, "site", f.slice(0, -3)))), f).to.equal(
        true,
      );
    }
    const html = readFileSync(join(dir, "site", "index.html"), "utf8");
    expect(html).to.include(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; style-src 'self';`);
    expect(html).to.include(`connect-src 'self' ${new URL(node.url).origin};`);
    // The reading chunks are preloaded so that a lookup does not wait on a chain of imports.
    const preloads = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]);
    expect(preloads.length, "modulepreload links").to.be.greaterThan(0);
    for (const chunk of preloads) expect(files).to.include(chunk);
    expect(JSON.parse(readFileSync(join(dir, "site", "config.json"), "utf8")).network.name).to.equal("devnet");
  });

  it("resolves a DID from its config.json, and from settings in the query string", async () => {
    await page!.goto(`${site}/#did=${encodeURIComponent(did)}`);
    await page!.waitForSelector("#document-view .document");
    expect((await page!.locator('.rel[data-relationship="assertionMethod"]').innerText()).toLowerCase()).to.include(
      "0x00000000000000000000000000000000000000aa",
    );
    expect(await page!.locator("#network-status").innerText()).to.match(/devnet \(chain 31337\) · block \d+/);
    // The banner's window comes from the config (3 days): the key was added seconds ago.
    expect(await page!.locator('[data-banner="recent-key-change"]').count()).to.equal(1);
    expect(await page!.locator('[data-banner="unverified"]').innerText()).to.include("what the RPC endpoint says");
    // The query string wins over config.json.
    await page!.goto(`${site}/?network=other&recentDays=1#did=${encodeURIComponent(did)}`);
    await page!.waitForSelector("#document-view .document");
    expect(await page!.locator("#network-status").innerText()).to.match(/^other \(chain 31337\)/);
    const origins = new Set(requests.map((u) => new URL(u).origin));
    expect([...origins].sort()).to.deep.equal([site, new URL(node.url).origin].sort());
  });

  it("says what is missing when no registry is configured, and reads once it is set in the settings", async () => {
    writeFileSync(join(dir, "site", "config.json"), JSON.stringify({ network: { chainId: 31337, rpcUrls: [node.url] } }));
    await page!.goto(`${site}/`);
    expect(await page!.locator("details.settings").getAttribute("open")).to.equal("");
    expect(await page!.locator("details.settings [role=alert]").innerText()).to.include("no registry address is set");
    await page!.fill("#did-input", did);
    await page!.click(".lookup-form button[type=submit]");
    expect(await page!.locator("#lookup-error").innerText()).to.include("no registry address is set");
    await page!.fill('input[name="registry"]', registry);
    await page!.click("details.settings button[type=submit]");
    expect(page!.url()).to.include(`registry=${registry}`);
    await page!.fill("#did-input", did);
    await page!.click(".lookup-form button[type=submit]");
    await page!.waitForSelector("#document-view .document");
  });

  it("proves the document against the header the endpoints agree on when config.json sets verify, and says so", async () => {
    const config = { network: { name: "devnet", chainId: 31337, registry, rpcUrls: [node.url, node.url], verify: { k: 2 } } };
    writeFileSync(join(dir, "site", "config.json"), JSON.stringify(config));
    await page!.goto(`${site}/#did=${encodeURIComponent(did)}`);
    await page!.waitForSelector("#document-view .document");
    const note = await page!.locator('[data-banner="verified"]').innerText();
    expect(note).to.match(/^Verified: every key and service was proven against block \d+ \(2 of 2 endpoints at depth 2\)/);
    expect(await page!.locator('[data-banner="unverified"]').count()).to.equal(0);
    // More endpoints asked to agree than are set: said before anything is read.
    writeFileSync(
      join(dir, "site", "config.json"),
      JSON.stringify({ network: { ...config.network, rpcUrls: [node.url], verify: { k: 3 } } }),
    );
    await page!.goto(`${site}/`);
    expect(await page!.locator("details.settings [role=alert]").innerText()).to.include("verify asks 3 endpoints to agree");
  });
});

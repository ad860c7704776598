// The packages as an app developer gets them: every workspace packed with `npm pack`, the
// tarballs installed into a scratch app outside the repository (no workspace links), and used
// there against a real `hardhat node`: an ES module and a CommonJS script resolve a DID, verify
// a signed message and watch it; `npx sigil resolve` and `sigil serve` run from the tarball; a
// strict TypeScript consumer type-checks against the shipped .d.ts; a contract compiles against
// the shipped interface. Nothing of the development tooling (Hardhat, solc, Node bootstrap) is
// installed with them.
import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { sendOperation, serviceAttribute } from "sigil-did";
import { deployRegistry } from "sigil-did/node";
import { devChain } from "./support/dev-chain.ts";
import { freePort, startHardhatNode, type HardhatNode } from "./support/hardhat-node.ts";
import { packWorkspaces, scratchApp, type Packed } from "./support/packages.ts";
import { browserPage, staticServer } from "./support/browser.ts";

const root = join(import.meta.dirname, "..");
const require = createRequire(import.meta.url);

describe("packages installed from tarballs into a scratch app", function () {
  this.timeout(300_000);
  let node: HardhatNode;
  let app: string;
  let packed: Packed[];
  let deployments: string;
  const key = generatePrivateKey();
  const did = `did:sigil:localhost:${privateKeyToAccount(key).address.toLowerCase()}`;
  const run = (file: string, args: string[] = []) =>
    spawnSync(process.execPath, [join(app, file), ...args], { cwd: app, encoding: "utf8" });
  const sigil = (args: string[]) =>
    spawnSync(process.execPath, [join(app, "node_modules", ".bin", "sigil"), "--deployments", deployments, "--rpc", node.url, ...args], {
      cwd: app,
      encoding: "utf8",
    });

  before(async () => {
    node = await startHardhatNode();
    const chain = devChain(node.url);
    deployments = mkdtempSync(join(tmpdir(), "sigil-deployments-"));
    const artifact = JSON.parse(readFileSync(join(root, "contracts", "build", "SigilRegistry.json"), "utf8"));
    const { record } = await deployRegistry({
      wallet: chain.dev,
      publicClient: chain.publicClient,
      networkName: "localhost",
      artifact,
      compiler: "solc 0.8.28",
      dir: deployments,
    });
    const wallet = chain.wallet(key);
    await chain.publicClient.waitForTransactionReceipt({
      hash: await chain.dev.sendTransaction({ to: wallet.account.address, value: 10n ** 18n, chain: null }),
    });
    await sendOperation(
      wallet,
      { registry: record.address, publicClient: chain.publicClient },
      {
        type: "setAttribute",
        identity: wallet.account.address,
        ...serviceAttribute("MessagingService", "https://inbox.example/a"),
        validity: 86_400n,
      },
    );
    packed = packWorkspaces(mkdtempSync(join(tmpdir(), "sigil-packs-")));
    app = scratchApp(packed, ["did-resolver@^6"]);
  });
  after(async () => {
    await node?.stop();
    for (const d of [app, deployments]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it("ships compiled JavaScript, .d.ts and a README per package, nothing else; semver versions; no development tooling", () => {
    expect(packed.map((p) => p.name).sort()).to.deep.equal(["sigil-did", "sigil-did-cli", "sigil-did-contracts", "sigil-did-service"]);
    for (const p of packed) {
      expect(p.version, p.name).to.match(/^\d+\.\d+\.\d+$/);
      expect(p.files, p.name).to.include.members(["package.json", "README.md"]);
      // The CLI's bin is a committed shim outside dist/ (npm links bins at install time, before a build).
      const bin = (f: string) => p.name === "sigil-did-cli" && f === "bin/sigil.js";
      const stray = p.files.filter(
        (f) => !bin(f) && !/^(dist\/.*\.(js|d\.ts)|build\/\w+\.json|\w+\.sol|package\.json|README\.md)$/.test(f),
      );
      expect(stray, `${p.name} ships unexpected files`).to.deep.equal([]);
      expect(
        p.files.some((f) => /test/i.test(f)),
        `${p.name} ships tests`,
      ).to.equal(false);
    }
    const sdk = packed.find((p) => p.name === "sigil-did")!;
    console.log(
      `      measured: ${packed.map((p) => `${p.name} ${(p.size / 1024).toFixed(0)} kB packed, ${p.entryCount} files`).join("; ")}`,
    );
    expect(sdk.files).to.include.members(["dist/index.js", "dist/index.d.ts", "dist/node.js", "dist/ethers.js"]);
    for (const tool of ["hardhat", "solc", "@nomicfoundation/edr", "node"]) {
      expect(existsSync(join(app, "node_modules", tool)), `${tool} must not be installed`).to.equal(false);
    }
  });

  it("resolves, verifies and watches from an ES module (the README's sample)", () => {
    writeFileSync(
      join(app, "esm.mjs"),
      `import { Resolver } from "did-resolver";
import { createSigilResolver, getResolver, signMessage, verifyMessage, watchDids } from "sigil-did";
import { networksFromDeployments } from "sigil-did/node";
const [rpc, dir, did, key] = process.argv.slice(2);
const networks = networksFromDeployments(dir, { localhost: [rpc] });
const resolver = createSigilResolver({ networks });
const { didDocument } = await resolver.resolve(did);
const jwt = await signMessage({ did, secretKey: key }, { text: "hi" });
const verified = await verifyMessage(jwt, resolver);
const plain = new Resolver(getResolver({ networks }));
const watcher = watchDids(plain, [did], () => {});
await watcher.ready;
watcher.stop();
const viaPlain = await plain.resolve(did);
console.log(JSON.stringify({ id: didDocument.id, service: didDocument.service[0].serviceEndpoint, ok: verified.ok, plain: viaPlain.didDocument.id }));
`,
    );
    const out = run("esm.mjs", [node.url, deployments, did, key]);
    expect(out.status, out.stderr).to.equal(0);
    expect(JSON.parse(out.stdout)).to.deep.equal({ id: did, service: "https://inbox.example/a", ok: true, plain: did });
  });

  it("works from CommonJS through require() (Node 22's require of ES modules)", () => {
    writeFileSync(
      join(app, "cjs.cjs"),
      `const { createSigilResolver } = require("sigil-did");
const { networksFromDeployments } = require("sigil-did/node");
const [rpc, dir, did] = process.argv.slice(2);
createSigilResolver({ networks: networksFromDeployments(dir, { localhost: [rpc] }) })
  .resolve(did)
  .then((r) => console.log(r.didDocument.service[0].serviceEndpoint));
`,
    );
    const out = run("cjs.cjs", [node.url, deployments, did]);
    expect(out.status, out.stderr).to.equal(0);
    expect(out.stdout.trim()).to.equal("https://inbox.example/a");
  });

  it("runs the sigil bin from the tarball: npx sigil resolve", () => {
    const npx = spawnSync("npx", ["--no-install", "sigil", "--deployments", deployments, "--rpc", node.url, "resolve", did], {
      cwd: app,
      encoding: "utf8",
    });
    expect(npx.status, npx.stderr).to.equal(0);
    expect(npx.stdout).to.include(did).and.include("https://inbox.example/a");
    const version = sigil(["--help"]);
    expect(version.status).to.equal(0);
  });

  it("starts the resolver service from the tarball and answers over HTTP", async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        join(app, "node_modules", ".bin", "sigil"),
        "--deployments",
        deployments,
        "--rpc",
        node.url,
        "serve",
        "--port",
        String(port),
        "--log-level",
        "warn",
      ],
      { cwd: app },
    );
    try {
      let body: { didDocument?: { id: string } } = {};
      for (let i = 0; i < 100 && !body.didDocument; i++) {
        await new Promise((r) => setTimeout(r, 100));
        body = (await fetch(`http://127.0.0.1:${port}/1.0/identifiers/${did}`).then(
          (r) => r.json(),
          () => ({}),
        )) as typeof body;
      }
      expect(body.didDocument?.id).to.equal(did);
    } finally {
      child.kill("SIGTERM");
    }
  });

  it("type-checks a strict TypeScript consumer against the shipped .d.ts", () => {
    writeFileSync(
      join(app, "consumer.ts"),
      `import { Resolver, type DIDResolutionResult } from "did-resolver";
import { createSigilResolver, getResolver, verifyMessage, watchDids, planRotation, generateNextKey, type DidChange, type SigilNetwork } from "sigil-did";
const network: SigilNetwork = { chainId: 31337, name: "localhost", registry: "0x5fbdb2315678afecb367f032d93f642f64180aa3", rpcUrls: ["http://127.0.0.1:8545"] };
const resolver = createSigilResolver({ networks: [network], cache: { maxAgeMs: 1000 } });
export async function check(jwt: string): Promise<string> {
  const result: DIDResolutionResult = await new Resolver(getResolver({ networks: [network] })).resolve("did:sigil:0x00");
  const v = await verifyMessage(jwt, resolver, { receivedAt: 1 });
  const next = generateNextKey();
  const plan = planRotation({ identity: next.address, salt: next.salt, newOwner: next.address });
  watchDids(resolver, ["did:sigil:0x00"], (c: DidChange) => c.changes.length);
  return v.ok ? v.signedBy : v.code + String(result.didDocument?.id) + plan.rotate.type;
}
`,
    );
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          lib: ["es2023", "dom"],
          types: [],
          skipLibCheck: false,
        },
      }),
    );
    const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", app], { cwd: app, encoding: "utf8" });
    expect(tsc.status, tsc.stdout + tsc.stderr).to.equal(0);
  });

  it("runs in a real headless Chromium: a page bundling the installed SDK resolves a DID and verifies a message", async function () {
    const page = await browserPage();
    if (!page) return this.skip(); // only with SIGIL_SKIP_BROWSER=1 (see browserPage)
    const registry = JSON.parse(readFileSync(join(deployments, "localhost.json"), "utf8")).address;
    writeFileSync(
      join(app, "page-entry.js"),
      `import { createSigilResolver, signMessage, verifyMessage } from "sigil-did";
const q = new URLSearchParams(location.hash.slice(1));
const resolver = createSigilResolver({ networks: [{ chainId: 31337, name: "localhost", registry: q.get("registry"), rpcUrls: [q.get("rpc")] }] });
const result = await resolver.resolve(q.get("did"));
const jwt = await signMessage({ did: q.get("did"), secretKey: q.get("key") }, { text: "from a browser" });
const verified = await verifyMessage(jwt, resolver);
const forged = await verifyMessage(await signMessage({ did: q.get("did"), secretKey: "0x" + "11".repeat(32) }, { text: "forged" }), resolver);
document.body.dataset.result = JSON.stringify({ id: result.didDocument?.id, service: result.didDocument?.service?.[0]?.serviceEndpoint, ok: verified.ok, forged: forged.ok });
`,
    );
    const { build } = await import("esbuild");
    const bundle = await build({
      entryPoints: [join(app, "page-entry.js")],
      absWorkingDir: app,
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      write: false,
      logLevel: "silent",
    });
    const server = await staticServer({
      "/": `<!doctype html><html><body><script type="module" src="/app.js"></script></body></html>`,
      "/app.js": bundle.outputFiles[0].text,
    });
    try {
      await page.goto(`${server.url}/#${new URLSearchParams({ did, key, registry, rpc: node.url })}`);
      const handle = await page.waitForFunction("document.body.dataset.result", undefined, { timeout: 30_000 });
      expect(JSON.parse((await handle.jsonValue()) as string)).to.deep.equal({
        id: did,
        service: "https://inbox.example/a",
        ok: true,
        forged: false,
      });
    } finally {
      await page.context().browser()?.close();
      await server.close();
    }
  });

  it("compiles a contract against the shipped ISigilRegistry interface", () => {
    const source = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;
import {ISigilRegistry} from "sigil-did-contracts/ISigilRegistry.sol";
contract Gate {
    ISigilRegistry public immutable registry;
    constructor(ISigilRegistry r) { registry = r; }
    function controls(address identity, address key) external view returns (bool) {
        return registry.identityOwner(identity) == key && !registry.identityState(identity).deactivated;
    }
}`;
    const solc = require("solc");
    const input = {
      language: "Solidity",
      sources: { "Gate.sol": { content: source } },
      settings: { outputSelection: { "*": { "*": ["abi"] } } },
    };
    const findImports = (path: string) => {
      const file = join(app, "node_modules", path);
      return existsSync(file) ? { contents: readFileSync(file, "utf8") } : { error: `not found: ${path}` };
    };
    const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
    const errors = (output.errors ?? []).filter((e: { severity: string }) => e.severity === "error");
    expect(errors, JSON.stringify(errors)).to.deep.equal([]);
    expect(output.contracts["Gate.sol"].Gate.abi).to.be.an("array");
    const artifact = JSON.parse(readFileSync(join(app, "node_modules", "sigil-did-contracts", "build", "SigilRegistry.json"), "utf8"));
    expect(artifact.bytecode).to.match(/^0x[0-9a-f]+$/);
  });
});

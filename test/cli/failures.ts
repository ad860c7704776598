// The CLI where things go wrong, against a real `hardhat node` and the real `sigil` process: no
// false success, long-running watch, bounded waits, bad input refused with the documented exit
// code before anything is sent, configuration, keystores.
import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicClient, createWalletClient, http, type Hex, type PublicClient, type WalletClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { deployRegistry } from "sigil-did/node";
import { DEV_PRIVATE_KEY, startHardhatNode, type HardhatNode } from "../support/hardhat-node.ts";
import { startRpcProxy } from "../support/rpc-proxy.ts";

const root = join(import.meta.dirname, "..", "..");
const BIN = join(root, "sdk", "cli", "dist", "bin.js");
const ALICE_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d" as Hex; // Hardhat account 1
const RELAYER_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a" as Hex; // Hardhat account 2
const alice = privateKeyToAccount(ALICE_KEY).address.toLowerCase();

describe("sigil CLI: failures reported as they are, bad input refused, configuration and keystores honoured", function () {
  this.timeout(180_000);
  let node: HardhatNode;
  let dir: string;
  let publicClient: PublicClient;
  const did = `did:sigil:localhost:${alice}`;
  const run = (args: string[], env: Record<string, string> = {}, input?: string) => {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      cwd: root,
      encoding: "utf8",
      input,
      env: { ...process.env, SIGIL_PRIVATE_KEY: "", SIGIL_RELAYER_KEY: "", SIGIL_RPC_URL: "", ...env },
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const sigil = (args: string[], env: Record<string, string> = {}, input?: string) =>
    run(["--deployments", dir, "--rpc", node.url, ...args], env, input);
  /** As `run`, without blocking this process: needed when this process also serves a proxy the CLI talks to. */
  const runAsync = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd: root,
        env: { ...process.env, SIGIL_PRIVATE_KEY: "", SIGIL_RELAYER_KEY: "", SIGIL_RPC_URL: "", ...env },
      });
      let [out, err] = ["", ""];
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (err += d));
      child.on("exit", (code) => resolve({ code, out, err }));
    });
  const blockNumber = () => publicClient.getBlockNumber();

  before(async () => {
    node = await startHardhatNode();
    dir = mkdtempSync(join(tmpdir(), "sigil-defects-"));
    const transport = http(node.url);
    publicClient = createPublicClient({ transport, pollingInterval: 50 }) as PublicClient;
    const wallet = createWalletClient({ account: privateKeyToAccount(DEV_PRIVATE_KEY as Hex), transport }) as WalletClient;
    const artifact = JSON.parse(readFileSync(join(root, "contracts", "build", "SigilRegistry.json"), "utf8"));
    await deployRegistry({ wallet, publicClient, networkName: "localhost", artifact, compiler: "solc 0.8.28", dir });
  });
  after(async () => {
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a write to a chain without the registry at the recorded address says so and sends nothing (no false ✔)", async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "sigil-nowhere-"));
    const record = JSON.parse(readFileSync(join(dir, "localhost.json"), "utf8"));
    writeFileSync(join(elsewhere, "localhost.json"), JSON.stringify({ ...record, address: "0x00000000000000000000000000000000000000aa" }));
    const before = await blockNumber();
    for (const args of [
      ["key", "revoke", did, "--delegate", "0x00000000000000000000000000000000000000bb"],
      ["deactivate", did],
    ]) {
      const r = run(["--deployments", elsewhere, "--rpc", node.url, ...args], { SIGIL_PRIVATE_KEY: ALICE_KEY });
      expect(r.code, args.join(" ")).to.be.oneOf([1, 3]);
      expect(r.out).to.not.include("✔");
      expect(r.err).to.match(/no SigilRegistry|could not read the registry/);
    }
    expect(await blockNumber()).to.equal(before);
    rmSync(elsewhere, { recursive: true, force: true });
  });

  it("sigil watch runs until stopped, prints typed changes (--json: one object each), and reports a dead RPC", async () => {
    const watch = spawn(process.execPath, [BIN, "--deployments", dir, "--rpc", node.url, "--json", "watch", did, "--interval", "200"], {
      cwd: root,
    });
    let out = "";
    let err = "";
    watch.stdout.on("data", (d) => (out += d));
    watch.stderr.on("data", (d) => (err += d));
    try {
      await new Promise((r) => setTimeout(r, 2_500)); // first snapshot taken
      expect(watch.exitCode, err).to.equal(null);
      expect(sigil(["service", "add", did, "Inbox", "https://inbox.example/a"], { SIGIL_PRIVATE_KEY: ALICE_KEY }).code).to.equal(0);
      for (let i = 0; i < 50 && !out.includes("serviceAdded"); i++) await new Promise((r) => setTimeout(r, 100));
      const line = JSON.parse(
        out
          .trim()
          .split("\n")
          .find((l) => l.includes("serviceAdded"))!,
      );
      expect(line).to.deep.include({ did, kind: "serviceAdded" });
    } finally {
      watch.kill("SIGINT");
    }
    const code = await new Promise((r) => watch.on("exit", r));
    expect(code).to.equal(0);
    expect(run(["--deployments", dir, "--rpc", node.url, "watch", did, "--interval", "-1"]).code).to.equal(2);
    const dead = spawn(
      process.execPath,
      [BIN, "--deployments", dir, "--rpc", "http://127.0.0.1:9", "--timeout", "300", "watch", did, "--interval", "200"],
      { cwd: root },
    );
    let deadErr = "";
    dead.stderr.on("data", (d) => (deadErr += d));
    await new Promise((r) => setTimeout(r, 3_000));
    dead.kill("SIGINT");
    expect(deadErr).to.include("could not read the registry");
  });

  it("a long-running sigil serve does not serve a reset chain's keys from its cache", async () => {
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    const serve = spawn(
      process.execPath,
      [BIN, "--deployments", dir, "--rpc", node.url, "serve", "--port", String(port), "--log-level", "warn"],
      { cwd: root },
    );
    const keys = async () => {
      for (let i = 0; i < 100; i++) {
        const r = await fetch(`http://127.0.0.1:${port}/1.0/identifiers/${did}`).catch(() => undefined);
        if (r?.ok) return JSON.stringify(((await r.json()) as { didDocument: unknown }).didDocument).toLowerCase();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error("sigil serve did not answer");
    };
    const [thief, honest] = ["0x00000000000000000000000000000000000000e1", "0x00000000000000000000000000000000000000e2"];
    try {
      await keys(); // cached
      const snapshot = await publicClient.request({ method: "evm_snapshot" } as never);
      expect(
        (
          await runAsync(["--deployments", dir, "--rpc", node.url, "key", "add", did, "--delegate", thief], {
            SIGIL_PRIVATE_KEY: ALICE_KEY,
          })
        ).code,
      ).to.equal(0);
      expect(await keys()).to.include(thief.slice(2));
      await publicClient.request({ method: "evm_revert", params: [snapshot] } as never); // the chain is reset...
      expect(
        (
          await runAsync(["--deployments", dir, "--rpc", node.url, "key", "add", did, "--delegate", honest], {
            SIGIL_PRIVATE_KEY: ALICE_KEY,
          })
        ).code,
      ).to.equal(0);
      const after = await keys(); // ...to the same height and state, with another key
      expect(after).to.include(honest.slice(2));
      expect(after).to.not.include(thief.slice(2));
    } finally {
      serve.kill("SIGTERM");
    }
  });

  it("npm run serve stops on SIGTERM (no orphaned service)", async () => {
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    const npm = spawn(
      "npm",
      ["run", "--silent", "serve", "--", "--deployments", dir, "--rpc", node.url, "--port", String(port), "--log-level", "warn"],
      { cwd: root },
    );
    const up = async () =>
      fetch(`http://127.0.0.1:${port}/healthz`).then(
        () => true,
        () => false,
      );
    for (let i = 0; i < 100 && !(await up()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await up(), "served").to.equal(true);
    npm.kill("SIGTERM");
    await new Promise((r) => npm.on("exit", r));
    for (let i = 0; i < 50 && (await up()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await up(), "stopped with npm").to.equal(false);
  });

  it("verify: an unreachable RPC is a network failure (exit 3), not a forgery; --json failures are JSON on stdout", async () => {
    const jwt = sigil(["sign", did, "hi"], { SIGIL_PRIVATE_KEY: ALICE_KEY }).out.trim();
    const unreachable = run(["--deployments", dir, "--rpc", "http://127.0.0.1:9", "--timeout", "500", "verify", jwt]);
    expect(unreachable.code).to.equal(3);
    const forged = sigil(["--json", "verify", jwt.replace(/.$/, jwt.endsWith("A") ? "B" : "A")]);
    expect(forged.code).to.equal(1);
    expect(JSON.parse(forged.out)).to.deep.include({ ok: false });
    const viaStdin = sigil(["verify", "-"], {}, jwt);
    expect(viaStdin.code, viaStdin.err).to.equal(0);
    const file = join(dir, "msg.jwt");
    writeFileSync(file, jwt);
    expect(sigil(["verify", `@${file}`]).code).to.equal(0);
  });

  it("bad input is refused with exit 2 (or 1 for a no-op) and one line, before anything is sent", async () => {
    const before = await blockNumber();
    const as = { SIGIL_PRIVATE_KEY: ALICE_KEY };
    const wrongChecksum = "0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266".replace("F39FD", "F39Fd");
    const cases: [string[], Record<string, string>, number, string][] = [
      [["key", "add", did, "--delegate", wrongChecksum], as, 2, "wrong EIP-55 checksum"],
      [
        ["commit-next", did, "--out", join(dir, "n1.json"), "--next-address", "0x0000000000000000000000000000000000000000"],
        as,
        2,
        "zero address",
      ],
      [["commit-next", did, "--out", join(dir, "n2.json"), "--next-address", alice], as, 2, "must not be the current controller"],
      [["service", "add", did, "Inbox", "https://a b.example"], as, 2, "no spaces"],
      [["service", "add", did, "Inbox", "javascript:alert(1)"], as, 2, "run code"],
      [["service", "add", did, "Inbox", ""], as, 2, "1 to 2048 characters"],
      [["key", "add", did, "--public-key", "0x1234", "--type", "Ed25519"], as, 2, "32 bytes"],
      [["key", "add", did, "--delegate", alice, "--validity", "0"], as, 2, "must be a whole number of seconds > 0"],
      [["key", "add", did, "--delegate", alice, "--validity", "abc"], as, 2, "must be a whole number of seconds"],
      [["key", "revoke", did, "--delegate", "0x00000000000000000000000000000000000000cc"], as, 1, "nothing to revoke"],
      [["--timeout", "0", "resolve", did], {}, 2, '--timeout "0"'],
      [["--timeout", "-5", "resolve", did], {}, 2, "--timeout"],
      [["--timeout", "abc", "resolve", did], {}, 2, '--timeout "abc"'],
      [["key", "add"], as, 2, "missing required argument"],
      [["key", "add", did, "--delegate", alice], { SIGIL_PRIVATE_KEY: "0x1234" }, 2, "32 bytes"],
      [["attribute", "set", did, "x".repeat(40), "0x01"], as, 2, "at most 32 bytes"],
      [["attribute", "set", did, "did/svc/X", "0x01"], as, 2, "use sigil key add or sigil service add"],
      [["--network", "nowhere", "resolve", did], {}, 2, 'unknown network "nowhere"'],
      [["key", "add", did, "--delegate", alice, "--prepare", "/nonexistent/dir/op.json"], as, 2, "cannot write"],
      [["--network", "sepolia", "deploy"], { SIGIL_PRIVATE_KEY: ALICE_KEY }, 2, "--rpc"],
    ];
    for (const [args, env, code, fragment] of cases) {
      const r = args[0] === "--network" && args[2] === "deploy" ? run(["--deployments", dir, ...args], env) : sigil(args, env);
      expect(r.code, `${args.join(" ")}: ${r.err}`).to.equal(code);
      expect(r.err, args.join(" ")).to.include(fragment);
    }
    expect(await blockNumber(), "nothing reached the chain").to.equal(before);
  });

  it("SIGIL_RPC_URL is localhost's URL; deploy honours --rpc and --deployments; failover skips an endpoint on another chain", async () => {
    const viaEnv = run(["--deployments", dir, "resolve", did], { SIGIL_RPC_URL: node.url });
    expect(viaEnv.code, viaEnv.err).to.equal(0);
    const other = mkdtempSync(join(tmpdir(), "sigil-deploy-"));
    const deployed = run(["--deployments", other, "--network", "devnet", "--rpc", node.url, "deploy"], { SIGIL_PRIVATE_KEY: RELAYER_KEY });
    expect(deployed.code, deployed.err).to.equal(0);
    expect(JSON.parse(readFileSync(join(other, "devnet.json"), "utf8"))).to.include({
      network: "devnet",
      chainId: 31337,
      version: "2.2.0",
    });
    const wrongChain = await startRpcProxy(node.url, { chainId: 10 });
    try {
      const failover = await runAsync(["--deployments", dir, "--rpc", wrongChain.url, "--rpc", node.url, "resolve", did]);
      expect(failover.code, failover.err).to.equal(0);
    } finally {
      await wrongChain.close();
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("keystores: an explicit --keystore wins; {privateKey} and encrypted keystores work everywhere; sigil create", () => {
    const plain = join(dir, "alice.json");
    writeFileSync(plain, JSON.stringify({ privateKey: ALICE_KEY }));
    const signed = sigil(["--keystore", plain, "sign", did, "from a keystore"], { SIGIL_PRIVATE_KEY: RELAYER_KEY });
    expect(signed.code, signed.err).to.equal(0);
    expect(sigil(["verify", signed.out.trim()]).out).to.include(`${did}#controller`);
    const broken = join(dir, "broken.json");
    writeFileSync(broken, "{not json");
    const bad = sigil(["--keystore", broken, "sign", did, "x"]);
    expect(bad.code).to.equal(2);
    expect(bad.err).to.include("is not valid JSON");

    const pass = join(dir, "pass.txt");
    writeFileSync(pass, "correct horse battery staple\n");
    const ks = join(dir, "new.json");
    const created = sigil(["--passphrase-file", pass, "--json", "create", "--keystore-out", ks]);
    expect(created.code, created.err).to.equal(0);
    const { did: newDid } = JSON.parse(created.out);
    const keystore = JSON.parse(readFileSync(ks, "utf8"));
    expect(keystore.crypto ?? keystore.Crypto, "a Web3 Secret Storage keystore").to.have.property("kdf", "scrypt");
    const again = sigil(["--passphrase-file", pass, "create", "--keystore-out", ks]);
    expect(again.err).to.include("already exists");
    const encrypted = sigil(["--keystore", ks, "--passphrase-file", pass, "sign", newDid, "hi"]);
    expect(encrypted.code, encrypted.err).to.equal(0);
    writeFileSync(pass, "wrong\n");
    const wrong = sigil(["--keystore", ks, "--passphrase-file", pass, "sign", newDid, "hi"]);
    expect(wrong.code).to.equal(2);
    expect(wrong.err).to.include("wrong passphrase");
  });

  it("the registry's refusal comes before the funding check: a fresh key is told why, not that it is poor", () => {
    const fresh = generatePrivateKey();
    const freshDid = `did:sigil:localhost:${privateKeyToAccount(fresh).address.toLowerCase()}`;
    const file = join(dir, "fresh-next.json");
    writeFileSync(file, JSON.stringify({ privateKey: fresh, salt: `0x${"00".repeat(32)}` }));
    const r = sigil(["rotate", freshDid, "--next-key-file", file, "--no-commit"]);
    expect(r.code).to.equal(1);
    expect(r.err).to.include("SigilNoNextOwnerCommitted");
    expect(r.err).to.not.include("no funds");
  });

  it("relay: a damaged file says what is wrong", () => {
    const file = join(dir, "damaged.json");
    writeFileSync(file, JSON.stringify({ operation: { type: "teleport" }, signer: "0x1" }));
    const r = sigil(["relay", file], { SIGIL_RELAYER_KEY: RELAYER_KEY });
    expect(r.code).to.equal(2);
    expect(r.err).to.include('unknown operation type "teleport"').and.include("signer is not an address");
  });

  it("a node that takes a transaction and dies: the hash is printed at once and the wait is bounded (exit 3)", async () => {
    const proxy = await startRpcProxy(node.url, { dropTransactions: true });
    try {
      const started = Date.now();
      const r = await runAsync(
        ["--deployments", dir, "--rpc", proxy.url, "--wait", "1500", "service", "add", did, "Hub", "https://hub.example"],
        { SIGIL_PRIVATE_KEY: ALICE_KEY },
      );
      expect(r.code).to.equal(3);
      expect(r.err).to.match(/sent 0x[0-9a-f]{64}, waiting/);
      expect(r.err).to.include("not mined within 2 s");
      expect(Date.now() - started).to.be.lessThan(20_000);
    } finally {
      await proxy.close();
    }
  });

  it("--version; deactivation hints the way that works; local deployments are ignored by git; an old Node gets one line", () => {
    expect(run(["--version"]).out.trim()).to.match(/^\d+\.\d+\.\d+$/);
    const nextFile = join(dir, "hint-next.json");
    expect(sigil(["commit-next", did, "--out", nextFile], { SIGIL_PRIVATE_KEY: ALICE_KEY }).code).to.equal(0);
    const hint = sigil(["deactivate", did], { SIGIL_PRIVATE_KEY: ALICE_KEY });
    expect(hint.code).to.equal(1);
    expect(hint.err).to.include("Deactivate with the next key instead: sigil rotate");
    expect(spawnSync("git", ["check-ignore", "-q", "deployments/localhost.json"], { cwd: root }).status).to.equal(0);
    const old = spawnSync("/usr/bin/node", [BIN, "--version"], { encoding: "utf8" });
    if (
      old.status !== null &&
      !old.error &&
      /^v(1\d|20|21)\./.test(spawnSync("/usr/bin/node", ["--version"], { encoding: "utf8" }).stdout)
    ) {
      expect(old.status).to.equal(2);
      expect(old.stderr).to.include("needs Node.js 22.12 or later");
      expect(old.stderr).to.not.include("at ");
    }
  });
});

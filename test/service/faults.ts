// The resolver service when the chain misbehaves: a dead first endpoint (fail over), every
// endpoint dead (fast 500, then recovery), a slow node (timeouts), a node on another chain
// (refused, said so); and `sigil serve` shutting down on SIGTERM without dropping a request.
import { expect } from "chai";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { startRpcProxy } from "../support/rpc-proxy.ts";
import { freePort } from "../support/hardhat-node.ts";
import { expectErrorBody, raw, serve, startChain, type Chain } from "./fixture.ts";

const root = join(import.meta.dirname, "..", "..");

describe("resolver service under faults", function () {
  this.timeout(120_000);
  let chain: Chain;
  before(async () => {
    chain = await startChain();
  });
  after(async () => {
    await chain?.stop();
  });

  it("fails over when the first RPC endpoint is down", async () => {
    const dead = await startRpcProxy(chain.node.url, { down: true });
    const svc = await serve([chain.net({ rpcUrls: [dead.url, chain.proxy.url] })], false);
    try {
      const r = await raw(svc.url, `/1.0/identifiers/${chain.alice}`);
      expect(r.status).to.equal(200);
      expect(dead.roundTrips).to.be.greaterThan(0);
    } finally {
      await svc.service.close();
      await dead.close();
    }
  });

  it("answers 500 internalError fast when every endpoint is down, and recovers when one comes back", async () => {
    const flaky = await startRpcProxy(chain.node.url, { down: true });
    const refused = `http://127.0.0.1:${await freePort()}`; // nothing listens there
    const svc = await serve([chain.net({ rpcUrls: [refused, flaky.url], timeoutMs: 500 })]);
    try {
      const started = performance.now();
      const answers = await Promise.all(Array.from({ length: 20 }, () => raw(svc.url, `/1.0/identifiers/${chain.alice}`)));
      expect(performance.now() - started).to.be.lessThan(2_000);
      for (const r of answers) expect(expectErrorBody(r, 500).detail).to.include("RPC endpoint");
      const health = await raw(svc.url, "/healthz");
      expect(health.status).to.equal(503);
      expect(health.json().networks[0].ok).to.equal(false);
      flaky.options.down = false;
      expect((await raw(svc.url, `/1.0/identifiers/${chain.alice}`)).status).to.equal(200);
      expect((await raw(svc.url, "/healthz")).status).to.equal(200);
    } finally {
      await svc.service.close();
      await flaky.close();
    }
  });

  it("logs failed resolutions by severity with the error code and a reason, never the DID", async () => {
    const down = await startRpcProxy(chain.node.url, { down: true });
    const refused = `http://127.0.0.1:${await freePort()}`;
    const svc = await serve([chain.net({ rpcUrls: [refused, down.url], timeoutMs: 500 })]);
    try {
      const alice = `/1.0/identifiers/${chain.alice}`;
      expect((await raw(svc.url, alice)).status).to.equal(500);
      expect((await raw(svc.url, `${alice}?versionId=1`)).status).to.equal(500);
      const batch = JSON.stringify({ dids: [chain.alice, chain.bob, "did:sigil:nope"] });
      expect(
        (await raw(svc.url, "/1.0/identifiers", { method: "POST", headers: { "content-type": "application/json" }, body: batch })).status,
      ).to.equal(200);
      expect((await raw(svc.url, "/1.0/identifiers/did:sigil:local:0x123")).status).to.equal(400);
      expect((await raw(svc.url, "/1.0/identifiers/did:web:example.com")).status).to.equal(501);
      expect((await raw(svc.url, "/healthz")).status).to.equal(503);
      down.options.down = false;
      expect((await raw(svc.url, alice)).status).to.equal(200);

      const answered = svc.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === "answered");
      const [failed, failedVersion, failedBatch, invalid, otherMethod, health, ok] = answered;
      for (const line of [failed, failedVersion]) {
        expect(line).to.include({ level: 50, outcome: "internalError", status: 500 }); // pino: 50 error, 40 warn, 30 info
        expect(line.reason).to.match(/^could not read the registry: .*RPC endpoint/);
      }
      expect(failedBatch).to.include({ level: 50, status: 200 });
      expect(failedBatch.outcomes).to.deep.equal({ internalError: 2, invalidDid: 1 });
      expect(failedBatch.reason).to.match(/^could not read the registry: .*RPC endpoint/);
      // The client's mistakes are not the service's failures: info, and no reason (it would echo the input).
      expect(invalid).to.include({ level: 30, outcome: "invalidDid", status: 400 });
      expect(otherMethod).to.include({ level: 30, outcome: "methodNotSupported", status: 501 });
      for (const line of [invalid, otherMethod]) expect(line).to.not.have.property("reason");
      expect(health).to.include({ level: 40, route: "/healthz", status: 503 });
      expect(health.reason).to.include("RPC endpoint");
      expect(ok).to.include({ level: 30, outcome: "ok", status: 200 });
      const text = svc.logs.join("");
      for (const did of [chain.alice, chain.bob]) expect(text).to.not.include(did.slice(-40));
      expect(text)
        .to.not.include("0x123")
        .and.not.include("example.com")
        .and.not.match(/remoteAddress|remotePort|"url"/);
      // Should a reason ever quote a DID or an address, they are blanked.
      const { logReason } = await import("sigil-did-service/app");
      expect(logReason(`cannot read ${chain.alice}#key-1 from 0x${"ab".repeat(20)}, tx 0x${"cd".repeat(32)}\nstack`)).to.equal(
        `cannot read did:… from 0x…, tx 0x${"cd".repeat(32)}`,
      );
    } finally {
      await svc.service.close();
      await down.close();
    }
  });

  it("times out on a slow node instead of hanging, and keeps answering others", async () => {
    const slow = await startRpcProxy(chain.node.url, { delayMs: 3_000 });
    const svc = await serve([chain.net({ rpcUrls: [slow.url], timeoutMs: 300 })]);
    try {
      const started = performance.now();
      const [r, health] = await Promise.all([raw(svc.url, `/1.0/identifiers/${chain.alice}`), raw(svc.url, "/metrics")]);
      expect(performance.now() - started).to.be.lessThan(1_500);
      expect(expectErrorBody(r, 500).detail).to.match(/took too long|timed out/i);
      expect(health.status).to.equal(200);
    } finally {
      await svc.service.close();
      await slow.close();
    }
  });

  it("refuses a node on another chain and says which", async () => {
    const svc = await serve([chain.net({ chainId: 10 })]);
    try {
      const r = await raw(svc.url, `/1.0/identifiers/${chain.alice}`);
      expect(expectErrorBody(r, 500).detail).to.include("serves chain 31337, but network local is chain 10");
      const health = await raw(svc.url, "/healthz");
      expect(health.status).to.equal(503);
      expect(health.json().networks[0].error).to.include("serves chain 31337");
    } finally {
      await svc.service.close();
    }
  });

  it("`sigil serve` finishes in-flight requests on SIGTERM, then exits 0", async () => {
    const slow = await startRpcProxy(chain.node.url, { delayMs: 600 });
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        join(root, "sdk/cli/dist/main.js"),
        "--network",
        "local",
        "--registry",
        chain.registry,
        "--chain-id",
        "31337",
        "--rpc",
        slow.url,
        "serve",
        "--port",
        String(port),
        "--no-cache",
      ],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, SIGIL_LOG_LEVEL: "info" } },
    );
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      for (let i = 0; i < 100 && !out.includes('"msg":"resolving"'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).to.include('"msg":"listening"');
      const base = `http://127.0.0.1:${port}`;
      const inFlight = Array.from({ length: 5 }, () => raw(base, `/1.0/identifiers/${chain.alice}`));
      await new Promise((r) => setTimeout(r, 200)); // the requests are waiting on the slow node
      child.kill("SIGTERM");
      const answers = await Promise.all(inFlight);
      expect(answers.map((a) => a.status)).to.deep.equal([200, 200, 200, 200, 200]);
      expect(await exited).to.equal(0);
      expect(out).to.include('"msg":"stopped"');
      await raw(base, "/healthz").then(
        () => expect.fail("still listening after shutdown"),
        (e: NodeJS.ErrnoException) => expect(e.code).to.equal("ECONNREFUSED"),
      );
    } finally {
      child.kill("SIGKILL");
      await slow.close();
    }
  });
});

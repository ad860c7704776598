// The benchmark must not rot: its smoke run (tiny sizes, same code) runs in the test suite.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Messaging interop (issue 24): every peer measured, messages came back whole (else the run
 * throws), the warm cache answered every resolution, and a group check is one resolveMany. */
function expectMessaging(json: { messaging: unknown }, md: string) {
  const messaging = json.messaging as {
    didcomm: { rows: { packing: string; peer: string; perSecond: number; rpcCalls: number }[] };
    mls: {
      messages: { guardPerSecond: number; tsMlsPerSecond: number };
      checks: { resolver: string; resolveManyCalls: number; roundTrips: number; stale: number }[];
    };
  };
  for (const packing of ["authcrypt", "anoncrypt", "signed"])
    expect(
      messaging.didcomm.rows.filter((r) => r.packing === packing).map((r) => r.peer),
      packing,
    ).to.include.members(["Sigil", "didcomm-node", "Veramo"]);
  for (const r of messaging.didcomm.rows) {
    expect(r.perSecond, `${r.packing} / ${r.peer}`).to.be.greaterThan(0);
    expect(r.rpcCalls, `${r.packing} / ${r.peer}: JSON-RPC calls with a warm cache`).to.equal(0);
  }
  expect(messaging.mls.messages.guardPerSecond).to.be.greaterThan(0);
  expect(messaging.mls.messages.tsMlsPerSecond).to.be.greaterThan(0);
  for (const c of messaging.mls.checks.filter((c) => c.resolver.startsWith("Sigil resolver")))
    expect([c.resolveManyCalls, c.roundTrips, c.stale], c.resolver).to.deep.equal([1, 1, 0]);
  expect(md).to.include("## Messaging interop: DIDComm v2 and MLS");
}

describe("npm run bench (smoke run)", function () {
  this.timeout(180_000);
  it("measures every section (gas direct, signed and EIP-712; resolution; group; verification; service load; provider profiles; web console; messaging interop) and writes its tables", () => {
    const out = mkdtempSync(join(tmpdir(), "sigil-bench-"));
    try {
      const run = spawnSync(process.execPath, [join(import.meta.dirname, "..", "scripts", "bench.ts"), "--smoke", "--out", out], {
        encoding: "utf8",
      });
      expect(run.status, run.stderr).to.equal(0);
      const json = JSON.parse(readFileSync(join(out, "benchmarks.json"), "utf8"));
      expect(
        json.resolution
          .filter((r: { resolver: string }) => r.resolver === "sigil")
          .every((r: { roundTrips: number }) => r.roundTrips === 1),
      ).to.equal(true);
      expect(json.group.sigil.roundTrips).to.equal(1);
      expect(json.verification.sigilPerSecond).to.be.greaterThan(0);
      const gas = json.gas as { group: string; operation: string; ratio?: number }[];
      expect(gas.filter((r) => r.group === "signed").map((r) => r.operation)).to.include("changeOwnerSigned (warm)");
      expect(gas.filter((r) => r.ratio !== undefined).every((r) => r.ratio! > 0 && r.ratio! <= 1.25)).to.equal(true);
      expect(gas.filter((r) => r.group === "eip712").map((r) => r.operation)).to.include.members([
        "changeOwnerWithSig (warm)",
        "rotateWithSig (purge, 1 listed revocation)",
      ]);
      expect(gas.filter((r) => r.group === "extension").map((r) => r.operation)).to.include("rotate (purge, 1 listed revocation)");
      const load = json.load as { scenario: string; errors: number; lost: number; requests: number }[];
      expect(load).to.have.length(4);
      expect(load.every((r) => r.errors === 0 && r.lost === 0 && r.requests > 0)).to.equal(true);
      const bundles = json.bundles as { bundle: string; gzipBytes: number }[];
      expect(bundles.map((b) => b.bundle)).to.include.members([
        "sigil: resolver",
        "ethr-did-resolver: resolver",
        "sigil: whole browser SDK",
      ]);
      expect(bundles.find((b) => b.bundle === "sigil: resolver")!.gzipBytes, "the resolver bundle goal").to.be.at.most(35 * 1024);
      // Resolution on emulated providers (issue #15): structure only, never timings or goals.
      const providers = json.providers as {
        rows: { scenario: string; profile: string; resolver: string; runs: number; [k: string]: unknown }[];
        health: Record<string, unknown>;
      };
      const scenarios = [...new Set(providers.rows.map((r) => r.scenario.slice(0, 2)))];
      expect(scenarios).to.have.members(["a.", "b.", "c.", "d.", "e.", "f."]);
      const profiles = providers.rows.filter((r) => r.scenario.startsWith("a.")).map((r) => r.profile);
      expect(profiles).to.include.members([
        "uncapped",
        "paid (alchemy)",
        "goal (infura)",
        "free (quicknode)",
        "no blockTimestamp",
        "slow wide logs",
      ]);
      for (const r of providers.rows) {
        expect(r.runs, `${r.scenario} / ${r.profile} / ${r.resolver}`).to.be.greaterThan(0);
        for (const k of ["sequentialRoundTrips", "httpRequests", "calls", "bytes", "refused", "median", "p95"])
          expect(Number.isFinite(r[k]), `${k} of ${r.scenario} / ${r.profile} / ${r.resolver}`).to.equal(true);
      }
      const resolvers = providers.rows.map((r) => r.resolver);
      expect(resolvers).to.include.members([
        "sigil (first, learning)",
        "sigil",
        "ethr stock",
        "ethr tuned",
        "sigil resolveMany",
        "sigil via did-resolver, Promise.all",
      ]);
      expect(providers.rows.filter((r) => r.cpuMs !== undefined).map((r) => r.resolver)).to.include("sigil");
      expect(providers.rows.filter((r) => r.goal).length, "rows judged against a goal").to.be.greaterThan(0);
      const md = readFileSync(join(out, "benchmarks.md"), "utf8");
      for (const text of ["SMOKE RUN", "## Resolution on public-provider profiles (issue #15)"]) expect(md).to.include(text);
      // The web console (issue #16): its files and time to first render, measured in Chromium.
      const consoleMetrics = json.console as {
        total: { gzipBytes: number };
        initial: { gzipBytes: number };
        timings: { profile: string; documentMs: number }[];
      };
      expect(consoleMetrics.initial.gzipBytes).to.be.greaterThan(0).and.at.most(consoleMetrics.total.gzipBytes);
      expect(consoleMetrics.timings.map((t) => t.profile)).to.deep.equal(["desktop CPU", "CPU slowed 4x"]);
      for (const t of consoleMetrics.timings) expect(Number.isFinite(t.documentMs) && t.documentMs > 0, t.profile).to.equal(true);
      expect(md).to.include("### Web console");
      expectMessaging(json, md);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

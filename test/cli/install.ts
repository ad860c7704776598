// `npx sigil` right after `npm ci` on a fresh clone (issue 20 item 1): npm links a workspace's bins
// at install time, so the bin must be a committed file, not one in dist/ (built later).
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { root } from "./harness.ts";

describe("sigil CLI: installed as the README says", function () {
  this.timeout(600_000);

  it("the bin is a committed executable outside dist/, and node_modules/.bin/sigil is linked to it", () => {
    const pkg = JSON.parse(readFileSync(join(root, "sdk", "cli", "package.json"), "utf8"));
    expect(pkg.bin.sigil).to.not.match(/^(\.\/)?dist\//);
    const staged = spawnSync("git", ["ls-files", "-s", `sdk/cli/${pkg.bin.sigil}`], { cwd: root, encoding: "utf8" }).stdout;
    expect(staged, "committed, executable").to.match(/^100755 /);
    expect(realpathSync(join(root, "node_modules", ".bin", "sigil"))).to.equal(realpathSync(join(root, "sdk", "cli", pkg.bin.sigil)));
  });

  it("a copy without dist/ and without sources says what to do (exit 2), not a stack trace", () => {
    const dir = mkdtempSync(join(tmpdir(), "sigil-nodist-"));
    try {
      mkdirSync(join(dir, "bin"));
      copyFileSync(join(root, "sdk", "cli", "bin", "sigil.js"), join(dir, "bin", "sigil.js"));
      const r = spawnSync(process.execPath, [join(dir, "bin", "sigil.js"), "--help"], { encoding: "utf8" });
      expect(r.status).to.equal(2);
      expect(r.stderr).to.include("npm run build");
      expect(r.stderr).to.not.match(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("git clone, npm ci, npx sigil --help: works (building the CLI once)", () => {
    const dir = mkdtempSync(join(tmpdir(), "sigil-clone-"));
    const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` };
    try {
      const clone = spawnSync("git", ["clone", "-q", root, dir], { encoding: "utf8" });
      expect(clone.status, clone.stderr).to.equal(0);
      spawnSync("git", ["checkout", "-q", spawnSync("git", ["rev-parse", "HEAD"], { cwd: root, encoding: "utf8" }).stdout.trim()], {
        cwd: dir,
      });
      // Install scripts off: they fetch Node 22 and the EDR binding, which --help does not need.
      const ci = spawnSync("npm", ["ci", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund"], {
        cwd: dir,
        encoding: "utf8",
        env,
      });
      expect(ci.status, ci.stderr).to.equal(0);
      const help = spawnSync("npx", ["sigil", "--help"], { cwd: dir, encoding: "utf8", env });
      expect(help.status, help.stderr).to.equal(0);
      expect(help.stdout).to.include("Usage: sigil");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// The README's main job must keep working: run `hardhat run scripts/demo.ts` as a user would
// and require every one of its checks to hold.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { readmeTranscript, transcriptOf } from "../scripts/lib/demo-transcript.ts";

describe("npm run demo", function () {
  this.timeout(120_000);
  it("runs on the in-process chain and every check holds", () => {
    const root = join(import.meta.dirname, "..");
    const run = spawnSync(process.execPath, [join(root, "node_modules", "hardhat", "dist", "src", "cli.js"), "run", "scripts/demo.ts"], {
      cwd: root,
      encoding: "utf8",
    });
    expect(run.status, run.stdout + run.stderr).to.equal(0);
    expect(run.stdout).to.include("All checks held");
    expect(run.stdout).to.not.include("✘");
    expect((run.stdout.match(/✔/g) ?? []).length).to.be.greaterThanOrEqual(20);
    // The README shows this run's transcript (what varies per run masked): `npm run gen:demo` writes it.
    expect(transcriptOf(run.stdout), "README.md's demo transcript: run `npm run gen:demo`").to.equal(readmeTranscript());
  });
});

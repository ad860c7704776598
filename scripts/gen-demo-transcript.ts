// Runs the demo on the in-process chain and writes its transcript into the README (between the
// demo-transcript markers), or with --check fails when the README's differs.
// Run: npm run gen:demo [-- --check]
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { README, readmeTranscript, transcriptOf, withTranscript } from "./lib/demo-transcript.ts";

const root = join(import.meta.dirname, "..");
const run = spawnSync(process.execPath, [join(root, "node_modules", "hardhat", "dist", "src", "cli.js"), "run", "scripts/demo.ts"], {
  cwd: root,
  encoding: "utf8",
});
if (run.status !== 0) {
  console.error(`${run.stdout}${run.stderr}\nthe demo failed (exit ${run.status}): fix it before writing its transcript`);
  process.exit(1);
}
const transcript = transcriptOf(run.stdout);
const readme = readFileSync(README, "utf8");
if (process.argv.includes("--check")) {
  if (readmeTranscript(readme) !== transcript) {
    console.error("README.md's demo transcript differs from what the demo prints: run `npm run gen:demo`");
    process.exit(1);
  }
  console.log("README.md's demo transcript is what the demo prints");
} else {
  writeFileSync(README, withTranscript(readme, transcript));
  console.log("wrote the demo transcript into README.md");
}

// The example messenger (scripts/example/messenger.ts) must keep working as the README shows it:
// run it as a user would (`hardhat run`, a real process) and require every check to hold; the
// README's figure for the app's Sigil glue must be the one the example measures in its own source.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sigilGlueLines } from "../../scripts/example/app.ts";

const root = join(import.meta.dirname, "..", "..");

describe("npm run example: a messenger on didcomm-node and ts-mls with did:sigil identities", function () {
  this.timeout(180_000);
  let stdout = "";

  before(() => {
    const run = spawnSync(
      process.execPath,
      [join(root, "node_modules", "hardhat", "dist", "src", "cli.js"), "run", "scripts/example/messenger.ts"],
      { cwd: root, encoding: "utf8" },
    );
    expect(run.status, run.stdout + run.stderr).to.equal(0);
    stdout = run.stdout;
  });

  it("runs DIDComm and an MLS group of three through a rotation and a guardian recovery, every check holding", () => {
    expect(stdout).to.include("All checks held");
    expect(stdout).to.not.include("✘");
    for (const claim of [
      "Bob's app opens it and knows it is from Alice's DID",
      "the thief's group message, signed by the voided key, is refused by both",
      "his DIDComm message as Carol is refused by Bob's app",
      "Alice commits Carol's removal",
      "Carol's new device writes to the group",
      "a message from the seized phone's group state is refused by Alice and Carol",
      "Bob's recovered DID, on a new device, is back in the group",
    ])
      expect(stdout).to.include(`✔ ${claim}`);
    expect((stdout.match(/✔/g) ?? []).length).to.equal(17);
  });

  it("says how many lines of the app call Sigil, and the README quotes that figure", () => {
    const glue = sigilGlueLines();
    expect(glue).to.be.within(5, 40);
    expect(stdout).to.include(`The app's Sigil glue: ${glue} lines`);
    expect(readFileSync(join(root, "README.md"), "utf8")).to.include(`${glue} lines of Sigil glue`);
  });
});

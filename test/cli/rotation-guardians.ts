// `sigil rotate` and the guardian set (registry 2.1: under a commitment only the next key, in its
// rotation, changes guardians), as a user runs it against a real `hardhat node`: a rotation that
// names a set writes the cards only once its operation exists, one that removes the set removes
// it, and contradictory options are refused before anything is sent or written.
import { expect } from "chai";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { startCliChain, type CliChain } from "./harness.ts";

describe("sigil rotate with a guardian set (real process, real hardhat node)", function () {
  this.timeout(120_000);
  let chain: CliChain;
  before(async () => {
    chain = await startCliChain();
  });
  after(() => chain?.stop());

  it("names a set in the rotation (cards written with the operation), then removes it in the next; refuses contradictions first", async () => {
    const files = mkdtempSync(join(tmpdir(), "sigil-rotate-files-"));
    const owner = await chain.funded();
    const relayer = await chain.funded();
    const did = owner.did;
    const sigil = chain.sigil;
    const [g1, g2] = [0, 1].map(() => privateKeyToAccount(generatePrivateKey()).address);
    const next = join(files, "next.json");
    expect(sigil(["commit-next", did, "--out", next], { SIGIL_PRIVATE_KEY: owner.key }).code).to.equal(0);
    const refused = sigil(["guardians", "set", did, "--guardian", g1, "--threshold", "1", "--cards", join(files, "refused")], {
      SIGIL_PRIVATE_KEY: owner.key,
    });
    expect(refused.code, "the current key cannot name guardians under a commitment").to.not.equal(0);
    expect(refused.err).to.include("SigilNextOwnerCommitted");

    // Bad combinations: refused with exit 2, nothing written.
    const cards = join(files, "cards");
    const after = join(files, "after.json");
    for (const bad of [
      ["--guardian", g1, "--cards", cards],
      ["--guardian", g1, "--threshold", "1"],
      ["--remove-guardians", "--keep-guardians"],
      ["--guardian", g1, "--threshold", "1", "--cards", cards, "--remove-guardians"],
      ["--threshold", "1"],
    ]) {
      const run = sigil(["rotate", did, "--next-key-file", next, "--next-key-out", after, ...bad]);
      expect(run.code, `${bad.join(" ")}: ${run.err}`).to.equal(2);
      expect(run.err.trim().split("\n"), run.err).to.have.length(1);
    }
    expect(existsSync(cards) || existsSync(after), "a refused rotation wrote nothing").to.equal(false);

    const op = join(files, "rotate.json");
    const prepared = sigil([
      "rotate",
      did,
      "--next-key-file",
      next,
      "--next-key-out",
      after,
      "--guardian",
      g1,
      "--guardian",
      g2,
      "--threshold",
      "2",
      "--cards",
      cards,
      "--prepare",
      op,
    ]);
    expect(prepared.code, prepared.err).to.equal(0);
    expect(readdirSync(cards).sort()).to.deep.equal([g1, g2].map((g) => `guardian-${g.toLowerCase()}.json`).sort());
    const relayed = sigil(["--json", "relay", op], { SIGIL_RELAYER_KEY: relayer.key });
    expect(relayed.code, relayed.err).to.equal(0);
    expect((JSON.parse(relayed.out).events as { kind: string }[]).map((e) => e.kind)).to.include("guardiansChanged");
    const shown = JSON.parse(sigil(["--json", "guardians", "show", did]).out);
    expect(shown.guardians).to.include({ threshold: 2 });

    // The next rotation removes the set (the new next key is senior: no set predates its chain).
    const op2 = join(files, "rotate2.json");
    const removed = sigil([
      "rotate",
      did,
      "--next-key-file",
      after,
      "--next-key-out",
      join(files, "after2.json"),
      "--remove-guardians",
      "--prepare",
      op2,
    ]);
    expect(removed.code, removed.err).to.equal(0);
    expect(sigil(["relay", op2], { SIGIL_RELAYER_KEY: relayer.key }).code).to.equal(0);
    expect(JSON.parse(sigil(["--json", "guardians", "show", did]).out).guardians).to.equal(null);
  });
});

// Issue 20 (items 2-5, 8, 9): what the CLI prints and its exit code are what happened on chain.
// The real `sigil` process against a real `hardhat node`; each case failed before its fix.
import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generatePrivateKey } from "viem/accounts";
import { startCliChain, type CliChain } from "./harness.ts";

const ZERO = "0x0000000000000000000000000000000000000000";

describe("sigil CLI: nothing but the truth", function () {
  this.timeout(180_000);
  let chain: CliChain;
  let files: string;
  before(async () => {
    chain = await startCliChain();
    files = mkdtempSync(join(tmpdir(), "sigil-truth-"));
  });
  after(() => chain?.stop());
  /** The deployed registry's VERSION, as its deployment record says. */
  const registryVersion = () => JSON.parse(readFileSync(join(chain.dir, "localhost.json"), "utf8")).version as string;

  it("2. resolve of a deactivated DID says DEACTIVATED (exit 0; --json: deactivated, no document); its #controller is refused (1)", async () => {
    const id = await chain.funded();
    expect(chain.sigil(["deactivate", id.did], { SIGIL_PRIVATE_KEY: id.key }).code).to.equal(0);
    const table = chain.sigil(["resolve", id.did]);
    expect(table.code, table.err).to.equal(0);
    expect(table.out).to.include("DEACTIVATED");
    const json = chain.sigil(["--json", "resolve", id.did]);
    expect(json.code, json.err).to.equal(0);
    expect(JSON.parse(json.out))
      .to.deep.include({ didDocument: null })
      .and.to.have.nested.property("didDocumentMetadata.deactivated", true);
    const part = chain.sigil(["resolve", `${id.did}#controller`]);
    expect(part.code).to.equal(1);
    expect(part.err).to.include("is deactivated");
  });

  it("3. an already-expired --deadline is refused (exit 2) and no file is written", async () => {
    const id = await chain.funded();
    for (const deadline of ["2020-01-01T00:00:00Z", String(Math.floor(Date.now() / 1000) - 10)]) {
      const file = join(files, `expired-${deadline.length}.json`);
      const r = chain.sigil(["--deadline", deadline, "key", "add", id.did, "--delegate", chain.poor().address, "--prepare", file], {
        SIGIL_PRIVATE_KEY: id.key,
      });
      expect(r.code, r.err).to.equal(2);
      expect(r.err).to.include("already past");
      expect(r.out).to.not.include("✔");
      expect(existsSync(file)).to.equal(false);
    }
    const ahead = join(files, "ahead.json");
    expect(
      chain.sigil(
        [
          "--deadline",
          new Date(Date.now() + 3_600_000).toISOString(),
          "key",
          "add",
          id.did,
          "--delegate",
          chain.poor().address,
          "--prepare",
          ahead,
        ],
        { SIGIL_PRIVATE_KEY: id.key },
      ).code,
    ).to.equal(0);
  });

  it("4. sign refuses a key the DID does not authorise (never added, or rotated away from) unless --force", async () => {
    const id = await chain.funded();
    const stranger = generatePrivateKey();
    const refused = chain.sigil(["sign", id.did, "hello"], { SIGIL_PRIVATE_KEY: stranger });
    expect(refused.code).to.equal(1);
    expect(refused.out).to.equal("");
    expect(refused.err).to.include("not signed").and.include("--force");
    const forced = chain.sigil(["sign", id.did, "hello", "--force"], { SIGIL_PRIVATE_KEY: stranger });
    expect(forced.code, forced.err).to.equal(0);
    expect(chain.sigil(["verify", forced.out.trim()]).code, "the forced JWT does not verify").to.equal(1);
    // Rotated away from: the old key no longer signs for the DID.
    const next = join(files, "sign-next.json");
    expect(chain.sigil(["commit-next", id.did, "--out", next], { SIGIL_PRIVATE_KEY: id.key }).code).to.equal(0);
    const ok = chain.sigil(["sign", id.did, "before"], { SIGIL_PRIVATE_KEY: id.key });
    expect(ok.code, ok.err).to.equal(0);
    const op = join(files, "sign-rotation.json");
    expect(chain.sigil(["rotate", id.did, "--next-key-file", next, "--no-commit", "--prepare", op]).code).to.equal(0);
    expect(chain.sigil(["relay", op], { SIGIL_RELAYER_KEY: id.key }).code).to.equal(0);
    const old = chain.sigil(["sign", id.did, "after"], { SIGIL_PRIVATE_KEY: id.key });
    expect(old.code).to.equal(1);
    expect(old.err).to.include("not signed");
  });

  it("5. guardians set says set or proposed (with when, and `sigil guardians apply`) from the receipt's events", async () => {
    const id = await chain.funded();
    const guardians = [chain.poor().address, chain.poor().address];
    const set = (cards: string, ...more: string[]) =>
      chain.sigil(
        [
          "guardians",
          "set",
          id.did,
          ...guardians.flatMap((g) => ["--guardian", g]),
          "--threshold",
          "1",
          "--delay",
          "2h",
          "--cards",
          join(files, cards),
          ...more,
        ],
        { SIGIL_PRIVATE_KEY: id.key },
      );
    const first = set("cards-1");
    expect(first.code, first.err).to.equal(0);
    expect(first.out).to.match(/^✔ guardians set in block \d+/);
    const later = set("cards-2", "--delay", "3h");
    expect(later.code, later.err).to.equal(0);
    expect(later.out).to.not.include("✔");
    expect(later.out).to.match(
      /guardian change proposed in block \d+ .*takes effect at \d{4}-\d\d-\d\dT[\d:.]+Z; then run `sigil guardians apply /,
    );
    const shown = JSON.parse(chain.sigil(["--json", "guardians", "show", id.did]).out);
    expect(shown.pendingGuardianChange).to.not.equal(null);
    expect(shown.guardians).to.deep.include({ delaySeconds: 7200 });
    const json = chain.sigil(["--json", "guardians", "remove", id.did], { SIGIL_PRIVATE_KEY: id.key });
    expect(json.code, json.err).to.equal(0);
    expect(JSON.parse(json.out)).to.include({ status: "proposed" }).and.to.have.property("effectiveAt");

    // On a DID with a committed next key: registry 2.1 refuses the current key (named and explained,
    // no cards written); 2.0 proposes, and the CLI says proposed.
    const committed = await chain.funded();
    expect(
      chain.sigil(["commit-next", committed.did, "--out", join(files, "g-next.json")], { SIGIL_PRIVATE_KEY: committed.key }).code,
    ).to.equal(0);
    const cards = join(files, "cards-committed");
    const r = chain.sigil(
      ["guardians", "set", committed.did, "--guardian", guardians[0], "--threshold", "1", "--delay", "2h", "--cards", cards],
      { SIGIL_PRIVATE_KEY: committed.key },
    );
    if (registryVersion().startsWith("2.0")) {
      expect(r.code, r.err).to.equal(0);
      expect(r.out).to.include("proposed").and.not.include("✔");
    } else {
      expect(r.code, r.out).to.equal(1);
      expect(r.err).to.include("SigilNextOwnerCommitted").and.include("may not change the guardians");
      expect(existsSync(cards), "no cards for a refused set").to.equal(false);
    }
  });

  it("8. the zero address is refused as a delegate (exit 2), nothing sent", async () => {
    const id = await chain.funded();
    const before = await chain.blockNumber();
    const r = chain.sigil(["key", "add", id.did, "--delegate", ZERO], { SIGIL_PRIVATE_KEY: id.key });
    expect(r.code).to.equal(2);
    expect(r.err).to.include("zero address");
    expect(await chain.blockNumber()).to.equal(before);
  });

  it("9. resolve: a DID path is an error (2); #fragment dereferences to that part; an unknown fragment is not found (1)", async () => {
    const id = chain.poor();
    const path = chain.sigil(["resolve", `${id.did}/path`]);
    expect(path.code).to.equal(2);
    expect(path.err).to.include("defines no DID paths");
    expect(path.out).to.equal("");
    const fragment = chain.sigil(["resolve", `${id.did}#controller`]);
    expect(fragment.code, fragment.err).to.equal(0);
    const method = JSON.parse(fragment.out);
    expect(method).to.include({ id: `${id.did}#controller`, type: "EcdsaSecp256k1RecoveryMethod2020" });
    expect(method).to.not.have.property("verificationMethod");
    const json = JSON.parse(chain.sigil(["--json", "resolve", `${id.did}#controller`]).out);
    expect(json.contentStream.id).to.equal(`${id.did}#controller`);
    expect(chain.sigil(["resolve", `${id.did}#nope`]).code).to.equal(1);
  });
});

// Taking an identity back from the command line (issue 19 item 7): a rotation a thief copied and
// landed first is reported as done, and a next commitment the new owner itself satisfies is refused
// before anything is sent. The real `sigil` process against a real `hardhat node`.
import { expect } from "chai";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCliChain, type CliChain } from "./harness.ts";

describe("sigil CLI: taking an identity back", function () {
  this.timeout(180_000);
  let chain: CliChain;
  let files: string;
  before(async () => {
    chain = await startCliChain();
    files = mkdtempSync(join(tmpdir(), "sigil-takeback-"));
  });
  after(() => chain?.stop());

  it("sigil relay of a rotation a thief already landed says it took effect (exit 0), never that it failed", async () => {
    const owner = await chain.funded();
    const thief = await chain.funded();
    const next = join(files, "owner-next.json");
    expect(chain.sigil(["commit-next", owner.did, "--out", next], { SIGIL_PRIVATE_KEY: owner.key }).code).to.equal(0);
    const op = join(files, "rotation.json");
    const signed = chain.sigil([
      "rotate",
      owner.did,
      "--next-key-file",
      next,
      "--next-key-out",
      join(files, "after.json"),
      "--prepare",
      op,
    ]);
    expect(signed.code, signed.err).to.equal(0);
    const stolen = chain.sigil(["--json", "relay", op], { SIGIL_RELAYER_KEY: thief.key });
    expect(stolen.code, stolen.err).to.equal(0);
    const before = await chain.blockNumber();
    const mine = chain.sigil(["relay", op], { SIGIL_RELAYER_KEY: owner.key });
    expect(mine.code, mine.err).to.equal(0);
    expect(mine.out).to.include("already done").and.include(JSON.parse(stolen.out).hash);
    const json = chain.sigil(["--json", "relay", op], { SIGIL_RELAYER_KEY: owner.key });
    expect(JSON.parse(json.out)).to.include({ alreadyOnChain: true, transactionHash: JSON.parse(stolen.out).hash });
    expect(await chain.blockNumber(), "nothing was sent").to.equal(before);
  });

  it("rotate --new-owner X --commit-file <X's own commitment> is refused before anything is sent", async () => {
    const owner = await chain.funded();
    const next = join(files, "owner-next-2.json");
    expect(chain.sigil(["commit-next", owner.did, "--out", next], { SIGIL_PRIVATE_KEY: owner.key }).code).to.equal(0);
    const x = chain.poor();
    const record = join(files, "x-record.json");
    const other = await chain.funded();
    expect(
      chain.sigil(["commit-next", other.did, "--next-address", x.address, "--out", record], { SIGIL_PRIVATE_KEY: other.key }).code,
    ).to.equal(0);
    const before = await chain.blockNumber();
    const r = chain.sigil(["rotate", owner.did, "--next-key-file", next, "--new-owner", x.address, "--commit-file", record]);
    expect(r.code, r.err).to.equal(2);
    expect(r.err).to.include("commits to").and.include("the new owner itself");
    // The same with the record's address removed (only salt and commitment): still recognised.
    const bare = join(files, "x-bare.json");
    const { salt, commitment } = JSON.parse(readFileSync(record, "utf8"));
    (await import("node:fs")).writeFileSync(bare, JSON.stringify({ salt, commitment }));
    expect(chain.sigil(["rotate", owner.did, "--next-key-file", next, "--new-owner", x.address, "--commit-file", bare]).code).to.equal(2);
    // Without --new-owner the committed key becomes the owner: its own record is refused too.
    expect(chain.sigil(["rotate", owner.did, "--next-key-file", next, "--commit-file", next]).code).to.equal(2);
    expect(await chain.blockNumber(), "nothing was sent").to.equal(before);
  });
});

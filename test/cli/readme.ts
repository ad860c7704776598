// The CLI README's exit-code table (sdk/cli/README.md), read from it and checked against the real `sigil` binary
// on a real `hardhat node`: every example in a row exits with that row's code, and with --json
// prints exactly one JSON value on stdout (for a failure: {ok: false, exitCode, error}).
import { expect } from "chai";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { root, run, startCliChain, type CliChain } from "./harness.ts";

interface Row {
  code: number;
  examples: string[];
}

/** The rows of the table between the exit-codes markers: code, and each `sigil …` example. */
export function exitCodeTable(readme: string): Row[] {
  const block = /<!-- exit-codes:start -->([\s\S]*?)<!-- exit-codes:end -->/.exec(readme);
  if (!block) throw new Error("sdk/cli/README.md has no exit-codes table");
  return block[1]
    .split("\n")
    .filter((line) => /^\|\s*\d+\s*\|/.test(line))
    .map((line) => {
      const cells = line.split("|").map((c) => c.trim());
      return { code: Number(cells[1]), examples: [...cells[3].matchAll(/`(sigil [^`]*)`/g)].map((m) => m[1]) };
    });
}

describe("README: the exit-code table is true", function () {
  this.timeout(300_000);
  let chain: CliChain;
  let files: string;
  before(async () => {
    chain = await startCliChain();
    files = mkdtempSync(join(tmpdir(), "sigil-readme-"));
  });
  after(() => chain?.stop());

  it("lists every exit code with examples, and each example exits as its row says, with and without --json", async () => {
    const rows = exitCodeTable(readFileSync(join(root, "sdk", "cli", "README.md"), "utf8"));
    expect(rows.map((r) => r.code)).to.deep.equal([0, 1, 2, 3]);
    const owner = await chain.funded();
    const other = await chain.funded();
    const poor = chain.poor();
    const poorKeystore = join(files, "poor.json");
    writeFileSync(poorKeystore, JSON.stringify({ privateKey: poor.key }));
    const directory = join(files, "a-directory");
    mkdirSync(directory);
    for (const row of rows) {
      expect(row.examples.length, `row ${row.code} has examples`).to.be.greaterThan(0);
      for (const example of row.examples) {
        for (const json of [false, true]) {
          const fill: Record<string, string> = {
            "<did>": owner.did,
            "<other-did>": other.did,
            "<poor-did>": poor.did,
            "<poor-keystore>": poorKeystore,
            "<directory>": directory,
            "<rpc>": chain.node.url,
          };
          const args = example
            .split(/\s+/)
            .slice(1)
            .map((token) => token.replaceAll("<address>", privateKeyToAccount(generatePrivateKey()).address.toLowerCase()))
            .map((token) => Object.entries(fill).reduce((t, [k, v]) => t.replaceAll(k, v), token));
          const globals = [
            "--deployments",
            chain.dir,
            ...(args.includes("--rpc") ? [] : ["--rpc", chain.node.url]),
            ...(json ? ["--json"] : []),
          ];
          const r = run([...globals, ...args], { SIGIL_PRIVATE_KEY: owner.key });
          const label = `${json ? "--json " : ""}${example}: ${r.err}`;
          expect(r.code, label).to.equal(row.code);
          if (!json) continue;
          let out: unknown;
          expect(() => (out = JSON.parse(r.out)), `${label} stdout is one JSON value: ${r.out}`).to.not.throw();
          if (row.code !== 0) expect(out, label).to.deep.include({ ok: false, exitCode: row.code });
        }
      }
    }
  });
});

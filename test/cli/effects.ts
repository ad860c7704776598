// Issue 20 (items 6, 7, 10, 11): nothing written or claimed before the checks pass, every exit
// code as documented, and several networks from deployments/. The real `sigil` process against a
// real `hardhat node`; each case failed before its fix.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRpcProxy } from "../support/rpc-proxy.ts";
import { DEV_PRIVATE_KEY } from "../support/hardhat-node.ts";
import { cleanEnv, root, run, runAsync, startCliChain, type CliChain } from "./harness.ts";

describe("sigil CLI: no side effects before failure; exit codes; several networks", function () {
  this.timeout(180_000);
  let chain: CliChain;
  let files: string;
  before(async () => {
    chain = await startCliChain();
    files = mkdtempSync(join(tmpdir(), "sigil-effects-"));
  });
  after(() => chain?.stop());

  it("6. deploy never replaces the record of another chain without --redeploy", async () => {
    const record = readFileSync(join(chain.dir, "localhost.json"), "utf8");
    const otherChain = await startRpcProxy(chain.node.url, { chainId: 10 });
    try {
      const r = await runAsync(["--deployments", chain.dir, "--rpc", otherChain.url, "deploy"], { SIGIL_PRIVATE_KEY: DEV_PRIVATE_KEY });
      expect(r.code, r.err).to.equal(2);
      expect(r.err).to.include("records the registry of chain 31337").and.include("chain 10").and.include("--network <name>");
    } finally {
      await otherChain.close();
    }
    expect(readFileSync(join(chain.dir, "localhost.json"), "utf8")).to.equal(record);
    expect(chain.sigil(["resolve", chain.poor().did]).code, "the first chain still works").to.equal(0);
  });

  it("7. rotate with an unfunded next key: refused before the next-key file is written or anything is called void; a rerun works once funded", async () => {
    const id = await chain.funded();
    const next = join(files, "unfunded-next.json");
    expect(chain.sigil(["commit-next", id.did, "--out", next], { SIGIL_PRIVATE_KEY: id.key }).code).to.equal(0);
    const after = join(files, "unfunded-after.json");
    const r = chain.sigil(["rotate", id.did, "--next-key-file", next, "--next-key-out", after]);
    expect(r.code).to.equal(1);
    expect(r.err).to.include("no funds");
    expect(r.err).to.not.include("void");
    expect(existsSync(after), "no next-key file for a rotation that did not happen").to.equal(false);
    const address = JSON.parse(readFileSync(next, "utf8")).address;
    expect(chain.sigil(["fund", address], { SIGIL_RELAYER_KEY: id.key }).code).to.equal(0);
    const again = chain.sigil(["rotate", id.did, "--next-key-file", next, "--next-key-out", after]);
    expect(again.code, again.err).to.equal(0);
    expect(again.err).to.include("void");
    expect(existsSync(after)).to.equal(true);
  });

  it("7. a refused commit-next writes no file; create with --next-key-out but no --prepare writes no keystore", async () => {
    const id = await chain.funded();
    const notOwner = await chain.funded();
    const out = join(files, "refused-next.json");
    const r = chain.sigil(["commit-next", id.did, "--out", out], { SIGIL_PRIVATE_KEY: notOwner.key });
    expect(r.code).to.equal(1);
    expect(existsSync(out)).to.equal(false);
    const pass = join(files, "pass.txt");
    writeFileSync(pass, "correct horse battery staple\n");
    const keystore = join(files, "create-ks.json");
    const created = chain.sigil([
      "--passphrase-file",
      pass,
      "create",
      "--keystore-out",
      keystore,
      "--next-key-out",
      join(files, "create-next.json"),
    ]);
    expect(created.code).to.equal(2);
    expect(created.err).to.include("--prepare");
    expect(existsSync(keystore)).to.equal(false);
  });

  it("10. exit codes: unknown DID network 2; --json usage errors on stdout; --keystore <dir> 2 naming it; verify with empty stdin 2; no registry 3 for reads and writes", async () => {
    const id = await chain.funded();
    const unknown = chain.sigil(["resolve", `did:sigil:nowhere:${id.address}`]);
    expect(unknown.code).to.equal(2);
    expect(unknown.err).to.include(chain.dir);
    const usage = chain.sigil(["--json", "key", "add"]);
    expect(usage.code).to.equal(2);
    expect(JSON.parse(usage.out)).to.deep.include({ ok: false, exitCode: 2 });
    const dir = join(files, "a-directory");
    mkdirSync(dir);
    const ks = chain.sigil(["--keystore", dir, "key", "add", id.did, "--delegate", chain.poor().address]);
    expect(ks.code).to.equal(2);
    expect(ks.err).to.include(dir).and.include("is a directory");
    const empty = chain.sigil(["verify", "-"], {}, "");
    expect(empty.code).to.equal(2);
    expect(empty.err).to.include("stdin was empty");
    const nowhere = ["--registry", "0x00000000000000000000000000000000000000aa", "--chain-id", "31337"];
    expect(chain.sigil([...nowhere, "resolve", id.did]).code, "resolve").to.equal(3);
    expect(
      chain.sigil([...nowhere, "key", "add", id.did, "--delegate", chain.poor().address], { SIGIL_PRIVATE_KEY: id.key }).code,
      "write",
    ).to.equal(3);
    expect(
      chain.sigil([...nowhere, "key", "revoke", id.did, "--delegate", chain.poor().address], { SIGIL_PRIVATE_KEY: id.key }).code,
      "write that reads first",
    ).to.equal(3);
  });

  it("10. npm run -s sigil -- --json prints only JSON on stdout", () => {
    const r = spawnSync(
      "npm",
      ["run", "-s", "sigil", "--", "--deployments", chain.dir, "--rpc", chain.node.url, "--json", "resolve", chain.poor().did],
      { cwd: root, encoding: "utf8", env: cleanEnv() },
    );
    expect(r.status, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.have.property("didDocument");
  });

  it("11. every record in deployments/ is a network: --network second and did:sigil:second:… resolve with SIGIL_RPC_URL_SECOND; without a URL, the variable is named", async () => {
    const record = JSON.parse(readFileSync(join(chain.dir, "localhost.json"), "utf8"));
    writeFileSync(join(chain.dir, "second.json"), JSON.stringify({ ...record, network: "second" }));
    const id = chain.poor();
    const did = `did:sigil:second:${id.address}`;
    const noUrl = run(["--deployments", chain.dir, "--network", "second", "resolve", did]);
    expect(noUrl.code).to.equal(2);
    expect(noUrl.err).to.include("SIGIL_RPC_URL_SECOND").and.include("second.json");
    const selected = run(["--deployments", chain.dir, "--network", "second", "resolve", did], { SIGIL_RPC_URL_SECOND: chain.node.url });
    expect(selected.code, selected.err).to.equal(0);
    expect(selected.out).to.include(did);
    const byDid = run(["--deployments", chain.dir, "--rpc", chain.node.url, "resolve", did], { SIGIL_RPC_URL_SECOND: chain.node.url });
    expect(byDid.code, byDid.err).to.equal(0);
    const unknown = run(["--deployments", chain.dir, "--network", "third", "resolve", did]);
    expect(unknown.code).to.equal(2);
    expect(unknown.err).to.include(chain.dir).and.include("localhost, second");
    // A write names the network it goes to: a DID of another network is refused, nothing sent.
    const before = await chain.blockNumber();
    const other = chain.sigil(["key", "add", did, "--delegate", chain.poor().address], {
      SIGIL_PRIVATE_KEY: id.key,
      SIGIL_RPC_URL_SECOND: chain.node.url,
    });
    expect(other.code).to.equal(2);
    expect(other.err).to.include("--network second");
    expect(await chain.blockNumber()).to.equal(before);
  });
});

// Issue 20 item 12: the journeys users expect, run as the real `sigil` process against a real
// `hardhat node`: keys generated for signing and key agreement, waiting on a transaction already
// sent, the audit trail of a DID, service endpoints as JSON, and watch lines a person can act on.
import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRpcProxy } from "../support/rpc-proxy.ts";
import { BIN, cleanEnv, root, runAsync, startCliChain, type CliChain } from "./harness.ts";

describe("sigil CLI: the journeys users expect", function () {
  this.timeout(180_000);
  let chain: CliChain;
  let files: string;
  before(async () => {
    chain = await startCliChain();
    files = mkdtempSync(join(tmpdir(), "sigil-journeys-"));
  });
  after(() => chain?.stop());

  it("keygen: Ed25519 signs for the DID once published; X25519 decrypts what was encrypted to it", async () => {
    const id = await chain.funded();
    const ed = join(files, "ed.json");
    const made = chain.sigil(["keygen", "--type", "Ed25519", "--out", ed]);
    expect(made.code, made.err).to.equal(0);
    expect(statSync(ed).mode & 0o777).to.equal(0o600);
    const card = JSON.parse(readFileSync(ed, "utf8"));
    expect(made.out.trim()).to.equal(card.publicKey);
    expect(made.err).to.include(`sigil key add <did> --public-key ${card.publicKey} --type Ed25519`);
    expect(chain.sigil(["sign", id.did, "hi", "--key-type", "Ed25519", "--keystore", ed]).code, "not yet published").to.equal(1);
    expect(
      chain.sigil(["key", "add", id.did, "--public-key", card.publicKey, "--type", "Ed25519"], { SIGIL_PRIVATE_KEY: id.key }).code,
    ).to.equal(0);
    const jwt = chain.sigil(["--keystore", ed, "sign", id.did, "hi", "--key-type", "Ed25519"]);
    expect(jwt.code, jwt.err).to.equal(0);
    expect(chain.sigil(["verify", jwt.out.trim()]).code).to.equal(0);

    const x = join(files, "x.json");
    const xCard = chain.sigil(["--json", "keygen", "--type", "X25519", "--out", x]);
    const publicKey = JSON.parse(xCard.out).publicKey;
    expect(
      chain.sigil(["key", "add", id.did, "--public-key", publicKey, "--type", "X25519", "--purpose", "enc"], { SIGIL_PRIVATE_KEY: id.key })
        .code,
    ).to.equal(0);
    const jwe = chain.sigil(["encrypt", id.did, "for your eyes"]);
    expect(jwe.code, jwe.err).to.equal(0);
    const opened = chain.sigil(["decrypt", id.did, "-"], { SIGIL_X25519_KEY_FILE: x }, jwe.out);
    expect(opened.code, opened.err).to.equal(0);
    expect(opened.out).to.include("for your eyes");
    expect(chain.sigil(["keygen", "--type", "X25519", "--out", x]).code, "never overwritten").to.equal(2);
  });

  it("keygen P256: a P-256 key (MLS suite 2) published for authentication; a wrong-length one refused with what was expected", async () => {
    const id = await chain.funded();
    const file = join(files, "p256.json");
    const made = chain.sigil(["--json", "keygen", "--type", "P256", "--out", file]);
    expect(made.code, made.err).to.equal(0);
    const { publicKey } = JSON.parse(made.out) as { publicKey: string };
    expect(publicKey).to.match(/^0x0[23][0-9a-f]{64}$/);
    expect(made.err).to.include("--type P256 --purpose sigAuth").and.include("MLS");
    const added = chain.sigil(["key", "add", id.did, "--public-key", publicKey, "--type", "P256"], { SIGIL_PRIVATE_KEY: id.key });
    expect(added.code, added.err).to.equal(0);
    type Doc = { verificationMethod: { id: string; type: string; publicKeyHex?: string }[]; authentication: string[] };
    const document = (JSON.parse(chain.sigil(["--json", "resolve", id.did]).out) as { didDocument: Doc }).didDocument;
    const method = document.verificationMethod.find((m) => m.type === "P256")!;
    expect(method.publicKeyHex).to.equal(publicKey.slice(2));
    expect(document.authentication).to.include(method.id);
    const short = chain.sigil(["key", "add", id.did, "--public-key", publicKey.slice(0, -2), "--type", "P256"], {
      SIGIL_PRIVATE_KEY: id.key,
    });
    expect(short.code).to.not.equal(0);
    expect(short.err).to.include("P256 public key").and.include("expected 33 bytes");
  });

  it("wait <tx>: the registry's events of a sent transaction; a transfer (no registry event) is not a success; an unknown hash times out (3)", async () => {
    const id = await chain.funded();
    const sent = chain.sigil(["--json", "service", "add", id.did, "Inbox", "https://inbox.example/w"], { SIGIL_PRIVATE_KEY: id.key });
    const hash = JSON.parse(sent.out).hash;
    const waited = chain.sigil(["wait", hash]);
    expect(waited.code, waited.err).to.equal(0);
    expect(waited.out).to.include("published: service Inbox https://inbox.example/w");
    const transfer = JSON.parse(chain.sigil(["--json", "fund", chain.poor().address], { SIGIL_RELAYER_KEY: id.key }).out).hash;
    const notOurs = chain.sigil(["wait", transfer]);
    expect(notOurs.code).to.equal(1);
    expect(notOurs.err).to.include("shows no event of the registry");
    const unknown = chain.sigil(["--wait", "800", "wait", `0x${"ab".repeat(32)}`]);
    expect(unknown.code).to.equal(3);
    expect(chain.sigil(["wait", "0x1234"]).code).to.equal(2);
  });

  it("history: every change with time, block, transaction and sender, and what a purge voided", async () => {
    const id = await chain.funded();
    const as = { SIGIL_PRIVATE_KEY: id.key };
    expect(
      chain.sigil(["service", "add", id.did, "Inbox", '{"uri": "https://inbox.example/h", "accept": ["didcomm/v2"]}'], as).code,
    ).to.equal(0);
    expect(chain.sigil(["key", "add", id.did, "--delegate", "0x00000000000000000000000000000000000000d1"], as).code).to.equal(0);
    const next = join(files, "h-next.json");
    expect(chain.sigil(["commit-next", id.did, "--out", next], as).code).to.equal(0);
    expect(chain.sigil(["fund", JSON.parse(readFileSync(next, "utf8")).address], { SIGIL_RELAYER_KEY: id.key }).code).to.equal(0);
    expect(chain.sigil(["rotate", id.did, "--next-key-file", next, "--no-commit"]).code).to.equal(0);
    const h = chain.sigil(["history", id.did]);
    expect(h.code, h.err).to.equal(0);
    expect(h.out).to.match(/\d{4}-\d\d-\d\dT[\d:.]+Z {2}block \d+ {2}published: service Inbox \{"uri":"https:\/\/inbox.example\/h"/);
    expect(h.out).to.include(`(by ${id.address}, tx 0x`);
    expect(h.out)
      .to.include("rotated by the next key")
      .and.include("voided: delegate 0x00000000000000000000000000000000000000D1")
      .and.include("voided: service Inbox");
    const json = JSON.parse(chain.sigil(["--json", "history", id.did]).out);
    const rotation = json.changes.find((c: { kind: string }) => c.kind === "rotate");
    expect(rotation.voided).to.have.length(2);
    expect(rotation.transaction).to.match(/^0x[0-9a-f]{64}$/);
  });

  it("named identities: id add once, then --as <name> (or SIGIL_AS) signs and writes without keystore options", async () => {
    const home = join(files, "sigil-home");
    const pass = join(files, "id-pass.txt");
    (await import("node:fs")).writeFileSync(pass, "correct horse battery staple\n");
    const ks = join(files, "id-ks.json");
    const created = JSON.parse(chain.sigil(["--json", "--passphrase-file", pass, "create", "--keystore-out", ks]).out);
    const env = { SIGIL_HOME: home };
    const added = chain.sigil(["id", "add", "alice", "--keystore", ks, "--passphrase-file", pass], env);
    expect(added.code, added.err).to.equal(0);
    expect(added.out).to.include(created.did);
    expect(statSync(join(home, "identities.json")).mode & 0o777).to.equal(0o600);
    expect(readFileSync(join(home, "identities.json"), "utf8")).to.not.include("correct horse");
    const signed = chain.sigil(["--as", "alice", "sign", created.did, "named"], env);
    expect(signed.code, signed.err).to.equal(0);
    expect(chain.sigil(["verify", signed.out.trim()]).out).to.include(created.did);
    expect(chain.sigil(["fund", created.address], { SIGIL_RELAYER_KEY: (await chain.funded()).key }).code).to.equal(0);
    const wrote = chain.sigil(["service", "add", created.did, "Inbox", "https://inbox.example/named"], { ...env, SIGIL_AS: "alice" });
    expect(wrote.code, wrote.err).to.equal(0);
    expect(chain.sigil(["id", "list"], env).out)
      .to.include("alice")
      .and.include(ks);
    const unknown = chain.sigil(["--as", "bob", "sign", created.did, "x"], env);
    expect(unknown.code).to.equal(2);
    expect(unknown.err).to.include('no identity named "bob"').and.include("known: alice");
    expect(chain.sigil(["id", "add", "alice", "--keystore", ks, "--passphrase-file", pass], env).code, "names are unique").to.equal(2);
  });

  it("watch: lines with time and block; one error line per outage (not per DID per poll); a chain reset said as such", async () => {
    const [a, b] = [await chain.funded(), await chain.funded()];
    const proxy = await startRpcProxy(chain.node.url);
    const watch = spawn(
      process.execPath,
      [BIN, "--deployments", chain.dir, "--rpc", proxy.url, "--timeout", "500", "--json", "watch", a.did, b.did, "--interval", "200"],
      { cwd: root, env: cleanEnv() },
    );
    let [out, err] = ["", ""];
    watch.stdout.on("data", (d) => (out += d));
    watch.stderr.on("data", (d) => (err += d));
    const until = async (test: () => boolean, what: string) => {
      for (let i = 0; i < 100 && !test(); i++) await new Promise((r) => setTimeout(r, 100));
      expect(test(), `${what}\nstdout: ${out}\nstderr: ${err}`).to.equal(true);
    };
    try {
      await new Promise((r) => setTimeout(r, 1_500));
      // runAsync: the proxy lives in this process, and a blocking spawn would be an outage of its own.
      const sigil = (args: string[], key: string) =>
        runAsync(["--deployments", chain.dir, "--rpc", chain.node.url, ...args], { SIGIL_PRIVATE_KEY: key });
      expect((await sigil(["service", "add", a.did, "Inbox", "https://inbox.example/watch"], a.key)).code).to.equal(0);
      await until(() => out.includes("serviceAdded"), "the change is reported");
      const line = JSON.parse(
        out
          .trim()
          .split("\n")
          .find((l) => l.includes("serviceAdded"))!,
      );
      expect(line).to.include({ did: a.did, kind: "serviceAdded" });
      expect(line.time).to.match(/^\d{4}-\d\d-\d\dT/);
      expect(Number(line.block)).to.be.greaterThan(0);

      const up = err.length;
      proxy.options.down = true;
      await new Promise((r) => setTimeout(r, 2_500)); // about ten polls of two DIDs
      proxy.options.down = false;
      await until(() => err.slice(up).includes("reading again"), "the recovery is reported");
      expect(
        err
          .slice(up)
          .split("\n")
          .filter((l) => l.includes("cannot read")),
        err,
      ).to.have.length(1);

      const snapshot = await chain.publicClient.request({ method: "evm_snapshot" } as never);
      expect((await sigil(["change-owner", b.did, chain.poor().address], b.key)).code).to.equal(0);
      await until(() => out.includes("controllerChanged"), "the controller change is reported");
      const before = out.length;
      await chain.publicClient.request({ method: "evm_revert", params: [snapshot] } as never);
      await until(() => out.includes("chainReset"), "the reset is reported");
      expect(out.slice(before), "not reported as another controller change").to.not.include("controllerChanged");
    } finally {
      watch.kill("SIGINT");
      await proxy.close();
    }
    expect(await new Promise((r) => watch.on("exit", r))).to.equal(0);
  });
});

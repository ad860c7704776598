// The `sigil` CLI as a user runs it, against a real `hardhat node` on 127.0.0.1 that the test
// starts and stops: every journey, and every kind of bad input with its exit code and one line.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { deployRegistry } from "../scripts/lib/deploy.ts";
import { DEV_PRIVATE_KEY, startHardhatNode, type HardhatNode } from "../scripts/lib/hardhat-node.ts";

const root = join(import.meta.dirname, "..");
const ALICE_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"; // Hardhat account 1
const RELAYER_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"; // Hardhat account 2
const alice = privateKeyToAccount(ALICE_KEY).address.toLowerCase();

describe("sigil CLI against a real hardhat node", function () {
  this.timeout(120_000);
  let node: HardhatNode;
  let dir: string;
  let provider: JsonRpcProvider;
  const did = `did:sigil:localhost:${alice}`;

  function sigil(args: string[], env: Record<string, string> = {}) {
    const run = spawnSync(process.execPath, [join(root, "sdk", "cli", "main.ts"), "--deployments", dir, "--rpc", node.url, ...args], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, SIGIL_PRIVATE_KEY: "", SIGIL_NEXT_KEY: "", SIGIL_RELAYER_KEY: "", ...env },
    });
    return { code: run.status, out: run.stdout, err: run.stderr };
  }

  before(async () => {
    node = await startHardhatNode();
    dir = mkdtempSync(join(tmpdir(), "sigil-cli-"));
    provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const { abi, bytecode } = JSON.parse(readFileSync(join(root, "artifacts", "contracts", "SigilRegistry.sol", "SigilRegistry.json"), "utf8"));
    await deployRegistry({ provider, signer: new Wallet(DEV_PRIVATE_KEY, provider), networkName: "localhost", artifact: { abi, bytecode }, compiler: "solc 0.8.28", dir });
  });
  after(async () => {
    provider?.destroy();
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("resolves a DID, as a table and as JSON", () => {
    const table = sigil(["resolve", did]);
    expect(table.code, table.err).to.equal(0);
    expect(table.out).to.include("controller").and.include("fingerprint:");
    const json = sigil(["--json", "resolve", did]);
    expect(JSON.parse(json.out).didDocument.id).to.equal(did);
  });

  it("walks the key-compromise journey: keys, service, commit, rotate, sign, verify", () => {
    const thief = privateKeyToAccount(generatePrivateKey()).address;
    const nextKey = generatePrivateKey();
    const next = privateKeyToAccount(nextKey).address;
    const as = { SIGIL_PRIVATE_KEY: ALICE_KEY };
    expect(sigil(["key", "add", did, "--delegate", thief], as).code).to.equal(0);
    expect(sigil(["key", "add", did, "--public-key", `0x${"11".repeat(32)}`, "--type", "X25519", "--purpose", "enc"], as).code).to.equal(0);
    expect(sigil(["service", "add", did, "Messaging", "https://m.example/alice"], as).code).to.equal(0);
    expect(sigil(["attribute", "set", did, "did/svc/Hub", "0x68756221"], as).code).to.equal(0);
    const message = sigil(["sign", did, "hello from alice"], as);
    expect(message.code, message.err).to.equal(0);
    const verified = sigil(["verify", message.out.trim()]);
    expect(verified.code, verified.err).to.equal(0);
    expect(verified.out).to.include(`signed by ${did}#controller`);

    expect(sigil(["commit-next", did, next], as).code).to.equal(0);
    const takeover = sigil(["deactivate", did], as);
    expect(takeover.code).to.equal(1);
    expect(takeover.err.trim().split("\n")).to.have.length(1);
    expect(takeover.err).to.include("SigilNextOwnerCommitted");

    const broke = sigil(["rotate", did], { SIGIL_NEXT_KEY: nextKey });
    expect(broke.code).to.equal(1);
    expect(broke.err).to.include("has no funds to pay gas");
    // The offline key holds no coins: it signs, and a relayer submits.
    const file = join(mkdtempSync(join(tmpdir(), "sigil-op-")), "rotate.json");
    expect(sigil(["rotate", did, "--prepare", file], { SIGIL_NEXT_KEY: nextKey }).code).to.equal(0);
    const rotated = sigil(["--json", "relay", file], { SIGIL_RELAYER_KEY: RELAYER_KEY });
    expect(rotated.code, rotated.err).to.equal(0);
    const kinds = (JSON.parse(rotated.out).events as { kind: string }[]).map((e) => e.kind);
    expect(kinds.filter((k) => k === "delegate")).to.have.length(1);
    expect(kinds.filter((k) => k === "attribute")).to.have.length(3);
    const doc = JSON.parse(sigil(["--json", "resolve", did]).out).didDocument;
    expect(doc.verificationMethod).to.have.length(1);
    expect(doc.verificationMethod[0].blockchainAccountId.toLowerCase()).to.equal(`eip155:31337:${next.toLowerCase()}`);
    const stale = sigil(["verify", message.out.trim(), "--now"]);
    expect(stale.code).to.equal(1);
    expect(stale.err).to.include("not verified");
    expect(sigil(["verify", message.out.trim()]).code, "still valid as of sending").to.equal(0);
    const past = sigil(["--json", "resolve", did, "--at", "3"]);
    expect(JSON.parse(past.out).didDocumentMetadata.nextVersionId).to.be.a("string");
  });

  it("prepares a signed operation offline and relays it with another key paying gas", () => {
    const bobKey = generatePrivateKey();
    const bobDid = `did:sigil:localhost:${privateKeyToAccount(bobKey).address.toLowerCase()}`;
    const file = join(mkdtempSync(join(tmpdir(), "sigil-op-")), "op.json");
    const prepared = sigil(["prepare", file, "service", "add", bobDid, "Messaging", "https://m.example/bob"], { SIGIL_PRIVATE_KEY: bobKey });
    expect(prepared.code, prepared.err).to.equal(0);
    expect(JSON.parse(readFileSync(file, "utf8")).operation.type).to.equal("setAttribute");
    const relayed = sigil(["relay", file], { SIGIL_RELAYER_KEY: RELAYER_KEY });
    expect(relayed.code, relayed.err).to.equal(0);
    expect(JSON.parse(sigil(["--json", "resolve", bobDid]).out).didDocument.service[0].serviceEndpoint).to.equal("https://m.example/bob");
    const again = sigil(["relay", file], { SIGIL_RELAYER_KEY: RELAYER_KEY });
    expect(again.code).to.equal(1);
    expect(again.err).to.include("SigilInvalidSignature");
  });

  it("answers bad input with one clear line and an exit code, sending nothing", async () => {
    const before = await provider.getBlockNumber();
    const cases: [string[], Record<string, string>, number, string][] = [
      [["resolve", "did:sigil:localhost:0x123"], {}, 2, "address has 3 hex digits"],
      [["--network", "mainnet", "resolve", did], {}, 2, 'unknown network "mainnet"'],
      [["key", "add", did, "--delegate", "0x1234"], { SIGIL_PRIVATE_KEY: ALICE_KEY }, 2, "is not a 0x-prefixed 20-byte address"],
      [["key", "add", did, "--delegate", alice], {}, 2, "no key: set SIGIL_PRIVATE_KEY"],
      [["key", "add", `did:sigil:localhost:${privateKeyToAccount(generatePrivateKey()).address}`, "--delegate", alice], { SIGIL_PRIVATE_KEY: RELAYER_KEY }, 1, "bad_actor"],
      [["key", "add", did], { SIGIL_PRIVATE_KEY: ALICE_KEY }, 2, "give exactly one of --delegate"],
      [["bogus"], {}, 2, "unknown command"],
      [["serve", "--port", "http"], {}, 2, '--port "http" must be a whole number >= 0'],
      [["serve", "--port", "70000"], {}, 2, "--port 70000 is not a TCP port"],
      [["serve", "--max-batch", "0"], {}, 2, '--max-batch "0" must be a whole number >= 1'],
      [["serve", "--cache-max-age", "-5"], {}, 2, '--cache-max-age "-5" must be a whole number >= 0'],
      [["serve", "--log-level", "loud"], {}, 2, "Allowed choices are fatal, error"],
      [["serve"], { SIGIL_PORT: "x" }, 2, '--port "x" must be a whole number'],
    ];
    for (const [args, env, code, fragment] of cases) {
      const run = sigil(args, env);
      expect(run.code, `${args.join(" ")}: ${run.err}`).to.equal(code);
      expect(run.err, args.join(" ")).to.include(fragment);
      expect(run.err.trim().split("\n").filter((l) => l.startsWith("sigil:") || l.startsWith("error:"))).to.have.length(1);
    }
    const unreachable = spawnSync(process.execPath, [join(root, "sdk", "cli", "main.ts"), "--deployments", dir, "--rpc", "http://127.0.0.1:9", "--timeout", "500", "resolve", did], {
      cwd: root,
      encoding: "utf8",
    });
    expect(unreachable.status).to.equal(3);
    expect(unreachable.stderr).to.include("could not read the registry");
    expect(await provider.getBlockNumber()).to.equal(before);
  });
});

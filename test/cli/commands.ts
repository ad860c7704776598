// The `sigil` CLI as a user runs it, against a real `hardhat node` on 127.0.0.1 that the test
// starts and stops: every journey, and every kind of bad input with its exit code and one line.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { x25519 } from "@noble/curves/ed25519.js";
import { bytesToHex, createPublicClient, createWalletClient, hexToBytes, http, type Hex, type PublicClient, type WalletClient } from "viem";
import { deployRegistry } from "sigil-did/node";
import { DEV_PRIVATE_KEY, startHardhatNode, type HardhatNode } from "../support/hardhat-node.ts";

const root = join(import.meta.dirname, "..", "..");
const ALICE_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"; // Hardhat account 1
const RELAYER_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"; // Hardhat account 2
const alice = privateKeyToAccount(ALICE_KEY).address.toLowerCase();

describe("sigil CLI commands against a real hardhat node", function () {
  this.timeout(120_000);
  let node: HardhatNode;
  let dir: string;
  let provider: JsonRpcProvider;
  const did = `did:sigil:localhost:${alice}`;

  function sigil(args: string[], env: Record<string, string> = {}) {
    const run = spawnSync(
      process.execPath,
      [join(root, "sdk", "cli", "dist", "bin.js"), "--deployments", dir, "--rpc", node.url, ...args],
      {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, SIGIL_PRIVATE_KEY: "", SIGIL_NEXT_KEY: "", SIGIL_RELAYER_KEY: "", ...env },
      },
    );
    return { code: run.status, out: run.stdout, err: run.stderr };
  }

  before(async () => {
    node = await startHardhatNode();
    dir = mkdtempSync(join(tmpdir(), "sigil-cli-"));
    provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const { abi, bytecode } = JSON.parse(
      readFileSync(join(root, "artifacts", "contracts", "SigilRegistry.sol", "SigilRegistry.json"), "utf8"),
    ) as { abi: unknown[]; bytecode: Hex };
    const transport = http(node.url);
    const wallet = createWalletClient({ account: privateKeyToAccount(DEV_PRIVATE_KEY as Hex), transport }) as WalletClient;
    const publicClient = createPublicClient({ transport, pollingInterval: 50 }) as PublicClient;
    await deployRegistry({ wallet, publicClient, networkName: "localhost", artifact: { abi, bytecode }, compiler: "solc 0.8.28", dir });
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

  it("walks the key-compromise journey: keys, service, commit, rotate (O(1), re-committing), sign, verify", () => {
    const thief = privateKeyToAccount(generatePrivateKey()).address;
    const as = { SIGIL_PRIVATE_KEY: ALICE_KEY };
    const files = mkdtempSync(join(tmpdir(), "sigil-keys-"));
    expect(sigil(["key", "add", did, "--delegate", thief], as).code).to.equal(0);
    expect(sigil(["key", "add", did, "--public-key", `0x${"11".repeat(32)}`, "--type", "X25519", "--purpose", "enc"], as).code).to.equal(0);
    expect(sigil(["service", "add", did, "Messaging", "https://m.example/alice"], as).code).to.equal(0);
    expect(sigil(["attribute", "set", did, "did/meta/note", "0x68756221"], as).code).to.equal(0);
    const message = sigil(["sign", did, "hello from alice"], as);
    expect(message.code, message.err).to.equal(0);
    const receivedAt = new Date().toISOString();
    const verified = sigil(["verify", message.out.trim()]);
    expect(verified.code, verified.err).to.equal(0);
    expect(verified.out).to.include(`signed by ${did}#controller`);

    const nextFile = join(files, "next.json");
    const committed = sigil(["commit-next", did, "--out", nextFile], as);
    expect(committed.code, committed.err).to.equal(0);
    expect(committed.err).to.include("move it offline");
    const card = JSON.parse(readFileSync(nextFile, "utf8"));
    expect(card).to.have.keys("address", "privateKey", "salt", "commitment");
    expect((statSync(nextFile).mode & 0o777).toString(8)).to.equal("600");
    expect(sigil(["commit-next", did, "--out", nextFile], as).err).to.include("already exists");
    const takeover = sigil(["deactivate", did], as);
    expect(takeover.code).to.equal(1);
    expect(takeover.err.trim().split("\n")).to.have.length(1);
    expect(takeover.err).to.include("SigilNextOwnerCommitted");

    const afterFile = join(files, "after.json");
    const noOut = sigil(["rotate", did, "--next-key-file", nextFile]);
    expect(noOut.code).to.equal(2);
    expect(noOut.err).to.include("--next-key-out");
    const broke = sigil(["rotate", did, "--next-key-file", nextFile, "--next-key-out", afterFile]);
    expect(broke.code).to.equal(1);
    expect(broke.err).to.include("has no funds to pay gas");
    // The offline key holds no coins: it signs, and a relayer submits.
    const op = join(files, "rotate.json");
    const after2 = join(files, "after2.json");
    expect(sigil(["rotate", did, "--next-key-file", nextFile, "--next-key-out", after2, "--prepare", op]).code).to.equal(0);
    const rotated = sigil(["--json", "relay", op], { SIGIL_RELAYER_KEY: RELAYER_KEY });
    expect(rotated.code, rotated.err).to.equal(0);
    // The default rotation lists nothing: its cost does not depend on what a thief added.
    expect((JSON.parse(rotated.out).events as { kind: string }[]).map((e) => e.kind)).to.deep.equal(["owner", "rotate"]);
    const res = JSON.parse(sigil(["--json", "resolve", did]).out);
    expect(res.didDocument.verificationMethod).to.have.length(1);
    expect(res.didDocument.verificationMethod[0].blockchainAccountId.toLowerCase()).to.equal(`eip155:31337:${card.address.toLowerCase()}`);
    expect(res.didDocumentMetadata.sigil.nextOwnerCommitment).to.equal(JSON.parse(readFileSync(after2, "utf8")).commitment);
    // Judged as of receipt: received now, the rotated-away key no longer counts; stored with its
    // receipt time, it still verifies.
    const stale = sigil(["verify", message.out.trim()]);
    expect(stale.code).to.equal(1);
    expect(stale.err).to.include("not verified");
    const stored = sigil(["verify", message.out.trim(), "--received-at", receivedAt, "--skew", "0"]);
    expect(stored.code, stored.err).to.equal(0);
    const past = sigil(["--json", "resolve", did, "--at", "3"]);
    expect(JSON.parse(past.out).didDocumentMetadata.nextVersionId).to.be.a("string");
  });

  /** `guardians set` arguments: the members, the threshold and where the cards go. */
  const guardiansSet = (did: string, members: string[], threshold: number, cards: string) => [
    "guardians",
    "set",
    did,
    ...members.flatMap((m) => ["--guardian", m]),
    "--threshold",
    String(threshold),
    "--cards",
    cards,
  ];
  const fund = async (funder: Wallet, to: string) => (await funder.sendTransaction({ to, value: 10n ** 18n })).wait();

  /** After the delay, anyone finalises: the new owner controls the DID with the committed next key. */
  async function finalizesAfterTheDelay(did: string, newOwner: string, commitment: string) {
    await provider.send("evm_increaseTime", [86_400]);
    await provider.send("evm_mine", []);
    const done = sigil(["recover", "finalize", did], { SIGIL_PRIVATE_KEY: RELAYER_KEY });
    expect(done.code, done.err).to.equal(0);
    const doc = JSON.parse(sigil(["--json", "resolve", did]).out);
    expect(doc.didDocument.verificationMethod[0].blockchainAccountId.toLowerCase()).to.equal(`eip155:31337:${newOwner.toLowerCase()}`);
    expect(doc.didDocumentMetadata.sigil.nextOwnerCommitment).to.equal(commitment);
    expect(doc.didDocumentMetadata.sigil.recoveries).to.deep.equal([]);
  }

  it("recovers with guardians from the command line: set, start, approve, finalize; the thief cannot cancel", async () => {
    const carolKey = generatePrivateKey();
    const carol = privateKeyToAccount(carolKey).address.toLowerCase();
    const carolDid = `did:sigil:localhost:${carol}`;
    const guardians = [generatePrivateKey(), generatePrivateKey(), generatePrivateKey()];
    const dir2 = mkdtempSync(join(tmpdir(), "sigil-guardians-"));
    const cards = join(dir2, "cards");
    const funder = new Wallet(DEV_PRIVATE_KEY, provider);
    for (const k of [carolKey, ...guardians]) await fund(funder, privateKeyToAccount(k).address);
    // Carol's own key as a guardian would let whoever steals it recover alone: refused before anything is written or sent.
    const self = sigil(guardiansSet(carolDid, [privateKeyToAccount(guardians[0]).address, carol], 1, cards), {
      SIGIL_PRIVATE_KEY: carolKey,
    });
    expect(self.code, self.err).to.equal(2);
    expect(self.err).to.include("invalid guardian 2").and.include("the identity's own address");
    expect(() => readdirSync(cards), "no card written").to.throw();
    const members = guardians.map((g) => privateKeyToAccount(g).address);
    const set = sigil([...guardiansSet(carolDid, members, 2, cards), "--delay", "1d"], { SIGIL_PRIVATE_KEY: carolKey });
    expect(set.code, set.err).to.equal(0);
    const cardFiles = readdirSync(cards).map((f) => join(cards, f));
    expect(cardFiles).to.have.length(3);
    const show = JSON.parse(sigil(["--json", "guardians", "show", carolDid]).out);
    expect(show.guardians).to.deep.include({ threshold: 2, delaySeconds: 86_400 });
    // The thief holds Carol's key: he cannot deactivate her guarded DID.
    const kill = sigil(["deactivate", carolDid], { SIGIL_PRIVATE_KEY: carolKey });
    expect(kill.code).to.equal(1);
    expect(kill.err).to.include("SigilGuardedDeactivation");

    const newOwner = privateKeyToAccount(generatePrivateKey()).address;
    const nextFile = join(dir2, "carol-next.json");
    const next = sigil(["--json", "next-key", "--out", nextFile]);
    expect(next.code, next.err).to.equal(0);
    const commitment = JSON.parse(next.out).commitment;
    const cardOf = (i: number) => cardFiles.find((f) => f.includes(privateKeyToAccount(guardians[i]).address.toLowerCase()))!;
    const start = sigil(["recover", "start", carolDid, "--card", cardOf(0), "--new-owner", newOwner, "--commitment", commitment], {
      SIGIL_PRIVATE_KEY: guardians[0],
    });
    expect(start.code, start.err).to.equal(0);
    const wrongCard = sigil(["recover", "approve", carolDid, "--card", cardOf(0)], { SIGIL_PRIVATE_KEY: guardians[1] });
    expect(wrongCard.code).to.equal(1);
    const approve = sigil(["recover", "approve", carolDid, "--card", cardOf(1)], { SIGIL_PRIVATE_KEY: guardians[1] });
    expect(approve.code, approve.err).to.equal(0);
    const status = JSON.parse(sigil(["--json", "recover", "status", carolDid]).out);
    expect(status.recoveries[0]).to.deep.include({ status: "armed", approvals: 2, newOwner: newOwner.toLowerCase() });
    // The thief commits to a key of his own (allowed: there was none) and tries to veto.
    const thiefNext = join(dir2, "thief-next.json");
    expect(sigil(["commit-next", carolDid, "--out", thiefNext], { SIGIL_PRIVATE_KEY: carolKey }).code).to.equal(0);
    await fund(funder, JSON.parse(readFileSync(thiefNext, "utf8")).address);
    const veto = sigil(["recover", "cancel", carolDid, "--next-key-file", thiefNext]);
    expect(veto.code).to.equal(1);
    expect(veto.err).to.include("SigilCommitmentNotSenior");
    const early = sigil(["recover", "finalize", carolDid], { SIGIL_PRIVATE_KEY: RELAYER_KEY });
    expect(early.code).to.equal(1);
    expect(early.err).to.include("SigilRecoveryNotReady");
    await finalizesAfterTheDelay(carolDid, newOwner, commitment);
    // Now controlled by newOwner: naming it a guardian is refused too.
    const controllerAsGuardian = sigil(guardiansSet(carolDid, [newOwner, members[2]], 1, join(dir2, "cards2")), {
      SIGIL_PRIVATE_KEY: carolKey,
    });
    expect(controllerAsGuardian.code, controllerAsGuardian.err).to.equal(2);
    expect(controllerAsGuardian.err).to.include("invalid guardian 1").and.include("the identity's current controller");
  });

  it("encrypts to a DID's key-agreement key and decrypts, reading the JWE from stdin", async () => {
    const bobKey = RELAYER_KEY; // funded
    const bobDid = `did:sigil:localhost:${privateKeyToAccount(bobKey).address.toLowerCase()}`;
    const bobX = "0x" + "42".repeat(32);
    const carolX = "0x" + "43".repeat(32);
    const pub = (secret: string) => bytesToHex(x25519.getPublicKey(hexToBytes(secret as Hex)));
    expect(
      sigil(["key", "add", bobDid, "--public-key", pub(bobX), "--type", "X25519", "--purpose", "enc"], { SIGIL_PRIVATE_KEY: bobKey }).code,
    ).to.equal(0);
    const sealed = sigil(["encrypt", bobDid, "meet at 6"]);
    expect(sealed.code, sealed.err).to.equal(0);
    // An earlier test moved this chain a day ahead of the wall clock: say when it was received, in chain time.
    const chainTime = new Date(Number((await provider.getBlock("latest"))!.timestamp) * 1000).toISOString();
    const opened = spawnSync(
      process.execPath,
      [
        join(root, "sdk", "cli", "dist", "bin.js"),
        "--deployments",
        dir,
        "--rpc",
        node.url,
        "decrypt",
        bobDid,
        "-",
        "--received-at",
        chainTime,
      ],
      {
        input: sealed.out,
        encoding: "utf8",
        env: { ...process.env, SIGIL_X25519_KEY: bobX },
      },
    );
    expect(opened.status, opened.stderr).to.equal(0);
    expect(opened.stdout).to.include("(anonymous sender)").and.include("meet at 6");
    // A DIDComm v2 message by default; --enc and --profile choose the algorithms and the form.
    const header = (out: string) => JSON.parse(Buffer.from(JSON.parse(out).protected, "base64url").toString("utf8"));
    expect(header(sealed.out)).to.include({ typ: "application/didcomm-encrypted+json", alg: "ECDH-ES+A256KW", enc: "XC20P" });
    const gcm = sigil(["encrypt", bobDid, "in GCM", "--enc", "A256GCM"]);
    expect(header(gcm.out).enc, gcm.err).to.equal("A256GCM");
    const openedGcm = sigil(["decrypt", bobDid, gcm.out.trim(), "--received-at", chainTime], { SIGIL_X25519_KEY: bobX });
    expect(openedGcm.out, openedGcm.err).to.include("in GCM");
    expect(header(sigil(["encrypt", bobDid, "old form", "--profile", "did-jwt"]).out)).to.include({
      enc: "XC20P",
      cty: "application/json",
    });
    expect(sigil(["encrypt", bobDid, "x", "--enc", "A128GCM"]).code).to.not.equal(0);
    const wrong = sigil(["decrypt", bobDid, sealed.out.trim(), "--received-at", chainTime], { SIGIL_X25519_KEY: carolX });
    expect(wrong.code).to.equal(1);
    expect(wrong.err).to.include("not encrypted to your key");
    const noKey = sigil(["encrypt", did, "x"]);
    expect(noKey.err).to.match(/no X25519 key-agreement key|could not resolve/);
  });

  it("prepares a signed operation offline and relays it with another key paying gas", () => {
    const bobKey = generatePrivateKey();
    const bobDid = `did:sigil:localhost:${privateKeyToAccount(bobKey).address.toLowerCase()}`;
    const file = join(mkdtempSync(join(tmpdir(), "sigil-op-")), "op.json");
    const prepared = sigil(["prepare", file, "service", "add", bobDid, "Messaging", "https://m.example/bob"], {
      SIGIL_PRIVATE_KEY: bobKey,
    });
    expect(prepared.code, prepared.err).to.equal(0);
    expect(JSON.parse(readFileSync(file, "utf8")).operation.type).to.equal("setAttribute");
    const relayed = sigil(["relay", file], { SIGIL_RELAYER_KEY: RELAYER_KEY });
    expect(relayed.code, relayed.err).to.equal(0);
    expect(JSON.parse(sigil(["--json", "resolve", bobDid]).out).didDocument.service[0].serviceEndpoint).to.equal("https://m.example/bob");
    const again = sigil(["relay", file], { SIGIL_RELAYER_KEY: RELAYER_KEY });
    expect(again.code).to.equal(1);
    expect(again.err).to.include("can no longer be relayed: its nonce 0 was already used");
  });

  it("answers bad input with one clear line and an exit code, sending nothing", async () => {
    const before = await provider.getBlockNumber();
    const cases: [string[], Record<string, string>, number, string][] = [
      [["resolve", "did:sigil:localhost:0x123"], {}, 2, "address has 3 hex digits"],
      [["--network", "mainnet", "resolve", did], {}, 2, 'unknown network "mainnet"'],
      [["key", "add", did, "--delegate", "0x1234"], { SIGIL_PRIVATE_KEY: ALICE_KEY }, 2, "is not a 0x-prefixed 20-byte address"],
      [["key", "add", did, "--delegate", alice], {}, 2, "no key: set SIGIL_PRIVATE_KEY"],
      [
        ["key", "add", `did:sigil:localhost:${privateKeyToAccount(generatePrivateKey()).address}`, "--delegate", alice],
        { SIGIL_PRIVATE_KEY: RELAYER_KEY },
        1,
        "bad_actor",
      ],
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
      expect(
        run.err
          .trim()
          .split("\n")
          .filter((l) => l.startsWith("sigil:") || l.startsWith("error:")),
      ).to.have.length(1);
    }
    const unreachable = spawnSync(
      process.execPath,
      [join(root, "sdk", "cli", "dist", "bin.js"), "--deployments", dir, "--rpc", "http://127.0.0.1:9", "--timeout", "500", "resolve", did],
      {
        cwd: root,
        encoding: "utf8",
      },
    );
    expect(unreachable.status).to.equal(3);
    expect(unreachable.stderr).to.include("could not read the registry");
    expect(await provider.getBlockNumber()).to.equal(before);
  });
});

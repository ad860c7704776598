// `sigil device add|list|remove` run as a user runs them (the real binary against a real
// `hardhat node`): the secrets land in the identity store readable by the owner only, the device
// signs and decrypts with them, removal refuses it at once, a thief's label that claims a device's
// key is shown as untrusted and removed without touching the real device's keys, and bad names
// are refused before anything is sent.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCliChain, type CliChain } from "./harness.ts";

describe("sigil device: several devices per DID from the CLI", function () {
  this.timeout(180_000);
  let chain: CliChain;
  let home: string;
  before(async () => {
    chain = await startCliChain();
    home = mkdtempSync(join(tmpdir(), "sigil-devices-home-"));
  });
  after(async () => {
    await chain?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("device add keeps the secrets (0600) in $SIGIL_HOME/devices, publishes both keys and the label, and the device signs and decrypts; remove refuses it at once", async () => {
    const alice = await chain.funded();
    const env = { SIGIL_PRIVATE_KEY: alice.key, SIGIL_HOME: home };
    const added = chain.sigil(["device", "add", "phone"], env);
    expect(added.code, added.err).to.equal(0);
    expect(added.out)
      .to.match(/signing key \(Ed25519\) published in block \d+ \(tx 0x[0-9a-f]{64}\)/)
      .and.match(/key-agreement key \(X25519\) published in block \d+/)
      .and.match(/device label published in block \d+/)
      .and.include(`device "phone" added to ${alice.did}`);
    const signingFile = join(home, "devices", alice.address, "phone.ed25519.json");
    const x25519File = join(home, "devices", alice.address, "phone.x25519.json");
    for (const file of [signingFile, x25519File]) expect(statSync(file).mode & 0o777, file).to.equal(0o600);
    const listed = chain.sigil(["--json", "device", "list", "--did", alice.did], env);
    expect(listed.code, listed.err).to.equal(0);
    const set = JSON.parse(listed.out);
    expect(set.devices.map((d: { name: string }) => d.name)).to.deep.equal(["phone"]);
    expect(set.devices[0].signingKey.publicKeyHex).to.equal(JSON.parse(readFileSync(signingFile, "utf8")).publicKey.slice(2));

    const signed = chain.sigil(["sign", alice.did, "from my phone", "--keystore", signingFile, "--key-type", "Ed25519"], env);
    expect(signed.code, signed.err).to.equal(0);
    const jwt = signed.out.trim();
    expect(chain.sigil(["verify", jwt]).code).to.equal(0);
    const jwe = chain.sigil(["encrypt", alice.did, "to every device of Alice"]).out.trim();
    const opened = chain.sigil(["decrypt", alice.did, jwe], { SIGIL_X25519_KEY_FILE: x25519File });
    expect(opened.code, opened.err).to.equal(0);
    expect(opened.out).to.include("to every device of Alice");

    const removed = chain.sigil(["device", "remove", "phone"], env);
    expect(removed.code, removed.err).to.equal(0);
    expect(removed.out).to.match(/device "phone" removed .* in block \d+ \(tx 0x[0-9a-f]{64}\): 2 key\(s\) and 1 label\(s\) revoked/);
    expect(chain.sigil(["device", "list"], env).out).to.include("has no devices");
    const late = chain.sigil(["verify", jwt]);
    expect(late.code, "what the phone signed no longer verifies").to.equal(1);
    const again = chain.sigil(["sign", alice.did, "stolen phone", "--keystore", signingFile, "--key-type", "Ed25519"], env);
    expect(again.code).to.equal(1);
    expect(again.err).to.include("a receiver would refuse");
    const stale = chain.sigil(["decrypt", alice.did, jwe], { SIGIL_X25519_KEY_FILE: x25519File });
    expect(stale.code, "the removed key no longer receives").to.not.equal(0);
    expect(stale.err).to.include("not encrypted to your key");
  });

  it("a thief's label claiming a device's key is listed as untrusted; removing it revokes the label only, and the real device is trusted again", async () => {
    const alice = await chain.funded();
    const env = { SIGIL_PRIVATE_KEY: alice.key, SIGIL_HOME: home };
    expect(chain.sigil(["device", "add", "laptop"], env).code).to.equal(0);
    const laptop = JSON.parse(chain.sigil(["--json", "device", "list"], env).out).devices[0];
    const claim = JSON.stringify({ name: "laptop2", keys: [laptop.signingKey.publicKeyHex, laptop.keyAgreementKey.publicKeyHex] });
    const planted = chain.sigil(["service", "add", alice.did, "SigilDevice", claim], env);
    expect(planted.code, planted.err).to.equal(0);
    const listed = chain.sigil(["device", "list"], env);
    expect(listed.out)
      .to.include("has no devices")
      .and.include('"laptop" not trusted (keyClaimedTwice)')
      .and.include('"laptop2" not trusted');
    const removed = chain.sigil(["device", "remove", "laptop2"], env);
    expect(removed.code, removed.err).to.equal(0);
    expect(removed.out).to.include("0 key(s) and 1 label(s) revoked");
    const after = JSON.parse(chain.sigil(["--json", "device", "list"], env).out);
    expect(after.devices.map((d: { name: string }) => d.name)).to.deep.equal(["laptop"]);
    expect(after.ignored).to.deep.equal([]);
  });

  it("refuses a look-alike or over-long name, a second device of one name, and removing a device that is not there, each before anything is sent", async () => {
    const alice = await chain.funded();
    const env = { SIGIL_PRIVATE_KEY: alice.key, SIGIL_HOME: home };
    const block = await chain.blockNumber();
    for (const name of ["phοne", "x".repeat(33), "_lead", "a/b"]) {
      const bad = chain.sigil(["device", "add", name], env);
      expect(bad.code, name).to.equal(2);
      expect(bad.err).to.include("device name");
    }
    expect(await chain.blockNumber(), "nothing was sent").to.equal(block);
    expect(chain.sigil(["device", "add", "tablet"], env).code).to.equal(0);
    const twice = chain.sigil(["device", "add", "Tablet"], env);
    expect(twice.code).to.equal(1);
    expect(twice.err).to.include('already has a device label named "tablet"').and.include("nothing was sent");
    const missing = chain.sigil(["device", "remove", "watch"], env);
    expect(missing.code).to.equal(1);
    expect(missing.err).to.include('no device named "watch"');
  });
});

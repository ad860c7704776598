// Pre-rotation and deactivation: the key-compromise drill (a thief holds the current key and
// tries everything), the rotation that undoes his additions, and final deactivation.
import { expect } from "chai";
import { DAY, deployFixture, type Fixture } from "./fixture.ts";

describe("SigilRegistry: pre-rotation and deactivation", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await deployFixture();
  });

  it("key-compromise drill: the thief can add keys but cannot take over; rotation revokes what he added", async () => {
    const alice = await f.wallet(); // Alice's current key, which the thief steals
    const next = await f.wallet(); // kept offline, committed in advance
    const thiefKey = f.signers[6].address;
    const id = alice.address;
    const reg = f.registry.connect(alice);
    const { salt, commitment } = f.nextKey(next);
    expect(await f.registry.commitmentOf(next.address, salt), "the contract hashes as the tests do").to.equal(commitment);
    await expect(reg.commitNextOwner(id, commitment)).to.emit(f.registry, "DIDNextOwnerCommitted").withArgs(id, commitment, 0n);
    const honest = f.signers[7].address;
    await reg.addDelegate(id, f.b32("veriKey"), honest, DAY); // added before the theft, not listed below

    // The thief, holding Alice's key, may still manage delegates and attributes...
    await reg.addDelegate(id, f.b32("sigAuth"), thiefKey, DAY);
    const svc = f.b32("did/svc/MessagingService");
    await reg.setAttribute(id, svc, f.ethers.toUtf8Bytes("https://thief.example"), DAY);
    // ...but every way to take control fails.
    await expect(reg.changeOwner(id, thiefKey)).to.be.revertedWithCustomError(f.registry, "SigilNextOwnerCommitted").withArgs(id);
    const h = await f.legacyHash(id, "changeOwner", ["address"], [thiefKey]);
    const ls = f.legacySign(alice, h);
    await expect(f.registry.connect(f.signers[6]).changeOwnerSigned(id, ls.v, ls.r, ls.s, thiefKey))
      .to.be.revertedWithCustomError(f.registry, "SigilNextOwnerCommitted")
      .withArgs(id);
    const ts = await f.typedSign(alice, "ChangeOwner", { identity: id, newOwner: thiefKey });
    await expect(
      f.registry.connect(f.signers[6]).changeOwnerWithSig(id, thiefKey, ts.deadline, ts.signature),
    ).to.be.revertedWithCustomError(f.registry, "SigilNextOwnerCommitted");
    const thiefCommitment = f.commitmentOf(thiefKey, f.salt("thief"));
    await expect(reg.commitNextOwner(id, thiefCommitment)).to.be.revertedWithCustomError(f.registry, "SigilNextOwnerCommitted");
    const cs = await f.typedSign(alice, "CommitNextOwner", { identity: id, commitment: thiefCommitment });
    await expect(
      f.registry.connect(f.signers[6]).commitNextOwnerWithSig(id, thiefCommitment, cs.deadline, cs.signature),
    ).to.be.revertedWithCustomError(f.registry, "SigilNextOwnerCommitted");
    await expect(reg.deactivate(id)).to.be.revertedWithCustomError(f.registry, "SigilNextOwnerCommitted");
    const ds = await f.typedSign(alice, "Deactivate", { identity: id });
    await expect(f.registry.connect(f.signers[6]).deactivateWithSig(id, ds.deadline, ds.signature)).to.be.revertedWithCustomError(
      f.registry,
      "SigilNextOwnerCommitted",
    );
    await expect(reg.rotate(id, salt, f.rotation(thiefKey)))
      .to.be.revertedWithCustomError(f.registry, "SigilNotNextOwner")
      .withArgs(id, alice.address);
    // Knowing the salt is not enough: only the committed key, as the caller, may rotate.
    await expect(f.registry.connect(f.signers[6]).rotate(id, salt, f.rotation(thiefKey)))
      .to.be.revertedWithCustomError(f.registry, "SigilNotNextOwner")
      .withArgs(id, thiefKey);
    expect(await f.registry.identityOwner(id)).to.equal(id);

    // Alice rotates with her pre-committed key, committing to a fresh one and purging.
    const after = await f.wallet();
    const nextCommitment = f.nextKey(after).commitment;
    const prev = await f.registry.changed(id);
    const tx = f.registry
      .connect(next)
      .rotate(
        id,
        salt,
        f.rotation(
          next.address,
          nextCommitment,
          true,
          [{ delegateType: f.b32("sigAuth"), delegate: thiefKey }],
          [{ name: svc, value: f.ethers.toUtf8Bytes("https://thief.example") }],
        ),
      );
    await expect(tx).to.emit(f.registry, "DIDOwnerChanged").withArgs(id, next.address, prev);
    await expect(tx)
      .to.emit(f.registry, "DIDAttributeChanged")
      .withArgs(id, svc, f.ethers.hexlify(f.ethers.toUtf8Bytes("https://thief.example")), 0n, prev);
    await expect(tx).to.emit(f.registry, "DIDDelegateChanged");
    await expect(tx).to.emit(f.registry, "DIDOwnerRotated").withArgs(id, next.address, nextCommitment, true, 1n);

    expect(await f.registry.identityOwner(id)).to.equal(next.address);
    expect(await f.registry.nextOwnerCommitment(id)).to.equal(nextCommitment);
    expect(await f.registry.validDelegate(id, f.b32("sigAuth"), thiefKey)).to.equal(false);
    // Not listed, yet void: the purge started a new epoch.
    expect(await f.registry.validDelegate(id, f.b32("veriKey"), honest)).to.equal(false);
    expect(await f.registry.delegates(id, f.typeHash("veriKey"), honest)).to.equal(0n);
    expect((await f.registry.identityState(id)).epoch).to.equal(1n);
    // The stolen key is now worthless.
    await expect(reg.addDelegate(id, f.b32("sigAuth"), thiefKey, DAY)).to.be.revertedWith("bad_actor");
    // A delegate added after the purge is valid again.
    await f.registry.connect(next).addDelegate(id, f.b32("veriKey"), honest, DAY);
    expect(await f.registry.validDelegate(id, f.b32("veriKey"), honest)).to.equal(true);
  });

  it("identityState bounds the history: firstChange is the first change's block for good, purgedAt the last purge's", async () => {
    const w = await f.wallet();
    const id = w.address;
    const reg = f.registry.connect(w);
    const fresh = await f.registry.identityState(id);
    expect([fresh.firstChange, fresh.purgedAt, fresh.changed]).to.deep.equal([0n, 0n, 0n]);
    const first = BigInt((await (await reg.setAttribute(id, f.b32("did/svc/x"), "0x01", DAY)).wait())!.blockNumber);
    await f.networkHelpers.mine(5);
    await reg.addDelegate(id, f.b32("veriKey"), f.signers[2].address, DAY);
    let state = await f.registry.identityState(id);
    expect(state.firstChange).to.equal(first);
    expect(state.purgedAt, "no purge yet").to.equal(0n);
    const next = await f.wallet();
    const n = f.nextKey(next);
    await reg.commitNextOwner(id, n.commitment);
    const noPurge = await (await f.registry.connect(next).rotate(id, n.salt, f.rotation(next.address))).wait();
    expect((await f.registry.identityState(id)).purgedAt, "a rotation without purge").to.equal(0n);
    expect((await f.registry.identityState(id)).changed).to.equal(BigInt(noPurge!.blockNumber));
    const after = await f.wallet();
    const a = f.nextKey(after);
    await f.registry.connect(next).commitNextOwner(id, a.commitment);
    const purge = await (await f.registry.connect(after).rotate(id, a.salt, f.rotation(after.address, f.ethers.ZeroHash, true))).wait();
    state = await f.registry.identityState(id);
    expect(state.purgedAt).to.equal(BigInt(purge!.blockNumber));
    expect(state.firstChange, "unchanged by later changes").to.equal(first);
    expect(state.changed).to.equal(BigInt(purge!.blockNumber));
  });

  it("rotation without purge keeps unlisted entries; zero next commitment ends pre-rotation", async () => {
    const [alice, bob, next] = [f.signers[1], f.signers[2], f.signers[3]];
    await f.registry.connect(alice).addDelegate(alice.address, f.b32("veriKey"), bob.address, DAY);
    const n = f.nextKey(next);
    await f.registry.connect(alice).commitNextOwner(alice.address, n.commitment);
    await f.registry.connect(next).rotate(alice.address, n.salt, f.rotation(next.address));
    expect(await f.registry.validDelegate(alice.address, f.b32("veriKey"), bob.address)).to.equal(true);
    expect(await f.registry.nextOwnerCommitment(alice.address)).to.equal(f.ethers.ZeroHash);
    await f.registry.connect(next).changeOwner(alice.address, bob.address);
    expect(await f.registry.identityOwner(alice.address)).to.equal(bob.address);
  });

  it("rejects rotation without a commitment and a zero commitment", async () => {
    const [alice, bob] = [f.signers[1], f.signers[2]];
    await expect(f.registry.connect(bob).rotate(alice.address, f.salt("any"), f.rotation(bob.address)))
      .to.be.revertedWithCustomError(f.registry, "SigilNoNextOwnerCommitted")
      .withArgs(alice.address);
    await expect(f.registry.connect(alice).commitNextOwner(alice.address, f.ethers.ZeroHash)).to.be.revertedWithCustomError(
      f.registry,
      "SigilInvalidCommitment",
    );
    await expect(f.registry.connect(bob).commitNextOwner(alice.address, f.ethers.id("x"))).to.be.revertedWith("bad_actor");
  });

  it("rotating to the zero address deactivates", async () => {
    const [alice, next] = [f.signers[1], f.signers[3]];
    const n = f.nextKey(next);
    await f.registry.connect(alice).commitNextOwner(alice.address, n.commitment);
    await f.registry.connect(next).rotate(alice.address, n.salt, f.rotation(f.ethers.ZeroAddress, f.ethers.id("a commitment")));
    const state = await f.registry.identityState(alice.address);
    expect(state.deactivated).to.equal(true);
    expect(state.nextOwnerCommitment, "a deactivated identity keeps no commitment").to.equal(f.ethers.ZeroHash);
    await expect(f.registry.connect(next).rotate(alice.address, n.salt, f.rotation(next.address)))
      .to.be.revertedWithCustomError(f.registry, "SigilIdentityDeactivated")
      .withArgs(alice.address);
  });

  it("deactivation is final: every later change reverts and identityOwner is the zero address", async () => {
    const w = await f.wallet();
    const id = w.address;
    const reg = f.registry.connect(w);
    await expect(reg.changeOwner(id, f.ethers.ZeroAddress)).to.emit(f.registry, "DIDOwnerChanged").withArgs(id, f.ethers.ZeroAddress, 0n);
    expect(await f.registry.identityOwner(id)).to.equal(f.ethers.ZeroAddress);
    const err = "SigilIdentityDeactivated";
    await expect(reg.changeOwner(id, w.address)).to.be.revertedWithCustomError(f.registry, err).withArgs(id);
    await expect(reg.addDelegate(id, f.b32("veriKey"), w.address, DAY)).to.be.revertedWithCustomError(f.registry, err);
    await expect(reg.revokeDelegate(id, f.b32("veriKey"), w.address)).to.be.revertedWithCustomError(f.registry, err);
    await expect(reg.setAttribute(id, f.b32("a"), "0x01", DAY)).to.be.revertedWithCustomError(f.registry, err);
    await expect(reg.revokeAttribute(id, f.b32("a"), "0x01")).to.be.revertedWithCustomError(f.registry, err);
    await expect(reg.commitNextOwner(id, f.ethers.id("x"))).to.be.revertedWithCustomError(f.registry, err);
    await expect(reg.deactivate(id)).to.be.revertedWithCustomError(f.registry, err);
    const h = await f.legacyHash(id, "changeOwner", ["address"], [w.address]);
    const s = f.legacySign(w, h);
    await expect(reg.changeOwnerSigned(id, s.v, s.r, s.s, w.address)).to.be.revertedWithCustomError(f.registry, err);
    const t = await f.typedSign(w, "SetAttribute", { identity: id, name: f.b32("a"), value: "0x01", validity: DAY });
    await expect(reg.setAttributeWithSig(id, f.b32("a"), "0x01", DAY, t.deadline, t.signature)).to.be.revertedWithCustomError(
      f.registry,
      err,
    );
    const [chainId, blockNumber, timestamp, states] = await f.registry.identityStates([id, f.signers[1].address]);
    expect(chainId).to.equal((await f.ethers.provider.getNetwork()).chainId);
    expect(blockNumber).to.equal(BigInt(await f.ethers.provider.getBlockNumber()));
    expect(timestamp).to.equal(await f.now());
    expect(states[0].deactivated).to.equal(true);
    expect(states[0].owner).to.equal(f.ethers.ZeroAddress);
    expect(states[1].deactivated).to.equal(false);
    expect(states[1].owner).to.equal(f.signers[1].address);
  });
});

// The ERC-1056 surface of SigilRegistry: every function, getter, event and revert reason,
// direct and with ERC-1056's legacy signatures.
import { expect } from "chai";
import { DAY, deployFixture, type Fixture } from "./fixture.ts";

describe("SigilRegistry: ERC-1056 surface", () => {
  let f: Fixture;
  let alice: string, bob: string, carol: string;
  beforeEach(async () => {
    f = await deployFixture();
    [alice, bob, carol] = [f.signers[1].address, f.signers[2].address, f.signers[3].address];
  });
  const as = (i: number) => f.registry.connect(f.signers[i]);

  it("identityOwner is the identity itself until changed; owners/changed/nonce start at zero", async () => {
    expect(await f.registry.identityOwner(alice)).to.equal(alice);
    expect(await f.registry.owners(alice)).to.equal(f.ethers.ZeroAddress);
    expect(await f.registry.changed(alice)).to.equal(0n);
    expect(await f.registry.nonce(alice)).to.equal(0n);
  });

  it("changeOwner moves control, links previousChange and records the block", async () => {
    const tx1 = await as(1).changeOwner(alice, bob);
    const r1 = (await tx1.wait())!;
    await expect(tx1).to.emit(f.registry, "DIDOwnerChanged").withArgs(alice, bob, 0n);
    expect(await f.registry.identityOwner(alice)).to.equal(bob);
    expect(await f.registry.owners(alice)).to.equal(bob);
    expect(await f.registry.changed(alice)).to.equal(BigInt(r1.blockNumber));
    const tx2 = await as(2).changeOwner(alice, carol);
    await expect(tx2).to.emit(f.registry, "DIDOwnerChanged").withArgs(alice, carol, BigInt(r1.blockNumber));
    await expect(as(1).changeOwner(alice, bob)).to.be.revertedWith("bad_actor");
  });

  it("addDelegate / validDelegate / delegates / revokeDelegate, with expiry", async () => {
    const tx = await as(1).addDelegate(alice, f.b32("veriKey"), bob, DAY);
    const t = BigInt((await f.ethers.provider.getBlock((await tx.wait())!.blockNumber))!.timestamp);
    await expect(tx)
      .to.emit(f.registry, "DIDDelegateChanged")
      .withArgs(alice, f.b32("veriKey"), bob, t + DAY, 0n);
    expect(await f.registry.validDelegate(alice, f.b32("veriKey"), bob)).to.equal(true);
    expect(await f.registry.validDelegate(alice, f.b32("sigAuth"), bob)).to.equal(false);
    expect(await f.registry.delegates(alice, f.typeHash("veriKey"), bob)).to.equal(t + DAY);
    await f.networkHelpers.time.increase(DAY);
    expect(await f.registry.validDelegate(alice, f.b32("veriKey"), bob)).to.equal(false);

    await as(1).addDelegate(alice, f.b32("sigAuth"), carol, DAY);
    const rtx = await as(1).revokeDelegate(alice, f.b32("sigAuth"), carol);
    const rt = BigInt((await f.ethers.provider.getBlock((await rtx.wait())!.blockNumber))!.timestamp);
    await expect(rtx).to.emit(f.registry, "DIDDelegateChanged");
    expect(await f.registry.delegates(alice, f.typeHash("sigAuth"), carol)).to.equal(rt);
    expect(await f.registry.validDelegate(alice, f.b32("sigAuth"), carol)).to.equal(false);
  });

  it("setAttribute / revokeAttribute emit the ERC-1056 events", async () => {
    const name = f.b32("did/svc/MessagingService");
    const value = f.ethers.toUtf8Bytes("https://chat.example");
    const tx = await as(1).setAttribute(alice, name, value, DAY);
    const t = BigInt((await f.ethers.provider.getBlock((await tx.wait())!.blockNumber))!.timestamp);
    await expect(tx)
      .to.emit(f.registry, "DIDAttributeChanged")
      .withArgs(alice, name, f.ethers.hexlify(value), t + DAY, 0n);
    const block = await f.registry.changed(alice);
    await expect(as(1).revokeAttribute(alice, name, value))
      .to.emit(f.registry, "DIDAttributeChanged")
      .withArgs(alice, name, f.ethers.hexlify(value), 0n, block);
  });

  it("every ERC-1056 write refuses a non-owner with bad_actor", async () => {
    const name = f.b32("did/svc/X");
    await expect(as(2).changeOwner(alice, bob)).to.be.revertedWith("bad_actor");
    await expect(as(2).addDelegate(alice, f.b32("veriKey"), bob, DAY)).to.be.revertedWith("bad_actor");
    await expect(as(2).revokeDelegate(alice, f.b32("veriKey"), bob)).to.be.revertedWith("bad_actor");
    await expect(as(2).setAttribute(alice, name, "0x01", DAY)).to.be.revertedWith("bad_actor");
    await expect(as(2).revokeAttribute(alice, name, "0x01")).to.be.revertedWith("bad_actor");
  });

  it("a validity that overflows reverts, as in ERC-1056; a huge one is clamped but valid", async () => {
    await expect(as(1).addDelegate(alice, f.b32("veriKey"), bob, f.ethers.MaxUint256)).to.be.revertedWithPanic(0x11);
    await as(1).addDelegate(alice, f.b32("veriKey"), bob, 2n ** 230n);
    expect(await f.registry.validDelegate(alice, f.b32("veriKey"), bob)).to.equal(true);
    expect(await f.registry.delegates(alice, f.typeHash("veriKey"), bob)).to.equal(2n ** 224n - 1n);
  });

  describe("legacy signed calls (ERC-1056 hash layout)", () => {
    it("all five Signed functions act for the owner and bump the owner's nonce", async () => {
      const w = await f.wallet();
      const id = w.address;
      const name = f.b32("did/pub/Ed25519/veriKey/hex");
      const value = "0x" + "11".repeat(32);
      const relayer = f.registry.connect(f.signers[5]);
      let h = await f.legacyHash(id, "addDelegate", ["bytes32", "address", "uint256"], [f.b32("veriKey"), bob, DAY]);
      let s = f.legacySign(w, h);
      await expect(relayer.addDelegateSigned(id, s.v, s.r, s.s, f.b32("veriKey"), bob, DAY)).to.emit(f.registry, "DIDDelegateChanged");
      expect(await f.registry.nonce(id)).to.equal(1n);
      h = await f.legacyHash(id, "revokeDelegate", ["bytes32", "address"], [f.b32("veriKey"), bob]);
      s = f.legacySign(w, h);
      await relayer.revokeDelegateSigned(id, s.v, s.r, s.s, f.b32("veriKey"), bob);
      h = await f.legacyHash(id, "setAttribute", ["bytes32", "bytes", "uint256"], [name, value, DAY]);
      s = f.legacySign(w, h);
      await expect(relayer.setAttributeSigned(id, s.v, s.r, s.s, name, value, DAY)).to.emit(f.registry, "DIDAttributeChanged");
      h = await f.legacyHash(id, "revokeAttribute", ["bytes32", "bytes"], [name, value]);
      s = f.legacySign(w, h);
      await relayer.revokeAttributeSigned(id, s.v, s.r, s.s, name, value);
      h = await f.legacyHash(id, "changeOwner", ["address"], [carol]);
      s = f.legacySign(w, h);
      const prev = await f.registry.changed(id);
      await expect(relayer.changeOwnerSigned(id, s.v, s.r, s.s, carol))
        .to.emit(f.registry, "DIDOwnerChanged")
        .withArgs(id, carol, prev);
      expect(await f.registry.nonce(id)).to.equal(5n);
      expect(await f.registry.identityOwner(id)).to.equal(carol);
    });

    it("refuses a replay, a stranger's signature and a malleable (high-s) signature with bad_signature", async () => {
      const w = await f.wallet();
      const id = w.address;
      const h = await f.legacyHash(id, "changeOwner", ["address"], [bob]);
      const s = f.legacySign(w, h);
      const relayer = f.registry.connect(f.signers[5]);
      const stranger = await f.wallet();
      const bad = f.legacySign(stranger, h);
      await expect(relayer.changeOwnerSigned(id, bad.v, bad.r, bad.s, bob)).to.be.revertedWith("bad_signature");
      const n = f.ethers.toBigInt("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
      const highS = f.ethers.toBeHex(n - f.ethers.toBigInt(s.s), 32);
      await expect(relayer.changeOwnerSigned(id, s.v === 27 ? 28 : 27, s.r, highS, bob)).to.be.revertedWith("bad_signature");
      await relayer.changeOwnerSigned(id, s.v, s.r, s.s, bob);
      await expect(relayer.changeOwnerSigned(id, s.v, s.r, s.s, bob)).to.be.revertedWith("bad_signature");
    });
  });
});

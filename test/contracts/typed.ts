// EIP-712 meta-transactions: every operation relayed with its controller's signature, and
// every way a signature can be wrong (replay, other identity/chain/contract, deadline, signer),
// including EIP-1271 contract-account controllers.
import { expect } from "chai";
import { DAY, deployFixture, type Fixture } from "./fixture.ts";

describe("SigilRegistry: EIP-712 meta-transactions", () => {
  let f: Fixture;
  let alice: string, bob: string;
  beforeEach(async () => {
    f = await deployFixture();
    [alice, bob] = [f.signers[1].address, f.signers[2].address];
  });
  const relayer = () => f.registry.connect(f.signers[9]);
  const aliceSigner = () => f.signers[1];

  it("relays all nine controller operations, each using exactly one nonce", async () => {
    const name = f.b32("did/pub/X25519/enc/hex");
    const value = "0x" + "22".repeat(32);
    const vt = f.b32("sigAuth");
    let s = await f.typedSign(aliceSigner(), "AddDelegate", { identity: alice, delegateType: vt, delegate: bob, validity: DAY });
    await expect(relayer().addDelegateWithSig(alice, vt, bob, DAY, s.deadline, s.signature)).to.emit(f.registry, "DIDDelegateChanged");
    expect(await f.registry.validDelegate(alice, vt, bob)).to.equal(true);
    s = await f.typedSign(aliceSigner(), "RevokeDelegate", { identity: alice, delegateType: vt, delegate: bob });
    await relayer().revokeDelegateWithSig(alice, vt, bob, s.deadline, s.signature);
    expect(await f.registry.validDelegate(alice, vt, bob)).to.equal(false);
    s = await f.typedSign(aliceSigner(), "SetAttribute", { identity: alice, name, value, validity: DAY });
    await expect(relayer().setAttributeWithSig(alice, name, value, DAY, s.deadline, s.signature)).to.emit(
      f.registry,
      "DIDAttributeChanged",
    );
    // previousChange is read before each call (withArgs' arguments would race the transaction).
    s = await f.typedSign(aliceSigner(), "RevokeAttribute", { identity: alice, name, value });
    let prev = await f.registry.changed(alice);
    await expect(relayer().revokeAttributeWithSig(alice, name, value, s.deadline, s.signature))
      .to.emit(f.registry, "DIDAttributeChanged")
      .withArgs(alice, name, value, 0n, prev);
    const revokeDelegates = [{ delegateType: vt, delegate: bob }];
    const revokeAttributes = [{ name, value }];
    s = await f.typedSign(aliceSigner(), "RevokeEntries", { identity: alice, revokeDelegates, revokeAttributes });
    prev = await f.registry.changed(alice);
    const rtx = relayer().revokeEntriesWithSig(alice, revokeDelegates, revokeAttributes, s.deadline, s.signature);
    await expect(rtx).to.emit(f.registry, "DIDAttributeChanged").withArgs(alice, name, value, 0n, prev);
    await expect(rtx).to.emit(f.registry, "DIDDelegateChanged");
    const g = f.guardianSet(alice, [f.signers[4].address], 1);
    s = await f.typedSign(aliceSigner(), "SetGuardians", { identity: alice, root: g.root, threshold: g.threshold, delay: g.delay });
    prev = await f.registry.changed(alice);
    await expect(relayer().setGuardiansWithSig(alice, g.root, g.threshold, g.delay, s.deadline, s.signature))
      .to.emit(f.registry, "DIDGuardiansChanged")
      .withArgs(alice, g.root, g.threshold, g.delay, prev);
    const { commitment } = f.nextKey(f.signers[2]);
    s = await f.typedSign(aliceSigner(), "CommitNextOwner", { identity: alice, commitment });
    prev = await f.registry.changed(alice);
    await expect(relayer().commitNextOwnerWithSig(alice, commitment, s.deadline, s.signature))
      .to.emit(f.registry, "DIDNextOwnerCommitted")
      .withArgs(alice, commitment, prev);
    expect(await f.registry.nonces(alice)).to.equal(7n);

    const carol = f.signers[3].address;
    const w = await f.wallet();
    s = await f.typedSign(w, "ChangeOwner", { identity: w.address, newOwner: carol });
    await expect(relayer().changeOwnerWithSig(w.address, carol, s.deadline, s.signature)).to.emit(f.registry, "DIDOwnerChanged");
    expect(await f.registry.identityOwner(w.address)).to.equal(carol);
    s = await f.typedSign(f.signers[3], "Deactivate", { identity: w.address });
    prev = await f.registry.changed(w.address);
    await expect(relayer().deactivateWithSig(w.address, s.deadline, s.signature))
      .to.emit(f.registry, "DIDOwnerChanged")
      .withArgs(w.address, f.ethers.ZeroAddress, prev);
    expect((await f.registry.identityState(w.address)).deactivated).to.equal(true);
    expect(await f.registry.nonces(w.address)).to.equal(2n);
  });

  it("rejects a replay, another identity, chain or registry, a wrong signer and a passed deadline", async () => {
    const s = await f.typedSign(aliceSigner(), "ChangeOwner", { identity: alice, newOwner: bob });
    await relayer().changeOwnerWithSig(alice, bob, s.deadline, s.signature);
    await expect(relayer().changeOwnerWithSig(alice, bob, s.deadline, s.signature))
      .to.be.revertedWithCustomError(f.registry, "SigilInvalidSignature")
      .withArgs(alice, bob);

    const carol = f.signers[3].address;
    const forCarol = await f.typedSign(f.signers[3], "ChangeOwner", { identity: carol, newOwner: bob });
    await expect(relayer().changeOwnerWithSig(f.signers[4].address, bob, forCarol.deadline, forCarol.signature))
      .to.be.revertedWithCustomError(f.registry, "SigilInvalidSignature")
      .withArgs(f.signers[4].address, f.signers[4].address);
    const otherChain = await f.typedSign(f.signers[3], "ChangeOwner", { identity: carol, newOwner: bob }, { chainId: 1n });
    await expect(relayer().changeOwnerWithSig(carol, bob, otherChain.deadline, otherChain.signature)).to.be.revertedWithCustomError(
      f.registry,
      "SigilInvalidSignature",
    );
    const other = await f.ethers.deployContract("SigilRegistry");
    const otherContract = await f.typedSign(
      f.signers[3],
      "ChangeOwner",
      { identity: carol, newOwner: bob },
      { verifyingContract: await other.getAddress() },
    );
    await expect(relayer().changeOwnerWithSig(carol, bob, otherContract.deadline, otherContract.signature)).to.be.revertedWithCustomError(
      f.registry,
      "SigilInvalidSignature",
    );
    const wrongSigner = await f.typedSign(f.signers[4], "ChangeOwner", { identity: carol, newOwner: bob });
    await expect(relayer().changeOwnerWithSig(carol, bob, wrongSigner.deadline, wrongSigner.signature)).to.be.revertedWithCustomError(
      f.registry,
      "SigilInvalidSignature",
    );
    const stale = await f.typedSign(f.signers[3], "ChangeOwner", { identity: carol, newOwner: bob }, { nonce: 7n });
    await expect(relayer().changeOwnerWithSig(carol, bob, stale.deadline, stale.signature)).to.be.revertedWithCustomError(
      f.registry,
      "SigilInvalidSignature",
    );
    const expired = await f.typedSign(f.signers[3], "ChangeOwner", { identity: carol, newOwner: bob }, { deadline: (await f.now()) - 1n });
    await expect(relayer().changeOwnerWithSig(carol, bob, expired.deadline, expired.signature))
      .to.be.revertedWithCustomError(f.registry, "SigilExpiredSignature")
      .withArgs(expired.deadline);
    expect(await f.registry.nonces(carol)).to.equal(0n);
  });

  it("accepts an EIP-1271 contract-account controller's signature and refuses another key's", async () => {
    const owner = await f.wallet();
    const account = await f.ethers.deployContract("MockERC1271Wallet", [owner.address]);
    const accountAddress = await account.getAddress();
    await f.registry.connect(aliceSigner()).changeOwner(alice, accountAddress);
    const vt = f.b32("veriKey");
    const good = await f.typedSign(owner, "AddDelegate", { identity: alice, delegateType: vt, delegate: bob, validity: DAY });
    await relayer().addDelegateWithSig(alice, vt, bob, DAY, good.deadline, good.signature);
    expect(await f.registry.validDelegate(alice, vt, bob)).to.equal(true);
    const bad = await f.typedSign(f.signers[5], "AddDelegate", { identity: alice, delegateType: vt, delegate: bob, validity: DAY });
    await expect(relayer().addDelegateWithSig(alice, vt, bob, DAY, bad.deadline, bad.signature))
      .to.be.revertedWithCustomError(f.registry, "SigilInvalidSignature")
      .withArgs(alice, accountAddress);
  });

  it("rotateWithSig: signed by the committed key, with nested revocation lists", async () => {
    const next = await f.wallet();
    const n = f.nextKey(next);
    await f.registry.connect(aliceSigner()).commitNextOwner(alice, n.commitment);
    const vt = f.b32("sigAuth");
    await f.registry.connect(aliceSigner()).addDelegate(alice, vt, bob, DAY);
    const name = f.b32("did/svc/Thief");
    await f.registry.connect(aliceSigner()).setAttribute(alice, name, "0xbeef", DAY);
    const rot = f.rotation(next.address, f.ethers.ZeroHash, true, [{ delegateType: vt, delegate: bob }], [{ name, value: "0xbeef" }]);
    const byOwner = await f.signRotate(aliceSigner(), alice, rot);
    const args = [alice, next.address, n.salt, rot] as const;
    await expect(relayer().rotateWithSig(...args, byOwner.deadline, byOwner.signature))
      .to.be.revertedWithCustomError(f.registry, "SigilInvalidSignature")
      .withArgs(alice, next.address);
    // Every field is bound: another list, purge flag or commitment nonce breaks the signature.
    const s = await f.signRotate(next, alice, rot);
    await expect(relayer().rotateWithSig(alice, next.address, n.salt, { ...rot, revokeAttributes: [] }, s.deadline, s.signature))
      .to.be.revertedWithCustomError(f.registry, "SigilInvalidSignature")
      .withArgs(alice, next.address);
    await expect(
      relayer().rotateWithSig(alice, next.address, n.salt, { ...rot, purge: false }, s.deadline, s.signature),
    ).to.be.revertedWithCustomError(f.registry, "SigilInvalidSignature");
    const otherNonce = await f.signRotate(next, alice, rot, { commitmentNonce: 2n });
    await expect(relayer().rotateWithSig(...args, otherNonce.deadline, otherNonce.signature)).to.be.revertedWithCustomError(
      f.registry,
      "SigilInvalidSignature",
    );
    await expect(relayer().rotateWithSig(alice, next.address, f.salt("wrong"), rot, s.deadline, s.signature))
      .to.be.revertedWithCustomError(f.registry, "SigilNotNextOwner")
      .withArgs(alice, next.address);
    await expect(relayer().rotateWithSig(...args, s.deadline, s.signature))
      .to.emit(f.registry, "DIDOwnerRotated")
      .withArgs(alice, next.address, f.ethers.ZeroHash, true, 1n);
    expect(await f.registry.identityOwner(alice)).to.equal(next.address);
    expect(await f.registry.validDelegate(alice, vt, bob)).to.equal(false);
    // Rotation ended pre-rotation (zero next commitment): a validly signed rotation now finds none.
    const stranger = await f.wallet();
    const strangerRot = f.rotation(next.address, f.ethers.ZeroHash, true);
    const st = await f.signRotate(stranger, alice, strangerRot);
    await expect(relayer().rotateWithSig(alice, stranger.address, f.salt("x"), strangerRot, st.deadline, st.signature))
      .to.be.revertedWithCustomError(f.registry, "SigilNoNextOwnerCommitted")
      .withArgs(alice);
  });
});

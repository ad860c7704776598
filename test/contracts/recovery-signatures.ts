// Guardian recovery, EIP-712 variants: every guardian and next-key call signed by its party and
// relayed by anyone (EOA and EIP-1271 signers), each signature good once and for its call only.
import { expect } from "chai";
import type { Signer } from "ethers";
import { DAY, HOUR, deployFixture, guardedIdentity, type Fixture } from "./fixture.ts";

describe("SigilRegistry: guardian recovery", () => {
  let f: Fixture;
  let gs: Fixture["signers"];
  beforeEach(async () => {
    f = await deployFixture();
    gs = [f.signers[4], f.signers[5], f.signers[6]];
  });
  const relayer = () => f.registry.connect(f.signers[9]);
  const guarded = (commit = false, delay = DAY) => guardedIdentity(f, gs, commit, delay);

  describe("EIP-712 variants", () => {
    it("a relayed approval counts once: replayed after its proposal's tally started over, it is refused", async () => {
      const { id, g } = await guarded(false, DAY);
      const p = f.proposal(f.signers[7].address, f.ethers.ZeroHash, true);
      const round = (await f.registry.recoveryState(id)).round;
      const longLived = await f.typedSign(
        gs[0],
        "ApproveRecovery",
        { identity: id, round, ...p },
        { deadline: (await f.now()) + 400n * DAY },
      );
      await relayer().approveRecoveryWithSig(id, p, g.proofs[0], longLived.deadline, longLived.signature);
      await f.networkHelpers.time.increase(300n * DAY); // the incident passed; the tally expired
      await expect(relayer().approveRecoveryWithSig(id, p, g.proofs[0], longLived.deadline, longLived.signature))
        .to.be.revertedWithCustomError(f.registry, "SigilSignatureUsed")
        .withArgs(id, gs[0].address);
      await f.approve(gs[1], id, p, g, 1); // one fresh approval starts a new tally: not armed
      expect((await f.registry.recoveryState(id)).armedAt).to.equal(0n);
    });

    it("guardians who sign the same proposal with the same deadline each count (their structs are equal)", async () => {
      const { id, g } = await guarded(false, DAY);
      const p = f.proposal(f.signers[7].address, f.ethers.ZeroHash, true);
      const round = (await f.registry.recoveryState(id)).round;
      const deadline = (await f.now()) + DAY;
      const [a, b] = [
        await f.typedSign(gs[0], "ApproveRecovery", { identity: id, round, ...p }, { deadline }),
        await f.typedSign(gs[1], "ApproveRecovery", { identity: id, round, ...p }, { deadline }),
      ];
      await relayer().approveRecoveryWithSig(id, p, g.proofs[0], a.deadline, a.signature);
      const prev = await f.registry.changed(id);
      const tx = await relayer().approveRecoveryWithSig(id, p, g.proofs[1], b.deadline, b.signature);
      await expect(tx)
        .to.emit(f.registry, "DIDRecoveryApproved")
        .withArgs(id, await f.registry.recoveryProposalId(id, p), gs[1].address, 2n, (await f.timeOf(tx)) + DAY, prev);
      expect((await f.registry.recoveryState(id)).armedAt).to.not.equal(0n);
    });

    it("approveRecoveryWithSig: relayed for a guardian, bound to the round; wrong signer, chain or deadline refused", async () => {
      const { id, g } = await guarded();
      const p = f.proposal(f.signers[7].address, f.ethers.ZeroHash, true);
      const round = (await f.registry.recoveryState(id)).round;
      const msg = { identity: id, round, ...p };
      const good = await f.typedSign(gs[0], "ApproveRecovery", msg);
      const wrongSigner = await f.typedSign(gs[1], "ApproveRecovery", msg);
      await expect(relayer().approveRecoveryWithSig(id, p, g.proofs[0], wrongSigner.deadline, wrongSigner.signature))
        .to.be.revertedWithCustomError(f.registry, "SigilInvalidSignature")
        .withArgs(id, gs[0].address);
      const wrongChain = await f.typedSign(gs[0], "ApproveRecovery", msg, { chainId: 1n });
      await expect(relayer().approveRecoveryWithSig(id, p, g.proofs[0], wrongChain.deadline, wrongChain.signature))
        .to.be.revertedWithCustomError(f.registry, "SigilInvalidSignature")
        .withArgs(id, gs[0].address);
      const expired = await f.typedSign(gs[0], "ApproveRecovery", msg, { deadline: (await f.now()) - 1n });
      await expect(relayer().approveRecoveryWithSig(id, p, g.proofs[0], expired.deadline, expired.signature))
        .to.be.revertedWithCustomError(f.registry, "SigilExpiredSignature")
        .withArgs(expired.deadline);
      await expect(relayer().approveRecoveryWithSig(id, { ...p, purge: false }, g.proofs[0], good.deadline, good.signature))
        .to.be.revertedWithCustomError(f.registry, "SigilInvalidSignature")
        .withArgs(id, gs[0].address);
      const [pid, prev] = [await f.registry.recoveryProposalId(id, p), await f.registry.changed(id)];
      await expect(relayer().approveRecoveryWithSig(id, p, g.proofs[0], good.deadline, good.signature))
        .to.emit(f.registry, "DIDRecoveryApproved")
        .withArgs(id, pid, gs[0].address, 1n, 0n, prev);
      await expect(relayer().approveRecoveryWithSig(id, p, g.proofs[0], good.deadline, good.signature))
        .to.be.revertedWithCustomError(f.registry, "SigilAlreadyApproved")
        .withArgs(id, gs[0].address);
      // A valid signature with a proof that is not the guardian's.
      const forTwo = await f.typedSign(gs[1], "ApproveRecovery", msg);
      await expect(relayer().approveRecoveryWithSig(id, p, { ...g.proofs[1], salt: f.salt("x") }, forTwo.deadline, forTwo.signature))
        .to.be.revertedWithCustomError(f.registry, "SigilNotGuardian")
        .withArgs(id, gs[1].address);
    });

    it("approveRecoveryWithSig: a signature of an earlier round is void", async () => {
      const { id, g, owner, next, n } = await guarded(false);
      await f.registry.connect(owner).commitNextOwner(id, n.commitment);
      await f.networkHelpers.time.increase(DAY);
      const p = f.proposal(f.signers[7].address);
      const round = (await f.registry.recoveryState(id)).round;
      const early = await f.typedSign(gs[2], "ApproveRecovery", { identity: id, round, ...p });
      await f.approve(gs[0], id, p, g, 0);
      await f.approve(gs[1], id, p, g, 1);
      await f.registry.connect(next).cancelRecovery(id, n.salt); // round + 1
      await expect(relayer().approveRecoveryWithSig(id, p, g.proofs[2], early.deadline, early.signature))
        .to.be.revertedWithCustomError(f.registry, "SigilInvalidSignature")
        .withArgs(id, gs[2].address);
    });

    it("an EIP-1271 contract account can be a guardian (approving by signature) and a next key (rotating, cancelling)", async () => {
      const keyOwner = await f.wallet();
      const account = await f.ethers.deployContract("MockERC1271Wallet", [keyOwner.address]);
      const accountAddress = await account.getAddress();
      const owner = await f.wallet();
      const id = owner.address;
      const g = f.guardianSet(id, [accountAddress, gs[0].address], 1, DAY);
      await f.setGuardians(owner, id, g);
      const p = f.proposal(f.signers[7].address);
      const msg = { identity: id, round: (await f.registry.recoveryState(id)).round, ...p };
      const stranger = await f.typedSign(f.signers[8], "ApproveRecovery", msg);
      await expect(relayer().approveRecoveryWithSig(id, p, g.proofs[0], stranger.deadline, stranger.signature))
        .to.be.revertedWithCustomError(f.registry, "SigilInvalidSignature")
        .withArgs(id, accountAddress);
      const s = await f.typedSign(keyOwner, "ApproveRecovery", msg);
      const [pid, prev] = [await f.registry.recoveryProposalId(id, p), await f.registry.changed(id)];
      const tx = await relayer().approveRecoveryWithSig(id, p, g.proofs[0], s.deadline, s.signature);
      await expect(tx)
        .to.emit(f.registry, "DIDRecoveryApproved")
        .withArgs(id, pid, accountAddress, 1n, (await f.timeOf(tx)) + DAY, prev);

      // The same account as a next key of another identity: it cancels a recovery and rotates.
      const other = await f.wallet();
      const oid = other.address;
      const og = f.guardianSet(oid, [gs[0].address], 1, HOUR);
      const nk = f.nextKey({ address: accountAddress });
      await f.setGuardians(other, oid, og);
      await f.registry.connect(other).commitNextOwner(oid, nk.commitment);
      await f.networkHelpers.time.increase(HOUR); // a delay later the commitment is senior
      await f.approve(gs[0], oid, f.proposal(gs[0].address), og, 0);
      const state = await f.registry.recoveryState(oid);
      const c = await f.typedSign(keyOwner, "CancelRecovery", { identity: oid, commitment: nk.commitment, round: state.round });
      await expect(relayer().cancelRecoveryWithSig(oid, accountAddress, nk.salt, c.deadline, c.signature)).to.emit(
        f.registry,
        "DIDRecoveryCancelled",
      );
      const rot = f.rotation(accountAddress);
      const r = await f.signRotate(keyOwner, oid, rot);
      await expect(relayer().rotateWithSig(oid, accountAddress, nk.salt, rot, r.deadline, r.signature))
        .to.emit(f.registry, "DIDOwnerRotated")
        .withArgs(oid, accountAddress, f.ethers.ZeroHash, false, 0n);
    });

    it("cancelRecoveryWithSig: signed by the senior next key, bound to commitment and round; wrong signer, chain or deadline refused; no replay", async () => {
      const { id, g, owner, next, n } = await guarded(false);
      await f.registry.connect(owner).commitNextOwner(id, n.commitment);
      await f.networkHelpers.time.increase(DAY);
      const p = f.proposal(f.signers[7].address);
      await f.approve(gs[0], id, p, g, 0);
      await f.approve(gs[1], id, p, g, 1);
      const round = (await f.registry.recoveryState(id)).round;
      const msg = { identity: id, commitment: n.commitment, round };
      const cases: [string, Signer, Parameters<Fixture["typedSign"]>[3]][] = [
        ["wrong signer", owner, {}],
        ["wrong chain", next, { chainId: 5n }],
        ["wrong registry", next, { verifyingContract: f.signers[8].address }],
      ];
      for (const [what, signer, overrides] of cases) {
        const bad = await f.typedSign(signer, "CancelRecovery", msg, overrides);
        await expect(relayer().cancelRecoveryWithSig(id, next.address, n.salt, bad.deadline, bad.signature), what)
          .to.be.revertedWithCustomError(f.registry, "SigilInvalidSignature")
          .withArgs(id, next.address);
      }
      const expired = await f.typedSign(next, "CancelRecovery", msg, { deadline: (await f.now()) - 1n });
      await expect(relayer().cancelRecoveryWithSig(id, next.address, n.salt, expired.deadline, expired.signature))
        .to.be.revertedWithCustomError(f.registry, "SigilExpiredSignature")
        .withArgs(expired.deadline);
      const wrongRound = await f.typedSign(next, "CancelRecovery", { ...msg, round: round + 1n });
      await expect(
        relayer().cancelRecoveryWithSig(id, next.address, n.salt, wrongRound.deadline, wrongRound.signature),
      ).to.be.revertedWithCustomError(f.registry, "SigilInvalidSignature");
      const good = await f.typedSign(next, "CancelRecovery", msg);
      await expect(relayer().cancelRecoveryWithSig(id, next.address, n.salt, good.deadline, good.signature)).to.emit(
        f.registry,
        "DIDRecoveryCancelled",
      );
      // The round moved on: the signature is spent...
      await expect(relayer().cancelRecoveryWithSig(id, next.address, n.salt, good.deadline, good.signature))
        .to.be.revertedWithCustomError(f.registry, "SigilInvalidSignature")
        .withArgs(id, next.address);
      const fresh = await f.typedSign(next, "CancelRecovery", { ...msg, round: round + 1n });
      await expect(relayer().cancelRecoveryWithSig(id, next.address, n.salt, fresh.deadline, fresh.signature))
        .to.be.revertedWithCustomError(f.registry, "SigilNoRecoveryPending")
        .withArgs(id);
      // ...and when the guardians re-arm in the next round, it does not cancel that either.
      await f.approve(gs[0], id, p, g, 0);
      await f.approve(gs[2], id, p, g, 2);
      await expect(relayer().cancelRecoveryWithSig(id, next.address, n.salt, good.deadline, good.signature))
        .to.be.revertedWithCustomError(f.registry, "SigilInvalidSignature")
        .withArgs(id, next.address);
    });

    it("setGuardiansWithSig and revokeEntriesWithSig: the controller's nonce; wrong signer, chain, deadline and replay refused", async () => {
      const owner = await f.wallet();
      const id = owner.address;
      const g = f.guardianSet(id, [gs[0].address], 1, DAY);
      const sg = { identity: id, root: g.root, threshold: g.threshold, delay: g.delay };
      const refs = {
        identity: id,
        revokeDelegates: [{ delegateType: f.b32("veriKey"), delegate: gs[1].address }],
        revokeAttributes: [{ name: f.b32("did/svc/X"), value: "0x01" }],
      };
      const sendSg = (s: { deadline: bigint; signature: string }) =>
        relayer().setGuardiansWithSig(id, g.root, g.threshold, g.delay, s.deadline, s.signature);
      const sendRe = (s: { deadline: bigint; signature: string }) =>
        relayer().revokeEntriesWithSig(id, refs.revokeDelegates, refs.revokeAttributes, s.deadline, s.signature);
      for (const [type, msg, send] of [
        ["SetGuardians", sg, sendSg],
        ["RevokeEntries", refs, sendRe],
      ] as const) {
        const wrongSigner = await f.typedSign(f.signers[8], type, msg);
        await expect(send(wrongSigner), `${type} wrong signer`)
          .to.be.revertedWithCustomError(f.registry, "SigilInvalidSignature")
          .withArgs(id, id);
        const wrongChain = await f.typedSign(owner, type, msg, { chainId: 1n });
        await expect(send(wrongChain), `${type} wrong chain`)
          .to.be.revertedWithCustomError(f.registry, "SigilInvalidSignature")
          .withArgs(id, id);
        const expired = await f.typedSign(owner, type, msg, { deadline: (await f.now()) - 1n });
        await expect(send(expired), `${type} expired`)
          .to.be.revertedWithCustomError(f.registry, "SigilExpiredSignature")
          .withArgs(expired.deadline);
        const good = await f.typedSign(owner, type, msg);
        const nonce = await f.registry.nonces(id);
        await send(good);
        expect(await f.registry.nonces(id)).to.equal(nonce + 1n);
        await expect(send(good), `${type} replay`).to.be.revertedWithCustomError(f.registry, "SigilInvalidSignature").withArgs(id, id);
      }
      expect((await f.registry.recoveryState(id)).guardianRoot).to.equal(g.root);
    });
  });
});

// Guardian recovery mechanics: guardian sets (immediate, pending, removal, policy bounds), a guarded
// identity's deactivation, proposals and approvals, finalisation, and privacy: a guardian reveals
// only itself, and only when it acts. The EIP-712 variants are in recovery-signatures.ts.
import { expect } from "chai";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
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

  describe("guardian sets", () => {
    it("are installed at once on an identity with neither guardians nor a commitment, and proposed otherwise", async () => {
      const owner = await f.wallet();
      const id = owner.address;
      const g = f.guardianSet(
        id,
        gs.map((s) => s.address),
        2,
        DAY,
      );
      const tx = await f.setGuardians(owner, id, g);
      const t = await f.timeOf(tx);
      await expect(tx).to.emit(f.registry, "DIDGuardiansChanged").withArgs(id, g.root, 2n, DAY, 0n);
      await expect(tx).not.to.emit(f.registry, "DIDGuardiansProposed");
      let s = await f.registry.recoveryState(id);
      expect([s.guardianRoot, s.threshold, s.delay, s.guardiansSince, s.round, s.pendingEffectiveAt]).to.deep.equal([
        g.root,
        2n,
        DAY,
        t,
        1n,
        0n,
      ]);
      expect(await f.registry.changed(id)).to.equal(BigInt((await tx.wait())!.blockNumber));

      // With guardians, a new set waits out the current delay; a second proposal replaces the first.
      const g2 = f.guardianSet(id, [f.signers[7].address], 1, 2n * DAY);
      const t2 = await f.timeOf(await f.setGuardians(owner, id, g2));
      const g3 = f.guardianSet(id, [f.signers[8].address], 1, HOUR);
      const t3 = await f.timeOf(await f.setGuardians(owner, id, g3));
      s = await f.registry.recoveryState(id);
      expect([s.pendingRoot, s.pendingThreshold, s.pendingDelay, s.pendingEffectiveAt]).to.deep.equal([g3.root, 1n, HOUR, t3 + DAY]);
      expect(t3 > t2).to.equal(true);

      // Only the controller may set guardians.
      await expect(f.registry.connect(f.signers[7]).setGuardians(id, g2.root, 1, DAY)).to.be.revertedWith("bad_actor");
    });

    it("on an identity with a commitment, the current key cannot set guardians: the next key's rotation can", async () => {
      const owner = await f.wallet();
      const id = owner.address;
      const next = await f.wallet();
      const n = f.nextKey(next);
      await f.registry.connect(owner).commitNextOwner(id, n.commitment);
      const g = f.guardianSet(id, [gs[0].address], 1, 3n * HOUR);
      await expect(f.setGuardians(owner, id, g))
        .to.be.revertedWithCustomError(f.registry, "SigilNextOwnerCommitted")
        .withArgs(id);
      const install = { replace: true, root: g.root, threshold: g.threshold, delay: g.delay };
      const prev = await f.registry.changed(id);
      const tx = f.registry
        .connect(next)
        .rotate(id, n.salt, f.rotation(next.address, f.nextKey(await f.wallet()).commitment, false, [], [], install));
      await expect(tx)
        .to.emit(f.registry, "DIDGuardiansChanged")
        .withArgs(id, g.root, 1n, 3n * HOUR, prev);
      expect((await f.registry.recoveryState(id)).guardianRoot).to.equal(g.root);
    });

    it("can be removed (after the delay), which lets the current key deactivate again", async () => {
      const { owner, id } = await guarded();
      await expect(f.registry.connect(owner).deactivate(id)).to.be.revertedWithCustomError(f.registry, "SigilGuardedDeactivation");
      const t = await f.timeOf(await f.registry.connect(owner).setGuardians(id, f.ethers.ZeroHash, 0, 0));
      expect((await f.registry.recoveryState(id)).pendingEffectiveAt).to.equal(t + DAY);
      await f.networkHelpers.time.increase(DAY);
      const prev = await f.registry.changed(id);
      await expect(f.registry.connect(f.signers[9]).applyGuardians(id))
        .to.emit(f.registry, "DIDGuardiansChanged")
        .withArgs(id, f.ethers.ZeroHash, 0n, 0n, prev);
      const s = await f.registry.recoveryState(id);
      expect([s.guardianRoot, s.threshold, s.delay]).to.deep.equal([f.ethers.ZeroHash, 0n, 0n]);
      await expect(f.registry.connect(owner).deactivate(id)).to.emit(f.registry, "DIDOwnerChanged");
    });

    it("a pending change can be withdrawn by proposing the current set; none on an unguarded identity is refused", async () => {
      const { owner, id, g } = await guarded();
      await f.setGuardians(owner, id, f.guardianSet(id, [gs[0].address], 1, HOUR));
      await f.setGuardians(owner, id, g); // replaces the proposal
      expect((await f.registry.recoveryState(id)).pendingRoot).to.equal(g.root);
      const fresh = await f.wallet();
      await expect(f.registry.connect(fresh).setGuardians(fresh.address, f.ethers.ZeroHash, 0, 0))
        .to.be.revertedWithCustomError(f.registry, "SigilNoGuardians")
        .withArgs(fresh.address);
    });

    it("policy bounds: 1-255 approvals, a delay of 1 hour to 365 days; none means all zero", async () => {
      const owner = await f.wallet();
      const id = owner.address;
      const reg = f.registry.connect(owner);
      const root = f.ethers.id("root");
      const [MIN, MAX] = [await f.registry.MIN_RECOVERY_DELAY(), await f.registry.MAX_RECOVERY_DELAY()];
      expect([MIN, MAX]).to.deep.equal([HOUR, 365n * DAY]);
      for (const [threshold, delay] of [
        [0n, DAY],
        [256n, DAY],
        [1n, MIN - 1n],
        [1n, MAX + 1n],
        [1n, 0n],
      ]) {
        await expect(reg.setGuardians(id, root, threshold, delay))
          .to.be.revertedWithCustomError(f.registry, "SigilInvalidGuardianPolicy")
          .withArgs(threshold, delay);
      }
      for (const [threshold, delay] of [
        [1n, 0n],
        [0n, DAY],
      ]) {
        await expect(reg.setGuardians(id, f.ethers.ZeroHash, threshold, delay))
          .to.be.revertedWithCustomError(f.registry, "SigilInvalidGuardianPolicy")
          .withArgs(threshold, delay);
      }
      await expect(reg.setGuardians(id, root, 255n, MIN)).to.emit(f.registry, "DIDGuardiansChanged");
      await expect(reg.setGuardians(id, root, 1n, MAX)).to.emit(f.registry, "DIDGuardiansProposed");
    });
  });

  describe("deactivation of a guarded identity", () => {
    it("by the next key only once its commitment is senior (at least `delay` old, or older than the guardians)", async () => {
      const { owner, id, next, n } = await guarded(false);
      const t = await f.timeOf(await f.registry.connect(owner).commitNextOwner(id, n.commitment));
      await f.networkHelpers.time.setNextBlockTimestamp(t + DAY - 1n);
      await expect(f.registry.connect(next).rotate(id, n.salt, f.rotation(f.ethers.ZeroAddress)))
        .to.be.revertedWithCustomError(f.registry, "SigilCommitmentNotSenior")
        .withArgs(id, t);
      // A rotation to a live key needs no seniority when no recovery is armed.
      await f.registry.connect(next).rotate.staticCall(id, n.salt, f.rotation(next.address));
      const prev = await f.registry.changed(id);
      await f.networkHelpers.time.setNextBlockTimestamp(t + DAY);
      await expect(f.registry.connect(next).rotate(id, n.salt, f.rotation(f.ethers.ZeroAddress)))
        .to.emit(f.registry, "DIDOwnerChanged")
        .withArgs(id, f.ethers.ZeroAddress, prev);
      expect((await f.registry.identityState(id)).deactivated).to.equal(true);
    });

    it("at once by a next key committed before the guardian set took effect", async () => {
      const owner = await f.wallet();
      const id = owner.address;
      const next = await f.wallet();
      const n = f.nextKey(next);
      // The set comes with the rotation of a first next key; the new commitment keeps its age.
      const first = await f.wallet();
      const n0 = f.nextKey(first);
      await f.registry.connect(owner).commitNextOwner(id, n0.commitment);
      const g = f.guardianSet(
        id,
        gs.map((s) => s.address),
        2,
        HOUR,
      );
      await f.networkHelpers.time.increase(60);
      const install = { replace: true, root: g.root, threshold: g.threshold, delay: g.delay };
      await f.registry.connect(first).rotate(id, n0.salt, f.rotation(owner.address, n.commitment, false, [], [], install));
      await expect(f.registry.connect(next).rotate(id, n.salt, f.rotation(f.ethers.ZeroAddress))).to.emit(f.registry, "DIDOwnerRotated");
      expect((await f.registry.identityState(id)).deactivated).to.equal(true);
    });

    it("by the guardians, with a recovery to the zero address", async () => {
      const { id, g } = await guarded(true);
      const end = f.proposal(f.ethers.ZeroAddress);
      await f.approve(gs[1], id, end, g, 1);
      await f.approve(gs[2], id, end, g, 2);
      await f.networkHelpers.time.increase(DAY);
      await expect(f.registry.finalizeRecovery(id, end)).to.emit(f.registry, "DIDOwnerChanged");
      expect((await f.registry.identityState(id)).deactivated).to.equal(true);
    });
  });

  describe("proposals and approvals", () => {
    it("the proposal id binds identity, round and proposal; the first approval proposes it", async () => {
      const { id, g } = await guarded();
      const p = f.proposal(f.signers[7].address, f.ethers.id("c"), true);
      const round = (await f.registry.recoveryState(id)).round;
      const expected = f.ethers.keccak256(
        f.ethers.AbiCoder.defaultAbiCoder().encode(
          ["address", "uint256", "tuple(address,bytes32,bool,tuple(bool,bytes32,uint256,uint256))"],
          [id, round, [p.newOwner, p.nextCommitment, p.purge, [false, f.ethers.ZeroHash, 0n, 0n]]],
        ),
      );
      expect(await f.registry.recoveryProposalId(id, p)).to.equal(expected);
      const prev = await f.registry.changed(id);
      const tx = await f.approve(gs[0], id, p, g, 0);
      await expect(tx)
        .to.emit(f.registry, "DIDRecoveryProposed")
        .withArgs(id, expected, [p.newOwner, p.nextCommitment, p.purge, [false, f.ethers.ZeroHash, 0n, 0n]], round, prev);
      await expect(tx).to.emit(f.registry, "DIDRecoveryApproved").withArgs(id, expected, gs[0].address, 1n, 0n, prev);
      const prev2 = await f.registry.changed(id);
      expect(prev2).to.equal(BigInt((await tx.wait())!.blockNumber));
      const tx2 = await f.approve(gs[2], id, p, g, 2);
      const t2 = await f.timeOf(tx2);
      await expect(tx2).not.to.emit(f.registry, "DIDRecoveryProposed");
      await expect(tx2)
        .to.emit(f.registry, "DIDRecoveryApproved")
        .withArgs(id, expected, gs[2].address, 2n, t2 + DAY, prev2);
      const s = await f.registry.recoveryState(id);
      expect([s.armedProposal, s.armedAt, s.readyAt]).to.deep.equal([expected, t2, t2 + DAY]);
    });

    it("approvals of different proposals do not add up", async () => {
      const { id, g } = await guarded();
      await f.approve(gs[0], id, f.proposal(f.signers[7].address), g, 0);
      await f.approve(gs[1], id, f.proposal(f.signers[8].address), g, 1);
      expect((await f.registry.recoveryState(id)).armedAt).to.equal(0n);
    });

    it("a guardian listed twice (two salts) still has one vote", async () => {
      const owner = await f.wallet();
      const id = owner.address;
      const leaves: [string, string][] = [
        [gs[0].address, f.salt("a")],
        [gs[0].address, f.salt("b")],
        [gs[1].address, f.salt("c")],
      ];
      const tree = StandardMerkleTree.of(leaves, ["address", "bytes32"]);
      await f.registry.connect(owner).setGuardians(id, tree.root, 2, DAY);
      const proof = (i: number) => ({ guardian: leaves[i][0], salt: leaves[i][1], proof: tree.getProof(i) });
      const p = f.proposal(gs[0].address);
      await f.registry.connect(gs[0]).approveRecovery(id, p, proof(0));
      await expect(f.registry.connect(gs[0]).approveRecovery(id, p, proof(1)))
        .to.be.revertedWithCustomError(f.registry, "SigilAlreadyApproved")
        .withArgs(id, gs[0].address);
      await f.registry.connect(gs[1]).approveRecovery(id, p, proof(2));
      expect((await f.registry.recoveryState(id)).armedAt).to.not.equal(0n);
    });

    it("refuses a wrong salt or proof, and a proof sent by someone else", async () => {
      const { id, g } = await guarded();
      const p = f.proposal(f.signers[7].address);
      await expect(f.registry.connect(gs[0]).approveRecovery(id, p, { ...g.proofs[0], salt: f.salt("wrong") }))
        .to.be.revertedWithCustomError(f.registry, "SigilNotGuardian")
        .withArgs(id, gs[0].address);
      await expect(f.registry.connect(gs[0]).approveRecovery(id, p, { ...g.proofs[0], proof: g.proofs[1].proof }))
        .to.be.revertedWithCustomError(f.registry, "SigilNotGuardian")
        .withArgs(id, gs[0].address);
      await expect(f.registry.connect(f.signers[7]).approveRecovery(id, p, g.proofs[0]))
        .to.be.revertedWithCustomError(f.registry, "SigilNotGuardian")
        .withArgs(id, f.signers[7].address);
      // A card of another identity's tree does not work here.
      const other = await guarded();
      await expect(f.registry.connect(gs[0]).approveRecovery(id, p, other.g.proofs[0]))
        .to.be.revertedWithCustomError(f.registry, "SigilNotGuardian")
        .withArgs(id, gs[0].address);
    });

    it("finalisation: only the armed proposal, only from readyAt, by anyone; the round moves on", async () => {
      const { id, g, owner } = await guarded(true);
      const k = f.nextKey(await f.wallet(), "k");
      const p = f.proposal(owner.address, k.commitment, true);
      await expect(f.registry.finalizeRecovery(id, p)).to.be.revertedWithCustomError(f.registry, "SigilNoRecoveryPending").withArgs(id);
      await f.approve(gs[0], id, p, g, 0);
      const tArm = await f.timeOf(await f.approve(gs[1], id, p, g, 1));
      await expect(f.registry.finalizeRecovery(id, { ...p, purge: false }))
        .to.be.revertedWithCustomError(f.registry, "SigilNoRecoveryPending")
        .withArgs(id);
      await f.networkHelpers.time.setNextBlockTimestamp(tArm + DAY - 1n);
      await expect(f.registry.finalizeRecovery(id, p))
        .to.be.revertedWithCustomError(f.registry, "SigilRecoveryNotReady")
        .withArgs(id, tArm + DAY);
      await f.networkHelpers.time.setNextBlockTimestamp(tArm + DAY);
      const round = (await f.registry.recoveryState(id)).round;
      await expect(f.registry.connect(f.signers[9]).finalizeRecovery(id, p)).to.emit(f.registry, "DIDRecovered");
      const s = await f.registry.recoveryState(id);
      expect([s.round, s.armedProposal, s.armedAt, s.readyAt]).to.deep.equal([round + 1n, f.ethers.ZeroHash, 0n, 0n]);
      expect((await f.registry.identityState(id)).epoch).to.equal(1n);
      await expect(f.registry.finalizeRecovery(id, p)).to.be.revertedWithCustomError(f.registry, "SigilNoRecoveryPending");
    });

    it("a recovery that deactivates commits to nothing (SigilInvalidRecovery otherwise)", async () => {
      const { id, g } = await guarded(true);
      await expect(f.approve(gs[0], id, f.proposal(f.ethers.ZeroAddress, f.ethers.id("c")), g, 0))
        .to.be.revertedWithCustomError(f.registry, "SigilInvalidRecovery")
        .withArgs();
      const end = f.proposal(f.ethers.ZeroAddress, f.ethers.ZeroHash, true);
      await f.approve(gs[0], id, end, g, 0);
      await f.approve(gs[1], id, end, g, 1);
      await f.networkHelpers.time.increase(DAY);
      await f.registry.finalizeRecovery(id, end);
      const state = await f.registry.identityState(id);
      expect([state.deactivated, state.nextOwnerCommitment]).to.deep.equal([true, f.ethers.ZeroHash]);
      expect((await f.registry.recoveryState(id)).committedAt).to.equal(0n);
    });
  });

  describe("privacy", () => {
    it("an approval reveals only the acting guardian; the others appear in no log or calldata of the identity's transactions", async () => {
      const owner = await f.wallet();
      const id = owner.address;
      const g = f.guardianSet(
        id,
        gs.map((s) => s.address),
        2,
        DAY,
      );
      // Padded: 3 guardians in a tree of 8 leaves, so a proof does not tell how many there are.
      expect(g.proofs.map((p) => p.proof.length)).to.deep.equal([3, 3, 3]);
      const txs: { hash: string; actor?: string }[] = [];
      txs.push({ hash: (await f.setGuardians(owner, id, g)).hash });
      const next = f.nextKey(await f.wallet());
      const p = f.proposal(owner.address, next.commitment, false);
      txs.push({ hash: (await f.approve(gs[0], id, p, g, 0)).hash, actor: gs[0].address });
      const round = (await f.registry.recoveryState(id)).round;
      const s = await f.typedSign(gs[1], "ApproveRecovery", { identity: id, round, ...p });
      const relayed = await relayer().approveRecoveryWithSig(id, p, g.proofs[1], s.deadline, s.signature);
      txs.push({ hash: relayed.hash, actor: gs[1].address });
      await f.networkHelpers.time.increase(DAY);
      txs.push({ hash: (await f.registry.connect(f.signers[9]).finalizeRecovery(id, p)).hash });

      const hex = (a: string) => a.toLowerCase().slice(2);
      for (const { hash, actor } of txs) {
        const tx = (await f.ethers.provider.getTransaction(hash))!;
        const receipt = (await f.ethers.provider.getTransactionReceipt(hash))!;
        const seen = [tx.data, ...receipt.logs.flatMap((l) => [l.data, ...l.topics])].join("").toLowerCase();
        for (const guardian of gs.map((x) => x.address)) {
          if (guardian === actor) continue;
          expect(seen.includes(hex(guardian)), `${guardian} in ${hash}`).to.equal(false);
          expect(tx.from.toLowerCase()).to.not.equal(guardian.toLowerCase());
        }
        if (actor) {
          const approved = receipt.logs.map((l) => f.registry.interface.parseLog(l)!).filter((e) => e.name === "DIDRecoveryApproved");
          expect(approved.map((e) => e.args.guardian)).to.deep.equal([actor]);
        }
      }
      // The guardian that never acted is nowhere in the identity's history.
      const logs = await f.ethers.provider.getLogs({ address: f.address, topics: [null, f.ethers.zeroPadValue(id, 32)], fromBlock: 0 });
      expect(
        logs
          .map((l) => l.data + l.topics.join(""))
          .join("")
          .toLowerCase()
          .includes(hex(gs[2].address)),
      ).to.equal(false);
    });
  });
});

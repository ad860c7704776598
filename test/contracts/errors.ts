// Every custom error of ISigilRegistry and ISigilRecovery, each provoked once and asserted with
// its arguments; the list is checked against the ABI, so a new error cannot go untested.
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { DAY, HOUR, deployFixture, type Fixture } from "./fixture.ts";

describe("SigilRegistry: every custom error, with its arguments", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await deployFixture();
  });
  const relayer = () => f.registry.connect(f.signers[9]);
  const gs = () => [f.signers[4], f.signers[5], f.signers[6]];

  /** An identity with 2-of-3 guardians and, optionally, a next key committed after them. */
  async function guarded(commit: boolean) {
    const owner = await f.wallet();
    const id = owner.address;
    const g = f.guardianSet(
      id,
      gs().map((s) => s.address),
      2,
      DAY,
    );
    await f.setGuardians(owner, id, g);
    const next = await f.wallet();
    const n = f.nextKey(next);
    if (commit) await f.registry.connect(owner).commitNextOwner(id, n.commitment);
    return { owner, id, g, next, n };
  }

  async function armed(commit: boolean) {
    const s = await guarded(commit);
    const p = f.proposal(f.signers[7].address);
    await f.approve(gs()[0], s.id, p, s.g, 0);
    const t = await f.timeOf(await f.approve(gs()[1], s.id, p, s.g, 1));
    return { ...s, p, readyAt: t + DAY };
  }

  const scenarios: Record<string, () => Promise<void>> = {
    async SigilIdentityDeactivated() {
      const w = await f.wallet();
      await f.registry.connect(w).deactivate(w.address);
      await expect(f.registry.connect(w).setAttribute(w.address, f.b32("a"), "0x", DAY))
        .to.be.revertedWithCustomError(f.registry, "SigilIdentityDeactivated")
        .withArgs(w.address);
    },
    async SigilNextOwnerCommitted() {
      const { owner, id } = await guarded(true);
      await expect(f.registry.connect(owner).changeOwner(id, f.signers[7].address))
        .to.be.revertedWithCustomError(f.registry, "SigilNextOwnerCommitted")
        .withArgs(id);
    },
    async SigilNoNextOwnerCommitted() {
      const w = await f.wallet();
      await expect(f.registry.connect(f.signers[7]).rotate(w.address, f.salt("s"), f.rotation(f.signers[7].address)))
        .to.be.revertedWithCustomError(f.registry, "SigilNoNextOwnerCommitted")
        .withArgs(w.address);
    },
    async SigilNotNextOwner() {
      const { id, n } = await guarded(true);
      await expect(f.registry.connect(f.signers[7]).rotate(id, n.salt, f.rotation(f.signers[7].address)))
        .to.be.revertedWithCustomError(f.registry, "SigilNotNextOwner")
        .withArgs(id, f.signers[7].address);
    },
    async SigilInvalidCommitment() {
      const { id, next, n, owner } = await guarded(false);
      await expect(f.registry.connect(owner).commitNextOwner(id, f.ethers.ZeroHash))
        .to.be.revertedWithCustomError(f.registry, "SigilInvalidCommitment")
        .withArgs();
      await f.registry.connect(owner).commitNextOwner(id, n.commitment);
      await expect(f.registry.connect(next).rotate(id, n.salt, f.rotation(next.address, n.commitment)))
        .to.be.revertedWithCustomError(f.registry, "SigilInvalidCommitment")
        .withArgs();
    },
    async SigilNextKeyIsController() {
      const w = await f.wallet();
      const k = f.nextKey(w);
      await f.registry.connect(w).commitNextOwner(w.address, k.commitment);
      await expect(f.registry.connect(w).rotate(w.address, k.salt, f.rotation(f.signers[7].address)))
        .to.be.revertedWithCustomError(f.registry, "SigilNextKeyIsController")
        .withArgs(w.address, w.address);
      await expect(f.registry.connect(w).cancelRecovery(w.address, k.salt))
        .to.be.revertedWithCustomError(f.registry, "SigilNextKeyIsController")
        .withArgs(w.address, w.address);
    },
    async SigilLegacyDeactivation() {
      const w = await f.wallet();
      const h = await f.legacyHash(w.address, "changeOwner", ["address"], [f.ethers.ZeroAddress]);
      const s = f.legacySign(w, h);
      await expect(relayer().changeOwnerSigned(w.address, s.v, s.r, s.s, f.ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.registry, "SigilLegacyDeactivation")
        .withArgs(w.address);
    },
    async SigilInvalidSignature() {
      const w = await f.wallet();
      const s = await f.typedSign(f.signers[7], "Deactivate", { identity: w.address });
      await expect(relayer().deactivateWithSig(w.address, s.deadline, s.signature))
        .to.be.revertedWithCustomError(f.registry, "SigilInvalidSignature")
        .withArgs(w.address, w.address);
    },
    async SigilExpiredSignature() {
      const w = await f.wallet();
      const deadline = (await f.now()) - 1n;
      const s = await f.typedSign(w, "Deactivate", { identity: w.address }, { deadline });
      await expect(relayer().deactivateWithSig(w.address, s.deadline, s.signature))
        .to.be.revertedWithCustomError(f.registry, "SigilExpiredSignature")
        .withArgs(deadline);
    },
    async SigilNoGuardians() {
      const w = await f.wallet();
      await expect(f.registry.connect(w).setGuardians(w.address, f.ethers.ZeroHash, 0, 0))
        .to.be.revertedWithCustomError(f.registry, "SigilNoGuardians")
        .withArgs(w.address);
      await expect(
        f.registry
          .connect(f.signers[4])
          .approveRecovery(w.address, f.proposal(f.signers[4].address), { guardian: f.signers[4].address, salt: f.salt("s"), proof: [] }),
      )
        .to.be.revertedWithCustomError(f.registry, "SigilNoGuardians")
        .withArgs(w.address);
    },
    async SigilNotGuardian() {
      const { id, g } = await guarded(false);
      await expect(
        f.registry
          .connect(f.signers[7])
          .approveRecovery(id, f.proposal(f.signers[7].address), { ...g.proofs[0], guardian: f.signers[7].address }),
      )
        .to.be.revertedWithCustomError(f.registry, "SigilNotGuardian")
        .withArgs(id, f.signers[7].address);
    },
    async SigilInvalidGuardianPolicy() {
      const w = await f.wallet();
      await expect(f.registry.connect(w).setGuardians(w.address, f.ethers.id("root"), 1, HOUR - 1n))
        .to.be.revertedWithCustomError(f.registry, "SigilInvalidGuardianPolicy")
        .withArgs(1n, HOUR - 1n);
    },
    async SigilNoGuardianChange() {
      const { id } = await guarded(false);
      await expect(f.registry.applyGuardians(id)).to.be.revertedWithCustomError(f.registry, "SigilNoGuardianChange").withArgs(id);
    },
    async SigilGuardianChangeNotReady() {
      const { owner, id } = await guarded(false);
      const t = await f.timeOf(await f.registry.connect(owner).setGuardians(id, f.ethers.ZeroHash, 0, 0));
      await expect(f.registry.applyGuardians(id))
        .to.be.revertedWithCustomError(f.registry, "SigilGuardianChangeNotReady")
        .withArgs(id, t + DAY);
    },
    async SigilRecoveryPending() {
      const { owner, id, readyAt } = await armed(false);
      await expect(f.registry.connect(owner).setGuardians(id, f.ethers.ZeroHash, 0, 0))
        .to.be.revertedWithCustomError(f.registry, "SigilRecoveryPending")
        .withArgs(id, readyAt);
    },
    async SigilNoRecoveryPending() {
      const { id, next, n } = await guarded(true);
      await expect(f.registry.connect(next).cancelRecovery(id, n.salt))
        .to.be.revertedWithCustomError(f.registry, "SigilNoRecoveryPending")
        .withArgs(id);
    },
    async SigilRecoveryNotReady() {
      const { id, p, readyAt } = await armed(false);
      await expect(f.registry.finalizeRecovery(id, p))
        .to.be.revertedWithCustomError(f.registry, "SigilRecoveryNotReady")
        .withArgs(id, readyAt);
    },
    async SigilAlreadyApproved() {
      const { id, g } = await guarded(false);
      const p = f.proposal(f.signers[7].address);
      await f.approve(gs()[2], id, p, g, 2);
      await expect(f.approve(gs()[2], id, p, g, 2))
        .to.be.revertedWithCustomError(f.registry, "SigilAlreadyApproved")
        .withArgs(id, gs()[2].address);
    },
    async SigilSignatureUsed() {
      const { id, g } = await guarded(false);
      const p = f.proposal(f.signers[7].address);
      const round = (await f.registry.recoveryState(id)).round;
      const s = await f.typedSign(gs()[0], "ApproveRecovery", { identity: id, round, ...p }, { deadline: (await f.now()) + 7n * DAY });
      await f.registry.approveRecoveryWithSig(id, p, g.proofs[0], s.deadline, s.signature);
      await f.networkHelpers.time.increase(2n * DAY); // the tally expired: only a replay could count it again
      await expect(f.registry.approveRecoveryWithSig(id, p, g.proofs[0], s.deadline, s.signature))
        .to.be.revertedWithCustomError(f.registry, "SigilSignatureUsed")
        .withArgs(id, gs()[0].address);
    },
    async SigilInvalidRecovery() {
      const { id, g } = await guarded(false);
      await expect(f.approve(gs()[0], id, f.proposal(f.ethers.ZeroAddress, f.ethers.id("c")), g, 0))
        .to.be.revertedWithCustomError(f.registry, "SigilInvalidRecovery")
        .withArgs();
    },
    async SigilCommitmentNotSenior() {
      const { id, g, owner, next, n } = await guarded(false);
      const t = await f.timeOf(await f.registry.connect(owner).commitNextOwner(id, n.commitment));
      const p = f.proposal(f.signers[7].address);
      await f.approve(gs()[0], id, p, g, 0);
      await f.approve(gs()[1], id, p, g, 1);
      await expect(f.registry.connect(next).cancelRecovery(id, n.salt))
        .to.be.revertedWithCustomError(f.registry, "SigilCommitmentNotSenior")
        .withArgs(id, t);
    },
    async SigilGuardedDeactivation() {
      const { owner, id } = await guarded(false);
      await expect(f.registry.connect(owner).deactivate(id))
        .to.be.revertedWithCustomError(f.registry, "SigilGuardedDeactivation")
        .withArgs(id);
    },
    async SigilApprovalLimit() {
      const { id, g } = await guarded(false);
      const limit = Number(await f.registry.MAX_APPROVALS_PER_ROUND());
      for (let i = 0; i < limit; i++)
        await f.approve(gs()[2], id, f.proposal(f.ethers.getAddress(`0x${(0xb000 + i).toString(16).padStart(40, "0")}`)), g, 2);
      await expect(f.approve(gs()[2], id, f.proposal(f.signers[7].address), g, 2))
        .to.be.revertedWithCustomError(f.registry, "SigilApprovalLimit")
        .withArgs(id, gs()[2].address);
    },
    async SigilGuardianIsController() {
      const owner = await f.wallet();
      const id = owner.address;
      // A careless set naming the identity's own key (the SDK refuses to build one; the registry
      // must not count it either).
      const salts = [f.salt("own key"), f.salt("other")];
      const tree = StandardMerkleTree.of(
        [
          [id, salts[0]],
          [gs()[0].address, salts[1]],
        ],
        ["address", "bytes32"],
      );
      await f.registry.connect(owner).setGuardians(id, tree.root, 1, DAY);
      const proof = { guardian: id, salt: salts[0], proof: tree.getProof(0) };
      await expect(f.registry.connect(owner).approveRecovery(id, f.proposal(f.signers[7].address), proof))
        .to.be.revertedWithCustomError(f.registry, "SigilGuardianIsController")
        .withArgs(id, id);
    },
    async SigilEpochExhausted() {
      // 2^22 - 2 purging rotations are out of reach of a test: the limit is proved with a stored
      // epoch in test/solidity/SigilGuardianAuthority.t.sol. Here: the error's shape, from the ABI.
      const fragment = f.registry.interface.getError("SigilEpochExhausted")!;
      expect(fragment.inputs.map((i) => i.type)).to.deep.equal(["address"]);
    },
    async SigilNothingToRevoke() {
      const w = await f.wallet();
      await expect(f.registry.connect(w).revokeEntries(w.address, [], []))
        .to.be.revertedWithCustomError(f.registry, "SigilNothingToRevoke")
        .withArgs();
    },
  };

  it("the list below covers every Sigil error of the ABI", () => {
    const errors: string[] = [];
    f.registry.interface.forEachError((e) => {
      if (e.name.startsWith("Sigil")) errors.push(e.name);
    });
    expect(Object.keys(scenarios).sort()).to.deep.equal(errors.sort());
  });

  for (const [name, scenario] of Object.entries(scenarios)) it(name, scenario);
});

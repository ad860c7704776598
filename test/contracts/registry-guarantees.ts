// What the registry guarantees against a thief holding the current key: a relayed rotation he
// cannot void, commitments that protect, final deactivation, a complete change chain, refused
// legacy deactivation and O(1) purges. Each would fail on the 1.0 contract
// (git show d80dfe5:contracts/SigilRegistry.sol), which lacked it.
import { expect } from "chai";
import type { BaseWallet, Log } from "ethers";
import { activeEntries } from "sigil-did/internal";
import { decodeRegistryLogs } from "sigil-did/internal";
import { DAY, HOUR, deployFixture, type Fixture } from "./fixture.ts";

describe("SigilRegistry: rotation, commitment, deactivation, change-chain and purge guarantees", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await deployFixture();
  });
  const relayer = () => f.registry.connect(f.signers[9]);

  /** An identity whose current key is `current` (a wallet, which the thief copies) committed to `next`. */
  async function committed() {
    const current = await f.wallet();
    const next = await f.wallet();
    const n = f.nextKey(next);
    await f.registry.connect(current).commitNextOwner(current.address, n.commitment);
    return { id: current.address, current, next, n };
  }

  /** The thief's signed calls: EIP-712 (identity nonce) and legacy (owner nonce), relayed. */
  async function thiefSignedCalls(thief: BaseWallet, id: string, count: number) {
    for (let i = 0; i < count; i++) {
      const name = f.b32(`did/svc/Thief${i}`);
      const value = f.ethers.hexlify(f.ethers.toUtf8Bytes(`https://thief.example/${i}`));
      const s = await f.typedSign(thief, "SetAttribute", { identity: id, name, value, validity: DAY });
      await relayer().setAttributeWithSig(id, name, value, DAY, s.deadline, s.signature);
      const d = await f.typedSign(thief, "AddDelegate", {
        identity: id,
        delegateType: f.b32("sigAuth"),
        delegate: thief.address,
        validity: DAY,
      });
      await relayer().addDelegateWithSig(id, f.b32("sigAuth"), thief.address, DAY, d.deadline, d.signature);
      const h = await f.legacyHash(id, "setAttribute", ["bytes32", "bytes", "uint256"], [name, value, DAY]);
      const l = f.legacySign(thief, h);
      await relayer().setAttributeSigned(id, l.v, l.r, l.s, name, value, DAY);
    }
  }

  it("rotation: the thief front-running a relayed rotation with his own signed calls cannot void it; a Rotate signature works once", async () => {
    const { id, current: thief, next, n } = await committed();
    const after = await f.wallet();
    const rot = f.rotation(next.address, f.nextKey(after).commitment, true);
    // Signed in advance, stored offline with a far deadline.
    const stored = await f.signRotate(next, id, rot, { deadline: (await f.now()) + 365n * DAY });

    // The thief sees the relayed rotation coming and burns nonces first, as often as he likes.
    const nonceBefore = await f.registry.nonces(id);
    await thiefSignedCalls(thief, id, 4);
    expect(await f.registry.nonces(id)).to.equal(nonceBefore + 8n);
    expect(await f.registry.nonce(id)).to.equal(4n);

    const tx = relayer().rotateWithSig(id, next.address, n.salt, rot, stored.deadline, stored.signature);
    await expect(tx).to.emit(f.registry, "DIDOwnerRotated").withArgs(id, next.address, rot.nextCommitment, true, 1n);
    expect(await f.registry.identityOwner(id)).to.equal(next.address);
    expect(await f.registry.validDelegate(id, f.b32("sigAuth"), thief.address)).to.equal(false);

    // Replay after success: the commitment it consumed is gone.
    await expect(relayer().rotateWithSig(id, next.address, n.salt, rot, stored.deadline, stored.signature))
      .to.be.revertedWithCustomError(f.registry, "SigilNotNextOwner")
      .withArgs(id, next.address);

    // The commitment comes back to the same value (`after` rotates and commits to `next` with the
    // same salt again): the stored signature still does not work, its commitment nonce is spent.
    const afterKey = f.nextKey(after);
    await f.registry.connect(after).rotate(id, afterKey.salt, f.rotation(after.address, n.commitment));
    const state = await f.registry.recoveryState(id);
    expect(state.nextOwnerCommitment).to.equal(n.commitment);
    expect(state.commitmentNonce).to.equal(3n);
    await expect(relayer().rotateWithSig(id, next.address, n.salt, rot, stored.deadline, stored.signature))
      .to.be.revertedWithCustomError(f.registry, "SigilInvalidSignature")
      .withArgs(id, next.address);
    // A fresh signature of the same rotation, bound to the current commitment nonce, works.
    const fresh = await f.signRotate(next, id, rot);
    await expect(relayer().rotateWithSig(id, next.address, n.salt, rot, fresh.deadline, fresh.signature)).to.emit(
      f.registry,
      "DIDOwnerRotated",
    );
  });

  it("a rotation may not re-commit to the commitment it consumes", async () => {
    const { id, next, n } = await committed();
    await expect(f.registry.connect(next).rotate(id, n.salt, f.rotation(next.address, n.commitment)))
      .to.be.revertedWithCustomError(f.registry, "SigilInvalidCommitment")
      .withArgs();
  });

  describe("deactivation voids every delegate and refuses every mutating call", () => {
    const routes = {
      "deactivate()": async (w: BaseWallet) => {
        await f.registry.connect(w).deactivate(w.address);
      },
      "changeOwner(identity, 0)": async (w: BaseWallet) => {
        await f.registry.connect(w).changeOwner(w.address, f.ethers.ZeroAddress);
      },
      deactivateWithSig: async (w: BaseWallet) => {
        const s = await f.typedSign(w, "Deactivate", { identity: w.address });
        await relayer().deactivateWithSig(w.address, s.deadline, s.signature);
      },
      "a rotation to zero without purge": async (w: BaseWallet) => {
        const next = await f.wallet();
        const n = f.nextKey(next);
        await f.registry.connect(w).commitNextOwner(w.address, n.commitment);
        await f.registry.connect(next).rotate(w.address, n.salt, f.rotation(f.ethers.ZeroAddress));
        expect((await f.registry.identityState(w.address)).epoch, "no purge").to.equal(0n);
      },
      "a recovery to zero without purge": async (w: BaseWallet) => {
        const g = f.guardianSet(w.address, [f.signers[4].address], 1, HOUR);
        await f.setGuardians(w, w.address, g);
        await f.approve(f.signers[4], w.address, f.proposal(f.ethers.ZeroAddress), g, 0);
        await f.networkHelpers.time.increase(HOUR);
        await f.registry.finalizeRecovery(w.address, f.proposal(f.ethers.ZeroAddress));
      },
    };
    for (const [route, deactivate] of Object.entries(routes)) {
      it(`after ${route}`, async () => {
        const w = await f.wallet();
        const id = w.address;
        const [bob, carol] = [f.signers[2].address, f.signers[3].address];
        await f.registry.connect(w).addDelegate(id, f.b32("veriKey"), bob, 365n * DAY);
        await f.registry.connect(w).addDelegate(id, f.b32("sigAuth"), carol, 2n ** 200n);
        expect(await f.registry.validDelegate(id, f.b32("veriKey"), bob)).to.equal(true);
        await deactivate(w);
        const state = await f.registry.identityState(id);
        expect(state.deactivated).to.equal(true);
        expect(state.owner).to.equal(f.ethers.ZeroAddress);
        expect(await f.registry.identityOwner(id)).to.equal(f.ethers.ZeroAddress);
        for (const [t, d] of [
          ["veriKey", bob],
          ["sigAuth", carol],
        ] as const) {
          expect(await f.registry.validDelegate(id, f.b32(t), d), `${t} ${d}`).to.equal(false);
          expect(await f.registry.delegates(id, f.typeHash(t), d)).to.equal(0n);
        }
        await expectEveryMutationRefused(w);
      });
    }

    /** Every state-changing function of the ABI, called on the deactivated identity, reverts SigilIdentityDeactivated. */
    async function expectEveryMutationRefused(w: BaseWallet) {
      const id = w.address;
      const reg = f.registry.connect(w);
      const sig = "0x" + "11".repeat(65);
      const [v, r, s] = [27, f.ethers.id("r"), f.ethers.id("s")];
      const b = f.b32("x");
      const rot = f.rotation(w.address);
      const prop = f.proposal(w.address);
      const proof = { guardian: w.address, salt: f.ethers.ZeroHash, proof: [] };
      const deadline = (await f.now()) + HOUR;
      const calls: Record<string, () => Promise<unknown>> = {
        changeOwner: () => reg.changeOwner(id, w.address),
        addDelegate: () => reg.addDelegate(id, b, w.address, DAY),
        revokeDelegate: () => reg.revokeDelegate(id, b, w.address),
        setAttribute: () => reg.setAttribute(id, b, "0x01", DAY),
        revokeAttribute: () => reg.revokeAttribute(id, b, "0x01"),
        changeOwnerSigned: () => reg.changeOwnerSigned(id, v, r, s, w.address),
        addDelegateSigned: () => reg.addDelegateSigned(id, v, r, s, b, w.address, DAY),
        revokeDelegateSigned: () => reg.revokeDelegateSigned(id, v, r, s, b, w.address),
        setAttributeSigned: () => reg.setAttributeSigned(id, v, r, s, b, "0x01", DAY),
        revokeAttributeSigned: () => reg.revokeAttributeSigned(id, v, r, s, b, "0x01"),
        changeOwnerWithSig: () => reg.changeOwnerWithSig(id, w.address, deadline, sig),
        addDelegateWithSig: () => reg.addDelegateWithSig(id, b, w.address, DAY, deadline, sig),
        revokeDelegateWithSig: () => reg.revokeDelegateWithSig(id, b, w.address, deadline, sig),
        setAttributeWithSig: () => reg.setAttributeWithSig(id, b, "0x01", DAY, deadline, sig),
        revokeAttributeWithSig: () => reg.revokeAttributeWithSig(id, b, "0x01", deadline, sig),
        commitNextOwner: () => reg.commitNextOwner(id, f.ethers.id("c")),
        commitNextOwnerWithSig: () => reg.commitNextOwnerWithSig(id, f.ethers.id("c"), deadline, sig),
        rotate: () => reg.rotate(id, f.salt("x"), rot),
        rotateWithSig: () => reg.rotateWithSig(id, w.address, f.salt("x"), rot, deadline, sig),
        revokeEntries: () => reg.revokeEntries(id, [{ delegateType: b, delegate: w.address }], []),
        revokeEntriesWithSig: () => reg.revokeEntriesWithSig(id, [], [], deadline, sig),
        deactivate: () => reg.deactivate(id),
        deactivateWithSig: () => reg.deactivateWithSig(id, deadline, sig),
        setGuardians: () => reg.setGuardians(id, f.ethers.id("root"), 1, DAY),
        setGuardiansWithSig: () => reg.setGuardiansWithSig(id, f.ethers.id("root"), 1, DAY, deadline, sig),
        applyGuardians: () => reg.applyGuardians(id),
        approveRecovery: () => reg.approveRecovery(id, prop, proof),
        approveRecoveryWithSig: () => reg.approveRecoveryWithSig(id, prop, proof, deadline, sig),
        cancelRecovery: () => reg.cancelRecovery(id, f.salt("x")),
        cancelRecoveryWithSig: () => reg.cancelRecoveryWithSig(id, w.address, f.salt("x"), deadline, sig),
        finalizeRecovery: () => reg.finalizeRecovery(id, prop),
      };
      const mutating: string[] = [];
      f.registry.interface.forEachFunction((fn) => {
        if (!fn.constant) mutating.push(fn.name);
      });
      expect(Object.keys(calls).sort(), "every state-changing function is tried").to.deep.equal([...new Set(mutating)].sort());
      for (const [name, call] of Object.entries(calls)) {
        await expect(call(), name).to.be.revertedWithCustomError(f.registry, "SigilIdentityDeactivated").withArgs(id);
      }
    }
  });

  it("commitments: a commitment to the current key protects nothing, so it cannot rotate (SigilNextKeyIsController)", async () => {
    const w = await f.wallet(); // stolen: the thief holds it too
    const id = w.address;
    const self = f.nextKey(w, "self");
    await f.registry.connect(w).commitNextOwner(id, self.commitment);
    const thief = f.signers[6].address;
    await expect(f.registry.connect(w).rotate(id, self.salt, f.rotation(thief)))
      .to.be.revertedWithCustomError(f.registry, "SigilNextKeyIsController")
      .withArgs(id, w.address);
    const rot = f.rotation(thief);
    const s = await f.signRotate(w, id, rot);
    await expect(relayer().rotateWithSig(id, w.address, self.salt, rot, s.deadline, s.signature))
      .to.be.revertedWithCustomError(f.registry, "SigilNextKeyIsController")
      .withArgs(id, w.address);
    expect(await f.registry.identityOwner(id)).to.equal(id);
  });

  it("commitments: rotating to X while committing to X: the thief holding X cannot rotate; the guardians restore a good commitment", async () => {
    const owner = await f.wallet();
    const id = owner.address;
    const [g0, g1] = [f.signers[4], f.signers[5]];
    const g = f.guardianSet(id, [g0.address, g1.address], 2, DAY);
    await f.setGuardians(owner, id, g); // immediate: no guardians and no commitment yet
    const next = await f.wallet();
    const n = f.nextKey(next);
    await f.registry.connect(owner).commitNextOwner(id, n.commitment);
    // The mistake: rotate to X and commit to X itself.
    const x = await f.wallet(); // its key leaks to the thief
    const selfCommit = f.nextKey(x, "x-self");
    await f.registry.connect(next).rotate(id, n.salt, f.rotation(x.address, selfCommit.commitment));
    expect(await f.registry.identityOwner(id)).to.equal(x.address);
    await expect(f.registry.connect(x).rotate(id, selfCommit.salt, f.rotation(f.signers[6].address)))
      .to.be.revertedWithCustomError(f.registry, "SigilNextKeyIsController")
      .withArgs(id, x.address);
    // Nor can X veto the guardians with that commitment.
    const good = f.nextKey(await f.wallet(), "good");
    const restore = f.proposal(x.address, good.commitment, false);
    await f.approve(g0, id, restore, g, 0);
    await f.approve(g1, id, restore, g, 1);
    await expect(f.registry.connect(x).cancelRecovery(id, selfCommit.salt))
      .to.be.revertedWithCustomError(f.registry, "SigilNextKeyIsController")
      .withArgs(id, x.address);
    await f.networkHelpers.time.increase(DAY);
    await expect(f.registry.finalizeRecovery(id, restore)).to.emit(f.registry, "DIDRecovered");
    expect(await f.registry.nextOwnerCommitment(id)).to.equal(good.commitment);
    expect(await f.registry.identityOwner(id)).to.equal(x.address);
  });

  it("change chain: every change, commitments, guardian and recovery events included, lies on the previousChange chain from changed()", async () => {
    const owner = await f.wallet();
    const id = owner.address;
    const reg = f.registry.connect(owner);
    const gs = [f.signers[4], f.signers[5], f.signers[6]];
    const g = f.guardianSet(
      id,
      gs.map((s) => s.address),
      2,
      DAY,
    );

    await reg.setAttribute(id, f.b32("did/svc/Inbox"), "0x01", DAY);
    await f.setGuardians(owner, id, g); // DIDGuardiansChanged (immediate)
    const single = f.guardianSet(id, [gs[0].address], 1, DAY);
    await f.setGuardians(owner, id, single); // DIDGuardiansProposed
    const next = await f.wallet();
    const n = f.nextKey(next);
    const before = await f.registry.changed(id);
    const commitTx = await reg.commitNextOwner(id, n.commitment); // and DIDGuardianChangeCancelled
    const commitBlock = BigInt((await commitTx.wait())!.blockNumber);
    await expect(commitTx).to.emit(f.registry, "DIDNextOwnerCommitted").withArgs(id, n.commitment, before);
    await expect(commitTx).to.emit(f.registry, "DIDGuardianChangeCancelled").withArgs(id, before);
    expect(await f.registry.changed(id), "commitNextOwner advances changed()").to.equal(commitBlock);

    await f.networkHelpers.time.increase(DAY); // the commitment becomes senior
    const p1 = f.proposal(f.signers[7].address, f.ethers.ZeroHash, true);
    await f.approve(gs[0], id, p1, g, 0); // DIDRecoveryProposed, DIDRecoveryApproved
    await f.approve(gs[1], id, p1, g, 1); // armed
    await f.registry.connect(next).cancelRecovery(id, n.salt); // DIDRecoveryCancelled
    await reg.addDelegate(id, f.b32("veriKey"), f.signers[2].address, DAY); // DIDDelegateChanged
    const after = await f.wallet();
    // DIDOwnerRotated, DIDOwnerChanged, DIDGuardiansChanged (the set, installed again by the next key)
    const again = { replace: true, root: g.root, threshold: g.threshold, delay: g.delay };
    await f.registry.connect(next).rotate(id, n.salt, f.rotation(next.address, f.nextKey(after).commitment, true, [], [], again));

    // A guardian recovery, finalised: DIDRecovered.
    const p2 = f.proposal(next.address, f.nextKey(await f.wallet(), "p2").commitment, false);
    await f.approve(gs[1], id, p2, g, 1);
    await f.approve(gs[2], id, p2, g, 2);
    await f.networkHelpers.time.increase(DAY);
    await f.registry.finalizeRecovery(id, p2);

    // Walk the chain as an ERC-1056 resolver does: from changed(), one block at a time.
    const idTopic = f.ethers.zeroPadValue(id, 32);
    const walked: Log[] = [];
    let block = await f.registry.changed(id);
    while (block !== 0n) {
      const logs = await f.ethers.provider.getLogs({ address: f.address, topics: [null, idTopic], fromBlock: block, toBlock: block });
      expect(logs.length, `block ${block} holds a change of the identity`).to.be.greaterThan(0);
      walked.unshift(...logs);
      const previous = logs
        .map((l) => f.registry.interface.parseLog(l)!)
        .filter((p) => p.fragment.inputs.some((i) => i.name === "previousChange"))
        .map((p) => p.args.previousChange as bigint);
      expect(new Set(previous).size, "one previousChange per block").to.equal(1);
      expect(previous[0]).to.be.lessThan(block);
      block = previous[0];
    }
    const all = await f.ethers.provider.getLogs({ address: f.address, topics: [null, idTopic], fromBlock: 0 });
    const key = (l: Log) => `${l.blockNumber}:${l.index}`;
    expect(walked.map(key).sort()).to.deep.equal(all.map(key).sort());
    const names = new Set(walked.map((l) => f.registry.interface.parseLog(l)!.name));
    const emitted: string[] = [];
    f.registry.interface.forEachEvent((ev) => {
      if (ev.name !== "EIP712DomainChanged") emitted.push(ev.name); // ERC-5267's, never emitted: the domain is fixed
    });
    expect([...names].sort(), "every event the registry has is on the chain").to.deep.equal([...new Set(emitted)].sort());
  });

  it("legacy signatures: a legacy signed deactivation is refused (SigilLegacyDeactivation); legacy changes of owner and chain-bound deactivations work", async () => {
    const w = await f.wallet();
    const id = w.address;
    let h = await f.legacyHash(id, "changeOwner", ["address"], [f.ethers.ZeroAddress]);
    let s = f.legacySign(w, h);
    await expect(relayer().changeOwnerSigned(id, s.v, s.r, s.s, f.ethers.ZeroAddress))
      .to.be.revertedWithCustomError(f.registry, "SigilLegacyDeactivation")
      .withArgs(id);
    expect(await f.registry.nonce(id), "no nonce consumed").to.equal(0n);

    const other = await f.wallet();
    h = await f.legacyHash(id, "changeOwner", ["address"], [other.address]);
    s = f.legacySign(w, h);
    await expect(relayer().changeOwnerSigned(id, s.v, s.r, s.s, other.address))
      .to.emit(f.registry, "DIDOwnerChanged")
      .withArgs(id, other.address, 0n);
    expect(await f.registry.identityOwner(id)).to.equal(other.address);

    // EIP-712 deactivation (bound to this chain and contract) works...
    const d = await f.typedSign(other, "Deactivate", { identity: id });
    const prev = await f.registry.changed(id);
    await expect(relayer().deactivateWithSig(id, d.deadline, d.signature))
      .to.emit(f.registry, "DIDOwnerChanged")
      .withArgs(id, f.ethers.ZeroAddress, prev);
    // ...and so does a direct one.
    const w2 = await f.wallet();
    await expect(f.registry.connect(w2).deactivate(w2.address))
      .to.emit(f.registry, "DIDOwnerChanged")
      .withArgs(w2.address, f.ethers.ZeroAddress, 0n);
    expect((await f.registry.identityState(w2.address)).deactivated).to.equal(true);
  });

  describe("a purge costs O(1) gas whatever the thief added; revokeEntries revokes in batches", () => {
    const TWO_KB = "0x" + "5a".repeat(2048);

    /** Gas of a purging rotation that lists nothing, after the thief published `attributes` 2 KB attributes and `delegates` delegates. */
    async function purgeGas(attributes: number, delegates: number) {
      const { id, current: thief, next, n } = await committed();
      for (let i = 0; i < attributes; i++) await f.registry.connect(thief).setAttribute(id, f.b32(`did/svc/Spam${i}`), TWO_KB, 365n * DAY);
      for (let i = 0; i < delegates; i++) {
        await f.registry
          .connect(thief)
          .addDelegate(id, f.b32("sigAuth"), f.ethers.getAddress(f.ethers.zeroPadValue(f.ethers.toBeHex(i + 1), 20)), 365n * DAY);
      }
      // The same next commitment (and so the same calldata) in both runs.
      const tx = await f.registry.connect(next).rotate(id, n.salt, f.rotation(next.address, f.ethers.id("next commitment"), true));
      const gas = (await tx.wait())!.gasUsed;
      return { id, thief, gas };
    }

    it("a purge after 50 attributes of 2 KB and 20 delegates costs what it costs after none, and voids them all", async () => {
      const clean = await purgeGas(0, 0);
      const spammed = await purgeGas(50, 20);
      const diff = spammed.gas > clean.gas ? spammed.gas - clean.gas : clean.gas - spammed.gas;
      expect(Number(diff), `purge gas ${clean.gas} vs ${spammed.gas}`).to.be.at.most(100);
      expect(Number(spammed.gas)).to.be.below(80_000);

      // No earlier entry is valid: not one delegate, and by the method's rules (activeEntries over
      // the decoded history) not one attribute either.
      for (let i = 0; i < 20; i++) {
        const d = f.ethers.getAddress(f.ethers.zeroPadValue(f.ethers.toBeHex(i + 1), 20));
        expect(await f.registry.validDelegate(spammed.id, f.b32("sigAuth"), d)).to.equal(false);
        expect(await f.registry.delegates(spammed.id, f.typeHash("sigAuth"), d)).to.equal(0n);
      }
      const logs = await f.ethers.provider.getLogs({
        address: f.address,
        topics: [null, f.ethers.zeroPadValue(spammed.id, 32)],
        fromBlock: 0,
      });
      const events = decodeRegistryLogs(
        logs.map((l) => ({
          data: l.data as `0x${string}`,
          topics: l.topics as [`0x${string}`, ...`0x${string}`[]],
          blockNumber: BigInt(l.blockNumber),
          logIndex: l.index,
        })),
      );
      // 50, and the commitment's ERC-1056 marker ("sigil/next", value empty, validTo 0).
      expect(events.filter((e) => e.kind === "attribute")).to.have.length(50);
      expect(events.filter((e) => e.kind === "marker")).to.have.length(1);
      const active = activeEntries(events, await f.now());
      expect(active.delegates).to.deep.equal([]);
      expect(active.attributes).to.deep.equal([]);
      expect((await f.registry.identityState(spammed.id)).epoch).to.equal(1n);
    });

    it("revokeEntries revokes a batch with ERC-1056 events, by the controller only", async () => {
      const w = await f.wallet();
      const id = w.address;
      const reg = f.registry.connect(w);
      const delegates = Array.from({ length: 10 }, (_, i) => ({ delegateType: f.b32("veriKey"), delegate: f.signers[i + 1].address }));
      const attributes = Array.from({ length: 10 }, (_, i) => ({
        name: f.b32(`did/svc/S${i}`),
        value: f.ethers.hexlify(f.ethers.toUtf8Bytes(`https://s${i}.example`)),
      }));
      for (const d of delegates) await reg.addDelegate(id, d.delegateType, d.delegate, DAY);
      for (const a of attributes) await reg.setAttribute(id, a.name, a.value, DAY);
      await expect(f.registry.connect(f.signers[2]).revokeEntries(id, delegates, attributes)).to.be.revertedWith("bad_actor");

      const prev = await f.registry.changed(id);
      const tx = await reg.revokeEntries(id, delegates, attributes);
      const r = (await tx.wait())!;
      const t = BigInt((await f.ethers.provider.getBlock(r.blockNumber))!.timestamp);
      expect(r.logs).to.have.length(20);
      for (const d of delegates) {
        await expect(tx).to.emit(f.registry, "DIDDelegateChanged").withArgs(id, d.delegateType, d.delegate, t, prev);
        expect(await f.registry.validDelegate(id, d.delegateType, d.delegate)).to.equal(false);
        expect(await f.registry.delegates(id, f.typeHash("veriKey"), d.delegate)).to.equal(t);
      }
      for (const a of attributes) await expect(tx).to.emit(f.registry, "DIDAttributeChanged").withArgs(id, a.name, a.value, 0n, prev);
      expect(await f.registry.changed(id)).to.equal(BigInt(r.blockNumber));
      // The current key may clean up even under a commitment: revocations give it no control.
      const next = f.nextKey(await f.wallet());
      await reg.commitNextOwner(id, next.commitment);
      await expect(reg.revokeEntries(id, delegates.slice(0, 1), [])).to.emit(f.registry, "DIDDelegateChanged");
    });
  });
});

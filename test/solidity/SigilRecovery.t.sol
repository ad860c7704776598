// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ISigilRegistry} from "../../contracts/ISigilRegistry.sol";
import {ISigilRecovery} from "../../contracts/ISigilRecovery.sol";
import "./SigilTest.sol" as T;
import {SigilFixture, vm} from "./SigilTest.sol";

/// @title Fuzz tests of guardian recovery: thresholds, seniority, delays, vetoes
/// @dev The identity is this contract (so its calls need no prank); the next key is an EOA.
contract SigilRecoveryFuzzTest is SigilFixture {
    uint256 internal constant NEXT_KEY = 0xA11CE;
    bytes32 internal constant SALT = keccak256("next key salt");

    struct Times {
        uint256 committedAt;
        uint256 guardiansSince;
        uint256 armedAt;
        uint256 delay;
    }

    function _next() internal pure returns (address) {
        return vm.addr(NEXT_KEY);
    }

    function _proposal(uint256 seed) internal pure returns (ISigilRecovery.RecoveryProposal memory) {
        return ISigilRecovery.RecoveryProposal(address(uint160(0xB0B0 + (seed % 4))), bytes32(seed), seed % 2 == 0, T.keepGuardians());
    }

    function _state() internal view returns (ISigilRecovery.RecoveryState memory) {
        return registry.recoveryState(address(this));
    }

    /// @dev Arms `p` at once with guardian 1 (threshold 1).
    function _arm(ISigilRecovery.RecoveryProposal memory p) internal returns (uint256 armedAt) {
        _approve(address(this), p, 1);
        armedAt = _state().armedAt;
        require(armedAt == block.timestamp, "threshold 1 did not arm");
    }

    /// @dev Builds four orders in which a commitment and a guardian set can come to be, at
    /// fuzzed times, arms a recovery, and lets the next key try to veto it (rotate or cancel,
    /// direct or signed). The veto must work exactly when the seniority rule says:
    /// `committedAt + delay <= armedAt || committedAt < guardiansSince`, where an applied set's
    /// `guardiansSince` is when it was proposed.
    /// Order 0: guardians at once, then the commitment. 1: the commitment, then guardians
    /// (pending, applied). 2: guardians, the commitment, then a new delay (pending, applied).
    /// 3: guardians, a new delay proposed, then the commitment, then the new delay applied.
    function testFuzz_seniorityRuleDecidesTheVeto(
        uint8 order,
        uint256 gap1Seed,
        uint256 gap2Seed,
        uint256 delaySeed,
        uint256 delay2Seed,
        uint8 path
    ) public {
        Times memory t;
        t.delay = T.bound(delaySeed, T.MIN_DELAY, 30 days);
        // A quarter of the runs have the commitment and the proposal within a second.
        uint256 gap1 = gap1Seed % 4 == 0 ? (gap1Seed / 4) % 2 : T.bound(gap1Seed, 0, 2 * t.delay);
        // Half the runs land within a second of the boundary committedAt + delay == armedAt.
        uint256 gap2 = gap2Seed % 2 == 0 ? t.delay - 1 + (gap2Seed / 2) % 3 : T.bound(gap2Seed, 0, 2 * t.delay);
        uint256 delay2 = T.bound(delay2Seed, T.MIN_DELAY, 30 days);
        bytes32 commitment = T.commitmentTo(_next(), SALT);
        if (order % 4 == 1) {
            // The set comes with a rotation by the next key (under a commitment, the only way
            // besides a recovery): the new commitment keeps the consumed one's seniority.
            address first = address(0xF125);
            t.committedAt = block.timestamp;
            registry.commitNextOwner(address(this), T.commitmentTo(first, SALT));
            vm.warp(block.timestamp + gap1);
            t.guardiansSince = block.timestamp;
            ISigilRegistry.Rotation memory rot = _rotation(address(this), commitment, false);
            rot.guardians = ISigilRecovery.GuardianUpdate(true, guardianRoot, 1, t.delay);
            vm.prank(first);
            registry.rotate(address(this), SALT, rot);
        } else {
            registry.setGuardians(address(this), guardianRoot, 1, t.delay); // immediate
            t.guardiansSince = block.timestamp;
            if (order % 4 == 3) {
                // A change proposed before the commitment dies with it: the set stays.
                registry.setGuardians(address(this), guardianRoot, 1, delay2);
                vm.warp(block.timestamp + gap1);
                t.committedAt = block.timestamp;
                registry.commitNextOwner(address(this), commitment);
                require(_state().pendingEffectiveAt == 0, "a proposal survived the commitment");
            } else {
                vm.warp(block.timestamp + gap1);
                t.committedAt = block.timestamp;
                // No later guardian change: under a commitment the current key cannot propose one.
                registry.commitNextOwner(address(this), commitment);
            }
        }
        vm.warp(block.timestamp + gap2);
        ISigilRecovery.RecoveryProposal memory p = _proposal(gap1Seed);
        t.armedAt = _arm(p);
        ISigilRecovery.RecoveryState memory s = _state();
        require(s.committedAt == t.committedAt && s.guardiansSince == t.guardiansSince, "recoveryState times are wrong");
        require(s.delay == t.delay && s.readyAt == t.armedAt + t.delay, "recoveryState delay or readyAt is wrong");

        bool senior = t.committedAt + t.delay <= t.armedAt || t.committedAt < t.guardiansSince;
        _veto(path % 4, senior, t);
        if (senior) {
            require(_state().armedAt == 0 && _state().round == s.round + 1, "the veto left the recovery armed");
            vm.warp(t.armedAt + t.delay);
            vm.expectRevert(_err(ISigilRecovery.SigilNoRecoveryPending.selector, address(this)));
            registry.finalizeRecovery(address(this), p);
        } else {
            require(_state().armedAt == t.armedAt, "a refused veto disarmed the recovery");
            vm.warp(t.armedAt + t.delay);
            registry.finalizeRecovery(address(this), p);
            require(registry.identityOwner(address(this)) == p.newOwner, "the recovery did not hand control over");
        }
    }

    /// @dev Path 0: rotate, 1: rotateWithSig, 2: cancelRecovery, 3: cancelRecoveryWithSig.
    function _veto(uint256 path, bool senior, Times memory t) internal {
        bytes memory expected;
        if (!senior && path < 2) {
            expected = abi.encodeWithSelector(ISigilRecovery.SigilRecoveryPending.selector, address(this), t.armedAt + t.delay);
        } else if (!senior) {
            expected = abi.encodeWithSelector(ISigilRecovery.SigilCommitmentNotSenior.selector, address(this), t.committedAt);
        }
        ISigilRegistry.Rotation memory rot = _rotation(_next(), bytes32(0), true);
        bytes32 commitment = T.commitmentTo(_next(), SALT);
        uint256 deadline = block.timestamp;
        bytes32 h = path == 1
            ? T.rotateHash(address(this), commitment, _state().commitmentNonce, rot, deadline)
            : keccak256(abi.encode(T.CANCEL_RECOVERY_TYPEHASH, address(this), commitment, _state().round, deadline));
        bytes memory sig = T.signTyped(NEXT_KEY, address(registry), h);
        if (expected.length != 0) vm.expectRevert(expected);
        if (path == 0) {
            vm.prank(_next());
            registry.rotate(address(this), SALT, rot);
        } else if (path == 1) {
            registry.rotateWithSig(address(this), _next(), SALT, rot, deadline, sig);
        } else if (path == 2) {
            vm.prank(_next());
            registry.cancelRecovery(address(this), SALT);
        } else {
            registry.cancelRecoveryWithSig(address(this), _next(), SALT, deadline, sig);
        }
    }

    /// @dev Threshold 2-4 over three distinct guardians, one listed twice: threshold-1 distinct
    /// approvals never arm, however they are sent, repeated or spread over proposals; the
    /// threshold-th arms (never, for 4).
    function testFuzz_thresholdMinusOneApprovalsNeverArm(uint8 thresholdSeed, uint8 orderSeed, uint256 proposalSeed, bool signed) public {
        uint256 threshold = T.bound(thresholdSeed, 2, 4);
        registry.setGuardians(address(this), guardianRoot, threshold, T.MIN_DELAY);
        ISigilRecovery.RecoveryProposal memory p = _proposal(proposalSeed);
        ISigilRecovery.RecoveryProposal memory other = _proposal(proposalSeed ^ 1);
        uint256 first = orderSeed % 3; // leaves 0-2 are the three distinct guardians
        for (uint256 k = 0; k < 3; ++k) {
            uint256 leaf = (first + k) % 3;
            _approveAs(p, leaf, signed);
            require(registry.recoveryState(address(this)).armedAt == 0 || k + 1 >= threshold, "fewer approvals than the threshold armed");
            if (k + 1 >= threshold) break;
            // The same guardian again, by the same leaf or (guardian 0) by its second leaf.
            vm.prank(_leafGuardian(leaf));
            vm.expectRevert(abi.encodeWithSelector(ISigilRecovery.SigilAlreadyApproved.selector, address(this), _leafGuardian(leaf)));
            registry.approveRecovery(address(this), p, _proofOf(leaf == 0 ? 3 : leaf));
            // Approvals of another proposal do not add up with these.
            _approveAs(other, (leaf + 1) % 3, !signed);
            require(_state().armedAt == 0, "approvals of different proposals added up");
            vm.expectRevert(_err(ISigilRecovery.SigilNoRecoveryPending.selector, address(this)));
            registry.finalizeRecovery(address(this), p);
        }
        ISigilRecovery.RecoveryState memory s = _state();
        if (threshold <= 3) {
            require(s.armedAt == block.timestamp && s.armedProposal == registry.recoveryProposalId(address(this), p), "threshold approvals did not arm");
            require(s.readyAt == block.timestamp + T.MIN_DELAY, "wrong readyAt");
        } else {
            require(s.armedAt == 0, "three distinct guardians armed a threshold of four");
        }
    }

    function _approveAs(ISigilRecovery.RecoveryProposal memory p, uint256 leaf, bool signed) internal {
        if (!signed) return _approve(address(this), p, leaf);
        uint256 deadline = block.timestamp;
        bytes32 h = T.approveHash(address(this), _state().round, p, deadline);
        bytes memory sig = T.signTyped(guardianKeys[leaf == 3 ? 0 : leaf], address(registry), h);
        registry.approveRecoveryWithSig(address(this), p, _proofOf(leaf), deadline, sig);
    }

    /// @dev Non-guardians, wrong salts, a guardian's proof sent by someone else, a guardian
    /// signature relayed for another guardian's proof, and an earlier round's approvals.
    function testFuzz_onlyGuardiansOfTheCurrentRoundCount(address outsider, bytes32 salt, uint256 delaySeed) public {
        vm.assume(outsider != guardians[0] && outsider != guardians[1] && outsider != guardians[2]);
        uint256 delay = T.bound(delaySeed, T.MIN_DELAY, T.MAX_DELAY);
        registry.setGuardians(address(this), guardianRoot, 2, delay);
        ISigilRecovery.RecoveryProposal memory p = _proposal(uint256(salt));
        bytes memory notGuardian = abi.encodeWithSelector(ISigilRecovery.SigilNotGuardian.selector, address(this), outsider);
        vm.prank(outsider);
        vm.expectRevert(notGuardian);
        registry.approveRecovery(address(this), p, _proofOf(1));
        vm.prank(outsider);
        vm.expectRevert(notGuardian);
        registry.approveRecovery(address(this), p, ISigilRecovery.GuardianProof(outsider, salt, T.quadProof(leaves, 1)));
        ISigilRecovery.GuardianProof memory wrongSalt = _proofOf(1);
        wrongSalt.salt = bytes32(uint256(wrongSalt.salt) ^ 1);
        vm.prank(guardians[1]);
        vm.expectRevert(abi.encodeWithSelector(ISigilRecovery.SigilNotGuardian.selector, address(this), guardians[1]));
        registry.approveRecovery(address(this), p, wrongSalt);
        uint256 deadline = block.timestamp + 2 * T.MAX_DELAY;
        bytes32 h = T.approveHash(address(this), _state().round, p, deadline);
        bytes memory sig = T.signTyped(guardianKeys[2], address(registry), h);
        vm.expectRevert(abi.encodeWithSelector(ISigilRegistry.SigilInvalidSignature.selector, address(this), guardians[1]));
        registry.approveRecoveryWithSig(address(this), p, _proofOf(1), deadline, sig);

        // One approval, then a new guardian set (same guardians) starts a new round.
        registry.approveRecoveryWithSig(address(this), p, _proofOf(2), deadline, sig);
        vm.expectRevert(abi.encodeWithSelector(ISigilRecovery.SigilAlreadyApproved.selector, address(this), guardians[2]));
        registry.approveRecoveryWithSig(address(this), p, _proofOf(2), deadline, sig);
        registry.setGuardians(address(this), guardianRoot, 2, T.MIN_DELAY);
        vm.warp(block.timestamp + delay);
        registry.applyGuardians(address(this));
        vm.expectRevert(abi.encodeWithSelector(ISigilRegistry.SigilInvalidSignature.selector, address(this), guardians[2]));
        registry.approveRecoveryWithSig(address(this), p, _proofOf(2), deadline, sig);
        _approve(address(this), p, 1);
        require(_state().armedAt == 0, "an approval of an earlier round counted");
    }

    /// @dev A guardian change proposed while guardians exist waits out the current delay (a first
    /// set applies at once); a commitment drops it (under one, only the next key or a recovery
    /// changes guardians), an armed recovery blocks it and a finalised recovery drops it.
    function testFuzz_guardianChangeWaitsOutTheDelay(
        bool guardedBefore,
        uint256 delaySeed,
        uint256 newDelaySeed,
        uint256 earlySeed,
        uint8 veto
    ) public {
        uint256 delay = T.bound(delaySeed, T.MIN_DELAY, T.MAX_DELAY);
        uint256 newDelay = T.bound(newDelaySeed, T.MIN_DELAY, T.MAX_DELAY);
        bytes32 newRoot = T.pairRoot(leaves[1], leaves[2]);
        if (!guardedBefore) {
            // Nobody to protect against yet: the current key's first set applies at once.
            registry.setGuardians(address(this), newRoot, 2, newDelay);
            require(_state().guardianRoot == newRoot && _state().pendingEffectiveAt == 0, "a first set did not apply at once");
            return;
        }
        registry.setGuardians(address(this), guardianRoot, 1, delay);
        registry.setGuardians(address(this), newRoot, 2, newDelay);
        uint256 wait = delay;
        uint256 effectiveAt = block.timestamp + wait;
        ISigilRecovery.RecoveryState memory s = _state();
        require(s.pendingEffectiveAt == effectiveAt && s.pendingRoot == newRoot, "wrong pending change");
        require(s.guardianRoot == (guardedBefore ? guardianRoot : bytes32(0)), "the change took effect at once");

        vm.warp(block.timestamp + T.bound(earlySeed, 0, wait - 1));
        vm.expectRevert(abi.encodeWithSelector(ISigilRecovery.SigilGuardianChangeNotReady.selector, address(this), effectiveAt));
        registry.applyGuardians(address(this));
        uint256 how = guardedBefore ? veto % 3 : veto % 2;
        if (how == 1) {
            vm.expectEmit(true, false, false, false, address(registry));
            emit ISigilRecovery.DIDGuardianChangeCancelled(address(this), 0);
            registry.commitNextOwner(address(this), T.commitmentTo(_next(), SALT));
        } else if (how == 2) {
            ISigilRecovery.RecoveryProposal memory p = _proposal(earlySeed);
            uint256 armedAt = _arm(p);
            vm.warp(effectiveAt);
            vm.expectRevert(abi.encodeWithSelector(ISigilRecovery.SigilRecoveryPending.selector, address(this), armedAt + delay));
            registry.applyGuardians(address(this));
            vm.warp(block.timestamp + delay);
            registry.finalizeRecovery(address(this), p);
        }
        vm.warp(effectiveAt > block.timestamp ? effectiveAt : block.timestamp);
        if (how != 0) {
            require(_state().pendingEffectiveAt == 0, "the veto left the change pending");
            vm.expectRevert(_err(ISigilRecovery.SigilNoGuardianChange.selector, address(this)));
        }
        registry.applyGuardians(address(this));
        s = _state();
        bytes32 root = how == 0 ? newRoot : (guardedBefore ? guardianRoot : bytes32(0));
        require(s.guardianRoot == root, "wrong guardian set after the delay");
    }

    /// @dev With guardians, the current key cannot deactivate by any path; the next key (a
    /// rotation to zero, once its commitment is senior) and the guardians (a recovery to zero)
    /// can; removing the guardians first takes the delay.
    function testFuzz_guardsStopTheCurrentKeysDeactivation(uint256 ownerSeed, uint256 delaySeed, uint8 who) public {
        uint256 ownerKey = T.boundKey(ownerSeed);
        address identity = vm.addr(ownerKey);
        vm.assume(identity != _next());
        uint256 delay = T.bound(delaySeed, T.MIN_DELAY, T.MAX_DELAY);
        vm.prank(identity);
        registry.setGuardians(identity, guardianRoot, 1, delay);
        bytes memory guarded = _err(ISigilRecovery.SigilGuardedDeactivation.selector, identity);
        vm.prank(identity);
        vm.expectRevert(guarded);
        registry.deactivate(identity);
        vm.prank(identity);
        vm.expectRevert(guarded);
        registry.changeOwner(identity, address(0));
        bytes32 h = keccak256(abi.encode(T.DEACTIVATE_TYPEHASH, identity, 0, block.timestamp));
        bytes memory sig = T.signTyped(ownerKey, address(registry), h);
        vm.expectRevert(guarded);
        registry.deactivateWithSig(identity, block.timestamp, sig);
        h = keccak256(abi.encode(T.CHANGE_OWNER_TYPEHASH, identity, address(0), 0, block.timestamp));
        sig = T.signTyped(ownerKey, address(registry), h);
        vm.expectRevert(guarded);
        registry.changeOwnerWithSig(identity, address(0), block.timestamp, sig);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ownerKey, T.legacyChangeOwnerHash(address(registry), 0, identity, address(0)));
        vm.expectRevert(_err(ISigilRegistry.SigilLegacyDeactivation.selector, identity));
        registry.changeOwnerSigned(identity, v, r, s, address(0));
        require(!registry.identityState(identity).deactivated && registry.nonces(identity) == 0, "a refused deactivation left a trace");

        if (who % 3 == 0) {
            // The next key deactivates only once its commitment is senior (a delay old here).
            vm.prank(identity);
            registry.commitNextOwner(identity, T.commitmentTo(_next(), SALT));
            vm.warp(block.timestamp + delay - 1);
            vm.prank(_next());
            vm.expectRevert(abi.encodeWithSelector(ISigilRecovery.SigilCommitmentNotSenior.selector, identity, block.timestamp + 1 - delay));
            registry.rotate(identity, SALT, _rotation(address(0), bytes32(0), false));
            vm.warp(block.timestamp + 1);
            vm.prank(_next());
            registry.rotate(identity, SALT, _rotation(address(0), bytes32(0), false));
        } else if (who % 3 == 1) {
            ISigilRecovery.RecoveryProposal memory p = ISigilRecovery.RecoveryProposal(address(0), bytes32(0), false, T.keepGuardians());
            _approve(identity, p, 0);
            vm.warp(block.timestamp + delay);
            registry.finalizeRecovery(identity, p);
        } else {
            vm.prank(identity);
            registry.setGuardians(identity, bytes32(0), 0, 0);
            vm.warp(block.timestamp + delay - 1);
            vm.prank(identity);
            vm.expectRevert(guarded);
            registry.deactivate(identity);
            vm.warp(block.timestamp + 1);
            registry.applyGuardians(identity);
            vm.prank(identity);
            registry.deactivate(identity);
        }
        require(registry.identityState(identity).deactivated, "not deactivated");
    }

    /// @dev An armed recovery waits out the delay, then anyone finalises exactly the armed
    /// proposal: controller, commitment (kept, cleared or new), purge, and a pending change dropped.
    function testFuzz_recoveryFinalisesAfterTheDelayOnly(
        uint256 delaySeed,
        uint256 earlySeed,
        address newOwner,
        uint8 commitmentChoice,
        bool purge
    ) public {
        uint256 delay = T.bound(delaySeed, T.MIN_DELAY, T.MAX_DELAY);
        registry.setGuardians(address(this), guardianRoot, 2, delay);
        registry.addDelegate(address(this), "veriKey", address(0xBEEF), 1000 days);
        bytes32 current = T.commitmentTo(_next(), SALT);
        registry.setGuardians(address(this), bytes32(0), 0, 0); // pending; the recovery drops it
        registry.commitNextOwner(address(this), current);
        bytes32 nextCommitment = [bytes32(0), current, keccak256(abi.encode(earlySeed))][commitmentChoice % 3];
        ISigilRecovery.RecoveryProposal memory p = ISigilRecovery.RecoveryProposal(newOwner, nextCommitment, purge, T.keepGuardians());
        if (newOwner == address(0) && nextCommitment != bytes32(0)) {
            vm.prank(guardians[0]);
            vm.expectRevert(abi.encodeWithSelector(ISigilRecovery.SigilInvalidRecovery.selector));
            registry.approveRecovery(address(this), p, _proofOf(0));
            return;
        }
        _approve(address(this), p, 0);
        _approve(address(this), p, 2);
        uint256 readyAt = block.timestamp + delay;
        vm.warp(block.timestamp + T.bound(earlySeed, 0, delay - 1));
        vm.expectRevert(abi.encodeWithSelector(ISigilRecovery.SigilRecoveryNotReady.selector, address(this), readyAt));
        registry.finalizeRecovery(address(this), p);
        vm.warp(readyAt);
        vm.expectRevert(_err(ISigilRecovery.SigilNoRecoveryPending.selector, address(this)));
        registry.finalizeRecovery(address(this), ISigilRecovery.RecoveryProposal(newOwner, nextCommitment, !purge, T.keepGuardians()));
        ISigilRecovery.RecoveryState memory before = _state();
        vm.prank(address(0xF1));
        registry.finalizeRecovery(address(this), p);

        ISigilRecovery.RecoveryState memory s = _state();
        require(registry.identityOwner(address(this)) == newOwner, "wrong controller after recovery");
        bytes32 expected = newOwner == address(0) ? bytes32(0) : nextCommitment;
        require(s.nextOwnerCommitment == expected, "wrong commitment after recovery");
        bool kept = expected == current;
        require(s.committedAt == (kept ? before.committedAt : (expected == bytes32(0) ? 0 : block.timestamp)), "wrong committedAt");
        require(s.commitmentNonce == before.commitmentNonce + (kept || expected == bytes32(0) ? 0 : 1), "wrong commitmentNonce");
        require(s.pendingEffectiveAt == 0 && s.armedAt == 0 && s.round == before.round + 1, "recovery left state behind");
        require(registry.identityState(address(this)).epoch == (purge ? 1 : 0), "wrong epoch");
        require(registry.validDelegate(address(this), "veriKey", address(0xBEEF)) == (!purge && newOwner != address(0)), "wrong delegate validity");
        require(registry.changed(address(this)) == block.number, "recovery did not advance changed");
        if (newOwner != address(0)) {
            vm.expectRevert(_err(ISigilRecovery.SigilNoRecoveryPending.selector, address(this)));
            registry.finalizeRecovery(address(this), p);
        }
    }

    function testFuzz_guardianPolicyBounds(bytes32 root, uint256 threshold, uint256 delay, bool small) public {
        if (small) (threshold, delay) = (threshold % 300, delay % (2 * T.MAX_DELAY));
        bool none = root == bytes32(0);
        bool valid = none
            ? threshold == 0 && delay == 0
            : threshold >= 1 && threshold <= 255 && delay >= T.MIN_DELAY && delay <= T.MAX_DELAY;
        if (!valid) {
            vm.expectRevert(abi.encodeWithSelector(ISigilRecovery.SigilInvalidGuardianPolicy.selector, threshold, delay));
        } else if (none) {
            vm.expectRevert(_err(ISigilRecovery.SigilNoGuardians.selector, address(this)));
        }
        registry.setGuardians(address(this), root, threshold, delay);
        ISigilRecovery.RecoveryState memory s = _state();
        if (valid && !none) {
            require(s.guardianRoot == root && s.threshold == threshold && s.delay == delay, "guardians not set");
            require(s.guardiansSince == block.timestamp && s.round == 1, "guardiansSince or round not set");
        } else {
            require(s.guardianRoot == bytes32(0) && registry.changed(address(this)) == 0, "a refused policy left a trace");
        }
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ISigilRegistry} from "../../contracts/ISigilRegistry.sol";
import {ISigilRecovery} from "../../contracts/ISigilRecovery.sol";
import "./SigilTest.sol" as T;
import {SigilFixture, vm} from "./SigilTest.sol";

/// @title Fuzz tests of recovery timing: seniority through rotations, the next key's deactivation
/// of a guarded identity, approval windows, and guardian sets dated from their proposal
/// @dev The identity is this contract: its calls are the current key's (the owner's, or a
/// thief's who stole it). Next keys are EOAs.
contract SigilRecoveryTimingFuzzTest is SigilFixture {
    uint256 internal constant OWNER_NEXT = 0xA11CE; // the owner's offline next key
    uint256 internal constant OWNER_NEXT2 = 0xA11CE2; // the one it commits to when it rotates
    uint256 internal constant THIEF_KEY = 0x7E1F; // a key the thief commits to
    bytes32 internal constant SALT = keccak256("timing salt");

    /// @dev Times of one scenario, in one place (the stack is short).
    struct Clock {
        uint256 delay;
        uint256 committedAt;
        uint256 proposedAt;
        uint256 armedAt;
    }

    function _addr(uint256 key) internal pure returns (address) {
        return vm.addr(key);
    }

    /// @dev The key committed to by `key`'s chain: `key + n` for the n-th hop.
    function _commitTo(uint256 key) internal pure returns (bytes32) {
        return T.commitmentTo(vm.addr(key), SALT);
    }

    function _state() internal view returns (ISigilRecovery.RecoveryState memory) {
        return registry.recoveryState(address(this));
    }

    function _pendingError(uint256 readyAt) internal view returns (bytes memory) {
        return abi.encodeWithSelector(ISigilRecovery.SigilRecoveryPending.selector, address(this), readyAt);
    }

    function _notSeniorError(uint256 committedAt) internal view returns (bytes memory) {
        return abi.encodeWithSelector(ISigilRecovery.SigilCommitmentNotSenior.selector, address(this), committedAt);
    }

    /// @dev Within a second of `edge` half the time (a second before, at, or after), otherwise
    /// anywhere in [lo, hi].
    function _near(uint256 seed, uint256 edge, uint256 lo, uint256 hi) internal pure returns (uint256) {
        if (seed % 2 == 0 && edge >= lo + 1) return edge - 1 + (seed / 2) % 3;
        return T.bound(seed / 2, lo, hi);
    }

    /// @dev The next key `key` acts on the armed recovery: path 0 rotate, 1 rotateWithSig (both
    /// handing over to `rot`), 2 cancelRecovery, 3 cancelRecoveryWithSig. `expected` empty: it works.
    function _veto(uint256 key, uint256 path, ISigilRegistry.Rotation memory rot, bytes memory expected) internal {
        ISigilRecovery.RecoveryState memory s = _state();
        address next = _addr(key);
        uint256 deadline = block.timestamp;
        bytes32 h = path == 1
            ? T.rotateHash(address(this), s.nextOwnerCommitment, s.commitmentNonce, rot, deadline)
            : keccak256(abi.encode(T.CANCEL_RECOVERY_TYPEHASH, address(this), s.nextOwnerCommitment, s.round, deadline));
        bytes memory sig = T.signTyped(key, address(registry), h);
        if (expected.length != 0) vm.expectRevert(expected);
        if (path == 0) {
            vm.prank(next);
            registry.rotate(address(this), SALT, rot);
        } else if (path == 1) {
            registry.rotateWithSig(address(this), next, SALT, rot, deadline, sig);
        } else if (path == 2) {
            vm.prank(next);
            registry.cancelRecovery(address(this), SALT);
        } else {
            registry.cancelRecoveryWithSig(address(this), next, SALT, deadline, sig);
        }
    }

    /// @dev What a veto by the next key must revert with when its commitment is not senior.
    function _juniorVeto(uint256 path, Clock memory c) internal view returns (bytes memory) {
        return path < 2 ? _pendingError(c.armedAt + c.delay) : _notSeniorError(c.committedAt);
    }

    // ------------------------------------------------------------------ 1. seniority through a rotation

    /// @dev Registry 2.0's hole (issue 19, item 1): the owner committed to an offline next key;
    /// a thief with the current key names a 1-of-1 guardian set of his own, with any delay, to
    /// apply it, arm a recovery to himself and finalise it before the owner comes online. Under
    /// a commitment every guardian path of the current key is refused, whenever he tries, so
    /// whenever the owner's next key comes online (here up to 60 days later) it rotates.
    function testFuzz_aThiefWithTheCurrentKeyRaisesNoGuardiansUnderACommitment(
        uint256 delaySeed,
        uint256 gap1Seed,
        uint256 gap2Seed,
        uint8 path,
        bool purge
    ) public {
        uint256 delay = T.bound(delaySeed, T.MIN_DELAY, T.MAX_DELAY);
        registry.commitNextOwner(address(this), _commitTo(OWNER_NEXT));
        vm.warp(block.timestamp + T.bound(gap1Seed, 0, 60 days));
        bytes memory committed = _err(ISigilRegistry.SigilNextOwnerCommitted.selector, address(this));
        vm.expectRevert(committed);
        registry.setGuardians(address(this), guardianRoot, 1, delay);
        vm.expectRevert(committed);
        registry.setGuardians(address(this), bytes32(0), 0, 0);
        vm.warp(block.timestamp + delay);
        vm.expectRevert(_err(ISigilRecovery.SigilNoGuardianChange.selector, address(this)));
        registry.applyGuardians(address(this));
        ISigilRecovery.RecoveryProposal memory p = ISigilRecovery.RecoveryProposal(address(0x7E1F), bytes32(0), true, T.keepGuardians());
        vm.prank(guardians[0]);
        vm.expectRevert(_err(ISigilRecovery.SigilNoGuardians.selector, address(this)));
        registry.approveRecovery(address(this), p, _proofOf(0));

        vm.warp(block.timestamp + T.bound(gap2Seed, 0, 60 days));
        _veto(OWNER_NEXT, path % 2, _rotation(_addr(OWNER_NEXT), _commitTo(OWNER_NEXT2), purge), "");
        require(registry.identityOwner(address(this)) == _addr(OWNER_NEXT), "the owner's next key did not rotate");
        require(_state().guardianRoot == bytes32(0), "guardians appeared");
    }

    /// @dev A thief with the current key of a guarded identity commits to his own key after the
    /// guardians were set, then rotates (once or more) within the delay: each new commitment
    /// keeps his first commitment's time, so it stays junior. He cannot deactivate, and when
    /// the guardians arm within a delay of his commitment he cannot cancel or rotate; the
    /// recovery finalises over him.
    function testFuzz_aThiefsFreshCommitmentStaysJuniorThroughHisRotations(
        uint256 delaySeed,
        uint256 theftSeed,
        uint256 hopSeed,
        uint256 armSeed,
        uint8 hops,
        uint8 path
    ) public {
        Clock memory c;
        c.delay = T.bound(delaySeed, T.MIN_DELAY, 30 days);
        registry.setGuardians(address(this), guardianRoot, 1, c.delay); // the owner's, at once
        vm.warp(block.timestamp + T.bound(theftSeed, 0, 60 days));
        c.committedAt = block.timestamp;
        registry.commitNextOwner(address(this), _commitTo(THIEF_KEY)); // the thief's
        hops = uint8(T.bound(hops, 1, 3));
        // Hops spread over less than the delay, each a fuzzed share of what is left.
        uint256 budget = T.bound(hopSeed, 0, c.delay - 1);
        uint256 key = THIEF_KEY;
        for (uint256 i = 0; i < hops; ++i) {
            uint256 step = uint256(keccak256(abi.encode(hopSeed, i))) % (budget + 1);
            budget -= step;
            vm.warp(block.timestamp + step);
            // Deactivating first: refused, the commitment is not senior.
            vm.prank(_addr(key));
            vm.expectRevert(_notSeniorError(c.committedAt));
            registry.rotate(address(this), SALT, _rotation(address(0), bytes32(0), false));
            vm.prank(_addr(key));
            registry.rotate(address(this), SALT, _rotation(_addr(key), _commitTo(key + 1), i % 2 == 0));
            ++key;
            require(_state().committedAt == c.committedAt, "the thief's rotation changed his commitment's seniority");
        }
        // The guardians arm within the delay of the thief's first commitment.
        vm.warp(block.timestamp + T.bound(armSeed, 0, budget));
        ISigilRecovery.RecoveryProposal memory p = ISigilRecovery.RecoveryProposal(address(0xB0B), bytes32(0), true, T.keepGuardians());
        _approve(address(this), p, 2);
        c.armedAt = block.timestamp;
        require(_state().armedAt == c.armedAt && c.armedAt < c.committedAt + c.delay, "not armed in time");
        vm.warp(block.timestamp + T.bound(armSeed / 2, 0, c.delay - 1));
        _veto(key, path % 4, _rotation(_addr(key), _commitTo(key + 1), false), _juniorVeto(path % 4, c));
        vm.prank(_addr(key));
        vm.expectRevert(_pendingError(c.armedAt + c.delay));
        registry.rotate(address(this), SALT, _rotation(address(0), bytes32(0), false));
        vm.warp(c.armedAt + c.delay);
        registry.finalizeRecovery(address(this), p);
        require(registry.identityOwner(address(this)) == address(0xB0B), "the recovery did not restore the owner");
        require(_state().nextOwnerCommitment == bytes32(0), "the thief's commitment survived the recovery");
    }

    // ------------------------------------------------------------------ 2. deactivation by the next key

    /// @dev A next key deactivates a guarded identity (a rotation to zero, direct or signed)
    /// only with a commitment that is senior now: committed a delay ago, or before the guardian
    /// set. Refused, nothing changes, and a hand-over to another key is still allowed, whose
    /// commitment carries the same age: it deactivates exactly when the first one could have.
    /// Without guardians, a fresh commitment deactivates at once.
    function testFuzz_nextKeyDeactivatesAGuardedIdentityOnlyWhenSenior(
        uint256 delaySeed,
        uint256 gapSeed,
        uint256 ageSeed,
        uint8 mode,
        bool signed
    ) public {
        Clock memory c;
        c.delay = T.bound(delaySeed, T.MIN_DELAY, 30 days);
        bool guarded = mode % 4 != 0;
        if (guarded) registry.setGuardians(address(this), guardianRoot, 1, c.delay); // at once
        vm.warp(block.timestamp + T.bound(gapSeed, 0, 60 days));
        c.committedAt = block.timestamp;
        registry.commitNextOwner(address(this), _commitTo(OWNER_NEXT));
        uint256 age = _near(ageSeed, c.delay, 0, 2 * c.delay);
        vm.warp(c.committedAt + age);
        bool senior = !guarded || age >= c.delay;
        uint256 key = OWNER_NEXT;
        if (!senior && mode % 4 == 3) {
            // Hand over instead (allowed), then the new key tries.
            vm.prank(_addr(key));
            registry.rotate(address(this), SALT, _rotation(_addr(key), _commitTo(key + 1), false));
            ++key;
            require(_state().committedAt == c.committedAt, "the hand-over reset the seniority");
        }
        ISigilRecovery.RecoveryState memory before = _state();
        _deactivateAs(key, signed, senior ? bytes("") : _notSeniorError(c.committedAt));
        ISigilRegistry.IdentityState memory s = registry.identityState(address(this));
        require(s.deactivated == senior, senior ? "a senior next key could not deactivate" : "a junior next key deactivated");
        if (senior) return;
        require(
            s.nextOwnerCommitment == before.nextOwnerCommitment && keccak256(abi.encode(_state())) == keccak256(abi.encode(before)),
            "a refused deactivation left a trace"
        );
        // The same key, exactly once its commitment is a delay old.
        vm.warp(c.committedAt + c.delay - 1);
        _deactivateAs(key, signed, _notSeniorError(c.committedAt));
        vm.warp(c.committedAt + c.delay);
        _deactivateAs(key, !signed, "");
        require(registry.identityState(address(this)).deactivated, "a senior next key could not deactivate");
    }

    function _deactivateAs(uint256 key, bool signed, bytes memory expected) internal {
        ISigilRegistry.Rotation memory rot = _rotation(address(0), bytes32(0), true);
        ISigilRecovery.RecoveryState memory s = _state();
        uint256 deadline = block.timestamp;
        bytes32 h = T.rotateHash(address(this), s.nextOwnerCommitment, s.commitmentNonce, rot, deadline);
        bytes memory sig = T.signTyped(key, address(registry), h);
        if (expected.length != 0) vm.expectRevert(expected);
        if (signed) {
            registry.rotateWithSig(address(this), _addr(key), SALT, rot, deadline, sig);
        } else {
            vm.prank(_addr(key));
            registry.rotate(address(this), SALT, rot);
        }
    }

    /// @dev With a recovery armed, the rule is seniority to the arming (as for any rotation):
    /// senior then, the deactivation cancels the recovery; otherwise SigilRecoveryPending, even
    /// when the commitment has become a delay old since.
    function testFuzz_nextKeysDeactivationAgainstAnArmedRecovery(
        uint256 delaySeed,
        uint256 armSeed,
        uint256 laterSeed,
        bool signed
    ) public {
        Clock memory c;
        c.delay = T.bound(delaySeed, T.MIN_DELAY, 30 days);
        registry.setGuardians(address(this), guardianRoot, 1, c.delay);
        c.committedAt = block.timestamp;
        registry.commitNextOwner(address(this), _commitTo(OWNER_NEXT));
        vm.warp(c.committedAt + _near(armSeed, c.delay, 0, 2 * c.delay));
        ISigilRecovery.RecoveryProposal memory p = ISigilRecovery.RecoveryProposal(address(0xB0B), bytes32(0), false, T.keepGuardians());
        _approve(address(this), p, 0);
        c.armedAt = block.timestamp;
        vm.warp(block.timestamp + T.bound(laterSeed, 0, 2 * c.delay));
        bool senior = c.committedAt + c.delay <= c.armedAt;
        _deactivateAs(OWNER_NEXT, signed, senior ? bytes("") : _pendingError(c.armedAt + c.delay));
        require(registry.identityState(address(this)).deactivated == senior, "the deactivation ignored the armed recovery's rule");
        if (!senior) require(_state().armedAt == c.armedAt, "a refused deactivation disarmed the recovery");
    }

    // ------------------------------------------------------------------ 3. approval windows

    /// @dev One approval from an old incident (more than a delay ago) and M-1 fresh ones never
    /// arm: the proposal starts over at the first fresh one (DIDRecoveryProposed again, one
    /// approval). The stale guardian may approve again in the new tally, which then arms.
    /// Approvals within a delay of the first (at the edge included) arm at the M-th.
    function testFuzz_aStaleApprovalNeverCompletesLaterOnes(
        uint256 thresholdSeed,
        uint256 delaySeed,
        uint256 staleSeed,
        uint256 spreadSeed,
        bool stale
    ) public {
        uint256 threshold = T.bound(thresholdSeed, 2, 3);
        uint256 delay = T.bound(delaySeed, T.MIN_DELAY, 30 days);
        registry.setGuardians(address(this), guardianRoot, threshold, delay);
        ISigilRecovery.RecoveryProposal memory p = ISigilRecovery.RecoveryProposal(address(0xB0B), bytes32(0), true, T.keepGuardians());
        uint256 startedAt = block.timestamp;
        _approveExpecting(p, 0, 1, 0, stale);
        // The fresh approvals start after the window (stale) or within it; half the time at the
        // window's last second or the first after it.
        uint256 first = staleSeed % 2 == 0 ? delay : T.bound(staleSeed / 2, 0, delay);
        if (stale) first = staleSeed % 2 == 0 ? delay + 1 : T.bound(staleSeed / 2, delay + 1, 400 days);
        vm.warp(startedAt + first);
        uint256 restartedAt = block.timestamp;
        for (uint256 g = 1; g < threshold; ++g) {
            if (g > 1) {
                uint256 limit = stale ? restartedAt + delay : startedAt + delay;
                vm.warp(block.timestamp + T.bound(uint256(keccak256(abi.encode(spreadSeed, g))), 0, limit - block.timestamp));
            }
            uint256 count = stale ? g : g + 1;
            _approveExpecting(p, g, count, count >= threshold ? block.timestamp + delay : 0, g % 2 == 0);
        }
        ISigilRecovery.RecoveryState memory s = _state();
        if (!stale) {
            require(s.armedAt == block.timestamp, "approvals within the window did not arm");
            return;
        }
        require(s.armedAt == 0, "a stale approval completed later ones");
        // Guardian 0 again (by its other leaf), within the new window: counted anew, arms.
        vm.warp(block.timestamp + T.bound(spreadSeed, 0, restartedAt + delay - block.timestamp));
        _approveExpecting(p, 3, threshold, block.timestamp + delay, !stale);
        require(_state().armedAt == block.timestamp, "the new tally did not arm at the threshold");
    }

    /// @dev Approves `p` by `leaf`'s guardian expecting the proposal's events: DIDRecoveryProposed
    /// when the approval is the first of a tally, then DIDRecoveryApproved with `count` and `readyAt`.
    function _approveExpecting(
        ISigilRecovery.RecoveryProposal memory p,
        uint256 leaf,
        uint256 count,
        uint256 readyAt,
        bool signed
    ) internal {
        bytes32 id = registry.recoveryProposalId(address(this), p);
        uint256 previous = registry.changed(address(this));
        uint256 round = _state().round;
        if (count == 1) {
            vm.expectEmit(true, true, false, true, address(registry));
            emit ISigilRecovery.DIDRecoveryProposed(address(this), id, p, round, previous);
        }
        vm.expectEmit(true, true, false, true, address(registry));
        emit ISigilRecovery.DIDRecoveryApproved(address(this), id, _leafGuardian(leaf), count, readyAt, previous);
        _approveSigned(p, leaf, signed, "");
    }

    /// @dev A tally of one proposal, as the rule states it.
    struct Tally {
        uint256 startedAt;
        uint256 count;
        bool[3] approved; // by guardian, in this tally
    }

    /// @dev Five approvals of one proposal by fuzzed leaves at fuzzed times (often exactly at
    /// the window's edge or a second past it), threshold 2 or 3: each has the outcome and events
    /// the rule gives, counting only approvals within one delay of the tally's first, each
    /// guardian once per tally (its two leaves included).
    function testFuzz_approvalsCountWithinOneDelayOfTheFirst(
        uint256 thresholdSeed,
        uint256 delaySeed,
        uint256 leafSeed,
        uint256 timeSeed,
        bool signed
    ) public {
        uint256 threshold = T.bound(thresholdSeed, 2, 3);
        uint256 delay = T.bound(delaySeed, T.MIN_DELAY, 30 days);
        registry.setGuardians(address(this), guardianRoot, threshold, delay);
        ISigilRecovery.RecoveryProposal memory p = ISigilRecovery.RecoveryProposal(address(0xB0B), keccak256("c"), false, T.keepGuardians());
        Tally memory t;
        for (uint256 i = 0; i < 5; ++i) {
            uint256 r = uint256(keccak256(abi.encode(timeSeed, i)));
            uint256 edge = t.startedAt + delay; // the last second the tally counts
            if (i > 0) {
                uint256 kind = r % 4;
                if (kind == 1 && edge > block.timestamp) vm.warp(edge);
                else if (kind == 2 && edge + 1 > block.timestamp) vm.warp(edge + 1);
                else if (kind == 3) vm.warp(block.timestamp + T.bound(r / 4, 0, 2 * delay));
            }
            if (t.count != 0 && block.timestamp > edge) t = Tally(0, 0, [false, false, false]);
            if (t.count == 0) t.startedAt = block.timestamp;
            uint256 leaf = uint256(keccak256(abi.encode(leafSeed, i))) % 4;
            uint256 guardian = leaf == 3 ? 0 : leaf;
            if (t.approved[guardian]) {
                _approveSigned(p, leaf, signed, abi.encodeWithSelector(ISigilRecovery.SigilAlreadyApproved.selector, address(this), guardians[guardian]));
                continue;
            }
            t.approved[guardian] = true;
            ++t.count;
            uint256 readyAt = t.count >= threshold ? block.timestamp + delay : 0;
            _approveExpecting(p, leaf, t.count, readyAt, signed);
            if (readyAt != 0) {
                require(_state().armedAt == block.timestamp, "the threshold within the window did not arm");
                return;
            }
            require(_state().armedAt == 0, "armed below the threshold");
        }
    }

    /// @dev By the guardian (direct) or by its signature, relayed; `expected` empty: it works.
    function _approveSigned(ISigilRecovery.RecoveryProposal memory p, uint256 leaf, bool signed, bytes memory expected) internal {
        uint256 deadline = block.timestamp;
        bytes32 h = T.approveHash(address(this), _state().round, p, deadline);
        bytes memory sig = T.signTyped(guardianKeys[leaf == 3 ? 0 : leaf], address(registry), h);
        ISigilRecovery.GuardianProof memory proof = _proofOf(leaf);
        if (expected.length != 0) vm.expectRevert(expected);
        if (signed) {
            registry.approveRecoveryWithSig(address(this), p, proof, deadline, sig);
        } else {
            vm.prank(proof.guardian);
            registry.approveRecovery(address(this), p, proof);
        }
    }

    // ------------------------------------------------------------------ 4. sets dated from their proposal

    /// @dev A thief with the current key of a guarded identity proposes an innocuous-looking
    /// change (the same guardians, another delay) and commits to his own key while it is
    /// pending, hoping the set applies under his commitment: the commitment drops it (registry
    /// 2.0 let it apply, dated from its proposal). The guardians' set and seniority stay; his
    /// commitment vetoes their recovery exactly when it is a delay old at its arming.
    function testFuzz_aCommitmentDropsAGuardianProposalMadeBeforeIt(
        uint256 delaysSeed,
        uint256 gap1Seed,
        uint256 gap2Seed,
        uint8 path
    ) public {
        Clock memory c;
        c.delay = T.bound(delaysSeed, T.MIN_DELAY, 30 days);
        uint256 otherDelay = T.bound(delaysSeed / 2 ** 128, T.MIN_DELAY, 30 days);
        registry.setGuardians(address(this), guardianRoot, 1, c.delay); // the owner's, at once
        uint256 since = block.timestamp;
        vm.warp(block.timestamp + T.bound(gap1Seed / 2 ** 128, 0, 60 days));
        registry.setGuardians(address(this), guardianRoot, 1, otherDelay); // the thief's proposal
        uint256 effectiveAt = block.timestamp + c.delay;
        vm.warp(block.timestamp + T.bound(gap1Seed, 0, c.delay));
        c.committedAt = block.timestamp;
        vm.expectEmit(true, false, false, false, address(registry));
        emit ISigilRecovery.DIDGuardianChangeCancelled(address(this), 0);
        registry.commitNextOwner(address(this), _commitTo(THIEF_KEY));
        vm.warp(effectiveAt);
        vm.expectRevert(_err(ISigilRecovery.SigilNoGuardianChange.selector, address(this)));
        registry.applyGuardians(address(this));
        ISigilRecovery.RecoveryState memory s = _state();
        require(s.guardiansSince == since && s.delay == c.delay, "the owner's set changed");

        // The guardians arm, often within a second of the commitment's delay.
        uint256 armAt = _near(gap2Seed, c.committedAt + c.delay, block.timestamp, block.timestamp + 2 * c.delay);
        vm.warp(armAt > block.timestamp ? armAt : block.timestamp);
        ISigilRecovery.RecoveryProposal memory p = ISigilRecovery.RecoveryProposal(address(0xB0B), bytes32(0), true, T.keepGuardians());
        _approve(address(this), p, 1);
        c.armedAt = block.timestamp;
        bool senior = c.committedAt + c.delay <= c.armedAt;
        ISigilRegistry.Rotation memory rot = _rotation(_addr(THIEF_KEY), _commitTo(THIEF_KEY + 1), false);
        _veto(THIEF_KEY, path % 4, rot, senior ? bytes("") : _juniorVeto(path % 4, c));
        require((_state().armedAt == 0) == senior, "the veto's outcome ignores seniority");
        if (senior) return;
        vm.warp(c.armedAt + c.delay);
        registry.finalizeRecovery(address(this), p);
        require(registry.identityOwner(address(this)) == address(0xB0B), "the recovery did not restore the owner");
    }
}

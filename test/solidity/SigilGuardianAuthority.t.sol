// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1056} from "../../contracts/IERC1056.sol";
import {ISigilRegistry} from "../../contracts/ISigilRegistry.sol";
import {ISigilRecovery} from "../../contracts/ISigilRecovery.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import "./SigilTest.sol" as T;
import {SigilFixture, vm} from "./SigilTest.sol";

/// @title Registry 2.1: who may change guardians, what stock ERC-1056 readers see of Sigil-only
/// changes, and the horizons
/// @dev Each test names the issue-19 item it proves; each fails on registry 2.0.
contract SigilGuardianAuthorityTest is SigilFixture {
    bytes32 internal constant SALT = keccak256("owner's next salt");
    uint256 internal constant OWNER_NEXT = 0xA11CE;

    function _next() internal pure returns (address) {
        return vm.addr(OWNER_NEXT);
    }

    function _set(uint256 threshold, uint256 delay) internal view returns (ISigilRecovery.GuardianUpdate memory) {
        return ISigilRecovery.GuardianUpdate(true, guardianRoot, threshold, delay);
    }

    function _remove() internal pure returns (ISigilRecovery.GuardianUpdate memory) {
        return ISigilRecovery.GuardianUpdate(true, bytes32(0), 0, 0);
    }

    /// @dev Item 2: guardians a thief installed (here before the owner's commitment, the only way
    /// left) keep re-arming; the owner's next key, once senior, removes them in the rotation that
    /// vetoes their recovery, so they cannot arm again.
    function testFuzz_aSeniorRotationRemovesGuardiansInTheSameTransaction(uint256 delaySeed, uint256 lateSeed, bool signed) public {
        uint256 delay = T.bound(delaySeed, T.MIN_DELAY, 30 days);
        registry.setGuardians(address(this), guardianRoot, 1, delay); // the thief's (current key)
        registry.commitNextOwner(address(this), T.commitmentTo(_next(), SALT));
        vm.warp(block.timestamp + delay + T.bound(lateSeed, 0, 30 days)); // the commitment is senior now
        ISigilRecovery.RecoveryProposal memory p = ISigilRecovery.RecoveryProposal(guardians[1], bytes32(0), true, T.keepGuardians());
        _approve(address(this), p, 1); // armed: threshold 1
        ISigilRegistry.Rotation memory rot = _rotation(address(0xB0B), keccak256("fresh"), true);
        rot.guardians = _remove();
        if (signed) {
            ISigilRecovery.RecoveryState memory s = registry.recoveryState(address(this));
            bytes32 h = T.rotateHash(address(this), s.nextOwnerCommitment, s.commitmentNonce, rot, block.timestamp);
            registry.rotateWithSig(address(this), _next(), SALT, rot, block.timestamp, T.signTyped(OWNER_NEXT, address(registry), h));
        } else {
            vm.prank(_next());
            registry.rotate(address(this), SALT, rot);
        }
        ISigilRecovery.RecoveryState memory r = registry.recoveryState(address(this));
        require(r.armedAt == 0 && r.guardianRoot == bytes32(0) && r.pendingEffectiveAt == 0, "the thief's guardians survived the rotation");
        require(registry.identityOwner(address(this)) == address(0xB0B), "the rotation did not hand control over");
        vm.prank(guardians[1]);
        vm.expectRevert(_err(ISigilRecovery.SigilNoGuardians.selector, address(this)));
        registry.approveRecovery(address(this), p, _proofOf(1));
    }

    /// @dev Item 2, the other side: a next key that is not senior to the set (a thief's fresh
    /// one) only proposes its guardian change, for the set's delay; the guardians arm meanwhile,
    /// and the change can never apply over their armed recovery.
    function testFuzz_aJuniorRotationOnlyProposesAGuardianChange(uint256 delaySeed, uint256 earlySeed) public {
        uint256 delay = T.bound(delaySeed, T.MIN_DELAY, 30 days);
        registry.setGuardians(address(this), guardianRoot, 2, delay); // the owner's
        address thiefNext = address(0x7E1F);
        registry.commitNextOwner(address(this), T.commitmentTo(thiefNext, SALT)); // a thief, with the current key
        vm.warp(block.timestamp + T.bound(earlySeed, 0, delay - 1));
        ISigilRegistry.Rotation memory rot = _rotation(thiefNext, keccak256("thief's next"), true);
        rot.guardians = _remove();
        vm.prank(thiefNext);
        registry.rotate(address(this), SALT, rot);
        ISigilRecovery.RecoveryState memory r = registry.recoveryState(address(this));
        require(r.guardianRoot == guardianRoot && r.pendingEffectiveAt == block.timestamp + delay, "a junior key changed guardians at once");
        ISigilRecovery.RecoveryProposal memory p = ISigilRecovery.RecoveryProposal(guardians[1], bytes32(0), true, T.keepGuardians());
        _approve(address(this), p, 1);
        _approve(address(this), p, 2);
        vm.warp(r.pendingEffectiveAt);
        vm.expectRevert(abi.encodeWithSelector(ISigilRecovery.SigilRecoveryPending.selector, address(this), registry.recoveryState(address(this)).readyAt));
        registry.applyGuardians(address(this));
    }

    /// @dev Item 2: a recovery by legitimate guardians replaces the set in the same transaction
    /// (dropping one who colluded): the new set is in effect at once, dates from now, and the
    /// old guardians' approvals no longer count.
    function testFuzz_aRecoveryReplacesTheGuardianSet(uint256 delaySeed, uint256 newDelaySeed) public {
        uint256 delay = T.bound(delaySeed, T.MIN_DELAY, 30 days);
        uint256 newDelay = T.bound(newDelaySeed, T.MIN_DELAY, T.MAX_DELAY);
        registry.setGuardians(address(this), guardianRoot, 2, delay);
        bytes32 newRoot = T.pairRoot(leaves[1], leaves[2]);
        ISigilRecovery.GuardianUpdate memory u = ISigilRecovery.GuardianUpdate(true, newRoot, 1, newDelay);
        ISigilRecovery.RecoveryProposal memory p = ISigilRecovery.RecoveryProposal(address(0xB0B), keccak256("n"), true, u);
        _approve(address(this), p, 1);
        _approve(address(this), p, 2);
        vm.warp(block.timestamp + delay);
        uint256 round = registry.recoveryState(address(this)).round;
        registry.finalizeRecovery(address(this), p);
        ISigilRecovery.RecoveryState memory r = registry.recoveryState(address(this));
        require(r.guardianRoot == newRoot && r.threshold == 1 && r.delay == newDelay, "the recovery did not install its set");
        require(r.guardiansSince == block.timestamp && r.round == round + 2, "the new set's seniority or round is wrong");
        // Guardian 0 was dropped: its proof against the old root fails.
        vm.prank(guardians[0]);
        vm.expectRevert(abi.encodeWithSelector(ISigilRecovery.SigilNotGuardian.selector, address(this), guardians[0]));
        registry.approveRecovery(address(this), p, _proofOf(0));
    }

    /// @dev A proposal that could never be finalised (an invalid guardian update, a "keep" with
    /// stray fields) is refused at approval: an armed recovery must always be able to end.
    function testFuzz_aProposalThatCannotBeFinalisedIsNeverArmed(uint256 threshold, uint256 delay, bool replace) public {
        registry.setGuardians(address(this), guardianRoot, 1, T.MIN_DELAY);
        vm.assume(replace ? threshold == 0 || threshold > 255 || delay < T.MIN_DELAY || delay > T.MAX_DELAY : threshold != 0 || delay != 0);
        ISigilRecovery.GuardianUpdate memory u = ISigilRecovery.GuardianUpdate(replace, keccak256("root"), threshold, delay);
        ISigilRecovery.RecoveryProposal memory p = ISigilRecovery.RecoveryProposal(address(0xB0B), bytes32(0), false, u);
        vm.prank(guardians[1]);
        vm.expectRevert(abi.encodeWithSelector(ISigilRecovery.SigilInvalidGuardianPolicy.selector, threshold, delay));
        registry.approveRecovery(address(this), p, _proofOf(1));
    }

    /// @dev A removal ("none") with stray threshold or delay: finalising it would revert, so an
    /// armed one would block the identity until a senior next key cancelled it. Refused at approval.
    function testFuzz_aRemovalWithStrayFieldsIsNeverArmed(uint256 threshold, uint256 delay) public {
        vm.assume(threshold != 0 || delay != 0);
        registry.setGuardians(address(this), guardianRoot, 1, T.MIN_DELAY);
        ISigilRecovery.GuardianUpdate memory u = ISigilRecovery.GuardianUpdate(true, bytes32(0), threshold, delay);
        ISigilRecovery.RecoveryProposal memory p = ISigilRecovery.RecoveryProposal(address(0xB0B), bytes32(0), false, u);
        vm.prank(guardians[1]);
        vm.expectRevert(abi.encodeWithSelector(ISigilRecovery.SigilInvalidGuardianPolicy.selector, threshold, delay));
        registry.approveRecovery(address(this), p, _proofOf(1));
    }

    /// @dev Item 7: the identity's own key and the current controller never act as guardians,
    /// even when a set names them (with threshold 1, whoever holds the key would recover alone).
    function testFuzz_theControllerAndTheIdentityKeyAreNeverGuardians(bool asController, uint256 saltSeed) public {
        address owner = address(0x0C0C);
        address member = asController ? owner : address(this);
        bytes32 salt = keccak256(abi.encode(saltSeed));
        bytes32 leaf = T.guardianLeaf(member, salt);
        bytes32 other = T.guardianLeaf(guardians[1], _leafSalt(1));
        registry.setGuardians(address(this), T.pairRoot(leaf, other), 1, T.MIN_DELAY);
        if (asController) registry.changeOwner(address(this), owner);
        ISigilRecovery.GuardianProof memory proof = ISigilRecovery.GuardianProof(member, salt, T.pairProof(other));
        ISigilRecovery.RecoveryProposal memory p = ISigilRecovery.RecoveryProposal(address(0x7E1F), bytes32(0), false, T.keepGuardians());
        vm.prank(member);
        vm.expectRevert(abi.encodeWithSelector(ISigilRecovery.SigilGuardianIsController.selector, address(this), member));
        registry.approveRecovery(address(this), p, proof);
    }

    /// @dev Item 6: one guardian cannot flood the identity's history: at most
    /// MAX_APPROVALS_PER_ROUND approvals per round, and a new round (here after a cancellation)
    /// gives a fresh allowance.
    function test_oneGuardianHasABoundedNumberOfApprovalsPerRound() public {
        registry.setGuardians(address(this), guardianRoot, 3, T.MIN_DELAY);
        uint256 limit = registry.MAX_APPROVALS_PER_ROUND();
        for (uint256 i = 0; i < limit; ++i) {
            _approve(address(this), ISigilRecovery.RecoveryProposal(address(uint160(0xB000 + i)), bytes32(0), false, T.keepGuardians()), 1);
        }
        ISigilRecovery.RecoveryProposal memory p = ISigilRecovery.RecoveryProposal(address(0xBEEF), bytes32(0), false, T.keepGuardians());
        vm.prank(guardians[1]);
        vm.expectRevert(abi.encodeWithSelector(ISigilRecovery.SigilApprovalLimit.selector, address(this), guardians[1]));
        registry.approveRecovery(address(this), p, _proofOf(1));
        _approve(address(this), p, 2); // other guardians keep theirs
    }

    /// @dev Item 3: every Sigil-only change also emits an ERC-1056 DIDAttributeChanged marker
    /// that links its block into the previousChange chain stock readers walk.
    function test_sigilOnlyChangesEmitAnERC1056Marker() public {
        uint256 previous = block.number;
        registry.addDelegate(address(this), "veriKey", address(0xBEEF), 1 days);
        vm.roll(block.number + 5);
        _expectMarker("sigil/guardians", previous + 0);
        registry.setGuardians(address(this), guardianRoot, 1, T.MIN_DELAY);
        vm.roll(block.number + 5);
        _expectMarker("sigil/next", previous + 5);
        registry.commitNextOwner(address(this), T.commitmentTo(_next(), SALT));
        vm.roll(block.number + 5);
        vm.warp(block.timestamp + T.MIN_DELAY); // the commitment becomes senior: it may cancel
        ISigilRecovery.RecoveryProposal memory p = ISigilRecovery.RecoveryProposal(address(0xB0B), bytes32(0), false, T.keepGuardians());
        _expectMarker("sigil/recovery", previous + 10);
        _approve(address(this), p, 1);
        vm.roll(block.number + 5);
        _expectMarker("sigil/recovery", previous + 15);
        vm.prank(_next());
        registry.cancelRecovery(address(this), SALT);
        require(registry.changed(address(this)) == previous + 20, "changed is not the last Sigil-only change");
    }

    function _expectMarker(bytes32 name, uint256 previousChange) internal {
        vm.expectEmit(true, false, false, true, address(registry));
        emit IERC1056.DIDAttributeChanged(address(this), name, "", 0, previousChange);
    }

    /// @dev A `revokeEntries` with nothing in it would advance `changed` with no event at all.
    function test_anEmptyRevokeEntriesIsRefused() public {
        vm.expectRevert(abi.encodeWithSelector(ISigilRegistry.SigilNothingToRevoke.selector));
        registry.revokeEntries(address(this), noDelegates, noAttributes);
    }

    /// @dev Item 9, epochs: rotations may purge up to the last epoch but one; the last is kept
    /// for guardians, so an armed purging recovery always finalises.
    function test_theLastEpochIsKeptForARecovery() public {
        registry.setGuardians(address(this), guardianRoot, 1, T.MIN_DELAY);
        registry.commitNextOwner(address(this), T.commitmentTo(_next(), SALT));
        uint256 max = (1 << 22) - 1;
        _setEpoch(max - 1);
        vm.warp(block.timestamp + T.MIN_DELAY);
        vm.prank(_next());
        vm.expectRevert(_err(ISigilRegistry.SigilEpochExhausted.selector, address(this)));
        registry.rotate(address(this), SALT, _rotation(address(0xB0B), keccak256("n"), true));
        ISigilRecovery.RecoveryProposal memory p = ISigilRecovery.RecoveryProposal(address(0xB0B), bytes32(0), true, T.keepGuardians());
        _approve(address(this), p, 1);
        vm.warp(block.timestamp + T.MIN_DELAY);
        registry.finalizeRecovery(address(this), p);
        require(registry.identityState(address(this)).epoch == max, "the recovery did not purge into the last epoch");
        ISigilRecovery.RecoveryProposal memory again = ISigilRecovery.RecoveryProposal(address(0xC0C), bytes32(0), true, T.keepGuardians());
        vm.prank(guardians[1]);
        vm.expectRevert(_err(ISigilRegistry.SigilEpochExhausted.selector, address(this)));
        registry.approveRecovery(address(this), again, _proofOf(1));
        again.purge = false; // without a purge, recovery still works
        _approve(address(this), again, 1);
    }

    /// @dev Item 9, blocks: at block 2^36 every write reverts alike; a rotation never becomes
    /// impossible before any other write does.
    function test_atTheBlockHorizonRotationFailsNoEarlierThanAnyWrite() public {
        registry.commitNextOwner(address(this), T.commitmentTo(_next(), SALT));
        vm.roll((1 << 36) - 1);
        registry.addDelegate(address(this), "veriKey", address(0xBEEF), 1 days);
        vm.prank(_next());
        registry.rotate(address(this), SALT, _rotation(address(this), keccak256("n2"), false));
        vm.roll(1 << 36);
        bytes memory overflow = abi.encodeWithSelector(SafeCast.SafeCastOverflowedUintDowncast.selector, uint8(36), uint256(1 << 36));
        vm.expectRevert(overflow);
        registry.addDelegate(address(this), "veriKey", address(0xBEEF), 1 days);
    }

    /// @dev Sets the identity's epoch in its packed record (owner 160 | changed 36 | firstChange
    /// 36 | epoch 22 | flags): the slot is found as the one whose `changed` bits hold this block.
    function _setEpoch(uint256 epoch) internal {
        vm.roll(block.number + 1);
        registry.addDelegate(address(this), "veriKey", address(0xBEEF), 1 days);
        for (uint256 slot = 0; slot < 16; ++slot) {
            bytes32 key = keccak256(abi.encode(address(this), slot));
            uint256 v = uint256(vm.load(address(registry), key));
            if (v != 0 && (v >> 160) & ((1 << 36) - 1) == block.number) {
                uint256 cleared = v & ~(uint256((1 << 22) - 1) << 232);
                vm.store(address(registry), key, bytes32(cleared | (epoch << 232)));
                require(registry.identityState(address(this)).epoch == epoch, "epoch not set");
                return;
            }
        }
        revert("record slot not found");
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ISigilRegistry} from "../../contracts/ISigilRegistry.sol";
import {ISigilRecovery} from "../../contracts/ISigilRecovery.sol";
import "./SigilTest.sol" as T;
import {SigilFixture, vm} from "./SigilTest.sol";

/// @title Fuzz tests of pre-rotation: who may change control, salted commitments, Rotate signatures
contract SigilRegistryFuzzTest is SigilFixture {
    function testFuzz_commitmentOfHashesTheKeyWithItsSalt(address key, bytes32 salt, bytes32 otherSalt) public view {
        require(registry.commitmentOf(key, salt) == keccak256(abi.encode(key, salt)), "commitmentOf is not keccak256(abi.encode(key, salt))");
        if (otherSalt != salt) {
            require(registry.commitmentOf(key, otherSalt) != registry.commitmentOf(key, salt), "the salt does not matter");
        }
    }

    function testFuzz_commitNextOwnerAdvancesChanged(uint256 blocksSeed, bytes32 commitment) public {
        vm.assume(commitment != bytes32(0));
        registry.addDelegate(address(this), "veriKey", address(0xBEEF), 1 days);
        uint256 previous = block.number;
        vm.roll(previous + T.bound(blocksSeed, 0, 1_000_000));
        vm.expectEmit(true, false, false, true, address(registry));
        emit ISigilRegistry.DIDNextOwnerCommitted(address(this), commitment, previous);
        registry.commitNextOwner(address(this), commitment);
        require(registry.changed(address(this)) == block.number, "commitNextOwner did not advance changed");
        ISigilRecovery.RecoveryState memory s = registry.recoveryState(address(this));
        require(s.committedAt == block.timestamp && s.commitmentNonce == 1, "committedAt or commitmentNonce not set");
    }

    /// @dev The current key tries every path to control while a commitment exists: direct,
    /// legacy-signed and EIP-712 changes of controller and commitment, deactivation, guardians
    /// (refused outright: under a commitment only the next key or a recovery changes them) and
    /// approvals posing as a guardian. Nothing takes effect, nothing is consumed.
    function testFuzz_committedControllerCannotChangeControl(
        uint256 ownerSeed,
        address next,
        bytes32 salt,
        address target,
        bytes32 otherCommitment
    ) public {
        uint256 ownerKey = T.boundKey(ownerSeed);
        address identity = vm.addr(ownerKey);
        vm.assume(identity != next && otherCommitment != bytes32(0));
        bytes32 commitment = T.commitmentTo(next, salt);
        vm.prank(identity);
        registry.commitNextOwner(identity, commitment);

        vm.prank(identity);
        vm.expectRevert(_committed(identity));
        registry.changeOwner(identity, target);
        vm.prank(identity);
        vm.expectRevert(_committed(identity));
        registry.commitNextOwner(identity, otherCommitment);
        vm.prank(identity);
        vm.expectRevert(_committed(identity));
        registry.deactivate(identity);

        // The signed paths must not be a way around the lock either.
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ownerKey, T.legacyChangeOwnerHash(address(registry), 0, identity, target));
        vm.expectRevert(
            target == address(0) ? _err(ISigilRegistry.SigilLegacyDeactivation.selector, identity) : _committed(identity)
        );
        registry.changeOwnerSigned(identity, v, r, s, target);
        _typedControlChangesRefused(ownerKey, identity, target, otherCommitment);

        _guardianPathsRefused(identity, salt);
        require(registry.identityOwner(identity) == identity, "controller changed while committed");
        require(registry.nextOwnerCommitment(identity) == commitment, "commitment changed while committed");
        require(!registry.identityState(identity).deactivated, "deactivated while committed");
        require(registry.nonces(identity) == 0 && registry.nonce(identity) == 0, "a refused call consumed a nonce");
    }

    /// @dev A guardian change by the current key is refused (with any delay: a thief's own 1-of-1
    /// set would otherwise recover the identity an hour after it applied); there is nothing to
    /// apply; approving a recovery needs a guardian's own proof, and guardians in effect.
    function _guardianPathsRefused(address identity, bytes32 salt) internal {
        for (uint256 delay = T.MIN_DELAY; delay <= T.MAX_DELAY; delay *= 24) {
            vm.prank(identity);
            vm.expectRevert(_committed(identity));
            registry.setGuardians(identity, guardianRoot, 1, delay);
        }
        vm.expectRevert(_err(ISigilRecovery.SigilNoGuardianChange.selector, identity));
        registry.applyGuardians(identity);
        ISigilRecovery.RecoveryProposal memory p = ISigilRecovery.RecoveryProposal(identity, bytes32(0), false, T.keepGuardians());
        vm.prank(identity);
        vm.expectRevert(abi.encodeWithSelector(ISigilRecovery.SigilNotGuardian.selector, identity, identity));
        registry.approveRecovery(identity, p, _proofOf(0));
        vm.prank(identity);
        vm.expectRevert(_err(ISigilRecovery.SigilNoGuardians.selector, identity));
        registry.approveRecovery(identity, p, ISigilRecovery.GuardianProof(identity, salt, new bytes32[](0)));
        ISigilRecovery.RecoveryState memory rs = registry.recoveryState(identity);
        require(rs.guardianRoot == bytes32(0) && rs.pendingEffectiveAt == 0, "the current key changed guardians while committed");
    }

    function _typedControlChangesRefused(uint256 ownerKey, address identity, address target, bytes32 otherCommitment) internal {
        uint256 deadline = block.timestamp;
        bytes memory sig = T.signTyped(
            ownerKey,
            address(registry),
            keccak256(abi.encode(T.CHANGE_OWNER_TYPEHASH, identity, target, 0, deadline))
        );
        vm.expectRevert(_committed(identity));
        registry.changeOwnerWithSig(identity, target, deadline, sig);
        sig = T.signTyped(
            ownerKey,
            address(registry),
            keccak256(abi.encode(T.COMMIT_NEXT_OWNER_TYPEHASH, identity, otherCommitment, 0, deadline))
        );
        vm.expectRevert(_committed(identity));
        registry.commitNextOwnerWithSig(identity, otherCommitment, deadline, sig);
        sig = T.signTyped(ownerKey, address(registry), keccak256(abi.encode(T.DEACTIVATE_TYPEHASH, identity, 0, deadline)));
        vm.expectRevert(_committed(identity));
        registry.deactivateWithSig(identity, deadline, sig);
        // A typed guardian change is refused too.
        sig = T.signTyped(
            ownerKey,
            address(registry),
            keccak256(abi.encode(T.SET_GUARDIANS_TYPEHASH, identity, guardianRoot, 2, T.MIN_DELAY, 0, deadline))
        );
        vm.expectRevert(_committed(identity));
        registry.setGuardiansWithSig(identity, guardianRoot, 2, T.MIN_DELAY, deadline, sig);
    }

    function testFuzz_rotationNeedsTheExactKeyAndSalt(
        uint256 nextSeed,
        bytes32 salt,
        bytes32 wrongSalt,
        uint256 otherSeed,
        address newOwner,
        bytes32 nextCommitment
    ) public {
        uint256 nextKey = T.boundKey(nextSeed);
        uint256 otherKey = T.boundKey(otherSeed);
        address next = vm.addr(nextKey);
        vm.assume(next != address(this) && vm.addr(otherKey) != next && wrongSalt != salt);
        bytes32 commitment = T.commitmentTo(next, salt);
        vm.assume(nextCommitment != commitment && newOwner != address(0));

        ISigilRegistry.Rotation memory rot = _rotation(newOwner, nextCommitment, false);
        vm.prank(next);
        vm.expectRevert(_err(ISigilRegistry.SigilNoNextOwnerCommitted.selector, address(this)));
        registry.rotate(address(this), salt, rot);
        registry.commitNextOwner(address(this), commitment);

        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = T.signTyped(
            nextKey,
            address(registry),
            T.rotateHash(address(this), commitment, 1, rot, deadline)
        );
        _mismatchesRefused(nextKey, otherKey, salt, wrongSalt, rot, deadline);
        require(registry.identityOwner(address(this)) == address(this), "a refused rotation changed the controller");

        registry.rotateWithSig(address(this), next, salt, rot, deadline, sig);
        require(registry.identityOwner(address(this)) == newOwner, "rotation did not hand control over");
        require(registry.nextOwnerCommitment(address(this)) == nextCommitment, "rotation did not set the next commitment");
        // A used key is spent: it no longer matches whatever comes next.
        vm.prank(next);
        vm.expectRevert(
            nextCommitment == bytes32(0)
                ? _err(ISigilRegistry.SigilNoNextOwnerCommitted.selector, address(this))
                : abi.encodeWithSelector(ISigilRegistry.SigilNotNextOwner.selector, address(this), next)
        );
        registry.rotate(address(this), salt, rot);
    }

    /// @dev The next key with a wrong salt, another key with the right salt, directly and signed,
    /// and the right key and salt with another key's signature.
    function _mismatchesRefused(
        uint256 nextKey,
        uint256 otherKey,
        bytes32 salt,
        bytes32 wrongSalt,
        ISigilRegistry.Rotation memory rot,
        uint256 deadline
    ) internal {
        address next = vm.addr(nextKey);
        address other = vm.addr(otherKey);
        vm.prank(next);
        vm.expectRevert(_notNextOwner(next));
        registry.rotate(address(this), wrongSalt, rot);
        vm.prank(other);
        vm.expectRevert(_notNextOwner(other));
        registry.rotate(address(this), salt, rot);

        bytes32 structHash = T.rotateHash(address(this), registry.nextOwnerCommitment(address(this)), 1, rot, deadline);
        bytes memory sig = T.signTyped(nextKey, address(registry), structHash);
        vm.expectRevert(_notNextOwner(next));
        registry.rotateWithSig(address(this), next, wrongSalt, rot, deadline, sig);
        vm.expectRevert(_notNextOwner(other));
        registry.rotateWithSig(address(this), other, salt, rot, deadline, sig);
        sig = T.signTyped(otherKey, address(registry), structHash);
        vm.expectRevert(abi.encodeWithSelector(ISigilRegistry.SigilInvalidSignature.selector, address(this), next));
        registry.rotateWithSig(address(this), next, salt, rot, deadline, sig);
    }

    function _notNextOwner(address key) internal view returns (bytes memory) {
        return abi.encodeWithSelector(ISigilRegistry.SigilNotNextOwner.selector, address(this), key);
    }

    /// @dev A commitment the controller itself satisfies would let whoever holds the current key
    /// rotate: the registry cannot refuse it at commit time (it is a hash), so it refuses it at
    /// rotation, on every path, however control came to that key.
    function testFuzz_commitmentTheControllerSatisfiesIsRefusedAtRotation(
        uint256 ownerSeed,
        bytes32 salt,
        uint256 nextSeed,
        bytes32 nextSalt,
        address newOwner
    ) public {
        uint256 ownerKey = T.boundKey(ownerSeed);
        uint256 nextKey = T.boundKey(nextSeed);
        address identity = vm.addr(ownerKey);
        address next = vm.addr(nextKey);
        vm.assume(identity != next && next != address(this) && newOwner != address(0) && salt != nextSalt);
        vm.prank(identity);
        registry.commitNextOwner(identity, T.commitmentTo(identity, salt));
        _expectControllerRefused(identity, ownerKey, salt, newOwner);

        // Control handed by a rotation to a key together with that key's own commitment.
        registry.commitNextOwner(address(this), T.commitmentTo(next, nextSalt));
        vm.prank(next);
        registry.rotate(address(this), nextSalt, _rotation(next, T.commitmentTo(next, salt), false));
        require(registry.identityOwner(address(this)) == next, "rotation to the rotating key failed");
        _expectControllerRefused(address(this), nextKey, salt, newOwner);
    }

    function _expectControllerRefused(address identity, uint256 key, bytes32 salt, address newOwner) internal {
        address controller = vm.addr(key);
        bytes memory refused = abi.encodeWithSelector(ISigilRegistry.SigilNextKeyIsController.selector, identity, controller);
        ISigilRegistry.Rotation memory rot = _rotation(newOwner, bytes32(0), true);
        vm.prank(controller);
        vm.expectRevert(refused);
        registry.rotate(identity, salt, rot);
        ISigilRecovery.RecoveryState memory s = registry.recoveryState(identity);
        uint256 deadline = block.timestamp;
        bytes memory sig = T.signTyped(
            key,
            address(registry),
            T.rotateHash(identity, s.nextOwnerCommitment, s.commitmentNonce, rot, deadline)
        );
        vm.expectRevert(refused);
        registry.rotateWithSig(identity, controller, salt, rot, deadline, sig);
        vm.prank(controller);
        vm.expectRevert(refused);
        registry.cancelRecovery(identity, salt);
        require(registry.identityOwner(identity) == controller, "the controller's own commitment changed control");
        require(registry.identityState(identity).epoch == 0, "the controller's own commitment purged");
    }

    function testFuzz_rotationCannotRecommitTheConsumedCommitment(uint256 nextSeed, bytes32 salt, address newOwner, bool purge) public {
        address next = vm.addr(T.boundKey(nextSeed));
        vm.assume(next != address(this));
        bytes32 commitment = T.commitmentTo(next, salt);
        registry.commitNextOwner(address(this), commitment);
        vm.prank(next);
        vm.expectRevert(abi.encodeWithSelector(ISigilRegistry.SigilInvalidCommitment.selector));
        registry.rotate(address(this), salt, _rotation(newOwner, commitment, purge));
        require(registry.identityOwner(address(this)) == address(this), "refused rotation took effect");
    }

    /// @dev Everything the current key can sign or send while committed (typed calls that consume
    /// the identity's nonce, legacy calls, refused control changes, a guardian proposal) leaves a
    /// Rotate signature of the next key valid; it then works exactly once.
    function testFuzz_rotateSignatureWorksOnceAndTheCurrentKeyCannotVoidIt(
        uint256 ownerSeed,
        uint256 nextSeed,
        bytes32 salt,
        address newOwner,
        bytes32 nextCommitment,
        bool purge,
        uint8 calls
    ) public {
        uint256 ownerKey = T.boundKey(ownerSeed);
        uint256 nextKey = T.boundKey(nextSeed);
        vm.assume(vm.addr(ownerKey) != vm.addr(nextKey) && nextCommitment != T.commitmentTo(vm.addr(nextKey), salt));
        _rotateOnceDespiteTheCurrentKey(ownerKey, nextKey, salt, _rotation(newOwner, nextCommitment, purge), calls % 4);
    }

    function _rotateOnceDespiteTheCurrentKey(
        uint256 ownerKey,
        uint256 nextKey,
        bytes32 salt,
        ISigilRegistry.Rotation memory rot,
        uint256 rounds
    ) internal {
        address identity = vm.addr(ownerKey);
        address next = vm.addr(nextKey);
        uint256 deadline = block.timestamp + 1 days;
        bytes memory sig = _signRotate(nextKey, identity, T.commitmentTo(next, salt), 1, rot, deadline);
        _signedCommit(ownerKey, identity, T.commitmentTo(next, salt));
        for (uint256 i = 0; i <= rounds; ++i) _currentKeyActs(ownerKey, identity, i);
        require(registry.recoveryState(identity).pendingEffectiveAt == 0, "the current key proposed guardians while committed");

        registry.rotateWithSig(identity, next, salt, rot, deadline, sig);
        require(registry.identityOwner(identity) == rot.newOwner, "the signed rotation did not hand control over");
        require(registry.recoveryState(identity).pendingEffectiveAt == 0, "the rotation left the guardian change pending");
        bytes memory replay;
        if (rot.newOwner == address(0)) replay = _err(ISigilRegistry.SigilIdentityDeactivated.selector, identity);
        else if (rot.nextCommitment == bytes32(0)) replay = _err(ISigilRegistry.SigilNoNextOwnerCommitted.selector, identity);
        else replay = abi.encodeWithSelector(ISigilRegistry.SigilNotNextOwner.selector, identity, next);
        vm.expectRevert(replay);
        registry.rotateWithSig(identity, next, salt, rot, deadline, sig);
    }

    function _signRotate(
        uint256 key,
        address identity,
        bytes32 commitment,
        uint256 commitmentNonce,
        ISigilRegistry.Rotation memory rot,
        uint256 deadline
    ) internal view returns (bytes memory) {
        bytes32 h = T.rotateHash(identity, commitment, commitmentNonce, rot, deadline);
        return T.signTyped(key, address(registry), h);
    }

    function _signedCommit(uint256 ownerKey, address identity, bytes32 commitment) internal {
        uint256 deadline = block.timestamp;
        uint256 n = registry.nonces(identity);
        bytes32 structHash = keccak256(abi.encode(T.COMMIT_NEXT_OWNER_TYPEHASH, identity, commitment, n, deadline));
        registry.commitNextOwnerWithSig(identity, commitment, deadline, T.signTyped(ownerKey, address(registry), structHash));
    }

    /// @dev One round of the current key's signed activity.
    function _currentKeyActs(uint256 ownerKey, address identity, uint256 i) internal {
        address d = address(uint160(0xD000 + i));
        uint256 n = registry.nonces(identity);
        bytes32 h = keccak256(abi.encode(T.ADD_DELEGATE_TYPEHASH, identity, bytes32("veriKey"), d, 1 days, n, block.timestamp));
        bytes memory sig = T.signTyped(ownerKey, address(registry), h);
        registry.addDelegateWithSig(identity, "veriKey", d, 1 days, block.timestamp, sig);
        h = keccak256(abi.encode(T.SET_ATTRIBUTE_TYPEHASH, identity, bytes32("a"), keccak256("v"), 1 days, n + 1, block.timestamp));
        sig = T.signTyped(ownerKey, address(registry), h);
        registry.setAttributeWithSig(identity, "a", "v", 1 days, block.timestamp, sig);
        h = keccak256(abi.encode(T.SET_GUARDIANS_TYPEHASH, identity, guardianRoot, 1, T.MIN_DELAY, n + 2, block.timestamp));
        sig = T.signTyped(ownerKey, address(registry), h);
        vm.expectRevert(_committed(identity));
        registry.setGuardiansWithSig(identity, guardianRoot, 1, T.MIN_DELAY, block.timestamp, sig);
        h = keccak256(abi.encode(T.CHANGE_OWNER_TYPEHASH, identity, d, n + 2, block.timestamp));
        sig = T.signTyped(ownerKey, address(registry), h);
        vm.expectRevert(_committed(identity));
        registry.changeOwnerWithSig(identity, d, block.timestamp, sig);
        h = T.legacyAddDelegateHash(address(registry), registry.nonce(identity), identity, "sigAuth", d, 1 days);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ownerKey, h);
        registry.addDelegateSigned(identity, v, r, s, "sigAuth", d, 1 days);
    }

    /// @dev A commitment value can come back (A -> B -> A), but its commitmentNonce does not: a
    /// Rotate signature over the first occurrence never works again.
    function testFuzz_rotateSignatureNeverReplaysWhenItsCommitmentReturns(
        uint256 nextSeed,
        uint256 secondSeed,
        bytes32 salt,
        bytes32 secondSalt,
        address owner1
    ) public {
        uint256 nextKey = T.boundKey(nextSeed);
        address next = vm.addr(nextKey);
        address second = vm.addr(T.boundKey(secondSeed));
        bytes32 c1 = T.commitmentTo(next, salt);
        vm.assume(c1 != T.commitmentTo(second, secondSalt) && next != address(this) && second != address(this));
        vm.assume(owner1 != address(0) && owner1 != next && owner1 != second);
        registry.commitNextOwner(address(this), c1);
        uint256 deadline = block.timestamp + 1 days;
        ISigilRegistry.Rotation memory rot = _rotation(owner1, T.commitmentTo(second, secondSalt), false);
        bytes memory sig = T.signTyped(nextKey, address(registry), T.rotateHash(address(this), c1, 1, rot, deadline));
        registry.rotateWithSig(address(this), next, salt, rot, deadline, sig);
        vm.prank(second);
        registry.rotate(address(this), secondSalt, _rotation(owner1, c1, false));
        ISigilRecovery.RecoveryState memory s = registry.recoveryState(address(this));
        require(s.nextOwnerCommitment == c1 && s.commitmentNonce == 3, "commitmentNonce must count every new commitment");
        vm.expectRevert(abi.encodeWithSelector(ISigilRegistry.SigilInvalidSignature.selector, address(this), next));
        registry.rotateWithSig(address(this), next, salt, rot, deadline, sig);
        require(registry.nextOwnerCommitment(address(this)) == c1, "a replayed rotation took effect");
    }
}

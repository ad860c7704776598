// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1056} from "../../contracts/IERC1056.sol";
import {ISigilRegistry} from "../../contracts/ISigilRegistry.sol";
import {ISigilRecovery} from "../../contracts/ISigilRecovery.sol";
import "./SigilTest.sol" as T;
import {SigilFixture, vm} from "./SigilTest.sol";

/// @title Fuzz tests of delegate validity, purges, final deactivation and the signed-call paths
contract SigilDelegatesFuzzTest is SigilFixture {
    ISigilRegistry.DelegateRef[] internal revokeList;

    function _delegateAt(uint256 salt, uint256 i) internal pure returns (bytes32 delegateType, address delegate) {
        delegateType = i % 2 == 0 ? bytes32("veriKey") : bytes32("sigAuth");
        delegate = address(uint160(uint256(keccak256(abi.encode(salt, i)))));
    }

    function _addDelegates(address identity, uint256 salt, uint256 n, uint256 validity) internal {
        for (uint256 i = 0; i < n; ++i) {
            (bytes32 t, address d) = _delegateAt(salt, i);
            vm.prank(registry.identityOwner(identity));
            registry.addDelegate(identity, t, d, validity);
        }
    }

    /// @dev No delegate of the first `n` is valid in any view.
    function _requireNoneValid(address identity, uint256 salt, uint256 n, string memory what) internal view {
        for (uint256 i = 0; i < n; ++i) {
            (bytes32 t, address d) = _delegateAt(salt, i);
            require(!registry.validDelegate(identity, t, d), what);
            require(registry.delegates(identity, keccak256(abi.encode(t)), d) == 0, what);
        }
    }

    /// @dev A purge by rotation or by recovery voids everything added before, in every view.
    function testFuzz_purgeVoidsEveryEarlierDelegate(
        uint256 nextSeed,
        uint256 salt,
        uint8 count,
        uint256 validitySeed,
        bool byRecovery
    ) public {
        address next = vm.addr(T.boundKey(nextSeed));
        vm.assume(next != address(this));
        uint256 n = uint256(count % 8) + 1;
        uint256 validity = T.bound(validitySeed, 1, type(uint64).max);
        if (byRecovery) registry.setGuardians(address(this), guardianRoot, 1, T.MIN_DELAY);
        _addDelegates(address(this), salt, n, validity);
        registry.commitNextOwner(address(this), T.commitmentTo(next, bytes32(salt)));
        if (byRecovery) {
            ISigilRecovery.RecoveryProposal memory p = ISigilRecovery.RecoveryProposal(next, bytes32(0), true, T.keepGuardians());
            _approve(address(this), p, 1);
            vm.warp(block.timestamp + T.MIN_DELAY);
            registry.finalizeRecovery(address(this), p);
        } else {
            vm.prank(next);
            registry.rotate(address(this), bytes32(salt), _rotation(next, bytes32(0), true));
        }

        require(registry.identityState(address(this)).epoch == 1, "purge must start a new epoch");
        require(registry.identityOwner(address(this)) == next, "control not handed over");
        _requireNoneValid(address(this), salt, n, "a delegate survived the purge");
        // The purge voids what came before, not the delegate slots themselves.
        (bytes32 t0, address d0) = _delegateAt(salt, 0);
        vm.prank(next);
        registry.addDelegate(address(this), t0, d0, validity);
        require(registry.validDelegate(address(this), t0, d0), "a delegate added after the purge must be valid");
    }

    function testFuzz_rotateRevokesOnlyTheListedDelegates(uint256 nextSeed, uint256 salt, uint8 count, uint8 mask) public {
        address next = vm.addr(T.boundKey(nextSeed));
        vm.assume(next != address(this));
        uint256 n = uint256(count % 8) + 1;
        for (uint256 i = 0; i < n; ++i) {
            (bytes32 t, address d) = _delegateAt(salt, i);
            registry.addDelegate(address(this), t, d, 1 days);
            if ((mask >> i) & 1 == 1) revokeList.push(ISigilRegistry.DelegateRef(t, d));
        }
        registry.commitNextOwner(address(this), T.commitmentTo(next, bytes32(salt)));
        vm.prank(next);
        registry.rotate(address(this), bytes32(salt), ISigilRegistry.Rotation(next, bytes32(0), false, T.keepGuardians(), revokeList, noAttributes));

        for (uint256 i = 0; i < n; ++i) {
            (bytes32 t, address d) = _delegateAt(salt, i);
            bool listed = (mask >> i) & 1 == 1;
            uint256 validTo = registry.delegates(address(this), keccak256(abi.encode(t)), d);
            require(registry.validDelegate(address(this), t, d) != listed, "revocation list not applied exactly");
            require(validTo == (listed ? block.timestamp : block.timestamp + 1 days), "wrong validTo after rotation");
        }
    }

    /// @dev Every way to deactivate: direct, EIP-712, changeOwner(0) both ways, rotation both
    /// ways, guardian recovery. Afterwards every view says so and every mutating call reverts.
    function testFuzz_deactivationIsFinalInEveryView(uint256 ownerSeed, uint256 nextSeed, uint8 path, uint8 count) public {
        uint256 ownerKey = T.boundKey(ownerSeed);
        uint256 nextKey = T.boundKey(nextSeed);
        address identity = vm.addr(ownerKey);
        address next = vm.addr(nextKey);
        vm.assume(identity != next);
        uint256 way = path % 7;
        uint256 n = uint256(count % 4) + 1;
        _addDelegates(identity, ownerSeed, n, type(uint64).max);
        bytes32 salt = keccak256(abi.encode(nextSeed));
        if (way == 6) {
            vm.prank(identity);
            registry.setGuardians(identity, guardianRoot, 1, T.MIN_DELAY);
        }
        if (way >= 4) {
            vm.prank(identity);
            registry.commitNextOwner(identity, T.commitmentTo(next, salt));
        }
        _deactivate(identity, ownerKey, nextKey, salt, way);

        ISigilRegistry.IdentityState memory s = registry.identityState(identity);
        require(s.deactivated && s.owner == address(0) && s.nextOwnerCommitment == bytes32(0), "identity state is not final");
        require(registry.identityOwner(identity) == address(0) && registry.owners(identity) == address(0), "an owner remains");
        _requireNoneValid(identity, ownerSeed, n, "a delegate is valid after deactivation");
        _requireEveryCallReverts(identity, next, salt);
        vm.warp(block.timestamp + 400 days);
        _requireNoneValid(identity, ownerSeed, n, "a delegate came back after deactivation");
        require(registry.changed(identity) == s.changed, "a call after deactivation left a trace");
    }

    function _deactivate(address identity, uint256 ownerKey, uint256 nextKey, bytes32 salt, uint256 way) internal {
        uint256 deadline = block.timestamp;
        if (way == 0 || way == 2) {
            vm.prank(identity);
            if (way == 0) registry.deactivate(identity);
            else registry.changeOwner(identity, address(0));
        } else if (way == 1) {
            bytes32 h = keccak256(abi.encode(T.DEACTIVATE_TYPEHASH, identity, 0, deadline));
            registry.deactivateWithSig(identity, deadline, T.signTyped(ownerKey, address(registry), h));
        } else if (way == 3) {
            bytes32 h = keccak256(abi.encode(T.CHANGE_OWNER_TYPEHASH, identity, address(0), 0, deadline));
            registry.changeOwnerWithSig(identity, address(0), deadline, T.signTyped(ownerKey, address(registry), h));
        } else if (way == 4) {
            vm.prank(vm.addr(nextKey));
            registry.rotate(identity, salt, _rotation(address(0), bytes32(0), false));
        } else if (way == 5) {
            ISigilRegistry.Rotation memory rot = _rotation(address(0), bytes32(0), false);
            bytes32 h = T.rotateHash(identity, T.commitmentTo(vm.addr(nextKey), salt), 1, rot, deadline);
            registry.rotateWithSig(identity, vm.addr(nextKey), salt, rot, deadline, T.signTyped(nextKey, address(registry), h));
        } else {
            ISigilRecovery.RecoveryProposal memory p = ISigilRecovery.RecoveryProposal(address(0), bytes32(0), false, T.keepGuardians());
            _approve(identity, p, 2);
            vm.warp(block.timestamp + T.MIN_DELAY);
            registry.finalizeRecovery(identity, p);
        }
    }

    /// @dev Sends every mutating function, as the former controller, the next key or a guardian;
    /// signatures do not matter: liveness is checked first.
    function _requireEveryCallReverts(address identity, address next, bytes32 salt) internal {
        bytes memory dead = _err(ISigilRegistry.SigilIdentityDeactivated.selector, identity);
        ISigilRegistry.Rotation memory rot = _rotation(next, bytes32(0), true);
        ISigilRecovery.RecoveryProposal memory p = ISigilRecovery.RecoveryProposal(next, bytes32(0), true, T.keepGuardians());
        bytes memory sig = new bytes(65);
        bytes[] memory calls = new bytes[](25);
        calls[0] = abi.encodeCall(IERC1056.changeOwner, (identity, next));
        calls[1] = abi.encodeCall(IERC1056.changeOwnerSigned, (identity, 27, bytes32(0), bytes32(0), next));
        calls[2] = abi.encodeCall(IERC1056.addDelegate, (identity, "veriKey", next, 1 days));
        calls[3] = abi.encodeCall(IERC1056.addDelegateSigned, (identity, 27, bytes32(0), bytes32(0), "veriKey", next, 1));
        calls[4] = abi.encodeCall(IERC1056.revokeDelegate, (identity, "veriKey", next));
        calls[5] = abi.encodeCall(IERC1056.revokeDelegateSigned, (identity, 27, bytes32(0), bytes32(0), "veriKey", next));
        calls[6] = abi.encodeCall(IERC1056.setAttribute, (identity, "did/svc/x", "v", 1 days));
        calls[7] = abi.encodeCall(IERC1056.setAttributeSigned, (identity, 27, bytes32(0), bytes32(0), "a", "v", 1));
        calls[8] = abi.encodeCall(IERC1056.revokeAttribute, (identity, "did/svc/x", "v"));
        calls[9] = abi.encodeCall(IERC1056.revokeAttributeSigned, (identity, 27, bytes32(0), bytes32(0), "a", "v"));
        calls[10] = abi.encodeCall(ISigilRegistry.commitNextOwner, (identity, bytes32(uint256(1))));
        calls[11] = abi.encodeCall(ISigilRegistry.rotate, (identity, salt, rot));
        calls[12] = abi.encodeCall(ISigilRegistry.revokeEntries, (identity, noDelegates, noAttributes));
        calls[13] = abi.encodeCall(ISigilRegistry.deactivate, (identity));
        calls[14] = abi.encodeCall(ISigilRegistry.changeOwnerWithSig, (identity, next, type(uint256).max, sig));
        calls[15] = abi.encodeCall(ISigilRegistry.deactivateWithSig, (identity, type(uint256).max, sig));
        calls[16] = abi.encodeCall(ISigilRegistry.rotateWithSig, (identity, next, salt, rot, type(uint256).max, sig));
        calls[17] = abi.encodeCall(ISigilRegistry.commitNextOwnerWithSig, (identity, bytes32(uint256(1)), type(uint256).max, sig));
        calls[18] = abi.encodeCall(ISigilRecovery.setGuardians, (identity, guardianRoot, 1, T.MIN_DELAY));
        calls[19] = abi.encodeCall(ISigilRecovery.setGuardiansWithSig, (identity, guardianRoot, 1, T.MIN_DELAY, type(uint256).max, sig));
        calls[20] = abi.encodeCall(ISigilRecovery.applyGuardians, (identity));
        calls[21] = abi.encodeCall(ISigilRecovery.approveRecovery, (identity, p, _proofOf(1)));
        calls[22] = abi.encodeCall(ISigilRecovery.approveRecoveryWithSig, (identity, p, _proofOf(1), type(uint256).max, sig));
        calls[23] = abi.encodeCall(ISigilRecovery.cancelRecovery, (identity, salt));
        calls[24] = abi.encodeCall(ISigilRecovery.finalizeRecovery, (identity, p));
        address[3] memory senders = [identity, next, guardians[1]];
        for (uint256 i = 0; i < calls.length; ++i) {
            for (uint256 j = 0; j < 3; ++j) {
                vm.prank(senders[j]);
                (bool ok, bytes memory ret) = address(registry).call(calls[i]);
                require(!ok && keccak256(ret) == keccak256(dead), "a mutating call on a deactivated identity did not revert as such");
            }
        }
        // The legacy signed deactivation is refused before anything else.
        vm.expectRevert(_err(ISigilRegistry.SigilLegacyDeactivation.selector, identity));
        registry.changeOwnerSigned(identity, 27, bytes32(0), bytes32(0), address(0));
    }

    function testFuzz_delegateIsValidExactlyUntilValidTo(uint256 startSeed, uint256 validitySeed, uint256 elapsedSeed) public {
        uint256 start = T.bound(startSeed, 1, 1 << 40);
        uint256 validity = T.bound(validitySeed, 0, 1 << 64);
        uint256 elapsed = T.bound(elapsedSeed, 0, 1 << 65);
        address d = address(0xBEEF);
        vm.warp(start);
        registry.addDelegate(address(this), "veriKey", d, validity);
        require(registry.delegates(address(this), keccak256(abi.encode(bytes32("veriKey"))), d) == start + validity, "wrong validTo");

        vm.warp(start + elapsed);
        require(registry.validDelegate(address(this), "veriKey", d) == (elapsed < validity), "valid outside its window");
        // Fuzzing rarely lands on the edge, so check it every run.
        vm.warp(start + validity);
        require(!registry.validDelegate(address(this), "veriKey", d), "still valid at validTo");
        if (validity > 0) {
            vm.warp(start + validity - 1);
            require(registry.validDelegate(address(this), "veriKey", d), "invalid one second before validTo");
        }
    }

    function testFuzz_hugeValidityIsClampedAndStaysValid(uint256 startSeed, uint256 gapSeed, uint256 laterSeed) public {
        uint256 start = T.bound(startSeed, 1, type(uint64).max);
        uint256 validity = type(uint256).max - start - T.bound(gapSeed, 0, type(uint32).max);
        address d = address(0xBEEF);
        vm.warp(start);
        // Resolvers see the unclamped validTo, exactly as ERC-1056 emits it.
        vm.expectEmit(true, false, false, true, address(registry));
        emit IERC1056.DIDDelegateChanged(address(this), "veriKey", d, start + validity, 0);
        registry.addDelegate(address(this), "veriKey", d, validity);

        require(registry.delegates(address(this), keccak256(abi.encode(bytes32("veriKey"))), d) == T.VALID_TO_MAX, "not clamped");
        require(registry.validDelegate(address(this), "veriKey", d), "a clamped delegate must be valid");
        vm.warp(T.bound(laterSeed, start, type(uint64).max));
        require(registry.validDelegate(address(this), "veriKey", d), "a clamped delegate must stay valid");
    }

    function testFuzz_overflowingValidityReverts(uint256 startSeed, uint256 excessSeed) public {
        uint256 start = T.bound(startSeed, 1, type(uint64).max);
        uint256 validity = type(uint256).max - start + 1 + T.bound(excessSeed, 0, start - 1);
        vm.warp(start);
        vm.expectRevert(abi.encodeWithSignature("Panic(uint256)", 0x11));
        registry.addDelegate(address(this), "veriKey", address(0xBEEF), validity);
        vm.expectRevert(abi.encodeWithSignature("Panic(uint256)", 0x11));
        registry.setAttribute(address(this), "did/svc/x", "", validity);
        require(registry.changed(address(this)) == 0, "a reverted call left a trace");
    }
}

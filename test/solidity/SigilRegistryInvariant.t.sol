// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SigilRegistry} from "../../contracts/SigilRegistry.sol";
import {ISigilRegistry} from "../../contracts/ISigilRegistry.sol";
import "./SigilRegistry.t.sol" as T;

import {RegistryHandler} from "./RegistryHandler.sol";

/// forge-config: default.invariant.runs = 256
/// forge-config: default.invariant.depth = 128
/// @title Invariants of the controller/commitment state machine, the nonces and `changed`
/// @dev Depth 128 instead of 500 keeps the six campaigns near half a minute on two cores; with
/// three identities that is enough for commit -> rotate -> purge -> re-commit chains.
contract SigilRegistryInvariantTest {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    SigilRegistry internal registry;
    RegistryHandler internal handler;

    function setUp() public {
        T.vm.warp(T.START_TIME);
        T.vm.roll(100);
        registry = new SigilRegistry();
        handler = new RegistryHandler(registry);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @dev The operations only: calls to the handler's views would be wasted.
    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        RegistryHandler h = handler;
        bytes4[14] memory ops = [
            h.changeOwner.selector, h.deactivate.selector, h.commit.selector, h.rotate.selector,
            h.addDelegate.selector, h.revokeDelegate.selector, h.changeOwnerSigned.selector,
            h.addDelegateSigned.selector, h.changeOwnerWithSig.selector, h.addDelegateWithSig.selector,
            h.commitNextOwnerWithSig.selector, h.deactivateWithSig.selector, h.rotateWithSig.selector,
            h.advance.selector
        ];
        bytes4[] memory selectors = new bytes4[](ops.length);
        for (uint256 i = 0; i < ops.length; ++i) selectors[i] = ops[i];
        targets = new FuzzSelector[](1);
        targets[0] = FuzzSelector(address(handler), selectors);
    }

    function _none(uint256 kind) internal view {
        string memory v = handler.violation(kind);
        require(bytes(v).length == 0, v);
    }

    function invariant_everyCallHasTheModelsOutcome() public view {
        _none(0);
    }

    function invariant_deactivatedIdentityStaysDeactivated() public view {
        _none(1);
        for (uint256 i = 0; i < 3; ++i) {
            address id = handler.actorAt(i);
            if (!handler.modelOf(id).deactivated) continue;
            require(registry.identityState(id).deactivated, "deactivation was undone");
            require(registry.identityOwner(id) == address(0) && registry.owners(id) == address(0), "a deactivated identity has an owner");
        }
    }

    function invariant_ownerChangesOnlyThroughRotateWhileCommitted() public view {
        _none(2);
    }

    function invariant_noncesNeverDecreaseAndCountSuccessfulCalls() public view {
        _none(3);
        for (uint256 i = 0; i < 3; ++i) {
            address id = handler.actorAt(i);
            require(registry.nonces(id) == handler.modelOf(id).typedNonce, "typed nonce is not the number of successful typed calls");
        }
        for (uint256 i = 0; i < 6; ++i) {
            address signer = handler.actorAt(i);
            require(registry.nonce(signer) == handler.legacyNonceOf(signer), "legacy nonce is not the signer's successful signed calls");
        }
    }

    function invariant_changedNeverDecreasesAndIsNotInTheFuture() public view {
        _none(4);
        for (uint256 i = 0; i < 3; ++i) {
            address id = handler.actorAt(i);
            uint256 changed = registry.changed(id);
            require(changed == handler.modelOf(id).changed, "changed is not the block of the last change");
            require(changed <= block.number, "changed is in the future");
        }
    }

    function invariant_stateMatchesModel() public view {
        for (uint256 i = 0; i < 3; ++i) {
            address id = handler.actorAt(i);
            RegistryHandler.Model memory m = handler.modelOf(id);
            ISigilRegistry.IdentityState memory s = registry.identityState(id);
            require(registry.identityOwner(id) == m.owner && s.owner == m.owner, "owner differs from the model");
            require(s.nextOwnerCommitment == m.commitment, "commitment differs from the model");
            require(s.epoch == m.epoch, "epoch differs from the model");
            for (uint256 j = 0; j < 6; ++j) {
                address delegate = handler.actorAt(j);
                require(
                    registry.validDelegate(id, "veriKey", delegate) == handler.modelValid(id, delegate),
                    "delegate validity differs from the model"
                );
            }
        }
    }
}

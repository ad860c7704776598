// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SigilRegistry} from "../../contracts/SigilRegistry.sol";
import {ISigilRegistry} from "../../contracts/ISigilRegistry.sol";
import {ISigilRecovery} from "../../contracts/ISigilRecovery.sol";
import "./SigilTest.sol" as T;
import {RegistryBase} from "./RegistryBase.sol";
import {RegistryHandler} from "./RegistryHandler.sol";

/// forge-config: default.invariant.runs = 32
/// forge-config: default.invariant.depth = 100
/// @title Invariants of control, commitments, guardians and recovery, nonces and `changed`
/// @dev The handler checks every transition as it happens and records the first violation of
/// each kind; each invariant reports one kind (and checks the final state itself). Runs and
/// depth keep the nine campaigns within about half a minute on two cores.
contract SigilRegistryInvariantTest {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    uint256 internal constant OUTCOME = 0;
    uint256 internal constant DEACTIVATION = 1;
    uint256 internal constant CONTROL = 2;
    uint256 internal constant GUARDIAN_SET = 3;
    uint256 internal constant RECOVERY = 4;
    uint256 internal constant PURGE = 5;
    uint256 internal constant NONCE = 6;
    uint256 internal constant CHANGED = 7;

    SigilRegistry internal registry;
    RegistryHandler internal handler;

    function setUp() public {
        T.vm.warp(T.START_TIME);
        T.vm.roll(100);
        registry = new SigilRegistry();
        handler = new RegistryHandler(registry);
        // Start from three configurations, through the handler so that the model follows:
        // identity 0 has guardians (tree 0, threshold 1, one hour) and no commitment; identity 1
        // has guardians (tree 1, threshold 2, one day) and then a commitment to actor 3, neither
        // senior yet, and one approval of a recovery; identity 2 has nothing. Recovery races, and
        // approvals that start a proposal over, are then reached within a few calls.
        handler.setGuardians(0, 0, 0, 0);
        handler.setGuardians(1, 0, 2, 6 + 16 * 10);
        handler.commit(1, 0, 3);
        // One approval of proposal 0 on identity 1 (guardian 1's): a second one within the day
        // arms; after it, the proposal starts over.
        handler.approveRecovery(1, 0, 0, 3);
        RegistryBase.Model memory m0 = handler.modelOf(handler.actorAt(0));
        RegistryBase.Model memory m1 = handler.modelOf(handler.actorAt(1));
        require(m0.root != bytes32(0) && m0.threshold == 1 && m0.delay == 1 hours, "identity 0 not configured");
        require(m1.root != bytes32(0) && m1.threshold == 2 && m1.delay == 1 days && m1.commitment != bytes32(0), "identity 1 not configured");
        require(handler.successesOf(ISigilRecovery.approveRecovery.selector) == 1 && m1.armedAt == 0, "identity 1 has no approval");
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @dev The operations only: calls to the handler's views would be wasted.
    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        RegistryHandler h = handler;
        bytes4[21] memory ops = [
            h.changeOwner.selector, h.deactivate.selector, h.commit.selector, h.addDelegate.selector,
            h.revokeDelegate.selector, h.changeOwnerSigned.selector, h.addDelegateSigned.selector,
            h.changeOwnerWithSig.selector, h.addDelegateWithSig.selector, h.commitNextOwnerWithSig.selector,
            h.deactivateWithSig.selector, h.setGuardians.selector, h.setGuardiansWithSig.selector,
            h.rotate.selector, h.rotateWithSig.selector, h.cancelRecovery.selector, h.approveRecovery.selector,
            h.approveRecoveryWithSig.selector, h.applyGuardians.selector, h.finalizeRecovery.selector,
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
        _none(OUTCOME);
    }

    /// @dev No sequence of the current key's calls (any path, any order), including guardian sets
    /// naming itself or keys it controls (tree 3: actors 0 and 3) with any delay, and any
    /// `applyGuardians`, approvals and finalisations by those keys, changes the controller or the
    /// commitment, deactivates, or changes or proposes guardians, while a commitment exists; nor
    /// deactivates once guardians are set.
    function invariant_currentKeyAloneNeverTakesControlWhileCommitted() public view {
        _none(CONTROL);
    }

    /// @dev The current key cannot make a guardian change take effect before the delay passes
    /// with no veto; rotations and recoveries drop pending changes.
    function invariant_guardianChangesWaitOutTheDelay() public view {
        _none(GUARDIAN_SET);
    }

    /// @dev Arming needs threshold distinct guardians; only finalisation or a senior next key ends it.
    function invariant_recoveryNeedsThresholdAndYieldsOnlyToSeniority() public view {
        _none(RECOVERY);
    }

    function invariant_purgeVoidsEveryEarlierDelegate() public view {
        _none(PURGE);
    }

    function invariant_deactivationIsFinalInEveryView() public view {
        _none(DEACTIVATION);
        for (uint256 i = 0; i < 3; ++i) {
            address id = handler.actorAt(i);
            if (!handler.modelOf(id).deactivated) continue;
            require(registry.identityState(id).deactivated, "deactivation was undone");
            require(registry.identityOwner(id) == address(0) && registry.owners(id) == address(0), "a deactivated identity has an owner");
            for (uint256 j = 0; j < 6; ++j) {
                require(!registry.validDelegate(id, "veriKey", handler.actorAt(j)), "a deactivated identity has a valid delegate");
            }
        }
    }

    function invariant_noncesCountSuccessfulCalls() public view {
        _none(NONCE);
        for (uint256 i = 0; i < 3; ++i) {
            address id = handler.actorAt(i);
            require(registry.nonces(id) == handler.modelOf(id).typedNonce, "typed nonce is not the number of successful typed calls");
        }
        for (uint256 i = 0; i < 6; ++i) {
            address signer = handler.actorAt(i);
            require(registry.nonce(signer) == handler.legacyNonceOf(signer), "legacy nonce is not the signer's successful signed calls");
        }
    }

    function invariant_changedAdvancesWithEveryChange() public view {
        _none(CHANGED);
        for (uint256 i = 0; i < 3; ++i) {
            address id = handler.actorAt(i);
            require(registry.changed(id) == handler.modelOf(id).changed, "changed is not the block of the last successful call");
        }
    }

    function invariant_stateMatchesModel() public view {
        for (uint256 i = 0; i < 3; ++i) {
            address id = handler.actorAt(i);
            RegistryBase.Model memory m = handler.modelOf(id);
            ISigilRegistry.IdentityState memory s = registry.identityState(id);
            require(registry.identityOwner(id) == m.owner && s.owner == m.owner, "owner differs from the model");
            require(s.nextOwnerCommitment == m.commitment && s.epoch == m.epoch, "commitment or epoch differs from the model");
            require(s.firstChange == m.firstChange && s.purgedAt == m.purgedAt, "history bounds differ from the model");
            require(s.firstChange <= s.changed && s.purgedAt <= s.changed, "history bounds exceed the last change");
            _recoveryMatches(id, m);
            for (uint256 j = 0; j < 6; ++j) {
                address delegate = handler.actorAt(j);
                uint256 validTo = handler.modelValidTo(id, delegate);
                require(
                    registry.delegates(id, keccak256(abi.encode(bytes32("veriKey"))), delegate) == validTo &&
                        registry.validDelegate(id, "veriKey", delegate) == (validTo > block.timestamp),
                    "delegate validity differs from the model"
                );
            }
        }
    }

    function _recoveryMatches(address id, RegistryBase.Model memory m) internal view {
        ISigilRecovery.RecoveryState memory r = registry.recoveryState(id);
        require(r.committedAt == m.committedAt && r.commitmentNonce == m.commitmentNonce, "commitment time or nonce differs from the model");
        require(
            r.guardianRoot == m.root && r.threshold == m.threshold && r.delay == m.delay && r.guardiansSince == m.since,
            "guardian set differs from the model"
        );
        require(
            r.pendingRoot == m.pendingRoot && r.pendingThreshold == m.pendingThreshold &&
                r.pendingDelay == m.pendingDelay && r.pendingEffectiveAt == m.pendingAt,
            "pending guardian change differs from the model"
        );
        require(r.round == m.round && r.armedProposal == m.armed && r.armedAt == m.armedAt, "recovery differs from the model");
        require(r.readyAt == (m.armedAt == 0 ? 0 : m.armedAt + m.delay), "readyAt differs from the model");
    }
}

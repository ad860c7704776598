// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SigilRegistry} from "../../contracts/SigilRegistry.sol";
import {ISigilRegistry} from "../../contracts/ISigilRegistry.sol";
import {ISigilRecovery} from "../../contracts/ISigilRecovery.sol";
import "./SigilTest.sol" as T;
import {RegistryObserver} from "./RegistryObserver.sol";

/// @dev The model's prediction of each call: the exact revert data, in the order the registry
/// checks (empty: the call succeeds). Written from the specification (NatSpec and the issue),
/// not copied from the contract's code paths.
abstract contract RegistryRules is RegistryObserver {
    constructor(SigilRegistry registry_) RegistryObserver(registry_) {}

    function _err(bytes4 selector, address id) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(selector, id);
    }

    function _err2(bytes4 selector, address id, address key) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(selector, id, key);
    }

    function _errAt(bytes4 selector, address id, uint256 time) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(selector, id, time);
    }

    function _deadError(address id, Model storage m) internal view returns (bytes memory) {
        return m.deactivated ? _err(ISigilRegistry.SigilIdentityDeactivated.selector, id) : bytes("");
    }

    function _pendingRecovery(address id, Model storage m) internal view returns (bytes memory) {
        return _errAt(ISigilRecovery.SigilRecoveryPending.selector, id, m.armedAt + m.delay);
    }

    function _authError(address id, Model storage m, address actor) internal view returns (bytes memory) {
        if (m.deactivated) return _deadError(id, m);
        if (actor != m.owner) return abi.encodeWithSignature("Error(string)", "bad_actor");
        return "";
    }

    function _legacyError(address id, Model storage m, address signer, bool nonceOk) internal view returns (bytes memory) {
        if (m.deactivated) return _deadError(id, m);
        if (signer != m.owner || !nonceOk) return abi.encodeWithSignature("Error(string)", "bad_signature");
        return "";
    }

    function _typedError(
        address id,
        Model storage m,
        address signer,
        uint256 nonce,
        uint256 deadline
    ) internal view returns (bytes memory) {
        if (m.deactivated) return _deadError(id, m);
        if (block.timestamp > deadline) return abi.encodeWithSelector(ISigilRegistry.SigilExpiredSignature.selector, deadline);
        if (signer != m.owner || nonce != m.typedNonce) return _err2(ISigilRegistry.SigilInvalidSignature.selector, id, m.owner);
        return "";
    }

    /// @dev changeOwner and deactivate: locked while committed; deactivation guarded by guardians.
    function _changeOwnerError(address id, Model storage m, bytes memory authError, address to) internal view returns (bytes memory) {
        if (authError.length != 0) return authError;
        if (m.commitment != bytes32(0)) return _err(ISigilRegistry.SigilNextOwnerCommitted.selector, id);
        if (to == address(0) && m.root != bytes32(0)) return _err(ISigilRecovery.SigilGuardedDeactivation.selector, id);
        return "";
    }

    function _commitError(address id, Model storage m, bytes memory authError, bytes32 commitment) internal view returns (bytes memory) {
        if (authError.length != 0) return authError;
        if (m.commitment != bytes32(0)) return _err(ISigilRegistry.SigilNextOwnerCommitted.selector, id);
        if (commitment == bytes32(0)) return abi.encodeWithSelector(ISigilRegistry.SigilInvalidCommitment.selector);
        return "";
    }

    /// @dev The key revealing the commitment with the salt, which must not be the controller.
    function _nextKeyError(address id, Model storage m, address key, bytes32 salt) internal view returns (bytes memory) {
        if (m.deactivated) return _deadError(id, m);
        if (m.commitment == bytes32(0)) return _err(ISigilRegistry.SigilNoNextOwnerCommitted.selector, id);
        if (T.commitmentTo(key, salt) != m.commitment) return _err2(ISigilRegistry.SigilNotNextOwner.selector, id, key);
        if (key == m.owner) return _err2(ISigilRegistry.SigilNextKeyIsController.selector, id, key);
        return "";
    }

    /// @dev After the key checks: no re-commitment of the consumed commitment; an armed
    /// recovery blocks a commitment that is not senior to its arming; with none armed, a guarded
    /// identity is deactivated only by a commitment that is senior now.
    /// Then the guardian update: a valid set (or "none"), installed at once when the commitment
    /// is senior to the current set (or there is none), otherwise proposed.
    function _rotateError(address id, Model storage m, ISigilRegistry.Rotation memory rot) internal view returns (bytes memory) {
        if (rot.nextCommitment == m.commitment) return abi.encodeWithSelector(ISigilRegistry.SigilInvalidCommitment.selector);
        if (m.armedAt != 0) {
            if (!_senior(m, m.armedAt)) return _pendingRecovery(id, m);
        } else if (rot.newOwner == address(0) && m.root != bytes32(0) && !_senior(m, block.timestamp)) {
            return _errAt(ISigilRecovery.SigilCommitmentNotSenior.selector, id, m.committedAt);
        }
        ISigilRecovery.GuardianUpdate memory u = rot.guardians;
        if (!u.replace) return "";
        bool removesNothing = u.root == bytes32(0) && m.root == bytes32(0);
        if (removesNothing ? u.threshold != 0 || u.delay != 0 : !_validPolicy(u.root, u.threshold, u.delay)) {
            return abi.encodeWithSelector(ISigilRecovery.SigilInvalidGuardianPolicy.selector, u.threshold, u.delay);
        }
        return "";
    }

    function _policyError(
        address id,
        Model storage m,
        bytes memory authError,
        bytes32 root,
        uint256 threshold,
        uint256 delay
    ) internal view returns (bytes memory) {
        if (authError.length != 0) return authError;
        // Under a commitment only the next key or a recovery changes guardians.
        if (m.commitment != bytes32(0)) return _err(ISigilRegistry.SigilNextOwnerCommitted.selector, id);
        if (!_validPolicy(root, threshold, delay)) {
            return abi.encodeWithSelector(ISigilRecovery.SigilInvalidGuardianPolicy.selector, threshold, delay);
        }
        if (root == bytes32(0) && m.root == bytes32(0) && m.pendingAt == 0) return _err(ISigilRecovery.SigilNoGuardians.selector, id);
        if (m.armedAt != 0) return _pendingRecovery(id, m);
        return "";
    }

    function _applyError(address id, Model storage m) internal view returns (bytes memory) {
        if (m.deactivated) return _deadError(id, m);
        if (m.pendingAt == 0) return _err(ISigilRecovery.SigilNoGuardianChange.selector, id);
        if (block.timestamp < m.pendingAt) return _errAt(ISigilRecovery.SigilGuardianChangeNotReady.selector, id, m.pendingAt);
        if (m.armedAt != 0) return _pendingRecovery(id, m);
        return "";
    }

    /// @dev After liveness (and, for direct calls, the sender being the proof's guardian).
    function _approveError(
        address id,
        Model storage m,
        ISigilRecovery.RecoveryProposal memory p,
        address guardian,
        bool proofValid
    ) internal view returns (bytes memory) {
        if (m.root == bytes32(0)) return _err(ISigilRecovery.SigilNoGuardians.selector, id);
        if (!proofValid) return _err2(ISigilRecovery.SigilNotGuardian.selector, id, guardian);
        // The identity's own key and the controller never count as guardians.
        if (guardian == id || guardian == m.owner) return _err2(ISigilRecovery.SigilGuardianIsController.selector, id, guardian);
        if (p.newOwner == address(0) && p.nextCommitment != bytes32(0)) {
            return abi.encodeWithSelector(ISigilRecovery.SigilInvalidRecovery.selector);
        }
        if (m.armedAt != 0) return _pendingRecovery(id, m);
        bytes32 pid = _proposalId(id, m, p);
        if (approved[pid][_tally(m, pid).generation][guardian]) return _err2(ISigilRecovery.SigilAlreadyApproved.selector, id, guardian);
        if (given[id][m.round][guardian] >= MAX_APPROVALS) return _err2(ISigilRecovery.SigilApprovalLimit.selector, id, guardian);
        return "";
    }

    function _cancelError(address id, Model storage m, address key, bytes32 salt) internal view returns (bytes memory) {
        bytes memory keyError = _nextKeyError(id, m, key, salt);
        if (keyError.length != 0) return keyError;
        if (m.armedAt == 0) return _err(ISigilRecovery.SigilNoRecoveryPending.selector, id);
        if (!_senior(m, m.armedAt)) return _errAt(ISigilRecovery.SigilCommitmentNotSenior.selector, id, m.committedAt);
        return "";
    }

    function _finalizeError(address id, Model storage m, bytes32 proposal) internal view returns (bytes memory) {
        if (m.deactivated) return _deadError(id, m);
        if (m.armedAt == 0 || m.armed != proposal) return _err(ISigilRecovery.SigilNoRecoveryPending.selector, id);
        if (block.timestamp < m.armedAt + m.delay) {
            return _errAt(ISigilRecovery.SigilRecoveryNotReady.selector, id, m.armedAt + m.delay);
        }
        return "";
    }
}

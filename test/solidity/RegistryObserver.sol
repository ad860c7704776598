// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SigilRegistry} from "../../contracts/SigilRegistry.sol";
import {ISigilRegistry} from "../../contracts/ISigilRegistry.sol";
import {ISigilRecovery} from "../../contracts/ISigilRecovery.sol";
import "./SigilTest.sol" as T;
import {RegistryBase} from "./RegistryBase.sol";

/// @dev Transition rules checked from the registry's own views alone, independently of the
/// model: after every handler call, each identity's state is compared with what was seen after
/// the previous one, knowing only who acted (the kind of operation, the key and salt it
/// revealed) and whether the call succeeded. This is where "the current key alone" is defined:
/// every operation that is not a rotation or cancellation by a key revealing the commitment, a
/// guardian's approval, `applyGuardians` or `finalizeRecovery` counts as the current key's.
abstract contract RegistryObserver is RegistryBase {
    uint8 internal constant BY_CONTROLLER = 0;
    uint8 internal constant BY_ROTATION = 1;
    uint8 internal constant BY_CANCEL = 2;
    uint8 internal constant BY_GUARDIAN = 3;
    uint8 internal constant BY_APPLY = 4;
    uint8 internal constant BY_FINALIZE = 5;
    uint8 internal constant BY_TIME = 6;

    /// @dev What the last handler call did: its kind, target identity, the key that sent or
    /// signed it and the salt it revealed (if any), and whether the registry accepted it.
    struct Act {
        uint8 kind;
        address id;
        address key;
        bytes32 salt;
        bool ok;
    }

    /// @dev What the check of one identity knows about the call.
    struct Who {
        bool mine; // the call succeeded on this identity
        bool byNextKey; // ... and was a rotation or cancellation by the key of its commitment
        bool rotated; // ... a rotation by that key
        bool recovered; // ... a finalisation of an armed recovery whose delay has passed
    }

    mapping(address identity => ISigilRegistry.IdentityState) internal seen;
    mapping(address identity => ISigilRecovery.RecoveryState) internal seenRecovery;
    mapping(address identity => uint256) internal proposedAt; // when the pending guardian change appeared
    mapping(address identity => uint256) internal proposedWait; // the delay it must wait out
    mapping(address signer => uint256) internal seenLegacyNonce;

    constructor(SigilRegistry registry_) RegistryBase(registry_) {
        for (uint256 i = 0; i < IDENTITIES; ++i) {
            seen[actors[i]] = registry_.identityState(actors[i]);
            seenRecovery[actors[i]] = registry_.recoveryState(actors[i]);
        }
    }

    function _observe(Act memory act) internal {
        for (uint256 i = 0; i < IDENTITIES; ++i) _observeIdentity(actors[i], act);
        for (uint256 i = 0; i < KEYS; ++i) {
            uint256 n = registry.nonce(actors[i]);
            if (n < seenLegacyNonce[actors[i]]) _flag(NONCE, "a legacy nonce decreased");
            seenLegacyNonce[actors[i]] = n;
        }
    }

    function _observeIdentity(address id, Act memory act) internal {
        ISigilRegistry.IdentityState memory s = registry.identityState(id);
        ISigilRecovery.RecoveryState memory r = registry.recoveryState(id);
        ISigilRegistry.IdentityState memory p = seen[id];
        ISigilRecovery.RecoveryState memory q = seenRecovery[id];
        Who memory who;
        who.mine = act.ok && act.id == id;
        who.byNextKey =
            who.mine &&
            (act.kind == BY_ROTATION || act.kind == BY_CANCEL) &&
            p.nextOwnerCommitment != bytes32(0) &&
            act.key != p.owner &&
            T.commitmentTo(act.key, act.salt) == p.nextOwnerCommitment;
        who.rotated = who.byNextKey && act.kind == BY_ROTATION;
        who.recovered = who.mine && act.kind == BY_FINALIZE && q.armedAt != 0 && block.timestamp >= q.readyAt;
        _checkControl(id, p, q, s, who);
        _checkGuardians(id, act, p, q, r, who);
        _checkRecovery(act, q, r, who);
        _checkCommittedAt(p, q, s, r, who);
        _checkDelegates(id, p, s, who);
        _checkChanged(p, q, s, r, who);
        seen[id] = s;
        seenRecovery[id] = r;
    }

    /// @dev Controller, commitment and deactivation: while a commitment exists only its key (a
    /// rotation) or a recovery changes them; with guardians the current key cannot deactivate;
    /// deactivation is final.
    function _checkControl(
        address id,
        ISigilRegistry.IdentityState memory p,
        ISigilRecovery.RecoveryState memory q,
        ISigilRegistry.IdentityState memory s,
        Who memory who
    ) internal {
        bool tookControl = who.rotated || who.recovered;
        if (p.deactivated && (!s.deactivated || s.owner != address(0) || registry.owners(id) != address(0))) {
            _flag(DEACTIVATION, "a deactivated identity came back");
        }
        if (s.deactivated && (s.owner != address(0) || registry.identityOwner(id) != address(0) || s.nextOwnerCommitment != bytes32(0))) {
            _flag(DEACTIVATION, "a deactivated identity has an owner or a commitment");
        }
        bool controlChanged = s.owner != p.owner || s.nextOwnerCommitment != p.nextOwnerCommitment || s.deactivated != p.deactivated;
        if (p.nextOwnerCommitment != bytes32(0) && controlChanged && !tookControl) {
            _flag(CONTROL, "controller, commitment or deactivation changed while committed, without the next key or a recovery");
        }
        if (q.guardianRoot != bytes32(0) && s.deactivated && !p.deactivated && !tookControl) {
            _flag(CONTROL, "a guarded identity was deactivated without the next key or the guardians");
        }
        // What the guardians cannot undo needs a commitment senior now (with a recovery armed,
        // senior to its arming, which _checkRecovery checks).
        bool seniorNow = q.committedAt + q.delay <= block.timestamp || q.committedAt < q.guardiansSince;
        if (q.guardianRoot != bytes32(0) && q.armedAt == 0 && s.deactivated && !p.deactivated && who.rotated && !seniorNow) {
            _flag(CONTROL, "a next key whose commitment is not senior deactivated a guarded identity");
        }
    }

    /// @dev Under a commitment the current key never changes or proposes guardians (any set it
    /// could name, itself included, would sooner or later recover the identity from under the
    /// next key). The guardian set in effect changes at once only for an identity with neither
    /// guardians nor a commitment (by its controller), by a rotation whose commitment is senior
    /// to the set, or by a finalised recovery; otherwise only by `applyGuardians`, at least the
    /// current delay after the change was proposed, with no rotation or recovery in between.
    function _checkGuardians(
        address id,
        Act memory act,
        ISigilRegistry.IdentityState memory p,
        ISigilRecovery.RecoveryState memory q,
        ISigilRecovery.RecoveryState memory r,
        Who memory who
    ) internal {
        bool setChanged = r.guardianRoot != q.guardianRoot ||
            r.threshold != q.threshold ||
            r.delay != q.delay ||
            r.guardiansSince != q.guardiansSince;
        bool pendingChanged = r.pendingEffectiveAt != q.pendingEffectiveAt ||
            r.pendingRoot != q.pendingRoot ||
            r.pendingThreshold != q.pendingThreshold ||
            r.pendingDelay != q.pendingDelay;
        if (p.nextOwnerCommitment != bytes32(0) && (setChanged || pendingChanged) && who.mine && act.kind == BY_CONTROLLER) {
            _flag(CONTROL, "the current key changed or proposed guardians under a commitment");
        }
        bool seniorNow = q.guardianRoot == bytes32(0) ||
            q.committedAt + q.delay <= block.timestamp ||
            q.committedAt < q.guardiansSince;
        if (setChanged && (p.nextOwnerCommitment != bytes32(0) || q.guardianRoot != bytes32(0))) {
            bool waited = proposedAt[id] != 0 && block.timestamp >= proposedAt[id] + proposedWait[id];
            bool allowed = (who.mine && act.kind == BY_APPLY && waited) || (who.rotated && seniorNow) || who.recovered;
            if (!allowed) _flag(GUARDIAN_SET, "the guardian set changed before the delay passed");
            if (q.armedAt != 0 && !who.recovered && !who.rotated) _flag(GUARDIAN_SET, "the guardian set changed while a recovery was armed");
        } else if (setChanged && !(who.mine && act.kind == BY_CONTROLLER)) {
            _flag(GUARDIAN_SET, "the guardian set of an unguarded identity changed without its controller");
        }
        // Seniority against a set counts from its proposal (applied) or from now (installed at once).
        if (who.mine && act.kind == BY_APPLY && r.guardiansSince != proposedAt[id]) {
            _flag(GUARDIAN_SET, "an applied guardian set does not date from its proposal");
        } else if (setChanged && who.mine && act.kind != BY_APPLY && r.guardiansSince != block.timestamp) {
            _flag(GUARDIAN_SET, "a guardian set installed at once does not date from now");
        }
        if (r.nextOwnerCommitment != bytes32(0) && p.nextOwnerCommitment == bytes32(0) && r.pendingEffectiveAt != 0 && !who.rotated) {
            _flag(GUARDIAN_SET, "a guardian change proposed before a commitment survived it");
        }
        // A rotation may leave only its own proposal, and only against a set it is junior to.
        bool ownProposal = who.rotated && !seniorNow && r.pendingEffectiveAt == block.timestamp + q.delay;
        if ((who.rotated || who.recovered) && r.pendingEffectiveAt != 0 && !ownProposal) {
            _flag(GUARDIAN_SET, "a rotation or a recovery left a guardian change pending");
        }
        if (r.pendingEffectiveAt == 0) {
            proposedAt[id] = 0;
        } else if (pendingChanged) {
            if (!(who.mine && (act.kind == BY_CONTROLLER || act.kind == BY_ROTATION))) {
                _flag(GUARDIAN_SET, "a guardian change was proposed by someone else");
            }
            if (q.guardianRoot == bytes32(0)) _flag(GUARDIAN_SET, "a change was proposed to an identity without guardians");
            proposedAt[id] = block.timestamp;
            proposedWait[id] = q.delay;
        }
    }

    /// @dev Only guardians arm, and only with `threshold` distinct approvals; an armed recovery
    /// ends only by its finalisation after the delay, or by a senior next key.
    function _checkRecovery(
        Act memory act,
        ISigilRecovery.RecoveryState memory q,
        ISigilRecovery.RecoveryState memory r,
        Who memory who
    ) internal {
        if (r.round < q.round) _flag(RECOVERY, "the recovery round decreased");
        if (q.armedAt == 0 && r.armedAt != 0) {
            bool byGuardians = who.mine && act.kind == BY_GUARDIAN && r.armedAt == block.timestamp;
            if (!byGuardians || tallies[r.armedProposal].count < r.threshold) {
                _flag(RECOVERY, "a recovery was armed without threshold approvals by distinct guardians");
            }
        }
        if (q.armedAt != 0 && r.armedAt != 0 && (q.armedAt != r.armedAt || q.armedProposal != r.armedProposal)) {
            _flag(RECOVERY, "an armed recovery changed");
        }
        if (q.armedAt != 0 && r.armedAt == 0) {
            bool senior = q.committedAt + q.delay <= q.armedAt || q.committedAt < q.guardiansSince;
            if (!(who.recovered || (who.byNextKey && senior))) {
                _flag(RECOVERY, "an armed recovery ended without its finalisation or a senior next key");
            }
        }
    }

    /// @dev A commitment's seniority: unchanged while the commitment is; a new one dates from
    /// now (the controller's or a recovery's), except a rotation's, which keeps the consumed
    /// commitment's; none has zero.
    function _checkCommittedAt(
        ISigilRegistry.IdentityState memory p,
        ISigilRecovery.RecoveryState memory q,
        ISigilRegistry.IdentityState memory s,
        ISigilRecovery.RecoveryState memory r,
        Who memory who
    ) internal {
        uint256 expected = block.timestamp;
        if (s.nextOwnerCommitment == bytes32(0)) expected = 0;
        else if (s.nextOwnerCommitment == p.nextOwnerCommitment || who.rotated) expected = q.committedAt;
        if (r.committedAt != expected) _flag(RECOVERY, "a commitment's seniority is not what it inherits");
    }

    /// @dev A new epoch comes only with a rotation or recovery, and right after a purge or a
    /// deactivation no delegate is valid in any view.
    function _checkDelegates(
        address id,
        ISigilRegistry.IdentityState memory p,
        ISigilRegistry.IdentityState memory s,
        Who memory who
    ) internal {
        if (s.epoch != p.epoch && (s.epoch != p.epoch + 1 || !(who.rotated || who.recovered))) {
            _flag(PURGE, "the epoch changed without a purging rotation or recovery");
        }
        if (s.epoch == p.epoch && !s.deactivated) return;
        bytes32 typeHash = keccak256(abi.encode(DELEGATE_TYPE));
        for (uint256 j = 0; j < KEYS; ++j) {
            if (registry.validDelegate(id, DELEGATE_TYPE, actors[j]) || registry.delegates(id, typeHash, actors[j]) != 0) {
                _flag(s.deactivated ? DEACTIVATION : PURGE, "a delegate from before a purge or deactivation is valid");
            }
        }
    }

    /// @dev Every successful call advances `changed` to this block; nothing else changes state.
    function _checkChanged(
        ISigilRegistry.IdentityState memory p,
        ISigilRecovery.RecoveryState memory q,
        ISigilRegistry.IdentityState memory s,
        ISigilRecovery.RecoveryState memory r,
        Who memory who
    ) internal {
        if (s.changed < p.changed || s.changed > block.number) _flag(CHANGED, "changed decreased or is in the future");
        if (who.mine && s.changed != block.number) _flag(CHANGED, "a successful call did not advance changed");
        // The legacy nonce in identityState is the owner's, which calls on other identities move.
        bool differs = keccak256(abi.encode(s.owner, s.changed, s.epoch, s.nextOwnerCommitment, s.deactivated, s.nonce)) !=
            keccak256(abi.encode(p.owner, p.changed, p.epoch, p.nextOwnerCommitment, p.deactivated, p.nonce)) ||
            keccak256(abi.encode(r)) != keccak256(abi.encode(q));
        if (differs && !who.mine) _flag(CHANGED, "state changed without a successful call on the identity");
        if (s.nonce < p.nonce || s.nonce > p.nonce + 1) _flag(NONCE, "a typed nonce decreased or skipped");
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ISigilRecovery} from "./ISigilRecovery.sol";
import {ISigilRegistry} from "./ISigilRegistry.sol";
import {SigilRecords} from "./SigilRecords.sol";

/// @title Guardian recovery of Sigil identities
/// @notice M-of-N guardians, named only by a salted Merkle root, recover an identity whose keys
/// were stolen before any commitment, or whose next key was lost: approvals (direct or EIP-712)
/// arm a recovery, which anyone finalises after the identity's delay, purging like a rotation.
/// Priority: a senior next key > the guardians > the current key (see `_senior`). While a
/// next-key commitment exists the current key cannot touch the guardian set at all (only the
/// next key's rotation or a recovery can), so it can never raise an authority over the next key;
/// otherwise guardian-set changes wait out the delay, and a rotation or an armed recovery
/// vetoes them.
abstract contract SigilRecovery is ISigilRecovery, SigilRecords {
    /// @notice Shortest delay a guardian set may have: long enough for the next key to react.
    uint256 public constant MIN_RECOVERY_DELAY = 1 hours;
    /// @notice Longest delay a guardian set may have: short enough for a recovery to matter.
    uint256 public constant MAX_RECOVERY_DELAY = 365 days;
    /// @notice Approvals one guardian may give in one recovery round (a round ends when a
    /// recovery is finalised or cancelled, or the guardian set changes): enough to correct a
    /// mistake, too few to flood the identity's history past what capped log queries return.
    uint256 public constant MAX_APPROVALS_PER_ROUND = 8;

    // Names of the ERC-1056 attribute markers of Sigil-only changes (see ISigilRegistry).
    bytes32 private constant GUARDIANS_MARKER = "sigil/guardians";
    bytes32 private constant RECOVERY_MARKER = "sigil/recovery";

    struct Guardians {
        bytes32 root;
        uint8 threshold;
        uint32 delay;
        uint40 since;
    }

    struct GuardianChange {
        bytes32 root;
        uint8 threshold;
        uint32 delay;
        uint40 effectiveAt;
        uint40 proposedAt;
    }

    /// @dev A proposal's approvals count only within one delay of its first approval; after
    /// that it starts over (a new `generation`), so a stale approval from a long-resolved
    /// incident never completes M-1 later ones.
    struct Proposal {
        uint40 startedAt;
        uint32 generation;
        uint8 approvals;
    }

    struct Recovery {
        bytes32 armedProposal;
        uint32 round;
        uint40 armedAt;
    }

    mapping(address identity => Guardians) private _guardians;
    mapping(address identity => GuardianChange) private _guardianChanges;
    mapping(address identity => Recovery) private _recoveries;
    mapping(bytes32 proposal => Proposal) private _proposals;
    /// @dev keccak256(proposal, generation, guardian) => approved.
    mapping(bytes32 approval => bool) private _approved;
    /// @dev Struct hashes of relayed approvals already counted: a signature, public once relayed,
    /// must not count again when its proposal's tally starts over.
    mapping(bytes32 structHash => mapping(address guardian => bool)) private _usedApprovals;
    /// @dev keccak256(identity, round, guardian) => approvals given in that round.
    mapping(bytes32 guardianRound => uint256) private _approvalsGiven;

    /// @inheritdoc ISigilRecovery
    function recoveryState(address identity) external view returns (RecoveryState memory s) {
        NextKey memory next = _nextKeys[identity];
        Guardians memory g = _guardians[identity];
        GuardianChange memory change = _guardianChanges[identity];
        Recovery memory r = _recoveries[identity];
        s.nextOwnerCommitment = next.commitment;
        s.committedAt = next.since;
        s.commitmentNonce = next.nonce;
        (s.guardianRoot, s.threshold, s.delay, s.guardiansSince) = (g.root, g.threshold, g.delay, g.since);
        (s.pendingRoot, s.pendingThreshold, s.pendingDelay) = (change.root, change.threshold, change.delay);
        s.pendingEffectiveAt = change.effectiveAt;
        (s.round, s.armedProposal, s.armedAt) = (r.round, r.armedProposal, r.armedAt);
        if (r.armedAt != 0) s.readyAt = uint256(r.armedAt) + g.delay;
    }

    /// @inheritdoc ISigilRecovery
    function recoveryProposalId(address identity, RecoveryProposal calldata recovery) public view returns (bytes32) {
        return keccak256(abi.encode(identity, _recoveries[identity].round, recovery));
    }

    /// @inheritdoc ISigilRecovery
    function setGuardians(address identity, bytes32 root, uint256 threshold, uint256 delay) external {
        _setGuardians(identity, _authorize(identity, msg.sender), root, threshold, delay);
    }

    /// @inheritdoc ISigilRecovery
    function setGuardiansWithSig(
        address identity,
        bytes32 root,
        uint256 threshold,
        uint256 delay,
        uint256 deadline,
        bytes calldata signature
    ) external {
        Record memory rec = _authorizeTyped(
            identity,
            abi.encode(SET_GUARDIANS_TYPEHASH, identity, root, threshold, delay),
            deadline,
            signature
        );
        _setGuardians(identity, rec, root, threshold, delay);
    }

    /// @inheritdoc ISigilRecovery
    function applyGuardians(address identity) external {
        Record memory rec = _live(identity);
        GuardianChange memory change = _guardianChanges[identity];
        if (change.effectiveAt == 0) revert SigilNoGuardianChange(identity);
        if (block.timestamp < change.effectiveAt) revert SigilGuardianChangeNotReady(identity, change.effectiveAt);
        _requireNoArmedRecovery(identity);
        delete _guardianChanges[identity];
        // Seniority against this set counts from its proposal: a commitment made after a
        // proposal that looked innocuous gains nothing when the set applies.
        _installGuardians(identity, rec, change.root, change.threshold, change.delay, change.proposedAt);
        _touchSigil(identity, rec, GUARDIANS_MARKER);
    }

    /// @inheritdoc ISigilRecovery
    function approveRecovery(address identity, RecoveryProposal calldata recovery, GuardianProof calldata proof) external {
        Record memory rec = _live(identity);
        if (proof.guardian != msg.sender) revert SigilNotGuardian(identity, msg.sender);
        _approve(identity, rec, recovery, proof);
    }

    /// @inheritdoc ISigilRecovery
    function approveRecoveryWithSig(
        address identity,
        RecoveryProposal calldata recovery,
        GuardianProof calldata proof,
        uint256 deadline,
        bytes calldata signature
    ) external {
        Record memory rec = _live(identity);
        bytes32 structHash = keccak256(
            abi.encode(
                APPROVE_RECOVERY_TYPEHASH,
                identity,
                _recoveries[identity].round,
                recovery.newOwner,
                recovery.nextCommitment,
                recovery.purge,
                _hashGuardianUpdate(recovery.guardians),
                deadline
            )
        );
        _checkSignature(identity, proof.guardian, structHash, deadline, signature);
        // An approval the current tally holds is refused by `_approve` (SigilAlreadyApproved); a
        // used signature is refused after it, which is only reached once the tally started over.
        // Keyed by guardian too: guardians who sign the same proposal and deadline sign the same struct.
        _approve(identity, rec, recovery, proof);
        if (_usedApprovals[structHash][proof.guardian]) revert SigilSignatureUsed(identity, proof.guardian);
        _usedApprovals[structHash][proof.guardian] = true;
    }

    /// @inheritdoc ISigilRecovery
    function cancelRecovery(address identity, bytes32 salt) external {
        Record memory rec = _live(identity);
        _cancel(identity, rec, _checkNextKey(identity, rec, msg.sender, salt));
    }

    /// @inheritdoc ISigilRecovery
    function cancelRecoveryWithSig(
        address identity,
        address nextOwnerKey,
        bytes32 salt,
        uint256 deadline,
        bytes calldata signature
    ) external {
        Record memory rec = _live(identity);
        NextKey memory next = _checkNextKey(identity, rec, nextOwnerKey, salt);
        bytes32 structHash = keccak256(
            abi.encode(CANCEL_RECOVERY_TYPEHASH, identity, next.commitment, _recoveries[identity].round, deadline)
        );
        _checkSignature(identity, nextOwnerKey, structHash, deadline, signature);
        _cancel(identity, rec, next);
    }

    /// @inheritdoc ISigilRecovery
    function finalizeRecovery(address identity, RecoveryProposal calldata recovery) external {
        Record memory rec = _live(identity);
        Recovery storage r = _recoveries[identity];
        bytes32 id = recoveryProposalId(identity, recovery);
        if (r.armedAt == 0 || r.armedProposal != id) revert SigilNoRecoveryPending(identity);
        uint256 readyAt = uint256(r.armedAt) + _guardians[identity].delay;
        if (block.timestamp < readyAt) revert SigilRecoveryNotReady(identity, readyAt);
        (r.armedProposal, r.armedAt) = (bytes32(0), 0);
        ++r.round;
        _cancelGuardianChange(identity, rec);
        _takeControl(identity, rec, recovery.newOwner, recovery.nextCommitment, block.timestamp, recovery.purge);
        if (recovery.guardians.replace) _replaceGuardians(identity, rec, recovery.guardians);
        bytes32 nextCommitment = _nextKeys[identity].commitment;
        _log3(identity, rec, DIDRecovered.selector, id, abi.encode(recovery.newOwner, nextCommitment, recovery.purge, rec.epoch));
        _touch(identity, rec);
    }

    /// @dev What the next key's rotation does here: an armed recovery blocks it unless the
    /// commitment is senior (and is then cancelled); a pending guardian change is dropped. A
    /// deactivation cannot be undone by the guardians, so on a guarded identity it needs a
    /// commitment that is senior now (a thief's fresh key must not destroy what they can recover).
    /// The rotation's guardian update takes effect at once when the commitment is senior to the
    /// current set (an owner's next key removes a set a thief installed), and is otherwise only
    /// proposed for the set's delay (a thief's fresh next key cannot dismiss the guardians who
    /// are about to recover the identity from him).
    function _beforeRotation(
        address identity,
        Record memory rec,
        uint256 committedAt,
        address newOwner,
        GuardianUpdate calldata guardians
    ) internal {
        Recovery storage r = _recoveries[identity];
        if (r.armedAt != 0) {
            if (!_senior(identity, committedAt, r.armedAt)) {
                revert SigilRecoveryPending(identity, uint256(r.armedAt) + _guardians[identity].delay);
            }
            _dropRecovery(identity, rec, r);
        } else if (newOwner == address(0) && _guardians[identity].root != bytes32(0)) {
            if (!_senior(identity, committedAt, block.timestamp)) revert SigilCommitmentNotSenior(identity, committedAt);
        }
        _cancelGuardianChange(identity, rec);
        if (!_checkUpdateForm(guardians)) return;
        Guardians memory g = _guardians[identity];
        if (g.root == bytes32(0) || _senior(identity, committedAt, block.timestamp)) {
            _replaceGuardians(identity, rec, guardians);
        } else {
            _checkPolicy(identity, g, guardians.root, guardians.threshold, guardians.delay);
            _proposeGuardians(identity, rec, g, guardians.root, guardians.threshold, guardians.delay);
        }
    }

    /// @dev Reverts when the current key may not deactivate alone: guardians are set.
    function _requireUnguarded(address identity) internal view {
        if (_guardians[identity].root != bytes32(0)) revert SigilGuardedDeactivation(identity);
    }

    /// @dev A commitment outranks the guardians of a recovery armed at `armedAt` when it is at
    /// least one delay older than the arming, or older than the guardian set itself. So a key
    /// committed by a thief after the theft cannot veto guardians who arm within the delay,
    /// while an owner's long-standing next key stops colluding guardians. A rotation's new
    /// commitment keeps the age of the one it consumed (the same holder's chain of custody), so
    /// rotating never opens a window for colluding guardians or for guardians a thief installed.
    function _senior(address identity, uint256 committedAt, uint256 armedAt) private view returns (bool) {
        Guardians memory g = _guardians[identity];
        return committedAt + g.delay <= armedAt || committedAt < g.since;
    }

    /// @dev The current key's guardian change. Under a commitment, refused: the next key is the
    /// senior authority, and any set the current key could name (its own addresses, any delay)
    /// would sooner or later recover the identity from under it.
    function _setGuardians(address identity, Record memory rec, bytes32 root, uint256 threshold, uint256 delay) private {
        if (rec.committed) revert ISigilRegistry.SigilNextOwnerCommitted(identity);
        Guardians memory g = _guardians[identity];
        _checkPolicy(identity, g, root, threshold, delay);
        _requireNoArmedRecovery(identity);
        if (g.root == bytes32(0)) {
            // Nobody to protect against yet: the current key controls everything already.
            delete _guardianChanges[identity];
            _installGuardians(identity, rec, root, threshold, delay, block.timestamp);
        } else {
            _proposeGuardians(identity, rec, g, root, threshold, delay);
        }
        _touchSigil(identity, rec, GUARDIANS_MARKER);
    }

    /// @dev Reverts unless (root, threshold, delay) is a valid set, or a valid "none" that
    /// removes something (a set or a pending change).
    function _checkPolicy(address identity, Guardians memory g, bytes32 root, uint256 threshold, uint256 delay) private view {
        bool none = root == bytes32(0);
        if (
            none
                ? threshold != 0 || delay != 0
                : threshold == 0 || threshold > type(uint8).max || delay < MIN_RECOVERY_DELAY || delay > MAX_RECOVERY_DELAY
        ) revert SigilInvalidGuardianPolicy(threshold, delay);
        if (none && g.root == bytes32(0) && _guardianChanges[identity].effectiveAt == 0) revert SigilNoGuardians(identity);
    }

    /// @dev Proposes a change to the guardian set `g`, effective after its delay.
    function _proposeGuardians(
        address identity,
        Record memory rec,
        Guardians memory g,
        bytes32 root,
        uint256 threshold,
        uint256 delay
    ) private {
        uint40 effectiveAt = SafeCast.toUint40(block.timestamp + g.delay);
        _guardianChanges[identity] = GuardianChange(
            root,
            uint8(threshold),
            uint32(delay),
            effectiveAt,
            SafeCast.toUint40(block.timestamp)
        );
        _log(identity, rec, DIDGuardiansProposed.selector, abi.encode(root, threshold, delay, effectiveAt, rec.changed));
    }

    /// @dev Installs a rotation's or a recovery's guardian update at once (seniority from now).
    /// Removing guardians that are not there is a no-op here: the update states the end state.
    function _replaceGuardians(address identity, Record memory rec, GuardianUpdate calldata u) private {
        if (u.root == bytes32(0) && _guardians[identity].root == bytes32(0)) {
            if (u.threshold != 0 || u.delay != 0) revert SigilInvalidGuardianPolicy(u.threshold, u.delay);
            return;
        }
        _checkPolicy(identity, _guardians[identity], u.root, u.threshold, u.delay);
        _installGuardians(identity, rec, u.root, u.threshold, u.delay, block.timestamp);
    }

    function _installGuardians(
        address identity,
        Record memory rec,
        bytes32 root,
        uint256 threshold,
        uint256 delay,
        uint256 since
    ) private {
        _guardians[identity] = Guardians(root, uint8(threshold), uint32(delay), SafeCast.toUint40(since));
        ++_recoveries[identity].round; // approvals given under the old set are void
        _log(identity, rec, DIDGuardiansChanged.selector, abi.encode(root, threshold, delay, rec.changed));
    }

    function _approve(
        address identity,
        Record memory rec,
        RecoveryProposal calldata recovery,
        GuardianProof calldata proof
    ) private {
        uint256 delay = _verifyGuardian(identity, proof);
        if (proof.guardian == identity || proof.guardian == _ownerOf(identity, rec)) {
            revert SigilGuardianIsController(identity, proof.guardian);
        }
        _checkProposal(identity, rec, recovery);
        Recovery storage r = _recoveries[identity];
        if (r.armedAt != 0) revert SigilRecoveryPending(identity, uint256(r.armedAt) + delay);
        bytes32 id = recoveryProposalId(identity, recovery);
        (uint256 approvals, bool armed) = _count(identity, id, proof.guardian, delay);
        _spendApproval(identity, r.round, proof.guardian);
        if (approvals == 1) {
            _log3(identity, rec, DIDRecoveryProposed.selector, id, abi.encode(recovery, r.round, rec.changed));
        }
        if (armed) (r.armedProposal, r.armedAt) = (id, SafeCast.toUint40(block.timestamp));
        _logApproval(identity, rec, id, abi.encode(proof.guardian, approvals, armed ? block.timestamp + delay : 0, rec.changed));
    }

    /// @dev The approval's event and marker (apart from `_approve` for the stack's sake).
    function _logApproval(address identity, Record memory rec, bytes32 id, bytes memory data) private {
        _log3(identity, rec, DIDRecoveryApproved.selector, id, data);
        _touchSigil(identity, rec, RECOVERY_MARKER);
    }

    /// @dev Reverts unless an armed `recovery` could be finalised as it stands: whatever is
    /// checked only at finalisation would let an armed recovery block everything and never end.
    function _checkProposal(address identity, Record memory rec, RecoveryProposal calldata recovery) private view {
        if (recovery.newOwner == address(0) && recovery.nextCommitment != bytes32(0)) revert SigilInvalidRecovery();
        if (recovery.purge) _requirePurgeable(identity, rec, true);
        GuardianUpdate calldata u = recovery.guardians;
        if (_checkUpdateForm(u)) _checkPolicy(identity, _guardians[identity], u.root, u.threshold, u.delay);
    }

    /// @dev Whether `u` replaces the set; a "keep" must be all zeros (one encoding per intent,
    /// so that one intent has one proposal id and one signature).
    function _checkUpdateForm(GuardianUpdate calldata u) private pure returns (bool) {
        if (!u.replace && (u.root != bytes32(0) || u.threshold != 0 || u.delay != 0)) {
            revert SigilInvalidGuardianPolicy(u.threshold, u.delay);
        }
        return u.replace;
    }

    /// @dev Counts one of `guardian`'s approvals in `round` against MAX_APPROVALS_PER_ROUND.
    function _spendApproval(address identity, uint256 round, address guardian) private {
        bytes32 key = keccak256(abi.encode(identity, round, guardian));
        uint256 given = _approvalsGiven[key];
        if (given >= MAX_APPROVALS_PER_ROUND) revert SigilApprovalLimit(identity, guardian);
        _approvalsGiven[key] = given + 1;
    }

    /// @dev The guardian set's delay, if `proof` shows `proof.guardian` is in it.
    function _verifyGuardian(address identity, GuardianProof calldata proof) private view returns (uint256 delay) {
        Guardians memory g = _guardians[identity];
        if (g.root == bytes32(0)) revert SigilNoGuardians(identity);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(proof.guardian, proof.salt))));
        if (!MerkleProof.verifyCalldata(proof.proof, g.root, leaf)) revert SigilNotGuardian(identity, proof.guardian);
        return g.delay;
    }

    /// @dev Records `guardian`'s approval of `id` once per generation; counted by address, so a
    /// guardian listed twice still has one vote. Armed when the threshold is reached.
    function _count(
        address identity,
        bytes32 id,
        address guardian,
        uint256 delay
    ) private returns (uint256 approvals, bool armed) {
        Proposal memory p = _proposals[id];
        if (p.approvals != 0 && block.timestamp > uint256(p.startedAt) + delay) {
            (p.approvals, p.generation) = (0, p.generation + 1); // expired: start over
        }
        if (p.approvals == 0) p.startedAt = SafeCast.toUint40(block.timestamp);
        bytes32 key = keccak256(abi.encode(id, p.generation, guardian));
        if (_approved[key]) revert SigilAlreadyApproved(identity, guardian);
        _approved[key] = true;
        approvals = ++p.approvals;
        _proposals[id] = p;
        armed = approvals >= _guardians[identity].threshold;
    }

    function _cancel(address identity, Record memory rec, NextKey memory next) private {
        Recovery storage r = _recoveries[identity];
        if (r.armedAt == 0) revert SigilNoRecoveryPending(identity);
        if (!_senior(identity, next.since, r.armedAt)) revert SigilCommitmentNotSenior(identity, next.since);
        _dropRecovery(identity, rec, r);
        _touchSigil(identity, rec, RECOVERY_MARKER);
    }

    function _dropRecovery(address identity, Record memory rec, Recovery storage r) private {
        _log3(identity, rec, DIDRecoveryCancelled.selector, r.armedProposal, abi.encode(rec.changed));
        (r.armedProposal, r.armedAt) = (bytes32(0), 0);
        ++r.round;
    }

    function _cancelGuardianChange(address identity, Record memory rec) internal {
        if (_guardianChanges[identity].effectiveAt == 0) return;
        delete _guardianChanges[identity];
        _log(identity, rec, DIDGuardianChangeCancelled.selector, abi.encode(rec.changed));
    }

    function _requireNoArmedRecovery(address identity) private view {
        Recovery storage r = _recoveries[identity];
        if (r.armedAt != 0) revert SigilRecoveryPending(identity, uint256(r.armedAt) + _guardians[identity].delay);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SigilRegistry} from "../../contracts/SigilRegistry.sol";
import {ISigilRegistry} from "../../contracts/ISigilRegistry.sol";
import {ISigilRecovery} from "../../contracts/ISigilRecovery.sol";
import "./SigilTest.sol" as T;
import {RegistryRules} from "./RegistryRules.sol";

/// @dev Drives the registry with random valid and invalid calls on three identities by every
/// path: direct, legacy-signed and EIP-712 calls of the controller (or of a key posing as it),
/// rotations and cancellations by keys revealing a commitment (or not), guardian approvals (or
/// attempts by others), guardian changes, finalisations, and time. Before each call the model
/// predicts the exact outcome (RegistryRules); after it the model is updated on success and the
/// transition rules are checked from the registry alone (RegistryObserver). A `require` here
/// would only revert the handler call, which the invariant runner ignores, so failures are
/// recorded for the invariants to report.
contract RegistryHandler is RegistryRules {
    /// @dev An EIP-712 call in the making: signer (actor index), nonce and deadline signed.
    struct Typed {
        uint256 signer;
        uint256 nonce;
        uint256 deadline;
    }

    /// @dev A guardian approval in the making (EIP-712): proof, proposal, round and deadline
    /// signed, and the signing key.
    struct Approval {
        ISigilRecovery.GuardianProof proof;
        uint256 guardian;
        bool valid;
        ISigilRecovery.RecoveryProposal p;
        uint256 round;
        uint256 deadline;
        uint256 key;
    }

    constructor(SigilRegistry registry_) RegistryRules(registry_) {}

    // ------------------------------------------------------------------ the controller's operations

    function changeOwner(uint256 idSeed, uint256 actorSeed, uint256 toSeed) external {
        (address id, Model storage m) = _identity(idSeed);
        address actor = actors[_pick(m, actorSeed)];
        address to = _target(toSeed);
        T.vm.prank(actor);
        bool ok = _outcome(abi.encodeCall(SigilRegistry.changeOwner, (id, to)), _changeOwnerError(id, m, _authError(id, m, actor), to));
        if (ok) _setOwner(_done(m), to);
        _observe(Act(BY_CONTROLLER, id, actor, bytes32(0), ok));
    }

    function deactivate(uint256 idSeed, uint256 actorSeed) external {
        (address id, Model storage m) = _identity(idSeed);
        // Mostly the outsider: deactivation is final, and runs whose identities all die early
        // explore little. Hashed so that the fuzzer's favourite seeds (0, 1, ...) are not all in.
        bool real = uint256(keccak256(abi.encode(actorSeed))) % 4 == 0;
        address actor = real ? actors[_pick(m, actorSeed)] : actors[KEYS - 1];
        T.vm.prank(actor);
        bytes memory expected = _changeOwnerError(id, m, _authError(id, m, actor), address(0));
        bool ok = _outcome(abi.encodeCall(SigilRegistry.deactivate, (id)), expected);
        if (ok) _setOwner(_done(m), address(0));
        _observe(Act(BY_CONTROLLER, id, actor, bytes32(0), ok));
    }

    function commit(uint256 idSeed, uint256 actorSeed, uint256 keySeed) external {
        (address id, Model storage m) = _identity(idSeed);
        address actor = actors[_pick(m, actorSeed)];
        bytes32 commitment = _commitment(keySeed, m.owner);
        bytes memory expected = _commitError(id, m, _authError(id, m, actor), commitment);
        T.vm.prank(actor);
        bool ok = _outcome(abi.encodeCall(SigilRegistry.commitNextOwner, (id, commitment)), expected);
        if (ok) {
            _setCommitment(_done(m), commitment, block.timestamp);
            _dropPending(m);
        }
        _observe(Act(BY_CONTROLLER, id, actor, bytes32(0), ok));
    }

    function addDelegate(uint256 idSeed, uint256 actorSeed, uint256 delegateSeed, uint256 validitySeed) external {
        (address id, Model storage m) = _identity(idSeed);
        address actor = actors[_pick(m, actorSeed)];
        address delegate = actors[delegateSeed % KEYS];
        uint256 validity = validitySeed % 30 days;
        T.vm.prank(actor);
        bytes memory data = abi.encodeCall(SigilRegistry.addDelegate, (id, DELEGATE_TYPE, delegate, validity));
        bool ok = _outcome(data, _authError(id, m, actor));
        if (ok) _storeDelegate(id, _done(m), delegate, block.timestamp + validity);
        _observe(Act(BY_CONTROLLER, id, actor, bytes32(0), ok));
    }

    function revokeDelegate(uint256 idSeed, uint256 actorSeed, uint256 delegateSeed) external {
        (address id, Model storage m) = _identity(idSeed);
        address actor = actors[_pick(m, actorSeed)];
        address delegate = actors[delegateSeed % KEYS];
        T.vm.prank(actor);
        bool ok = _outcome(abi.encodeCall(SigilRegistry.revokeDelegate, (id, DELEGATE_TYPE, delegate)), _authError(id, m, actor));
        if (ok) _storeDelegate(id, _done(m), delegate, block.timestamp);
        _observe(Act(BY_CONTROLLER, id, actor, bytes32(0), ok));
    }

    /// @dev With `stale`, signs over the owner's previous legacy nonce (a replay). A signed
    /// deactivation (rare target zero) is refused before anything else.
    function changeOwnerSigned(uint256 idSeed, uint256 signerSeed, uint256 toSeed, bool stale) external {
        (address id, Model storage m) = _identity(idSeed);
        uint256 signer = _pick(m, signerSeed);
        address to = _target(toSeed);
        uint256 nonce = legacyNonce[m.owner];
        bool nonceOk = !(stale && nonce > 0);
        bytes32 hash = T.legacyChangeOwnerHash(address(registry), nonceOk ? nonce : nonce - 1, id, to);
        (uint8 v, bytes32 r, bytes32 s) = T.vm.sign(keys[signer], hash);
        bytes memory expected = to == address(0)
            ? _err(ISigilRegistry.SigilLegacyDeactivation.selector, id)
            : _changeOwnerError(id, m, _legacyError(id, m, actors[signer], nonceOk), to);
        bool ok = _outcome(abi.encodeCall(SigilRegistry.changeOwnerSigned, (id, v, r, s, to)), expected);
        if (ok) {
            ++legacyNonce[actors[signer]];
            _setOwner(_done(m), to);
        }
        _observe(Act(BY_CONTROLLER, id, actors[signer], bytes32(0), ok));
    }

    function addDelegateSigned(uint256 idSeed, uint256 signerSeed, uint256 delegateSeed, bool stale) external {
        (address id, Model storage m) = _identity(idSeed);
        uint256 signer = _pick(m, signerSeed);
        address delegate = actors[delegateSeed % KEYS];
        uint256 nonce = legacyNonce[m.owner];
        bool nonceOk = !(stale && nonce > 0);
        bytes32 hash = T.legacyAddDelegateHash(address(registry), nonceOk ? nonce : nonce - 1, id, DELEGATE_TYPE, delegate, 1 days);
        (uint8 v, bytes32 r, bytes32 s) = T.vm.sign(keys[signer], hash);
        bytes memory data = abi.encodeCall(SigilRegistry.addDelegateSigned, (id, v, r, s, DELEGATE_TYPE, delegate, 1 days));
        bool ok = _outcome(data, _legacyError(id, m, actors[signer], nonceOk));
        if (ok) {
            ++legacyNonce[actors[signer]];
            _storeDelegate(id, _done(m), delegate, block.timestamp + 1 days);
        }
        _observe(Act(BY_CONTROLLER, id, actors[signer], bytes32(0), ok));
    }

    function changeOwnerWithSig(uint256 idSeed, uint256 signerSeed, uint256 toSeed, uint256 flavour) external {
        (address id, Model storage m) = _identity(idSeed);
        address to = _target(toSeed);
        Typed memory t = _typed(m, signerSeed, flavour);
        bytes memory sig = _sign(t, keccak256(abi.encode(T.CHANGE_OWNER_TYPEHASH, id, to, t.nonce, t.deadline)));
        bytes memory expected = _changeOwnerError(id, m, _typedError(id, m, actors[t.signer], t.nonce, t.deadline), to);
        bool ok = _outcome(abi.encodeCall(SigilRegistry.changeOwnerWithSig, (id, to, t.deadline, sig)), expected);
        if (ok) _setOwner(_doneTyped(m), to);
        _observe(Act(BY_CONTROLLER, id, actors[t.signer], bytes32(0), ok));
    }

    function addDelegateWithSig(uint256 idSeed, uint256 signerSeed, uint256 delegateSeed, uint256 flavour) external {
        (address id, Model storage m) = _identity(idSeed);
        address delegate = actors[delegateSeed % KEYS];
        Typed memory t = _typed(m, signerSeed, flavour);
        bytes memory sig = _sign(
            t,
            keccak256(abi.encode(T.ADD_DELEGATE_TYPEHASH, id, DELEGATE_TYPE, delegate, 1 days, t.nonce, t.deadline))
        );
        bytes memory data = abi.encodeCall(SigilRegistry.addDelegateWithSig, (id, DELEGATE_TYPE, delegate, 1 days, t.deadline, sig));
        bool ok = _outcome(data, _typedError(id, m, actors[t.signer], t.nonce, t.deadline));
        if (ok) _storeDelegate(id, _doneTyped(m), delegate, block.timestamp + 1 days);
        _observe(Act(BY_CONTROLLER, id, actors[t.signer], bytes32(0), ok));
    }

    function commitNextOwnerWithSig(uint256 idSeed, uint256 signerSeed, uint256 keySeed, uint256 flavour) external {
        (address id, Model storage m) = _identity(idSeed);
        bytes32 commitment = _commitment(keySeed, m.owner);
        Typed memory t = _typed(m, signerSeed, flavour);
        bytes memory sig = _sign(t, keccak256(abi.encode(T.COMMIT_NEXT_OWNER_TYPEHASH, id, commitment, t.nonce, t.deadline)));
        bytes memory expected = _commitError(id, m, _typedError(id, m, actors[t.signer], t.nonce, t.deadline), commitment);
        bool ok = _outcome(abi.encodeCall(SigilRegistry.commitNextOwnerWithSig, (id, commitment, t.deadline, sig)), expected);
        if (ok) {
            _setCommitment(_doneTyped(m), commitment, block.timestamp);
            _dropPending(m);
        }
        _observe(Act(BY_CONTROLLER, id, actors[t.signer], bytes32(0), ok));
    }

    function deactivateWithSig(uint256 idSeed, uint256 signerSeed, uint256 flavour) external {
        (address id, Model storage m) = _identity(idSeed);
        // Mostly the outsider, as in `deactivate` (`_pick` maps 2 * KEYS - 1 to it).
        if (uint256(keccak256(abi.encode(signerSeed))) % 4 != 0) signerSeed = 2 * KEYS - 1;
        Typed memory t = _typed(m, signerSeed, flavour);
        bytes memory sig = _sign(t, keccak256(abi.encode(T.DEACTIVATE_TYPEHASH, id, t.nonce, t.deadline)));
        bytes memory expected = _changeOwnerError(id, m, _typedError(id, m, actors[t.signer], t.nonce, t.deadline), address(0));
        bool ok = _outcome(abi.encodeCall(SigilRegistry.deactivateWithSig, (id, t.deadline, sig)), expected);
        if (ok) _setOwner(_doneTyped(m), address(0));
        _observe(Act(BY_CONTROLLER, id, actors[t.signer], bytes32(0), ok));
    }

    function setGuardians(uint256 idSeed, uint256 actorSeed, uint256 rootSeed, uint256 policySeed) external {
        (address id, Model storage m) = _identity(idSeed);
        address actor = actors[_pick(m, actorSeed)];
        (bytes32 root, uint256 threshold, uint256 delay) = _policy(rootSeed, policySeed);
        bytes memory expected = _policyError(id, m, _authError(id, m, actor), root, threshold, delay);
        T.vm.prank(actor);
        bool ok = _outcome(abi.encodeCall(ISigilRecovery.setGuardians, (id, root, threshold, delay)), expected);
        if (ok) _proposeGuardians(_done(m), root, threshold, delay);
        _observe(Act(BY_CONTROLLER, id, actor, bytes32(0), ok));
    }

    function setGuardiansWithSig(uint256 idSeed, uint256 signerSeed, uint256 rootSeed, uint256 policySeed, uint256 flavour) external {
        (address id, Model storage m) = _identity(idSeed);
        (bytes32 root, uint256 threshold, uint256 delay) = _policy(rootSeed, policySeed);
        Typed memory t = _typed(m, signerSeed, flavour);
        bytes memory sig = _sign(t, keccak256(abi.encode(T.SET_GUARDIANS_TYPEHASH, id, root, threshold, delay, t.nonce, t.deadline)));
        bytes memory expected = _policyError(id, m, _typedError(id, m, actors[t.signer], t.nonce, t.deadline), root, threshold, delay);
        bool ok = _outcome(abi.encodeCall(ISigilRecovery.setGuardiansWithSig, (id, root, threshold, delay, t.deadline, sig)), expected);
        if (ok) _proposeGuardians(_doneTyped(m), root, threshold, delay);
        _observe(Act(BY_CONTROLLER, id, actors[t.signer], bytes32(0), ok));
    }

    // ------------------------------------------------------------------ the next key's operations

    function rotate(uint256 idSeed, uint256 keySeed, uint256 toSeed, uint256 nextSeed, uint256 flags) external {
        (address id, Model storage m) = _identity(idSeed);
        (uint256 key, bytes32 salt) = _pickNext(m, keySeed);
        ISigilRegistry.Rotation memory rot = _rotationOf(m, toSeed, nextSeed, flags);
        bytes memory expected = _nextKeyError(id, m, actors[key], salt);
        if (expected.length == 0) expected = _rotateError(id, m, rot);
        T.vm.prank(actors[key]);
        bool ok = _outcome(abi.encodeCall(SigilRegistry.rotate, (id, salt, rot)), expected);
        _noteRotation(m, rot, expected, ok);
        if (ok) _applyRotation(id, m, rot);
        _observe(Act(BY_ROTATION, id, actors[key], salt, ok));
    }

    /// @dev Signed by the picked key but claimed for another when `claimSeed % 4 == 0`;
    /// `(claimSeed / 4) % 8`: 6 signs the next commitmentNonce, 7 a passed deadline.
    function rotateWithSig(uint256 idSeed, uint256 keySeed, uint256 claimSeed, uint256 toSeed, uint256 nextSeed, uint256 flags) external {
        (address id, Model storage m) = _identity(idSeed);
        (uint256 signer, bytes32 salt) = _pickNext(m, keySeed);
        address claimed = claimSeed % 4 == 0 ? actors[(claimSeed / 32) % KEYS] : actors[signer];
        ISigilRegistry.Rotation memory rot = _rotationOf(m, toSeed, nextSeed, flags);
        Typed memory t = Typed(signer, m.commitmentNonce, block.timestamp + 1 hours);
        if ((claimSeed / 4) % 8 == 6) ++t.nonce;
        if ((claimSeed / 4) % 8 == 7) t.deadline = block.timestamp - 1;
        bytes memory sig = _sign(t, T.rotateHash(id, m.commitment, t.nonce, rot, t.deadline));
        bytes memory expected = _nextKeyError(id, m, claimed, salt);
        if (expected.length != 0) {} else if (block.timestamp > t.deadline) {
            expected = abi.encodeWithSelector(ISigilRegistry.SigilExpiredSignature.selector, t.deadline);
        } else if (claimed != actors[signer] || t.nonce != m.commitmentNonce) {
            expected = _err2(ISigilRegistry.SigilInvalidSignature.selector, id, claimed);
        } else {
            expected = _rotateError(id, m, rot);
        }
        bool ok = _outcome(abi.encodeCall(SigilRegistry.rotateWithSig, (id, claimed, salt, rot, t.deadline, sig)), expected);
        _noteRotation(m, rot, expected, ok);
        if (ok) _applyRotation(id, m, rot);
        _observe(Act(BY_ROTATION, id, claimed, salt, ok));
    }

    function cancelRecovery(uint256 idSeed, uint256 keySeed) external {
        (address id, Model storage m) = _identity(idSeed);
        (uint256 key, bytes32 salt) = _pickNext(m, keySeed);
        T.vm.prank(actors[key]);
        bool ok = _outcome(abi.encodeCall(ISigilRecovery.cancelRecovery, (id, salt)), _cancelError(id, m, actors[key], salt));
        if (ok) _disarm(_done(m));
        _observe(Act(BY_CANCEL, id, actors[key], salt, ok));
    }

    // ------------------------------------------------------------------ guardians and anyone

    /// @dev `flags % 8`: 0 spoils the proof's salt; 1 is the controller sending a guardian's
    /// proof; 2 the controller claiming to be a guardian itself; anything else the guardian.
    function approveRecovery(uint256 idSeed, uint256 leafSeed, uint256 proposalSeed, uint256 flags) external {
        (address id, Model storage m) = _identity(idSeed);
        (ISigilRecovery.GuardianProof memory proof, , bool valid) = _guardianProof(m, leafSeed, flags % 8 == 0);
        ISigilRecovery.RecoveryProposal memory p = _proposalAt(_proposalIndex(proposalSeed));
        address sender = proof.guardian;
        if (flags % 8 == 1 || flags % 8 == 2) sender = actors[_pick(m, flags / 8)];
        if (flags % 8 == 2) (proof.guardian, valid) = (sender, false);
        bytes memory expected = _deadError(id, m);
        if (expected.length != 0) {} else if (sender != proof.guardian) {
            expected = _err2(ISigilRecovery.SigilNotGuardian.selector, id, sender);
        } else {
            expected = _approveError(id, m, p, proof.guardian, valid);
        }
        T.vm.prank(sender);
        bool ok = _outcome(abi.encodeCall(ISigilRecovery.approveRecovery, (id, p, proof)), expected);
        if (ok) _countApproval(id, _done(m), p, proof.guardian);
        _observe(Act(flags % 8 == 1 || flags % 8 == 2 ? BY_CONTROLLER : BY_GUARDIAN, id, sender, bytes32(0), ok));
    }

    /// @dev `flags % 8`: 0 spoils the proof's salt; 1 is signed by the controller's key; 6 over
    /// the next round; 7 with a passed deadline; anything else the guardian's valid signature.
    function approveRecoveryWithSig(uint256 idSeed, uint256 leafSeed, uint256 proposalSeed, uint256 flags) external {
        (address id, Model storage m) = _identity(idSeed);
        Approval memory a;
        (a.proof, a.guardian, a.valid) = _guardianProof(m, leafSeed, flags % 8 == 0);
        a.p = _proposalAt(_proposalIndex(proposalSeed));
        a.round = flags % 8 == 6 ? m.round + 1 : m.round;
        a.deadline = flags % 8 == 7 ? block.timestamp - 1 : block.timestamp;
        a.key = flags % 8 == 1 ? keys[_pick(m, flags / 8)] : guardianKeys[a.guardian];
        bytes memory expected = _deadError(id, m);
        if (expected.length != 0) {} else if (block.timestamp > a.deadline) {
            expected = abi.encodeWithSelector(ISigilRegistry.SigilExpiredSignature.selector, a.deadline);
        } else if ((flags % 8 == 1 && T.vm.addr(a.key) != a.proof.guardian) || a.round != m.round) {
            expected = _err2(ISigilRegistry.SigilInvalidSignature.selector, id, a.proof.guardian);
        } else {
            expected = _approveError(id, m, a.p, a.proof.guardian, a.valid);
        }
        bool ok = _outcome(_approveWithSigCall(id, a), expected);
        if (ok) _countApproval(id, _done(m), a.p, a.proof.guardian);
        _observe(Act(flags % 8 == 1 ? BY_CONTROLLER : BY_GUARDIAN, id, T.vm.addr(a.key), bytes32(0), ok));
    }

    function _approveWithSigCall(address id, Approval memory a) internal view returns (bytes memory) {
        bytes32 structHash = T.approveHash(id, a.round, a.p, a.deadline);
        bytes memory sig = T.signTyped(a.key, address(registry), structHash);
        return abi.encodeCall(ISigilRecovery.approveRecoveryWithSig, (id, a.p, a.proof, a.deadline, sig));
    }

    function applyGuardians(uint256 idSeed) external {
        (address id, Model storage m) = _identity(idSeed);
        bool ok = _outcome(abi.encodeCall(ISigilRecovery.applyGuardians, (id)), _applyError(id, m));
        if (ok && m.commitment != bytes32(0) && m.committedAt >= m.pendingSince) ++reached["set applied after a commitment"];
        if (ok) {
            (bytes32 root, uint256 threshold, uint256 delay, uint256 since) = (m.pendingRoot, m.pendingThreshold, m.pendingDelay, m.pendingSince);
            _dropPending(_done(m));
            _install(m, root, threshold, delay, since);
        }
        _observe(Act(BY_APPLY, id, address(this), bytes32(0), ok));
    }

    /// @dev Half the time the armed proposal (if any), otherwise any.
    function finalizeRecovery(uint256 idSeed, uint256 proposalSeed) external {
        (address id, Model storage m) = _identity(idSeed);
        uint256 index = _proposalIndex(proposalSeed);
        if (proposalSeed % 2 == 0) {
            for (uint256 i = 0; i < PROPOSALS; ++i) if (_proposalId(id, m, _proposalAt(i)) == m.armed) index = i;
        }
        ISigilRecovery.RecoveryProposal memory p = _proposalAt(index);
        bytes memory expected = _finalizeError(id, m, _proposalId(id, m, p));
        bool ok = _outcome(abi.encodeCall(ISigilRecovery.finalizeRecovery, (id, p)), expected);
        if (ok) {
            _disarm(_done(m));
            _dropPending(m);
            _takeControl(m, p.newOwner, p.nextCommitment, block.timestamp, p.purge);
            if (p.guardians.replace) _install(m, p.guardians.root, p.guardians.threshold, p.guardians.delay, block.timestamp);
        }
        _observe(Act(BY_FINALIZE, id, address(this), bytes32(0), ok));
    }

    /// @dev Half the time within two hours (delays are one hour or one day: their edges
    /// matter), otherwise up to three days.
    function advance(uint256 blocks, uint256 secs) external {
        T.vm.roll(block.number + 1 + (blocks % 20));
        T.vm.warp(block.timestamp + (secs % 2 == 0 ? (secs / 2) % 2 hours : (secs / 2) % 3 days));
        _observe(Act(BY_TIME, address(0), address(0), bytes32(0), false));
    }

    // ------------------------------------------------------------------ helpers

    /// @dev Marks a successful call in the model: `changed` is this block.
    function _done(Model storage m) internal returns (Model storage) {
        m.changed = block.number;
        if (m.firstChange == 0) m.firstChange = block.number;
        return m;
    }

    function _doneTyped(Model storage m) internal returns (Model storage) {
        ++m.typedNonce;
        return _done(m);
    }

    function _typed(Model storage m, uint256 signerSeed, uint256 flavour) internal view returns (Typed memory t) {
        (t.signer, t.nonce, t.deadline) = _typedParams(m, signerSeed, flavour);
    }

    function _sign(Typed memory t, bytes32 structHash) internal view returns (bytes memory) {
        return T.signTyped(keys[t.signer], address(registry), structHash);
    }

    /// @dev `flags`: bit 0 purges, bit 1 lists one delegate to revoke (chosen by bits 2-4); one
    /// time in four (bits 5-6) the rotation also replaces the guardian set. A
    /// guarded identity is rotated to zero more often, as that needs a senior commitment: one in
    /// four while its commitment is junior (refused, the identity lives on), one in sixteen otherwise.
    function _rotationOf(
        Model storage m,
        uint256 toSeed,
        uint256 nextSeed,
        uint256 flags
    ) internal view returns (ISigilRegistry.Rotation memory rot) {
        uint256 odds = m.root == bytes32(0) ? 0 : _senior(m, block.timestamp) ? 16 : 4;
        bool zero = odds != 0 && uint256(keccak256(abi.encode("zero", toSeed))) % odds == 0;
        rot.newOwner = zero ? address(0) : _target(toSeed);
        rot.nextCommitment = _commitment(nextSeed, rot.newOwner);
        rot.purge = flags % 2 == 1;
        rot.revokeDelegates = new ISigilRegistry.DelegateRef[]((flags / 2) % 2);
        if (rot.revokeDelegates.length == 1) rot.revokeDelegates[0] = ISigilRegistry.DelegateRef(DELEGATE_TYPE, actors[(flags / 4) % KEYS]);
        if ((flags / 32) % 4 == 0) {
            (bytes32 root, uint256 threshold, uint256 delay) = _policy(uint256(keccak256(abi.encode(toSeed))), nextSeed / 64);
            rot.guardians = ISigilRecovery.GuardianUpdate(true, root, threshold, delay);
        }
    }

    function _noteRotation(Model storage m, ISigilRegistry.Rotation memory rot, bytes memory expected, bool ok) internal {
        if (bytes4(expected) == ISigilRecovery.SigilCommitmentNotSenior.selector) ++reached["junior deactivation refused"];
        if (!ok) return;
        if (rot.newOwner == address(0) && m.root != bytes32(0) && m.armedAt == 0) ++reached["senior deactivation"];
        if (rot.newOwner != address(0) && rot.nextCommitment != bytes32(0) && m.committedAt < block.timestamp) ++reached["seniority carried"];
    }

    function _applyRotation(address id, Model storage m, ISigilRegistry.Rotation memory rot) internal {
        if (m.armedAt != 0) _disarm(m);
        _dropPending(_done(m));
        ISigilRecovery.GuardianUpdate memory u = rot.guardians;
        if (u.replace) {
            // At once when the consumed commitment is senior to the set (or none is set);
            // otherwise proposed for the set's delay. Removing nothing changes nothing.
            if (m.root == bytes32(0) || _senior(m, block.timestamp)) {
                if (u.root != bytes32(0) || m.root != bytes32(0)) _install(m, u.root, u.threshold, u.delay, block.timestamp);
                ++reached["rotation replaced the guardians"];
            } else {
                (m.pendingRoot, m.pendingThreshold, m.pendingDelay) = (u.root, u.threshold, u.delay);
                (m.pendingAt, m.pendingSince) = (block.timestamp + m.delay, block.timestamp);
                ++reached["rotation proposed guardians"];
            }
        }
        // Listed revocations are stamped with the epoch before the purge bumps it.
        if (rot.revokeDelegates.length == 1) _storeDelegate(id, m, rot.revokeDelegates[0].delegate, block.timestamp);
        // The new commitment keeps the seniority of the one the rotation consumes.
        _takeControl(m, rot.newOwner, rot.nextCommitment, m.committedAt, rot.purge);
    }

    /// @dev (Only without a commitment.) Immediate without guardians; otherwise pending for the
    /// current delay.
    function _proposeGuardians(Model storage m, bytes32 root, uint256 threshold, uint256 delay) internal {
        if (m.root == bytes32(0)) {
            _dropPending(m);
            _install(m, root, threshold, delay, block.timestamp);
        } else {
            (m.pendingRoot, m.pendingThreshold, m.pendingDelay, m.pendingAt) = (root, threshold, delay, block.timestamp + m.delay);
            m.pendingSince = block.timestamp;
        }
    }

    /// @dev Joins the current tally of the proposal (a new one if it expired); armed at the threshold.
    function _countApproval(address id, Model storage m, ISigilRecovery.RecoveryProposal memory p, address guardian) internal {
        bytes32 pid = _proposalId(id, m, p);
        Tally memory t = _tally(m, pid);
        if (t.generation != tallies[pid].generation) ++reached["approvals restarted"];
        approved[pid][t.generation][guardian] = true;
        if (++given[id][m.round][guardian] == MAX_APPROVALS) ++reached["approval limit"];
        ++t.count;
        tallies[pid] = t;
        if (t.count >= m.threshold) (m.armed, m.armedAt) = (pid, block.timestamp);
    }
}

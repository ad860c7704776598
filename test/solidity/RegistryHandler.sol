// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SigilRegistry} from "../../contracts/SigilRegistry.sol";
import {ISigilRegistry} from "../../contracts/ISigilRegistry.sol";
import "./SigilRegistry.t.sol" as T;

/// @dev Drives the registry with random valid and invalid calls on three identities, with five
/// keys that may gain control and an outsider key that never does. Before each call it predicts
/// the exact outcome (success, or the exact revert data) from a ghost model; after each call it
/// checks the transition rules against what the registry reported after the previous call.
/// A `require` here would only revert the handler call, which the invariant runner ignores, so
/// failures are recorded for the invariants to report.
contract RegistryHandler {
    uint256 internal constant IDENTITIES = 3;
    uint256 internal constant KEYS = 6; // keys[5] is the outsider
    bytes32 internal constant DELEGATE_TYPE = "veriKey";
    uint256 internal constant OUTCOME = 0;
    uint256 internal constant DEACTIVATION = 1;
    uint256 internal constant COMMITMENT = 2;
    uint256 internal constant NONCE = 3;
    uint256 internal constant CHANGED = 4;

    struct Model {
        address owner;
        bytes32 commitment;
        bool deactivated;
        uint256 epoch;
        uint256 typedNonce;
        uint256 changed;
    }

    struct Stored {
        uint256 epoch;
        uint256 validTo;
    }

    struct Rotation {
        address id;
        address claimed;
        address to;
        bytes32 next;
        bool purge;
        uint256 deadline;
        bytes sig;
    }

    SigilRegistry internal immutable registry;
    uint256[KEYS] internal keys;
    address[KEYS] internal actors;
    mapping(address identity => Model) internal model;
    mapping(address identity => mapping(address delegate => Stored)) internal stored;
    mapping(address signer => uint256) internal legacyNonce;
    mapping(address identity => ISigilRegistry.IdentityState) internal seen;
    mapping(address signer => uint256) internal seenLegacyNonce;
    mapping(uint256 kind => string) internal violations;

    constructor(SigilRegistry registry_) {
        registry = registry_;
        for (uint256 i = 0; i < KEYS; ++i) {
            keys[i] = T.boundKey(uint256(keccak256(abi.encode("sigil invariant key", i))));
            actors[i] = T.vm.addr(keys[i]);
        }
        for (uint256 i = 0; i < IDENTITIES; ++i) model[actors[i]].owner = actors[i];
    }

    // ------------------------------------------------------------------ views for the invariants

    /// @dev Actors 0-2 are also the identities.
    function actorAt(uint256 i) external view returns (address) {
        return actors[i];
    }

    function modelOf(address id) external view returns (Model memory) {
        return model[id];
    }

    function legacyNonceOf(address signer) external view returns (uint256) {
        return legacyNonce[signer];
    }

    function modelValid(address id, address delegate) external view returns (bool) {
        Stored memory d = stored[id][delegate];
        return d.epoch == model[id].epoch && d.validTo > block.timestamp;
    }

    function violation(uint256 kind) external view returns (string memory) {
        return violations[kind];
    }

    // ------------------------------------------------------------------ operations

    function changeOwner(uint256 idSeed, uint256 actorSeed, uint256 toSeed) external {
        (address id, Model storage m) = _identity(idSeed);
        address actor = actors[_pick(m, actorSeed, false)];
        address to = _target(toSeed);
        T.vm.prank(actor);
        if (_outcome(abi.encodeCall(SigilRegistry.changeOwner, (id, to)), _lockError(id, m, _authError(id, m, actor)))) {
            _setOwner(m, to);
        }
        _observe(address(0));
    }

    function deactivate(uint256 idSeed, uint256 actorSeed) external {
        (address id, Model storage m) = _identity(idSeed);
        // Mostly the outsider: deactivation is final, and runs whose identities all die early
        // explore little. Hashed so that the fuzzer's favourite seeds (0, 1, ...) are not all in.
        bool real = uint256(keccak256(abi.encode(actorSeed))) % 4 == 0;
        address actor = real ? actors[_pick(m, actorSeed, false)] : actors[KEYS - 1];
        T.vm.prank(actor);
        if (_outcome(abi.encodeCall(SigilRegistry.deactivate, (id)), _lockError(id, m, _authError(id, m, actor)))) {
            _setOwner(m, address(0));
        }
        _observe(address(0));
    }

    function commit(uint256 idSeed, uint256 actorSeed, uint256 keySeed) external {
        (address id, Model storage m) = _identity(idSeed);
        address actor = actors[_pick(m, actorSeed, false)];
        bytes32 commitment = _commitment(keySeed);
        bytes memory expected = _commitError(id, m, _authError(id, m, actor), commitment);
        T.vm.prank(actor);
        if (_outcome(abi.encodeCall(SigilRegistry.commitNextOwner, (id, commitment)), expected)) m.commitment = commitment;
        _observe(address(0));
    }

    function rotate(uint256 idSeed, uint256 actorSeed, uint256 toSeed, uint256 nextSeed, bool purge, uint256 revokeSeed) external {
        (address id, Model storage m) = _identity(idSeed);
        address actor = actors[_pick(m, actorSeed, true)];
        address to = _target(toSeed);
        bytes32 next = _commitment(nextSeed);
        ISigilRegistry.DelegateRef[] memory revoke = new ISigilRegistry.DelegateRef[](revokeSeed % 2);
        if (revoke.length == 1) revoke[0] = ISigilRegistry.DelegateRef(DELEGATE_TYPE, actors[(revokeSeed / 2) % KEYS]);
        bytes memory data = abi.encodeCall(SigilRegistry.rotate, (id, to, next, purge, revoke, new ISigilRegistry.AttributeRef[](0)));
        T.vm.prank(actor);
        bool ok = _outcome(data, _rotateError(id, m, actor));
        if (ok) {
            // Listed revocations are stamped with the epoch before the purge bumps it.
            if (revoke.length == 1) stored[id][revoke[0].delegate] = Stored(m.epoch, block.timestamp);
            _applyRotation(m, to, next, purge);
        }
        _observe(ok ? id : address(0));
    }

    function addDelegate(uint256 idSeed, uint256 actorSeed, uint256 delegateSeed, uint256 validitySeed) external {
        (address id, Model storage m) = _identity(idSeed);
        address actor = actors[_pick(m, actorSeed, false)];
        address delegate = actors[delegateSeed % KEYS];
        uint256 validity = validitySeed % 30 days;
        T.vm.prank(actor);
        bytes memory data = abi.encodeCall(SigilRegistry.addDelegate, (id, DELEGATE_TYPE, delegate, validity));
        if (_outcome(data, _authError(id, m, actor))) _storeDelegate(id, m, delegate, block.timestamp + validity);
        _observe(address(0));
    }

    function revokeDelegate(uint256 idSeed, uint256 actorSeed, uint256 delegateSeed) external {
        (address id, Model storage m) = _identity(idSeed);
        address actor = actors[_pick(m, actorSeed, false)];
        address delegate = actors[delegateSeed % KEYS];
        T.vm.prank(actor);
        bytes memory data = abi.encodeCall(SigilRegistry.revokeDelegate, (id, DELEGATE_TYPE, delegate));
        if (_outcome(data, _authError(id, m, actor))) _storeDelegate(id, m, delegate, block.timestamp);
        _observe(address(0));
    }

    /// @dev With `stale`, signs over the owner's previous legacy nonce (a replay).
    function changeOwnerSigned(uint256 idSeed, uint256 signerSeed, uint256 toSeed, bool stale) external {
        (address id, Model storage m) = _identity(idSeed);
        uint256 signer = _pick(m, signerSeed, false);
        address to = _target(toSeed);
        uint256 nonce = legacyNonce[m.owner];
        bool nonceOk = !(stale && nonce > 0);
        bytes32 hash = T.legacyChangeOwnerHash(address(registry), nonceOk ? nonce : nonce - 1, id, to);
        (uint8 v, bytes32 r, bytes32 s) = T.vm.sign(keys[signer], hash);
        bytes memory expected = _lockError(id, m, _legacyError(id, m, actors[signer], nonceOk));
        if (_outcome(abi.encodeCall(SigilRegistry.changeOwnerSigned, (id, v, r, s, to)), expected)) {
            ++legacyNonce[actors[signer]];
            _setOwner(m, to);
        }
        _observe(address(0));
    }

    function addDelegateSigned(uint256 idSeed, uint256 signerSeed, uint256 delegateSeed, bool stale) external {
        (address id, Model storage m) = _identity(idSeed);
        uint256 signer = _pick(m, signerSeed, false);
        address delegate = actors[delegateSeed % KEYS];
        uint256 nonce = legacyNonce[m.owner];
        bool nonceOk = !(stale && nonce > 0);
        bytes32 hash = keccak256(
            abi.encodePacked(
                bytes1(0x19), bytes1(0), address(registry), nonceOk ? nonce : nonce - 1, id, "addDelegate",
                DELEGATE_TYPE, delegate, uint256(1 days)
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = T.vm.sign(keys[signer], hash);
        bytes memory data = abi.encodeCall(SigilRegistry.addDelegateSigned, (id, v, r, s, DELEGATE_TYPE, delegate, 1 days));
        if (_outcome(data, _legacyError(id, m, actors[signer], nonceOk))) {
            ++legacyNonce[actors[signer]];
            _storeDelegate(id, m, delegate, block.timestamp + 1 days);
        }
        _observe(address(0));
    }

    function changeOwnerWithSig(uint256 idSeed, uint256 signerSeed, uint256 toSeed, uint256 flavour) external {
        (address id, Model storage m) = _identity(idSeed);
        address to = _target(toSeed);
        (uint256 signer, uint256 nonce, uint256 deadline) = _typedParams(m, signerSeed, flavour, false);
        bytes32 structHash = keccak256(abi.encode(T.CHANGE_OWNER_TYPEHASH, id, to, nonce, deadline));
        bytes memory sig = T.signTyped(keys[signer], address(registry), structHash);
        bytes memory expected = _lockError(id, m, _typedError(id, m, actors[signer], nonce, deadline));
        if (_outcome(abi.encodeCall(SigilRegistry.changeOwnerWithSig, (id, to, deadline, sig)), expected)) {
            ++m.typedNonce;
            _setOwner(m, to);
        }
        _observe(address(0));
    }

    function addDelegateWithSig(uint256 idSeed, uint256 signerSeed, uint256 delegateSeed, uint256 flavour) external {
        (address id, Model storage m) = _identity(idSeed);
        address delegate = actors[delegateSeed % KEYS];
        (uint256 signer, uint256 nonce, uint256 deadline) = _typedParams(m, signerSeed, flavour, false);
        bytes32 structHash = keccak256(
            abi.encode(T.ADD_DELEGATE_TYPEHASH, id, DELEGATE_TYPE, delegate, uint256(1 days), nonce, deadline)
        );
        bytes memory sig = T.signTyped(keys[signer], address(registry), structHash);
        bytes memory data = abi.encodeCall(SigilRegistry.addDelegateWithSig, (id, DELEGATE_TYPE, delegate, 1 days, deadline, sig));
        if (_outcome(data, _typedError(id, m, actors[signer], nonce, deadline))) {
            ++m.typedNonce;
            _storeDelegate(id, m, delegate, block.timestamp + 1 days);
        }
        _observe(address(0));
    }

    function commitNextOwnerWithSig(uint256 idSeed, uint256 signerSeed, uint256 keySeed, uint256 flavour) external {
        (address id, Model storage m) = _identity(idSeed);
        bytes32 commitment = _commitment(keySeed);
        (uint256 signer, uint256 nonce, uint256 deadline) = _typedParams(m, signerSeed, flavour, false);
        bytes32 structHash = keccak256(abi.encode(T.COMMIT_NEXT_OWNER_TYPEHASH, id, commitment, nonce, deadline));
        bytes memory sig = T.signTyped(keys[signer], address(registry), structHash);
        bytes memory expected = _commitError(id, m, _typedError(id, m, actors[signer], nonce, deadline), commitment);
        if (_outcome(abi.encodeCall(SigilRegistry.commitNextOwnerWithSig, (id, commitment, deadline, sig)), expected)) {
            ++m.typedNonce;
            m.commitment = commitment;
        }
        _observe(address(0));
    }

    function deactivateWithSig(uint256 idSeed, uint256 signerSeed, uint256 flavour) external {
        (address id, Model storage m) = _identity(idSeed);
        // Mostly the outsider, as in `deactivate` (`_pick` maps 2 * KEYS - 1 to it).
        if (uint256(keccak256(abi.encode(signerSeed))) % 4 != 0) signerSeed = 2 * KEYS - 1;
        (uint256 signer, uint256 nonce, uint256 deadline) = _typedParams(m, signerSeed, flavour, false);
        bytes32 structHash = keccak256(abi.encode(T.DEACTIVATE_TYPEHASH, id, nonce, deadline));
        bytes memory sig = T.signTyped(keys[signer], address(registry), structHash);
        bytes memory expected = _lockError(id, m, _typedError(id, m, actors[signer], nonce, deadline));
        if (_outcome(abi.encodeCall(SigilRegistry.deactivateWithSig, (id, deadline, sig)), expected)) {
            ++m.typedNonce;
            _setOwner(m, address(0));
        }
        _observe(address(0));
    }

    /// @dev Signed by `signer` but claimed as another `nextOwnerKey` when `claimSeed % 4 == 0`.
    function rotateWithSig(uint256 idSeed, uint256 signerSeed, uint256 claimSeed, uint256 toSeed, uint256 nextSeed, bool purge) external {
        (address id, Model storage m) = _identity(idSeed);
        (uint256 signer, uint256 nonce, uint256 deadline) = _typedParams(m, signerSeed, claimSeed / 4, true);
        Rotation memory r = Rotation(id, actors[signer], _target(toSeed), _commitment(nextSeed), purge, deadline, "");
        if (claimSeed % 4 == 0) r.claimed = actors[(claimSeed / 32) % KEYS];
        bytes32 structHash = keccak256(
            abi.encode(T.ROTATE_TYPEHASH, id, r.to, r.next, purge, keccak256(""), keccak256(""), nonce, deadline)
        );
        r.sig = T.signTyped(keys[signer], address(registry), structHash);
        // Unlike the other typed calls, the signature is checked before the identity's state.
        bytes memory expected;
        if (block.timestamp > deadline) expected = abi.encodeWithSelector(ISigilRegistry.SigilExpiredSignature.selector, deadline);
        else if (r.claimed != actors[signer] || nonce != m.typedNonce) expected = _err2(ISigilRegistry.SigilInvalidSignature.selector, id, r.claimed);
        else expected = _rotateError(id, m, r.claimed);
        bool ok = _outcome(_rotateWithSigCall(r), expected);
        if (ok) {
            ++m.typedNonce;
            _applyRotation(m, r.to, r.next, purge);
        }
        _observe(ok ? id : address(0));
    }

    function advance(uint256 blocks, uint256 secs) external {
        T.vm.roll(block.number + 1 + (blocks % 20));
        T.vm.warp(block.timestamp + (secs % 3 days));
        _observe(address(0));
    }

    // ------------------------------------------------------------------ choices and model updates

    function _identity(uint256 seed) internal view returns (address id, Model storage m) {
        id = actors[seed % IDENTITIES];
        m = model[id];
    }

    /// @dev Half the time the key entitled to act (the owner, or the committed key for a
    /// rotation), so that valid calls are common; otherwise any key.
    function _pick(Model storage m, uint256 seed, bool forRotate) internal view returns (uint256) {
        if (seed % 2 == 0) {
            for (uint256 i = 0; i < KEYS; ++i) {
                if (forRotate ? keccak256(abi.encode(actors[i])) == m.commitment : actors[i] == m.owner) return i;
            }
        }
        return (seed / 2) % KEYS;
    }

    /// @dev One of the five keys; rarely the zero address, which deactivates.
    function _target(uint256 seed) internal view returns (address) {
        seed = uint256(keccak256(abi.encode(seed)));
        return seed % 64 == 0 ? address(0) : actors[(seed / 64) % (KEYS - 1)];
    }

    /// @dev A key's commitment (the outsider's included), or zero: refused by commit, ends pre-rotation in rotate.
    function _commitment(uint256 seed) internal view returns (bytes32) {
        uint256 i = seed % (KEYS + 1);
        return i == KEYS ? bytes32(0) : keccak256(abi.encode(actors[i]));
    }

    /// @dev `flavour % 8`: 6 signs a future nonce, 7 a passed deadline, anything else is well formed.
    function _typedParams(
        Model storage m,
        uint256 signerSeed,
        uint256 flavour,
        bool forRotate
    ) internal view returns (uint256 signer, uint256 nonce, uint256 deadline) {
        signer = _pick(m, signerSeed, forRotate);
        nonce = flavour % 8 == 6 ? m.typedNonce + 1 : m.typedNonce;
        deadline = flavour % 8 == 7 ? block.timestamp - 1 : block.timestamp + 1 hours;
    }

    function _rotateWithSigCall(Rotation memory r) internal pure returns (bytes memory) {
        ISigilRegistry.DelegateRef[] memory noDelegates;
        ISigilRegistry.AttributeRef[] memory noAttributes;
        return abi.encodeCall(
            SigilRegistry.rotateWithSig,
            (r.id, r.claimed, r.to, r.next, r.purge, noDelegates, noAttributes, r.deadline, r.sig)
        );
    }

    function _setOwner(Model storage m, address to) internal {
        m.owner = to;
        if (to == address(0)) m.deactivated = true;
        m.changed = block.number;
    }

    function _applyRotation(Model storage m, address to, bytes32 next, bool purge) internal {
        if (purge) ++m.epoch;
        m.commitment = to == address(0) ? bytes32(0) : next; // deactivation clears the commitment
        _setOwner(m, to);
    }

    function _storeDelegate(address id, Model storage m, address delegate, uint256 validTo) internal {
        stored[id][delegate] = Stored(m.epoch, validTo);
        m.changed = block.number;
    }

    // ------------------------------------------------------------------ expected errors, in the registry's check order

    function _err(bytes4 selector, address id) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(selector, id);
    }

    function _err2(bytes4 selector, address id, address key) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(selector, id, key);
    }

    function _authError(address id, Model storage m, address actor) internal view returns (bytes memory) {
        if (m.deactivated) return _err(ISigilRegistry.SigilIdentityDeactivated.selector, id);
        if (actor != m.owner) return abi.encodeWithSignature("Error(string)", "bad_actor");
        return "";
    }

    function _legacyError(address id, Model storage m, address signer, bool nonceOk) internal view returns (bytes memory) {
        if (m.deactivated) return _err(ISigilRegistry.SigilIdentityDeactivated.selector, id);
        if (signer != m.owner || !nonceOk) return abi.encodeWithSignature("Error(string)", "bad_signature");
        return "";
    }

    function _typedError(address id, Model storage m, address signer, uint256 nonce, uint256 deadline) internal view returns (bytes memory) {
        if (m.deactivated) return _err(ISigilRegistry.SigilIdentityDeactivated.selector, id);
        if (block.timestamp > deadline) return abi.encodeWithSelector(ISigilRegistry.SigilExpiredSignature.selector, deadline);
        if (signer != m.owner || nonce != m.typedNonce) return _err2(ISigilRegistry.SigilInvalidSignature.selector, id, m.owner);
        return "";
    }

    /// @dev Controller changes (changeOwner, deactivate) are locked while a commitment exists.
    function _lockError(address id, Model storage m, bytes memory authError) internal view returns (bytes memory) {
        if (authError.length != 0) return authError;
        if (m.commitment != bytes32(0)) return _err(ISigilRegistry.SigilNextOwnerCommitted.selector, id);
        return "";
    }

    function _commitError(address id, Model storage m, bytes memory authError, bytes32 commitment) internal view returns (bytes memory) {
        bytes memory locked = _lockError(id, m, authError);
        if (locked.length != 0) return locked;
        if (commitment == bytes32(0)) return abi.encodeWithSelector(ISigilRegistry.SigilInvalidCommitment.selector);
        return "";
    }

    function _rotateError(address id, Model storage m, address key) internal view returns (bytes memory) {
        if (m.deactivated) return _err(ISigilRegistry.SigilIdentityDeactivated.selector, id);
        if (m.commitment == bytes32(0)) return _err(ISigilRegistry.SigilNoNextOwnerCommitted.selector, id);
        if (keccak256(abi.encode(key)) != m.commitment) return _err2(ISigilRegistry.SigilNotNextOwner.selector, id, key);
        return "";
    }

    // ------------------------------------------------------------------ checks

    function _flag(uint256 kind, string memory what) internal {
        if (bytes(violations[kind]).length == 0) violations[kind] = what;
    }

    /// @dev Calls the registry (a pending prank applies) and compares with the prediction.
    function _outcome(bytes memory data, bytes memory expected) internal returns (bool ok) {
        bytes memory ret;
        (ok, ret) = address(registry).call(data);
        if (ok && expected.length != 0) _flag(OUTCOME, "accepted a call the model refuses");
        if (!ok && expected.length == 0) _flag(OUTCOME, "refused a call the model accepts");
        if (!ok && expected.length != 0 && keccak256(ret) != keccak256(expected)) _flag(OUTCOME, "reverted with another error");
    }

    /// @dev Transition rules, from the registry alone. `rotated` is the identity a successful
    /// rotation just changed, if any.
    function _observe(address rotated) internal {
        for (uint256 i = 0; i < IDENTITIES; ++i) {
            address id = actors[i];
            ISigilRegistry.IdentityState memory s = registry.identityState(id);
            ISigilRegistry.IdentityState storage p = seen[id];
            if (p.deactivated && (!s.deactivated || s.owner != address(0) || registry.owners(id) != address(0))) {
                _flag(DEACTIVATION, "a deactivated identity came back");
            }
            if (p.nextOwnerCommitment != bytes32(0) && s.owner != p.owner && id != rotated) {
                _flag(COMMITMENT, "the owner changed without rotate while committed");
            }
            if (s.nonce < p.nonce) _flag(NONCE, "a typed nonce decreased");
            if (s.changed < p.changed || s.changed > block.number) _flag(CHANGED, "changed decreased or is in the future");
            seen[id] = s;
        }
        for (uint256 i = 0; i < KEYS; ++i) {
            uint256 n = registry.nonce(actors[i]);
            if (n < seenLegacyNonce[actors[i]]) _flag(NONCE, "a legacy nonce decreased");
            seenLegacyNonce[actors[i]] = n;
        }
    }
}

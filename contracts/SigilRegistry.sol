// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IERC1056} from "./IERC1056.sol";
import {ISigilRegistry} from "./ISigilRegistry.sol";
import {SigilRecovery} from "./SigilRecovery.sol";

/// @title SigilRegistry: the did:sigil registry
/// @notice A strict superset of ERC-1056 (EthereumDIDRegistry): identical functions, getters,
/// events, revert reasons and legacy signed-call hashes (one documented deviation: final
/// deactivation needs a chain-bound authorisation), plus pre-rotation (commit to the salted
/// hash of the next controller key), guardian recovery (SigilRecovery), EIP-712
/// meta-transactions for every operation (EOA or EIP-1271 signers), final deactivation, and
/// one-call state reads. Not upgradeable, on purpose: the rules an identity lives under must
/// not change beneath it.
/// @dev Storage is packed so that every ERC-1056 operation touches no more slots than the
/// original (owner, last-change block, epoch and flags share one slot); attribute values live
/// only in events, as in ERC-1056. See docs/design-storage-vs-events.md.
contract SigilRegistry is ISigilRegistry, SigilRecovery {
    /// @notice Version of this registry's rules, recorded in deployments/.
    string public constant VERSION = "2.2.0";

    /// @inheritdoc IERC1056
    mapping(address signer => uint256) public nonce;

    // ------------------------------------------------------------------ reads

    /// @inheritdoc IERC1056
    function owners(address identity) external view returns (address) {
        return _load(identity).owner;
    }

    /// @inheritdoc IERC1056
    function changed(address identity) external view returns (uint256) {
        return _load(identity).changed;
    }

    /// @inheritdoc IERC1056
    function delegates(address identity, bytes32 delegateTypeHash, address delegate) external view returns (uint256) {
        return _validTo(identity, delegateTypeHash, delegate);
    }

    /// @inheritdoc IERC1056
    function identityOwner(address identity) public view returns (address) {
        return _ownerOf(identity, _load(identity));
    }

    /// @inheritdoc IERC1056
    function validDelegate(address identity, bytes32 delegateType, address delegate) external view returns (bool) {
        return _validTo(identity, keccak256(abi.encode(delegateType)), delegate) > block.timestamp;
    }

    /// @inheritdoc ISigilRegistry
    function nonces(address identity) public view override(ISigilRegistry, Nonces) returns (uint256) {
        return super.nonces(identity);
    }

    /// @inheritdoc ISigilRegistry
    function nextOwnerCommitment(address identity) external view returns (bytes32) {
        return _nextKeys[identity].commitment;
    }

    /// @inheritdoc ISigilRegistry
    function commitmentOf(address nextOwnerKey, bytes32 salt) external pure returns (bytes32) {
        return keccak256(abi.encode(nextOwnerKey, salt));
    }

    /// @inheritdoc ISigilRegistry
    function identityState(address identity) public view returns (IdentityState memory state) {
        Record memory rec = _load(identity);
        address owner = _ownerOf(identity, rec);
        NextKey memory next = _nextKeys[identity];
        state = IdentityState({
            owner: owner,
            changed: rec.changed,
            epoch: rec.epoch,
            nextOwnerCommitment: next.commitment,
            deactivated: rec.deactivated,
            nonce: nonces(identity),
            legacyNonce: nonce[owner],
            firstChange: rec.firstChange,
            purgedAt: next.purgedAt,
            head: rec.head
        });
    }

    /// @inheritdoc ISigilRegistry
    function identityStates(
        address[] calldata identities
    ) external view returns (uint256 chainId, uint256 blockNumber, uint256 timestamp, IdentityState[] memory states) {
        states = new IdentityState[](identities.length);
        for (uint256 i = 0; i < identities.length; ++i) states[i] = identityState(identities[i]);
        return (block.chainid, block.number, block.timestamp, states);
    }

    // ------------------------------------------------------------------ ERC-1056, direct

    /// @inheritdoc IERC1056
    function changeOwner(address identity, address newOwner) external {
        _changeOwner(identity, _authorize(identity, msg.sender), newOwner);
    }

    /// @inheritdoc IERC1056
    function addDelegate(address identity, bytes32 delegateType, address delegate, uint256 validity) external {
        _addDelegate(identity, _authorize(identity, msg.sender), delegateType, delegate, validity);
    }

    /// @inheritdoc IERC1056
    function revokeDelegate(address identity, bytes32 delegateType, address delegate) external {
        Record memory rec = _authorize(identity, msg.sender);
        _revokeDelegate(identity, rec, delegateType, delegate);
        _touch(identity, rec);
    }

    /// @inheritdoc IERC1056
    function setAttribute(address identity, bytes32 name, bytes calldata value, uint256 validity) external {
        _setAttribute(identity, _authorize(identity, msg.sender), name, value, validity);
    }

    /// @inheritdoc IERC1056
    function revokeAttribute(address identity, bytes32 name, bytes calldata value) external {
        Record memory rec = _authorize(identity, msg.sender);
        _revokeAttribute(identity, rec, name, value);
        _touch(identity, rec);
    }

    // ------------------------------------------------------------------ ERC-1056, legacy signatures

    /// @inheritdoc IERC1056
    /// @dev Deviation from ERC-1056: its hash binds no chain id, so a signed `changeOwner` to the
    /// zero address, final here, could be replayed on any chain with this registry's address.
    function changeOwnerSigned(address identity, uint8 sigV, bytes32 sigR, bytes32 sigS, address newOwner) external {
        if (newOwner == address(0)) revert SigilLegacyDeactivation(identity);
        bytes32 hash = keccak256(
            abi.encodePacked(bytes1(0x19), bytes1(0), this, _legacyNonce(identity), identity, "changeOwner", newOwner)
        );
        _changeOwner(identity, _authorizeLegacy(identity, sigV, sigR, sigS, hash), newOwner);
    }

    /// @inheritdoc IERC1056
    function addDelegateSigned(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 delegateType,
        address delegate,
        uint256 validity
    ) external {
        bytes32 hash = keccak256(
            abi.encodePacked(
                bytes1(0x19),
                bytes1(0),
                this,
                _legacyNonce(identity),
                identity,
                "addDelegate",
                delegateType,
                delegate,
                validity
            )
        );
        _addDelegate(identity, _authorizeLegacy(identity, sigV, sigR, sigS, hash), delegateType, delegate, validity);
    }

    /// @inheritdoc IERC1056
    function revokeDelegateSigned(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 delegateType,
        address delegate
    ) external {
        bytes32 hash = keccak256(
            abi.encodePacked(
                bytes1(0x19),
                bytes1(0),
                this,
                _legacyNonce(identity),
                identity,
                "revokeDelegate",
                delegateType,
                delegate
            )
        );
        Record memory rec = _authorizeLegacy(identity, sigV, sigR, sigS, hash);
        _revokeDelegate(identity, rec, delegateType, delegate);
        _touch(identity, rec);
    }

    /// @inheritdoc IERC1056
    function setAttributeSigned(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 name,
        bytes calldata value,
        uint256 validity
    ) external {
        bytes32 hash = keccak256(
            abi.encodePacked(
                bytes1(0x19),
                bytes1(0),
                this,
                _legacyNonce(identity),
                identity,
                "setAttribute",
                name,
                value,
                validity
            )
        );
        _setAttribute(identity, _authorizeLegacy(identity, sigV, sigR, sigS, hash), name, value, validity);
    }

    /// @inheritdoc IERC1056
    function revokeAttributeSigned(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 name,
        bytes calldata value
    ) external {
        bytes32 hash = keccak256(
            abi.encodePacked(
                bytes1(0x19),
                bytes1(0),
                this,
                _legacyNonce(identity),
                identity,
                "revokeAttribute",
                name,
                value
            )
        );
        Record memory rec = _authorizeLegacy(identity, sigV, sigR, sigS, hash);
        _revokeAttribute(identity, rec, name, value);
        _touch(identity, rec);
    }

    // ------------------------------------------------------------------ extensions, direct

    /// @inheritdoc ISigilRegistry
    function commitNextOwner(address identity, bytes32 commitment) external {
        _commitNextOwner(identity, _authorize(identity, msg.sender), commitment);
    }

    /// @inheritdoc ISigilRegistry
    function rotate(address identity, bytes32 salt, Rotation calldata rotation) external {
        Record memory rec = _live(identity);
        _rotate(identity, rec, _checkNextKey(identity, rec, msg.sender, salt), rotation);
    }

    /// @inheritdoc ISigilRegistry
    function revokeEntries(
        address identity,
        DelegateRef[] calldata revokeDelegates,
        AttributeRef[] calldata revokeAttributes
    ) external {
        Record memory rec = _authorize(identity, msg.sender);
        _revokeEntries(identity, rec, revokeDelegates, revokeAttributes);
    }

    /// @inheritdoc ISigilRegistry
    function deactivate(address identity) external {
        _changeOwner(identity, _authorize(identity, msg.sender), address(0));
    }

    // ------------------------------------------------------------------ extensions, EIP-712

    /// @inheritdoc ISigilRegistry
    function changeOwnerWithSig(
        address identity,
        address newOwner,
        uint256 deadline,
        bytes calldata signature
    ) external {
        Record memory rec = _authorizeTyped(
            identity,
            abi.encode(CHANGE_OWNER_TYPEHASH, identity, newOwner),
            deadline,
            signature
        );
        _changeOwner(identity, rec, newOwner);
    }

    /// @inheritdoc ISigilRegistry
    function addDelegateWithSig(
        address identity,
        bytes32 delegateType,
        address delegate,
        uint256 validity,
        uint256 deadline,
        bytes calldata signature
    ) external {
        Record memory rec = _authorizeTyped(
            identity,
            abi.encode(ADD_DELEGATE_TYPEHASH, identity, delegateType, delegate, validity),
            deadline,
            signature
        );
        _addDelegate(identity, rec, delegateType, delegate, validity);
    }

    /// @inheritdoc ISigilRegistry
    function revokeDelegateWithSig(
        address identity,
        bytes32 delegateType,
        address delegate,
        uint256 deadline,
        bytes calldata signature
    ) external {
        Record memory rec = _authorizeTyped(
            identity,
            abi.encode(REVOKE_DELEGATE_TYPEHASH, identity, delegateType, delegate),
            deadline,
            signature
        );
        _revokeDelegate(identity, rec, delegateType, delegate);
        _touch(identity, rec);
    }

    /// @inheritdoc ISigilRegistry
    function setAttributeWithSig(
        address identity,
        bytes32 name,
        bytes calldata value,
        uint256 validity,
        uint256 deadline,
        bytes calldata signature
    ) external {
        Record memory rec = _authorizeTyped(
            identity,
            abi.encode(SET_ATTRIBUTE_TYPEHASH, identity, name, keccak256(value), validity),
            deadline,
            signature
        );
        _setAttribute(identity, rec, name, value, validity);
    }

    /// @inheritdoc ISigilRegistry
    function revokeAttributeWithSig(
        address identity,
        bytes32 name,
        bytes calldata value,
        uint256 deadline,
        bytes calldata signature
    ) external {
        Record memory rec = _authorizeTyped(
            identity,
            abi.encode(REVOKE_ATTRIBUTE_TYPEHASH, identity, name, keccak256(value)),
            deadline,
            signature
        );
        _revokeAttribute(identity, rec, name, value);
        _touch(identity, rec);
    }

    /// @inheritdoc ISigilRegistry
    function commitNextOwnerWithSig(
        address identity,
        bytes32 commitment,
        uint256 deadline,
        bytes calldata signature
    ) external {
        Record memory rec = _authorizeTyped(
            identity,
            abi.encode(COMMIT_NEXT_OWNER_TYPEHASH, identity, commitment),
            deadline,
            signature
        );
        _commitNextOwner(identity, rec, commitment);
    }

    /// @inheritdoc ISigilRegistry
    function rotateWithSig(
        address identity,
        address nextOwnerKey,
        bytes32 salt,
        Rotation calldata rotation,
        uint256 deadline,
        bytes calldata signature
    ) external {
        Record memory rec = _live(identity);
        NextKey memory next = _checkNextKey(identity, rec, nextOwnerKey, salt);
        bytes32 structHash = _rotateStructHash(identity, next, rotation, deadline);
        _checkSignature(identity, nextOwnerKey, structHash, deadline, signature);
        _rotate(identity, rec, next, rotation);
    }

    /// @inheritdoc ISigilRegistry
    function revokeEntriesWithSig(
        address identity,
        DelegateRef[] calldata revokeDelegates,
        AttributeRef[] calldata revokeAttributes,
        uint256 deadline,
        bytes calldata signature
    ) external {
        Record memory rec = _authorizeTyped(
            identity,
            abi.encode(
                REVOKE_ENTRIES_TYPEHASH,
                identity,
                _hashDelegateRefs(revokeDelegates),
                _hashAttributeRefs(revokeAttributes)
            ),
            deadline,
            signature
        );
        _revokeEntries(identity, rec, revokeDelegates, revokeAttributes);
    }

    /// @inheritdoc ISigilRegistry
    function deactivateWithSig(address identity, uint256 deadline, bytes calldata signature) external {
        Record memory rec = _authorizeTyped(identity, abi.encode(DEACTIVATE_TYPEHASH, identity), deadline, signature);
        _changeOwner(identity, rec, address(0));
    }

    // ------------------------------------------------------------------ internals

    /// @dev ERC-1056's signed-call check: the owner must have signed `hash`; bumps the owner's nonce.
    /// Malleable (high-s) signatures are refused, unlike the original; no signer could need one.
    function _authorizeLegacy(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 hash
    ) private returns (Record memory rec) {
        rec = _live(identity);
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(hash, sigV, sigR, sigS);
        require(err == ECDSA.RecoverError.NoError && signer == _ownerOf(identity, rec), "bad_signature");
        ++nonce[signer];
    }

    function _legacyNonce(address identity) private view returns (uint256) {
        return nonce[identityOwner(identity)];
    }

    /// @dev The current key's change of controller: impossible under pre-rotation; deactivation
    /// (the zero address) is the guardians' or the next key's call once guardians are set.
    function _changeOwner(address identity, Record memory rec, address newOwner) private {
        if (rec.committed) revert SigilNextOwnerCommitted(identity);
        if (newOwner == address(0)) _requireUnguarded(identity);
        _setOwner(identity, rec, newOwner);
        _touch(identity, rec);
    }

    function _setAttribute(
        address identity,
        Record memory rec,
        bytes32 name,
        bytes calldata value,
        uint256 validity
    ) private {
        _log(identity, rec, DIDAttributeChanged.selector, abi.encode(name, value, block.timestamp + validity, rec.changed));
        _touch(identity, rec);
    }

    function _commitNextOwner(address identity, Record memory rec, bytes32 commitment) private {
        if (rec.committed) revert SigilNextOwnerCommitted(identity);
        if (commitment == bytes32(0)) revert SigilInvalidCommitment();
        _setCommitment(identity, rec, commitment, block.timestamp);
        // From here on only the next key or a recovery changes guardians: a change the current
        // key proposed before (perhaps a thief, unnoticed) must not apply under the commitment.
        _cancelGuardianChange(identity, rec);
        _log(identity, rec, DIDNextOwnerCommitted.selector, abi.encode(commitment, rec.changed));
        _touchSigil(identity, rec, "sigil/next");
    }

    /// @dev Listed revocations outside a rotation: at least one, or nothing would say what changed.
    function _revokeEntries(
        address identity,
        Record memory rec,
        DelegateRef[] calldata revokeDelegates,
        AttributeRef[] calldata revokeAttributes
    ) private {
        if (revokeDelegates.length == 0 && revokeAttributes.length == 0) revert SigilNothingToRevoke();
        _revokeListed(identity, rec, revokeDelegates, revokeAttributes);
        _touch(identity, rec);
    }

    /// @dev EIP-712 struct hash of a Rotate: binds the commitment it consumes and that
    /// commitment's nonce, so the current key cannot void it and it can never be replayed.
    function _rotateStructHash(
        address identity,
        NextKey memory next,
        Rotation calldata rotation,
        uint256 deadline
    ) private pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    ROTATE_TYPEHASH,
                    identity,
                    next.commitment,
                    next.nonce,
                    rotation.newOwner,
                    rotation.nextCommitment,
                    rotation.purge,
                    _hashGuardianUpdate(rotation.guardians),
                    _hashDelegateRefs(rotation.revokeDelegates),
                    _hashAttributeRefs(rotation.revokeAttributes),
                    deadline
                )
            );
    }

    /// @dev `next` was revealed by a key that proved control (caller or signer). The consumed
    /// commitment may not come back as the next one (a Rotate signature would then work twice).
    function _rotate(address identity, Record memory rec, NextKey memory next, Rotation calldata rotation) private {
        if (rotation.nextCommitment == next.commitment) revert SigilInvalidCommitment();
        if (rotation.purge) _requirePurgeable(identity, rec, false);
        _beforeRotation(identity, rec, next.since, rotation.newOwner, rotation.guardians);
        _revokeListed(identity, rec, rotation.revokeDelegates, rotation.revokeAttributes);
        _takeControl(identity, rec, rotation.newOwner, rotation.nextCommitment, next.since, rotation.purge);
        bytes32 nextCommitment = _nextKeys[identity].commitment;
        _log(identity, rec, DIDOwnerRotated.selector, abi.encode(rotation.newOwner, nextCommitment, rotation.purge, rec.epoch));
        _touch(identity, rec);
    }
}

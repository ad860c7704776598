// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IERC1056} from "./IERC1056.sol";
import {ISigilRegistry} from "./ISigilRegistry.sol";
import {SigilTypedData} from "./SigilTypedData.sol";

/// @title SigilRegistry: the did:sigil registry
/// @notice A strict superset of ERC-1056 (EthereumDIDRegistry): identical functions, getters,
/// events, revert reasons and legacy signed-call hashes, plus pre-rotation (commit to the hash
/// of the next controller key), EIP-712 meta-transactions for every operation (EOA or EIP-1271
/// signers), final deactivation, and one-call state reads. Not upgradeable, on purpose: the
/// rules an identity lives under must not change beneath it.
/// @dev Storage is packed so that every ERC-1056 operation touches no more slots than the
/// original (owner, last-change block, epoch and flags share one slot); attribute values live
/// only in events, as in ERC-1056. See docs/design-storage-vs-events.md.
contract SigilRegistry is ISigilRegistry, SigilTypedData {
    /// @notice Version of this registry's rules, recorded in deployments/.
    string public constant VERSION = "1.0.0";

    /// @dev Per identity, one slot. `owner` zero means "the identity itself" unless deactivated.
    struct Record {
        address owner;
        uint40 changed;
        uint32 epoch;
        bool committed; // mirrors `_commitments[identity] != 0`, saving a cold SLOAD per call
        bool deactivated;
        // 8 bits left; guardian recovery (M-of-N, time-locked) is meant to live in its own
        // mapping and reach the controller only through `_setOwner`.
    }

    uint256 private constant VALID_TO_BITS = 224;
    uint256 private constant VALID_TO_MASK = (1 << VALID_TO_BITS) - 1;

    mapping(address identity => Record) private _records;
    mapping(address identity => bytes32) private _commitments;
    /// @dev identity => keccak256(abi.encode(delegateType)) => delegate => epoch << 224 | validTo.
    mapping(address => mapping(bytes32 => mapping(address => uint256))) private _delegates;
    /// @inheritdoc IERC1056
    mapping(address signer => uint256) public nonce;

    // ------------------------------------------------------------------ reads

    /// @inheritdoc IERC1056
    function owners(address identity) external view returns (address) {
        return _records[identity].owner;
    }

    /// @inheritdoc IERC1056
    function changed(address identity) external view returns (uint256) {
        return _records[identity].changed;
    }

    /// @inheritdoc IERC1056
    function delegates(address identity, bytes32 delegateTypeHash, address delegate) external view returns (uint256) {
        return _validTo(identity, delegateTypeHash, delegate);
    }

    /// @inheritdoc IERC1056
    function identityOwner(address identity) public view returns (address) {
        return _ownerOf(identity, _records[identity]);
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
        return _commitments[identity];
    }

    /// @inheritdoc ISigilRegistry
    function commitmentOf(address nextOwnerKey) public pure returns (bytes32) {
        return keccak256(abi.encode(nextOwnerKey));
    }

    /// @inheritdoc ISigilRegistry
    function identityState(address identity) public view returns (IdentityState memory state) {
        Record memory rec = _records[identity];
        address owner = _ownerOf(identity, rec);
        state = IdentityState({
            owner: owner,
            changed: rec.changed,
            epoch: rec.epoch,
            nextOwnerCommitment: _commitments[identity],
            deactivated: rec.deactivated,
            nonce: nonces(identity),
            legacyNonce: nonce[owner]
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
    function changeOwnerSigned(address identity, uint8 sigV, bytes32 sigR, bytes32 sigS, address newOwner) external {
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
    function rotate(
        address identity,
        address newOwner,
        bytes32 nextCommitment,
        bool purge,
        DelegateRef[] calldata revokeDelegates,
        AttributeRef[] calldata revokeAttributes
    ) external {
        _rotate(identity, msg.sender, newOwner, nextCommitment, purge, revokeDelegates, revokeAttributes);
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
        address newOwner,
        bytes32 nextCommitment,
        bool purge,
        DelegateRef[] calldata revokeDelegates,
        AttributeRef[] calldata revokeAttributes,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes memory encoded = abi.encode(
            ROTATE_TYPEHASH,
            identity,
            newOwner,
            nextCommitment,
            purge,
            _hashDelegateRefs(revokeDelegates),
            _hashAttributeRefs(revokeAttributes)
        );
        _checkTypedSignature(identity, nextOwnerKey, encoded, deadline, signature);
        _rotate(identity, nextOwnerKey, newOwner, nextCommitment, purge, revokeDelegates, revokeAttributes);
    }

    /// @inheritdoc ISigilRegistry
    function deactivateWithSig(address identity, uint256 deadline, bytes calldata signature) external {
        Record memory rec = _authorizeTyped(identity, abi.encode(DEACTIVATE_TYPEHASH, identity), deadline, signature);
        _changeOwner(identity, rec, address(0));
    }

    // ------------------------------------------------------------------ internals

    /// @dev The identity's record if `actor` controls it; ERC-1056's `bad_actor` otherwise.
    function _authorize(address identity, address actor) private view returns (Record memory rec) {
        rec = _records[identity];
        if (rec.deactivated) revert SigilIdentityDeactivated(identity);
        require(actor == _ownerOf(identity, rec), "bad_actor");
    }

    /// @dev ERC-1056's signed-call check: the owner must have signed `hash`; bumps the owner's nonce.
    /// Malleable (high-s) signatures are refused, unlike the original; no signer could need one.
    function _authorizeLegacy(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 hash
    ) private returns (Record memory rec) {
        rec = _records[identity];
        if (rec.deactivated) revert SigilIdentityDeactivated(identity);
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(hash, sigV, sigR, sigS);
        require(err == ECDSA.RecoverError.NoError && signer == _ownerOf(identity, rec), "bad_signature");
        ++nonce[signer];
    }

    /// @dev The identity's record if its controller signed `encodedStruct` (EIP-712).
    function _authorizeTyped(
        address identity,
        bytes memory encodedStruct,
        uint256 deadline,
        bytes calldata signature
    ) private returns (Record memory rec) {
        rec = _records[identity];
        if (rec.deactivated) revert SigilIdentityDeactivated(identity);
        _checkTypedSignature(identity, _ownerOf(identity, rec), encodedStruct, deadline, signature);
    }

    function _legacyNonce(address identity) private view returns (uint256) {
        return nonce[identityOwner(identity)];
    }

    function _ownerOf(address identity, Record memory rec) private pure returns (address) {
        if (rec.owner != address(0) || rec.deactivated) return rec.owner;
        return identity;
    }

    function _validTo(address identity, bytes32 typeHash, address delegate) private view returns (uint256) {
        uint256 packed = _delegates[identity][typeHash][delegate];
        if (packed >> VALID_TO_BITS != _records[identity].epoch) return 0;
        return packed & VALID_TO_MASK;
    }

    /// @dev Ends a change: records this block as the head of the identity's event chain.
    function _touch(address identity, Record memory rec) private {
        rec.changed = SafeCast.toUint40(block.number);
        _records[identity] = rec;
    }

    function _changeOwner(address identity, Record memory rec, address newOwner) private {
        if (rec.committed) revert SigilNextOwnerCommitted(identity);
        _setOwner(identity, rec, newOwner);
        _touch(identity, rec);
    }

    /// @dev The one place the controller changes. The zero address deactivates, for good.
    function _setOwner(address identity, Record memory rec, address newOwner) private {
        rec.owner = newOwner;
        if (newOwner == address(0)) rec.deactivated = true;
        emit DIDOwnerChanged(identity, newOwner, rec.changed);
    }

    function _addDelegate(
        address identity,
        Record memory rec,
        bytes32 delegateType,
        address delegate,
        uint256 validity
    ) private {
        uint256 validTo = block.timestamp + validity;
        uint256 stored = validTo > VALID_TO_MASK ? VALID_TO_MASK : validTo;
        _delegates[identity][keccak256(abi.encode(delegateType))][delegate] =
            (uint256(rec.epoch) << VALID_TO_BITS) |
            stored;
        emit DIDDelegateChanged(identity, delegateType, delegate, validTo, rec.changed);
        _touch(identity, rec);
    }

    /// @dev Leaves `rec.changed` alone so that a rotation's revocations share one previousChange.
    function _revokeDelegate(address identity, Record memory rec, bytes32 delegateType, address delegate) private {
        _delegates[identity][keccak256(abi.encode(delegateType))][delegate] =
            (uint256(rec.epoch) << VALID_TO_BITS) |
            block.timestamp;
        emit DIDDelegateChanged(identity, delegateType, delegate, block.timestamp, rec.changed);
    }

    function _setAttribute(
        address identity,
        Record memory rec,
        bytes32 name,
        bytes calldata value,
        uint256 validity
    ) private {
        emit DIDAttributeChanged(identity, name, value, block.timestamp + validity, rec.changed);
        _touch(identity, rec);
    }

    function _revokeAttribute(address identity, Record memory rec, bytes32 name, bytes calldata value) private {
        emit DIDAttributeChanged(identity, name, value, 0, rec.changed);
    }

    function _commitNextOwner(address identity, Record memory rec, bytes32 commitment) private {
        if (rec.committed) revert SigilNextOwnerCommitted(identity);
        if (commitment == bytes32(0)) revert SigilInvalidCommitment();
        rec.committed = true;
        _records[identity] = rec;
        _commitments[identity] = commitment;
        emit DIDNextOwnerCommitted(identity, commitment);
    }

    /// @dev `key` has proven control (caller or signer); it must hash to the commitment.
    function _rotate(
        address identity,
        address key,
        address newOwner,
        bytes32 nextCommitment,
        bool purge,
        DelegateRef[] calldata revokeDelegates,
        AttributeRef[] calldata revokeAttributes
    ) private {
        Record memory rec = _records[identity];
        if (rec.deactivated) revert SigilIdentityDeactivated(identity);
        if (!rec.committed) revert SigilNoNextOwnerCommitted(identity);
        if (commitmentOf(key) != _commitments[identity]) revert SigilNotNextOwner(identity, key);

        for (uint256 i = 0; i < revokeDelegates.length; ++i) {
            _revokeDelegate(identity, rec, revokeDelegates[i].delegateType, revokeDelegates[i].delegate);
        }
        for (uint256 i = 0; i < revokeAttributes.length; ++i) {
            _revokeAttribute(identity, rec, revokeAttributes[i].name, revokeAttributes[i].value);
        }
        if (purge) ++rec.epoch;
        if (newOwner == address(0)) nextCommitment = bytes32(0); // deactivated: nothing left to commit to
        rec.committed = nextCommitment != bytes32(0);
        _commitments[identity] = nextCommitment;
        _setOwner(identity, rec, newOwner);
        emit DIDOwnerRotated(identity, newOwner, nextCommitment, purge, rec.epoch);
        _touch(identity, rec);
    }
}

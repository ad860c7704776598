// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IERC1056} from "./IERC1056.sol";
import {ISigilRegistry} from "./ISigilRegistry.sol";
import {SigilTypedData} from "./SigilTypedData.sol";

/// @title Per-identity records of the Sigil registry and the changes every path shares
/// @notice Storage of controllers, next-key commitments and delegates, and the internal steps
/// that the ERC-1056 operations, pre-rotation and guardian recovery compose: authorising the
/// controller, handing over control (the one place the controller changes), purging, and
/// recording each change as the head of the identity's `previousChange` chain.
abstract contract SigilRecords is SigilTypedData {
    /// @dev Per identity, one slot. `owner` zero means "the identity itself" unless deactivated.
    struct Record {
        address owner;
        uint40 changed;
        uint32 epoch;
        bool committed; // mirrors `_nextKeys[identity].commitment != 0`, saving a cold SLOAD per call
        bool deactivated;
    }

    /// @dev The next-key commitment, when it was set, and how many commitments were set so far
    /// (typed rotations bind it, so a signature is good for one commitment only).
    struct NextKey {
        bytes32 commitment;
        uint40 since;
        uint32 nonce;
    }

    uint256 private constant VALID_TO_BITS = 224;
    uint256 private constant VALID_TO_MASK = (1 << VALID_TO_BITS) - 1;

    mapping(address identity => Record) internal _records;
    mapping(address identity => NextKey) internal _nextKeys;
    /// @dev identity => keccak256(abi.encode(delegateType)) => delegate => epoch << 224 | validTo.
    mapping(address => mapping(bytes32 => mapping(address => uint256))) private _delegates;

    /// @dev The identity's record if `actor` controls it; ERC-1056's `bad_actor` otherwise.
    function _authorize(address identity, address actor) internal view returns (Record memory rec) {
        rec = _live(identity);
        require(actor == _ownerOf(identity, rec), "bad_actor");
    }

    /// @dev The identity's record if its controller signed `encodedStruct` (EIP-712, nonce consumed).
    function _authorizeTyped(
        address identity,
        bytes memory encodedStruct,
        uint256 deadline,
        bytes calldata signature
    ) internal returns (Record memory rec) {
        rec = _live(identity);
        _checkTypedSignature(identity, _ownerOf(identity, rec), encodedStruct, deadline, signature);
    }

    /// @dev The record of an identity that is not deactivated.
    function _live(address identity) internal view returns (Record memory rec) {
        rec = _records[identity];
        if (rec.deactivated) revert ISigilRegistry.SigilIdentityDeactivated(identity);
    }

    /// @dev The commitment `key` reveals with `salt`; reverts unless it is the identity's and
    /// `key` is not the controller (a commitment the current key satisfies protects nothing).
    function _checkNextKey(
        address identity,
        Record memory rec,
        address key,
        bytes32 salt
    ) internal view returns (NextKey memory next) {
        if (!rec.committed) revert ISigilRegistry.SigilNoNextOwnerCommitted(identity);
        next = _nextKeys[identity];
        if (keccak256(abi.encode(key, salt)) != next.commitment) revert ISigilRegistry.SigilNotNextOwner(identity, key);
        if (key == _ownerOf(identity, rec)) revert ISigilRegistry.SigilNextKeyIsController(identity, key);
    }

    function _ownerOf(address identity, Record memory rec) internal pure returns (address) {
        if (rec.owner != address(0) || rec.deactivated) return rec.owner;
        return identity;
    }

    /// @dev Until when a delegate is valid: zero once deactivated or purged (older epoch).
    function _validTo(address identity, bytes32 typeHash, address delegate) internal view returns (uint256) {
        Record storage rec = _records[identity];
        uint256 packed = _delegates[identity][typeHash][delegate];
        if (rec.deactivated || packed >> VALID_TO_BITS != rec.epoch) return 0;
        return packed & VALID_TO_MASK;
    }

    /// @dev Ends a change: records this block as the head of the identity's event chain.
    function _touch(address identity, Record memory rec) internal {
        rec.changed = SafeCast.toUint40(block.number);
        _records[identity] = rec;
    }

    /// @dev The one place the controller changes. The zero address deactivates, for good.
    function _setOwner(address identity, Record memory rec, address newOwner) internal {
        rec.owner = newOwner;
        if (newOwner == address(0)) rec.deactivated = true;
        emit IERC1056.DIDOwnerChanged(identity, newOwner, rec.changed);
    }

    /// @dev Replaces the commitment (zero clears it) with seniority `since` (see SigilRecovery's
    /// `_senior`); a new value bumps the nonce that typed rotations bind. Re-setting the current
    /// one (a recovery that keeps it) changes nothing.
    function _setCommitment(address identity, Record memory rec, bytes32 commitment, uint256 since) internal {
        NextKey storage next = _nextKeys[identity];
        if (commitment == next.commitment) return;
        next.commitment = commitment;
        if (commitment == bytes32(0)) {
            next.since = 0;
        } else {
            next.since = SafeCast.toUint40(since);
            ++next.nonce;
        }
        rec.committed = commitment != bytes32(0);
    }

    /// @dev Hands control to `newOwner` with `nextCommitment` (seniority `since`) after a
    /// rotation or a recovery: with `purge`, every delegate and attribute published before is
    /// void (one SSTORE, whatever was published). Deactivating leaves nothing to commit to.
    function _takeControl(
        address identity,
        Record memory rec,
        address newOwner,
        bytes32 nextCommitment,
        uint256 since,
        bool purge
    ) internal {
        if (purge) ++rec.epoch;
        _setCommitment(identity, rec, newOwner == address(0) ? bytes32(0) : nextCommitment, since);
        _setOwner(identity, rec, newOwner);
    }

    function _addDelegate(
        address identity,
        Record memory rec,
        bytes32 delegateType,
        address delegate,
        uint256 validity
    ) internal {
        uint256 validTo = block.timestamp + validity;
        uint256 stored = validTo > VALID_TO_MASK ? VALID_TO_MASK : validTo;
        _delegates[identity][keccak256(abi.encode(delegateType))][delegate] =
            (uint256(rec.epoch) << VALID_TO_BITS) |
            stored;
        emit IERC1056.DIDDelegateChanged(identity, delegateType, delegate, validTo, rec.changed);
        _touch(identity, rec);
    }

    /// @dev Leaves `rec.changed` alone so that one call's revocations share one previousChange.
    function _revokeDelegate(address identity, Record memory rec, bytes32 delegateType, address delegate) internal {
        _delegates[identity][keccak256(abi.encode(delegateType))][delegate] =
            (uint256(rec.epoch) << VALID_TO_BITS) |
            block.timestamp;
        emit IERC1056.DIDDelegateChanged(identity, delegateType, delegate, block.timestamp, rec.changed);
    }

    function _revokeAttribute(address identity, Record memory rec, bytes32 name, bytes calldata value) internal {
        emit IERC1056.DIDAttributeChanged(identity, name, value, 0, rec.changed);
    }

    /// @dev ERC-1056 revocation events for listed entries (for stock readers); touches nothing.
    function _revokeListed(
        address identity,
        Record memory rec,
        ISigilRegistry.DelegateRef[] calldata revokeDelegates,
        ISigilRegistry.AttributeRef[] calldata revokeAttributes
    ) internal {
        for (uint256 i = 0; i < revokeDelegates.length; ++i) {
            _revokeDelegate(identity, rec, revokeDelegates[i].delegateType, revokeDelegates[i].delegate);
        }
        for (uint256 i = 0; i < revokeAttributes.length; ++i) {
            _revokeAttribute(identity, rec, revokeAttributes[i].name, revokeAttributes[i].value);
        }
    }
}

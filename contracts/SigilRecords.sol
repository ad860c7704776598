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
    /// @dev An identity's record, unpacked. `owner` zero means "the identity itself" unless
    /// deactivated. `head` commits to every event of the identity since its last purge (see
    /// `_link`), so a reader that holds a proof of this slot can check any endpoint's logs.
    /// `firstChange` and `changed` bound the identity's history (its events lie in [firstChange,
    /// changed]), so a reader's cost follows the identity's life, not the chain's age.
    struct Record {
        address owner;
        bytes20 head;
        uint256 changed;
        uint256 firstChange;
        uint256 epoch;
        bool committed; // mirrors `_nextKeys[identity].commitment != 0`, saving a cold SLOAD per call
        bool deactivated;
    }

    /// @dev The next-key commitment, when it was set, how many commitments were set so far (typed
    /// rotations bind it, so a signature is good for one commitment only), and the block of the
    /// last purge (a reader needs nothing older for the keys and services).
    struct NextKey {
        bytes32 commitment;
        uint40 since;
        uint32 nonce;
        uint40 purgedAt;
    }

    uint256 private constant VALID_TO_BITS = 224;
    uint256 private constant VALID_TO_MASK = (1 << VALID_TO_BITS) - 1;
    // The record in one slot: head 160 | changed 36 | firstChange 36 | epoch 22 | committed 1 |
    // deactivated 1 (written by every change; the owner has its own slot, written only when the
    // controller changes, as in ERC-1056). Horizons (docs/did-method-spec.md, section 6): at block 2^36 (545 years of
    // 250 ms blocks) every write reverts alike, rotations and recoveries included; 2^22 - 1
    // purges per identity, the last kept for a guardian recovery (`_requirePurgeable`).
    uint256 private constant BLOCK_BITS = 36;
    uint256 private constant EPOCH_BITS = 22;
    uint256 private constant BLOCK_MASK = (1 << BLOCK_BITS) - 1;
    uint256 private constant EPOCH_MASK = (1 << EPOCH_BITS) - 1;

    mapping(address identity => uint256) private _records;
    mapping(address identity => address) private _owners;
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
        rec = _load(identity);
        if (rec.deactivated) revert ISigilRegistry.SigilIdentityDeactivated(identity);
    }

    /// @dev The identity's record, unpacked from its slot.
    function _load(address identity) internal view returns (Record memory rec) {
        uint256 p = _records[identity];
        rec.owner = _owners[identity];
        rec.head = bytes20(uint160(p));
        rec.changed = (p >> 160) & BLOCK_MASK;
        rec.firstChange = (p >> (160 + BLOCK_BITS)) & BLOCK_MASK;
        rec.epoch = (p >> (160 + 2 * BLOCK_BITS)) & EPOCH_MASK;
        rec.committed = (p >> 254) & 1 == 1;
        rec.deactivated = p >> 255 == 1;
    }

    /// @dev Packs and stores the record (the writers of `changed` and `epoch` check their bounds).
    function _store(address identity, Record memory rec) internal {
        _records[identity] =
            uint256(uint160(rec.head)) |
            (uint256(rec.changed) << 160) |
            (uint256(rec.firstChange) << (160 + BLOCK_BITS)) |
            (uint256(rec.epoch) << (160 + 2 * BLOCK_BITS)) |
            (rec.committed ? 1 << 254 : 0) |
            (rec.deactivated ? 1 << 255 : 0);
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
        Record memory rec = _load(identity);
        uint256 packed = _delegates[identity][typeHash][delegate];
        if (rec.deactivated || packed >> VALID_TO_BITS != rec.epoch) return 0;
        return packed & VALID_TO_MASK;
    }

    /// @dev Ends a change: records this block as the head of the identity's event chain (and, the
    /// first time, as its start).
    function _touch(address identity, Record memory rec) internal {
        if (block.number > BLOCK_MASK) revert SafeCast.SafeCastOverflowedUintDowncast(uint8(BLOCK_BITS), block.number);
        rec.changed = block.number;
        if (rec.firstChange == 0) rec.firstChange = rec.changed;
        _store(identity, rec);
    }

    /// @dev Emits one of the identity's events (declared in IERC1056, ISigilRegistry and
    /// ISigilRecovery; `data` is its non-indexed arguments, abi-encoded as `emit` would) and
    /// chains it into `rec.head`. Emitted by hand so that the data is encoded once for the log
    /// and the chain (the registry is near EIP-170's size limit).
    function _log(address identity, Record memory rec, bytes32 topic0, bytes memory data) internal {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            log2(add(data, 32), mload(data), topic0, identity)
        }
        _link(rec, topic0, bytes32(0), data);
    }

    /// @dev `_log` for the events with a second indexed argument (a recovery proposal's id).
    function _log3(address identity, Record memory rec, bytes32 topic0, bytes32 topic2, bytes memory data) internal {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            log3(add(data, 32), mload(data), topic0, identity, topic2)
        }
        _link(rec, topic0, topic2, data);
    }

    /// @dev head' = bytes20(keccak256(head ‖ uint64 block ‖ uint64 time ‖ topic0 ‖ topic2 or 0 ‖
    /// keccak256(data))). A reader holding a proof of the record recomputes the head from the logs
    /// any endpoint gives it: a log left out, altered, reordered, injected or moved to another
    /// block or time changes the result.
    function _link(Record memory rec, bytes32 topic0, bytes32 topic2, bytes memory data) private view {
        rec.head = bytes20(
            keccak256(
                abi.encodePacked(rec.head, uint64(block.number), uint64(block.timestamp), topic0, topic2, keccak256(data))
            )
        );
    }

    /// @dev Ends a change that emits no ERC-1056 event of its own: a `DIDAttributeChanged` marker
    /// named `what` (`sigil/...`; empty value, validTo 0) keeps the block on the chain that stock
    /// ERC-1056 readers walk (they skip events they cannot decode, and would stop there).
    function _touchSigil(address identity, Record memory rec, bytes32 what) internal {
        _log(identity, rec, IERC1056.DIDAttributeChanged.selector, abi.encode(what, "", 0, rec.changed));
        _touch(identity, rec);
    }

    /// @dev Reverts when a purge would exhaust the epoch counter. The last epoch is kept for
    /// guardians (`byGuardians`), so a purging recovery, once armed, can always be finalised
    /// whatever the holder of a next key did before (rotations cannot take the epoch past
    /// EPOCH_MASK - 1, and an armed recovery blocks other recoveries).
    function _requirePurgeable(address identity, Record memory rec, bool byGuardians) internal pure {
        if (rec.epoch >= (byGuardians ? EPOCH_MASK : EPOCH_MASK - 1)) revert ISigilRegistry.SigilEpochExhausted(identity);
    }

    /// @dev The one place the controller changes. The zero address deactivates, for good.
    function _setOwner(address identity, Record memory rec, address newOwner) internal {
        rec.owner = newOwner;
        _owners[identity] = newOwner;
        if (newOwner == address(0)) rec.deactivated = true;
        _log(identity, rec, IERC1056.DIDOwnerChanged.selector, abi.encode(newOwner, rec.changed));
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
        if (purge) {
            if (rec.epoch >= EPOCH_MASK) revert ISigilRegistry.SigilEpochExhausted(identity);
            ++rec.epoch;
            _nextKeys[identity].purgedAt = SafeCast.toUint40(block.number);
            // What was published before is void, so the chain a reader checks starts again here,
            // with this change's DIDOwnerChanged: a current document needs no older log.
            rec.head = bytes20(0);
        }
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
        _log(identity, rec, IERC1056.DIDDelegateChanged.selector, abi.encode(delegateType, delegate, validTo, rec.changed));
        _touch(identity, rec);
    }

    /// @dev Leaves `rec.changed` alone so that one call's revocations share one previousChange.
    function _revokeDelegate(address identity, Record memory rec, bytes32 delegateType, address delegate) internal {
        _delegates[identity][keccak256(abi.encode(delegateType))][delegate] =
            (uint256(rec.epoch) << VALID_TO_BITS) |
            block.timestamp;
        _log(identity, rec, IERC1056.DIDDelegateChanged.selector, abi.encode(delegateType, delegate, block.timestamp, rec.changed));
    }

    function _revokeAttribute(address identity, Record memory rec, bytes32 name, bytes calldata value) internal {
        _log(identity, rec, IERC1056.DIDAttributeChanged.selector, abi.encode(name, value, 0, rec.changed));
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

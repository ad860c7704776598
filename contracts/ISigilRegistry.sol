// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC1056} from "./IERC1056.sol";
import {ISigilRecovery} from "./ISigilRecovery.sol";

/// @title Sigil's extensions to ERC-1056: pre-rotation, guardian recovery, EIP-712
/// meta-transactions, final deactivation and one-call state reads.
/// @notice Every extension that changes key validity also emits the ERC-1056 event that says
/// so, so a stock ERC-1056 resolver sees the same controller and valid keys as Sigil's. Every
/// state change advances `changed`, so all of them lie on the `previousChange` chain, and every
/// change emits at least one ERC-1056 event: a change that has none of its own (a commitment, a
/// guardian or recovery step) emits a `DIDAttributeChanged` marker named `sigil/...`, with an
/// empty value and validTo 0, that stock readers ignore but follow, so their walk of the chain
/// never stops early and falls back to an older controller.
interface ISigilRegistry is IERC1056, ISigilRecovery {
    /// @notice A delegate to revoke during a rotation.
    struct DelegateRef {
        bytes32 delegateType;
        address delegate;
    }

    /// @notice An attribute to revoke during a rotation.
    struct AttributeRef {
        bytes32 name;
        bytes value;
    }

    /// @notice What the pre-committed key does when it rotates: the new controller (zero
    /// deactivates), the commitment to the key after it, whether to void everything published
    /// before (O(1) gas, whatever was published), the guardian set after it (`guardians.replace`:
    /// at once when the consumed commitment is senior to the current set, otherwise proposed for
    /// its delay), and entries to revoke with ERC-1056 events so that stock ERC-1056 readers drop
    /// them too (optional; clients bound and split them).
    struct Rotation {
        address newOwner;
        bytes32 nextCommitment;
        bool purge;
        GuardianUpdate guardians;
        DelegateRef[] revokeDelegates;
        AttributeRef[] revokeAttributes;
    }

    /// @notice Everything a resolver needs from storage about one identity.
    struct IdentityState {
        address owner; // effective controller (identityOwner); zero once deactivated
        uint256 changed; // block of the last ERC-1056-visible change (0 if none)
        uint256 epoch; // bumped by every purging rotation; older delegates/attributes are void
        bytes32 nextOwnerCommitment; // keccak256(abi.encode(nextOwnerKey, salt)), or zero
        bool deactivated;
        uint256 nonce; // EIP-712 nonce of the identity
        uint256 legacyNonce; // ERC-1056 nonce of its current owner
        uint256 firstChange; // block of the identity's first change (0 if none): its history starts here
        uint256 purgedAt; // block of the last purge (0 if none): current keys and services start here
        bytes20 head; // hash chain of the identity's events since its last purge (SigilRecords._link)
    }

    /// @notice `identity` committed to its next controller key, by salted hash (see `commitmentOf`).
    event DIDNextOwnerCommitted(address indexed identity, bytes32 commitment, uint256 previousChange);

    /// @notice The pre-committed key rotated `identity` to `newOwner` and committed `nextCommitment`;
    /// with `purged`, every delegate and attribute published before is void (epoch `epoch` began).
    event DIDOwnerRotated(
        address indexed identity,
        address newOwner,
        bytes32 nextCommitment,
        bool purged,
        uint256 epoch
    );

    /// @notice The identity is deactivated; it can never change again.
    error SigilIdentityDeactivated(address identity);
    /// @notice The identity committed to a next key: only that key may change its controller,
    /// replace the commitment or deactivate it (through `rotate`).
    error SigilNextOwnerCommitted(address identity);
    /// @notice `rotate` was called on an identity that has no commitment.
    error SigilNoNextOwnerCommitted(address identity);
    /// @notice `key` does not hash to the identity's commitment.
    error SigilNotNextOwner(address identity, address key);
    /// @notice A commitment must be a non-zero hash, other than the one a rotation consumes.
    error SigilInvalidCommitment();
    /// @notice The revealed next key is the current controller: whoever holds the current key
    /// could rotate, so pre-rotation would protect nothing. Refused; commit to a separate key.
    error SigilNextKeyIsController(address identity, address key);
    /// @notice Final deactivation needs an authorisation bound to this chain (a direct call or
    /// EIP-712): ERC-1056's legacy signature has no chain id and could be replayed elsewhere.
    error SigilLegacyDeactivation(address identity);
    /// @notice The EIP-712 signature is not `signer`'s for this call (wrong key, nonce, chain or contract).
    error SigilInvalidSignature(address identity, address signer);
    /// @notice The EIP-712 signature's deadline has passed.
    error SigilExpiredSignature(uint256 deadline);
    /// @notice The identity has used its purges (2^22 - 1 epochs): the last one is kept for a
    /// guardian recovery, so that an armed purging recovery can always be finalised. Rotate or
    /// recover without `purge` and revoke entries by listing them.
    error SigilEpochExhausted(address identity);
    /// @notice `revokeEntries` with nothing to revoke: a change without an event would break the
    /// `previousChange` chain that readers check.
    error SigilNothingToRevoke();

    /// @notice The EIP-712 replay counter of `identity` (one counter per identity, all operations).
    function nonces(address identity) external view returns (uint256);

    /// @notice The salted hash of the key `identity` committed to, or zero.
    function nextOwnerCommitment(address identity) external view returns (bytes32);

    /// @notice The commitment to `nextOwnerKey`: `keccak256(abi.encode(nextOwnerKey, salt))`. The
    /// secret random salt keeps anyone from confirming a guess of the next key.
    function commitmentOf(address nextOwnerKey, bytes32 salt) external pure returns (bytes32);

    /// @notice The storage state of `identity`.
    function identityState(address identity) external view returns (IdentityState memory);

    /// @notice The storage state of many identities at one block, with the chain id and that
    /// block's number and time: one eth_call gives a resolver all it needs to check it reads the
    /// right chain and to confirm a cached history is still current.
    function identityStates(
        address[] calldata identities
    ) external view returns (uint256 chainId, uint256 blockNumber, uint256 timestamp, IdentityState[] memory states);

    /// @notice Commits `identity` to a next controller key by its salted hash. Only the
    /// controller, when no commitment exists: afterwards only that key can change the
    /// controller or the commitment, and only it or a recovery the guardians (a pending
    /// guardian change is dropped here).
    function commitNextOwner(address identity, bytes32 commitment) external;

    /// @notice Rotates `identity`; callable only by the key (the caller) that, with `salt`, hashes
    /// to its commitment, and that is not the current controller. Nothing the current key can do
    /// makes it revert; an armed recovery does unless the commitment is senior to it (and is then
    /// cancelled). Cancels any pending guardian change. See `Rotation`.
    function rotate(address identity, bytes32 salt, Rotation calldata rotation) external;

    /// @notice Revokes many delegates and attributes at once with ERC-1056 events (the
    /// controller only): what a rotation leaves for stock ERC-1056 readers, in bounded batches.
    function revokeEntries(
        address identity,
        DelegateRef[] calldata revokeDelegates,
        AttributeRef[] calldata revokeAttributes
    ) external;

    /// @notice Deactivates `identity` for good (controller set to the zero address, ERC-1056's
    /// convention). With guardians set, only they or the next key can.
    function deactivate(address identity) external;

    /// @notice `changeOwner` authorised by an EIP-712 signature of the controller (EOA or EIP-1271).
    function changeOwnerWithSig(address identity, address newOwner, uint256 deadline, bytes calldata signature) external;

    /// @notice `addDelegate` authorised by an EIP-712 signature of the controller.
    function addDelegateWithSig(
        address identity,
        bytes32 delegateType,
        address delegate,
        uint256 validity,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice `revokeDelegate` authorised by an EIP-712 signature of the controller.
    function revokeDelegateWithSig(
        address identity,
        bytes32 delegateType,
        address delegate,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice `setAttribute` authorised by an EIP-712 signature of the controller.
    function setAttributeWithSig(
        address identity,
        bytes32 name,
        bytes calldata value,
        uint256 validity,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice `revokeAttribute` authorised by an EIP-712 signature of the controller.
    function revokeAttributeWithSig(
        address identity,
        bytes32 name,
        bytes calldata value,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice `commitNextOwner` authorised by an EIP-712 signature of the controller.
    function commitNextOwnerWithSig(
        address identity,
        bytes32 commitment,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice `rotate` authorised by an EIP-712 signature of `nextOwnerKey`, the pre-committed key
    /// (an EOA or an EIP-1271 contract account). The signature binds the commitment it consumes
    /// and its `commitmentNonce`, not the identity's nonce, so the current key cannot void it and
    /// it can never be replayed.
    function rotateWithSig(
        address identity,
        address nextOwnerKey,
        bytes32 salt,
        Rotation calldata rotation,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice `revokeEntries` authorised by an EIP-712 signature of the controller.
    function revokeEntriesWithSig(
        address identity,
        DelegateRef[] calldata revokeDelegates,
        AttributeRef[] calldata revokeAttributes,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice `deactivate` authorised by an EIP-712 signature of the controller.
    function deactivateWithSig(address identity, uint256 deadline, bytes calldata signature) external;
}

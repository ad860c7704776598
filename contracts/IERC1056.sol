// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ERC-1056 (EthereumDIDRegistry), the interface behind did:ethr
/// @notice The exact external surface of the original registry: same functions, getters and
/// events, so that ERC-1056 clients (ethr-did-resolver, ethr-did) work unchanged against any
/// implementation of it. Reverts use the original reason strings `bad_actor` and `bad_signature`.
interface IERC1056 {
    /// @notice The controller of `identity` changed to `owner` (the zero address deactivates it).
    event DIDOwnerChanged(address indexed identity, address owner, uint256 previousChange);

    /// @notice A delegate key of `identity` became valid until `validTo` (revocation: `validTo` = now).
    event DIDDelegateChanged(
        address indexed identity,
        bytes32 delegateType,
        address delegate,
        uint256 validTo,
        uint256 previousChange
    );

    /// @notice An attribute (key, service, ...) of `identity` is valid until `validTo` (revocation: 0).
    event DIDAttributeChanged(
        address indexed identity,
        bytes32 name,
        bytes value,
        uint256 validTo,
        uint256 previousChange
    );

    /// @notice The stored controller of `identity`; zero when never changed (or deactivated).
    function owners(address identity) external view returns (address);

    /// @notice Until when `delegate` is valid for `identity`, by `keccak256(abi.encode(delegateType))`.
    function delegates(address identity, bytes32 delegateTypeHash, address delegate) external view returns (uint256);

    /// @notice Block number of the last change to `identity` (0 if none): the head of its event chain.
    function changed(address identity) external view returns (uint256);

    /// @notice Replay counter of the legacy signed calls, kept per signing owner as ERC-1056 does.
    function nonce(address signer) external view returns (uint256);

    /// @notice The effective controller of `identity`: itself until changed.
    function identityOwner(address identity) external view returns (address);

    /// @notice Whether `delegate` is currently a valid delegate of `delegateType` for `identity`.
    function validDelegate(address identity, bytes32 delegateType, address delegate) external view returns (bool);

    /// @notice Hands control of `identity` to `newOwner`; only its current controller may call.
    function changeOwner(address identity, address newOwner) external;

    /// @notice `changeOwner`, authorised by the controller's signature over the legacy hash layout.
    function changeOwnerSigned(address identity, uint8 sigV, bytes32 sigR, bytes32 sigS, address newOwner) external;

    /// @notice Adds `delegate` of `delegateType` for `validity` seconds.
    function addDelegate(address identity, bytes32 delegateType, address delegate, uint256 validity) external;

    /// @notice `addDelegate`, authorised by the controller's legacy signature.
    function addDelegateSigned(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 delegateType,
        address delegate,
        uint256 validity
    ) external;

    /// @notice Revokes `delegate` of `delegateType` from now on.
    function revokeDelegate(address identity, bytes32 delegateType, address delegate) external;

    /// @notice `revokeDelegate`, authorised by the controller's legacy signature.
    function revokeDelegateSigned(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 delegateType,
        address delegate
    ) external;

    /// @notice Publishes attribute `name` = `value` for `validity` seconds (as an event only).
    function setAttribute(address identity, bytes32 name, bytes calldata value, uint256 validity) external;

    /// @notice `setAttribute`, authorised by the controller's legacy signature.
    function setAttributeSigned(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 name,
        bytes calldata value,
        uint256 validity
    ) external;

    /// @notice Revokes attribute `name` = `value`.
    function revokeAttribute(address identity, bytes32 name, bytes calldata value) external;

    /// @notice `revokeAttribute`, authorised by the controller's legacy signature.
    function revokeAttributeSigned(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 name,
        bytes calldata value
    ) external;
}

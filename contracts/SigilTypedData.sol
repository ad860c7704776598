// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {ISigilRegistry} from "./ISigilRegistry.sol";

/// @title EIP-712 typed meta-transactions for the Sigil registry
/// @notice The typed-data layouts that wallets show and sign, and the checks they share: a live
/// deadline and a valid ECDSA or EIP-1271 signature of the expected signer over a digest bound
/// to this chain and this contract (EIP-712 domain "SigilRegistry", version "2.1"). The
/// controller's operations also consume the identity's next nonce; those of the next key and
/// of guardians bind instead what they consume (a commitment, a recovery round), because the
/// current key can advance the nonce at will.
abstract contract SigilTypedData is EIP712, Nonces {
    bytes32 internal constant CHANGE_OWNER_TYPEHASH =
        keccak256("ChangeOwner(address identity,address newOwner,uint256 nonce,uint256 deadline)");
    bytes32 internal constant ADD_DELEGATE_TYPEHASH =
        keccak256(
            "AddDelegate(address identity,bytes32 delegateType,address delegate,uint256 validity,uint256 nonce,uint256 deadline)"
        );
    bytes32 internal constant REVOKE_DELEGATE_TYPEHASH =
        keccak256(
            "RevokeDelegate(address identity,bytes32 delegateType,address delegate,uint256 nonce,uint256 deadline)"
        );
    bytes32 internal constant SET_ATTRIBUTE_TYPEHASH =
        keccak256(
            "SetAttribute(address identity,bytes32 name,bytes value,uint256 validity,uint256 nonce,uint256 deadline)"
        );
    bytes32 internal constant REVOKE_ATTRIBUTE_TYPEHASH =
        keccak256("RevokeAttribute(address identity,bytes32 name,bytes value,uint256 nonce,uint256 deadline)");
    bytes32 internal constant COMMIT_NEXT_OWNER_TYPEHASH =
        keccak256("CommitNextOwner(address identity,bytes32 commitment,uint256 nonce,uint256 deadline)");
    bytes32 internal constant DEACTIVATE_TYPEHASH =
        keccak256("Deactivate(address identity,uint256 nonce,uint256 deadline)");
    bytes32 internal constant DELEGATE_REF_TYPEHASH = keccak256("DelegateRef(bytes32 delegateType,address delegate)");
    bytes32 internal constant ATTRIBUTE_REF_TYPEHASH = keccak256("AttributeRef(bytes32 name,bytes value)");
    bytes32 internal constant GUARDIAN_UPDATE_TYPEHASH =
        keccak256("GuardianUpdate(bool replace,bytes32 root,uint256 threshold,uint256 delay)");
    bytes32 internal constant ROTATE_TYPEHASH =
        keccak256(
            "Rotate(address identity,bytes32 commitment,uint256 commitmentNonce,address newOwner,bytes32 nextCommitment,bool purge,GuardianUpdate guardians,DelegateRef[] revokeDelegates,AttributeRef[] revokeAttributes,uint256 deadline)"
            "AttributeRef(bytes32 name,bytes value)"
            "DelegateRef(bytes32 delegateType,address delegate)"
            "GuardianUpdate(bool replace,bytes32 root,uint256 threshold,uint256 delay)"
        );
    bytes32 internal constant REVOKE_ENTRIES_TYPEHASH =
        keccak256(
            "RevokeEntries(address identity,DelegateRef[] revokeDelegates,AttributeRef[] revokeAttributes,uint256 nonce,uint256 deadline)"
            "AttributeRef(bytes32 name,bytes value)"
            "DelegateRef(bytes32 delegateType,address delegate)"
        );
    bytes32 internal constant SET_GUARDIANS_TYPEHASH =
        keccak256(
            "SetGuardians(address identity,bytes32 root,uint256 threshold,uint256 delay,uint256 nonce,uint256 deadline)"
        );
    bytes32 internal constant APPROVE_RECOVERY_TYPEHASH =
        keccak256(
            "ApproveRecovery(address identity,uint256 round,address newOwner,bytes32 nextCommitment,bool purge,GuardianUpdate guardians,uint256 deadline)"
            "GuardianUpdate(bool replace,bytes32 root,uint256 threshold,uint256 delay)"
        );
    bytes32 internal constant CANCEL_RECOVERY_TYPEHASH =
        keccak256("CancelRecovery(address identity,bytes32 commitment,uint256 round,uint256 deadline)");

    constructor() EIP712("SigilRegistry", "2.1") {}

    /// @dev Reverts unless `signature` is `signer`'s EIP-712 signature of the struct whose
    /// encoding (type hash first, nonce and deadline last) is `encodedStruct` with the
    /// identity's next nonce; consumes that nonce.
    function _checkTypedSignature(
        address identity,
        address signer,
        bytes memory encodedStruct,
        uint256 deadline,
        bytes calldata signature
    ) internal {
        bytes32 structHash = keccak256(abi.encodePacked(encodedStruct, abi.encode(_useNonce(identity), deadline)));
        _checkSignature(identity, signer, structHash, deadline, signature);
    }

    /// @dev Reverts unless the deadline is live and `signature` is `signer`'s EIP-712 signature
    /// of `structHash`. Consumes nothing: the struct must bind what makes it single-use.
    function _checkSignature(
        address identity,
        address signer,
        bytes32 structHash,
        uint256 deadline,
        bytes calldata signature
    ) internal view {
        if (block.timestamp > deadline) revert ISigilRegistry.SigilExpiredSignature(deadline);
        if (!SignatureChecker.isValidSignatureNowCalldata(signer, _hashTypedDataV4(structHash), signature)) {
            revert ISigilRegistry.SigilInvalidSignature(identity, signer);
        }
    }

    /// @dev EIP-712 `encodeData` of a `GuardianUpdate`.
    function _hashGuardianUpdate(ISigilRegistry.GuardianUpdate calldata u) internal pure returns (bytes32) {
        return keccak256(abi.encode(GUARDIAN_UPDATE_TYPEHASH, u.replace, u.root, u.threshold, u.delay));
    }

    /// @dev EIP-712 `encodeData` of a `DelegateRef[]`: the hash of its elements' struct hashes.
    function _hashDelegateRefs(ISigilRegistry.DelegateRef[] calldata refs) internal pure returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](refs.length);
        for (uint256 i = 0; i < refs.length; ++i) {
            hashes[i] = keccak256(abi.encode(DELEGATE_REF_TYPEHASH, refs[i].delegateType, refs[i].delegate));
        }
        return keccak256(abi.encodePacked(hashes));
    }

    /// @dev EIP-712 `encodeData` of an `AttributeRef[]`.
    function _hashAttributeRefs(ISigilRegistry.AttributeRef[] calldata refs) internal pure returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](refs.length);
        for (uint256 i = 0; i < refs.length; ++i) {
            hashes[i] = keccak256(abi.encode(ATTRIBUTE_REF_TYPEHASH, refs[i].name, keccak256(refs[i].value)));
        }
        return keccak256(abi.encodePacked(hashes));
    }
}

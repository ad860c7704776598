// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title Test-only contract account: accepts its EOA owner's ECDSA signatures (EIP-1271).
/// @notice An EIP-1271 wallet for tests, controlled by one EOA.
contract MockERC1271Wallet is IERC1271 {
    /// @notice The EOA whose signatures this wallet accepts.
    address public immutable SIGNER;

    constructor(address signer_) {
        SIGNER = signer_;
    }

    /// @notice EIP-1271: magic value when `signer` signed `hash`.
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecover(hash, signature);
        return err == ECDSA.RecoverError.NoError && recovered == SIGNER ? this.isValidSignature.selector : bytes4(0);
    }

}

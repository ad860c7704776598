// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ISigilRegistry} from "../../contracts/ISigilRegistry.sol";
import "./SigilTest.sol" as T;
import {SigilFixture, vm} from "./SigilTest.sol";

/// @title Fuzz tests of the legacy ERC-1056 signatures and the EIP-712 domain, digests and nonces
contract SigilSignaturesFuzzTest is SigilFixture {
    /// @dev ERC-1056's signed hash binds no chain id: a signed deactivation, final here, could be
    /// replayed on another chain, so the legacy path refuses it even when perfectly signed.
    function testFuzz_legacySignedDeactivationIsRefused(uint256 seed, uint8 priorCalls) public {
        uint256 key = T.boundKey(seed);
        address identity = vm.addr(key);
        for (uint256 i = 0; i < priorCalls % 3; ++i) {
            bytes32 h = T.legacyAddDelegateHash(address(registry), i, identity, "veriKey", address(0xBEEF), 1 days);
            (uint8 v0, bytes32 r0, bytes32 s0) = vm.sign(key, h);
            registry.addDelegateSigned(identity, v0, r0, s0, "veriKey", address(0xBEEF), 1 days);
        }
        uint256 legacyNonce = registry.nonce(identity);
        uint256 changed = registry.changed(identity);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, T.legacyChangeOwnerHash(address(registry), legacyNonce, identity, address(0)));
        vm.expectRevert(abi.encodeWithSelector(ISigilRegistry.SigilLegacyDeactivation.selector, identity));
        registry.changeOwnerSigned(identity, v, r, s, address(0));
        require(registry.identityOwner(identity) == identity && !registry.identityState(identity).deactivated, "deactivated");
        require(registry.nonce(identity) == legacyNonce && registry.changed(identity) == changed, "the refusal left a trace");
    }

    function testFuzz_legacySignedChangeOwnerWorksOnce(uint256 seed, uint256 newSeed, uint256 wrongSeed) public {
        uint256 key = T.boundKey(seed);
        uint256 newKey = T.boundKey(newSeed);
        uint256 wrongKey = T.boundKey(wrongSeed);
        vm.assume(key != newKey && key != wrongKey);
        address identity = vm.addr(key);
        address newOwner = vm.addr(newKey);
        bytes32 hash = T.legacyChangeOwnerHash(address(registry), 0, identity, newOwner);

        (uint8 v, bytes32 r, bytes32 s) = vm.sign(wrongKey, hash);
        vm.expectRevert(bytes("bad_signature"));
        registry.changeOwnerSigned(identity, v, r, s, newOwner);
        (v, r, s) = vm.sign(key, hash);
        // The malleable twin recovers the same signer; the registry refuses it on purpose.
        vm.expectRevert(bytes("bad_signature"));
        registry.changeOwnerSigned(identity, v == 27 ? 28 : 27, r, bytes32(T.SECP256K1_N - uint256(s)), newOwner);

        registry.changeOwnerSigned(identity, v, r, s, newOwner);
        require(registry.identityOwner(identity) == newOwner, "owner not changed");
        require(registry.nonce(identity) == 1 && registry.nonce(newOwner) == 0, "nonce must be bumped for the signer only");
        vm.expectRevert(bytes("bad_signature"));
        registry.changeOwnerSigned(identity, v, r, s, newOwner);

        // The new owner signs with its own counter, still at zero.
        (v, r, s) = vm.sign(newKey, T.legacyChangeOwnerHash(address(registry), 0, identity, identity));
        registry.changeOwnerSigned(identity, v, r, s, identity);
        require(registry.identityOwner(identity) == identity, "second signed change not applied");
        require(registry.nonce(identity) == 1 && registry.nonce(newOwner) == 1, "legacy nonces are per signer");
    }

    function _checkDomain() internal view {
        (, string memory name, string memory version, uint256 chainId, address verifying, , ) = registry.eip712Domain();
        require(
            keccak256(bytes(name)) == keccak256("SigilRegistry") && keccak256(bytes(version)) == keccak256("2.1"),
            "wrong EIP-712 name or version"
        );
        require(chainId == block.chainid && verifying == address(registry), "wrong EIP-712 chain or contract");
    }

    function testFuzz_typedChangeOwnerDigestAndNonce(uint256 seed, uint8 hops, uint32 ttl, uint256 wrongSeed) public {
        _checkDomain();
        uint256 key = T.boundKey(seed);
        address identity = vm.addr(key);
        uint256 n = uint256(hops % 4) + 1;
        for (uint256 i = 0; i < n; ++i) {
            uint256 nextKey = T.boundKey(uint256(keccak256(abi.encode(seed, i + 1))));
            _typedHop(identity, key, nextKey, T.boundKey(wrongSeed), i, block.timestamp + ttl);
            key = nextKey;
        }
        require(registry.nonce(identity) == 0, "typed calls must not touch the legacy nonce");
    }

    function _signFor(uint256 key, address verifying, bytes32 structHash) internal view returns (bytes memory) {
        return T.signTyped(key, verifying, structHash);
    }

    /// @dev One typed changeOwner from `key` to `nextKey` at nonce `i`, after refused attempts
    /// that must leave the nonce alone.
    function _typedHop(address identity, uint256 key, uint256 nextKey, uint256 wrongKey, uint256 i, uint256 deadline) internal {
        address newOwner = vm.addr(nextKey);
        bytes32 structHash = keccak256(abi.encode(T.CHANGE_OWNER_TYPEHASH, identity, newOwner, i, deadline));
        _expectRefused(identity, key, newOwner, wrongKey, i, deadline);
        require(registry.nonces(identity) == i, "a refused typed call moved the nonce");

        bytes memory sig = _signFor(key, address(registry), structHash);
        registry.changeOwnerWithSig(identity, newOwner, deadline, sig);
        require(registry.nonces(identity) == i + 1, "typed nonce must advance by exactly one");
        require(registry.identityOwner(identity) == newOwner, "owner not changed");
        vm.expectRevert(abi.encodeWithSelector(ISigilRegistry.SigilInvalidSignature.selector, identity, newOwner));
        registry.changeOwnerWithSig(identity, newOwner, deadline, sig);
    }

    /// @dev Wrong key, future nonce, another contract's domain, passed deadline.
    function _expectRefused(address identity, uint256 key, address newOwner, uint256 wrongKey, uint256 i, uint256 deadline) internal {
        bytes memory invalid = abi.encodeWithSelector(ISigilRegistry.SigilInvalidSignature.selector, identity, vm.addr(key));
        bytes32 structHash = keccak256(abi.encode(T.CHANGE_OWNER_TYPEHASH, identity, newOwner, i, deadline));
        if (wrongKey != key) {
            vm.expectRevert(invalid);
            registry.changeOwnerWithSig(identity, newOwner, deadline, _signFor(wrongKey, address(registry), structHash));
        }
        bytes32 futureHash = keccak256(abi.encode(T.CHANGE_OWNER_TYPEHASH, identity, newOwner, i + 1, deadline));
        vm.expectRevert(invalid);
        registry.changeOwnerWithSig(identity, newOwner, deadline, _signFor(key, address(registry), futureHash));
        vm.expectRevert(invalid);
        registry.changeOwnerWithSig(identity, newOwner, deadline, _signFor(key, address(0xdead), structHash));
        uint256 expired = block.timestamp - 1;
        bytes32 lateHash = keccak256(abi.encode(T.CHANGE_OWNER_TYPEHASH, identity, newOwner, i, expired));
        bytes memory late = _signFor(key, address(registry), lateHash);
        vm.expectRevert(abi.encodeWithSelector(ISigilRegistry.SigilExpiredSignature.selector, expired));
        registry.changeOwnerWithSig(identity, newOwner, expired, late);
    }
}

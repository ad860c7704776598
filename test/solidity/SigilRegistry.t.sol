// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SigilRegistry} from "../../contracts/SigilRegistry.sol";
import {ISigilRegistry} from "../../contracts/ISigilRegistry.sol";

/// @dev The few Foundry cheatcodes these tests use (Hardhat 3 serves them; no forge-std needed).
interface Vm {
    function addr(uint256 privateKey) external pure returns (address);
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function prank(address sender) external;
    function warp(uint256 timestamp) external;
    function assume(bool condition) external pure;
    function expectRevert(bytes calldata revertData) external;
}

Vm constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

uint256 constant SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141;

function boundKey(uint256 seed) pure returns (uint256) {
    return (seed % (SECP256K1_N - 1)) + 1;
}

/// @dev EIP-712 digest of a ChangeOwner operation, computed independently of the contract.
function changeOwnerDigest(
    SigilRegistry registry,
    address identity,
    address newOwner,
    uint256 nonce,
    uint256 deadline
) view returns (bytes32) {
    bytes32 domain = keccak256(
        abi.encode(
            keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
            keccak256("SigilRegistry"),
            keccak256("1"),
            block.chainid,
            address(registry)
        )
    );
    bytes32 structHash = keccak256(
        abi.encode(
            keccak256("ChangeOwner(address identity,address newOwner,uint256 nonce,uint256 deadline)"),
            identity,
            newOwner,
            nonce,
            deadline
        )
    );
    return keccak256(abi.encodePacked("\x19\x01", domain, structHash));
}

/// @title Fuzz tests of the controller/commitment state machine, validity and signatures
contract SigilRegistryFuzzTest {
    SigilRegistry internal registry;

    function setUp() public {
        registry = new SigilRegistry();
    }

    function testFuzz_onlyTheCommittedKeyRotates(uint256 ownerSeed, uint256 nextSeed, uint256 otherSeed) public {
        address owner = vm.addr(boundKey(ownerSeed));
        address next = vm.addr(boundKey(nextSeed));
        address other = vm.addr(boundKey(otherSeed));
        vm.assume(owner != next && other != next);
        bytes32 commitment = registry.commitmentOf(next); // before prank: a prank applies to the next call
        vm.prank(owner);
        registry.commitNextOwner(owner, commitment);

        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(ISigilRegistry.SigilNextOwnerCommitted.selector, owner));
        registry.changeOwner(owner, other);
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(ISigilRegistry.SigilNextOwnerCommitted.selector, owner));
        registry.deactivate(owner);
        vm.prank(other);
        vm.expectRevert(abi.encodeWithSelector(ISigilRegistry.SigilNotNextOwner.selector, owner, other));
        registry.rotate(owner, other, bytes32(0), false, new ISigilRegistry.DelegateRef[](0), new ISigilRegistry.AttributeRef[](0));

        vm.prank(next);
        registry.rotate(owner, next, bytes32(0), true, new ISigilRegistry.DelegateRef[](0), new ISigilRegistry.AttributeRef[](0));
        require(registry.identityOwner(owner) == next, "rotation did not hand control to the committed key");
        require(registry.nextOwnerCommitment(owner) == bytes32(0), "commitment not replaced");
    }

    function testFuzz_purgeVoidsEveryEarlierDelegate(uint256 nextSeed, address delegate, uint8 count) public {
        address next = vm.addr(boundKey(nextSeed));
        vm.assume(next != address(this));
        uint256 n = uint256(count % 8) + 1;
        for (uint256 i = 0; i < n; ++i) {
            registry.addDelegate(address(this), bytes32(i), delegate, 1 days);
        }
        registry.commitNextOwner(address(this), registry.commitmentOf(next));
        vm.prank(next);
        registry.rotate(address(this), next, bytes32(0), true, new ISigilRegistry.DelegateRef[](0), new ISigilRegistry.AttributeRef[](0));
        for (uint256 i = 0; i < n; ++i) {
            require(!registry.validDelegate(address(this), bytes32(i), delegate), "delegate survived the purge");
        }
    }

    function testFuzz_validityWindow(uint64 validity, uint32 elapsed) public {
        uint256 start = block.timestamp;
        registry.addDelegate(address(this), "veriKey", address(0xBEEF), validity);
        vm.warp(start + uint256(elapsed));
        bool valid = registry.validDelegate(address(this), "veriKey", address(0xBEEF));
        require(valid == (uint256(elapsed) < uint256(validity)), "validity window is wrong");
    }

    function testFuzz_hugeValidityIsClampedNotWrapped(uint256 validity) public {
        vm.assume(validity <= type(uint256).max - block.timestamp);
        registry.addDelegate(address(this), "veriKey", address(0xBEEF), validity);
        bool valid = registry.validDelegate(address(this), "veriKey", address(0xBEEF));
        require(valid == (validity > 0), "a large validity must stay valid, zero must not");
    }

    function testFuzz_legacySignatureWorksOnce(uint256 seed, address newOwner) public {
        uint256 key = boundKey(seed);
        address identity = vm.addr(key);
        vm.assume(newOwner != address(0));
        bytes32 hash = keccak256(
            abi.encodePacked(bytes1(0x19), bytes1(0), address(registry), uint256(0), identity, "changeOwner", newOwner)
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, hash);
        registry.changeOwnerSigned(identity, v, r, s, newOwner);
        require(registry.identityOwner(identity) == newOwner, "owner not changed");
        require(registry.nonce(identity) == 1, "legacy nonce not bumped");
        vm.expectRevert(bytes("bad_signature"));
        registry.changeOwnerSigned(identity, v, r, s, newOwner);
    }

    function testFuzz_typedNonceAdvancesByExactlyOne(uint256 seed, address newOwner, uint32 ttl) public {
        uint256 key = boundKey(seed);
        address identity = vm.addr(key);
        vm.assume(newOwner != address(0));
        uint256 deadline = block.timestamp + ttl;
        bytes32 digest = changeOwnerDigest(registry, identity, newOwner, 0, deadline);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        registry.changeOwnerWithSig(identity, newOwner, deadline, abi.encodePacked(r, s, v));
        require(registry.nonces(identity) == 1, "typed nonce must advance by one");
        require(registry.identityOwner(identity) == newOwner, "owner not changed");
    }
}

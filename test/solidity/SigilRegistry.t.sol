// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SigilRegistry} from "../../contracts/SigilRegistry.sol";
import {ISigilRegistry} from "../../contracts/ISigilRegistry.sol";

/// @dev The Foundry cheatcodes these tests use; Hardhat 3 serves them at the usual address, so
/// forge-std is not needed.
interface Vm {
    function addr(uint256 privateKey) external pure returns (address);
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function prank(address sender) external;
    function warp(uint256 timestamp) external;
    function roll(uint256 blockNumber) external;
    function assume(bool condition) external pure;
    function expectRevert(bytes calldata revertData) external;
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData, address emitter) external;
}

Vm constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

uint256 constant SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141;
uint256 constant VALID_TO_MAX = (1 << 224) - 1;
uint256 constant START_TIME = 1_700_000_000;

// Type strings are written out here rather than read from SigilTypedData so that a typo in the
// contract shows up as a signature mismatch instead of being copied into the test.
bytes32 constant DOMAIN_TYPEHASH = keccak256(
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
);
bytes32 constant CHANGE_OWNER_TYPEHASH = keccak256(
    "ChangeOwner(address identity,address newOwner,uint256 nonce,uint256 deadline)"
);
bytes32 constant ADD_DELEGATE_TYPEHASH = keccak256(
    "AddDelegate(address identity,bytes32 delegateType,address delegate,uint256 validity,uint256 nonce,uint256 deadline)"
);
bytes32 constant COMMIT_NEXT_OWNER_TYPEHASH = keccak256(
    "CommitNextOwner(address identity,bytes32 commitment,uint256 nonce,uint256 deadline)"
);
bytes32 constant DEACTIVATE_TYPEHASH = keccak256("Deactivate(address identity,uint256 nonce,uint256 deadline)");
bytes32 constant ROTATE_TYPEHASH = keccak256(
    "Rotate(address identity,address newOwner,bytes32 nextCommitment,bool purge,DelegateRef[] revokeDelegates,AttributeRef[] revokeAttributes,uint256 nonce,uint256 deadline)AttributeRef(bytes32 name,bytes value)DelegateRef(bytes32 delegateType,address delegate)"
);

/// @dev Maps any seed to a valid secp256k1 private key (1 .. n-1).
function boundKey(uint256 seed) pure returns (uint256) {
    return (seed % (SECP256K1_N - 1)) + 1;
}

function bound(uint256 x, uint256 min, uint256 max) pure returns (uint256) {
    return min + (x % (max - min + 1));
}

function domainSeparator(address registry) view returns (bytes32) {
    return keccak256(abi.encode(DOMAIN_TYPEHASH, keccak256("SigilRegistry"), keccak256("1"), block.chainid, registry));
}

function signTyped(uint256 key, address registry, bytes32 structHash) view returns (bytes memory) {
    bytes32 digest = keccak256(abi.encodePacked("\x19\x01", domainSeparator(registry), structHash));
    (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
    return abi.encodePacked(r, s, v);
}

/// @dev ERC-1056's signed-call hash for changeOwner; `nonce` is the current owner's legacy nonce.
function legacyChangeOwnerHash(address registry, uint256 nonce, address identity, address newOwner) pure returns (bytes32) {
    return keccak256(abi.encodePacked(bytes1(0x19), bytes1(0), registry, nonce, identity, "changeOwner", newOwner));
}

/// @title Fuzz tests of the controller/commitment state machine, delegate validity and signatures
contract SigilRegistryFuzzTest {
    event DIDDelegateChanged(
        address indexed identity,
        bytes32 delegateType,
        address delegate,
        uint256 validTo,
        uint256 previousChange
    );

    SigilRegistry internal registry;
    ISigilRegistry.DelegateRef[] internal noDelegates;
    ISigilRegistry.AttributeRef[] internal noAttributes;
    ISigilRegistry.DelegateRef[] internal revokeList;

    function setUp() public {
        registry = new SigilRegistry();
        vm.warp(START_TIME); // expired-deadline cases need a timestamp above zero
    }

    function _committed(address identity) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(ISigilRegistry.SigilNextOwnerCommitted.selector, identity);
    }

    function testFuzz_commitmentOfHashesTheAbiEncodedKey(address key) public view {
        require(registry.commitmentOf(key) == keccak256(abi.encode(key)), "commitmentOf is not keccak256(abi.encode(key))");
    }

    function testFuzz_committedControllerCannotChangeControl(
        uint256 ownerSeed,
        uint256 nextSeed,
        address target,
        bytes32 otherCommitment
    ) public {
        uint256 ownerKey = boundKey(ownerSeed);
        address identity = vm.addr(ownerKey);
        address next = vm.addr(boundKey(nextSeed));
        vm.assume(identity != next && otherCommitment != bytes32(0));
        bytes32 commitment = registry.commitmentOf(next);
        vm.prank(identity);
        registry.commitNextOwner(identity, commitment);

        vm.prank(identity);
        vm.expectRevert(_committed(identity));
        registry.changeOwner(identity, target);
        vm.prank(identity);
        vm.expectRevert(_committed(identity));
        registry.commitNextOwner(identity, otherCommitment);
        vm.prank(identity);
        vm.expectRevert(_committed(identity));
        registry.deactivate(identity);

        // The signed paths must not be a way around the lock either.
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ownerKey, legacyChangeOwnerHash(address(registry), 0, identity, target));
        vm.expectRevert(_committed(identity));
        registry.changeOwnerSigned(identity, v, r, s, target);
        uint256 deadline = block.timestamp;
        bytes memory sig = signTyped(
            ownerKey,
            address(registry),
            keccak256(abi.encode(CHANGE_OWNER_TYPEHASH, identity, target, 0, deadline))
        );
        vm.expectRevert(_committed(identity));
        registry.changeOwnerWithSig(identity, target, deadline, sig);
        sig = signTyped(
            ownerKey,
            address(registry),
            keccak256(abi.encode(COMMIT_NEXT_OWNER_TYPEHASH, identity, otherCommitment, 0, deadline))
        );
        vm.expectRevert(_committed(identity));
        registry.commitNextOwnerWithSig(identity, otherCommitment, deadline, sig);
        sig = signTyped(ownerKey, address(registry), keccak256(abi.encode(DEACTIVATE_TYPEHASH, identity, 0, deadline)));
        vm.expectRevert(_committed(identity));
        registry.deactivateWithSig(identity, deadline, sig);

        // Key management stays with the controller while committed.
        vm.prank(identity);
        registry.addDelegate(identity, "veriKey", target, 1 days);
        require(registry.validDelegate(identity, "veriKey", target), "a committed controller must still add delegates");
        require(registry.identityOwner(identity) == identity, "controller changed while committed");
        require(registry.nextOwnerCommitment(identity) == commitment, "commitment changed while committed");
        require(registry.nonces(identity) == 0 && registry.nonce(identity) == 0, "a refused call consumed a nonce");
    }

    function testFuzz_onlyTheCommittedKeyRotates(
        uint256 ownerSeed,
        uint256 nextSeed,
        address other,
        address newOwner,
        bytes32 nextCommitment
    ) public {
        address identity = vm.addr(boundKey(ownerSeed));
        address next = vm.addr(boundKey(nextSeed));
        vm.assume(identity != next && other != next && newOwner != address(0));
        vm.assume(nextCommitment != registry.commitmentOf(next));

        vm.prank(next);
        vm.expectRevert(abi.encodeWithSelector(ISigilRegistry.SigilNoNextOwnerCommitted.selector, identity));
        registry.rotate(identity, newOwner, nextCommitment, false, noDelegates, noAttributes);

        bytes32 commitment = registry.commitmentOf(next);
        vm.prank(identity);
        registry.commitNextOwner(identity, commitment);
        vm.prank(identity);
        vm.expectRevert(abi.encodeWithSelector(ISigilRegistry.SigilNotNextOwner.selector, identity, identity));
        registry.rotate(identity, newOwner, nextCommitment, false, noDelegates, noAttributes);
        vm.prank(other);
        vm.expectRevert(abi.encodeWithSelector(ISigilRegistry.SigilNotNextOwner.selector, identity, other));
        registry.rotate(identity, newOwner, nextCommitment, false, noDelegates, noAttributes);

        vm.prank(next);
        registry.rotate(identity, newOwner, nextCommitment, false, noDelegates, noAttributes);
        require(registry.identityOwner(identity) == newOwner, "rotation did not hand control over");
        require(registry.nextOwnerCommitment(identity) == nextCommitment, "rotation did not set the next commitment");

        // A used key is spent: it no longer matches whatever comes next.
        vm.prank(next);
        if (nextCommitment == bytes32(0)) {
            vm.expectRevert(abi.encodeWithSelector(ISigilRegistry.SigilNoNextOwnerCommitted.selector, identity));
        } else {
            vm.expectRevert(abi.encodeWithSelector(ISigilRegistry.SigilNotNextOwner.selector, identity, next));
        }
        registry.rotate(identity, next, bytes32(0), false, noDelegates, noAttributes);
        if (nextCommitment != bytes32(0)) {
            vm.prank(newOwner);
            vm.expectRevert(_committed(identity));
            registry.changeOwner(identity, other);
        }
    }

    function _delegateAt(uint256 salt, uint256 i) internal pure returns (bytes32 delegateType, address delegate) {
        delegateType = i % 2 == 0 ? bytes32("veriKey") : bytes32("sigAuth");
        delegate = address(uint160(uint256(keccak256(abi.encode(salt, i)))));
    }

    function testFuzz_purgeVoidsEveryEarlierDelegate(uint256 nextSeed, uint256 salt, uint8 count, uint256 validitySeed) public {
        address next = vm.addr(boundKey(nextSeed));
        vm.assume(next != address(this));
        uint256 n = uint256(count % 8) + 1;
        uint256 validity = bound(validitySeed, 1, type(uint64).max);
        for (uint256 i = 0; i < n; ++i) {
            (bytes32 t, address d) = _delegateAt(salt, i);
            registry.addDelegate(address(this), t, d, validity);
        }
        registry.commitNextOwner(address(this), registry.commitmentOf(next));
        vm.prank(next);
        registry.rotate(address(this), next, bytes32(0), true, noDelegates, noAttributes);

        require(registry.identityState(address(this)).epoch == 1, "purge must start a new epoch");
        for (uint256 i = 0; i < n; ++i) {
            (bytes32 t, address d) = _delegateAt(salt, i);
            require(!registry.validDelegate(address(this), t, d), "delegate survived the purge");
            require(registry.delegates(address(this), keccak256(abi.encode(t)), d) == 0, "purged delegate still has a validTo");
        }
        // The purge voids what came before, not the delegate slots themselves.
        (bytes32 t0, address d0) = _delegateAt(salt, 0);
        vm.prank(next);
        registry.addDelegate(address(this), t0, d0, validity);
        require(registry.validDelegate(address(this), t0, d0), "a delegate added after the purge must be valid");
    }

    function testFuzz_rotateRevokesOnlyTheListedDelegates(uint256 nextSeed, uint256 salt, uint8 count, uint8 mask) public {
        address next = vm.addr(boundKey(nextSeed));
        vm.assume(next != address(this));
        uint256 n = uint256(count % 8) + 1;
        for (uint256 i = 0; i < n; ++i) {
            (bytes32 t, address d) = _delegateAt(salt, i);
            registry.addDelegate(address(this), t, d, 1 days);
            if ((mask >> i) & 1 == 1) revokeList.push(ISigilRegistry.DelegateRef(t, d));
        }
        registry.commitNextOwner(address(this), registry.commitmentOf(next));
        vm.prank(next);
        registry.rotate(address(this), next, bytes32(0), false, revokeList, noAttributes);

        for (uint256 i = 0; i < n; ++i) {
            (bytes32 t, address d) = _delegateAt(salt, i);
            bool listed = (mask >> i) & 1 == 1;
            uint256 validTo = registry.delegates(address(this), keccak256(abi.encode(t)), d);
            require(registry.validDelegate(address(this), t, d) != listed, "revocation list not applied exactly");
            require(validTo == (listed ? block.timestamp : block.timestamp + 1 days), "wrong validTo after rotation");
        }
    }

    function testFuzz_delegateIsValidExactlyUntilValidTo(uint256 startSeed, uint256 validitySeed, uint256 elapsedSeed) public {
        uint256 start = bound(startSeed, 1, 1 << 40);
        uint256 validity = bound(validitySeed, 0, 1 << 64);
        uint256 elapsed = bound(elapsedSeed, 0, 1 << 65);
        address d = address(0xBEEF);
        vm.warp(start);
        registry.addDelegate(address(this), "veriKey", d, validity);
        require(registry.delegates(address(this), keccak256(abi.encode(bytes32("veriKey"))), d) == start + validity, "wrong validTo");

        vm.warp(start + elapsed);
        require(registry.validDelegate(address(this), "veriKey", d) == (elapsed < validity), "valid outside its window");
        // Fuzzing rarely lands on the edge, so check it every run.
        vm.warp(start + validity);
        require(!registry.validDelegate(address(this), "veriKey", d), "still valid at validTo");
        if (validity > 0) {
            vm.warp(start + validity - 1);
            require(registry.validDelegate(address(this), "veriKey", d), "invalid one second before validTo");
        }
    }

    function testFuzz_hugeValidityIsClampedAndStaysValid(uint256 startSeed, uint256 gapSeed, uint256 laterSeed) public {
        uint256 start = bound(startSeed, 1, type(uint64).max);
        uint256 validity = type(uint256).max - start - bound(gapSeed, 0, type(uint32).max);
        address d = address(0xBEEF);
        vm.warp(start);
        // Resolvers see the unclamped validTo, exactly as ERC-1056 emits it.
        vm.expectEmit(true, false, false, true, address(registry));
        emit DIDDelegateChanged(address(this), "veriKey", d, start + validity, 0);
        registry.addDelegate(address(this), "veriKey", d, validity);

        require(registry.delegates(address(this), keccak256(abi.encode(bytes32("veriKey"))), d) == VALID_TO_MAX, "not clamped");
        require(registry.validDelegate(address(this), "veriKey", d), "a clamped delegate must be valid");
        vm.warp(bound(laterSeed, start, type(uint64).max));
        require(registry.validDelegate(address(this), "veriKey", d), "a clamped delegate must stay valid");
    }

    function testFuzz_overflowingValidityReverts(uint256 startSeed, uint256 excessSeed) public {
        uint256 start = bound(startSeed, 1, type(uint64).max);
        uint256 validity = type(uint256).max - start + 1 + bound(excessSeed, 0, start - 1);
        vm.warp(start);
        vm.expectRevert(abi.encodeWithSignature("Panic(uint256)", 0x11));
        registry.addDelegate(address(this), "veriKey", address(0xBEEF), validity);
        vm.expectRevert(abi.encodeWithSignature("Panic(uint256)", 0x11));
        registry.setAttribute(address(this), "did/svc/x", "", validity);
        require(registry.changed(address(this)) == 0, "a reverted call left a trace");
    }

    function testFuzz_legacySignedChangeOwnerWorksOnce(uint256 seed, uint256 newSeed, uint256 wrongSeed) public {
        uint256 key = boundKey(seed);
        uint256 newKey = boundKey(newSeed);
        uint256 wrongKey = boundKey(wrongSeed);
        vm.assume(key != newKey && key != wrongKey);
        address identity = vm.addr(key);
        address newOwner = vm.addr(newKey);
        bytes32 hash = legacyChangeOwnerHash(address(registry), 0, identity, newOwner);

        (uint8 v, bytes32 r, bytes32 s) = vm.sign(wrongKey, hash);
        vm.expectRevert(bytes("bad_signature"));
        registry.changeOwnerSigned(identity, v, r, s, newOwner);
        (v, r, s) = vm.sign(key, hash);
        // The malleable twin recovers the same signer; the registry refuses it on purpose.
        vm.expectRevert(bytes("bad_signature"));
        registry.changeOwnerSigned(identity, v == 27 ? 28 : 27, r, bytes32(SECP256K1_N - uint256(s)), newOwner);

        registry.changeOwnerSigned(identity, v, r, s, newOwner);
        require(registry.identityOwner(identity) == newOwner, "owner not changed");
        require(registry.nonce(identity) == 1 && registry.nonce(newOwner) == 0, "nonce must be bumped for the signer only");
        vm.expectRevert(bytes("bad_signature"));
        registry.changeOwnerSigned(identity, v, r, s, newOwner);

        // The new owner signs with its own counter, still at zero.
        (v, r, s) = vm.sign(newKey, legacyChangeOwnerHash(address(registry), 0, identity, identity));
        registry.changeOwnerSigned(identity, v, r, s, identity);
        require(registry.identityOwner(identity) == identity, "second signed change not applied");
        require(registry.nonce(identity) == 1 && registry.nonce(newOwner) == 1, "legacy nonces are per signer");
    }

    function _checkDomain() internal view {
        (, string memory name, string memory version, uint256 chainId, address verifying, , ) = registry.eip712Domain();
        require(
            keccak256(bytes(name)) == keccak256("SigilRegistry") && keccak256(bytes(version)) == keccak256("1"),
            "wrong EIP-712 name or version"
        );
        require(chainId == block.chainid && verifying == address(registry), "wrong EIP-712 chain or contract");
    }

    function testFuzz_typedChangeOwnerDigestAndNonce(uint256 seed, uint8 hops, uint32 ttl, uint256 wrongSeed) public {
        _checkDomain();
        uint256 key = boundKey(seed);
        address identity = vm.addr(key);
        uint256 n = uint256(hops % 4) + 1;
        for (uint256 i = 0; i < n; ++i) {
            uint256 nextKey = boundKey(uint256(keccak256(abi.encode(seed, i + 1))));
            _typedHop(identity, key, nextKey, boundKey(wrongSeed), i, block.timestamp + ttl);
            key = nextKey;
        }
        require(registry.nonce(identity) == 0, "typed calls must not touch the legacy nonce");
    }

    function _signFor(uint256 key, address verifying, bytes32 structHash) internal view returns (bytes memory) {
        return signTyped(key, verifying, structHash);
    }

    /// @dev One typed changeOwner from `key` to `nextKey` at nonce `i`, after refused attempts
    /// that must leave the nonce alone.
    function _typedHop(address identity, uint256 key, uint256 nextKey, uint256 wrongKey, uint256 i, uint256 deadline) internal {
        address newOwner = vm.addr(nextKey);
        bytes32 structHash = keccak256(abi.encode(CHANGE_OWNER_TYPEHASH, identity, newOwner, i, deadline));
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
        bytes32 structHash = keccak256(abi.encode(CHANGE_OWNER_TYPEHASH, identity, newOwner, i, deadline));
        if (wrongKey != key) {
            vm.expectRevert(invalid);
            registry.changeOwnerWithSig(identity, newOwner, deadline, _signFor(wrongKey, address(registry), structHash));
        }
        bytes32 futureHash = keccak256(abi.encode(CHANGE_OWNER_TYPEHASH, identity, newOwner, i + 1, deadline));
        vm.expectRevert(invalid);
        registry.changeOwnerWithSig(identity, newOwner, deadline, _signFor(key, address(registry), futureHash));
        vm.expectRevert(invalid);
        registry.changeOwnerWithSig(identity, newOwner, deadline, _signFor(key, address(0xdead), structHash));
        uint256 expired = block.timestamp - 1;
        bytes32 lateHash = keccak256(abi.encode(CHANGE_OWNER_TYPEHASH, identity, newOwner, i, expired));
        bytes memory late = _signFor(key, address(registry), lateHash);
        vm.expectRevert(abi.encodeWithSelector(ISigilRegistry.SigilExpiredSignature.selector, expired));
        registry.changeOwnerWithSig(identity, newOwner, expired, late);
    }
}

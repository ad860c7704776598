// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";
import {SigilRegistry} from "../../contracts/SigilRegistry.sol";
import {ISigilRegistry} from "../../contracts/ISigilRegistry.sol";
import {ISigilRecovery} from "../../contracts/ISigilRecovery.sol";

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
    function load(address target, bytes32 slot) external view returns (bytes32);
    function store(address target, bytes32 slot, bytes32 value) external;
}

Vm constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

uint256 constant SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141;
uint256 constant VALID_TO_MAX = (1 << 224) - 1;
uint256 constant START_TIME = 1_700_000_000;
uint256 constant MIN_DELAY = 1 hours;
uint256 constant MAX_DELAY = 365 days;

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
bytes32 constant SET_ATTRIBUTE_TYPEHASH = keccak256(
    "SetAttribute(address identity,bytes32 name,bytes value,uint256 validity,uint256 nonce,uint256 deadline)"
);
bytes32 constant COMMIT_NEXT_OWNER_TYPEHASH = keccak256(
    "CommitNextOwner(address identity,bytes32 commitment,uint256 nonce,uint256 deadline)"
);
bytes32 constant DEACTIVATE_TYPEHASH = keccak256("Deactivate(address identity,uint256 nonce,uint256 deadline)");
bytes32 constant ROTATE_TYPEHASH = keccak256(
    "Rotate(address identity,bytes32 commitment,uint256 commitmentNonce,address newOwner,bytes32 nextCommitment,bool purge,GuardianUpdate guardians,DelegateRef[] revokeDelegates,AttributeRef[] revokeAttributes,uint256 deadline)AttributeRef(bytes32 name,bytes value)DelegateRef(bytes32 delegateType,address delegate)GuardianUpdate(bool replace,bytes32 root,uint256 threshold,uint256 delay)"
);
bytes32 constant SET_GUARDIANS_TYPEHASH = keccak256(
    "SetGuardians(address identity,bytes32 root,uint256 threshold,uint256 delay,uint256 nonce,uint256 deadline)"
);
bytes32 constant APPROVE_RECOVERY_TYPEHASH = keccak256(
    "ApproveRecovery(address identity,uint256 round,address newOwner,bytes32 nextCommitment,bool purge,GuardianUpdate guardians,uint256 deadline)GuardianUpdate(bool replace,bytes32 root,uint256 threshold,uint256 delay)"
);
bytes32 constant CANCEL_RECOVERY_TYPEHASH = keccak256(
    "CancelRecovery(address identity,bytes32 commitment,uint256 round,uint256 deadline)"
);

/// @dev Maps any seed to a valid secp256k1 private key (1 .. n-1).
function boundKey(uint256 seed) pure returns (uint256) {
    return (seed % (SECP256K1_N - 1)) + 1;
}

function bound(uint256 x, uint256 min, uint256 max) pure returns (uint256) {
    return min + (x % (max - min + 1));
}

/// @dev The salted commitment, computed here rather than with `commitmentOf`.
function commitmentTo(address key, bytes32 salt) pure returns (bytes32) {
    return keccak256(abi.encode(key, salt));
}

function domainSeparator(address registry) view returns (bytes32) {
    return keccak256(abi.encode(DOMAIN_TYPEHASH, keccak256("SigilRegistry"), keccak256("2.1"), block.chainid, registry));
}

function signTyped(uint256 key, address registry, bytes32 structHash) view returns (bytes memory) {
    bytes32 digest = keccak256(abi.encodePacked("\x19\x01", domainSeparator(registry), structHash));
    (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
    return abi.encodePacked(r, s, v);
}

bytes32 constant GUARDIAN_UPDATE_TYPEHASH = keccak256("GuardianUpdate(bool replace,bytes32 root,uint256 threshold,uint256 delay)");

/// @dev The guardian update that keeps the current set.
function keepGuardians() pure returns (ISigilRecovery.GuardianUpdate memory) {
    return ISigilRecovery.GuardianUpdate(false, bytes32(0), 0, 0);
}

function guardianUpdateHash(ISigilRecovery.GuardianUpdate memory u) pure returns (bytes32) {
    return keccak256(abi.encode(GUARDIAN_UPDATE_TYPEHASH, u.replace, u.root, u.threshold, u.delay));
}

/// @dev The struct hash of an ApproveRecovery.
function approveHash(
    address identity,
    uint256 round,
    ISigilRecovery.RecoveryProposal memory p,
    uint256 deadline
) pure returns (bytes32) {
    return keccak256(
        abi.encode(
            APPROVE_RECOVERY_TYPEHASH, identity, round, p.newOwner, p.nextCommitment, p.purge, guardianUpdateHash(p.guardians), deadline
        )
    );
}

bytes32 constant DELEGATE_REF_TYPEHASH = keccak256("DelegateRef(bytes32 delegateType,address delegate)");
bytes32 constant ATTRIBUTE_REF_TYPEHASH = keccak256("AttributeRef(bytes32 name,bytes value)");

/// @dev The struct hash of a Rotate (EIP-712 arrays: the hash of the elements' struct hashes).
function rotateHash(
    address identity,
    bytes32 commitment,
    uint256 commitmentNonce,
    ISigilRegistry.Rotation memory rot,
    uint256 deadline
) pure returns (bytes32) {
    bytes32[] memory d = new bytes32[](rot.revokeDelegates.length);
    for (uint256 i = 0; i < d.length; ++i) {
        d[i] = keccak256(abi.encode(DELEGATE_REF_TYPEHASH, rot.revokeDelegates[i].delegateType, rot.revokeDelegates[i].delegate));
    }
    bytes32[] memory a = new bytes32[](rot.revokeAttributes.length);
    for (uint256 i = 0; i < a.length; ++i) {
        a[i] = keccak256(abi.encode(ATTRIBUTE_REF_TYPEHASH, rot.revokeAttributes[i].name, keccak256(rot.revokeAttributes[i].value)));
    }
    return keccak256(
        abi.encode(
            ROTATE_TYPEHASH, identity, commitment, commitmentNonce, rot.newOwner, rot.nextCommitment, rot.purge,
            guardianUpdateHash(rot.guardians), keccak256(abi.encodePacked(d)), keccak256(abi.encodePacked(a)), deadline
        )
    );
}

/// @dev ERC-1056's signed-call hash for changeOwner; `nonce` is the current owner's legacy nonce.
function legacyChangeOwnerHash(address registry, uint256 nonce, address identity, address newOwner) pure returns (bytes32) {
    return keccak256(abi.encodePacked(bytes1(0x19), bytes1(0), registry, nonce, identity, "changeOwner", newOwner));
}

function legacyAddDelegateHash(
    address registry,
    uint256 nonce,
    address identity,
    bytes32 delegateType,
    address delegate,
    uint256 validity
) pure returns (bytes32) {
    return keccak256(
        abi.encodePacked(
            bytes1(0x19), bytes1(0), registry, nonce, identity, "addDelegate", delegateType, delegate, validity
        )
    );
}

/// @dev A guardian leaf in OpenZeppelin's StandardMerkleTree layout (double hash of the encoding).
function guardianLeaf(address guardian, bytes32 salt) pure returns (bytes32) {
    return keccak256(bytes.concat(keccak256(abi.encode(guardian, salt))));
}

/// @dev Root of a two-leaf tree and each leaf's proof (the other leaf), with sorted-pair hashing.
function pairRoot(bytes32 a, bytes32 b) pure returns (bytes32) {
    return Hashes.commutativeKeccak256(a, b);
}

/// @dev Root of a four-leaf tree ((l0 l1) (l2 l3)).
function quadRoot(bytes32[4] memory leaves) pure returns (bytes32) {
    return Hashes.commutativeKeccak256(
        Hashes.commutativeKeccak256(leaves[0], leaves[1]),
        Hashes.commutativeKeccak256(leaves[2], leaves[3])
    );
}

/// @dev The proof of leaf `i` in a four-leaf tree: its sibling, then the other pair's hash.
function quadProof(bytes32[4] memory leaves, uint256 i) pure returns (bytes32[] memory proof) {
    proof = new bytes32[](2);
    proof[0] = leaves[i ^ 1];
    proof[1] = i < 2
        ? Hashes.commutativeKeccak256(leaves[2], leaves[3])
        : Hashes.commutativeKeccak256(leaves[0], leaves[1]);
}

function pairProof(bytes32 sibling) pure returns (bytes32[] memory proof) {
    proof = new bytes32[](1);
    proof[0] = sibling;
}

/// @title Shared fixture of the fuzz tests: a fresh registry, a clock, four guardians in a tree
/// @dev Guardian 0 is listed twice (two salts), so the tree has four leaves but three addresses.
abstract contract SigilFixture {
    SigilRegistry internal registry;
    ISigilRegistry.DelegateRef[] internal noDelegates;
    ISigilRegistry.AttributeRef[] internal noAttributes;

    uint256[3] internal guardianKeys;
    address[3] internal guardians;
    bytes32[4] internal leaves;
    bytes32 internal guardianRoot;

    function setUp() public virtual {
        vm.warp(START_TIME); // expired-deadline cases need a timestamp above zero
        vm.roll(100);
        registry = new SigilRegistry();
        for (uint256 i = 0; i < 3; ++i) {
            guardianKeys[i] = boundKey(uint256(keccak256(abi.encode("sigil fuzz guardian", i))));
            guardians[i] = vm.addr(guardianKeys[i]);
        }
        for (uint256 i = 0; i < 4; ++i) leaves[i] = guardianLeaf(_leafGuardian(i), _leafSalt(i));
        guardianRoot = quadRoot(leaves);
    }

    /// @dev Leaves 0 and 3 are both guardian 0's.
    function _leafGuardian(uint256 i) internal view returns (address) {
        return guardians[i == 3 ? 0 : i];
    }

    function _leafSalt(uint256 i) internal pure returns (bytes32) {
        return keccak256(abi.encode("leaf salt", i));
    }

    function _proofOf(uint256 leaf) internal view returns (ISigilRecovery.GuardianProof memory) {
        return ISigilRecovery.GuardianProof(_leafGuardian(leaf), _leafSalt(leaf), quadProof(leaves, leaf));
    }

    function _approve(address identity, ISigilRecovery.RecoveryProposal memory p, uint256 leaf) internal {
        vm.prank(_leafGuardian(leaf));
        registry.approveRecovery(identity, p, _proofOf(leaf));
    }

    function _err(bytes4 selector, address identity) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(selector, identity);
    }

    function _committed(address identity) internal pure returns (bytes memory) {
        return _err(ISigilRegistry.SigilNextOwnerCommitted.selector, identity);
    }

    function _rotation(address newOwner, bytes32 next, bool purge) internal view returns (ISigilRegistry.Rotation memory) {
        return ISigilRegistry.Rotation(newOwner, next, purge, keepGuardians(), noDelegates, noAttributes);
    }
}

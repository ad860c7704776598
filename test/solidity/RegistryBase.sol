// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SigilRegistry} from "../../contracts/SigilRegistry.sol";
import {ISigilRegistry} from "../../contracts/ISigilRegistry.sol";
import {ISigilRecovery} from "../../contracts/ISigilRecovery.sol";
import "./SigilTest.sol" as T;

/// @dev The invariant handler's actors, ghost model and choices. Three identities (actors 0-2),
/// five keys that may gain control (actors 0-4), an outsider key that never does (actor 5), and
/// five guardians: three keys that are never actors, and actors 0 and 3 (guardians 3 and 4),
/// so that a thief holding a current key can name himself and keys he controls as guardians and
/// act as them. Guardian sets are four Merkle trees (guardian 0 is listed twice in tree 0; tree 3
/// holds only actors). Commitments are to any actor (the outsider and the controller included)
/// with one of two salts.
abstract contract RegistryBase {
    uint256 internal constant IDENTITIES = 3;
    uint256 internal constant KEYS = 6; // actors[5] is the outsider
    uint256 internal constant GUARDIANS = 5; // 3 and 4 are actors 0 and 3
    uint256 internal constant SALTS = 2;
    uint256 internal constant TREES = 4;
    uint256 internal constant PROPOSALS = 5;
    uint256 internal constant MAX_APPROVALS = 8; // per guardian and round
    bytes32 internal constant DELEGATE_TYPE = "veriKey";

    // Kinds of violation, one per invariant that reports them.
    uint256 internal constant OUTCOME = 0;
    uint256 internal constant DEACTIVATION = 1;
    uint256 internal constant CONTROL = 2;
    uint256 internal constant GUARDIAN_SET = 3;
    uint256 internal constant RECOVERY = 4;
    uint256 internal constant PURGE = 5;
    uint256 internal constant NONCE = 6;
    uint256 internal constant CHANGED = 7;

    struct Model {
        address owner;
        bool deactivated;
        uint256 epoch;
        uint256 typedNonce;
        uint256 changed;
        uint256 firstChange; // block of the first successful call
        uint256 purgedAt; // block of the last purge
        bytes32 commitment;
        uint256 committedAt; // seniority: a rotation's new commitment keeps the consumed one's
        uint256 commitmentNonce;
        bytes32 root; // guardians in effect
        uint256 threshold;
        uint256 delay;
        uint256 since; // seniority against the set counts from here: when it was proposed
        bytes32 pendingRoot;
        uint256 pendingThreshold;
        uint256 pendingDelay;
        uint256 pendingAt; // 0: no change pending
        uint256 pendingSince; // when the pending change was proposed
        uint256 round;
        bytes32 armed;
        uint256 armedAt;
    }

    /// @dev A proposal's approvals: they count within one delay of the first (`startedAt`);
    /// an approval after that starts a new tally (`generation`), in which nobody has approved yet.
    struct Tally {
        uint256 startedAt;
        uint256 generation;
        uint256 count;
    }

    struct Stored {
        uint256 epoch;
        uint256 validTo;
    }

    SigilRegistry internal immutable registry;
    uint256[KEYS] internal keys;
    address[KEYS] internal actors;
    uint256[GUARDIANS] internal guardianKeys;
    address[GUARDIANS] internal guardians;
    bytes32[4][TREES] internal treeLeaves;
    bytes32[TREES] internal roots;

    mapping(address identity => Model) internal model;
    mapping(address identity => mapping(address delegate => Stored)) internal stored;
    mapping(address signer => uint256) internal legacyNonce;
    mapping(bytes32 proposal => Tally) internal tallies;
    mapping(bytes32 proposal => mapping(uint256 generation => mapping(address guardian => bool))) internal approved;
    mapping(address identity => mapping(uint256 round => mapping(address guardian => uint256))) internal given;
    mapping(uint256 kind => string) internal violations;
    mapping(bytes4 op => uint256) internal successes;
    /// @dev How often a rule was exercised (for tuning the campaigns), by a short name.
    mapping(bytes32 what => uint256) internal reached;

    constructor(SigilRegistry registry_) {
        registry = registry_;
        for (uint256 i = 0; i < KEYS; ++i) {
            keys[i] = T.boundKey(uint256(keccak256(abi.encode("sigil invariant key", i))));
            actors[i] = T.vm.addr(keys[i]);
        }
        for (uint256 i = 0; i < 3; ++i) {
            guardianKeys[i] = T.boundKey(uint256(keccak256(abi.encode("sigil invariant guardian", i))));
            guardians[i] = T.vm.addr(guardianKeys[i]);
        }
        (guardianKeys[3], guardians[3]) = (keys[0], actors[0]);
        (guardianKeys[4], guardians[4]) = (keys[3], actors[3]);
        for (uint256 t = 0; t < TREES; ++t) {
            for (uint256 i = 0; i < _treeSize(t); ++i) treeLeaves[t][i] = T.guardianLeaf(guardians[_leafGuardian(t, i)], _leafSalt(t, i));
        }
        roots[0] = T.quadRoot(treeLeaves[0]);
        roots[1] = T.pairRoot(treeLeaves[1][0], treeLeaves[1][1]);
        roots[2] = T.pairRoot(treeLeaves[2][0], treeLeaves[2][1]);
        roots[3] = T.pairRoot(treeLeaves[3][0], treeLeaves[3][1]);
        for (uint256 i = 0; i < IDENTITIES; ++i) model[actors[i]].owner = actors[i];
    }

    // ------------------------------------------------------------------ views for the invariants

    /// @dev Actors 0-2 are also the identities.
    function actorAt(uint256 i) external view returns (address) {
        return actors[i];
    }

    function modelOf(address id) external view returns (Model memory) {
        return model[id];
    }

    function legacyNonceOf(address signer) external view returns (uint256) {
        return legacyNonce[signer];
    }

    /// @dev What `delegates()` must return.
    function modelValidTo(address id, address delegate) public view returns (uint256) {
        Stored memory d = stored[id][delegate];
        return model[id].deactivated || d.epoch != model[id].epoch ? 0 : d.validTo;
    }

    function violation(uint256 kind) external view returns (string memory) {
        return violations[kind];
    }

    function successesOf(bytes4 op) external view returns (uint256) {
        return successes[op];
    }

    function reachedOf(bytes32 what) external view returns (uint256) {
        return reached[what];
    }

    // ------------------------------------------------------------------ choices

    function _identity(uint256 seed) internal view returns (address id, Model storage m) {
        id = actors[seed % IDENTITIES];
        m = model[id];
    }

    /// @dev Half the time the controller (valid calls must be common), otherwise any actor.
    function _pick(Model storage m, uint256 seed) internal view returns (uint256) {
        if (seed % 2 == 0) {
            for (uint256 i = 0; i < KEYS; ++i) if (actors[i] == m.owner) return i;
        }
        return (seed / 2) % KEYS;
    }

    function _salt(uint256 j) internal pure returns (bytes32) {
        return keccak256(abi.encode("sigil invariant salt", j));
    }

    /// @dev Half the time the committed key and salt, otherwise any actor with any salt.
    function _pickNext(Model storage m, uint256 seed) internal view returns (uint256 key, bytes32 salt) {
        if (seed % 2 == 0) {
            for (uint256 i = 0; i < KEYS * SALTS; ++i) {
                if (T.commitmentTo(actors[i % KEYS], _salt(i / KEYS)) == m.commitment) return (i % KEYS, _salt(i / KEYS));
            }
        }
        return ((seed / 2) % KEYS, _salt((seed / 16) % SALTS));
    }

    /// @dev One of the five keys; rarely the zero address, which deactivates.
    function _target(uint256 seed) internal view returns (address) {
        seed = uint256(keccak256(abi.encode(seed)));
        return seed % 64 == 0 ? address(0) : actors[(seed / 64) % (KEYS - 1)];
    }

    /// @dev A commitment to any actor with either salt, or zero; mostly not to `avoid` (the
    /// controller-to-be), whose own commitment locks the identity until guardians recover it.
    function _commitment(uint256 seed, address avoid) internal view returns (bytes32) {
        uint256 i = seed % (KEYS * SALTS + 1);
        if (i == KEYS * SALTS) return bytes32(0);
        address key = actors[i % KEYS];
        if (key == avoid && (seed / 16) % 4 != 0) key = actors[(i + 1) % KEYS];
        return T.commitmentTo(key, _salt(i / KEYS));
    }

    /// @dev Mostly proposal 0 (so that approvals add up), rarely the deactivating ones.
    function _proposalIndex(uint256 seed) internal pure returns (uint256) {
        uint256 x = seed % 16;
        return x < 7 ? 0 : x < 11 ? 1 : x < 13 ? 4 : x < 14 ? 2 : 3;
    }

    /// @dev 0: to actor 3 with a commitment and a purge; 1: to actor 4; 2: deactivation;
    /// 3: deactivation with a commitment (always refused); 4: to actor 1, replacing the guardians
    /// with tree 1 (threshold 1, one hour).
    function _proposalAt(uint256 i) internal view returns (ISigilRecovery.RecoveryProposal memory) {
        ISigilRecovery.GuardianUpdate memory keep = T.keepGuardians();
        if (i == 0) return ISigilRecovery.RecoveryProposal(actors[3], T.commitmentTo(actors[4], _salt(0)), true, keep);
        if (i == 1) return ISigilRecovery.RecoveryProposal(actors[4], bytes32(0), false, keep);
        if (i == 2) return ISigilRecovery.RecoveryProposal(address(0), bytes32(0), true, keep);
        if (i == 4) {
            ISigilRecovery.GuardianUpdate memory u = ISigilRecovery.GuardianUpdate(true, roots[1], 1, 1 hours);
            return ISigilRecovery.RecoveryProposal(actors[1], T.commitmentTo(actors[2], _salt(1)), false, u);
        }
        return ISigilRecovery.RecoveryProposal(address(0), T.commitmentTo(actors[3], _salt(1)), false, keep);
    }

    function _proposalId(address id, Model storage m, ISigilRecovery.RecoveryProposal memory p) internal view returns (bytes32) {
        return keccak256(abi.encode(id, m.round, p));
    }

    function _treeSize(uint256 t) internal pure returns (uint256) {
        return t == 0 ? 4 : 2;
    }

    /// @dev Tree 0: guardians 0, 1, 2, 0; tree 1: guardians 1, 2; tree 2: guardians 2, 0; tree 3:
    /// guardians 3 and 4 (actors 0 and 3).
    function _leafGuardian(uint256 t, uint256 i) internal pure returns (uint256) {
        if (t == 0) return i == 3 ? 0 : i;
        if (t == 3) return 3 + i;
        return (t + i) % 3;
    }

    function _leafSalt(uint256 t, uint256 i) internal pure returns (bytes32) {
        return keccak256(abi.encode("sigil invariant leaf", t, i));
    }

    /// @dev A leaf of the identity's tree half the time, of any tree otherwise; `tamper` spoils the salt.
    function _guardianProof(
        Model storage m,
        uint256 seed,
        bool tamper
    ) internal view returns (ISigilRecovery.GuardianProof memory proof, uint256 guardian, bool valid) {
        uint256 t = (seed / 2) % TREES;
        if (seed % 2 == 0) {
            for (uint256 k = 0; k < TREES; ++k) if (roots[k] == m.root) t = k;
        }
        uint256 i = (seed / 8) % _treeSize(t);
        guardian = _leafGuardian(t, i);
        bytes32 salt = _leafSalt(t, i);
        proof.guardian = guardians[guardian];
        proof.salt = tamper ? ~salt : salt;
        proof.proof = t == 0 ? T.quadProof(treeLeaves[0], i) : T.pairProof(treeLeaves[t][1 - i]);
        valid = !tamper && m.root == roots[t];
    }

    /// @dev A guardian policy: mostly valid, sometimes not (threshold 0 or 256, delay too short).
    function _policy(uint256 rootSeed, uint256 seed) internal view returns (bytes32 root, uint256 threshold, uint256 delay) {
        uint256 r = rootSeed % 10;
        root = r < 2 ? roots[0] : r < 4 ? roots[1] : r < 6 ? roots[2] : r < 8 ? roots[3] : bytes32(0);
        uint256 t = seed % 16;
        threshold = t < 6 ? 1 : t < 11 ? 2 : t < 14 ? 3 : t < 15 ? 256 : 0;
        uint256 d = (seed / 16) % 16;
        delay = d < 10 ? 1 hours : d < 14 ? 1 days : d < 15 ? 1 hours - 1 : 0;
        if (root == bytes32(0) && (seed / 256) % 4 != 0) (threshold, delay) = (0, 0);
    }

    function _validPolicy(bytes32 root, uint256 threshold, uint256 delay) internal pure returns (bool) {
        if (root == bytes32(0)) return threshold == 0 && delay == 0;
        return threshold >= 1 && threshold <= 255 && delay >= T.MIN_DELAY && delay <= T.MAX_DELAY;
    }

    /// @dev `flavour % 8`: 6 signs a future nonce, 7 a passed deadline, anything else is well formed.
    function _typedParams(
        Model storage m,
        uint256 signerSeed,
        uint256 flavour
    ) internal view returns (uint256 signer, uint256 nonce, uint256 deadline) {
        signer = _pick(m, signerSeed);
        nonce = flavour % 8 == 6 ? m.typedNonce + 1 : m.typedNonce;
        deadline = flavour % 8 == 7 ? block.timestamp - 1 : block.timestamp + 1 hours;
    }

    // ------------------------------------------------------------------ model transitions

    function _setOwner(Model storage m, address to) internal {
        m.owner = to;
        if (to == address(0)) m.deactivated = true;
    }

    /// @dev A new commitment (zero clears it) with seniority `since`; the same one changes nothing.
    function _setCommitment(Model storage m, bytes32 c, uint256 since) internal {
        if (c == m.commitment) return;
        m.commitment = c;
        if (c == bytes32(0)) {
            m.committedAt = 0;
        } else {
            m.committedAt = since;
            ++m.commitmentNonce;
        }
    }

    /// @dev `since`: the consumed commitment's for a rotation, now for a recovery.
    function _takeControl(Model storage m, address to, bytes32 next, uint256 since, bool purge) internal {
        if (purge) {
            ++m.epoch;
            m.purgedAt = block.number;
        }
        _setCommitment(m, to == address(0) ? bytes32(0) : next, since);
        _setOwner(m, to);
    }

    /// @dev `since`: now for a set installed at once, its proposal's time for an applied one.
    function _install(Model storage m, bytes32 root, uint256 threshold, uint256 delay, uint256 since) internal {
        (m.root, m.threshold, m.delay, m.since) = (root, threshold, delay, since);
        ++m.round;
    }

    function _dropPending(Model storage m) internal {
        (m.pendingRoot, m.pendingThreshold, m.pendingDelay, m.pendingAt, m.pendingSince) = (bytes32(0), 0, 0, 0, 0);
    }

    function _disarm(Model storage m) internal {
        (m.armed, m.armedAt) = (bytes32(0), 0);
        ++m.round;
    }

    /// @dev The commitment outranks the guardians at time `at` (a recovery's arming, or now).
    function _senior(Model storage m, uint256 at) internal view returns (bool) {
        return m.committedAt + m.delay <= at || m.committedAt < m.since;
    }

    /// @dev The tally an approval of `pid` now joins: a new one (nobody approved, starting now)
    /// when there is none yet or the current one's first approval is more than a delay old.
    function _tally(Model storage m, bytes32 pid) internal view returns (Tally memory t) {
        t = tallies[pid];
        if (t.count != 0 && block.timestamp > t.startedAt + m.delay) (t.generation, t.count) = (t.generation + 1, 0);
        if (t.count == 0) t.startedAt = block.timestamp;
    }

    function _storeDelegate(address id, Model storage m, address delegate, uint256 validTo) internal {
        stored[id][delegate] = Stored(m.epoch, validTo);
    }

    // ------------------------------------------------------------------ outcomes

    function _flag(uint256 kind, string memory what) internal {
        if (bytes(violations[kind]).length == 0) violations[kind] = what;
    }

    /// @dev Calls the registry (a pending prank applies) and compares with the prediction: empty
    /// `expected` means success, anything else is the exact revert data.
    function _outcome(bytes memory data, bytes memory expected) internal returns (bool ok) {
        bytes memory ret;
        (ok, ret) = address(registry).call(data);
        if (ok && expected.length != 0) _flag(OUTCOME, "accepted a call the model refuses");
        if (!ok && expected.length == 0) _flag(OUTCOME, "refused a call the model accepts");
        if (!ok && expected.length != 0 && keccak256(ret) != keccak256(expected)) _flag(OUTCOME, "reverted with another error");
        if (ok) ++successes[bytes4(data)];
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SigilRegistry} from "../../contracts/SigilRegistry.sol";
import {ISigilRegistry} from "../../contracts/ISigilRegistry.sol";
import {vm, boundKey, changeOwnerDigest} from "./SigilRegistry.t.sol";

/// @dev Drives the registry with random valid and invalid calls on three identities and five
/// keys, and keeps a model of what the registry must hold.
contract RegistryHandler {
    SigilRegistry public immutable registry;
    uint256[5] internal keys;
    address[5] public actors;

    struct Model {
        address owner;
        address committedKey; // zero: no commitment
        bool deactivated;
        uint256 typedNonce;
        uint256 lastChanged;
    }
    mapping(address => Model) internal model;
    /// @dev The first accepted call the model says must have been refused. A `require` here
    /// would only revert the handler call, which the invariant runner ignores.
    string public violation;

    function _expect(bool ok, string memory what) internal {
        if (!ok && bytes(violation).length == 0) violation = what;
    }

    constructor(SigilRegistry registry_) {
        registry = registry_;
        for (uint256 i = 0; i < 5; ++i) {
            keys[i] = boundKey(uint256(keccak256(abi.encode("sigil key", i))));
            actors[i] = vm.addr(keys[i]);
        }
        for (uint256 i = 0; i < 3; ++i) model[actors[i]].owner = actors[i];
    }

    function identity(uint256 i) public view returns (address) {
        return actors[i % 3];
    }

    function modelOf(address id) external view returns (Model memory) {
        return model[id];
    }

    function changeOwner(uint256 idSeed, uint256 actorSeed, uint256 toSeed) external {
        address id = identity(idSeed);
        address actor = actors[actorSeed % 5];
        address to = actors[toSeed % 5];
        vm.prank(actor);
        try registry.changeOwner(id, to) {
            Model storage m = model[id];
            _expect(!m.deactivated && actor == m.owner && m.committedKey == address(0), "changeOwner accepted an unauthorised call");
            m.owner = to;
            m.lastChanged = block.number;
        } catch {}
    }

    function commit(uint256 idSeed, uint256 actorSeed, uint256 keySeed) external {
        address id = identity(idSeed);
        address actor = actors[actorSeed % 5];
        address key = actors[keySeed % 5];
        bytes32 commitment = registry.commitmentOf(key);
        vm.prank(actor);
        try registry.commitNextOwner(id, commitment) {
            Model storage m = model[id];
            _expect(!m.deactivated && actor == m.owner && m.committedKey == address(0), "commit accepted an unauthorised call");
            m.committedKey = key;
        } catch {}
    }

    function rotate(uint256 idSeed, uint256 actorSeed, uint256 toSeed, uint256 nextSeed, bool purge) external {
        address id = identity(idSeed);
        address actor = actors[actorSeed % 5];
        address to = actors[toSeed % 5];
        address nextKey = nextSeed % 6 == 5 ? address(0) : actors[nextSeed % 6];
        bytes32 next = nextKey == address(0) ? bytes32(0) : registry.commitmentOf(nextKey);
        ISigilRegistry.DelegateRef[] memory noDelegates;
        ISigilRegistry.AttributeRef[] memory noAttributes;
        vm.prank(actor);
        try registry.rotate(id, to, next, purge, noDelegates, noAttributes) {
            Model storage m = model[id];
            _expect(!m.deactivated && m.committedKey == actor, "rotate accepted a key that was not committed");
            m.owner = to;
            m.committedKey = nextKey;
            m.lastChanged = block.number;
        } catch {}
    }

    function deactivate(uint256 idSeed, uint256 actorSeed) external {
        address id = identity(idSeed);
        address actor = actors[actorSeed % 5];
        vm.prank(actor);
        try registry.deactivate(id) {
            Model storage m = model[id];
            _expect(!m.deactivated && actor == m.owner && m.committedKey == address(0), "deactivate accepted an unauthorised call");
            m.deactivated = true;
            m.owner = address(0);
            m.lastChanged = block.number;
        } catch {}
    }

    function addDelegate(uint256 idSeed, uint256 actorSeed, uint256 delegateSeed) external {
        address id = identity(idSeed);
        address actor = actors[actorSeed % 5];
        vm.prank(actor);
        try registry.addDelegate(id, "veriKey", actors[delegateSeed % 5], 1 days) {
            Model storage m = model[id];
            _expect(!m.deactivated && actor == m.owner, "addDelegate accepted an unauthorised call");
            m.lastChanged = block.number;
        } catch {}
    }

    function typedChangeOwner(uint256 idSeed, uint256 signerSeed, uint256 toSeed) external {
        address id = identity(idSeed);
        uint256 signerIndex = signerSeed % 5;
        address to = actors[toSeed % 5];
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 digest = changeOwnerDigest(registry, id, to, registry.nonces(id), deadline);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[signerIndex], digest);
        try registry.changeOwnerWithSig(id, to, deadline, abi.encodePacked(r, s, v)) {
            Model storage m = model[id];
            _expect(
                !m.deactivated && actors[signerIndex] == m.owner && m.committedKey == address(0), "typed changeOwner accepted an unauthorised signature");
            m.owner = to;
            m.typedNonce += 1;
            m.lastChanged = block.number;
        } catch {}
    }
}

/// @title Invariants of the controller/commitment state machine and of the nonces
contract SigilRegistryInvariantTest {
    SigilRegistry internal registry;
    RegistryHandler internal handler;

    function setUp() public {
        registry = new SigilRegistry();
        handler = new RegistryHandler(registry);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function invariant_noUnauthorisedCallAccepted() public view {
        require(bytes(handler.violation()).length == 0, handler.violation());
    }

    function invariant_registryMatchesModel() public view {
        for (uint256 i = 0; i < 3; ++i) {
            address id = handler.identity(i);
            RegistryHandler.Model memory m = handler.modelOf(id);
            ISigilRegistry.IdentityState memory s = registry.identityState(id);
            require(registry.identityOwner(id) == m.owner, "owner differs from the model");
            require(s.deactivated == m.deactivated, "deactivation differs from the model");
            require(!m.deactivated || s.owner == address(0), "a deactivated identity has an owner");
            bytes32 expected = m.committedKey == address(0) ? bytes32(0) : registry.commitmentOf(m.committedKey);
            require(m.deactivated || s.nextOwnerCommitment == expected, "commitment differs from the model");
            require(s.nonce == m.typedNonce, "typed nonce is not the number of successful typed calls");
            require(s.changed == m.lastChanged && s.changed <= block.number, "changed is not the last change block");
        }
    }
}

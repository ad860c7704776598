// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Guardian recovery for Sigil identities: M-of-N guardians behind a salted Merkle root
/// @notice An identity names its guardians only by a Merkle root of salted leaves
/// `keccak256(bytes.concat(keccak256(abi.encode(guardian, salt))))` (OpenZeppelin's
/// StandardMerkleTree layout), so its list of trusted contacts is never published; a guardian
/// reveals itself only when it acts. When `threshold` guardians approve the same proposal, the
/// recovery is armed (approvals count within one delay of a proposal's first one); after
/// `delay` seconds anyone may finalise it. Priority: the next key
/// outranks the guardians if its commitment is senior (set at least `delay` before the recovery
/// was armed, or before the guardian set took effect); the guardians outrank the current key.
/// See docs/did-method-spec.md, section 6, for the threat model.
interface ISigilRecovery {
    /// @notice A guardian set that a rotation or a recovery puts in place in the same
    /// transaction: with `replace`, `root` (zero: no guardians), `threshold` and `delay`, under
    /// the same bounds as `setGuardians`; without it (all zero) the current set stays.
    struct GuardianUpdate {
        bool replace;
        bytes32 root;
        uint256 threshold;
        uint256 delay;
    }

    /// @notice What guardians propose: the controller and next-key commitment after recovery,
    /// whether everything published before is voided, and the guardian set after it (so that a
    /// recovery can drop a guardian who colluded or was compromised). `newOwner` zero
    /// deactivates (then `nextCommitment` must be zero).
    struct RecoveryProposal {
        address newOwner;
        bytes32 nextCommitment;
        bool purge;
        GuardianUpdate guardians;
    }

    /// @notice A guardian's proof of membership: its address, its leaf salt and a Merkle proof.
    struct GuardianProof {
        address guardian;
        bytes32 salt;
        bytes32[] proof;
    }

    /// @notice Everything about an identity's next key, guardians and recovery, for clients.
    struct RecoveryState {
        bytes32 nextOwnerCommitment; // zero when none
        uint256 committedAt; // when the commitment was set (0 if none)
        uint256 commitmentNonce; // commitments set so far; Rotate signatures bind it
        bytes32 guardianRoot; // zero when no guardians
        uint256 threshold;
        uint256 delay; // seconds
        uint256 guardiansSince; // when the current guardian set took effect
        bytes32 pendingRoot; // a proposed guardian set (valid when pendingEffectiveAt > 0)
        uint256 pendingThreshold;
        uint256 pendingDelay;
        uint256 pendingEffectiveAt; // 0 when no change is pending
        uint256 round; // proposals of earlier rounds are void
        bytes32 armedProposal; // zero when no recovery is armed
        uint256 armedAt;
        uint256 readyAt; // armedAt + delay, or 0
    }

    /// @notice The controller proposed a guardian set (root zero: none) effective at `effectiveAt`.
    event DIDGuardiansProposed(
        address indexed identity,
        bytes32 root,
        uint256 threshold,
        uint256 delay,
        uint256 effectiveAt,
        uint256 previousChange
    );
    /// @notice The guardian set of `identity` is now `root` (zero: none); earlier proposals are void.
    event DIDGuardiansChanged(
        address indexed identity,
        bytes32 root,
        uint256 threshold,
        uint256 delay,
        uint256 previousChange
    );
    /// @notice A pending guardian change was dropped (by a rotation or a recovery).
    event DIDGuardianChangeCancelled(address indexed identity, uint256 previousChange);
    /// @notice A guardian proposed `recovery` (its first approval follows in the same call); also
    /// when a proposal whose approvals expired (one delay after its first) starts over.
    event DIDRecoveryProposed(
        address indexed identity,
        bytes32 indexed proposal,
        RecoveryProposal recovery,
        uint256 round,
        uint256 previousChange
    );
    /// @notice `guardian` approved recovery `proposal`; `readyAt` is non-zero once the threshold is
    /// reached (the recovery is armed and may be finalised from then on).
    event DIDRecoveryApproved(
        address indexed identity,
        bytes32 indexed proposal,
        address guardian,
        uint256 approvals,
        uint256 readyAt,
        uint256 previousChange
    );
    /// @notice A senior next key cancelled the armed recovery `proposal`.
    event DIDRecoveryCancelled(address indexed identity, bytes32 indexed proposal, uint256 previousChange);
    /// @notice Recovery `proposal` was finalised: controller, commitment and epoch as given.
    event DIDRecovered(
        address indexed identity,
        bytes32 indexed proposal,
        address newOwner,
        bytes32 nextCommitment,
        bool purged,
        uint256 epoch
    );

    /// @notice The identity has no guardians (or the action needs them).
    error SigilNoGuardians(address identity);
    /// @notice `guardian` with that salt and proof is not in the identity's guardian set.
    error SigilNotGuardian(address identity, address guardian);
    /// @notice A guardian set must have 1-255 approvals required and a delay within bounds; no
    /// guardians means a zero root, threshold and delay.
    error SigilInvalidGuardianPolicy(uint256 threshold, uint256 delay);
    /// @notice No guardian change is pending.
    error SigilNoGuardianChange(address identity);
    /// @notice The pending guardian change takes effect at `effectiveAt`.
    error SigilGuardianChangeNotReady(address identity, uint256 effectiveAt);
    /// @notice A recovery is armed: it must be finalised or cancelled by a senior next key first.
    error SigilRecoveryPending(address identity, uint256 readyAt);
    /// @notice No recovery is armed (or the proposal given is not the armed one).
    error SigilNoRecoveryPending(address identity);
    /// @notice The armed recovery may be finalised from `readyAt`.
    error SigilRecoveryNotReady(address identity, uint256 readyAt);
    /// @notice `guardian` already approved this proposal.
    error SigilAlreadyApproved(address identity, address guardian);
    /// @notice `guardian` has used its approvals of this round (`MAX_APPROVALS_PER_ROUND`): one
    /// guardian cannot flood an identity's history with proposals.
    error SigilApprovalLimit(address identity, address guardian);
    /// @notice The identity's own key or its current controller cannot act as its guardian: whoever
    /// holds (or stole) that key would otherwise approve a recovery alone.
    error SigilGuardianIsController(address identity, address guardian);
    /// @notice This signed approval of `guardian` was already counted once: a new approval needs a
    /// new signature (approvals count within one delay of a proposal's first).
    error SigilSignatureUsed(address identity, address guardian);
    /// @notice A recovery that deactivates (`newOwner` zero) cannot commit to a next key.
    error SigilInvalidRecovery();
    /// @notice The next key's commitment is younger than the armed recovery allows: it cannot veto.
    error SigilCommitmentNotSenior(address identity, uint256 committedAt);
    /// @notice With guardians set, the current key alone cannot deactivate: the guardians (a
    /// recovery to the zero address) or the next key (a rotation to it) can.
    error SigilGuardedDeactivation(address identity);

    /// @notice Next key, guardian and recovery state of `identity`.
    function recoveryState(address identity) external view returns (RecoveryState memory);

    /// @notice The id guardians approve: `keccak256(abi.encode(identity, round, recovery))`.
    function recoveryProposalId(address identity, RecoveryProposal calldata recovery) external view returns (bytes32);

    /// @notice Sets the guardian set by its Merkle `root` (zero: none), `threshold` and `delay`.
    /// The controller's call, refused (SigilNextOwnerCommitted) while a next-key commitment
    /// exists: then only the next key (in a rotation, `Rotation.guardians`) or a recovery changes
    /// guardians, so a thief holding the current key cannot create an authority that outranks
    /// or out-waits the next key. Immediate for an identity without guardians; otherwise pending
    /// for the current delay, vetoed by a rotation or an armed recovery.
    function setGuardians(address identity, bytes32 root, uint256 threshold, uint256 delay) external;

    /// @notice `setGuardians` authorised by an EIP-712 signature of the controller.
    function setGuardiansWithSig(
        address identity,
        bytes32 root,
        uint256 threshold,
        uint256 delay,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice Makes a pending guardian change effective once its time has come; anyone may call.
    function applyGuardians(address identity) external;

    /// @notice A guardian (the caller) approves `recovery`; the first approval proposes it.
    function approveRecovery(address identity, RecoveryProposal calldata recovery, GuardianProof calldata proof) external;

    /// @notice `approveRecovery` authorised by an EIP-712 signature of `proof.guardian` (EOA or EIP-1271).
    function approveRecoveryWithSig(
        address identity,
        RecoveryProposal calldata recovery,
        GuardianProof calldata proof,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice The next key (the caller, revealed by `salt`) cancels the armed recovery; only a
    /// senior commitment may.
    function cancelRecovery(address identity, bytes32 salt) external;

    /// @notice `cancelRecovery` authorised by an EIP-712 signature of `nextOwnerKey`.
    function cancelRecoveryWithSig(
        address identity,
        address nextOwnerKey,
        bytes32 salt,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice Performs the armed recovery once its delay has passed; anyone may call. Installs
    /// the proposal's guardian update, if any, at once.
    function finalizeRecovery(address identity, RecoveryProposal calldata recovery) external;
}

// Every registry operation as plain data, with its EIP-712 typed-data layout (the same type
// strings as contracts/SigilTypedData.sol) and its contract call, direct or relayed.
// Pure: no I/O, so an app can build, show and sign operations offline.
import { keccak256, encodeAbiParameters, stringToHex, zeroHash, type Address, type Hex } from "viem";
import { InvalidInputError, SigilError } from "../errors.ts";

export type DelegateRef = { delegateType: Hex; delegate: Address };
export type AttributeRef = { name: Hex; value: Hex };
/** A guardian's proof of membership in an identity's salted Merkle tree (see guardians.ts). */
export type GuardianProof = { guardian: Address; salt: Hex; proof: readonly Hex[] };
/**
 * A guardian set that a rotation or a recovery puts in place in the same transaction: with
 * `replace`, `root` (zero: no guardians), `threshold` and `delay`; without it the set stays
 * (all other fields zero: see `KEEP_GUARDIANS`).
 */
export type GuardianUpdate = { replace: boolean; root: Hex; threshold: bigint; delay: bigint };
/** The guardian update that keeps the current set. */
export const KEEP_GUARDIANS: GuardianUpdate = Object.freeze({ replace: false, root: zeroHash, threshold: 0n, delay: 0n });
/** The guardian update that removes the guardians. */
export const REMOVE_GUARDIANS: GuardianUpdate = Object.freeze({ replace: true, root: zeroHash, threshold: 0n, delay: 0n });
/** What guardians propose: the controller and commitment after recovery, whether to purge, and
 * the guardian set after it (default: keep). */
export type RecoveryProposal = { newOwner: Address; nextCommitment: Hex; purge: boolean; guardians?: GuardianUpdate };

/** Who must authorise each operation: the controller (nonce-bound signatures), the next key,
 * a guardian, or nobody (anyone may send it once its time has come). */
export type Authoriser = "controller" | "nextKey" | "guardian" | "anyone";

export type Operation =
  | { type: "changeOwner"; identity: Address; newOwner: Address }
  | { type: "addDelegate"; identity: Address; delegateType: Hex; delegate: Address; validity: bigint }
  | { type: "revokeDelegate"; identity: Address; delegateType: Hex; delegate: Address }
  | { type: "setAttribute"; identity: Address; name: Hex; value: Hex; validity: bigint }
  | { type: "revokeAttribute"; identity: Address; name: Hex; value: Hex }
  | { type: "revokeEntries"; identity: Address; revokeDelegates: readonly DelegateRef[]; revokeAttributes: readonly AttributeRef[] }
  | { type: "commitNextOwner"; identity: Address; commitment: Hex }
  | {
      type: "rotate";
      identity: Address;
      /** The salt that, with the next key, hashes to the commitment being consumed. */
      salt: Hex;
      newOwner: Address;
      nextCommitment: Hex;
      purge: boolean;
      /** The guardian set after the rotation (default: keep). At once when the consumed
       * commitment is senior to the current set, otherwise proposed for the set's delay. */
      guardians?: GuardianUpdate;
      revokeDelegates: readonly DelegateRef[];
      revokeAttributes: readonly AttributeRef[];
    }
  | { type: "deactivate"; identity: Address }
  | { type: "setGuardians"; identity: Address; root: Hex; threshold: bigint; delay: bigint }
  | { type: "applyGuardians"; identity: Address }
  | { type: "approveRecovery"; identity: Address; recovery: RecoveryProposal; proof: GuardianProof }
  | { type: "cancelRecovery"; identity: Address; salt: Hex }
  | { type: "finalizeRecovery"; identity: Address; recovery: RecoveryProposal };

export type OperationType = Operation["type"];

export const AUTHORISER: Record<OperationType, Authoriser> = {
  changeOwner: "controller",
  addDelegate: "controller",
  revokeDelegate: "controller",
  setAttribute: "controller",
  revokeAttribute: "controller",
  revokeEntries: "controller",
  commitNextOwner: "controller",
  deactivate: "controller",
  setGuardians: "controller",
  rotate: "nextKey",
  cancelRecovery: "nextKey",
  approveRecovery: "guardian",
  applyGuardians: "anyone",
  finalizeRecovery: "anyone",
};

/** bytes32 of a short ASCII/UTF-8 name, right-padded (`"veriKey"`, `"did/svc/Messaging"`). */
export function bytes32Name(name: string): Hex {
  const hex = stringToHex(name);
  if (hex.length > 66) throw new InvalidInputError({ what: "name", value: name, expected: "at most 32 bytes of UTF-8" });
  return hex.padEnd(66, "0") as Hex;
}

/** The commitment to a next owner key with its secret salt, as the contract computes it. */
export function commitmentOf(nextOwnerKey: Address, salt: Hex): Hex {
  return keccak256(encodeAbiParameters([{ type: "address" }, { type: "bytes32" }], [nextOwnerKey, salt]));
}

export const sigilDomain = (chainId: number, registry: Address) =>
  ({ name: "SigilRegistry", version: "2.1", chainId, verifyingContract: registry }) as const;

const tail = [
  { name: "nonce", type: "uint256" },
  { name: "deadline", type: "uint256" },
] as const;
const refs = [
  { name: "revokeDelegates", type: "DelegateRef[]" },
  { name: "revokeAttributes", type: "AttributeRef[]" },
] as const;

export const sigilTypes = {
  ChangeOwner: [{ name: "identity", type: "address" }, { name: "newOwner", type: "address" }, ...tail],
  AddDelegate: [
    { name: "identity", type: "address" },
    { name: "delegateType", type: "bytes32" },
    { name: "delegate", type: "address" },
    { name: "validity", type: "uint256" },
    ...tail,
  ],
  RevokeDelegate: [
    { name: "identity", type: "address" },
    { name: "delegateType", type: "bytes32" },
    { name: "delegate", type: "address" },
    ...tail,
  ],
  SetAttribute: [
    { name: "identity", type: "address" },
    { name: "name", type: "bytes32" },
    { name: "value", type: "bytes" },
    { name: "validity", type: "uint256" },
    ...tail,
  ],
  RevokeAttribute: [{ name: "identity", type: "address" }, { name: "name", type: "bytes32" }, { name: "value", type: "bytes" }, ...tail],
  RevokeEntries: [{ name: "identity", type: "address" }, ...refs, ...tail],
  CommitNextOwner: [{ name: "identity", type: "address" }, { name: "commitment", type: "bytes32" }, ...tail],
  Deactivate: [{ name: "identity", type: "address" }, ...tail],
  SetGuardians: [
    { name: "identity", type: "address" },
    { name: "root", type: "bytes32" },
    { name: "threshold", type: "uint256" },
    { name: "delay", type: "uint256" },
    ...tail,
  ],
  Rotate: [
    { name: "identity", type: "address" },
    { name: "commitment", type: "bytes32" },
    { name: "commitmentNonce", type: "uint256" },
    { name: "newOwner", type: "address" },
    { name: "nextCommitment", type: "bytes32" },
    { name: "purge", type: "bool" },
    { name: "guardians", type: "GuardianUpdate" },
    ...refs,
    { name: "deadline", type: "uint256" },
  ],
  ApproveRecovery: [
    { name: "identity", type: "address" },
    { name: "round", type: "uint256" },
    { name: "newOwner", type: "address" },
    { name: "nextCommitment", type: "bytes32" },
    { name: "purge", type: "bool" },
    { name: "guardians", type: "GuardianUpdate" },
    { name: "deadline", type: "uint256" },
  ],
  CancelRecovery: [
    { name: "identity", type: "address" },
    { name: "commitment", type: "bytes32" },
    { name: "round", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
  DelegateRef: [
    { name: "delegateType", type: "bytes32" },
    { name: "delegate", type: "address" },
  ],
  AttributeRef: [
    { name: "name", type: "bytes32" },
    { name: "value", type: "bytes" },
  ],
  GuardianUpdate: [
    { name: "replace", type: "bool" },
    { name: "root", type: "bytes32" },
    { name: "threshold", type: "uint256" },
    { name: "delay", type: "uint256" },
  ],
} as const;

/** Operations that can be signed (EIP-712) and their primary types. */
const primaryTypes = {
  changeOwner: "ChangeOwner",
  addDelegate: "AddDelegate",
  revokeDelegate: "RevokeDelegate",
  setAttribute: "SetAttribute",
  revokeAttribute: "RevokeAttribute",
  revokeEntries: "RevokeEntries",
  commitNextOwner: "CommitNextOwner",
  deactivate: "Deactivate",
  setGuardians: "SetGuardians",
  rotate: "Rotate",
  approveRecovery: "ApproveRecovery",
  cancelRecovery: "CancelRecovery",
} as const satisfies Partial<Record<OperationType, keyof typeof sigilTypes>>;

export type SignableOperation = Extract<Operation, { type: keyof typeof primaryTypes }>;

export function isSignable(op: Operation): op is SignableOperation {
  return op.type in primaryTypes;
}

/**
 * What a signature binds besides the operation: the controller's operations consume the
 * identity's `nonce`; the next key's bind the `commitment` they consume and its
 * `commitmentNonce` (rotate) or the recovery `round` (cancel); a guardian's bind the `round`.
 * None of the latter can be changed by the current key, so it cannot void them.
 */
export interface SigningContext {
  chainId: number;
  registry: Address;
  deadline: bigint;
  nonce?: bigint;
  commitment?: Hex;
  commitmentNonce?: bigint;
  round?: bigint;
}

function need<T>(value: T | undefined, what: string, op: string): T {
  if (value === undefined) throw new SigilError("invalidInput", `signing ${op} needs the ${what}`);
  return value;
}

/** The EIP-712 typed data a signer signs for `op` (viem's signTypedData parameters). */
export function operationTypedData(op: SignableOperation, p: SigningContext) {
  const primaryType = primaryTypes[op.type];
  const types: Record<string, readonly { name: string; type: string }[]> = { [primaryType]: sigilTypes[primaryType] };
  if (op.type === "rotate" || op.type === "revokeEntries") {
    types.DelegateRef = sigilTypes.DelegateRef;
    types.AttributeRef = sigilTypes.AttributeRef;
  }
  if (op.type === "rotate" || op.type === "approveRecovery") types.GuardianUpdate = sigilTypes.GuardianUpdate;
  let message: Record<string, unknown>;
  switch (op.type) {
    case "rotate": {
      const { type: _t, salt: _s, ...rest } = op;
      message = {
        ...rest,
        guardians: op.guardians ?? KEEP_GUARDIANS,
        commitment: need(p.commitment, "commitment it consumes", op.type),
        commitmentNonce: need(p.commitmentNonce, "commitment nonce", op.type),
        deadline: p.deadline,
      };
      break;
    }
    case "approveRecovery":
      message = { identity: op.identity, round: need(p.round, "recovery round", op.type), ...proposal(op.recovery), deadline: p.deadline };
      break;
    case "cancelRecovery":
      message = {
        identity: op.identity,
        commitment: need(p.commitment, "commitment", op.type),
        round: need(p.round, "recovery round", op.type),
        deadline: p.deadline,
      };
      break;
    default: {
      const { type: _t, ...fields } = op;
      message = { ...fields, nonce: need(p.nonce, "identity's nonce", op.type), deadline: p.deadline };
    }
  }
  return { domain: sigilDomain(p.chainId, p.registry), types, primaryType, message } as const;
}

export interface ContractCall {
  functionName: string;
  args: readonly unknown[];
}

const rotation = (op: Extract<Operation, { type: "rotate" }>) => ({
  newOwner: op.newOwner,
  nextCommitment: op.nextCommitment,
  purge: op.purge,
  guardians: op.guardians ?? KEEP_GUARDIANS,
  revokeDelegates: op.revokeDelegates,
  revokeAttributes: op.revokeAttributes,
});

/** A recovery proposal as the contract takes it (the guardian update spelled out). */
export const proposal = (r: RecoveryProposal) => ({
  newOwner: r.newOwner,
  nextCommitment: r.nextCommitment,
  purge: r.purge,
  guardians: r.guardians ?? KEEP_GUARDIANS,
});

/** The registry function and arguments that perform `op` directly (sender = its authoriser). */
export function directCall(op: Operation): ContractCall {
  switch (op.type) {
    case "changeOwner":
      return { functionName: "changeOwner", args: [op.identity, op.newOwner] };
    case "addDelegate":
      return { functionName: "addDelegate", args: [op.identity, op.delegateType, op.delegate, op.validity] };
    case "revokeDelegate":
      return { functionName: "revokeDelegate", args: [op.identity, op.delegateType, op.delegate] };
    case "setAttribute":
      return { functionName: "setAttribute", args: [op.identity, op.name, op.value, op.validity] };
    case "revokeAttribute":
      return { functionName: "revokeAttribute", args: [op.identity, op.name, op.value] };
    case "revokeEntries":
      return { functionName: "revokeEntries", args: [op.identity, op.revokeDelegates, op.revokeAttributes] };
    case "commitNextOwner":
      return { functionName: "commitNextOwner", args: [op.identity, op.commitment] };
    case "rotate":
      return { functionName: "rotate", args: [op.identity, op.salt, rotation(op)] };
    case "deactivate":
      return { functionName: "deactivate", args: [op.identity] };
    case "setGuardians":
      return { functionName: "setGuardians", args: [op.identity, op.root, op.threshold, op.delay] };
    case "applyGuardians":
      return { functionName: "applyGuardians", args: [op.identity] };
    case "approveRecovery":
      return { functionName: "approveRecovery", args: [op.identity, proposal(op.recovery), op.proof] };
    case "cancelRecovery":
      return { functionName: "cancelRecovery", args: [op.identity, op.salt] };
    case "finalizeRecovery":
      return { functionName: "finalizeRecovery", args: [op.identity, proposal(op.recovery)] };
  }
}

/** The registry function and arguments that relay `op` signed by `signer` (EIP-712). */
export function relayedCall(op: SignableOperation, p: { signer: Address; deadline: bigint; signature: Hex }): ContractCall {
  const { signer, deadline, signature } = p;
  switch (op.type) {
    case "rotate":
      return { functionName: "rotateWithSig", args: [op.identity, signer, op.salt, rotation(op), deadline, signature] };
    case "cancelRecovery":
      return { functionName: "cancelRecoveryWithSig", args: [op.identity, signer, op.salt, deadline, signature] };
    case "approveRecovery":
      if (op.proof.guardian.toLowerCase() !== signer.toLowerCase()) {
        throw new SigilError("invalidInput", `the approval was signed by ${signer}, but its proof is for guardian ${op.proof.guardian}`);
      }
      return { functionName: "approveRecoveryWithSig", args: [op.identity, proposal(op.recovery), op.proof, deadline, signature] };
    default: {
      const { functionName, args } = directCall(op);
      return { functionName: `${functionName}WithSig`, args: [...args, deadline, signature] };
    }
  }
}

// Every registry operation as plain data, with its EIP-712 typed-data layout (the same type
// strings as contracts/SigilTypedData.sol) and its contract call, direct or relayed.
// Pure: no I/O, so an app can build, show and sign operations offline.
import { keccak256, encodeAbiParameters, stringToHex, type Address, type Hex } from "viem";

export type DelegateRef = { delegateType: Hex; delegate: Address };
export type AttributeRef = { name: Hex; value: Hex };

export type Operation =
  | { type: "changeOwner"; identity: Address; newOwner: Address }
  | { type: "addDelegate"; identity: Address; delegateType: Hex; delegate: Address; validity: bigint }
  | { type: "revokeDelegate"; identity: Address; delegateType: Hex; delegate: Address }
  | { type: "setAttribute"; identity: Address; name: Hex; value: Hex; validity: bigint }
  | { type: "revokeAttribute"; identity: Address; name: Hex; value: Hex }
  | { type: "commitNextOwner"; identity: Address; commitment: Hex }
  | {
      type: "rotate";
      identity: Address;
      newOwner: Address;
      nextCommitment: Hex;
      purge: boolean;
      revokeDelegates: readonly DelegateRef[];
      revokeAttributes: readonly AttributeRef[];
    }
  | { type: "deactivate"; identity: Address };

/** bytes32 of a short ASCII/UTF-8 name, right-padded (`"veriKey"`, `"did/svc/Messaging"`). */
export function bytes32Name(name: string): Hex {
  const hex = stringToHex(name);
  if (hex.length > 66) throw new Error(`name "${name}" is longer than 32 bytes`);
  return hex.padEnd(66, "0") as Hex;
}

/** The commitment to a next owner key, as the contract computes it. */
export function commitmentOf(nextOwnerKey: Address): Hex {
  return keccak256(encodeAbiParameters([{ type: "address" }], [nextOwnerKey]));
}

export const sigilDomain = (chainId: number, registry: Address) =>
  ({ name: "SigilRegistry", version: "1", chainId, verifyingContract: registry }) as const;

const tail = [
  { name: "nonce", type: "uint256" },
  { name: "deadline", type: "uint256" },
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
  RevokeAttribute: [
    { name: "identity", type: "address" },
    { name: "name", type: "bytes32" },
    { name: "value", type: "bytes" },
    ...tail,
  ],
  CommitNextOwner: [{ name: "identity", type: "address" }, { name: "commitment", type: "bytes32" }, ...tail],
  Deactivate: [{ name: "identity", type: "address" }, ...tail],
  Rotate: [
    { name: "identity", type: "address" },
    { name: "newOwner", type: "address" },
    { name: "nextCommitment", type: "bytes32" },
    { name: "purge", type: "bool" },
    { name: "revokeDelegates", type: "DelegateRef[]" },
    { name: "revokeAttributes", type: "AttributeRef[]" },
    ...tail,
  ],
  DelegateRef: [
    { name: "delegateType", type: "bytes32" },
    { name: "delegate", type: "address" },
  ],
  AttributeRef: [
    { name: "name", type: "bytes32" },
    { name: "value", type: "bytes" },
  ],
} as const;

const primaryTypes = {
  changeOwner: "ChangeOwner",
  addDelegate: "AddDelegate",
  revokeDelegate: "RevokeDelegate",
  setAttribute: "SetAttribute",
  revokeAttribute: "RevokeAttribute",
  commitNextOwner: "CommitNextOwner",
  rotate: "Rotate",
  deactivate: "Deactivate",
} as const satisfies Record<Operation["type"], keyof typeof sigilTypes>;

/** The EIP-712 typed data a signer signs for `op` (viem's signTypedData parameters). */
export function operationTypedData(op: Operation, p: { chainId: number; registry: Address; nonce: bigint; deadline: bigint }) {
  const { type, ...fields } = op;
  const primaryType = primaryTypes[type];
  const types: Record<string, readonly { name: string; type: string }[]> = { [primaryType]: sigilTypes[primaryType] };
  if (type === "rotate") {
    types.DelegateRef = sigilTypes.DelegateRef;
    types.AttributeRef = sigilTypes.AttributeRef;
  }
  return {
    domain: sigilDomain(p.chainId, p.registry),
    types,
    primaryType,
    message: { ...fields, nonce: p.nonce, deadline: p.deadline },
  } as const;
}

/** The registry function and arguments that perform `op` directly (sender = controller). */
export function directCall(op: Operation): { functionName: string; args: readonly unknown[] } {
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
    case "commitNextOwner":
      return { functionName: "commitNextOwner", args: [op.identity, op.commitment] };
    case "rotate":
      return {
        functionName: "rotate",
        args: [op.identity, op.newOwner, op.nextCommitment, op.purge, op.revokeDelegates, op.revokeAttributes],
      };
    case "deactivate":
      return { functionName: "deactivate", args: [op.identity] };
  }
}

/** The registry function and arguments that relay `op` signed by `signer` (EIP-712). */
export function relayedCall(
  op: Operation,
  p: { signer: Address; deadline: bigint; signature: Hex },
): { functionName: string; args: readonly unknown[] } {
  const { deadline, signature } = p;
  if (op.type === "rotate") {
    return {
      functionName: "rotateWithSig",
      args: [
        op.identity,
        p.signer,
        op.newOwner,
        op.nextCommitment,
        op.purge,
        op.revokeDelegates,
        op.revokeAttributes,
        deadline,
        signature,
      ],
    };
  }
  const { functionName, args } = directCall(op);
  return { functionName: `${functionName}WithSig`, args: [...args, deadline, signature] };
}

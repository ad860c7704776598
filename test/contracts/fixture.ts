// A fresh chain with SigilRegistry deployed, and the helpers the contract tests share: ERC-1056's
// legacy signed-call hash, EIP-712 typed data for every operation, salted next-key commitments,
// rotations and guardian sets (salted Merkle trees, as sdk/guardians.ts builds them).
import { network } from "hardhat";
import type { BaseWallet, Signer } from "ethers";
import type { Address } from "viem";
import type { SigilRegistry } from "../../types/ethers-contracts/index.ts";
import type { ISigilRegistry } from "../../types/ethers-contracts/SigilRegistry.ts";
import { sigilTypes } from "sigil-did";
import { buildGuardianSet, type GuardianSet } from "sigil-did";

export const DAY = 86_400n;
export const HOUR = 3_600n;

export type Rotation = ISigilRegistry.RotationStruct;
export type GuardianUpdate = { replace: boolean; root: string; threshold: bigint; delay: bigint };
export type Proposal = { newOwner: string; nextCommitment: string; purge: boolean; guardians: GuardianUpdate };
/** The guardian update that keeps the set (what every rotation and recovery did before 2.1). */
export const KEEP: GuardianUpdate = { replace: false, root: `0x${"0".repeat(64)}`, threshold: 0n, delay: 0n };

/** A fresh in-process chain with SigilRegistry deployed, and funded random wallets on it. */
async function deployChain() {
  const connection = await network.create();
  const { ethers, networkHelpers } = connection;
  const signers = await ethers.getSigners();
  const registry = (await ethers.deployContract("SigilRegistry")) as unknown as SigilRegistry;
  const address = await registry.getAddress();
  const { chainId } = await ethers.provider.getNetwork();
  const b32 = (s: string) => ethers.encodeBytes32String(s);
  const typeHash = (s: string) => ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["bytes32"], [b32(s)]));
  const now = async () => BigInt((await ethers.provider.getBlock("latest"))!.timestamp);

  /** A random funded wallet (legacy signatures need a raw signing key). */
  async function wallet(): Promise<BaseWallet> {
    const w = ethers.Wallet.createRandom().connect(ethers.provider);
    await (await signers[0].sendTransaction({ to: w.address, value: ethers.parseEther("10") })).wait();
    return w as unknown as BaseWallet;
  }

  /** Block time of a mined transaction. */
  async function timeOf(tx: { wait(): Promise<{ blockNumber: number } | null> }) {
    const r = (await tx.wait())!;
    return BigInt((await ethers.provider.getBlock(r.blockNumber))!.timestamp);
  }

  return { connection, ethers, networkHelpers, signers, registry, address, chainId, b32, typeHash, now, wallet, timeOf };
}
type Chain = Awaited<ReturnType<typeof deployChain>>;

/** ERC-1056's legacy signed calls and SigilRegistry's EIP-712 ones, on `chain`'s registry. */
function signatures({ ethers, registry, address, chainId, now }: Chain) {
  /** ERC-1056's signed-call digest: keccak256(0x19 0x00 registry nonce identity op args...). */
  async function legacyHash(identity: string, op: string, types: string[], values: unknown[]) {
    const owner = await registry.identityOwner(identity);
    const nonce = await registry.nonce(owner);
    return ethers.solidityPackedKeccak256(
      ["bytes1", "bytes1", "address", "uint256", "address", "string", ...types],
      ["0x19", "0x00", address, nonce, identity, op, ...values],
    );
  }

  function legacySign(w: BaseWallet, hash: string) {
    const sig = w.signingKey.sign(hash);
    return { v: sig.v, r: sig.r, s: sig.s };
  }

  /**
   * EIP-712 signature of `primaryType` by `signer`. The controller's types get the identity's
   * next nonce unless overridden; Rotate, ApproveRecovery and CancelRecovery carry no nonce
   * (the message must hold the commitment, commitment nonce or round they bind).
   */
  async function typedSign(
    signer: Signer,
    primaryType: keyof typeof sigilTypes,
    message: Record<string, unknown>,
    overrides: { chainId?: bigint; verifyingContract?: string; nonce?: bigint; deadline?: bigint } = {},
  ) {
    const deadline = overrides.deadline ?? (await now()) + 3600n;
    const fields = sigilTypes[primaryType] as readonly { name: string; type: string }[];
    const withNonce = fields.some((f) => f.name === "nonce");
    const nonce = withNonce ? (overrides.nonce ?? (await registry.nonces(message.identity as string))) : undefined;
    const types: Record<string, { name: string; type: string }[]> = { [primaryType]: [...fields] };
    if (fields.some((f) => f.type === "DelegateRef[]")) {
      types.DelegateRef = [...sigilTypes.DelegateRef];
      types.AttributeRef = [...sigilTypes.AttributeRef];
    }
    if (fields.some((f) => f.type === "GuardianUpdate")) types.GuardianUpdate = [...sigilTypes.GuardianUpdate];
    const domain = {
      name: "SigilRegistry",
      version: "2.1",
      chainId: overrides.chainId ?? chainId,
      verifyingContract: overrides.verifyingContract ?? address,
    };
    const signature = await signer.signTypedData(domain, types, { ...message, ...(withNonce ? { nonce } : {}), deadline });
    return { signature, deadline };
  }

  /** The next key's EIP-712 Rotate signature, binding the commitment and commitment nonce now on chain. */
  async function signRotate(
    key: Signer,
    identity: string,
    rot: Rotation,
    overrides: { chainId?: bigint; verifyingContract?: string; deadline?: bigint; commitment?: string; commitmentNonce?: bigint } = {},
  ) {
    const state = await registry.recoveryState(identity);
    return typedSign(
      key,
      "Rotate",
      {
        identity,
        commitment: overrides.commitment ?? state.nextOwnerCommitment,
        commitmentNonce: overrides.commitmentNonce ?? state.commitmentNonce,
        ...rot,
      },
      overrides,
    );
  }

  return { legacyHash, legacySign, typedSign, signRotate };
}

/** Salted next-key commitments, and the rotations and recovery proposals that carry them. */
function commitments({ ethers }: Chain) {
  const coder = ethers.AbiCoder.defaultAbiCoder();
  /** A deterministic 32-byte salt for a label (tests are reproducible). */
  const salt = (label: string) => ethers.id(`sigil test salt: ${label}`);
  /** keccak256(abi.encode(key, salt)), as the contract's commitmentOf. */
  const commitmentOf = (key: string, s: string) => ethers.keccak256(coder.encode(["address", "bytes32"], [key, s]));

  /** A next key and its commitment: `{ key, salt, commitment }`. */
  function nextKey(key: { address: string }, label = key.address) {
    const s = salt(label);
    return { key: key.address, salt: s, commitment: commitmentOf(key.address, s) };
  }

  function rotation(
    newOwner: string,
    nextCommitment: string = ethers.ZeroHash,
    purge = false,
    revokeDelegates: Rotation["revokeDelegates"] = [],
    revokeAttributes: Rotation["revokeAttributes"] = [],
    guardians: GuardianUpdate = KEEP,
  ): Rotation {
    return { newOwner, nextCommitment, purge, guardians, revokeDelegates, revokeAttributes };
  }

  const proposal = (
    newOwner: string,
    nextCommitment: string = ethers.ZeroHash,
    purge = false,
    guardians: GuardianUpdate = KEEP,
  ): Proposal => ({
    newOwner,
    nextCommitment,
    purge,
    guardians,
  });

  return { salt, commitmentOf, nextKey, rotation, proposal };
}

/** A salted guardian tree for `identity` (the SDK's), with each card's proof as the contract takes it. */
function guardianSet(identity: string, guardians: string[], threshold: number, delay = DAY) {
  const set: GuardianSet = buildGuardianSet({ identity: identity as Address, guardians, threshold, delay });
  const proofs = set.cards.map((c) => ({ guardian: c.guardian as string, salt: c.salt as string, proof: [...c.proof] as string[] }));
  return { root: set.root as string, threshold: BigInt(threshold), delay, proofs };
}
type Guardians = ReturnType<typeof guardianSet>;

/** Guardian calls on `chain`'s registry. */
function guardianCalls({ registry }: Chain) {
  /** Installs or proposes `g` as the guardians of `identity`, from its controller. */
  const setGuardians = (controller: Signer, identity: string, g: Guardians) =>
    registry.connect(controller).setGuardians(identity, g.root, g.threshold, g.delay);

  /** Guardian `i` of `g` (sent by `guardian`) approves `proposal`. */
  const approve = (guardian: Signer, identity: string, proposal: Proposal, g: Guardians, i: number) =>
    registry.connect(guardian).approveRecovery(identity, proposal, g.proofs[i]);

  return { guardianSet, setGuardians, approve };
}

export async function deployFixture() {
  const chain = await deployChain();
  return { ...chain, ...signatures(chain), ...commitments(chain), ...guardianCalls(chain) };
}

export type Fixture = Awaited<ReturnType<typeof deployFixture>>;

/** An identity guarded by `guardians` (2 of them needed, after `delay`), with a next key, committed to or not. */
export async function guardedIdentity(f: Fixture, guardians: { address: string }[], commit = false, delay = DAY) {
  const owner = await f.wallet();
  const id = owner.address;
  const g = f.guardianSet(
    id,
    guardians.map((s) => s.address),
    2,
    delay,
  );
  await f.setGuardians(owner, id, g);
  const next = await f.wallet();
  const n = f.nextKey(next);
  if (commit) await f.registry.connect(owner).commitNextOwner(id, n.commitment);
  return { owner, id, g, next, n };
}

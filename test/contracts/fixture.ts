// A fresh chain with SigilRegistry deployed, and the signing helpers the contract tests share:
// ERC-1056's legacy signed-call hash and EIP-712 typed data for every operation.
import { network } from "hardhat";
import type { BaseWallet, Signer } from "ethers";
import type { SigilRegistry } from "../../types/ethers-contracts/index.ts";
import { sigilTypes } from "../../sdk/operations.ts";

export const DAY = 86_400n;

export async function deployFixture() {
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
    const domain = {
      name: "SigilRegistry",
      version: "2",
      chainId: overrides.chainId ?? chainId,
      verifyingContract: overrides.verifyingContract ?? address,
    };
    const signature = await signer.signTypedData(domain, types, { ...message, ...(withNonce ? { nonce } : {}), deadline });
    return { signature, deadline };
  }

  return { connection, ethers, networkHelpers, signers, registry, address, chainId, b32, typeHash, now, wallet, legacyHash, legacySign, typedSign };
}

export type Fixture = Awaited<ReturnType<typeof deployFixture>>;

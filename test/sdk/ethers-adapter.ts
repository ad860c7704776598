// ethers v6 users: operations through a TypeChain contract, EIP-712 signing with an ethers
// Signer, relaying, and the resolver reading through an ethers provider.
import { expect } from "chai";
import { network } from "hardhat";
import type { Address } from "viem";
import type { SigilRegistry } from "../../types/ethers-contracts/index.ts";
import { bytes32Name, createSigilResolver } from "sigil-did";
import { eip1193FromEthers, relayOperationWithEthers, sendOperationWithEthers, signOperationWithEthers } from "sigil-did/ethers";

describe("sdk: ethers adapter", () => {
  it("sends, signs and relays with ethers, and resolves through an ethers provider", async () => {
    const { ethers } = await network.create();
    const [alice, bob, relayer] = await ethers.getSigners();
    const registry = (await ethers.deployContract("SigilRegistry")) as unknown as SigilRegistry;
    const identity = alice.address as Address;
    await (
      (await sendOperationWithEthers(registry.connect(alice) as never, {
        type: "addDelegate",
        identity,
        delegateType: bytes32Name("sigAuth"),
        delegate: bob.address as Address,
        validity: 86_400n,
      })) as { wait(): Promise<unknown> }
    ).wait();
    expect(await registry.validDelegate(identity, bytes32Name("sigAuth"), bob.address)).to.equal(true);

    const deadline = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 600n;
    const signed = await signOperationWithEthers(
      alice,
      registry as never,
      { type: "revokeDelegate", identity, delegateType: bytes32Name("sigAuth"), delegate: bob.address as Address },
      { deadline },
    );
    await ((await relayOperationWithEthers(registry.connect(relayer) as never, signed)) as { wait(): Promise<unknown> }).wait();
    expect(await registry.validDelegate(identity, bytes32Name("sigAuth"), bob.address)).to.equal(false);
    expect(await registry.nonces(identity)).to.equal(1n);

    const chainId = Number((await ethers.provider.getNetwork()).chainId);
    const resolver = createSigilResolver({
      networks: [{ chainId, registry: (await registry.getAddress()) as Address, provider: eip1193FromEthers(ethers.provider as never) }],
    });
    const result = await resolver.resolve(`did:sigil:${identity}`);
    expect(result.didResolutionMetadata.error).to.equal(undefined);
    expect(result.didDocument?.authentication).to.have.length(1);
    expect(result.didDocumentMetadata.versionId).to.be.a("string");
  });
});

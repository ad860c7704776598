// Differential test: the same random operation sequences applied to the original ERC-1056
// (the artifact the `ethr-did-registry` package ships) and to SigilRegistry; the stock
// ethr-did-resolver must see the same controller, keys and services in both, and the two
// registries must emit the same events with the same arguments.
import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";
import { Resolver } from "did-resolver";
import { getResolver } from "ethr-did-resolver";
import type { Contract, Signer } from "ethers";
import { loadErc1056Artifact } from "../../scripts/lib/erc1056.ts";

const NAMES = [
  "did/pub/Secp256k1/veriKey/hex",
  "did/pub/Ed25519/veriKey/base64",
  "did/pub/X25519/enc/base64",
  "did/svc/MessagingService",
] as const;

type Op =
  | { kind: "addDelegate"; type: "veriKey" | "sigAuth"; delegate: number; validity: number }
  | { kind: "revokeDelegate"; type: "veriKey" | "sigAuth"; delegate: number }
  | { kind: "setAttribute"; name: number; value: number; validity: number }
  | { kind: "revokeAttribute"; name: number; value: number }
  | { kind: "changeOwner"; to: number }
  | { kind: "wait"; seconds: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("addDelegate" as const), type: fc.constantFrom("veriKey" as const, "sigAuth" as const), delegate: fc.nat(3), validity: fc.constantFrom(50, 86_400) }),
  fc.record({ kind: fc.constant("revokeDelegate" as const), type: fc.constantFrom("veriKey" as const, "sigAuth" as const), delegate: fc.nat(3) }),
  fc.record({ kind: fc.constant("setAttribute" as const), name: fc.nat(NAMES.length - 1), value: fc.nat(2), validity: fc.constantFrom(50, 86_400) }),
  fc.record({ kind: fc.constant("revokeAttribute" as const), name: fc.nat(NAMES.length - 1), value: fc.nat(2) }),
  fc.record({ kind: fc.constant("changeOwner" as const), to: fc.nat(3) }),
  fc.record({ kind: fc.constant("wait" as const), seconds: fc.constantFrom(30, 100) }),
);

function valueFor(name: string, i: number, ethers: typeof import("ethers")): string {
  if (name.startsWith("did/svc/")) return ethers.hexlify(ethers.toUtf8Bytes(JSON.stringify({ uri: `https://m${i}.example` })));
  if (name.includes("Secp256k1")) return "0x02" + `${i + 1}`.repeat(64).slice(0, 64);
  return "0x" + `${i + 7}`.repeat(64).slice(0, 64);
}

describe("differential: SigilRegistry vs the original ERC-1056, through ethr-did-resolver", function () {
  this.timeout(240_000);

  it("random operation sequences yield the same documents and events", async () => {
    const { ethers, networkHelpers } = await network.create();
    const signers = await ethers.getSigners();
    const { abi, bytecode } = loadErc1056Artifact();
    const erc = (await new ethers.ContractFactory(abi as never, bytecode, signers[0]).deploy()) as unknown as Contract;
    const sigil = (await ethers.deployContract("SigilRegistry")) as unknown as Contract;
    const { chainId } = await ethers.provider.getNetwork();
    const resolverFor = async (c: Contract) =>
      new Resolver(getResolver({ networks: [{ name: "dev", chainId, registry: await c.getAddress(), provider: ethers.provider as never }] }));
    const [ercResolver, sigilResolver] = [await resolverFor(erc), await resolverFor(sigil)];
    const keys = signers.slice(15, 19); // candidate delegates and new owners

    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), fc.boolean(), async (ops, deactivateAtEnd) => {
        const identity = ethers.Wallet.createRandom().connect(ethers.provider);
        await (await signers[0].sendTransaction({ to: identity.address, value: ethers.parseEther("1") })).wait();
        const owners: Signer[] = [identity];
        const ownerOf = () => owners[owners.length - 1];
        // previousChange values are block numbers, which differ between the two registries (their
        // transactions land in different blocks): compare them as "which earlier change" instead.
        const changeBlocks = new Map<Contract, number[]>([[erc, []], [sigil, []]]);
        const eventsOf = async (c: Contract, tx: Promise<{ wait(): Promise<unknown> }>) => {
          const receipt = (await (await tx).wait()) as { blockNumber: number; logs: { topics: string[]; data: string }[] };
          const blocks = changeBlocks.get(c)!;
          const time = BigInt((await ethers.provider.getBlock(receipt.blockNumber))!.timestamp);
          const events = receipt.logs.map((l) => {
            const parsed = c.interface.parseLog(l)!;
            const args: unknown[] = parsed.args.map(String);
            const previous = Number(args.pop());
            // validTo is block time + validity; the blocks' times differ, so compare the validity.
            if (parsed.name !== "DIDOwnerChanged" && args[3] !== "0") args[3] = BigInt(args[3] as string) - time;
            return [parsed.name, ...args, previous === 0 ? -1 : blocks.indexOf(previous)];
          });
          blocks.push(receipt.blockNumber);
          return events;
        };
        const both = async (call: (c: Contract) => Promise<{ wait(): Promise<unknown> }>) => {
          const a = await eventsOf(erc, call(erc.connect(ownerOf()) as Contract));
          const b = await eventsOf(sigil, call(sigil.connect(ownerOf()) as Contract));
          expect(b).to.deep.equal(a);
        };
        for (const op of [...ops, ...(deactivateAtEnd ? [{ kind: "deactivate" } as const] : [])]) {
          const id = identity.address;
          switch (op.kind) {
            case "addDelegate":
              await both((c) => c.addDelegate(id, ethers.encodeBytes32String(op.type), keys[op.delegate].address, op.validity));
              break;
            case "revokeDelegate":
              await both((c) => c.revokeDelegate(id, ethers.encodeBytes32String(op.type), keys[op.delegate].address));
              break;
            case "setAttribute":
            case "revokeAttribute": {
              const name = NAMES[op.name];
              const value = valueFor(name, op.value, ethers);
              const n = ethers.encodeBytes32String(name);
              await both((c) => (op.kind === "setAttribute" ? c.setAttribute(id, n, value, op.validity) : c.revokeAttribute(id, n, value)));
              break;
            }
            case "changeOwner":
              await both((c) => c.changeOwner(id, keys[op.to].address));
              owners.push(keys[op.to]);
              break;
            case "wait":
              await networkHelpers.time.increase(op.seconds);
              break;
            case "deactivate":
              await both((c) => c.changeOwner(id, ethers.ZeroAddress));
              break;
          }
        }
        const did = `did:ethr:dev:${identity.address}`;
        const [a, b] = [await ercResolver.resolve(did), await sigilResolver.resolve(did)];
        expect(b.didDocument).to.deep.equal(a.didDocument);
        expect(b.didDocumentMetadata.deactivated).to.equal(a.didDocumentMetadata.deactivated);
      }),
      { numRuns: 20 },
    );
  });
});

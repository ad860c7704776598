// Differential property test: random operation sequences written through the SDK; Sigil's
// resolver and the stock ethr-did-resolver, pointed at the same registry, list the same valid
// keys, services and controller. The chain's clock runs an hour behind the wall clock, because
// ethr-did-resolver judges expiry by the wall clock and Sigil's by the chain's.
import { expect } from "chai";
import fc from "fast-check";
import { Resolver } from "did-resolver";
import { getResolver as getEthrResolver } from "ethr-did-resolver";
import { createWalletClient, custom, type Address, type WalletClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  bytes32Name,
  createSigilResolver,
  generateKeyPair,
  publicKeyAttribute,
  relayOperation,
  serviceAttribute,
  signOperation,
  type Operation,
} from "sigil-did";
import { setup } from "./fixture.ts";

const DAY = 86_400n;

describe("differential: Sigil's resolver vs ethr-did-resolver on random histories", function () {
  this.timeout(240_000);

  it("lists the same controller, keys and services", async () => {
    const env = await setup({ initialDate: new Date(Date.now() - 3_600_000) });
    const sigil = createSigilResolver({ networks: [{ chainId: env.chainId, name: "dev", registry: env.registry, provider: env.counting }], cache: false });
    const ethr = new Resolver(getEthrResolver({ networks: [{ name: "dev", chainId: env.chainId, registry: env.registry, provider: env.ethers.provider as never }] }));
    const keys = [0, 1, 2].map(() => publicKeyAttribute("Ed25519", "veriKey", generateKeyPair("Ed25519").publicKey));
    const x = publicKeyAttribute("X25519", "enc", generateKeyPair("X25519").publicKey);
    const services = [0, 1].map((i) => serviceAttribute("Messaging", { uri: `https://m${i}.example` }));
    const entries = [...keys, x, ...services];
    const delegates = env.addresses.slice(10, 13) as Address[];

    const opArb = fc.oneof(
      fc.record({ t: fc.constant("add" as const), type: fc.constantFrom("veriKey", "sigAuth"), d: fc.nat(2) }),
      fc.record({ t: fc.constant("revoke" as const), type: fc.constantFrom("veriKey", "sigAuth"), d: fc.nat(2) }),
      fc.record({ t: fc.constant("set" as const), e: fc.nat(entries.length - 1) }),
      fc.record({ t: fc.constant("unset" as const), e: fc.nat(entries.length - 1) }),
      fc.record({ t: fc.constant("owner" as const), to: fc.nat(2) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 10 }), async (ops) => {
        // A fresh identity per run; every operation is signed by the current controller and relayed.
        const key = privateKeyToAccount(generatePrivateKey());
        const identity = key.address;
        let signer = createWalletClient({ account: key, transport: custom(env.provider) }) as WalletClient;
        for (const op of ops) {
          let operation: Operation;
          if (op.t === "add") operation = { type: "addDelegate", identity, delegateType: bytes32Name(op.type), delegate: delegates[op.d], validity: DAY };
          else if (op.t === "revoke") operation = { type: "revokeDelegate", identity, delegateType: bytes32Name(op.type), delegate: delegates[op.d] };
          else if (op.t === "set") operation = { type: "setAttribute", identity, ...entries[op.e], validity: DAY };
          else if (op.t === "unset") operation = { type: "revokeAttribute", identity, ...entries[op.e] };
          else operation = { type: "changeOwner", identity, newOwner: env.addresses[13 + op.to] as Address };
          await relayOperation(env.wallet(9), env.target, await signOperation(signer, env.target, operation));
          if (op.t === "owner") signer = env.wallet(13 + op.to);
        }
        const theirs = (await ethr.resolve(`did:ethr:dev:${identity}`)).didDocument!;
        const ours = (await sigil.resolve(`did:sigil:dev:${identity}`)).didDocument!;
        const normalise = (doc: typeof ours) => {
          const copy = JSON.parse(JSON.stringify(doc).replaceAll(/did:(ethr|sigil):dev:0x[0-9a-fA-F]{40}/g, "DID"));
          delete copy["@context"];
          // ethr-did-resolver 11 keeps a keyAgreement reference after its key is revoked (it
          // deletes the key but not the reference): a dangling id that names no key. Sigil drops
          // it; compare the references that name a key.
          const ids = new Set((copy.verificationMethod ?? []).map((vm: { id: string }) => vm.id));
          copy.keyAgreement = (copy.keyAgreement ?? []).filter((ref: string) => ids.has(ref));
          if (copy.keyAgreement.length === 0) delete copy.keyAgreement;
          return copy;
        };
        expect(normalise(ours)).to.deep.equal(normalise(theirs));
      }),
      { numRuns: 20 },
    );
  });
});

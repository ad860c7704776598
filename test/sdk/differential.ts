// Differential property test: random operation sequences written through the SDK; Sigil's
// resolver and the stock ethr-did-resolver, pointed at the same registry, list the same valid
// keys, services and controller. The chain's clock runs an hour behind the wall clock, because
// ethr-did-resolver judges expiry by the wall clock and Sigil's by the chain's.
import { expect } from "chai";
import fc from "fast-check";
import { Resolver } from "did-resolver";
import { getResolver as getEthrResolver } from "ethr-did-resolver";
import { createWalletClient, custom, zeroHash, type Address, type WalletClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  buildGuardianSet,
  bytes32Name,
  createSigilResolver,
  generateNextKey,
  RegistryRevertError,
  type SignableOperation,
  generateKeyPair,
  publicKeyAttribute,
  relayOperation,
  serviceAttribute,
  signOperation,
  type Operation,
} from "sigil-did";
import { setup } from "./fixture.ts";

const DAY = 86_400n;

type Env = Awaited<ReturnType<typeof setup>>;

/** Sigil's resolver and the stock ethr-did-resolver, both pointed at the test chain's registry. */
function bothResolvers(env: Env) {
  const sigil = createSigilResolver({
    networks: [{ chainId: env.chainId, name: "dev", registry: env.registry, provider: env.counting }],
    cache: false,
  });
  const ethr = new Resolver(
    getEthrResolver({
      networks: [{ name: "dev", chainId: env.chainId, registry: env.registry, provider: env.ethers.provider as never }],
    }),
  );
  return { sigil, ethr };
}

describe("differential: Sigil's resolver vs ethr-did-resolver on random histories", function () {
  this.timeout(240_000);

  it("lists the same controller, keys and services", async () => {
    const env = await setup({ initialDate: new Date(Date.now() - 3_600_000) });
    const { sigil, ethr } = bothResolvers(env);
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
          if (op.t === "add")
            operation = { type: "addDelegate", identity, delegateType: bytes32Name(op.type), delegate: delegates[op.d], validity: DAY };
          else if (op.t === "revoke")
            operation = { type: "revokeDelegate", identity, delegateType: bytes32Name(op.type), delegate: delegates[op.d] };
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

const SERVICE = serviceAttribute("Messaging", { uri: "https://m.example" });
const MIXED_OPS = ["delegate", "service", "commit", "rotate", "guardians", "approve", "apply", "cancel"] as const;
type MixedState = {
  identity: Address;
  signer: WalletClient;
  next?: ReturnType<typeof generateNextKey>;
  set?: ReturnType<typeof buildGuardianSet>;
};

/** Signs and relays one operation; a registry refusal is part of a random sequence, not a failure. */
async function relay(env: Env, by: WalletClient, op: SignableOperation) {
  try {
    await relayOperation(env.wallet(9), env.target, await signOperation(by, env.target, op));
  } catch (e) {
    if (!(e instanceof RegistryRevertError)) throw e;
  }
}

/** One step of a random mix of ERC-1056 and Sigil-only operations on `st.identity`. */
async function mixedStep(env: Env, st: MixedState, op: (typeof MIXED_OPS)[number]) {
  if (op === "delegate")
    await relay(env, st.signer, {
      type: "addDelegate",
      identity: st.identity,
      delegateType: bytes32Name("sigAuth"),
      delegate: env.addresses[10] as Address,
      validity: DAY,
    });
  else if (op === "service") await relay(env, st.signer, { type: "setAttribute", identity: st.identity, ...SERVICE, validity: DAY });
  else if (op === "commit" && !st.next) {
    st.next = generateNextKey();
    await relay(env, st.signer, { type: "commitNextOwner", identity: st.identity, commitment: st.next.commitment });
  } else if (op === "rotate" && st.next) {
    const fresh = generateNextKey();
    const nextWallet = createWalletClient({
      account: privateKeyToAccount(st.next.privateKey),
      transport: custom(env.provider),
    }) as WalletClient;
    await relay(env, nextWallet, {
      type: "rotate",
      identity: st.identity,
      salt: st.next.salt,
      newOwner: st.next.address,
      nextCommitment: fresh.commitment,
      purge: false,
      revokeDelegates: [],
      revokeAttributes: [],
    });
    [st.signer, st.next] = [nextWallet, fresh];
  } else if (op === "guardians" && !st.next) {
    st.set = buildGuardianSet({
      identity: st.identity,
      guardians: [16, 17, 18].map((i) => env.addresses[i] as Address),
      threshold: 2,
      delay: 3_600n,
    });
    await relay(env, st.signer, { type: "setGuardians", identity: st.identity, root: st.set.root, threshold: 2n, delay: st.set.delay });
  } else if (op === "approve" && st.set) {
    const card = st.set.cards[0];
    await relay(env, env.wallet(16), {
      type: "approveRecovery",
      identity: st.identity,
      recovery: { newOwner: env.addresses[16] as Address, nextCommitment: zeroHash, purge: false },
      proof: card,
    });
  } else if (op === "apply") {
    await env.publicClient.request({ method: "evm_increaseTime" as never, params: [7_200] as never }).catch(() => {});
    await env.send(9, { type: "applyGuardians", identity: st.identity }).catch((e) => {
      if (!(e instanceof RegistryRevertError)) throw e;
    });
  } else if (op === "cancel" && st.next) {
    const nextWallet = createWalletClient({
      account: privateKeyToAccount(st.next.privateKey),
      transport: custom(env.provider),
    }) as WalletClient;
    await relay(env, nextWallet, { type: "cancelRecovery", identity: st.identity, salt: st.next.salt });
  }
}

// Registry 2.1 (issue 19, item 3): Sigil-only writes (commitments, guardian sets, approvals,
// applyGuardians, cancellations) emit events stock ERC-1056 readers cannot decode. In 2.0 they
// also advanced `changed`, so ethr-did-resolver's previousChange walk stopped at them and it
// fell back to an older controller (after a rotation away from a stolen key: the stolen key).
// Each such change now also emits an ERC-1056 marker that links its block into the chain.
describe("differential: stock readers across Sigil-only changes", function () {
  this.timeout(240_000);

  it("ethr-did-resolver sees the controller and entries Sigil sees after any mix of ERC-1056 and Sigil-only operations", async () => {
    const env = await setup({ initialDate: new Date(Date.now() - 3_600_000) });
    const { sigil, ethr } = bothResolvers(env);
    const opArb = fc.constantFrom(...MIXED_OPS);
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
        const key = privateKeyToAccount(generatePrivateKey());
        const st: MixedState = {
          identity: key.address,
          signer: createWalletClient({ account: key, transport: custom(env.provider) }) as WalletClient,
        };
        for (const op of ops) await mixedStep(env, st, op);
        const theirs = (await ethr.resolve(`did:ethr:dev:${st.identity}`)).didDocument!;
        const ours = (await sigil.resolve(`did:sigil:dev:${st.identity}`)).didDocument!;
        const strip = (doc: typeof ours) => {
          const copy = JSON.parse(JSON.stringify(doc).replaceAll(/did:(ethr|sigil):dev:0x[0-9a-fA-F]{40}/g, "DID"));
          delete copy["@context"];
          return copy;
        };
        expect(strip(theirs)).to.deep.equal(strip(ours));
      }),
      // The cases first: a Sigil-only change after ERC-1056 ones (2.0: stock readers lost them).
      { numRuns: 15, examples: [[["delegate", "guardians"]], [["service", "commit"]], [["guardians", "commit", "rotate", "approve"]]] },
    );
  });

  it("after a rotation away from a stolen key, later Sigil-only calls never send stock readers back to the stolen key", async () => {
    const env = await setup();
    const ethr = new Resolver(
      getEthrResolver({
        networks: [{ name: "dev", chainId: env.chainId, registry: env.registry, provider: env.ethers.provider as never }],
      }),
    );
    const stolen = privateKeyToAccount(generatePrivateKey());
    const identity = stolen.address;
    const owner = createWalletClient({ account: stolen, transport: custom(env.provider) }) as WalletClient;
    const relay = async (by: WalletClient, op: SignableOperation) =>
      relayOperation(env.wallet(9), env.target, await signOperation(by, env.target, op));
    const set = buildGuardianSet({
      identity,
      guardians: [16, 17, 18].map((i) => env.addresses[i] as Address),
      threshold: 2,
      delay: 3_600n,
    });
    await relay(owner, { type: "setGuardians", identity, root: set.root, threshold: 2n, delay: set.delay });
    const next = generateNextKey();
    await relay(owner, { type: "commitNextOwner", identity, commitment: next.commitment });
    // The key is stolen; the owner's next key rotates away from it.
    const nextWallet = createWalletClient({
      account: privateKeyToAccount(next.privateKey),
      transport: custom(env.provider),
    }) as WalletClient;
    const fresh = generateNextKey();
    await relay(nextWallet, {
      type: "rotate",
      identity,
      salt: next.salt,
      newOwner: next.address,
      nextCommitment: fresh.commitment,
      purge: true,
      revokeDelegates: [],
      revokeAttributes: [],
    });
    const controller = async () => (await ethr.resolve(`did:ethr:dev:${identity}`)).didDocument!.verificationMethod![0].blockchainAccountId;
    const expected = `eip155:${env.chainId}:${next.address}`;
    expect(await controller()).to.equal(expected);
    // Sigil-only changes after it, by guardians (any of whom may collude with the thief).
    const recovery = { newOwner: env.addresses[16] as Address, nextCommitment: zeroHash, purge: false };
    await relay(env.wallet(16), { type: "approveRecovery", identity, recovery, proof: set.cards[0] });
    expect(await controller()).to.equal(expected, "a guardian's approval sent stock readers back");
    await relay(env.wallet(17), { type: "approveRecovery", identity, recovery, proof: set.cards[1] });
    expect(await controller()).to.equal(expected, "an arming approval sent stock readers back");
  });
});

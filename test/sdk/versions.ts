// Property test on the in-process chain: for every block of random histories with guardian
// events, purging rotations and expiring keys, `?versionTime=` at the block's time and
// `?versionId=` of the block resolve the same document and metadata; and no key or service id
// names two different entries in any of those versions.
import { expect } from "chai";
import fc from "fast-check";
import { createWalletClient, custom, type Address, type Hex, type WalletClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  buildGuardianSet,
  type GuardianSet,
  bytes32Name,
  createSigilResolver,
  generateKeyPair,
  generateNextKey,
  publicKeyAttribute,
  relayOperation,
  serviceAttribute,
  signOperation,
  type Operation,
  type SigilResolver,
} from "sigil-did";
import { setup } from "./fixture.ts";

type Step = "key" | "shortKey" | "service" | "delegate" | "revoke" | "guardians" | "approve" | "purge" | "wait";
const stepArb = fc.constantFrom<Step>("key", "shortKey", "service", "delegate", "revoke", "guardians", "approve", "purge", "wait");

type Env = Awaited<ReturnType<typeof setup>>;

/** A guardian's approval of a recovery to a random key (one of two: the proposal stays open). */
function approvalBy(card: GuardianSet["cards"][number], identity: Address): Operation {
  const recovery = {
    newOwner: privateKeyToAccount(generatePrivateKey()).address,
    nextCommitment: generateNextKey().commitment,
    purge: true,
  };
  return { type: "approveRecovery", identity, recovery, proof: { guardian: card.guardian, salt: card.salt, proof: card.proof } };
}

/** The next key's purging rotation to itself, committing to the key after it. */
function purgeBy(identity: Address, next: ReturnType<typeof generateNextKey>, nextCommitment: Hex): Operation {
  const rotation = { newOwner: next.address, nextCommitment, purge: true, revokeDelegates: [], revokeAttributes: [] };
  return { type: "rotate", identity, salt: next.salt, ...rotation };
}

/** A fresh identity and a `run` that applies one step of a random history to it, relayed. */
function randomIdentity(env: Env) {
  const relayer = env.wallet(9);
  const signerOf = (key: Hex) => createWalletClient({ account: privateKeyToAccount(key), transport: custom(env.provider) }) as WalletClient;
  const identityKey = generatePrivateKey();
  const identity = privateKeyToAccount(identityKey).address;
  let controller = identityKey;
  const guardianKeys = [generatePrivateKey(), generatePrivateKey()];
  const set = buildGuardianSet({
    identity,
    guardians: guardianKeys.map((k) => privateKeyToAccount(k).address),
    threshold: 2,
    delay: 3_600n,
  });
  const published: Operation[] = [];
  let approvals = 0;
  let next: ReturnType<typeof generateNextKey> | undefined;
  const send = async (key: Hex, op: Operation) =>
    relayOperation(relayer, env.target, await signOperation(signerOf(key), env.target, op as never));
  const run = async (step: Step) => {
    switch (step) {
      case "key":
      case "shortKey":
      case "service": {
        const entry =
          step === "service"
            ? serviceAttribute("Inbox", `https://inbox${published.length}.example`)
            : publicKeyAttribute("X25519", "enc", generateKeyPair("X25519").publicKey);
        const op = { type: "setAttribute", identity, ...entry, validity: step === "shortKey" ? 30n : 86_400n } as const;
        published.push(op);
        return send(controller, op);
      }
      case "delegate":
        return send(controller, {
          type: "addDelegate",
          identity,
          delegateType: bytes32Name("sigAuth"),
          delegate: privateKeyToAccount(generatePrivateKey()).address,
          validity: 86_400n,
        });
      case "revoke": {
        const op = published.shift();
        if (op?.type === "setAttribute") return send(controller, { type: "revokeAttribute", identity, name: op.name, value: op.value });
        return;
      }
      case "guardians":
        // Under a commitment the current key may not touch guardians (registry 2.1): only before one.
        if (next) return;
        return send(controller, { type: "setGuardians", identity, root: set.root, threshold: 2n, delay: 3_600n });
      case "approve": {
        // One guardian of two: a proposal that stays open (guardian events, no recovery).
        const i = approvals++ % 2;
        return send(guardianKeys[i], approvalBy(set.cards[i], identity));
      }
      case "purge": {
        if (!next) {
          next = generateNextKey();
          await send(controller, { type: "commitNextOwner", identity, commitment: next.commitment });
        }
        const following = generateNextKey();
        await send(next.privateKey, purgeBy(identity, next, following.commitment));
        [controller, next] = [next.privateKey, following];
        published.length = 0;
        return;
      }
      case "wait":
        return env.networkHelpers.time.increase(40);
    }
  };
  return { identity, run };
}

/** Every block from the identity's first change to the head: versionTime at the block's time
 * resolves what versionId of the block does, and no id names two different entries. */
async function checkVersions(env: Env, resolver: SigilResolver, identity: Address) {
  const blockTime = async (b: bigint) => (await env.publicClient.getBlock({ blockNumber: b })).timestamp;
  // Not viem's cached block number (4 s): a fast run would take the previous run's head, from
  // before this identity's first change (the flake of seeds 478717511 and 1127475684).
  const head = await env.publicClient.getBlockNumber({ cacheTime: 0 });
  const atHead = await resolver.resolve(`did:sigil:local:${identity}?versionId=${head}`);
  expect(atHead.didDocumentMetadata.versionId, `the identity changed: ${JSON.stringify(atHead.didResolutionMetadata)}`).to.be.a("string");
  const first = BigInt((await resolver.resolve(`did:sigil:local:${identity}?versionId=1`)).didDocumentMetadata.nextVersionId as string);
  const named = new Map<string, string>();
  for (let b = first - 1n; b <= head; b++) {
    const byBlock = await resolver.resolve(`did:sigil:local:${identity}?versionId=${b}`);
    const iso = new Date(Number(await blockTime(b)) * 1000).toISOString().replace(".000Z", "Z");
    const byTime = await resolver.resolve(`did:sigil:local:${identity}?versionTime=${iso}`);
    expect(byTime.didResolutionMetadata.error, byTime.didResolutionMetadata.message).to.equal(undefined);
    const strip = (m: Record<string, unknown>) => ({ ...m, sigil: { ...(m.sigil as object), resolvedAtBlock: undefined } });
    expect(byTime.didDocument, `block ${b}`).to.deep.equal(byBlock.didDocument);
    expect(strip(byTime.didDocumentMetadata), `block ${b}`).to.deep.equal(strip(byBlock.didDocumentMetadata));
    const doc = byBlock.didDocument!;
    // #controller names the controller of the version (a role, as in did:ethr); every other id one entry.
    for (const { id, ...rest } of [...(doc.verificationMethod ?? []).slice(1), ...(doc.service ?? [])] as { id: string }[]) {
      const what = JSON.stringify(rest);
      expect(named.get(id) ?? what, `${id} in version ${b}`).to.equal(what);
      named.set(id, what);
    }
  }
}

describe("sdk: past versions by time and by block agree (property, in-process chain, purges and guardian events)", function () {
  this.timeout(300_000);

  it("versionTime at each block's time equals versionId of that block, and ids never name two entries", async () => {
    const env = await setup();
    const resolver = createSigilResolver({
      networks: [{ chainId: env.chainId, name: "local", registry: env.registry, provider: env.provider }],
      cache: false,
    });
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { maxLength: 4 }), fc.array(stepArb, { maxLength: 4 }), async (before, after) => {
        const { identity, run } = randomIdentity(env);
        // Keys and guardian events before a purge: the history the defect needed.
        for (const step of ["key", "service", "guardians", "approve", ...before, "purge", ...after] as Step[]) await run(step);
        await checkVersions(env, resolver, identity);
      }),
      { numRuns: 25 },
    );
  });
});

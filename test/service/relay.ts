// POST /1.0/relay against a real `hardhat node`: a key with no coins signs an operation, the
// service pays the gas and answers only once the receipt shows the registry's events; a replay,
// a damaged body, another chain's signature and an over-eager client are refused with reasons,
// and a refused operation costs the relayer nothing.
import { expect } from "chai";
import { createPublicClient, createWalletClient, http, type Address, type Hex, type PublicClient, type WalletClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  buildGuardianSet,
  createSigilResolver,
  encodeSignedOperation,
  generateNextKey,
  relayOperation,
  sendOperation,
  serviceAttribute,
  signOperation,
  type SignedOperation,
} from "sigil-did";
import { RELAY_PATH } from "sigil-did-service";
import { devChain } from "../support/dev-chain.ts";
import { startRpcProxy } from "../support/rpc-proxy.ts";
import { raw, serve, startChain, type Chain } from "./fixture.ts";

describe("resolver service: relaying signed operations (POST /1.0/relay)", function () {
  this.timeout(120_000);
  let chain: Chain;
  let publicClient: PublicClient;
  let relayerAddress: Address;
  let svc: Awaited<ReturnType<typeof serve>>;
  const post = (body: string) => raw(svc.url, RELAY_PATH, { method: "POST", headers: { "content-type": "application/json" }, body });
  /** An operation signed by a fresh key that holds no coins. */
  const signedByPoorKey = async (uri: string, chainId = 31337): Promise<{ signed: SignedOperation; did: string }> => {
    const key = generatePrivateKey();
    const account = privateKeyToAccount(key);
    const wallet = createWalletClient({ account, transport: http(chain.node.url) });
    const op = { type: "setAttribute", identity: account.address, ...serviceAttribute("Messaging", uri), validity: 86_400n } as const;
    const signed = await signOperation(wallet, { registry: chain.registry, publicClient }, op, { chainId });
    return { signed, did: `did:sigil:local:${account.address.toLowerCase()}` };
  };

  before(async () => {
    chain = await startChain();
    const dev = devChain(chain.node.url);
    publicClient = createPublicClient({ transport: http(chain.node.url) });
    const relayer = await dev.funded();
    relayerAddress = relayer.account!.address;
    svc = await serve([chain.net()], { maxAgeMs: 0 }, undefined, {
      relay: { relayer, target: { registry: chain.registry, publicClient }, chainId: 31337, maxPerMinute: 4 },
    });
  });
  after(async () => {
    await svc?.service.close();
    await chain?.stop();
  });

  it("sends an operation signed by a key without coins, paying the gas, and answers once the receipt shows the registry's events", async () => {
    const { signed, did } = await signedByPoorKey("https://inbox.example/relayed");
    expect(await publicClient.getBalance({ address: signed.signer })).to.equal(0n);
    const before = await publicClient.getBalance({ address: relayerAddress });
    const r = await post(encodeSignedOperation(signed));
    expect(r.status, r.body).to.equal(200);
    const body = r.json();
    expect(body.events).to.deep.equal(["attribute"]);
    const receipt = await publicClient.getTransactionReceipt({ hash: body.transactionHash });
    expect(receipt.status).to.equal("success");
    expect(receipt.from.toLowerCase()).to.equal(relayerAddress.toLowerCase());
    expect(String(receipt.blockNumber)).to.equal(body.blockNumber);
    expect(await publicClient.getBalance({ address: relayerAddress })).to.be.lessThan(before);
    const doc = (await createSigilResolver({ networks: [chain.net()], cache: false }).resolve(did)).didDocument!;
    expect(doc.service?.map((s) => s.serviceEndpoint)).to.deep.equal(["https://inbox.example/relayed"]);

    // The same signature again: the registry refuses it (its nonce is used), said with the error's name, and nothing is spent.
    const spent = await publicClient.getBalance({ address: relayerAddress });
    const replay = await post(encodeSignedOperation(signed));
    expect(replay.status, replay.body).to.equal(422);
    expect(replay.headers["content-type"]).to.match(/^application\/problem\+json/);
    expect(replay.json()).to.include({ status: 422, operation: "setAttribute", errorName: "SigilInvalidSignature" });
    expect(replay.json().detail).to.include("its nonce 0 was already used");
    expect(await publicClient.getBalance({ address: relayerAddress })).to.equal(spent);
  });

  it("refuses a damaged body with every problem named, and another chain's signature, before sending anything", async () => {
    const damaged = await post(
      JSON.stringify({ operation: { type: "stealEverything", identity: "0x1" }, signer: "nope", chainId: "31337" }),
    );
    expect(damaged.status, damaged.body).to.equal(400);
    expect(damaged.json().errors).to.include.members([
      `unknown operation type "stealEverything"`,
      "signer is not an address",
      "registry is not an address",
      "signature is not hex",
      "chainId is missing",
      "deadline is missing",
    ]);
    const notJson = await post("{");
    expect(notJson.status).to.equal(400);
    const { signed } = await signedByPoorKey("https://inbox.example/elsewhere", 10);
    const elsewhere = await post(encodeSignedOperation(signed));
    expect(elsewhere.status, elsewhere.body).to.equal(400);
    expect(elsewhere.json().detail).to.include("on chain 10; this relayer sends to");
  });

  it("refuses an operation that lacks a field its call needs (400), and an approval whose proof names another guardian, before sending", async () => {
    const { signed } = await signedByPoorKey("https://inbox.example/incomplete");
    const body = JSON.parse(encodeSignedOperation(signed));
    delete body.operation.value;
    const r = await post(JSON.stringify(body));
    expect(r.status, r.body).to.equal(400);
    expect(r.json().detail).to.match(/^the operation cannot be sent as signed: /);
    const approval = {
      ...body,
      operation: {
        type: "approveRecovery",
        identity: body.operation.identity,
        recovery: {},
        proof: { guardian: "0x0000000000000000000000000000000000000001" },
      },
    };
    const wrongGuardian = await post(JSON.stringify(approval));
    expect(wrongGuardian.status, wrongGuardian.body).to.equal(400);
    expect(wrongGuardian.json().detail).to.include("its proof is for guardian");
  });

  it("sends at most its limit a minute (refused operations do not count), then 429 with Retry-After", async () => {
    // The first test relayed one of the 4 this minute; its refused replay did not count.
    for (let i = 0; i < 3; i++) {
      const { signed } = await signedByPoorKey(`https://inbox.example/${i}`);
      expect((await post(encodeSignedOperation(signed))).status).to.equal(200);
    }
    const { signed } = await signedByPoorKey("https://inbox.example/one-too-many");
    const over = await post(encodeSignedOperation(signed));
    expect(over.status, over.body).to.equal(429);
    expect(Number(over.headers["retry-after"])).to.be.within(1, 60);

    // A flood of ordinary operations (a thief's included) does not keep an owner's rotation out:
    // rotations, approvals and cancellations have a budget of their own.
    const owner = await devChain(chain.node.url).funded();
    const next = generateNextKey();
    const target = { registry: chain.registry, publicClient };
    await sendOperation(owner, target, { type: "commitNextOwner", identity: owner.account!.address, commitment: next.commitment });
    const rotate = {
      type: "rotate",
      identity: owner.account!.address,
      salt: next.salt,
      newOwner: next.address,
      nextCommitment: generateNextKey().commitment,
      purge: true,
      revokeDelegates: [],
      revokeAttributes: [],
    } as const;
    const rotation = await signOperation(
      createWalletClient({ account: privateKeyToAccount(next.privateKey), transport: http(chain.node.url) }),
      target,
      rotate,
      { chainId: 31337 },
    );
    const rotated = await post(encodeSignedOperation(rotation));
    expect(rotated.status, rotated.body).to.equal(200);
    expect(rotated.json().events).to.include("rotate");
  });

  /** A made-up identity with a 1-of-1 guardian set of a fresh key (set up at the attacker's cost), and that guardian's signed approval of a recovery to the attacker. */
  async function madeUpApproval(attacker: WalletClient, target: Parameters<typeof relayOperation>[1]): Promise<SignedOperation> {
    const identityKey = generatePrivateKey();
    const identity = privateKeyToAccount(identityKey).address;
    const guardianKey = generatePrivateKey();
    const set = buildGuardianSet({ identity, guardians: [privateKeyToAccount(guardianKey).address], threshold: 1, delay: 3_600n });
    const setup = await signOperation(
      createWalletClient({ account: privateKeyToAccount(identityKey), transport: http(chain.node.url) }),
      target,
      { type: "setGuardians", identity, root: set.root, threshold: 1n, delay: 3_600n },
      { chainId: 31337 },
    );
    await relayOperation(attacker, target, setup);
    const card = set.cards[0];
    const approve = {
      type: "approveRecovery",
      identity,
      recovery: { newOwner: attacker.account!.address, nextCommitment: generateNextKey().commitment, purge: true },
      proof: { guardian: card.guardian, salt: card.salt, proof: card.proof },
    } as const;
    return await signOperation(
      createWalletClient({ account: privateKeyToAccount(guardianKey), transport: http(chain.node.url) }),
      target,
      approve,
      { chainId: 31337 },
    );
  }

  it("a stranger's valid approvals for identities he made up cannot keep an owner's rotation out: protective budgets are per identity and per signer", async () => {
    const dev = devChain(chain.node.url);
    const target = { registry: chain.registry, publicClient };
    const attacker = await dev.funded(); // pays for setting up his made-up identities himself
    const guarded = createSigilResolver({ networks: [chain.net()], cache: false });
    const strict = await serve([chain.net()], { maxAgeMs: 0 }, undefined, {
      relay: { relayer: await dev.funded(), target, chainId: 31337, maxPerMinute: 2, maxPerIdentityPerMinute: 2 },
    });
    const postTo = (signed: SignedOperation) =>
      raw(strict.url, RELAY_PATH, { method: "POST", headers: { "content-type": "application/json" }, body: encodeSignedOperation(signed) });
    try {
      // Four made-up identities, each with a 1-of-1 guardian set naming a fresh guardian key of his.
      const approvals: SignedOperation[] = [];
      for (let i = 0; i < 4; i++) approvals.push(await madeUpApproval(attacker, target));
      const answers = [];
      for (const a of approvals) answers.push((await postTo(a)).status);
      expect(answers, "each made-up identity spends its own budget, not one shared with the owner").to.deep.equal([200, 200, 200, 200]);
      expect(
        (await guarded.resolve(`did:sigil:local:${approvals[0].operation.identity.toLowerCase()}`)).didDocumentMetadata,
      ).to.have.nested.property("sigil.recoveries.length", 1);

      // The owner's rotation, signed by the next key, still goes through; so does the next one.
      const owner = await dev.funded();
      let next = generateNextKey();
      await sendOperation(owner, target, { type: "commitNextOwner", identity: owner.account!.address, commitment: next.commitment });
      const rotateOnce = async () => {
        const fresh = generateNextKey();
        const rotate = {
          type: "rotate",
          identity: owner.account!.address,
          salt: next.salt,
          newOwner: next.address,
          nextCommitment: fresh.commitment,
          purge: true,
          revokeDelegates: [],
          revokeAttributes: [],
        } as const;
        const rotation = await signOperation(
          createWalletClient({ account: privateKeyToAccount(next.privateKey), transport: http(chain.node.url) }),
          target,
          rotate,
          { chainId: 31337 },
        );
        const answer = await postTo(rotation);
        if (answer.status === 200) next = fresh;
        return answer;
      };
      for (let i = 0; i < 2; i++) {
        const rotated = await rotateOnce();
        expect(rotated.status, rotated.body).to.equal(200);
        expect(rotated.json().events).to.include("rotate");
      }
      // What the relayer pays stays bounded: a third rotation of the same identity this minute waits.
      const third = await rotateOnce();
      expect(third.status, third.body).to.equal(429);
      expect(third.json().detail).to.include("for one identity");
      expect(Number(third.headers["retry-after"])).to.be.within(1, 60);
    } finally {
      await strict.service.close();
    }
  });

  it("one signer's protective operations are bounded too: a guardian approving for many identities gets 429 past its share", async () => {
    const dev = devChain(chain.node.url);
    const target = { registry: chain.registry, publicClient };
    const attacker = await dev.funded();
    const strict = await serve([chain.net()], { maxAgeMs: 0 }, undefined, {
      relay: { relayer: await dev.funded(), target, chainId: 31337, maxPerMinute: 10, maxPerIdentityPerMinute: 2 },
    });
    const guardianKey = generatePrivateKey();
    const guardian = createWalletClient({ account: privateKeyToAccount(guardianKey), transport: http(chain.node.url) });
    try {
      const answers = [];
      for (let i = 0; i < 3; i++) {
        const identityKey = generatePrivateKey();
        const identity = privateKeyToAccount(identityKey).address;
        const set = buildGuardianSet({ identity, guardians: [guardian.account.address], threshold: 1, delay: 3_600n });
        const setup = await signOperation(
          createWalletClient({ account: privateKeyToAccount(identityKey), transport: http(chain.node.url) }),
          target,
          { type: "setGuardians", identity, root: set.root, threshold: 1n, delay: 3_600n },
          { chainId: 31337 },
        );
        await relayOperation(attacker, target, setup);
        const card = set.cards[0];
        const approve = {
          type: "approveRecovery",
          identity,
          recovery: { newOwner: attacker.account!.address, nextCommitment: generateNextKey().commitment, purge: true },
          proof: { guardian: card.guardian, salt: card.salt, proof: card.proof },
        } as const;
        const signed = await signOperation(guardian, target, approve, { chainId: 31337 });
        answers.push(
          await raw(strict.url, RELAY_PATH, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: encodeSignedOperation(signed),
          }),
        );
      }
      expect(answers.map((a) => a.status)).to.deep.equal([200, 200, 429]);
      expect(answers[2].json().detail).to.include("for one signer");
    } finally {
      await strict.service.close();
    }
  });

  it("a rotation a thief copied and landed first took effect: 200 naming his transaction, never 422 'reverted'; a stale rotation whose effect is not on chain is still 422", async () => {
    const dev = devChain(chain.node.url);
    const target = { registry: chain.registry, publicClient };
    const owner = await dev.funded();
    const next = generateNextKey();
    await sendOperation(owner, target, { type: "commitNextOwner", identity: owner.account!.address, commitment: next.commitment });
    const nextWallet = createWalletClient({ account: privateKeyToAccount(next.privateKey), transport: http(chain.node.url) });
    const sign = (nextCommitment: Hex) =>
      signOperation(
        nextWallet,
        target,
        {
          type: "rotate",
          identity: owner.account!.address,
          salt: next.salt,
          newOwner: next.address,
          nextCommitment,
          purge: true,
          revokeDelegates: [],
          revokeAttributes: [],
        },
        { chainId: 31337 },
      );
    const rotation = await sign(generateNextKey().commitment);
    const other = await sign(generateNextKey().commitment); // signed at the same time, never sent
    const thief = await dev.funded();
    const stolen = await relayOperation(thief, target, rotation);
    const r = await post(encodeSignedOperation(rotation));
    expect(r.status, r.body).to.equal(200);
    expect(r.json()).to.include({ alreadyOnChain: true, transactionHash: stolen.hash, blockNumber: String(stolen.blockNumber) });
    expect(r.json().events).to.include("rotate");
    expect(r.json().detail).to.include("already took effect").and.include(thief.account!.address);
    const stale = await post(encodeSignedOperation(other));
    expect(stale.status, stale.body).to.equal(422);
    expect(stale.json()).to.not.have.property("alreadyOnChain");
  });

  it("a transaction the node took but never mined: 504 with its hash, never a success", async () => {
    const dropping = await startRpcProxy(chain.node.url, { dropTransactions: true });
    const key = generatePrivateKey();
    const dev = devChain(chain.node.url);
    await publicClient.waitForTransactionReceipt({
      hash: await dev.dev.sendTransaction({ to: privateKeyToAccount(key).address, value: 10n ** 18n, chain: null }),
    });
    const relayer = createWalletClient({ account: privateKeyToAccount(key), transport: http(dropping.url) });
    const lossy = await serve([chain.net()], { maxAgeMs: 0 }, undefined, {
      relay: { relayer, target: { registry: chain.registry, publicClient }, chainId: 31337, receiptTimeoutMs: 1_000 },
    });
    try {
      const { signed, did } = await signedByPoorKey("https://inbox.example/lost");
      const r = await raw(lossy.url, RELAY_PATH, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: encodeSignedOperation(signed),
      });
      expect(r.status, r.body).to.equal(504);
      expect(r.json().transactionHash).to.match(/^0x[0-9a-f]{64}$/);
      expect(r.json().detail).to.include("was sent but not mined");
      expect((await createSigilResolver({ networks: [chain.net()], cache: false }).resolve(did)).didDocument!.service ?? []).to.deep.equal(
        [],
      );
    } finally {
      await lossy.service.close();
      await dropping.close();
    }
  });
});

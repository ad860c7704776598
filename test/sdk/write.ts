// The SDK's write side: every operation direct and as a relayed EIP-712 meta-transaction,
// receipts decoded into what changed, and contract refusals as typed errors (nothing sent).
import { expect } from "chai";
import { getAddress, zeroHash, type Address } from "viem";
import {
  bytes32Name,
  commitmentOf,
  generateKeyPair,
  publicKeyAttribute,
  RegistryRevertError,
  relayOperation,
  sendOperation,
  signOperation,
  type Operation,
} from "sigil-did";
import { setup } from "./fixture.ts";

const DAY = 86_400n;

const SALT = `0x${"5a".repeat(32)}` as const;

describe("sdk writes", () => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    env = await setup();
  });

  it("sends every operation directly and returns the decoded events", async () => {
    const [alice, bob, next] = env.addresses.slice(1, 4) as Address[];
    const key = publicKeyAttribute("Ed25519", "sigAuth", generateKeyPair("Ed25519").publicKey);
    const ops: Operation[] = [
      { type: "addDelegate", identity: alice, delegateType: bytes32Name("veriKey"), delegate: bob, validity: DAY },
      { type: "revokeDelegate", identity: alice, delegateType: bytes32Name("veriKey"), delegate: bob },
      { type: "setAttribute", identity: alice, ...key, validity: DAY },
      { type: "revokeAttribute", identity: alice, ...key },
      { type: "commitNextOwner", identity: alice, commitment: commitmentOf(next, SALT) },
    ];
    const kinds = [];
    for (const op of ops) kinds.push((await env.send(1, op)).events.map((e) => e.kind));
    expect(kinds).to.deep.equal([["delegate"], ["delegate"], ["attribute"], ["attribute"], ["commit", "marker"]]);
    const rotated = await env.send(3, {
      type: "rotate",
      identity: alice,
      salt: SALT,
      newOwner: next,
      nextCommitment: zeroHash,
      purge: true,
      revokeDelegates: [],
      revokeAttributes: [],
    });
    expect(rotated.events.map((e) => e.kind)).to.deep.equal(["owner", "rotate"]);
    expect(rotated.gasUsed).to.be.greaterThan(0n);
    await env.send(3, { type: "changeOwner", identity: alice, newOwner: bob });
    const gone = await env.send(2, { type: "deactivate", identity: alice });
    expect(gone.events[0]).to.deep.include({ kind: "owner", owner: "0x0000000000000000000000000000000000000000" });
  });

  it("signs operations as EIP-712 typed data that any relayer submits", async () => {
    const [alice, bob, next] = env.addresses.slice(1, 4) as Address[];
    const relayer = env.wallet(9);
    const signed = await signOperation(env.wallet(1), env.target, {
      type: "addDelegate",
      identity: alice,
      delegateType: bytes32Name("sigAuth"),
      delegate: bob,
      validity: DAY,
    });
    expect(signed).to.deep.include({ signer: alice, chainId: env.chainId });
    expect(signed.context).to.deep.equal({ nonce: 0n });
    const receipt = await relayOperation(relayer, env.target, signed);
    expect(receipt.events[0]).to.deep.include({ kind: "delegate", delegate: getAddress(bob) });
    const commit = await signOperation(env.wallet(1), env.target, {
      type: "commitNextOwner",
      identity: alice,
      commitment: commitmentOf(next, SALT),
    });
    expect(commit.context.nonce).to.equal(1n);
    await relayOperation(relayer, env.target, commit);
    const rotation = await signOperation(env.wallet(3), env.target, {
      type: "rotate",
      identity: alice,
      salt: SALT,
      newOwner: next,
      nextCommitment: zeroHash,
      purge: true,
      revokeDelegates: [{ delegateType: bytes32Name("sigAuth"), delegate: bob }],
      revokeAttributes: [],
    });
    // A rotation binds the commitment it consumes, not the nonce the current key can advance.
    expect(rotation.context).to.deep.equal({ commitment: commitmentOf(next, SALT), commitmentNonce: 1n, round: 0n });
    await relayOperation(
      relayer,
      env.target,
      await signOperation(env.wallet(1), env.target, {
        type: "setAttribute",
        identity: alice,
        name: bytes32Name("did/svc/X"),
        value: "0x01",
        validity: DAY,
      }),
    );
    const rotated = await relayOperation(relayer, env.target, rotation);
    expect(rotated.events.map((e) => e.kind)).to.deep.equal(["delegate", "owner", "rotate"]);
  });

  it("reports refusals as RegistryRevertError naming the contract's error, without sending", async () => {
    const [alice, bob, next] = env.addresses.slice(1, 4) as Address[];
    const before = await env.publicClient.getTransactionCount({ address: bob });
    const attempt = (i: number, op: Operation) =>
      sendOperation(env.wallet(i), env.target, op).then(
        () => expect.fail("accepted"),
        (e: unknown) => e as RegistryRevertError,
      );
    let e = await attempt(2, { type: "changeOwner", identity: alice, newOwner: bob });
    expect(e).to.be.instanceOf(RegistryRevertError);
    expect(e.errorName).to.equal("bad_actor");
    expect(e.message).to.include("does not control this identity");
    expect(await env.publicClient.getTransactionCount({ address: bob })).to.equal(before);

    await env.send(1, { type: "commitNextOwner", identity: alice, commitment: commitmentOf(next, SALT) });
    e = await attempt(1, { type: "changeOwner", identity: alice, newOwner: bob });
    expect(e.errorName).to.equal("SigilNextOwnerCommitted");
    expect(e.code).to.equal("registryRevert");
    expect(e.args).to.deep.equal([getAddress(alice)]);

    const stale = await signOperation(
      env.wallet(1),
      env.target,
      { type: "setAttribute", identity: alice, name: bytes32Name("did/svc/X"), value: "0x01", validity: DAY },
      { deadline: 1n },
    );
    e = await relayOperation(env.wallet(9), env.target, stale).then(
      () => expect.fail("accepted"),
      (x: unknown) => x as RegistryRevertError,
    );
    expect(e.errorName).to.equal("SigilExpiredSignature");
    expect(e.message).to.include("deadline has passed; sign it again");
  });
});

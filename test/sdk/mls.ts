// MLS groups (RFC 9420, stock ts-mls with its documented defaults) whose members are did:sigil
// identities, each with an Ed25519 (or P-256) authentication key written to the registry on the
// in-process chain. The attacker holds member C's device state and its signature key; C's DID
// then rotates away from that key, is deactivated or is recovered by guardians. ts-mls checks a
// credential only when a leaf enters, so on its own it keeps accepting the thief (first test);
// with sigil-did/mls every commit, proposal and application message signed by the voided key is
// refused by every other member, and the removal an honest member commits is produced for it.
import { expect } from "chai";
import { Resolver } from "did-resolver";
import {
  createApplicationMessage,
  createCommit,
  createProposal,
  emptyPskIndex,
  joinGroup,
  processPrivateMessage,
  type CiphersuiteImpl,
  type MLSMessage,
} from "ts-mls";
import { bytesToHex, type Address } from "viem";
import {
  buildGuardianSet,
  createSigilResolver,
  getResolver,
  generateKeyPair,
  watchDidsPrivately,
  InvalidInputError,
  MessageError,
  publicKeyAttribute,
  type KeyPair,
} from "sigil-did";
import {
  checkCredential,
  checkGroupMembers,
  createSigilAuthService,
  didCredential,
  groupMembers,
  sigilClientConfig,
  staleOnChange,
  StaleMemberError,
  watchGroup,
  type MemberResolver,
  type StaleEvent,
} from "sigil-did/mls";
import { setup } from "./fixture.ts";
import { DAY, ED25519_SUITE, formGroup, keyPackage, laxConfig, publishMember, receive, suite, wire, type Member } from "./mls-helpers.ts";

const rejection = (work: Promise<unknown>) =>
  work.then(
    () => expect.fail("expected a refusal"),
    (e: unknown) => e as Error,
  );

describe("sdk mls: group members authenticated by their did:sigil DIDs, on ts-mls", () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let resolver: ReturnType<typeof createSigilResolver>;
  let cs: CiphersuiteImpl;
  let A: Member, B: Member, C: Member, D: Member;

  beforeEach(async () => {
    env = await setup();
    resolver = createSigilResolver({
      networks: [{ chainId: env.chainId, name: "local", registry: env.registry, provider: env.provider }],
      cache: false,
    });
    cs = await suite(ED25519_SUITE);
    [A, B, C, D] = await Promise.all([1, 2, 3, 4].map((i) => publishMember(env, i, "Ed25519", cs, resolver)));
    await formGroup(A, [B, C], cs, resolver);
  });

  const revokeKey = (m: Member, key: KeyPair) =>
    env.send(m.index, { type: "revokeAttribute", identity: m.address, ...publicKeyAttribute(key.type, "sigAuth", key.publicKey) });
  /** C's DID rotates away from the stolen key: the old key revoked, a new one published. */
  async function rotateC(): Promise<KeyPair> {
    const fresh = generateKeyPair("Ed25519");
    await revokeKey(C, C.key);
    await env.send(C.index, {
      type: "setAttribute",
      identity: C.address,
      ...publicKeyAttribute("Ed25519", "sigAuth", fresh.publicKey),
      validity: DAY,
    });
    return fresh;
  }
  const addD = () => ({ proposalType: "add" as const, add: { keyPackage: D.kp.publicPackage } });
  const removeB = () => ({ proposalType: "remove" as const, remove: { removed: B.state.privatePath.leafIndex } });
  /** Everything the thief can sign with C's state and key: each kind of commit, proposal and message. */
  async function thiefMessages(): Promise<[string, MLSMessage][]> {
    const app = await createApplicationMessage(C.state, new TextEncoder().encode("send the files to me"), cs);
    const appMessage: MLSMessage = { wireformat: "mls_private_message", version: "mls10", privateMessage: app.privateMessage };
    return [
      ["application message", appMessage],
      ["proposal (private)", (await createProposal(C.state, false, removeB(), cs)).message],
      ["proposal (public)", (await createProposal(C.state, true, removeB(), cs)).message],
      ["add-only commit (private)", (await createCommit({ state: C.state, cipherSuite: cs }, { extraProposals: [addD()] })).commit],
      [
        "add-only commit (public)",
        (await createCommit({ state: C.state, cipherSuite: cs }, { extraProposals: [addD()], wireAsPublicMessage: true })).commit,
      ],
      ["remove commit", (await createCommit({ state: C.state, cipherSuite: cs }, { extraProposals: [removeB()] })).commit],
      ["empty commit (update path)", (await createCommit({ state: C.state, cipherSuite: cs })).commit],
    ];
  }
  /** A watcher per honest member, as each app runs one; returns the events each saw. */
  function watchAB(r: MemberResolver = resolver) {
    const seen: Record<"A" | "B", StaleEvent[]> = { A: [], B: [] };
    const watchers = (
      [
        ["A", A],
        ["B", B],
      ] as const
    ).map(([name, m]) =>
      watchGroup(
        r,
        m.guard,
        () => m.state,
        (e) => seen[name].push(e),
      ),
    );
    return { seen, watchers, ready: Promise.all(watchers.map((w) => w.ready)), poll: () => Promise.all(watchers.map((w) => w.poll())) };
  }
  const expectRefusedByAB = (messages: [string, MLSMessage][], reason: string) => expectRefusedBy([A, B], messages, reason);
  async function expectRefusedBy(members: Member[], messages: [string, MLSMessage][], reason: string) {
    for (const m of members)
      for (const [label, message] of messages) {
        const error = await receive(m, message, cs).then(
          () => expect.fail(`${label} was accepted by leaf ${m.state.privatePath.leafIndex}`),
          (e: unknown) => e,
        );
        expect(error, label).to.be.instanceOf(StaleMemberError).and.to.be.instanceOf(MessageError);
        expect((error as StaleMemberError).refusal).to.equal("staleMember");
        expect((error as StaleMemberError).member).to.deep.include({ did: C.did, reason, leafIndex: C.state.privatePath.leafIndex });
      }
  }

  it("the attack, on ts-mls alone: after C's DID revokes the stolen key, its add-only commit and messages are still accepted", async () => {
    await rotateC();
    const app = await createApplicationMessage(C.state, new TextEncoder().encode("still me"), cs);
    const appWire = wire({ wireformat: "mls_private_message", version: "mls10", privateMessage: app.privateMessage });
    if (appWire.wireformat !== "mls_private_message") throw new Error("expected a private message");
    const received = await processPrivateMessage(A.state, appWire.privateMessage, emptyPskIndex, cs);
    expect(received.kind).to.equal("applicationMessage");
    const commit = wire((await createCommit({ state: C.state, cipherSuite: cs }, { extraProposals: [addD()] })).commit);
    if (commit.wireformat !== "mls_private_message") throw new Error("expected a private message");
    // Sigil's auth service is configured, yet nothing asks it: no leaf enters or changes.
    const applied = await processPrivateMessage(B.state, commit.privateMessage, emptyPskIndex, cs);
    expect(applied.kind === "newState" && applied.actionTaken).to.equal("accept");
    // The guard is what refuses it.
    B.guard.markStale((await checkGroupMembers(resolver, B.state)).stale);
    const refused = await receive(B, commit, cs).catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(StaleMemberError);
  });

  it("refuses at add an attacker's key package naming C's DID with a key the DID does not list, and one naming no DID", async () => {
    const thiefKey = generateKeyPair("Ed25519");
    const forged = await keyPackage(C.did, thiefKey, cs);
    const verdict = await checkCredential(resolver, forged.publicPackage.leafNode.credential, thiefKey.publicKey);
    expect(verdict).to.deep.include({ ok: false, did: C.did, reason: "keyNotAuthenticated" });
    const forgedAdd = { proposalType: "add" as const, add: { keyPackage: forged.publicPackage } };
    expect((await rejection(createCommit({ state: A.state, cipherSuite: cs }, { extraProposals: [forgedAdd] }))).message).to.match(
      /credential/i,
    );
    const plain = { credentialType: "basic" as const, identity: new TextEncoder().encode("mallory") };
    expect(await checkCredential(resolver, plain, thiefKey.publicKey)).to.deep.include({ ok: false, reason: "notDidCredential" });
    expect(() => didCredential("did:sigil:local:0x12#key-1"))
      .to.throw(InvalidInputError, /DID/)
      .with.property("code", "invalidInput");
    // A careless member (ts-mls's default service, which accepts anything) adds the thief: the others refuse that commit.
    const lax = { ...A.state, clientConfig: laxConfig };
    const laxCommit = await createCommit({ state: lax, cipherSuite: cs }, { extraProposals: [forgedAdd] });
    expect((await rejection(receive(B, laxCommit.commit, cs))).message).to.match(/credential/i);
    // And the forged package cannot join: it never got a welcome from an honest member; a real one does.
    const refusals: string[] = [];
    const service = createSigilAuthService(resolver, { onRefusal: (v) => refusals.push(v.reason) });
    expect(await service.validateCredential(forged.publicPackage.leafNode.credential, thiefKey.publicKey)).to.equal(false);
    expect(await service.validateCredential(didCredential(D.did), D.key.publicKey)).to.equal(true);
    expect(refusals).to.deep.equal(["keyNotAuthenticated"]);
  });

  it("after C's DID rotates away from the stolen key, A and B refuse every commit, proposal and message it signs (accepted before)", async () => {
    const watch = watchAB();
    await watch.ready;
    const before = await thiefMessages();
    for (const m of [A, B])
      for (const [label, message] of before) {
        const result = await receive(m, message, cs);
        expect(result.newState, label).to.not.equal(undefined);
        if ("actionTaken" in result) expect(result.actionTaken, label).to.equal("accept");
      }
    expect(watch.seen.A).to.deep.equal([]);
    await rotateC();
    await watch.poll();
    for (const name of ["A", "B"] as const) {
      expect(watch.seen[name]).to.have.length(1);
      const [event] = watch.seen[name];
      expect(event.stale.map((s) => [s.did, s.reason, s.leafIndex])).to.deep.equal([
        [C.did, "keyNotAuthenticated", C.state.privatePath.leafIndex],
      ]);
      expect(event.removal.proposals).to.deep.equal([{ proposalType: "remove", remove: { removed: C.state.privatePath.leafIndex } }]);
    }
    // The same kinds of message, signed anew by the thief, and the ones captured before (replayed).
    await expectRefusedByAB(await thiefMessages(), "keyNotAuthenticated");
    await expectRefusedByAB(before, "keyNotAuthenticated");
    watch.watchers.forEach((w) => w.stop());
  });

  it("an honest member commits the removal; C rejoins with a key package for its new key; the thief is out", async () => {
    const watch = watchAB();
    await watch.ready;
    const fresh = await rotateC();
    await watch.poll();
    const { state, proposals } = A.guard.prepareRemoval(A.state);
    const removal = await createCommit({ state, cipherSuite: cs }, { extraProposals: proposals });
    A.state = removal.newState;
    B.state = (await receive(B, removal.commit, cs)).newState;
    const dids = (s: typeof A.state) => groupMembers(s).map((m) => m.did);
    expect(dids(A.state)).to.deep.equal([A.did, B.did]).and.to.deep.equal(dids(B.state));
    // C, with its new key (published by the rotation), asks to be added again.
    const rejoin = await keyPackage(C.did, fresh, cs);
    const add = await createCommit(
      { state: A.state, cipherSuite: cs },
      { extraProposals: [{ proposalType: "add", add: { keyPackage: rejoin.publicPackage } }] },
    );
    A.state = add.newState;
    B.state = (await receive(B, add.commit, cs)).newState;
    const config = sigilClientConfig(resolver);
    const back = await joinGroup(
      add.welcome!,
      rejoin.publicPackage,
      rejoin.privatePackage,
      emptyPskIndex,
      cs,
      A.state.ratchetTree,
      undefined,
      config,
    );
    const hello = await createApplicationMessage(back, new TextEncoder().encode("back, with my new key"), cs);
    const got = await receive(B, { wireformat: "mls_private_message", version: "mls10", privateMessage: hello.privateMessage }, cs);
    expect("kind" in got && got.kind === "applicationMessage" && new TextDecoder().decode(got.message)).to.equal("back, with my new key");
    // The thief's state is two epochs behind, but ts-mls keeps past epochs' keys to read late
    // application messages: the guard refuses it by its voided key, whatever the epoch.
    const late = await createApplicationMessage(C.state, new TextEncoder().encode("still here?"), cs);
    const refused = await rejection(
      receive(A, { wireformat: "mls_private_message", version: "mls10", privateMessage: late.privateMessage }, cs),
    );
    expect(refused).to.be.instanceOf(StaleMemberError);
    expect((refused as StaleMemberError).member).to.deep.include({ did: C.did, leafIndex: 2 });
    expect((refused as StaleMemberError).contentType).to.equal("application");
  });

  it("the private watcher drives the guard too: its change for C marks the leaf stale at once", async () => {
    const network = { chainId: env.chainId, name: "local", registry: env.registry, provider: env.provider, fromBlock: 0n };
    const head = await env.publicClient.getBlock({ blockTag: "latest" });
    const events: StaleEvent[] = [];
    const privately = watchDidsPrivately(
      network,
      [A.did, B.did, C.did],
      staleOnChange(
        B.guard,
        () => B.state,
        (e) => events.push(e),
      ),
      {
        checkpoint: { blockNumber: head.number, blockHash: head.hash },
        confirmations: 0,
      },
    );
    await privately.ready;
    await rotateC();
    await privately.poll();
    privately.stop();
    expect(events.map((e) => e.stale.map((s) => [s.did, s.reason]))).to.deep.equal([[[C.did, "keyNotAuthenticated"]]]);
    // B's guard heard it (A runs no watcher here): B refuses every kind of message the thief signs.
    await expectRefusedBy([B], await thiefMessages(), "keyNotAuthenticated");
  });

  it("checks the whole group with one resolveMany, naming the stale leaf", async () => {
    const calls: string[][] = [];
    const counting: MemberResolver = { resolveMany: (dids) => (calls.push([...dids]), resolver.resolveMany(dids)) };
    const fine = await checkGroupMembers(counting, A.state);
    expect(calls).to.deep.equal([[A.did, B.did, C.did]]);
    expect(fine.stale).to.deep.equal([]);
    expect(fine.members.map((m) => m.leafIndex)).to.deep.equal([0, 1, 2]);
    await rotateC();
    const check = await checkGroupMembers(counting, A.state);
    expect(calls).to.have.length(2);
    expect(check.stale.map((s) => [s.leafIndex, s.did, s.reason, bytesToHex(s.signaturePublicKey)])).to.deep.equal([
      [2, C.did, "keyNotAuthenticated", bytesToHex(C.key.publicKey)],
    ]);
    // A resolver that fails says nothing about anyone: nobody is stale, everyone unchecked.
    const down: MemberResolver = { resolveMany: async () => Promise.reject(new Error("node down")) };
    const unknown = await checkGroupMembers(down, A.state);
    expect(unknown.stale).to.deep.equal([]);
    expect(unknown.unchecked.map((u) => u.did)).to.deep.equal([A.did, B.did, C.did]);
  });

  it("C's DID deactivated: A and B refuse everything its leaf signs (watching through a plain did-resolver Resolver)", async () => {
    const plain = new Resolver(
      getResolver({ networks: [{ chainId: env.chainId, name: "local", registry: env.registry, provider: env.provider }], cache: false }),
    );
    const watch = watchAB(plain);
    await watch.ready;
    await env.send(C.index, { type: "deactivate", identity: C.address });
    await watch.poll();
    expect(watch.seen.B.flatMap((e) => e.stale.map((s) => s.reason))).to.deep.equal(["deactivated"]);
    await expectRefusedByAB(await thiefMessages(), "deactivated");
  });

  it("C's controller recovered by a guardian with a purge: the stolen key is voided and refused", async () => {
    const guardians = env.addresses.slice(10, 12) as Address[];
    const set = buildGuardianSet({ identity: C.address, guardians, threshold: 1, delay: 3_600n });
    await env.send(C.index, { type: "setGuardians", identity: C.address, root: set.root, threshold: 1n, delay: 3_600n });
    const watch = watchAB();
    await watch.ready;
    const recovery = { newOwner: env.addresses[12] as Address, nextCommitment: `0x${"0".repeat(64)}` as const, purge: true };
    const card = set.cards[0];
    await env.send(10, {
      type: "approveRecovery",
      identity: C.address,
      recovery,
      proof: { guardian: card.guardian, salt: card.salt, proof: card.proof },
    });
    await env.networkHelpers.time.increase(3_600);
    await env.send(0, { type: "finalizeRecovery", identity: C.address, recovery });
    await watch.poll();
    expect(watch.seen.A.flatMap((e) => e.stale.map((s) => [s.did, s.reason]))).to.deep.equal([[C.did, "keyNotAuthenticated"]]);
    await expectRefusedByAB(await thiefMessages(), "keyNotAuthenticated");
  });
});

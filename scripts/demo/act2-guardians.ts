// Act 2: Carol's phone is stolen before she committed to a next key. The thief takes her
// controller key and tries everything; her guardians (2 of 3, named on chain only by a salted
// root) recover the identity after the delay, and Bob's app is warned of the pending recovery
// and of its outcome.
import { getAddress, zeroAddress, zeroHash, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  buildGuardianSet,
  bytes32Name,
  generateNextKey,
  serviceAttribute,
  signMessage,
  verifyMessage,
  watchDids,
  type RecoveryProposal,
  type Watcher,
} from "sigil-did";
import type { Demo } from "./kit.ts";

const DAY = 86_400;
const json = (x: unknown) => JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? v.toString() : v)).toLowerCase();
const YEAR = 365n * BigInt(DAY);

interface Person {
  key: Hex;
  address: Address;
}
const person = (): Person => {
  const key = generatePrivateKey();
  return { key, address: privateKeyToAccount(key).address };
};

/** Carol names three guardians, two of whom can recover her DID after 7 days; the chain learns only a salted root. */
async function nameGuardians(d: Demo) {
  d.step("Carol creates a DID and names three guardians, any two of whom can recover it after 7 days");
  const carol = person();
  const [dan, erin, frank] = [person(), person(), person()];
  const carolDid = d.did(carol.address);
  d.say(`   Carol: ${carolDid}`);
  const set = buildGuardianSet({
    identity: carol.address,
    guardians: [dan.address, erin.address, frank.address],
    threshold: 2,
    delay: BigInt(7 * DAY),
  });
  await d.relay(carol.key, { type: "setGuardians", identity: carol.address, root: set.root, threshold: 2n, delay: set.delay });
  await d.relay(carol.key, {
    type: "setAttribute",
    identity: carol.address,
    ...serviceAttribute("MessagingService", "https://relay.example/inbox/carol"),
    validity: YEAR,
  });
  const meta = (await d.resolver.resolve(carolDid)).didDocumentMetadata as {
    sigil: { guardians: { threshold: number; delaySeconds: number } | null };
  };
  d.check(
    meta.sigil.guardians?.threshold === 2 && meta.sigil.guardians.delaySeconds === 7 * DAY,
    "her document shows guardians: 2 needed, 7-day delay",
  );
  const onChain = json(await d.publicClient.getLogs({ address: d.registry, fromBlock: 0n }));
  d.check(
    ![dan, erin, frank].some((g) => onChain.includes(g.address.slice(2).toLowerCase())),
    "but not who they are: the chain holds only a salted root (each guardian keeps a card)",
  );
  return { carol, dan, erin, frank, carolDid, set };
}
type Guarded = Awaited<ReturnType<typeof nameGuardians>>;

/** The thief commits to his own key and rotates to it; what he then cannot do. */
async function steal(d: Demo, { carol }: Guarded, bobsApp: Watcher) {
  d.step("A thief steals Carol's phone and her key, before she committed to a next key");
  const thief = person();
  await d.refused(
    "deactivate Carol's DID with her stolen key",
    () => d.relay(carol.key, { type: "deactivate", identity: carol.address }),
    "SigilGuardedDeactivation",
  );
  const thiefNext = generateNextKey();
  await d.relay(carol.key, { type: "commitNextOwner", identity: carol.address, commitment: thiefNext.commitment });
  const escape = generateNextKey();
  await d.relay(thiefNext.privateKey, {
    type: "rotate",
    identity: carol.address,
    salt: thiefNext.salt,
    newOwner: thief.address,
    nextCommitment: escape.commitment,
    purge: false,
    revokeDelegates: [],
    revokeAttributes: [],
  });
  await d.relay(thief.key, {
    type: "addDelegate",
    identity: carol.address,
    delegateType: bytes32Name("sigAuth"),
    delegate: thief.address,
    validity: YEAR,
  });
  d.check(true, "he commits to a key of his own and rotates to it: he now controls Carol's DID");
  const theft = (await bobsApp.poll()).flatMap((c) => c.changes.map((x) => x.kind));
  d.check(
    theft.includes("controllerChanged") && theft.includes("keyAdded"),
    "Bob's app warns at once: Carol's controller and keys changed",
  );
  const thiefGuardians = buildGuardianSet({ identity: carol.address, guardians: [thief.address], threshold: 1, delay: 3_600n });
  await d.refused(
    "swap her guardians for his own (his commitment locks the guardians too)",
    () =>
      d.relay(thief.key, {
        type: "setGuardians",
        identity: carol.address,
        root: thiefGuardians.root,
        threshold: 1n,
        delay: thiefGuardians.delay,
      }),
    "SigilNextOwnerCommitted",
  );
  const toZero = {
    type: "rotate",
    identity: carol.address,
    salt: escape.salt,
    newOwner: zeroAddress,
    nextCommitment: zeroHash,
    purge: true,
    revokeDelegates: [],
    revokeAttributes: [],
  } as const;
  await d.refused("deactivate it with his fresh next key", () => d.relay(escape.privateKey, toZero), "SigilCommitmentNotSenior");

  return { thief, escape };
}
type Stolen = Awaited<ReturnType<typeof steal>>;

/** Two guardians recover the DID to Carol's new phone; the thief cannot stop it; anyone finalises it. */
async function recover(d: Demo, { carol, dan, erin, frank, carolDid, set }: Guarded, { thief, escape }: Stolen, bobsApp: Watcher) {
  d.step("Carol, on a new phone, asks Dan and Erin to recover her DID (they need no coins: the app relays)");
  const newPhone = person();
  const carolNext = generateNextKey();
  const recovery: RecoveryProposal = { newOwner: newPhone.address, nextCommitment: carolNext.commitment, purge: true };
  const proof = (i: number) => ({ guardian: set.cards[i].guardian, salt: set.cards[i].salt, proof: set.cards[i].proof });
  await d.relay(dan.key, { type: "approveRecovery", identity: carol.address, recovery, proof: proof(0) });
  const proposed = (await bobsApp.poll()).flatMap((c) => c.changes.map((x) => x.kind));
  d.check(proposed.includes("recoveryProposed"), "Dan proposes the recovery (Bob's app: a recovery was proposed)");
  const armed = await d.relay(erin.key, { type: "approveRecovery", identity: carol.address, recovery, proof: proof(1) });
  d.check(
    armed.events.some((e) => e.kind === "recoveryApproved" && e.readyAt > 0n),
    "Erin approves: two of three, the recovery is armed and waits 7 days",
  );
  const warning = (await bobsApp.poll()).flatMap((c) => c.changes);
  d.check(
    warning.some((c) => c.kind === "recoveryArmed"),
    "Bob's app warns: a recovery of Carol's DID is pending",
  );
  const acted = json(armed);
  d.check(!acted.includes(frank.address.slice(2).toLowerCase()), "Frank, who did nothing, is still not revealed");

  d.step("The thief tries to stop the recovery");
  await d.refused(
    "cancel it with his own next key",
    () => d.relay(escape.privateKey, { type: "cancelRecovery", identity: carol.address, salt: escape.salt }),
    "SigilCommitmentNotSenior",
  );
  const later = generateNextKey();
  await d.refused(
    "rotate again",
    () =>
      d.relay(escape.privateKey, {
        type: "rotate",
        identity: carol.address,
        salt: escape.salt,
        newOwner: thief.address,
        nextCommitment: later.commitment,
        purge: false,
        revokeDelegates: [],
        revokeAttributes: [],
      }),
    "SigilRecoveryPending",
  );
  await d.refused(
    "finalise it early",
    () => d.send({ type: "finalizeRecovery", identity: carol.address, recovery }),
    "SigilRecoveryNotReady",
  );
  await d.advance(7 * DAY);

  d.step("Seven days later anyone may finalise it: the app's relayer does");
  const done = await d.send({ type: "finalizeRecovery", identity: carol.address, recovery });
  d.check(
    done.events.some((e) => e.kind === "recovered"),
    "recovered: Carol's new phone controls her DID, with a fresh next key committed",
  );
  const after = await d.resolver.resolve(carolDid);
  d.check(
    after.didDocument?.verificationMethod?.length === 1 &&
      after.didDocument.verificationMethod[0].blockchainAccountId?.endsWith(getAddress(newPhone.address)) === true,
    "her document lists only her new key: the thief's are void",
  );
  const outcome = (await bobsApp.poll()).flatMap((c) => c.changes.map((x) => x.kind));
  bobsApp.stop();
  d.check(
    outcome.includes("recoveryClosed") && outcome.includes("controllerChanged"),
    "Bob's app reports the outcome: recovery done, Carol's controller changed",
  );

  return { newPhone };
}

/** A second thief with the new phone's key cannot take the guardian route: Carol is pre-rotated now. */
async function secondThief(d: Demo, { carol, carolDid }: Guarded, newPhone: Person) {
  d.step("A second thief steals her new phone's key; Carol is pre-rotated now: he tries the guardian route and is stopped");
  const thief2 = person();
  const own = buildGuardianSet({ identity: carol.address, guardians: [thief2.address], threshold: 1, delay: 3_600n });
  await d.refused(
    "name himself her guardian (1 of 1, one hour), to recover her DID before her next key comes online",
    () => d.relay(newPhone.key, { type: "setGuardians", identity: carol.address, root: own.root, threshold: 1n, delay: own.delay }),
    "SigilNextOwnerCommitted",
  );
  await d.advance(3_600);
  await d.refused(
    "an hour later, put it into effect",
    () => d.send({ type: "applyGuardians", identity: carol.address }),
    "SigilNoGuardianChange",
  );
  const grab: RecoveryProposal = { newOwner: thief2.address, nextCommitment: zeroHash, purge: true };
  await d.refused(
    "approve a recovery to himself with a card of his own",
    () =>
      d.relay(thief2.key, {
        type: "approveRecovery",
        identity: carol.address,
        recovery: grab,
        proof: { guardian: thief2.address, salt: own.cards[0].salt, proof: own.cards[0].proof },
      }),
    "SigilNotGuardian",
  );
  const guarded = await d.resolver.resolve(carolDid);
  const after2 = (
    guarded.didDocumentMetadata as {
      sigil: { preRotation: boolean; guardians: { threshold: number } | null; pendingGuardianChange: unknown };
    }
  ).sigil;
  d.check(
    after2.preRotation && after2.guardians?.threshold === 2 && after2.pendingGuardianChange === null,
    "her next key and her guardians are as she left them: only her next key can rotate",
  );
}

/** Messages signed by the thief's or the stolen key fail; her new key's verify. */
async function messagesAfter(d: Demo, { carol, carolDid }: Guarded, { thief }: Stolen, newPhone: Person) {
  d.step("The thief's messages are rejected; Carol's verify");
  const now = { now: await d.chainTime() };
  const forged = await signMessage({ did: carolDid, secretKey: thief.key }, { text: "It's Carol, new number" }, await d.chainTime());
  d.check(!(await verifyMessage(forged, d.resolver, now)).ok, "signed with the thief's key");
  const stolen = await signMessage({ did: carolDid, secretKey: carol.key }, { text: "It's Carol" }, await d.chainTime());
  d.check(!(await verifyMessage(stolen, d.resolver, now)).ok, "signed with her stolen key");
  const hers = await signMessage({ did: carolDid, secretKey: newPhone.key }, { text: "Carol here, on my new phone." }, await d.chainTime());
  d.check((await verifyMessage(hers, d.resolver, now)).ok, "signed with her new key");
}

export async function actTwo(d: Demo) {
  d.say("\n=== Act 2: Carol's phone is stolen before she committed to a next key; her guardians recover her ===");
  const guarded = await nameGuardians(d);
  const bobsApp = watchDids(d.resolver, [guarded.carolDid], (c) => d.warn("Carol", c));
  await bobsApp.ready;
  await d.advance(60);
  const stolen = await steal(d, guarded, bobsApp);
  const { newPhone } = await recover(d, guarded, stolen, bobsApp);
  await secondThief(d, guarded, newPhone);
  await messagesAfter(d, guarded, stolen, newPhone);
}

// The example messenger, end to end:  npm run example
// Alice, Bob and Carol run the same app (scripts/example/app.ts: stock didcomm-node and ts-mls,
// glued to did:sigil by the SDK's adapters) on the in-process chain. They talk 1:1 over DIDComm v2
// and in an MLS group; Carol's phone is stolen and she rotates with her pre-committed key; Bob's
// phone is seized and his guardians recover his DID. Every claim is checked; exit code 1 if any
// did not hold. The test (test/example/messenger.ts) runs this very process.
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { type Address, type Hex } from "viem";
import { Message } from "didcomm-node";
import {
  addDeviceOperations,
  buildGuardianSet,
  describeChange,
  didcommResolver,
  didcommSecrets,
  diffResolutions,
  generateDevice,
  generateNextKey,
  planRotation,
  safetyNumber,
  type NewDevice,
  type RecoveryProposal,
} from "sigil-did";
import { StaleMemberError } from "sigil-did/mls";
import { startDemo, type Demo } from "../demo/kit.ts";
import { Messenger, sigilGlueLines, suite, type GroupWire } from "./app.ts";

const YEAR = 365n * 86_400n;
const DAY = 86_400;

interface Person {
  key: Hex;
  address: Address;
  did: string;
  app: Messenger;
}

/** A person with a DID (no transaction), a device published on it, and the app on that device. */
async function person(d: Demo, name: string, cs: Awaited<ReturnType<typeof suite>>): Promise<Person> {
  const key = generatePrivateKey();
  const address = privateKeyToAccount(key).address;
  const did = d.did(address);
  const app = new Messenger(name, did, d.resolver, cs);
  await addDevice(d, { key, address, app }, "phone");
  return { key, address, did, app };
}

/** Publishes a new device (keys, then its label) signed by `key`, and moves the app onto it. */
async function addDevice(d: Demo, who: { key: Hex; address: Address; app: Messenger }, name: string): Promise<NewDevice> {
  const device = generateDevice(name);
  const ops = addDeviceOperations(
    who.address,
    { name, signingPublicKey: device.signing.publicKey, keyAgreementPublicKey: device.keyAgreement.publicKey },
    YEAR,
  );
  for (const op of ops) await d.relay(who.key, op);
  await who.app.useDevice(name, device.signing, device.keyAgreement);
  return device;
}

/** Delivers a group message to each app; returns what each made of it (text, "commit", or the refusal). */
async function deliver(wire: GroupWire, to: Messenger[]): Promise<string[]> {
  return Promise.all(
    to.map((app) =>
      app.process(wire).then(
        (t) => t ?? "commit",
        (e: unknown) =>
          e instanceof StaleMemberError ? `refused: ${e.member.did} leaf ${e.member.leafIndex}, ${e.member.reason}` : `error: ${String(e)}`,
      ),
    ),
  );
}

async function refusedWith(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work;
    return undefined;
  } catch (e) {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
}

const started = performance.now();
const d = await startDemo();
const cs = await suite();

d.step("Alice, Bob and Carol each create a DID and publish one device: an Ed25519 signing key and an X25519 key-agreement key");
const [alice, bob, carol] = [await person(d, "Alice", cs), await person(d, "Bob", cs), await person(d, "Carol", cs)];
d.say(`   Alice ${alice.did}\n   Bob   ${bob.did}\n   Carol ${carol.did}`);
const carolNext = generateNextKey();
await d.relay(carol.key, { type: "commitNextOwner", identity: carol.address, commitment: carolNext.commitment });
const carolsRotation = await d.sign(
  carolNext.privateKey,
  planRotation({ identity: carol.address, salt: carolNext.salt, newOwner: carolNext.address }).rotate,
  BigInt(await d.chainTime()) + 30n * BigInt(DAY),
);
const [dan, erin, frank] = [generatePrivateKey(), generatePrivateKey(), generatePrivateKey()].map((k) => ({
  key: k,
  address: privateKeyToAccount(k).address,
}));
const bobsGuardians = buildGuardianSet({
  identity: bob.address,
  guardians: [dan.address, erin.address, frank.address],
  threshold: 2,
  delay: BigInt(7 * DAY),
});
await d.relay(bob.key, {
  type: "setGuardians",
  identity: bob.address,
  root: bobsGuardians.root,
  threshold: 2n,
  delay: bobsGuardians.delay,
});
const meta = async (p: Person) =>
  (await d.resolver.resolve(p.did)).didDocumentMetadata as { sigil: { preRotation: boolean; guardians: { threshold: number } | null } };
d.check((await meta(carol)).sigil.preRotation, "Carol committed to a next key and signed her rotation with it in advance (kept offline)");
d.check((await meta(bob)).sigil.guardians?.threshold === 2, "Bob named three guardians, any two of whom can recover his DID after 7 days");

d.step("1:1 over DIDComm v2 (didcomm-node, authcrypt): Alice writes to Bob, Bob answers");
const hi = await alice.app.send(bob.did, { text: "Hi Bob, it's Alice." });
const got = await bob.app.receive(hi, await d.chainTime());
d.check(got.from === alice.did && got.body.text === "Hi Bob, it's Alice.", "Bob's app opens it and knows it is from Alice's DID");
const reply = await alice.app.receive(await bob.app.send(alice.did, { text: "Hi Alice!" }), await d.chainTime());
d.check(reply.from === bob.did, "Alice's app opens Bob's answer");
const aliceSeesCarol = await d.resolver.resolve(carol.did);
d.say(
  `   Alice and Carol compare their safety number once: ${safetyNumber(await d.resolver.resolve(alice.did), aliceSeesCarol).slice(0, 23)}…`,
);

d.step("An MLS group of three (ts-mls): every member's leaf key checked against its DID as it joins");
await alice.app.startGroup("sigil-example");
const invited = await alice.app.add([await bob.app.keyPackage(), await carol.app.keyPackage()]);
await bob.app.join(invited.welcome, invited.tree);
await carol.app.join(invited.welcome, invited.tree);
d.check(bob.app.members().join() === [alice.did, bob.did, carol.did].join(), "Bob's app sees the three members by their DIDs");
const watchers = [alice, bob, carol].map((p) => p.app.watchGroup());
await Promise.all(watchers.map((w) => w.ready));
const morning = await deliver(await carol.app.post("Morning all"), [alice.app, bob.app]);
d.check(
  morning.every((t) => t === "Morning all"),
  "Carol's message reaches Alice and Bob",
);

d.step("A thief takes Carol's phone: her controller key, her device's keys and her group state");
const thief = carol.app;
const thiefKeys = thief.deviceKeys();
const beforeRotation = await d.chainTime();
d.say("   Carol relays the rotation she signed in advance with her next key; it voids every key published before");
const rotation = await d.relaySigned(carolsRotation);
d.check(
  rotation.events.some((e) => e.kind === "rotate"),
  `rotated (${rotation.gasUsed} gas): the stolen keys are void`,
);
await Promise.all(watchers.map((w) => w.poll()));
d.check(
  alice.app.staleEvents.length === 1 && bob.app.staleEvents.length === 1,
  "Alice's and Bob's watchers mark Carol's leaf stale at once",
);
const thiefPost = await deliver(await thief.post("Send me the meeting place"), [alice.app, bob.app]);
d.check(
  thiefPost.every((t) => t.startsWith("refused")),
  "the thief's group message, signed by the voided key, is refused by both",
  thiefPost[0],
);
// The thief runs his own software: he packs with Carol's documents as they were before the rotation.
const forgery = new Message({
  id: "forged-1",
  typ: "application/didcomm-plain+json",
  type: "https://example.org/chat/1.0/text",
  from: carol.did,
  to: [bob.did],
  body: { text: "It's Carol, new number" },
});
const [forged] = await forgery.pack_encrypted(
  bob.did,
  carol.did,
  null,
  didcommResolver(d.resolver, { at: beforeRotation, skewSeconds: 0 }),
  didcommSecrets([{ kid: thiefKeys.keyAgreementKid, type: "X25519", secretKey: thiefKeys.keyAgreement.secretKey }]),
  {},
);
const forgedRefusal = await refusedWith(bob.app.receive(forged, await d.chainTime()));
d.check(
  forgedRefusal !== undefined,
  "his DIDComm message as Carol is refused by Bob's app: her old key-agreement key is not hers at receipt",
  forgedRefusal,
);
const removal = await alice.app.removeStale();
await deliver(removal, [bob.app]);
d.check(
  alice.app.members().length === 2 && bob.app.members().join() === alice.app.members().join(),
  "Alice commits Carol's removal; Bob applies it: the thief no longer reads the group",
);

d.step("Carol, on a new phone with her next key, publishes a new device and is added back");
const carolNew = { key: carolNext.privateKey, address: carol.address, app: new Messenger("Carol", carol.did, d.resolver, cs) };
await addDevice(d, carolNew, "new phone");
const aliceDoc = await d.resolver.resolve(alice.did);
const carolNow = await d.resolver.resolve(carol.did);
const carolChanges = diffResolutions(aliceSeesCarol, carolNow).filter((c) => c.kind.startsWith("device") || c.kind === "controllerChanged");
d.say(`   Alice's app: ${carolChanges.map(describeChange).join("; ")}`);
d.check(
  safetyNumber(aliceDoc, carolNow) !== safetyNumber(aliceDoc, aliceSeesCarol) && carolChanges.some((c) => c.kind === "deviceAdded"),
  "their safety number changed, and Alice's app names the device added and the one removed",
);
const back = await alice.app.add([await carolNew.app.keyPackage()]);
await deliver(back.commit, [bob.app]);
await carolNew.app.join(back.welcome, back.tree);
const again = await deliver(await carolNew.app.post("Back, new phone"), [alice.app, bob.app]);
d.check(
  again.every((t) => t === "Back, new phone"),
  "Carol's new device writes to the group; Alice and Bob accept it",
);

d.step("Bob's phone is seized before he committed a next key; two of his guardians recover his DID");
const seized = bob.app;
const bobsNewPhone = generatePrivateKey();
const bobNext = generateNextKey();
const recovery: RecoveryProposal = { newOwner: privateKeyToAccount(bobsNewPhone).address, nextCommitment: bobNext.commitment, purge: true };
const card = (i: number) => ({
  guardian: bobsGuardians.cards[i].guardian,
  salt: bobsGuardians.cards[i].salt,
  proof: bobsGuardians.cards[i].proof,
});
await d.relay(dan.key, { type: "approveRecovery", identity: bob.address, recovery, proof: card(0) });
await d.relay(erin.key, { type: "approveRecovery", identity: bob.address, recovery, proof: card(1) });
await d.advance(7 * DAY);
const recovered = await d.send({ type: "finalizeRecovery", identity: bob.address, recovery });
d.check(
  recovered.events.some((e) => e.kind === "recovered"),
  "after the 7-day delay the recovery is final: every key of the seized phone is void",
);
const groupWatchers = [alice, carolNew].map((p) => p.app.watchGroup());
await Promise.all(groupWatchers.map((w) => w.ready));
const seizedPost = await deliver(await seized.post("Who else is in this group?"), [alice.app, carolNew.app]);
d.check(
  seizedPost.every((t) => t.startsWith("refused")),
  "a message from the seized phone's group state is refused by Alice and Carol",
  seizedPost[0],
);
await deliver(await alice.app.removeStale(), [carolNew.app]);
const bobNew = { key: bobsNewPhone, address: bob.address, app: new Messenger("Bob", bob.did, d.resolver, cs) };
await addDevice(d, bobNew, "new phone");
const bobBack = await alice.app.add([await bobNew.app.keyPackage()]);
await deliver(bobBack.commit, [carolNew.app]);
await bobNew.app.join(bobBack.welcome, bobBack.tree);
const last = await deliver(await bobNew.app.post("Recovered. Hi both."), [alice.app, carolNew.app]);
d.check(
  last.every((t) => t === "Recovered. Hi both."),
  "Bob's recovered DID, on a new device, is back in the group",
);
const hello = await carolNew.app.receive(await bobNew.app.send(carol.did, { text: "Is it really you?" }), await d.chainTime());
d.check(hello.from === bob.did, "and 1:1 DIDComm between the new devices works");

[...watchers, ...groupWatchers].forEach((w) => w.stop());
const glue = sigilGlueLines();
d.say(`\nThe app's Sigil glue: ${glue} lines calling the SDK's adapters (scripts/example/app.ts).`);
const failures = d.failures();
d.say(`${failures === 0 ? "All checks held" : `${failures} check(s) FAILED`} (${((performance.now() - started) / 1000).toFixed(1)} s).`);
await d.close();
process.exitCode = failures === 0 ? 0 : 1;

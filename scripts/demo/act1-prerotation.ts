// Act 1: a stolen key, with a next key committed in advance. Alice and Bob verify each other
// once (a safety number) and talk with signed and encrypted messages. The thief can add keys
// and swap Alice's endpoint and encryption key until she rotates; Bob's app warns of each
// change and will not encrypt to the swapped key until Bob confirms. The thief cannot take
// over, nor stop or void the rotation Alice signed in advance and kept offline with her next
// key; it voids everything published before in O(1) gas and commits to a fresh key.
import { getAddress, zeroHash, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  buildGuardianSet,
  bytes32Name,
  commitmentOf,
  createContacts,
  decryptMessage,
  encryptMessage,
  generateKeyPair,
  generateNextKey,
  keyAgreementKeys,
  MessageError,
  planRotation,
  publicKeyAttribute,
  safetyNumber,
  serviceAttribute,
  sigilRegistryAbi,
  signMessage,
  UnverifiedChangeError,
  verifyMessage,
  watchDids,
  type KeyPair,
  type Watcher,
} from "sigil-did";
import type { Demo } from "./kit.ts";

const YEAR = 365n * 86_400n;

/** Alice and Bob get DIDs, publish endpoints and encryption keys, verify each other once and talk. */
async function meet(d: Demo) {
  d.step("Alice and Bob create DIDs: a fresh key each, no transaction, no phone number");
  const aliceKey = generatePrivateKey();
  const bobKey = generatePrivateKey();
  const alice = privateKeyToAccount(aliceKey).address;
  const bob = privateKeyToAccount(bobKey).address;
  const aliceDid = d.did(alice);
  const bobDid = d.did(bob);
  d.say(`   Alice: ${aliceDid}\n   Bob:   ${bobDid}`);
  const fresh = await d.resolver.resolve(aliceDid);
  d.check(
    fresh.didDocument?.verificationMethod?.length === 1,
    "Alice's DID resolves before any transaction: every address is a DID from birth",
  );

  d.step("Both publish a messaging endpoint and an X25519 encryption key (signed by them, relayed by the app)");
  const publish = async (key: Hex, who: Address, x: KeyPair, inbox: string) => {
    await d.relay(key, { type: "setAttribute", identity: who, ...serviceAttribute("MessagingService", inbox), validity: YEAR });
    await d.relay(key, { type: "setAttribute", identity: who, ...publicKeyAttribute("X25519", "enc", x.publicKey), validity: YEAR });
  };
  const aliceX = generateKeyPair("X25519");
  const bobX = generateKeyPair("X25519");
  await publish(aliceKey, alice, aliceX, "https://relay.example/inbox/alice");
  await publish(bobKey, bob, bobX, "https://relay.example/inbox/bob");
  const published = await d.resolver.resolve(aliceDid);
  d.check(
    published.didDocument?.service?.[0]?.serviceEndpoint === "https://relay.example/inbox/alice",
    "Alice's document lists her endpoint",
  );
  d.check(keyAgreementKeys(published).length === 1, "and her key-agreement key");

  d.step("They compare their safety number once, in person; Bob's app remembers Alice's keys");
  const bobs = await d.resolver.resolve(bobDid);
  d.say(`   safety number: ${safetyNumber(published, bobs)}`);
  d.check(safetyNumber(bobs, published) === safetyNumber(published, bobs), "both phones show the same 60 digits");
  const bobsContacts = createContacts(d.resolver);
  await bobsContacts.confirm(aliceDid);

  d.step("They exchange signed and encrypted messages");
  const now = async () => ({ now: await d.chainTime() });
  const hello = await signMessage({ did: aliceDid, secretKey: aliceKey }, { text: "Hi Bob, it's Alice." }, await d.chainTime());
  const helloReceivedAt = await d.chainTime(); // Bob's app stores when it received each message
  d.check((await verifyMessage(hello, d.resolver, await now())).ok, "Bob verifies Alice's signed message against her DID");
  const bobKeyId = keyAgreementKeys(bobs)[0].id;
  const sealed = await bobsContacts.encryptTo(
    aliceDid,
    { text: "Meet at 6." },
    { from: { did: bobDid, keyId: bobKeyId, secretKey: bobX.secretKey } },
  );
  const opened = await decryptMessage(sealed, { did: aliceDid, secretKey: aliceX.secretKey }, d.resolver, await now());
  d.check(
    opened.payload.text === "Meet at 6." && opened.from === bobDid,
    "Alice decrypts Bob's message, and it proves it is from Bob's DID",
  );

  return { aliceKey, alice, aliceDid, aliceX, bobDid, bobX, bobKeyId, published, bobs, bobsContacts, hello, helloReceivedAt, now };
}
type Met = Awaited<ReturnType<typeof meet>>;

/** Alice commits to a next key and signs her rotation with it in advance. */
async function commitNextKey(d: Demo, { aliceKey, alice, aliceDid }: Met) {
  d.step("Alice commits to a next key (salted: nobody can confirm a guess of it) and signs her rotation in advance");
  const next = generateNextKey();
  await d.relay(aliceKey, { type: "commitNextOwner", identity: alice, commitment: next.commitment });
  const committed = await d.resolver.resolve(aliceDid);
  d.check(
    (committed.didDocumentMetadata as { sigil: { preRotation: boolean } }).sigil.preRotation,
    "her document metadata shows pre-rotation is on",
  );
  d.check(commitmentOf(next.address, zeroHash) !== next.commitment, "hashing her next key's address alone does not match the commitment");
  const plan = planRotation({ identity: alice, salt: next.salt, newOwner: next.address });
  const presigned = await d.sign(next.privateKey, plan.rotate, BigInt(await d.chainTime()) + 30n * 86_400n);
  d.check(true, "the signed rotation and the next key go offline together; it is valid for 30 days");

  return { next, plan, presigned };
}
type Committed = Awaited<ReturnType<typeof commitNextKey>>;

/** The thief holds Alice's current key: what he can still do, what Bob's app sees, and what he cannot do. */
async function steal(d: Demo, { aliceKey, alice, aliceDid, aliceX, bobsContacts }: Met, { plan }: Committed, bobsApp: Watcher) {
  d.step("A thief steals Alice's current key");
  const thiefKey = generatePrivateKey();
  const thief = privateKeyToAccount(thiefKey).address;
  const thiefX = generateKeyPair("X25519");
  await d.relay(aliceKey, { type: "addDelegate", identity: alice, delegateType: bytes32Name("sigAuth"), delegate: thief, validity: YEAR });
  await d.relay(aliceKey, {
    type: "revokeAttribute",
    identity: alice,
    ...serviceAttribute("MessagingService", "https://relay.example/inbox/alice"),
  });
  await d.relay(aliceKey, {
    type: "setAttribute",
    identity: alice,
    ...serviceAttribute("MessagingService", "https://thief.example/inbox"),
    validity: YEAR,
  });
  await d.relay(aliceKey, { type: "revokeAttribute", identity: alice, ...publicKeyAttribute("X25519", "enc", aliceX.publicKey) });
  await d.relay(aliceKey, {
    type: "setAttribute",
    identity: alice,
    ...publicKeyAttribute("X25519", "enc", thiefX.publicKey),
    validity: YEAR,
  });
  d.check(true, "he can still add a key of his own and swap her endpoint and encryption key (until Alice rotates)");
  const warned = (await bobsApp.poll()).flatMap((c) =>
    c.changes.map((x) => (x.kind === "keyAdded" || x.kind === "keyRemoved" ? `${x.kind}:${x.relationship}` : x.kind)),
  );
  d.check(
    warned.includes("keyAdded:authentication") && warned.includes("keyAdded:keyAgreement") && warned.includes("serviceAdded"),
    "Bob's app warns at once: a new signing key, a new encryption key, a new endpoint",
  );
  try {
    await bobsContacts.encryptTo(aliceDid, { text: "the files" });
    d.check(false, "Bob's app refuses to encrypt to the swapped key", "it encrypted");
  } catch (e) {
    d.check(
      e instanceof UnverifiedChangeError && e.changes.some((c) => c.kind === "keyAdded" && c.relationship === "keyAgreement"),
      "Bob's app will not encrypt to the swapped key until Bob re-verifies Alice",
    );
  }
  await d.refused(
    "take over (changeOwner)",
    () => d.relay(aliceKey, { type: "changeOwner", identity: alice, newOwner: thief }),
    "SigilNextOwnerCommitted",
  );
  const thiefNext = generateNextKey();
  await d.refused(
    "re-commit to his own key",
    () => d.relay(aliceKey, { type: "commitNextOwner", identity: alice, commitment: thiefNext.commitment }),
    "SigilNextOwnerCommitted",
  );
  await d.refused("deactivate Alice's DID", () => d.relay(aliceKey, { type: "deactivate", identity: alice }), "SigilNextOwnerCommitted");
  await d.refused(
    "rotate to himself",
    () => d.relay(thiefKey, { ...plan.rotate, salt: thiefNext.salt, newOwner: thief }),
    "SigilNotNextOwner",
  );
  const thiefGuardians = buildGuardianSet({ identity: alice, guardians: [thief], threshold: 1, delay: 3_600n });
  await d.refused(
    "name himself her guardian (1 of 1, one hour) to recover her DID before she comes online",
    () =>
      d.relay(aliceKey, { type: "setGuardians", identity: alice, root: thiefGuardians.root, threshold: 1n, delay: thiefGuardians.delay }),
    "SigilNextOwnerCommitted",
  );
  await d.advance(10);

  return { thiefKey, thief, thiefX };
}
type Stolen = Awaited<ReturnType<typeof steal>>;

/** Alice's presigned rotation lands and voids everything before it; she publishes new keys. */
async function takeBack(d: Demo, { alice, aliceDid }: Met, { next, presigned }: Committed, { thief }: Stolen) {
  d.step("Alice's offline rotation is relayed: the thief's signed calls did not void it");
  const rotation = await d.relaySigned(presigned);
  d.check(
    rotation.events.some((e) => e.kind === "rotate"),
    `rotated in one transaction of ${rotation.gasUsed} gas, whatever the thief added: everything published before is void`,
  );
  const stillValid = await d.publicClient.readContract({
    address: d.registry,
    abi: sigilRegistryAbi,
    functionName: "validDelegate",
    args: [alice, bytes32Name("sigAuth"), thief],
  });
  d.check(!stillValid, "on chain, the thief's delegate is no longer valid (validDelegate)");
  const rotated = await d.resolver.resolve(aliceDid);
  d.check(
    rotated.didDocument?.verificationMethod?.length === 1 &&
      rotated.didDocument.verificationMethod[0].blockchainAccountId?.endsWith(getAddress(next.address)) === true,
    "Alice's document lists only her new key",
  );
  d.check(
    (rotated.didDocumentMetadata as { sigil: { preRotation: boolean } }).sigil.preRotation,
    "and pre-rotation stays on: she committed to a fresh next key in the same transaction",
  );
  try {
    await encryptMessage(aliceDid, { text: "?" }, d.resolver);
    d.check(false, "nothing can be encrypted to her old or stolen keys", "it encrypted");
  } catch (e) {
    d.check(
      e instanceof MessageError && e.refusal === "noKeyAgreementKey",
      "nothing can be encrypted to her old keys or the thief's: none is listed any more",
    );
  }
  const newX = generateKeyPair("X25519");
  await d.relay(next.privateKey, {
    type: "setAttribute",
    identity: alice,
    ...publicKeyAttribute("X25519", "enc", newX.publicKey),
    validity: YEAR,
  });
  await d.relay(next.privateKey, {
    type: "setAttribute",
    identity: alice,
    ...serviceAttribute("MessagingService", "https://relay.example/inbox/alice"),
    validity: YEAR,
  });
  await d.advance(10);

  return { rotation, newX };
}

/** Bob's app lists the changes; Bob re-verifies Alice, and only her new key reads his message. */
async function reverify(
  d: Demo,
  { aliceDid, bobDid, bobX, bobKeyId, published, bobs, bobsContacts, now }: Met,
  { newX }: { newX: KeyPair },
  { thiefX }: Stolen,
  bobsApp: Watcher,
) {
  d.step("Bob's app notices; Bob re-verifies Alice in person and writes again");
  const changes = (await bobsApp.poll()).flatMap((c) => c.changes.map((x) => x.kind));
  bobsApp.stop();
  d.check(
    changes.includes("controllerChanged") && changes.includes("keyRemoved") && changes.includes("serviceRemoved"),
    "Bob's app lists what changed: controller, keys, the thief's endpoint gone",
  );
  const aliceNow = await d.resolver.resolve(aliceDid);
  d.say(`   new safety number: ${safetyNumber(aliceNow, bobs)}`);
  d.check(safetyNumber(aliceNow, bobs) !== safetyNumber(published, bobs), "the safety number changed with her keys");
  await bobsContacts.confirm(aliceDid);
  const again = await bobsContacts.encryptTo(
    aliceDid,
    { text: "Glad you're back." },
    { from: { did: bobDid, keyId: bobKeyId, secretKey: bobX.secretKey } },
  );
  const read = await decryptMessage(again, { did: aliceDid, secretKey: newX.secretKey }, d.resolver, await now());
  d.check(read.payload.text === "Glad you're back.", "Alice reads it with her new key");
  try {
    await decryptMessage(again, { did: aliceDid, secretKey: thiefX.secretKey }, d.resolver, await now());
    d.check(false, "the thief's key cannot read it", "it decrypted");
  } catch (e) {
    d.check(e instanceof MessageError && e.refusal === "notForYou", "the thief's swapped-in key cannot read it");
  }
}

/** What the thief signs now fails, with either key, even backdated. */
async function rejectThief(d: Demo, { aliceKey, aliceDid, now }: Met, { thiefKey }: Stolen, rotationBlock: bigint) {
  d.step("The thief's new messages are rejected");
  const forged = await signMessage({ did: aliceDid, secretKey: aliceKey }, { text: "Send me the files. -Alice" }, await d.chainTime());
  const forgedCheck = await verifyMessage(forged, d.resolver, await now());
  d.check(!forgedCheck.ok, "signed with the stolen key", forgedCheck.ok ? "accepted!" : forgedCheck.reason);
  const viaDelegate = await signMessage({ did: aliceDid, secretKey: thiefKey }, { text: "It's me, Alice" }, await d.chainTime());
  d.check(!(await verifyMessage(viaDelegate, d.resolver, await now())).ok, "signed with the key he added");
  const before = Number((await d.publicClient.getBlock({ blockNumber: rotationBlock - 1n })).timestamp);
  const backdated = await signMessage({ did: aliceDid, secretKey: aliceKey }, { text: "backdated" }, before);
  d.check(!(await verifyMessage(backdated, d.resolver, await now())).ok, "backdated before the rotation: judged as of receipt, by default");
}

/** Alice's old messages verify as of when they were received; her new ones as of now. */
async function historyHolds(d: Demo, { aliceDid, hello, helloReceivedAt, now }: Met, { next }: Committed) {
  d.step("Alice's earlier messages still verify as of when Bob received them");
  d.check(
    (await verifyMessage(hello, d.resolver, { ...(await now()), receivedAt: helloReceivedAt })).ok,
    "her first message verifies against her keys at the time",
  );
  d.check(!(await verifyMessage(hello, d.resolver, await now())).ok, "(received today it would not: that is what history is for)");
  const newHello = await signMessage({ did: aliceDid, secretKey: next.privateKey }, { text: "New key, same me." }, await d.chainTime());
  d.check((await verifyMessage(newHello, d.resolver, await now())).ok, "and her messages signed with the new key verify");
}

export async function actOne(d: Demo) {
  d.say("\n=== Act 1: Alice's key is stolen; she had committed to a next key ===");
  const met = await meet(d);
  const committed = await commitNextKey(d, met);
  const bobsApp = watchDids(d.resolver, [met.aliceDid], (c) => d.warn("Alice", c));
  await bobsApp.ready;
  await d.advance(3_600); // an hour later
  const stolen = await steal(d, met, committed, bobsApp);
  const { rotation, newX } = await takeBack(d, met, committed, stolen);
  await reverify(d, met, { newX }, stolen, bobsApp);
  await rejectThief(d, met, stolen, rotation.blockNumber);
  await historyHolds(d, met, committed);
  return { bobDid: met.bobDid };
}

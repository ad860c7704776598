// Act 1: a stolen key, with a next key committed in advance. The thief can add keys and swap
// Alice's endpoint until she rotates, and Bob's app warns of each change; he cannot take over,
// and cannot stop or void the rotation Alice signed in advance and kept offline with her next
// key. The rotation voids everything published before in O(1) gas and commits to a fresh key.
import { getAddress, zeroHash, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  authenticationFingerprint,
  bytes32Name,
  commitmentOf,
  generateKeyPair,
  generateNextKey,
  planRotation,
  publicKeyAttribute,
  serviceAttribute,
  sigilRegistryAbi,
  signMessage,
  verifyMessage,
  watchDids,
  buildGuardianSet,
} from "sigil-did";
import type { Demo } from "./kit.ts";

const YEAR = 365n * 86_400n;

export async function actOne(d: Demo) {
  d.say("\n=== Act 1: Alice's key is stolen; she had committed to a next key ===");
  d.step("Alice and Bob create DIDs: a fresh key each, no transaction, no phone number");
  const aliceKey = generatePrivateKey();
  const bobKey = generatePrivateKey();
  const alice = privateKeyToAccount(aliceKey).address;
  const bob = privateKeyToAccount(bobKey).address;
  const aliceDid = `did:sigil:demo:${alice.toLowerCase()}`;
  const bobDid = `did:sigil:demo:${bob.toLowerCase()}`;
  d.say(`   Alice: ${aliceDid}\n   Bob:   ${bobDid}`);
  const fresh = await d.resolver.resolve(aliceDid);
  d.check(fresh.didDocument?.verificationMethod?.length === 1, "Alice's DID resolves before any transaction: every address is a DID from birth");

  d.step("Alice publishes a messaging endpoint and an X25519 key-agreement key (signed by her, relayed by the app)");
  const x25519 = generateKeyPair("X25519");
  await d.relay(aliceKey, { type: "setAttribute", identity: alice, ...serviceAttribute("MessagingService", "https://relay.example/inbox/alice"), validity: YEAR });
  await d.relay(aliceKey, { type: "setAttribute", identity: alice, ...publicKeyAttribute("X25519", "enc", x25519.publicKey), validity: YEAR });
  const published = await d.resolver.resolve(aliceDid);
  d.check(published.didDocument?.service?.[0]?.serviceEndpoint === "https://relay.example/inbox/alice", "her document lists the endpoint");
  d.check(published.didDocument?.keyAgreement?.length === 1, "and the key-agreement key");

  d.step("Alice and Bob exchange signed messages and verify each other");
  const now = async () => ({ now: await d.chainTime() });
  const hello = await signMessage({ did: aliceDid, secretKey: aliceKey }, { text: "Hi Bob, it's Alice." }, await d.chainTime());
  const reply = await signMessage({ did: bobDid, secretKey: bobKey }, { text: "Hi Alice!" }, await d.chainTime());
  d.check((await verifyMessage(hello, d.resolver, await now())).ok, "Bob verifies Alice's message against her DID");
  d.check((await verifyMessage(reply, d.resolver, await now())).ok, "Alice verifies Bob's reply");
  const safety = authenticationFingerprint(published);
  d.say(`   Alice's key fingerprint, to compare in person: ${safety}`);

  d.step("Alice commits to a next key (salted: nobody can confirm a guess of it) and signs her rotation in advance");
  const next = generateNextKey();
  await d.relay(aliceKey, { type: "commitNextOwner", identity: alice, commitment: next.commitment });
  const committed = await d.resolver.resolve(aliceDid);
  d.check((committed.didDocumentMetadata as { sigil: { preRotation: boolean } }).sigil.preRotation, "her document metadata shows pre-rotation is on");
  d.check(commitmentOf(next.address, zeroHash) !== next.commitment, "hashing her next key's address alone does not match the commitment");
  const plan = planRotation({ identity: alice, salt: next.salt, newOwner: next.address });
  const presigned = await d.sign(next.privateKey, plan.rotate, BigInt(await d.chainTime()) + 30n * 86_400n);
  d.check(true, "the signed rotation and the next key go offline together; it is valid for 30 days");

  const bobsApp = watchDids(d.resolver, [aliceDid], (c) => d.warn("Alice", c));
  await bobsApp.ready;
  await d.advance(10);

  d.step("A thief steals Alice's current key");
  const thiefKey = generatePrivateKey();
  const thief = privateKeyToAccount(thiefKey).address;
  await d.relay(aliceKey, { type: "addDelegate", identity: alice, delegateType: bytes32Name("sigAuth"), delegate: thief, validity: YEAR });
  await d.relay(aliceKey, { type: "revokeAttribute", identity: alice, ...serviceAttribute("MessagingService", "https://relay.example/inbox/alice") });
  await d.relay(aliceKey, { type: "setAttribute", identity: alice, ...serviceAttribute("MessagingService", "https://thief.example/inbox"), validity: YEAR });
  d.check(true, "he can still add a key of his own and swap her endpoint (the current key manages keys until Alice rotates)");
  const warned = (await bobsApp.poll()).flatMap((c) => c.changes.map((x) => x.kind));
  d.check(warned.includes("keyAdded") && warned.includes("serviceRemoved") && warned.includes("serviceAdded"), "Bob's app warns at once: a new key, and her endpoint changed");
  await d.refused("take over (changeOwner)", () => d.relay(aliceKey, { type: "changeOwner", identity: alice, newOwner: thief }), "SigilNextOwnerCommitted");
  const thiefNext = generateNextKey();
  await d.refused("re-commit to his own key", () => d.relay(aliceKey, { type: "commitNextOwner", identity: alice, commitment: thiefNext.commitment }), "SigilNextOwnerCommitted");
  await d.refused("deactivate Alice's DID", () => d.relay(aliceKey, { type: "deactivate", identity: alice }), "SigilNextOwnerCommitted");
  await d.refused("rotate to himself", () => d.relay(thiefKey, { ...plan.rotate, salt: thiefNext.salt, newOwner: thief }), "SigilNotNextOwner");
  const thiefGuardians = buildGuardianSet({ identity: alice, guardians: [thief], threshold: 1, delay: 3_600n });
  await d.relay(aliceKey, { type: "setGuardians", identity: alice, root: thiefGuardians.root, threshold: 1n, delay: thiefGuardians.delay });
  const pending = (await bobsApp.poll()).flatMap((c) => c.changes.map((x) => x.kind));
  d.check(pending.includes("guardianChangeProposed"), "naming guardians of his own only proposes them, after a delay, and Bob's app says so");
  await d.advance(10);

  d.step("Alice's offline rotation is relayed: the thief's signed calls did not void it");
  const rotation = await d.relaySigned(presigned);
  d.check(rotation.events.some((e) => e.kind === "rotate"), `rotated in one transaction of ${rotation.gasUsed} gas, whatever the thief added: everything published before is void`);
  d.check(rotation.events.some((e) => e.kind === "guardianChangeCancelled"), "the thief's guardian proposal is dropped");
  const stillValid = await d.publicClient.readContract({ address: d.registry, abi: sigilRegistryAbi, functionName: "validDelegate", args: [alice, bytes32Name("sigAuth"), thief] });
  d.check(!stillValid, "on chain, the thief's delegate is no longer valid (validDelegate)");
  const rotated = await d.resolver.resolve(aliceDid);
  d.check(rotated.didDocument?.verificationMethod?.length === 1 && rotated.didDocument.verificationMethod[0].blockchainAccountId?.endsWith(getAddress(next.address)) === true, "Alice's document lists only her new key");
  d.check((rotated.didDocumentMetadata as { sigil: { preRotation: boolean } }).sigil.preRotation, "and pre-rotation stays on: she committed to a fresh next key in the same transaction");
  await d.advance(10);

  d.step("Bob's app notices");
  const changes = (await bobsApp.poll()).flatMap((c) => c.changes.map((x) => x.kind));
  bobsApp.stop();
  d.check(changes.includes("controllerChanged") && changes.includes("keyRemoved") && changes.includes("serviceRemoved"), "Bob's app lists what changed: controller, keys, the thief's endpoint gone");

  d.step("The thief's new messages are rejected");
  const forged = await signMessage({ did: aliceDid, secretKey: aliceKey }, { text: "Send me the files. -Alice" }, await d.chainTime());
  const forgedCheck = await verifyMessage(forged, d.resolver, await now());
  d.check(!forgedCheck.ok, "signed with the stolen key", forgedCheck.ok ? "accepted!" : forgedCheck.reason);
  const viaDelegate = await signMessage({ did: aliceDid, secretKey: thiefKey }, { text: "It's me, Alice" }, await d.chainTime());
  d.check(!(await verifyMessage(viaDelegate, d.resolver, await now())).ok, "signed with the key he added");
  const before = Number((await d.publicClient.getBlock({ blockNumber: rotation.blockNumber - 1n })).timestamp);
  const backdated = await signMessage({ did: aliceDid, secretKey: aliceKey }, { text: "backdated" }, before);
  d.check(!(await verifyMessage(backdated, d.resolver, { ...(await now()), receivedAt: await d.chainTime() })).ok, "backdated before the rotation but received after it");

  d.step("Alice's earlier messages still verify as of when they were sent");
  d.check((await verifyMessage(hello, d.resolver, await now())).ok, "her first message verifies against her keys at the time");
  d.check(!(await verifyMessage(hello, d.resolver, { at: "now", ...(await now()) })).ok, "(against today's keys it would not: that is what history is for)");
  const newHello = await signMessage({ did: aliceDid, secretKey: next.privateKey as Hex }, { text: "New key, same me." }, await d.chainTime());
  d.check((await verifyMessage(newHello, d.resolver, await now())).ok, "and her messages signed with the new key verify");
  return { bobDid };
}

// The key-compromise demo, the README's main job:  npm run demo  [-- --network localhost]
// Alice and Bob get DIDs (no phone number anywhere), talk with signed messages, a thief steals
// Alice's key and fails to take over, Alice rotates with her pre-committed key, Bob's app is
// told, the thief's messages are rejected and Alice's old ones still verify. Every expected
// outcome is checked; the process exits non-zero if any did not hold.
import { network } from "hardhat";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createPublicClient, createWalletClient, custom, zeroHash, type Address, type EIP1193Provider, type Hex, type PublicClient, type WalletClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  authenticationFingerprint,
  bytes32Name,
  commitmentOf,
  createSigilResolver,
  generateKeyPair,
  publicKeyAttribute,
  RegistryRevertError,
  relayOperation,
  serviceAttribute,
  signMessage,
  signOperation,
  verifyMessage,
  watchDids,
  type Operation,
} from "../sdk/index.ts";

const started = performance.now();
const connection = await network.create();
const provider = connection.provider as unknown as EIP1193Provider;
const transport = custom(provider, { retryCount: 0 });
const publicClient = createPublicClient({ transport, pollingInterval: 50 }) as PublicClient;
const [relayerAddress] = (await provider.request({ method: "eth_accounts" })) as Address[];
const relayer = createWalletClient({ account: relayerAddress, transport }) as WalletClient;
const chainId = await publicClient.getChainId();
let failures = 0;

const say = (text: string) => console.log(text);
const step = (n: number, title: string) => say(`\n${n}. ${title}`);
function check(ok: boolean, claim: string, detail = "") {
  if (!ok) failures++;
  say(`   ${ok ? "✔" : "✘ FAILED:"} ${claim}${detail ? ` (${detail})` : ""}`);
}
const chainTime = async () => Number((await publicClient.getBlock()).timestamp);
const advance = async (seconds: number) => {
  await provider.request({ method: "evm_increaseTime", params: [seconds] } as never);
  await provider.request({ method: "evm_mine", params: [] } as never);
};

say(`Sigil demo on ${connection.networkName} (chain ${chainId}). The messaging app's relayer pays all gas: users hold no coins.`);

step(1, "Deploy the did:sigil registry");
const artifact = JSON.parse(readFileSync(join(import.meta.dirname, "..", "artifacts", "contracts", "SigilRegistry.sol", "SigilRegistry.json"), "utf8"));
const deployHash = await relayer.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode as Hex, account: relayerAddress, chain: null });
const registry = (await publicClient.waitForTransactionReceipt({ hash: deployHash })).contractAddress!;
const target = { registry, publicClient };
check(true, `SigilRegistry at ${registry}`);

const resolver = createSigilResolver({ networks: [{ chainId, registry, provider, name: "demo" }], cache: { maxAgeMs: 0 } });
const keyWallet = (key: Hex) => createWalletClient({ account: privateKeyToAccount(key), transport }) as WalletClient;
async function relay(signerKey: Hex, op: Operation) {
  return relayOperation(relayer, target, await signOperation(keyWallet(signerKey), target, op));
}

step(2, "Alice and Bob create DIDs: a fresh key each, no transaction, no phone number");
const aliceKey = generatePrivateKey();
const bobKey = generatePrivateKey();
const alice = privateKeyToAccount(aliceKey).address;
const bob = privateKeyToAccount(bobKey).address;
const aliceDid = `did:sigil:demo:${alice.toLowerCase()}`;
const bobDid = `did:sigil:demo:${bob.toLowerCase()}`;
say(`   Alice: ${aliceDid}\n   Bob:   ${bobDid}`);
const fresh = await resolver.resolve(aliceDid);
check(fresh.didDocument?.verificationMethod?.length === 1, "Alice's DID resolves before any transaction: every address is a DID from birth");

step(3, "Alice publishes a messaging endpoint and an X25519 key-agreement key (signed by her, relayed by the app)");
const x25519 = generateKeyPair("X25519");
await relay(aliceKey, { type: "setAttribute", identity: alice, ...serviceAttribute("MessagingService", "https://relay.example/inbox/alice"), validity: 365n * 86_400n });
await relay(aliceKey, { type: "setAttribute", identity: alice, ...publicKeyAttribute("X25519", "enc", x25519.publicKey), validity: 365n * 86_400n });
const published = await resolver.resolve(aliceDid);
check(published.didDocument?.service?.[0]?.serviceEndpoint === "https://relay.example/inbox/alice", "her document lists the endpoint");
check(published.didDocument?.keyAgreement?.length === 1, "and the key-agreement key");

step(4, "Alice and Bob exchange signed messages and verify each other");
const now = async () => ({ now: await chainTime() });
const hello = await signMessage({ did: aliceDid, secretKey: aliceKey }, { text: "Hi Bob, it's Alice." }, await chainTime());
const reply = await signMessage({ did: bobDid, secretKey: bobKey }, { text: "Hi Alice!" }, await chainTime());
const helloCheck = await verifyMessage(hello, resolver, await now());
check(helloCheck.ok, "Bob verifies Alice's message against her DID");
check((await verifyMessage(reply, resolver, await now())).ok, "Alice verifies Bob's reply");
const safety = authenticationFingerprint(published);
say(`   Alice's key fingerprint, to compare in person: ${safety}`);

step(5, "Alice commits to a next key, which she keeps offline");
const nextKey = generatePrivateKey();
const next = privateKeyToAccount(nextKey).address;
await relay(aliceKey, { type: "commitNextOwner", identity: alice, commitment: commitmentOf(next) });
const committed = await resolver.resolve(aliceDid);
check((committed.didDocumentMetadata as { sigil: { preRotation: boolean } }).sigil.preRotation, "her document metadata shows pre-rotation is on");

const watcher = watchDids(resolver, [aliceDid], (c) => say(`   [Bob's app] ⚠ Alice's keys changed: ${c.before} → ${c.after}. Verify her new fingerprint before trusting new messages.`));
await watcher.ready;
await advance(10);

step(6, "A thief steals Alice's current key");
const thiefKey = generatePrivateKey();
const thief = privateKeyToAccount(thiefKey).address;
await relay(aliceKey, { type: "addDelegate", identity: alice, delegateType: bytes32Name("sigAuth"), delegate: thief, validity: 365n * 86_400n });
check(true, "he can still add a key of his own (the current key manages keys until Alice rotates)");
check((await watcher.poll()).length === 1, "but Bob's app warns at once that Alice's keys changed");
async function refused(title: string, signerKey: Hex, op: Operation, expected: string) {
  try {
    await relay(signerKey, op);
    check(false, `${title} was refused`, "it was accepted");
  } catch (e) {
    const name = e instanceof RegistryRevertError ? e.errorName : String(e);
    check(name === expected, `${title}: refused with ${name}`);
  }
}
await refused("take over (changeOwner)", aliceKey, { type: "changeOwner", identity: alice, newOwner: thief }, "SigilNextOwnerCommitted");
await refused("re-commit to his own key", aliceKey, { type: "commitNextOwner", identity: alice, commitment: commitmentOf(thief) }, "SigilNextOwnerCommitted");
await refused("deactivate Alice's DID", aliceKey, { type: "deactivate", identity: alice }, "SigilNextOwnerCommitted");
await refused("rotate to himself", thiefKey, { type: "rotate", identity: alice, newOwner: thief, nextCommitment: zeroHash, purge: false, revokeDelegates: [], revokeAttributes: [] }, "SigilNotNextOwner");
await advance(10);

step(7, "Alice rotates with her pre-committed key: the thief's key is revoked in the same transaction");
const afterNext = generatePrivateKey();
const rotation = await relay(nextKey, {
  type: "rotate",
  identity: alice,
  newOwner: next,
  nextCommitment: commitmentOf(privateKeyToAccount(afterNext).address),
  purge: true,
  revokeDelegates: [{ delegateType: bytes32Name("sigAuth"), delegate: thief }],
  revokeAttributes: [],
});
check(rotation.events.some((e) => e.kind === "delegate" && e.delegate.toLowerCase() === thief.toLowerCase()), "the rotation revoked the thief's delegate (ERC-1056 event)");
check(rotation.events.some((e) => e.kind === "rotate"), "and started a new epoch: everything published before is void");
const rotated = await resolver.resolve(aliceDid);
check(rotated.didDocument?.verificationMethod?.length === 1 && rotated.didDocument.verificationMethod[0].blockchainAccountId?.endsWith(next) === true, "Alice's document now lists only her new key");
await advance(10);

step(8, "Bob's app notices");
const changes = await watcher.poll();
watcher.stop();
check(changes.length === 1 && changes[0].after !== safety, "Bob's app is told that Alice's keys changed again, to her new key");

step(9, "The thief's new messages are rejected");
const forged = await signMessage({ did: aliceDid, secretKey: aliceKey }, { text: "Send me the files. -Alice" }, await chainTime());
const forgedCheck = await verifyMessage(forged, resolver, await now());
check(!forgedCheck.ok, "signed with the stolen key", forgedCheck.ok ? "accepted!" : forgedCheck.reason);
const viaDelegate = await signMessage({ did: aliceDid, secretKey: thiefKey }, { text: "It's me, Alice" }, await chainTime());
check(!(await verifyMessage(viaDelegate, resolver, await now())).ok, "signed with the key he added");
const backdated = await signMessage({ did: aliceDid, secretKey: aliceKey }, { text: "backdated" }, Number((await publicClient.getBlock({ blockNumber: rotation.blockNumber - 1n })).timestamp));
check(!(await verifyMessage(backdated, resolver, { ...(await now()), receivedAt: await chainTime() })).ok, "backdated before the rotation but received after it");

step(10, "Alice's earlier messages still verify as of when they were sent");
check((await verifyMessage(hello, resolver, await now())).ok, "her first message verifies against her keys at the time");
check(!(await verifyMessage(hello, resolver, { at: "now", ...(await now()) })).ok, "(against today's keys it would not: that is what history is for)");
const newHello = await signMessage({ did: aliceDid, secretKey: nextKey }, { text: "New key, same me." }, await chainTime());
check((await verifyMessage(newHello, resolver, await now())).ok, "and her messages signed with the new key verify");

const seconds = ((performance.now() - started) / 1000).toFixed(1);
say(`\n${failures === 0 ? "All checks held" : `${failures} check(s) FAILED`} (${seconds} s).`);
await connection.close();
process.exitCode = failures === 0 ? 0 : 1;

// Identity proofs carried with messages (issue 23) against a real `hardhat node`: the sender
// attaches its proof (proveIdentity), the recipient verifies the message from it with no request
// at all when its trusted headers (filled here by a "watcher" that reads the node directly)
// confirm the proof's header. Every SDK read goes through a recording proxy, and fetch itself is
// counted: zero asserted. Then the attacks: a proof of another DID, edited proofs, and a thief who
// keeps the stolen key and the proof from before the rotation; old messages stay verifiable
// offline against the proof they carried.
import { expect } from "chai";
import { hexToBytes, toHex, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { encode, decode } from "@ethereumjs/rlp";
import {
  createSigilResolver,
  createTrustedHeaderStore,
  decodeIdentityProof,
  decryptMessage,
  encodeIdentityProof,
  encryptMessage,
  generateKeyPair,
  keyAgreementKeys,
  publicKeyAttribute,
  proveIdentity,
  sendOperation,
  serviceAttribute,
  signMessage,
  verifyIdentityProof,
  verifyMessage,
  type CarriedProofOptions,
  type IdentityProof,
  type SigilNetwork,
} from "sigil-did";
import { devChain } from "../support/dev-chain.ts";
import { startHardhatNode, type HardhatNode } from "../support/hardhat-node.ts";
import { startRpcProxy, type RpcProxy } from "../support/rpc-proxy.ts";
import { rpc } from "../support/victim-history.ts";
import { headerRlp } from "../../sdk/core/src/read/header.ts";

describe("identity proofs carried with messages: verified with no request at all (real hardhat node)", function () {
  this.timeout(300_000);
  let node: HardhatNode;
  let proxy: RpcProxy;
  let network: SigilNetwork;
  let chain: ReturnType<typeof devChain>;
  const store = createTrustedHeaderStore();
  let filled = -1n;
  const people: Record<"alice" | "bob" | "carol", { key: Hex; address: Address; did: string }> = {} as never;

  const chainNow = async () => Number(((await rpc(node.url, "eth_getBlockByNumber", ["latest", false])) as { timestamp: Hex }).timestamp);
  /** The app's watcher: every header up to the head, read from the node itself (not through the SDK). */
  const watch = async () => {
    const head = BigInt((await rpc(node.url, "eth_blockNumber")) as Hex);
    for (let n = filled + 1n; n <= head; n++) {
      const b = (await rpc(node.url, "eth_getBlockByNumber", [toHex(n), false])) as { hash: Hex; timestamp: Hex };
      store.add(31337, { number: n, hash: b.hash, timestamp: BigInt(b.timestamp) });
    }
    filled = head;
  };
  const blockOf = (proof: string) => BigInt(toHex((decode(hexToBytes(decodeIdentityProof(proof).header)) as Uint8Array[])[8]));
  const carried = (extra: Partial<CarriedProofOptions> = {}): CarriedProofOptions => ({
    networks: [network],
    trustedHeaders: store,
    ...extra,
  });
  const lookup = () => createSigilResolver({ networks: [network], cache: false });
  const prove = (did: string) => proveIdentity({ networks: [network], cache: false }, did);
  const send = (key: Hex, op: Parameters<typeof sendOperation>[2]) =>
    sendOperation(chain.wallet(key), { registry: network.registry, publicClient: chain.publicClient }, op);
  const fund = async (address: Address) =>
    chain.publicClient.waitForTransactionReceipt({
      hash: await chain.dev.sendTransaction({ to: address, value: 10n ** 18n, chain: null }),
    });
  const person = async (changes: number) => {
    const key = generatePrivateKey();
    const address = privateKeyToAccount(key).address;
    await fund(address);
    for (let i = 0; i < changes; i++)
      await send(key, {
        type: "setAttribute",
        identity: address,
        ...serviceAttribute(`Inbox${i}`, `https://inbox.example/${i}`),
        validity: 86_400n,
      });
    return { key, address, did: `did:sigil:local:${address.toLowerCase()}` };
  };
  /** Runs `f` counting every fetch the process makes (viem's HTTP transport uses fetch). */
  const counting = async <T>(f: () => Promise<T>): Promise<{ value: T; fetches: number }> => {
    const original = globalThis.fetch;
    let fetches = 0;
    globalThis.fetch = ((...args: Parameters<typeof fetch>) => {
      fetches++;
      return original(...args);
    }) as typeof fetch;
    try {
      return { value: await f(), fetches };
    } finally {
      globalThis.fetch = original;
    }
  };

  before(async () => {
    node = await startHardhatNode();
    chain = devChain(node.url);
    proxy = await startRpcProxy(node.url);
    network = { chainId: 31337, name: "local", registry: await chain.deploySigil(), rpcUrls: [proxy.url] };
    people.alice = await person(10); // 10 changes since its last purge (it never purged)
    people.bob = await person(1);
    people.carol = await person(2);
    for (let i = 0; i < 3; i++) await rpc(node.url, "evm_mine");
  });
  after(async () => {
    await proxy?.close();
    await node?.stop();
  });

  it("a message carrying its sender's proof verifies with zero requests; the proof is under 16 KB at 10 changes and checks in under 50 ms", async () => {
    const { alice } = people;
    const proof = await prove(alice.did);
    expect(proof.length, "encoded proof, characters").to.be.below(16 * 1024);
    const now = await chainNow();
    const jwt = await signMessage({ did: alice.did, secretKey: alice.key }, { text: "hello" }, now, { proof });
    await watch();
    proxy.reset();
    const { value: result, fetches } = await counting(() => verifyMessage(jwt, lookup(), { carried: carried(), now }));
    expect(
      result,
      JSON.stringify(result, (_k, v) => (typeof v === "bigint" ? String(v) : v)),
    ).to.deep.include({
      ok: true,
      verifiedBy: "carriedProof",
    });
    expect(result.proofBlock).to.equal(blockOf(proof));
    expect(proxy.requests, "JSON-RPC calls through the observer").to.deep.equal([]);
    expect(fetches, "fetch calls in the whole process").to.equal(0);
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t0 = performance.now();
      const checked = await verifyIdentityProof(proof, alice.did, { ...carried(), at: now });
      times.push(performance.now() - t0);
      expect(checked.accepted).to.equal(true);
    }
    const median = times.sort((a, b) => a - b)[7];
    console.log(
      `      carried proof at 10 changes: ${proof.length} characters (${Math.floor((proof.length * 3) / 4)} bytes), verified offline in ${median.toFixed(1)} ms (median of 15)`,
    );
    expect(median).to.be.below(50);
  });

  it("falls back to the lookup when the app's trusted headers do not reach the proof's block, and says why", async () => {
    const { alice } = people;
    const proof = await prove(alice.did);
    const now = await chainNow();
    const jwt = await signMessage({ did: alice.did, secretKey: alice.key }, { text: "hi" }, now, { proof });
    proxy.reset();
    const behind = createTrustedHeaderStore(); // holds nothing: a watcher that has not caught up
    const result = await verifyMessage(jwt, lookup(), { carried: carried({ trustedHeaders: behind }), now });
    expect(result).to.deep.include({ ok: true, verifiedBy: "lookup" });
    expect(result.proofRefused).to.match(/^header: your trusted headers hold no block/);
    expect(proxy.requests.length, "the lookup's calls").to.be.greaterThan(0);
  });

  it("a proof of another DID is not evidence: the impostor's message falls back to the lookup, which says unauthorisedKey", async () => {
    const { alice, bob } = people;
    await watch();
    const now = await chainNow();
    const bobProof = await prove(bob.did);
    // Bob signs as Alice, carrying his own (genuine, fresh) proof.
    const forged = await signMessage({ did: alice.did, secretKey: bob.key }, { text: "it's me, Alice" }, now, { proof: bobProof });
    const viaLookup = await verifyMessage(forged, lookup(), { carried: carried(), now });
    expect(viaLookup).to.deep.include({ ok: false, code: "unauthorisedKey", verifiedBy: "lookup" });
    expect(viaLookup.proofRefused).to.match(/^subject: the proof is about/);
    const offline = await verifyMessage(forged, null, { carried: carried(), now });
    expect(offline).to.deep.include({ ok: false, code: "unresolvable", verifiedBy: "lookup" });
    // And Alice's own proof does not let Bob's key sign for her.
    const withHers = await signMessage({ did: alice.did, secretKey: bob.key }, { text: "hm" }, now, { proof: await prove(alice.did) });
    await watch();
    expect(await verifyMessage(withHers, null, { carried: carried(), now })).to.deep.include({
      ok: false,
      code: "unauthorisedKey",
      verifiedBy: "carriedProof",
    });
  });

  it("refuses an edited proof (a log, a trie node, a slot value, a log left out, the header edited or swapped), never accepts it", async () => {
    const { alice } = people;
    const proof = decodeIdentityProof(await prove(alice.did));
    await watch();
    const now = await chainNow();
    const flip = (h: Hex) => `${h.slice(0, -2)}${h.slice(-2) === "ff" ? "fe" : "ff"}` as Hex;
    const items = decode(hexToBytes(proof.header)) as Uint8Array[];
    const withField = (i: number, value: Hex) => toHex(encode(items.map((f, j) => (j === i ? hexToBytes(value) : f))));
    // A genuine header the app trusts, from before Alice's changes: its state does not hold them.
    const old = headerRlp(await rpc(node.url, "eth_getBlockByNumber", ["0x3", false]));
    const edits: [string, (p: IdentityProof) => void, RegExp][] = [
      ["a log's data", (p) => (p.logs[3].data = flip(p.logs[3].data)), /^proof: .*event-chain head/],
      ["a log left out", (p) => p.logs.splice(2, 1), /^proof: /],
      ["a trie node", (p) => (p.nodes[0] = flip(p.nodes[0])), /^proof: /],
      ["a slot value", (p) => (p.accounts[0].storage[0].value ^= 1n), /^proof: /],
      ["the header's time", (p) => (p.header = withField(11, toHex(BigInt(toHex(items[11])) - 1n))), /^header: /],
      ["the header's state root", (p) => (p.header = withField(3, flip(toHex(items[3])))), /^header: /],
      ["an older trusted header", (p) => (p.header = toHex(old)), /^proof: /],
    ];
    for (const [what, edit, refusal] of edits) {
      const copy = structuredClone(proof);
      edit(copy);
      const jwt = await signMessage({ did: alice.did, secretKey: alice.key }, { text: what }, now, { proof: encodeIdentityProof(copy) });
      const offline = await verifyMessage(jwt, null, { carried: carried({ maxAge: { seconds: 10 ** 9 } }), now });
      expect(offline, what).to.deep.include({ ok: false, code: "unresolvable" });
      expect(offline.proofRefused, what).to.match(refusal);
      // With a lookup, the (genuine) signature is then judged by the chain, not by the edited proof.
      expect(await verifyMessage(jwt, lookup(), { carried: carried(), now }), what).to.deep.include({ ok: true, verifiedBy: "lookup" });
    }
  });

  it("a thief with the stolen key and the proof from before the rotation: refused once the proof is stale, and the lookup says unauthorisedKey; an old message still verifies offline", async () => {
    const { carol } = people;
    const oldProof = await prove(carol.did);
    await watch();
    const receivedAt = await chainNow();
    const before = await signMessage({ did: carol.did, secretKey: carol.key }, { text: "before the theft" }, receivedAt, {
      proof: oldProof,
    });
    expect(await verifyMessage(before, null, { carried: carried(), now: receivedAt })).to.deep.include({
      ok: true,
      verifiedBy: "carriedProof",
    });
    // The key is stolen; Carol moves her identity to a new key.
    const newKey = generatePrivateKey();
    await send(carol.key, { type: "changeOwner", identity: carol.address, newOwner: privateKeyToAccount(newKey).address });
    await watch();
    const rotatedAt = await chainNow();
    const forge = (at: number) => signMessage({ did: carol.did, secretKey: carol.key }, { text: "send money" }, at, { proof: oldProof });
    // Within maxAge the old proof still stands (the window an app chooses); a block limit closes it at once.
    expect(await verifyMessage(await forge(rotatedAt), null, { carried: carried(), now: rotatedAt })).to.deep.include({
      ok: true,
      verifiedBy: "carriedProof",
    });
    const tight = await verifyMessage(await forge(rotatedAt), lookup(), { carried: carried({ maxAge: { blocks: 1 } }), now: rotatedAt });
    expect(tight).to.deep.include({ ok: false, code: "unauthorisedKey", verifiedBy: "lookup" });
    expect(tight.proofRefused).to.match(/^stale: .*blocks behind your newest trusted header/);
    // So does a watcher that saw the rotation: a change after the proof's block refuses it whatever its age.
    const sawRotation = { noChangeSince: (did: string) => (did === carol.did ? false : undefined) };
    const watched = await verifyMessage(await forge(rotatedAt), lookup(), { carried: carried(sawRotation), now: rotatedAt });
    expect(watched).to.deep.include({ ok: false, code: "unauthorisedKey", verifiedBy: "lookup" });
    expect(watched.proofRefused).to.match(/^stale: your watcher saw did:sigil:\S+ change after the proof's block \d+/);
    // An hour later the proof is past the default maxAge (600 s): refused, and the lookup judges.
    await rpc(node.url, "evm_increaseTime", [3600]);
    await rpc(node.url, "evm_mine");
    await watch();
    const now = await chainNow();
    const forged = await forge(now);
    const watcher = { noChangeSince: (did: string, block: bigint) => did !== carol.did || block >= filled }; // saw Carol's rotation
    for (const resolver of [lookup(), null]) {
      const result = await verifyMessage(forged, resolver, { carried: carried(watcher), now });
      expect(result.ok, "the thief's message").to.equal(false);
      expect(result.proofRefused).to.match(/^stale: your watcher saw did:sigil:\S+ change after the proof's block \d+/);
      expect(result).to.deep.include(resolver ? { code: "unauthorisedKey", verifiedBy: "lookup" } : { code: "unresolvable" });
    }
    // The message received before the rotation, judged as of its receipt: offline, against the proof it carried.
    proxy.reset();
    const { value: old, fetches } = await counting(() => verifyMessage(before, null, { carried: carried(), receivedAt, now }));
    expect(old).to.deep.include({ ok: true, verifiedBy: "carriedProof", proofBlock: blockOf(oldProof) });
    expect([proxy.requests.length, fetches]).to.deep.equal([0, 0]);
    // The same message received now is judged by today's keys: the old proof is stale, the lookup refuses the old key.
    expect(await verifyMessage(before, lookup(), { carried: carried(), now })).to.deep.include({ ok: false, code: "unauthorisedKey" });
  });

  it("a proof older than maxAge stands when the app's watcher saw no change of that identity since its block", async () => {
    const { bob } = people;
    const proof = await prove(bob.did);
    await rpc(node.url, "evm_increaseTime", [3600]);
    await rpc(node.url, "evm_mine");
    await watch();
    const now = await chainNow();
    const jwt = await signMessage({ did: bob.did, secretKey: bob.key }, { text: "still me" }, now, { proof });
    const asked: [string, bigint][] = [];
    const noChangeSince = (did: string, block: bigint) => (asked.push([did, block]), true);
    expect(await verifyMessage(jwt, null, { carried: carried(), now })).to.deep.include({ ok: false, code: "unresolvable" });
    const result = await verifyIdentityProof(proof, bob.did, { ...carried({ noChangeSince }), at: now });
    expect(result).to.deep.include({ accepted: true, freshBy: "noChangeSince" });
    expect(asked).to.deep.equal([[bob.did, blockOf(proof)]]);
    expect(await verifyMessage(jwt, null, { carried: carried({ noChangeSince }), now })).to.deep.include({
      ok: true,
      verifiedBy: "carriedProof",
    });
  });

  it("an encrypted message carries the sender's proof in its protected header: the sender's key is learned from it, with no lookup of the sender", async () => {
    const { alice, bob } = people;
    const erin = await person(0);
    const [bobX, erinX] = [generateKeyPair("X25519"), generateKeyPair("X25519")];
    await send(bob.key, {
      type: "setAttribute",
      identity: bob.address,
      ...publicKeyAttribute("X25519", "enc", bobX.publicKey),
      validity: 86_400n,
    });
    await send(erin.key, {
      type: "setAttribute",
      identity: erin.address,
      ...publicKeyAttribute("X25519", "enc", erinX.publicKey),
      validity: 86_400n,
    });
    for (let i = 0; i < 3; i++) await rpc(node.url, "evm_mine");
    const keyId = keyAgreementKeys(await lookup().resolve(bob.did))[0].id;
    const from = { did: bob.did, keyId, secretKey: bobX.secretKey };
    await watch();
    const now = await chainNow();
    const recipient = { did: erin.did, secretKey: erinX.secretKey };
    const jwe = await encryptMessage(erin.did, { text: "sealed" }, lookup(), { from, proof: await prove(bob.did) });
    // Count what the recipient resolves: its own DID only (served from its cache in an offline app).
    const asked: string[] = [];
    const counted = { resolve: (didUrl: string) => (asked.push(didUrl.split("?")[0]), lookup().resolve(didUrl)) };
    const opened = await decryptMessage(jwe, recipient, counted, { carried: carried(), now });
    expect(opened).to.deep.include({ from: bob.did, verifiedBy: "carriedProof" });
    expect(opened.payload.text).to.equal("sealed");
    expect(asked).to.deep.equal([erin.did]);
    // Alice's proof with Bob's key: not evidence of Bob's key; the lookup decides (and accepts: the key is Bob's).
    const swapped = await encryptMessage(erin.did, { text: "x" }, lookup(), { from, proof: await prove(alice.did) });
    await watch();
    const viaLookup = await decryptMessage(swapped, recipient, lookup(), { carried: carried(), now });
    expect(viaLookup).to.deep.include({ from: bob.did, verifiedBy: "lookup" });
    expect(viaLookup.proofRefused).to.match(/^subject: /);
  });
});

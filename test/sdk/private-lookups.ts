// Issue 23's observer, end to end: an app that meets, follows and hears from a contact list,
// while the RPC endpoint and the resolver service record every request they receive. On a real
// `hardhat node` with 40 identities, the app (1) resolves five contacts for the first time, each
// hidden in a crowd of 32 decoys; (2) watches them through the service's /1.0/stream, which
// reaches the endpoint by the registry's address alone; (3) verifies a contact's message from the
// identity proof it carries, against headers it trusts and its watcher's word that nothing changed,
// with no request at all; and, when the contact rotates away from a stolen key, refuses the thief's
// message that carries the old proof. For each contact the test computes what the observers learned:
// the smallest set of identities it was named among (first contact: at least 33; watching: all 40;
// the carried proof: no request), asserted.
import { expect } from "chai";
import {
  createSigilResolver,
  createTrustedHeaderStore,
  proveIdentity,
  sendOperation,
  serviceAttribute,
  signMessage,
  verifyMessage,
  watchDidsPrivately,
  type DidChange,
  type SigilNetwork,
} from "sigil-did";
import { startResolverService, type RunningService } from "sigil-did-service";
import { toHex, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { devChain } from "../support/dev-chain.ts";
import { startHardhatNode, type HardhatNode } from "../support/hardhat-node.ts";
import { startRpcProxy, type RpcProxy, type RpcRequest } from "../support/rpc-proxy.ts";
import { rpc } from "../support/victim-history.ts";

const IDENTITIES = 40;

describe("private lookups, end to end: what the endpoint and the service learn of an app's contacts (real hardhat node)", function () {
  this.timeout(300_000);
  let node: HardhatNode;
  let endpoint: RpcProxy; // the app's RPC endpoint, in front of the node
  let stream: RpcProxy; // the resolver service's /1.0/stream, as the app reaches it
  let service: RunningService;
  let chain: ReturnType<typeof devChain>;
  let registry: Address;
  const people: { key: Hex; address: Address; did: string }[] = [];
  const atEndpoint: RpcRequest[] = [];
  const atService: RpcRequest[] = [];
  const contacts = () => people.slice(0, 5);
  const net = (url: string, extra: Partial<SigilNetwork> = {}): SigilNetwork => ({
    chainId: 31337,
    name: "local",
    registry,
    rpcUrls: [url],
    ...extra,
  });

  /** The identities a request names: an address in calldata, params or topics. */
  const named = (req: RpcRequest) => {
    const body = JSON.stringify(req.params ?? []).toLowerCase();
    return new Set(people.map((p) => p.address.toLowerCase()).filter((a) => body.includes(a.slice(2))));
  };
  /** The smallest set of identities `address` was named among in `calls` (all of them if never named). */
  const hiddenAmong = (calls: readonly RpcRequest[], address: Address) =>
    calls
      .map(named)
      .filter((s) => s.has(address.toLowerCase()))
      .reduce((min, s) => Math.min(min, s.size), people.length);
  const send = (key: Hex, op: Parameters<typeof sendOperation>[2]) =>
    sendOperation(chain.wallet(key), { registry, publicClient: chain.publicClient }, op);

  before(async () => {
    node = await startHardhatNode();
    chain = devChain(node.url);
    registry = await chain.deploySigil();
    for (let i = 0; i < IDENTITIES; i++) {
      const key = generatePrivateKey();
      const address = privateKeyToAccount(key).address;
      await chain.publicClient.waitForTransactionReceipt({
        hash: await chain.dev.sendTransaction({ to: address, value: 10n ** 18n, chain: null }),
      });
      people.push({ key, address, did: `did:sigil:local:${address.toLowerCase()}` });
    }
    await Promise.all(
      people.map((p, i) =>
        send(p.key, {
          type: "setAttribute",
          identity: p.address,
          ...serviceAttribute("Inbox", `https://inbox.example/${i}`),
          validity: 86_400n * 365n,
        }),
      ),
    );
    endpoint = await startRpcProxy(node.url, { tamper: { request: async (req) => (atEndpoint.push(req), req) } });
    const resolver = createSigilResolver({ networks: [net(endpoint.url)], cache: false });
    service = await startResolverService({ resolver, port: 0, logLevel: "silent", stream: { networks: [net(endpoint.url)] } });
    stream = await startRpcProxy(`${service.url}/1.0/stream/local`, { tamper: { request: async (req) => (atService.push(req), req) } });
  });
  after(async () => {
    await stream?.close();
    await service?.close();
    await endpoint?.close();
    await node?.stop();
  });

  it("meets, follows and hears from five contacts; the endpoint and the service never learn which", async () => {
    const learned = new Map<string, { firstContact: number; watching: number }>();
    // 1. First contact, in a crowd of 32.
    atEndpoint.length = 0;
    const crowd = createSigilResolver({ networks: [net(endpoint.url, { crowd: { k: 32 } })], cache: false });
    const first = await crowd.resolveMany(contacts().map((c) => c.did));
    first.forEach((r) => expect(r.didResolutionMetadata.error, r.didResolutionMetadata.message).to.equal(undefined));
    for (const c of contacts()) learned.set(c.did, { firstContact: hiddenAmong(atEndpoint, c.address), watching: 0 });

    // 2. Watching through the service's stream, from the head the app met them at.
    atEndpoint.length = 0;
    const head = (await rpc(node.url, "eth_getBlockByNumber", ["latest", false])) as { number: Hex; hash: Hex };
    const seen: DidChange[] = [];
    const watcher = watchDidsPrivately(
      net(stream.url),
      contacts().map((c) => c.did),
      (c) => seen.push(c),
      {
        checkpoint: { blockNumber: BigInt(head.number), blockHash: head.hash },
        confirmations: 0,
      },
    );
    await watcher.ready;
    const [bob, carol] = contacts();
    const stranger = people[20];
    await send(bob.key, {
      type: "setAttribute",
      identity: bob.address,
      ...serviceAttribute("Chat", "https://chat.example/bob"),
      validity: 86_400n,
    });
    await send(stranger.key, {
      type: "setAttribute",
      identity: stranger.address,
      ...serviceAttribute("Chat", "https://chat.example/s"),
      validity: 86_400n,
    });
    await watcher.poll();
    expect(seen.map((c) => c.did)).to.deep.equal([bob.did]);
    for (const c of contacts())
      learned.get(c.did)!.watching = Math.min(hiddenAmong(atEndpoint, c.address), hiddenAmong(atService, c.address));
    // The watcher read through the service, and only what names nobody.
    expect(atService.filter((r) => r.method === "eth_getLogs").length).to.be.greaterThan(0);
    expect(
      atService.every((r) => ["eth_chainId", "eth_blockNumber", "eth_getBlockByNumber", "eth_getCode", "eth_getLogs"].includes(r.method)),
    ).to.equal(true);

    // 3. Carol's message carries her proof: verified from it with no request to either observer.
    const direct = { networks: [net(node.url)], cache: false as const };
    const proof = await proveIdentity(direct, carol.did); // made on Carol's side, through her own node
    const trusted = createTrustedHeaderStore();
    const latest = (await rpc(node.url, "eth_getBlockByNumber", ["latest", false])) as { number: Hex; hash: Hex; timestamp: Hex };
    for (let n = BigInt(head.number); n <= BigInt(latest.number); n++) {
      const b = (await rpc(node.url, "eth_getBlockByNumber", [toHex(n), false])) as { hash: Hex; timestamp: Hex };
      trusted.add(31337, { number: n, hash: b.hash, timestamp: BigInt(b.timestamp) }); // the app's own header source
    }
    const carried = { networks: [net(endpoint.url)], trustedHeaders: trusted, noChangeSince: watcher.noChangeSince };
    // The chain's clock (a test node's runs ahead of the wall's when blocks come fast) is "now".
    const now = Number(latest.timestamp);
    const message = await signMessage({ did: carol.did, secretKey: carol.key }, { text: "see you at 6" }, now, { proof });
    const [endpointBefore, serviceBefore] = [atEndpoint.length, atService.length];
    const verdict = await verifyMessage(message, null, { carried, now });
    expect(verdict).to.deep.include({ ok: true, verifiedBy: "carriedProof" });
    expect([atEndpoint.length - endpointBefore, atService.length - serviceBefore], "requests made to verify").to.deep.equal([0, 0]);

    // What the observers learned, per contact: asserted.
    for (const [did, l] of learned) {
      expect(l.firstContact, `${did} at first contact`).to.be.at.least(33);
      expect(l.watching, `${did} while watched`).to.equal(IDENTITIES);
    }

    // 4. Carol's key is stolen; she rotates away. The thief signs with it and carries her old proof:
    // the watcher saw the rotation, so the proof is refused, however young.
    const next = privateKeyToAccount(generatePrivateKey());
    await send(carol.key, { type: "changeOwner", identity: carol.address, newOwner: next.address });
    await watcher.poll();
    expect(watcher.noChangeSince(carol.did, BigInt(latest.number))).to.equal(false);
    const forged = await signMessage({ did: carol.did, secretKey: carol.key }, { text: "send money" }, now + 2, { proof });
    const refused = await verifyMessage(forged, null, { carried, now: now + 2 });
    expect(refused.ok).to.equal(false);
    expect(refused.proofRefused).to.match(/^stale: your watcher saw .* change after the proof's block/);
    watcher.stop();
  });
});

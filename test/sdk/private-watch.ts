// Watching without naming (issue 23) against a real `hardhat node`, with the endpoint as an
// observer (test/support/observer-proxy.ts) that records every request the app's watcher sends:
// 40 identities on the registry, 5 of them the app's contacts. The watcher must report exactly
// the contacts' changes, while no request names a contact in any form, and each contact hides
// among every identity of the registry. Then: a restart from a stored cursor, a reorganisation,
// a node that caps eth_getLogs ranges, and bad input.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import type { DIDResolutionResult } from "did-resolver";
import { toHex, type Address, type Hex, type WalletClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  bytes32Name,
  createSigilResolver,
  memoryWatchStore,
  sendOperation,
  serviceAttribute,
  sigilRegistryAbi,
  watchDidsPrivately,
  SigilError,
  type DidChange,
  type SigilNetwork,
  type WatchCheckpoint,
} from "sigil-did";
import { fileWatchStore } from "sigil-did/node";
import { devChain } from "../support/dev-chain.ts";
import { startHardhatNode, type HardhatNode } from "../support/hardhat-node.ts";
import { startObserver } from "../support/observer-proxy.ts";
import { startRpcProxy, type RpcProxy } from "../support/rpc-proxy.ts";

const IDENTITIES = 40;
const CONTACTS = [3, 11, 19, 27, 35];
/** What a private watcher may ask: nothing here takes an identity. */
const ALLOWED = new Set(["eth_chainId", "eth_getCode", "eth_blockNumber", "eth_getBlockByNumber", "eth_getLogs"]);

describe("sdk: watching without naming (watchDidsPrivately, real hardhat node, observed endpoint)", function () {
  this.timeout(180_000);
  let node: HardhatNode;
  let chain: ReturnType<typeof devChain>;
  let registry: Address;
  let deployBlock: bigint;
  let wallets: WalletClient[];
  const closers: (() => Promise<void>)[] = [];
  const tmp = mkdtempSync(join(tmpdir(), "sigil-private-watch-"));
  const did = (a: Address) => `did:sigil:local:${a.toLowerCase()}`;
  const address = (i: number) => wallets[i].account!.address;
  const contacts = () => CONTACTS.map((i) => did(address(i)));
  const net = (url: string, extra: Partial<SigilNetwork> = {}): SigilNetwork => ({
    chainId: 31337,
    name: "local",
    registry,
    rpcUrls: [url],
    fromBlock: deployBlock,
    ...extra,
  });
  const target = () => ({ registry, publicClient: chain.publicClient });
  const addService = (i: number, endpoint: string) => {
    const svc = serviceAttribute("Messaging", endpoint);
    return sendOperation(wallets[i], target(), {
      type: "setAttribute",
      identity: address(i),
      name: svc.name,
      value: svc.value,
      validity: 86_400n,
    });
  };
  const checkpoint = async (): Promise<WatchCheckpoint> => {
    const b = await chain.publicClient.getBlock({ blockTag: "latest" });
    return { blockNumber: b.number, blockHash: b.hash };
  };
  const observe = async () => {
    const o = await startObserver(node.url);
    closers.push(() => o.close());
    return o;
  };
  /** The normal resolver on an endpoint nobody observes: what the watcher's documents must equal. */
  const reference = () => createSigilResolver({ networks: [net(node.url)], cache: false });
  const rpc = (method: string, params: unknown[] = []) => chain.publicClient.request({ method, params } as never);

  before(async () => {
    node = await startHardhatNode();
    chain = devChain(node.url);
    registry = await chain.deploySigil();
    deployBlock = await chain.publicClient.getBlockNumber();
    wallets = [];
    for (let i = 0; i < IDENTITIES; i++) wallets.push((await chain.funded()) as unknown as WalletClient);
    // Every identity of the registry has a history: a service each.
    for (let i = 0; i < IDENTITIES; i++) await addService(i, `https://m${i}.example`);
  });
  after(async () => {
    for (const close of closers) await close();
    await node?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("reports exactly the contacts' changes; no request names a contact; each hides among all identities", async () => {
    const observer = await observe();
    const seen: DidChange[] = [];
    const watcher = watchDidsPrivately(net(observer.url), contacts(), (c) => seen.push(c), {
      checkpoint: await checkpoint(),
      confirmations: 0,
    });
    await watcher.ready;
    await expectSameDocuments(watcher.documents(), reference());

    // Three contacts change (a new controller, a service, a signing delegate); two strangers too.
    const newOwner = privateKeyToAccount(generatePrivateKey()).address;
    await sendOperation(wallets[3], target(), { type: "changeOwner", identity: address(3), newOwner });
    await addService(11, "https://new-inbox.example");
    const delegate = privateKeyToAccount(generatePrivateKey()).address;
    await sendOperation(wallets[19], target(), {
      type: "addDelegate",
      identity: address(19),
      delegateType: bytes32Name("veriKey"),
      delegate,
      validity: 86_400n,
    });
    await addService(5, "https://stranger.example");
    await sendOperation(wallets[6], target(), { type: "changeOwner", identity: address(6), newOwner });
    const polled = await watcher.poll();
    watcher.stop();

    // (1) Exactly the watched changes, each once, and documents equal to the resolver's.
    expect(polled).to.deep.equal(seen);
    expect(seen.map((c) => c.did)).to.deep.equal([did(address(3)), did(address(11)), did(address(19))]);
    expect(seen[0].changes.map((x) => x.kind)).to.include("controllerChanged");
    expect(seen[0].owner).to.equal(newOwner.toLowerCase());
    expect(seen[1].changes).to.deep.equal([
      { kind: "serviceAdded", service: { type: "Messaging", serviceEndpoint: "https://new-inbox.example" } },
    ]);
    expect(seen[2].changes.map((x) => x.kind)).to.deep.equal(["keyAdded"]);
    await expectSameDocuments(watcher.documents(), reference());

    // (2) No request names a contact: not in calldata, topics or params, in any case.
    expect(observer.bodies.length).to.be.greaterThan(0);
    for (const a of CONTACTS.map(address)) {
      const bare = a.slice(2).toLowerCase();
      for (const body of observer.bodies) expect(body.toLowerCase(), `a request names contact ${a}`).not.to.include(bare);
    }
    for (const call of observer.calls) {
      expect(ALLOWED.has(call.method), `${call.method} sent`).to.equal(true);
      if (call.method === "eth_getLogs")
        expect((call.params[0] as { topics?: unknown[] }).topics ?? [], "an eth_getLogs filter narrows by topic").to.deep.equal([]);
    }

    // (3) What the endpoint learns: the contact is one of the identities whose events it returned,
    // and that set is every identity the registry has.
    const returned = new Set(
      observer.calls
        .filter((c) => c.method === "eth_getLogs")
        .flatMap((c) => (c.result as { topics: Hex[] }[]).map((l) => `0x${l.topics[1].slice(26)}`)),
    );
    const everyone = await registryIdentities();
    expect(everyone.size).to.equal(IDENTITIES);
    for (const a of CONTACTS.map(address)) {
      expect(returned.has(a.toLowerCase())).to.equal(true);
      const anonymitySet = returned.size;
      expect(anonymitySet, `contact ${a} is hidden among ${anonymitySet} of ${everyone.size}`).to.equal(everyone.size);
    }
    expect([...returned].sort()).to.deep.equal([...everyone].sort());
  });

  it("resumes from a stored cursor: changes made while stopped are reported once (through a node that caps eth_getLogs ranges)", async () => {
    const capped: RpcProxy = await startRpcProxy(node.url, { maxLogRange: 7 });
    closers.push(() => capped.close());
    const store = fileWatchStore(join(tmp, "watch.json"));
    const network = net(capped.url);
    const first = watchDidsPrivately(network, contacts(), () => undefined, { checkpoint: await checkpoint(), store, confirmations: 0 });
    await first.ready;
    first.stop();
    expect(capped.refused, "the cap was met and the range split").to.be.greaterThan(0);
    const stoppedAt = first.cursor()!;

    await addService(27, "https://while-away.example");
    await addService(8, "https://stranger-two.example");
    const seen: DidChange[] = [];
    const second = watchDidsPrivately(network, contacts(), (c) => seen.push(c), { store, confirmations: 0 });
    await second.ready;
    expect(second.cursor()).to.deep.equal(stoppedAt);
    await second.poll();
    await second.poll();
    second.stop();
    expect(seen.map((c) => [c.did, c.changes.map((x) => x.kind)])).to.deep.equal([[did(address(27)), ["serviceAdded"]]]);

    const third: DidChange[] = [];
    const again = watchDidsPrivately(network, contacts(), (c) => third.push(c), { store, confirmations: 0 });
    await again.ready;
    await again.poll();
    again.stop();
    expect(third, "a change is reported once, not again after the next restart").to.deep.equal([]);
    // The store keeps the contacts' logs only (what a phone stores grows with its contacts, not the registry).
    const stored = JSON.parse(readFileSync(join(tmp, "watch.json"), "utf8")) as { logs: { topics: Hex[] }[] };
    const kept = new Set(stored.logs.map((l) => `0x${l.topics[1].slice(26)}`));
    expect([...kept].sort()).to.deep.equal(CONTACTS.map((i) => address(i).toLowerCase()).sort());
    await expectSameDocuments(again.documents(), reference());
  });

  it("keeps `confirmations` blocks behind the head", async () => {
    const seen: DidChange[] = [];
    const watcher = watchDidsPrivately(net(node.url), contacts(), (c) => seen.push(c), {
      checkpoint: await checkpoint(),
      confirmations: 2,
    });
    await watcher.ready;
    await addService(35, "https://deep.example");
    await watcher.poll();
    expect(seen).to.deep.equal([]);
    await rpc("hardhat_mine", [toHex(2)]);
    await watcher.poll();
    watcher.stop();
    expect(seen.map((c) => c.did)).to.deep.equal([did(address(35))]);
  });

  it("rolls back a reorganisation: the orphaned change is retracted and the new chain's read", async () => {
    const seen: DidChange[] = [];
    const reorgs: { commonBlock: bigint; orphanedFrom: bigint; retracted: number }[] = [];
    const store = memoryWatchStore();
    const start = await checkpoint();
    const watcher = watchDidsPrivately(net(node.url), contacts(), (c) => seen.push(c), {
      checkpoint: start,
      store,
      confirmations: 0,
      onReorg: (r) => reorgs.push(r),
    });
    await watcher.ready;
    const snapshot = await rpc("evm_snapshot");
    await addService(11, "https://orphaned.example");
    await watcher.poll();
    expect(seen.flatMap((c) => c.changes)).to.deep.equal([
      { kind: "serviceAdded", service: { type: "Messaging", serviceEndpoint: "https://orphaned.example" } },
    ]);
    const orphaned = watcher.cursor()!;

    expect(await rpc("evm_revert", [snapshot])).to.equal(true);
    await addService(11, "https://canonical.example");
    await rpc("hardhat_mine", [toHex(1)]);
    seen.length = 0;
    await watcher.poll();
    watcher.stop();
    expect(reorgs).to.deep.equal([{ commonBlock: start.blockNumber, orphanedFrom: orphaned.blockNumber, retracted: 1 }]);
    expect(seen).to.have.length(1);
    expect(seen[0].changes).to.have.deep.members([
      { kind: "serviceRemoved", service: { type: "Messaging", serviceEndpoint: "https://orphaned.example" } },
      { kind: "serviceAdded", service: { type: "Messaging", serviceEndpoint: "https://canonical.example" } },
    ]);
    expect(watcher.cursor()!.blockHash).to.equal((await chain.publicClient.getBlock({ blockNumber: watcher.cursor()!.blockNumber })).hash);
    await expectSameDocuments(watcher.documents(), reference());
  });

  it("reads a block flooded past the node's result cap event type by event type, and says so when one type floods it", async () => {
    const capped: RpcProxy = await startRpcProxy(node.url, { maxLogResults: 2 });
    closers.push(() => capped.close());
    /** Changes by `who` (index, and a delegate or a service) mined together in one block. */
    const oneBlock = async (who: [number, "service" | "delegate"][]) => {
      await rpc("evm_setAutomine", [false]);
      try {
        for (const [i, kind] of who) {
          const svc = serviceAttribute("Messaging", `https://flood-${i}.example`);
          const delegate = privateKeyToAccount(generatePrivateKey()).address;
          await wallets[i].writeContract({
            address: registry,
            abi: sigilRegistryAbi,
            chain: null,
            account: wallets[i].account!,
            ...(kind === "service"
              ? { functionName: "setAttribute", args: [address(i), svc.name, svc.value, 86_400n] }
              : { functionName: "addDelegate", args: [address(i), bytes32Name("veriKey"), delegate, 86_400n] }),
          } as never);
        }
        await rpc("evm_mine");
      } finally {
        await rpc("evm_setAutomine", [true]);
      }
    };
    const seen: DidChange[] = [];
    const watcher = watchDidsPrivately(net(capped.url), contacts(), (c) => seen.push(c), {
      checkpoint: await checkpoint(),
      confirmations: 0,
    });
    await watcher.ready;
    // Three registry logs in one block, two of one type: read as two calls of at most 2 logs.
    await oneBlock([
      [27, "service"],
      [12, "service"],
      [13, "delegate"],
    ]);
    capped.reset();
    await watcher.poll();
    expect(capped.refused, "the block was refused whole").to.be.greaterThan(0);
    expect(seen.map((c) => [c.did, c.changes.map((x) => x.kind)])).to.deep.equal([[did(address(27)), ["serviceAdded"]]]);
    // Three of one type in one block: no call can return them; a SigilError says what to do.
    await oneBlock([
      [14, "service"],
      [15, "service"],
      [16, "service"],
    ]);
    const error = await watcher.poll().then(
      () => undefined,
      (e: unknown) => e,
    );
    watcher.stop();
    expect(error).to.be.instanceOf(SigilError);
    expect((error as SigilError).message).to.match(/holds more registry events of one type .* use an endpoint without that result cap/);
  });

  it("refuses bad input with a typed error saying what to do", async () => {
    const cp = await checkpoint();
    const start = (network: SigilNetwork, options: Parameters<typeof watchDidsPrivately>[3]) =>
      watchDidsPrivately(network, contacts(), () => undefined, { confirmations: 0, ...options }).ready;
    const refused = async (p: Promise<unknown>, code: string, text: RegExp) => {
      const error = await p.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(SigilError);
      expect((error as SigilError).code).to.equal(code);
      expect((error as SigilError).message).to.match(text);
    };
    const fake = `0x${"ab".repeat(32)}` as Hex;
    await refused(
      start(net(node.url), { checkpoint: { blockNumber: cp.blockNumber, blockHash: fake } }),
      "invalidInput",
      /checkpoint block \d+ is not on this chain.*another chain's block or an orphaned one/,
    );
    await refused(
      start(net(node.url), { checkpoint: { blockNumber: cp.blockNumber + 1000n, blockHash: fake } }),
      "invalidInput",
      /head is block/,
    );
    await refused(start(net(node.url), {}), "invalidInput", /a checkpoint is needed/);
    const nowhere = privateKeyToAccount(generatePrivateKey()).address;
    await refused(
      start(net(node.url, { registry: nowhere }), { checkpoint: cp }),
      "notFound",
      /no registry at .* check the network's registry address/,
    );
    await refused(start(net(node.url, { chainId: 5 }), { checkpoint: cp }), "invalidInput", /serves chain 31337, not 5/);
    const other = memoryWatchStore({
      version: 1,
      chainId: 31337,
      registry: nowhere.toLowerCase() as Address,
      cursor: { blockNumber: "0x1", blockHash: fake, timestamp: "0x1" },
      recent: [],
      watched: [],
      logs: [],
    });
    await refused(start(net(node.url), { store: other }), "invalidInput", /watch store.*give each registry its own store/);
    expect(() => watchDidsPrivately(net(node.url), contacts(), () => undefined, { checkpoint: { blockNumber: -1n, blockHash: fake } }))
      .to.throw(SigilError, "checkpoint")
      .with.property("code", "invalidInput");
    expect(() => watchDidsPrivately(net(node.url), [], () => undefined, { checkpoint: cp })).to.throw(SigilError, "non-empty array");
    expect(() => watchDidsPrivately(net(node.url), ["did:sigil:0x1:" + address(0)], () => undefined, { checkpoint: cp })).to.throw(
      SigilError,
      "watched network",
    );
    expect(() => watchDidsPrivately(net(node.url), contacts(), () => undefined, { checkpoint: cp, confirmations: 1.5 })).to.throw(
      SigilError,
      "confirmations",
    );
  });

  /** Every identity with an event on the registry, read directly (not through the observer). */
  async function registryIdentities(): Promise<Set<string>> {
    const logs = (await rpc("eth_getLogs", [{ address: registry, fromBlock: toHex(deployBlock), toBlock: "latest" }])) as {
      topics: Hex[];
    }[];
    return new Set(logs.map((l) => `0x${l.topics[1].slice(26)}`));
  }

  /** The watcher's locally rebuilt documents equal what the normal resolver says of each contact. */
  async function expectSameDocuments(docs: ReadonlyMap<string, DIDResolutionResult>, resolver: ReturnType<typeof reference>) {
    expect(docs.size).to.equal(CONTACTS.length);
    for (const [d, local] of docs) {
      const remote = await resolver.resolve(d);
      expect(local.didDocument, d).to.deep.equal(remote.didDocument);
      const meta = (r: DIDResolutionResult) => (r.didDocumentMetadata as { sigil: { owner: string } }).sigil.owner;
      expect(meta(local)).to.equal(meta(remote));
    }
  }
});

// POST /1.0/stream/{network}: the registry's event stream served by the resolver service as a
// restricted JSON-RPC endpoint that never receives an identity. A real `hardhat node` behind a
// recording proxy (what the service forwards), a registry with identities, and an app that reads
// the stream with viem: it gets the node's answers for the registry's whole stream; every call
// that could name a DID (topics, eth_call, eth_getProof, another address, transactions in
// blocks) is refused with a JSON-RPC error saying why, and is never forwarded. A crowd's decoy
// pool can be read through it too.
import { expect } from "chai";
import { sendOperation, serviceAttribute } from "sigil-did";
import { startResolverService, type RunningService } from "sigil-did-service";
import { createSigilResolver } from "sigil-did";
import { toHex, type Address } from "viem";
import { devChain } from "../support/dev-chain.ts";
import { startHardhatNode, type HardhatNode } from "../support/hardhat-node.ts";
import { startRpcProxy, type RpcProxy, type RpcRequest } from "../support/rpc-proxy.ts";
import { rpc } from "../support/victim-history.ts";

describe("resolver service: the registry's event stream, never an identity (POST /1.0/stream)", function () {
  this.timeout(120_000);
  let node: HardhatNode;
  let upstream: RpcProxy;
  let service: RunningService;
  let registry: Address;
  let alice: Address;
  const forwarded: RpcRequest[] = [];
  const stream = () => `${service.url}/1.0/stream/local`;
  const call = async (method: string, params: unknown[]) =>
    (await (
      await fetch(stream(), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 7, method, params }),
      })
    ).json()) as { id: number; result?: unknown; error?: { code: number; message: string } };

  before(async () => {
    node = await startHardhatNode();
    const chain = devChain(node.url);
    registry = await chain.deploySigil();
    for (let i = 0; i < 3; i++) {
      const w = await chain.funded();
      await sendOperation(
        w,
        { registry, publicClient: chain.publicClient },
        {
          type: "setAttribute",
          identity: w.account.address,
          ...serviceAttribute("Inbox", `https://inbox.example/${i}`),
          validity: 86_400n,
        },
      );
      alice ??= w.account.address;
    }
    upstream = await startRpcProxy(node.url, { tamper: { request: async (req) => (forwarded.push(req), req) } });
    const network = { chainId: 31337, name: "local", registry, rpcUrls: [upstream.url] };
    const resolver = createSigilResolver({ networks: [network], cache: false });
    service = await startResolverService({ resolver, port: 0, logLevel: "silent", stream: { networks: [network], maxBlockRange: 1_000n } });
  });
  after(async () => {
    await service?.close();
    await upstream?.close();
    await node?.stop();
  });

  it("serves the head, blocks and the registry's whole stream as the node does", async () => {
    const head = (await call("eth_blockNumber", [])).result as string;
    expect(BigInt(head)).to.equal(BigInt((await rpc(node.url, "eth_blockNumber")) as string));
    expect((await call("eth_chainId", [])).result).to.equal("0x7a69");
    const filter = { address: registry, fromBlock: "0x0", toBlock: head };
    const logs = (await call("eth_getLogs", [filter])).result as { topics: string[] }[];
    expect(logs).to.deep.equal(await rpc(node.url, "eth_getLogs", [filter]));
    expect(logs.length).to.equal(3);
    // The registry's code, and one event type's logs (how a flooded block is read): neither names anyone.
    expect((await call("eth_getCode", [registry, "latest"])).result).to.match(/^0x[0-9a-f]{200,}$/);
    const typed = await call("eth_getLogs", [{ ...filter, topics: [logs[0].topics[0]] }]);
    expect(typed.result).to.deep.equal(logs);
    const block = (await call("eth_getBlockByNumber", [head, false])).result as { hash: string };
    expect(block.hash).to.equal(((await rpc(node.url, "eth_getBlockByNumber", [head, false])) as { hash: string }).hash);
    // A batch, as a batching client sends it.
    const batch = (await (
      await fetch(stream(), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify([
          { jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] },
          { jsonrpc: "2.0", id: 2, method: "eth_call", params: [{ to: registry, data: "0x" }, "latest"] },
        ]),
      })
    ).json()) as { id: number; result?: string; error?: { code: number } }[];
    expect(batch.map((a) => a.id)).to.deep.equal([1, 2]);
    expect(batch[0].result).to.equal(head);
    expect(batch[1].error?.code).to.equal(-32601);
  });

  it("refuses, without forwarding, every call that could name an identity", async () => {
    forwarded.length = 0;
    const head = toHex(BigInt((await rpc(node.url, "eth_blockNumber")) as string));
    const topic = `0x${alice.slice(2).toLowerCase().padStart(64, "0")}`;
    const refused: [string, unknown[], number, RegExp][] = [
      [
        "eth_getLogs",
        [{ address: registry, fromBlock: "0x0", toBlock: head, topics: [null, topic] }],
        -32602,
        /may not filter by topics here but the event type/,
      ],
      ["eth_getLogs", [{ address: alice, fromBlock: "0x0", toBlock: head }], -32602, /registry's address .* alone/],
      ["eth_getLogs", [{ fromBlock: "0x0", toBlock: head }], -32602, /registry's address/],
      ["eth_getLogs", [{ address: registry, fromBlock: "0x0", toBlock: "latest" }], -32602, /block numbers/],
      [
        "eth_getLogs",
        [{ address: registry, fromBlock: "0x0", toBlock: "0x5000" }],
        -32005,
        /limited to a 1000 block range here .*: split the range/,
      ],
      ["eth_call", [{ to: registry, data: `0xdd3e1990${topic.slice(2)}` }, "latest"], -32601, /never receives an identity/],
      ["eth_getProof", [registry, [topic], "latest"], -32601, /is not served/],
      ["eth_getBalance", [alice, "latest"], -32601, /is not served/],
      ["eth_getCode", [alice, "latest"], -32602, /registry .* alone/],
      ["eth_getBlockByNumber", [head, true], -32602, /without transactions/],
      ["eth_sendRawTransaction", ["0x00"], -32601, /is not served/],
    ];
    for (const [method, params, code, message] of refused) {
      const answer = await call(method, params);
      expect(answer.id).to.equal(7);
      expect(answer.error?.code, method).to.equal(code);
      expect(answer.error?.message, method).to.match(message);
    }
    expect(forwarded, "nothing refused reached the node").to.deep.equal([]);
  });

  it("answers malformed requests and unknown networks with problem details", async () => {
    const post = (path: string, body: string) =>
      fetch(`${service.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body });
    const unknown = await post("/1.0/stream/mainnet", JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber" }));
    expect(unknown.status).to.equal(404);
    expect(((await unknown.json()) as { detail: string }).detail).to.match(/this service streams .*local/);
    expect((await post("/1.0/stream/local", "[]")).status).to.equal(400);
    expect((await post("/1.0/stream/local", "7")).status).to.equal(400);
  });

  it("serves a whole-registry read (a crowd's decoy pool, a private watcher's poll) and what reaches the node names nobody", async () => {
    forwarded.length = 0;
    const head = BigInt((await rpc(node.url, "eth_blockNumber")) as string);
    const answer = await call("eth_getLogs", [
      { address: registry, fromBlock: toHex(head > 900n ? head - 900n : 0n), toBlock: toHex(head) },
    ]);
    const identities = new Set((answer.result as { topics: string[] }[]).map((l) => `0x${l.topics[1].slice(26)}`));
    expect(identities.size).to.equal(3);
    expect(identities.has(alice.toLowerCase())).to.equal(true);
    // What reached the node names nobody.
    expect(JSON.stringify(forwarded).toLowerCase()).to.not.include(alice.slice(2).toLowerCase());
  });
});

// Header trust policies (sdk/core/src/read/trust.ts) against RPC proxies in front of a real
// `hardhat node` (test/support/rpc-proxy.ts), some of them lying: forged headers (self-consistent
// or not), heads claimed far too high or low, an endpoint down. A quorum holds with one liar of
// three at k = 2 and refuses, naming hosts only, below k; a checkpoint walk follows the hash links,
// walks only new blocks the second time, and refuses a broken link or too long a walk; a source's
// hash must match the fields an endpoint serves.
import { expect } from "chai";
import { toHex, type Hex } from "viem";
import { EndpointDisagreementError, InvalidInputError, ProofError, SigilError } from "../../sdk/core/src/errors.ts";
import { headerHash } from "../../sdk/core/src/read/header.ts";
import { headerTrust, httpHeaderEndpoint, type HeaderEndpoint, type HeaderPolicy } from "../../sdk/core/src/read/trust.ts";
import { startHardhatNode, type HardhatNode } from "../support/hardhat-node.ts";
import { startRpcProxy, type ProxyOptions, type RpcAnswer, type RpcProxy, type RpcRequest } from "../support/rpc-proxy.ts";

type Block = Record<string, unknown>;

const rpc = async (url: string, method: string, params: unknown[]) =>
  (
    (await (
      await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      })
    ).json()) as { result: unknown }
  ).result;

/** `block` with `change` applied and its hash recomputed: a forgery only a trusted hash can catch. */
function forged(block: Block, change: Partial<Block>): Block {
  const copy = { ...block, ...change };
  return { ...copy, hash: headerHash(copy) };
}

const isBlockCall = (req: RpcRequest) => req.method === "eth_getBlockByNumber" || req.method === "eth_getBlockByHash";

/** Proxy options that rewrite the node's block answers (and, optionally, its head). */
function lying(rewrite: (block: Block, req: RpcRequest) => Block | undefined, head?: (real: bigint) => bigint): ProxyOptions {
  return {
    tamper: {
      async answer(req: RpcRequest, answer: RpcAnswer) {
        if (req.method === "eth_blockNumber" && head) return { ...answer, result: toHex(head(BigInt(answer.result as string))) };
        if (!isBlockCall(req) || !answer.result) return answer;
        return { ...answer, result: rewrite(answer.result as Block, req) ?? answer.result };
      },
    },
  };
}

async function refusal<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected a ${type.name}`).to.be.instanceOf(type);
  return error as T;
}

describe("header trust policies (read/trust.ts, RPC proxies before a real hardhat node)", function () {
  this.timeout(120_000);
  let node: HardhatNode;
  const proxies: RpcProxy[] = [];

  const block = async (n: bigint | "latest" | "finalized") =>
    (await rpc(node.url, "eth_getBlockByNumber", [typeof n === "bigint" ? toHex(n) : n, false])) as Block;
  const head = async () => BigInt((await rpc(node.url, "eth_blockNumber", [])) as string);
  // evm_mine one block at a time: hardhat_mine's reserved blocks are not linked by parentHash.
  const mine = async (blocks: number) => {
    for (let i = 0; i < blocks; i++) await rpc(node.url, "evm_mine", []);
  };
  /** An endpoint through a new proxy; its URL carries an API key that must never be shown. */
  async function endpoint(options: ProxyOptions = {}): Promise<HeaderEndpoint & { proxy: RpcProxy }> {
    const proxy = await startRpcProxy(node.url, options);
    proxies.push(proxy);
    return { ...httpHeaderEndpoint(`${proxy.url}/v3/SECRET-API-KEY`), proxy };
  }
  const honest = (count: number) => Promise.all(Array.from({ length: count }, () => endpoint()));

  before(async () => {
    node = await startHardhatNode();
    await mine(30);
  });
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });
  after(async () => node?.stop());

  describe("quorum", () => {
    it("trusts the header k endpoints agree on, depth blocks behind the head", async () => {
      const endpoints = await honest(3);
      const trusted = await headerTrust({ kind: "quorum", endpoints, k: 3 }).latest();
      const expected = await block((await head()) - 2n);
      expect(trusted.hash).to.equal(expected.hash);
      expect(trusted.number).to.equal(BigInt(expected.number as string));
      expect(trusted.stateRoot).to.equal(expected.stateRoot);
      expect(trusted.basis).to.equal("3 of 3 endpoints at depth 2");
      const deeper = await headerTrust({ kind: "quorum", endpoints, k: 2, depth: 5 }).latest();
      expect(deeper.number).to.equal((await head()) - 5n);
      expect(deeper.basis).to.equal("3 of 3 endpoints at depth 5");
    });

    it("starts from the finalized block when asked", async () => {
      const trusted = await headerTrust({ kind: "quorum", endpoints: await honest(2), k: 2, tag: "finalized" }).latest();
      expect(trusted.hash).to.equal((await block("finalized")).hash);
      expect(trusted.basis).to.equal("2 of 2 endpoints at finalized");
    });

    it("holds with one liar of three at k = 2, whether it claims a head far too high or too low", async () => {
      const expected = await block((await head()) - 2n);
      for (const claim of [(h: bigint) => h + 1_000n, () => 0n]) {
        const liar = await endpoint(lying((b) => forged(b, { stateRoot: `0x${"66".repeat(32)}` }), claim));
        const trusted = await headerTrust({ kind: "quorum", endpoints: [liar, ...(await honest(2))], k: 2 }).latest();
        expect(trusted.hash).to.equal(expected.hash);
        expect(trusted.basis).to.equal("2 of 3 endpoints at depth 2");
      }
    });

    it("refuses when fewer than k agree, saying which host said what, without URLs' keys", async () => {
      const liars = await Promise.all(["77", "88"].map((byte) => endpoint(lying((b) => forged(b, { stateRoot: `0x${byte.repeat(32)}` })))));
      const [good] = await honest(1);
      const error = await refusal(
        headerTrust({ kind: "quorum", endpoints: [liars[0], good, liars[1]], k: 2 }).latest(),
        EndpointDisagreementError,
      );
      const target = (await head()) - 2n;
      expect(error.code).to.equal("internalError");
      expect(error.did).to.equal(`block ${target}`);
      expect(error.at).to.equal(`block ${target}'s hash (2 of 3 must agree)`);
      expect(error.answers.map((a) => a.host)).to.deep.equal([liars[0], good, liars[1]].map((e) => new URL(e.proxy.url).host));
      expect(error.answers[1].says).to.equal((await block(target)).hash);
      expect(new Set(error.answers.map((a) => a.says)).size).to.equal(3);
      expect(error.message).to.include(good.host);
      expect(error.message).to.not.include("SECRET");
    });

    it("refuses one liar at k = 3, even when it claims the highest head", async () => {
      const liar = await endpoint(
        lying(
          (b) => forged(b, { timestamp: "0x1" }),
          (h) => h + 50n,
        ),
      );
      const error = await refusal(
        headerTrust({ kind: "quorum", endpoints: [...(await honest(2)), liar], k: 3 }).latest(),
        EndpointDisagreementError,
      );
      expect(error.at).to.equal(`block ${(await head()) - 2n}'s hash (3 of 3 must agree)`);
      expect(error.answers[2].says).to.not.equal(error.answers[0].says);
    });

    it("counts a header whose hash does not check as not agreeing, and says so", async () => {
      const liar = await endpoint(lying((b) => ({ ...b, stateRoot: `0x${"99".repeat(32)}` })));
      const endpoints = [...(await honest(2)), liar];
      const error = await refusal(headerTrust({ kind: "quorum", endpoints, k: 3 }).latest(), EndpointDisagreementError);
      expect(error.answers[2].says).to.match(
        /^a header that does not check \(the block's fields hash to 0x[0-9a-f]{64}, but the endpoint says/,
      );
      expect((await headerTrust({ kind: "quorum", endpoints, k: 2 }).latest()).basis).to.equal("2 of 3 endpoints at depth 2");
    });

    it("counts an endpoint that fails as not agreeing, and says so", async () => {
      const down = await endpoint({ down: true });
      const endpoints = [...(await honest(2)), down];
      const error = await refusal(headerTrust({ kind: "quorum", endpoints, k: 3 }).latest(), EndpointDisagreementError);
      expect(error.did).to.equal("the chain's head");
      expect(error.at).to.equal("head (3 of 3 must answer)");
      expect(error.answers[2]).to.deep.include({ host: down.host });
      expect(error.answers[2].says).to.match(/^failed: HTTP request failed/);
      expect(error.message).to.not.include("SECRET");
      expect(error.answers[0].says).to.match(/^block \d+$/);
      expect((await headerTrust({ kind: "quorum", endpoints, k: 2 }).latest()).basis).to.equal("2 of 3 endpoints at depth 2");
      // Up for the head, down for the header: still named, as failed.
      const flaky = await endpoint({
        tamper: {
          async request(req) {
            return isBlockCall(req) ? { jsonrpc: "2.0", id: req.id, error: { code: -32000, message: "header unavailable" } } : req;
          },
        },
      });
      const late = await refusal(
        headerTrust({ kind: "quorum", endpoints: [...(await honest(1)), flaky], k: 2 }).latest(),
        EndpointDisagreementError,
      );
      expect(late.answers[1].host).to.equal(flaky.host);
      expect(late.answers[1].says).to.match(/^failed: .*\(header unavailable\)$/);
    });

    it("refuses malformed policies", () => {
      const endpoints = [httpHeaderEndpoint("http://127.0.0.1:1")];
      for (const policy of [
        { kind: "quorum", endpoints, k: 0 },
        { kind: "quorum", endpoints, k: 2 },
        { kind: "quorum", endpoints, k: 1.5 },
        { kind: "quorum", endpoints, k: 1, depth: -1 },
        { kind: "other" },
      ]) {
        expect(() => headerTrust(policy as HeaderPolicy), JSON.stringify(policy)).to.throw(InvalidInputError);
      }
    });
  });

  describe("checkpoint", () => {
    const pin = async (n: bigint) => ({ kind: "checkpoint" as const, number: n, hash: (await block(n)).hash as Hex });

    it("walks the hash-linked headers after the checkpoint in batches, then only the new ones", async () => {
      const e = await endpoint();
      const trust = headerTrust({ ...(await pin(5n)), endpoint: e });
      const first = await trust.latest();
      const target = (await head()) - 2n;
      expect(first.hash).to.equal((await block(target)).hash);
      expect(first.basis).to.equal(`checkpoint ${((await block(5n)).hash as string).slice(0, 10)}… + ${target - 5n} headers`);
      expect(trust.last?.hash).to.equal(first.hash);
      expect(e.proxy.roundTrips, "headers fetched in JSON-RPC batches").to.be.at.most(4);
      e.proxy.reset();
      await mine(7);
      const second = await trust.latest();
      expect(second.number).to.equal(target + 7n);
      expect(second.basis).to.match(new RegExp(`\\+ ${target + 7n - 5n} headers$`));
      expect(e.proxy.requests.filter((m) => m === "eth_getBlockByNumber")).to.have.length(7);
      const [again, twice] = await Promise.all([trust.latest(), trust.latest()]);
      expect(again.hash).to.equal(second.hash);
      expect(twice.hash).to.equal(second.hash);
    });

    it("refuses a checkpoint whose pinned hash the endpoint's block does not match", async () => {
      const policy = { ...(await pin(5n)), hash: (await block(6n)).hash as Hex };
      const error = await refusal(headerTrust({ ...policy, endpoint: await endpoint() }).latest(), ProofError);
      expect(error.what).to.equal("blockHash");
      expect(error.message).to.match(/block 5's fields hash to .*, not to the trusted/);
    });

    it("refuses a broken parentHash link, and keeps the headers verified before it", async () => {
      const liar = await endpoint(lying((b) => (b.number === toHex(9n) ? forged(b, { parentHash: `0x${"ab".repeat(32)}` }) : undefined)));
      const trust = headerTrust({ ...(await pin(5n)), endpoint: liar });
      const error = await refusal(trust.latest(), ProofError);
      expect(error.what).to.equal("parentHash");
      expect(error.message).to.match(/block 9's parentHash is 0xabab.*, but the verified block 8 is 0x/);
      expect(error.hint).to.match(/reorganised deeper than depth/);
      expect(trust.last?.number).to.equal(8n);
    });

    it("refuses a forged header on the walk, and another block than asked", async () => {
      const forgedField = await endpoint(lying((b) => (b.number === toHex(7n) ? { ...b, gasUsed: "0x1" } : undefined)));
      const error = await refusal(headerTrust({ ...(await pin(5n)), endpoint: forgedField }).latest(), ProofError);
      expect(error.what).to.equal("blockHash");
      const another = await endpoint({
        tamper: {
          async request(req) {
            return req.params?.[0] === toHex(7n) ? { ...req, params: [toHex(8n), false] } : req;
          },
        },
      });
      const wrong = await refusal(headerTrust({ ...(await pin(5n)), endpoint: another }).latest(), ProofError);
      expect(wrong.what).to.equal("blockNumber");
      expect(wrong.message).to.match(/block 7 was asked, the endpoint answered block 8/);
    });

    it("refuses a walk longer than maxHeaders", async () => {
      const target = (await head()) - 2n;
      const error = await refusal(headerTrust({ ...(await pin(5n)), endpoint: await endpoint(), maxHeaders: 3 }).latest(), ProofError);
      expect(error.what).to.equal("checkpoint");
      expect(error.shortMessage).to.equal("the checkpoint is too far behind the chain's head");
      expect(error.message).to.include(
        `block ${target} is ${target - 5n} headers after the last verified block 5; the policy walks at most 3`,
      );
      expect(error.hint).to.equal("pin a more recent checkpoint, or raise maxHeaders");
      const exact = await headerTrust({ ...(await pin(target - 3n)), endpoint: await endpoint(), maxHeaders: 3 }).latest();
      expect(exact.number).to.equal(target);
    });

    it("says when the endpoint cannot be reached, and refuses malformed policies", async () => {
      const error = await refusal(headerTrust({ ...(await pin(5n)), endpoint: await endpoint({ down: true }) }).latest(), SigilError);
      expect(error.code).to.equal("internalError");
      expect(error).to.not.be.instanceOf(ProofError);
      const e = httpHeaderEndpoint("http://127.0.0.1:1");
      for (const bad of [
        { number: -1n, hash: `0x${"00".repeat(32)}` },
        { number: 1, hash: `0x${"00".repeat(32)}` },
        { number: 1n, hash: "0x1234" },
        { number: 1n, hash: `0x${"00".repeat(32)}`, maxHeaders: 0 },
        { number: 1n, hash: `0x${"00".repeat(32)}`, depth: -2 },
      ]) {
        expect(() => headerTrust({ kind: "checkpoint", endpoint: e, ...bad } as HeaderPolicy), String(bad.number)).to.throw(
          InvalidInputError,
        );
      }
    });
  });

  describe("source", () => {
    it("fetches the fields of the header a source vouches for, and checks them against its hash", async () => {
      const trustedBlock = await block(10n);
      const asked: number[] = [];
      const header = async (chainId: number) => {
        asked.push(chainId);
        return { number: 10n, hash: trustedBlock.hash as Hex };
      };
      const trusted = await headerTrust({ kind: "source", header }, { chainId: 31337, endpoint: await endpoint() }).latest();
      expect(trusted.stateRoot).to.equal(trustedBlock.stateRoot);
      expect(trusted.basis).to.equal("source");
      expect(asked).to.deep.equal([31337]);
      const liar = await endpoint(lying((b) => forged(b, { stateRoot: `0x${"12".repeat(32)}` })));
      const error = await refusal(headerTrust({ kind: "source", header }, { chainId: 31337, endpoint: liar }).latest(), ProofError);
      expect(error.what).to.equal("blockHash");
      expect(error.message).to.include(`not to the trusted ${trustedBlock.hash}`);
    });

    it("refuses a source header for another number, a missing block, a malformed source or no network", async () => {
      const trustedBlock = await block(10n);
      const e = await endpoint();
      const wrongNumber = headerTrust(
        { kind: "source", header: async () => ({ number: 11n, hash: trustedBlock.hash as Hex }) },
        { chainId: 1, endpoint: e },
      );
      expect((await refusal(wrongNumber.latest(), ProofError)).what).to.equal("blockNumber");
      const unknown = headerTrust(
        { kind: "source", header: async () => ({ number: 10n, hash: `0x${"01".repeat(32)}` }) },
        { chainId: 1, endpoint: e },
      );
      expect((await refusal(unknown.latest(), ProofError)).message).to.match(/has no such block/);
      const malformed = headerTrust(
        { kind: "source", header: async () => ({ number: 10, hash: "0x12" }) as never },
        { chainId: 1, endpoint: e },
      );
      await refusal(malformed.latest(), InvalidInputError);
      expect(() => headerTrust({ kind: "source", header: async () => ({ number: 1n, hash: "0x" }) })).to.throw(
        InvalidInputError,
        /source policy/,
      );
    });
  });
});

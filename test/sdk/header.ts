// Block headers checked by hashing their fields again (sdk/core/src/read/header.ts), against the
// blocks of a real `hardhat node` (every fork field up to Prague's requestsHash) and Ethereum
// mainnet's genesis (none of them): every real block hashes to its hash, and changing any one
// field, or a malformed answer, is refused with a ProofError naming what did not check.
import { expect } from "chai";
import { parseEther, toHex, type Hex } from "viem";
import { privateKeyToAccount, generatePrivateKey } from "viem/accounts";
import { ProofError } from "../../sdk/core/src/errors.ts";
import { checkedHeader, headerHash } from "../../sdk/core/src/read/header.ts";
import { devChain } from "../support/dev-chain.ts";
import { startHardhatNode, type HardhatNode } from "../support/hardhat-node.ts";

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

/** Ethereum mainnet's genesis block as nodes serve it: a header from before every fork field. */
const MAINNET_GENESIS: Block = {
  hash: "0xd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3",
  parentHash: "0x0000000000000000000000000000000000000000000000000000000000000000",
  sha3Uncles: "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347",
  miner: "0x0000000000000000000000000000000000000000",
  stateRoot: "0xd7f8974fb5ac78d9ac099b9ad5018bedc2ce0a72dad1827a1709da30580f0544",
  transactionsRoot: "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421",
  receiptsRoot: "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421",
  logsBloom: `0x${"00".repeat(256)}`,
  difficulty: "0x400000000",
  number: "0x0",
  gasLimit: "0x1388",
  gasUsed: "0x0",
  timestamp: "0x0",
  extraData: "0x11bbe8db4e347b4e8c937c1c8370e4b5ed33adb3db69cbdb7a38e1e50b1b82fa",
  mixHash: "0x0000000000000000000000000000000000000000000000000000000000000000",
  nonce: "0x0000000000000042",
};

function expectProofError(run: () => unknown, what: string, message: RegExp): ProofError {
  let thrown: unknown;
  try {
    run();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, "expected a ProofError").to.be.instanceOf(ProofError);
  const error = thrown as ProofError;
  expect(error.what).to.equal(what);
  expect(error.code).to.equal("internalError");
  expect(error.message).to.match(message);
  expect(error.message).to.match(/use another endpoint/);
  return error;
}

describe("block headers checked by their hash (read/header.ts, real hardhat node)", function () {
  this.timeout(120_000);
  let node: HardhatNode;
  let blocks: Block[];

  before(async () => {
    node = await startHardhatNode();
    const chain = devChain(node.url);
    // Blocks with transactions, receipts, logs and a contract, not only empty ones.
    await chain.deploySigil();
    const to = privateKeyToAccount(generatePrivateKey()).address;
    for (let i = 0; i < 3; i++) {
      await chain.publicClient.waitForTransactionReceipt({
        hash: await chain.dev.sendTransaction({ to, value: parseEther("1"), chain: null }),
      });
    }
    const head = BigInt((await rpc(node.url, "eth_blockNumber", [])) as string);
    expect(head >= 4n).to.equal(true);
    blocks = [];
    for (let n = 0n; n <= head; n++) blocks.push((await rpc(node.url, "eth_getBlockByNumber", [toHex(n), false])) as Block);
  });
  after(async () => node?.stop());

  const latest = () => ({ ...blocks.at(-1)! });

  it("recomputes the hash of every block, the genesis and those with transactions, with all fork fields", async () => {
    expect(blocks.at(-1)!.requestsHash, "Hardhat serves Prague headers").to.be.a("string");
    for (const block of blocks) expect(headerHash(block)).to.equal(block.hash);
    const withTransactions = blocks.filter((b) => (b.transactions as unknown[]).length > 0);
    expect(withTransactions.length).to.be.at.least(4);
    const byHash = (await rpc(node.url, "eth_getBlockByHash", [blocks[2].hash, false])) as Block;
    expect(headerHash(byHash)).to.equal(blocks[2].hash);
  });

  it("recomputes a header without fork fields (Ethereum mainnet's genesis)", () => {
    expect(headerHash(MAINNET_GENESIS)).to.equal(MAINNET_GENESIS.hash);
    expect(checkedHeader(MAINNET_GENESIS, { number: 0n, hash: MAINNET_GENESIS.hash as Hex }).stateRoot).to.equal(MAINNET_GENESIS.stateRoot);
  });

  it("returns the typed fields the verified mode uses", () => {
    const block = latest();
    const header = checkedHeader(block, {
      number: BigInt(block.number as string),
      hash: (block.hash as string).toUpperCase().replace("0X", "0x") as Hex,
    });
    expect(header).to.deep.equal({
      number: BigInt(block.number as string),
      hash: block.hash,
      parentHash: block.parentHash,
      stateRoot: block.stateRoot,
      receiptsRoot: block.receiptsRoot,
      timestamp: BigInt(block.timestamp as string),
    });
    expect(header.parentHash).to.equal(blocks.at(-2)!.hash);
  });

  for (const [field, change] of [
    ["stateRoot", (v: string) => `0x${"11".repeat(32)}` + v.slice(66)],
    ["timestamp", (v: string) => toHex(BigInt(v) + 1n)],
    ["number", (v: string) => toHex(BigInt(v) + 1n)],
    ["receiptsRoot", (v: string) => `0x${"22".repeat(32)}` + v.slice(66)],
    ["requestsHash", (v: string) => `0x${"33".repeat(32)}` + v.slice(66)],
  ] as const) {
    it(`refuses a header whose ${field} was changed (the claimed hash no longer matches)`, () => {
      const block = latest();
      block[field] = change(block[field] as string);
      expectProofError(
        () => checkedHeader(block),
        "blockHash",
        new RegExp(`fields hash to 0x[0-9a-f]{64}, but the endpoint says its hash is ${block.hash}`),
      );
    });
  }

  it("refuses a changed field even when the claimed hash was changed to match, given the trusted hash", () => {
    const block = latest();
    const trusted = block.hash as Hex;
    block.stateRoot = `0x${"44".repeat(32)}`;
    block.hash = headerHash(block);
    expect(checkedHeader(block).stateRoot).to.equal(block.stateRoot); // self-consistent, so only a trusted hash can catch it
    expectProofError(() => checkedHeader(block, { hash: trusted }), "blockHash", new RegExp(`not to the trusted ${trusted}`));
  });

  it("refuses another block than the one asked", () => {
    const block = latest();
    expectProofError(() => checkedHeader(block, { number: 1n }), "blockNumber", /block 1 was asked, the endpoint answered block \d+/);
  });

  it("refuses a missing block, a non-object and missing or malformed fields, naming the field", () => {
    expectProofError(() => checkedHeader(null), "header", /has no such block/);
    expectProofError(() => headerHash("0x1234"), "header", /the block is string, not an object/);
    const cases: [string, unknown, RegExp][] = [
      ["stateRoot", undefined, /stateRoot is missing, not 32 bytes|stateRoot is missing, not hex data/],
      ["stateRoot", "0x1234", /stateRoot is 0x1234, not 32 bytes/],
      ["miner", `0x${"00".repeat(32)}`, /miner is 0x0000.*, not 20 bytes/],
      ["logsBloom", "0x00", /logsBloom is 0x00, not 256 bytes/],
      ["timestamp", "12", /timestamp is 12, not a hex quantity/],
      ["timestamp", 12, /timestamp is number, not a hex quantity/],
      ["extraData", "0x123", /extraData is 0x123, not hex data/],
      ["nonce", "0x00", /nonce is 0x00, not 8 bytes/],
      ["baseFeePerGas", "0xzz", /baseFeePerGas is 0xzz, not a hex quantity/],
      ["hash", "0x12", /hash is 0x12, not 32 bytes of hex/],
      ["hash", undefined, /hash is missing/],
    ];
    for (const [field, value, message] of cases) {
      const block = latest();
      block[field] = value;
      expectProofError(() => checkedHeader(block), "header", message);
    }
  });

  it("refuses a header with a fork field missing before a later one", () => {
    const block = latest();
    delete block.withdrawalsRoot;
    expectProofError(() => checkedHeader(block), "header", /has requestsHash but no withdrawalsRoot/);
  });

  it("refuses a header whose trailing fork field was dropped (it hashes differently)", () => {
    const block = latest();
    delete block.requestsHash;
    expectProofError(() => checkedHeader(block), "blockHash", /fields hash to/);
  });
});

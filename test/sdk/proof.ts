// EIP-1186 proofs checked against a verified header (sdk/core/src/read/proof.ts), with a real
// `hardhat node`'s eth_getProof: a SigilRegistry's storage after a write, an EOA, an absent
// account and empty slots all prove what eth_getStorageAt says; every altered answer (a node
// changed or dropped, a proof from another block or for another account or slot, a value or an
// account field that differs from the proven one) is refused with a ProofError naming it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { keccak256, numberToHex, toHex, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { InvalidInputError, ProofError } from "../../sdk/core/src/errors.ts";
import { checkedHeader, type VerifiedHeader } from "../../sdk/core/src/read/header.ts";
import { mappingSlot, slotHex, slotPlus, verifyAccount, verifyProof, verifyStorage } from "../../sdk/core/src/read/proof.ts";
import { devChain } from "../support/dev-chain.ts";
import { startHardhatNode, type HardhatNode } from "../support/hardhat-node.ts";

type Answer = {
  address: string;
  accountProof: Hex[];
  balance: string;
  nonce: string;
  codeHash: string;
  storageHash: Hex;
  storageProof: { key: string; value: string; proof: Hex[] }[];
};

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

const SIGIL_ABI = JSON.parse(
  readFileSync(join(import.meta.dirname, "..", "..", "artifacts", "contracts", "SigilRegistry.sol", "SigilRegistry.json"), "utf8"),
).abi;
const randomAddress = () => privateKeyToAccount(generatePrivateKey()).address;
const copy = <T>(value: T): T => structuredClone(value);
/** `hex` with one byte in its middle flipped. */
const flip = (hex: Hex): Hex => {
  const at = 2 + 2 * Math.floor((hex.length - 2) / 4);
  return `${hex.slice(0, at)}${(parseInt(hex.slice(at, at + 2), 16) ^ 0xff).toString(16).padStart(2, "0")}${hex.slice(at + 2)}` as Hex;
};

async function expectProofError(promise: Promise<unknown>, what: string, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected a ProofError about ${what}`).to.be.instanceOf(ProofError);
  expect((error as ProofError).what).to.equal(what);
  expect((error as ProofError).code).to.equal("internalError");
  expect((error as Error).message).to.match(message);
}

describe("EIP-1186 proofs checked against a verified header (read/proof.ts, real hardhat node)", function () {
  this.timeout(120_000);
  let node: HardhatNode;
  let registry: Address;
  let dev: Address;
  let recordSlot: Hex;
  let header: VerifiedHeader;
  const absent = randomAddress();

  const headerAt = async (block: bigint | "latest") =>
    checkedHeader(await rpc(node.url, "eth_getBlockByNumber", [block === "latest" ? block : toHex(block), false]));
  const proofOf = async (address: Address, slots: Hex[], at: VerifiedHeader) =>
    (await rpc(node.url, "eth_getProof", [address, slots, toHex(at.number)])) as Answer;
  const storageAt = async (address: Address, slot: Hex, at: VerifiedHeader) =>
    BigInt((await rpc(node.url, "eth_getStorageAt", [address, slot, toHex(at.number)])) as string);

  before(async () => {
    node = await startHardhatNode();
    const chain = devChain(node.url);
    dev = chain.dev.account.address;
    registry = await chain.deploySigil();
    const hash = await chain.dev.writeContract({
      address: registry,
      abi: SIGIL_ABI,
      functionName: "changeOwner",
      args: [dev, randomAddress()],
      chain: null,
    });
    await chain.publicClient.waitForTransactionReceipt({ hash });
    header = await headerAt("latest");
    // The record's mapping is declared after the inherited state; find its base slot as Solidity laid it out.
    for (let base = 0n; base < 32n && !recordSlot; base++) {
      if ((await storageAt(registry, mappingSlot(dev, base), header)) !== 0n) recordSlot = mappingSlot(dev, base);
    }
    expect(recordSlot, "the changeOwner wrote dev's record").to.be.a("string");
  });
  after(async () => node?.stop());

  it("proves a contract's account and its storage as eth_getStorageAt reads them", async () => {
    const empty = slotPlus(recordSlot, 1000);
    const slots = [recordSlot, empty, slotHex(0n)];
    const answer = await proofOf(registry, slots, header);
    const account = await verifyAccount(header.stateRoot, registry, answer.accountProof);
    expect(account).to.deep.equal({ nonce: 1n, balance: 0n, storageHash: answer.storageHash.toLowerCase(), codeHash: answer.codeHash });
    const code = (await rpc(node.url, "eth_getCode", [registry, toHex(header.number)])) as Hex;
    expect(account!.codeHash).to.equal(keccak256(code));
    const values = await verifyProof(header, registry, answer, slots);
    expect([...values.keys()]).to.deep.equal(slots);
    for (const slot of slots) expect(values.get(slot)).to.equal(await storageAt(registry, slot, header));
    expect(values.get(recordSlot)! > 0n).to.equal(true);
    expect(values.get(empty)).to.equal(0n);
    expect(await verifyStorage(account!.storageHash, recordSlot, answer.storageProof[0].proof)).to.equal(values.get(recordSlot));
  });

  it("takes slots as numbers or short hex, and keys the result by 32-byte hex", async () => {
    const answer = await proofOf(registry, [slotHex(0n), recordSlot], header);
    const values = await verifyProof(header, registry, answer, [0n, BigInt(recordSlot), "0x0"]);
    expect([...values.keys()]).to.deep.equal([slotHex(0n), recordSlot]);
  });

  it("proves an EOA (empty storage) and an absent account (all slots empty)", async () => {
    const eoa = await proofOf(dev, [recordSlot], header);
    const account = await verifyAccount(header.stateRoot, dev, eoa.accountProof);
    expect(account!.nonce > 0n && account!.balance > 0n).to.equal(true);
    expect(account!.storageHash).to.equal("0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
    expect((await verifyProof(header, dev, eoa, [recordSlot])).get(recordSlot)).to.equal(0n);
    const none = await proofOf(absent, [recordSlot], header);
    expect(await verifyAccount(header.stateRoot, absent, none.accountProof)).to.equal(null);
    expect((await verifyProof(header, absent, none, [recordSlot])).get(recordSlot)).to.equal(0n);
  });

  it("refuses a value claimed for an absent account", async () => {
    const none = await proofOf(absent, [recordSlot], header);
    none.storageProof[0].value = "0x1";
    await expectProofError(
      verifyProof(header, absent, none, [recordSlot]),
      "value",
      /is proven 0 \(the account is proven absent\), but the endpoint says 0x1/,
    );
  });

  it("refuses an altered or truncated account proof", async () => {
    const answer = await proofOf(registry, [recordSlot], header);
    for (const i of [0, 1, answer.accountProof.length - 1]) {
      const altered = copy(answer);
      altered.accountProof[i] = flip(altered.accountProof[i]);
      await expectProofError(verifyProof(header, registry, altered, [recordSlot]), "accountProof", /does not lead from the root/);
    }
    const truncated = copy(answer);
    truncated.accountProof.pop();
    await expectProofError(
      verifyProof(header, registry, truncated, [recordSlot]),
      "accountProof",
      /does not lead from the root .*: the node 0x[0-9a-f]{64} on the key's path is missing/,
    );
    const empty = copy(answer);
    empty.accountProof = [];
    await expectProofError(verifyProof(header, registry, empty, [recordSlot]), "accountProof", /does not lead from the root/);
    const malformed = copy(answer) as unknown as { accountProof: unknown };
    malformed.accountProof = ["0x12", 7];
    await expectProofError(verifyProof(header, registry, malformed, [recordSlot]), "accountProof", /is not a list of hex nodes/);
  });

  it("refuses an altered or truncated storage proof", async () => {
    const answer = await proofOf(registry, [recordSlot], header);
    const altered = copy(answer);
    altered.storageProof[0].proof[0] = flip(altered.storageProof[0].proof[0]);
    await expectProofError(
      verifyProof(header, registry, altered, [recordSlot]),
      "storageProof",
      new RegExp(`proof of slot ${recordSlot} does not lead`),
    );
    const truncated = copy(answer);
    truncated.storageProof[0].proof.pop();
    await expectProofError(verifyProof(header, registry, truncated, [recordSlot]), "storageProof", /does not lead from the root/);
  });

  it("refuses a proof from another block (the registry's storage changed since)", async () => {
    const old = await proofOf(registry, [recordSlot], header);
    const other = await devChain(node.url).funded();
    const hash = await other.writeContract({
      address: registry,
      abi: SIGIL_ABI,
      functionName: "changeOwner",
      args: [other.account.address, randomAddress()],
      chain: null,
    });
    await devChain(node.url).publicClient.waitForTransactionReceipt({ hash });
    const later = await headerAt("latest");
    expect(later.number > header.number).to.equal(true);
    await expectProofError(
      verifyProof(later, registry, old, [recordSlot]),
      "accountProof",
      new RegExp(`does not lead from the root ${later.stateRoot}`),
    );
    // Still good for its own block; the new one proves the same value under a new storage root.
    expect((await verifyProof(header, registry, old, [recordSlot])).get(recordSlot)).to.equal(
      await storageAt(registry, recordSlot, header),
    );
    const fresh = await proofOf(registry, [recordSlot], later);
    expect(fresh.storageHash).to.not.equal(old.storageHash);
    expect((await verifyProof(later, registry, fresh, [recordSlot])).get(recordSlot)).to.equal(
      await storageAt(registry, recordSlot, later),
    );
  });

  it("refuses a proof for another account, or an answer naming another", async () => {
    const devProof = await proofOf(dev, [recordSlot], header);
    const relabelled = { ...copy(devProof), address: registry };
    await expectProofError(
      verifyProof(header, registry, relabelled, [recordSlot]),
      "accountProof",
      new RegExp(`proof of account ${registry}`),
    );
    await expectProofError(
      verifyProof(header, registry, devProof, [recordSlot]),
      "address",
      new RegExp(`${registry} was asked, the endpoint answered for ${dev}`, "i"),
    );
    await expectProofError(verifyProof(header, registry, null, [recordSlot]), "address", /answered null/);
  });

  it("refuses proofs of other slots than asked: another, a missing, an extra, a repeated one", async () => {
    const other = slotPlus(recordSlot, 1);
    const answer = await proofOf(registry, [recordSlot, other], header);
    await expectProofError(
      verifyProof(header, registry, answer, [recordSlot]),
      "slot",
      new RegExp(`proves slot ${other}, which was not asked`),
    );
    await expectProofError(
      verifyProof(header, registry, answer, [recordSlot, other, slotPlus(recordSlot, 2)]),
      "slot",
      /has no proof of slot .*, which was asked/,
    );
    const swapped = copy(answer);
    swapped.storageProof[1].key = slotPlus(recordSlot, 2);
    await expectProofError(verifyProof(header, registry, swapped, [recordSlot, other]), "slot", /which was not asked/);
    const twice = copy(answer);
    twice.storageProof[1] = twice.storageProof[0];
    await expectProofError(
      verifyProof(header, registry, twice, [recordSlot, other]),
      "slot",
      new RegExp(`proves slot ${recordSlot} twice`),
    );
    // Proofs relabelled with each other's slot: a proof is walked along the slot asked, not its
    // label, so it either misses a node on that path or shows that slot's true value (which one
    // depends on where the keys fall in the trie).
    const relabelled = copy(answer);
    relabelled.storageProof = [
      { ...relabelled.storageProof[0], key: other },
      { ...relabelled.storageProof[1], key: recordSlot },
    ];
    const error = await verifyProof(header, registry, relabelled, [recordSlot, other]).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ProofError);
    expect((error as ProofError).what).to.be.oneOf(["storageProof", "value"]);
    expect((error as Error).message).to.match(new RegExp(`slot ${recordSlot}`));
  });

  it("refuses a value or an account field that differs from the proven one", async () => {
    const answer = await proofOf(registry, [recordSlot], header);
    const value = copy(answer);
    value.storageProof[0].value = numberToHex(BigInt(value.storageProof[0].value) + 1n);
    await expectProofError(
      verifyProof(header, registry, value, [recordSlot]),
      "value",
      new RegExp(`slot ${recordSlot} of ${registry} at block ${header.number} is proven \\d+, but the endpoint says 0x`),
    );
    for (const [field, lie] of [
      ["balance", "0x1"],
      ["nonce", "0x5"],
      ["codeHash", keccak256("0x")],
      ["storageHash", keccak256("0x01")],
    ] as const) {
      const claimed = { ...copy(answer), [field]: lie };
      await expectProofError(
        verifyProof(header, registry, claimed, [recordSlot]),
        "account",
        new RegExp(`its ${field} is .*, but the endpoint says ${lie}`),
      );
    }
  });

  it("lays out slots as Solidity does, and refuses malformed keys and slots", () => {
    const key = `0x${"ab".repeat(20)}` as Hex;
    expect(mappingSlot(key, 3n)).to.equal(keccak256(`0x${"00".repeat(12)}${"ab".repeat(20)}${"00".repeat(31)}03`));
    expect(mappingSlot(`0x${"00".repeat(12)}${"ab".repeat(20)}`, "0x3")).to.equal(mappingSlot(key, 3n));
    expect(slotPlus("0x5", 2)).to.equal(slotHex(7n));
    expect(slotPlus(2n ** 256n - 1n, 1n)).to.equal(slotHex(0n));
    expect(() => mappingSlot("0x1234", 0n)).to.throw(InvalidInputError, /mapping key/);
    expect(() => mappingSlot(`0x${"zz".repeat(20)}`, 0n)).to.throw(InvalidInputError, /mapping key/);
    expect(() => slotHex(2n ** 256n)).to.throw(InvalidInputError, /storage slot/);
    expect(() => slotHex(-1n)).to.throw(InvalidInputError, /storage slot/);
    expect(() => slotHex(`0x${"1".repeat(65)}`)).to.throw(InvalidInputError, /storage slot/);
  });

  it("refuses malformed roots and addresses given by the caller", async () => {
    const answer = await proofOf(registry, [recordSlot], header);
    const bad = await verifyAccount("0x1234", registry, answer.accountProof).catch((e: unknown) => e);
    expect(bad)
      .to.be.instanceOf(InvalidInputError)
      .and.to.match(/trie root/);
    const badAddress = await verifyAccount(header.stateRoot, "0x1234", answer.accountProof).catch((e: unknown) => e);
    expect(badAddress)
      .to.be.instanceOf(InvalidInputError)
      .and.to.match(/address/);
  });
});

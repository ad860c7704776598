// The carried identity proof's encoding (issue 23): every proof survives encode → decode in its
// canonical form, and any other string (random, truncated, one byte changed, a valid proof with
// bytes appended, an unknown version) is refused with IdentityProofFormatError saying what is
// wrong, never with another exception.
import { base64urlnopad } from "@scure/base";
import { expect } from "chai";
import fc from "fast-check";
import { getAddress, type Address, type Hex } from "viem";
import {
  decodeIdentityProof,
  encodeIdentityProof,
  IdentityProofFormatError,
  normalizeIdentityProof,
  type IdentityProof,
} from "../../../sdk/core/src/index.ts";

const hex = (min: number, max = min) =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((b) => `0x${Buffer.from(b).toString("hex")}` as Hex);
const address = hex(20).map((h) => getAddress(h) as Address);
const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });

/** A proof with `n` nodes whose references stay in range. */
const proof: fc.Arbitrary<IdentityProof> = fc.integer({ min: 1, max: 12 }).chain((n) => {
  const refs = fc.array(fc.nat({ max: n - 1 }), { maxLength: 6 });
  return fc.record({
    version: fc.constant(1 as const),
    chainId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    registry: address,
    identity: address,
    header: hex(0, 600),
    nodes: fc.uniqueArray(hex(1, 540), { minLength: n, maxLength: n, selector: (h) => h }),
    accounts: fc.array(
      fc.record({
        address,
        nonce: u64,
        balance: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
        codeHash: hex(32),
        storageHash: hex(32),
        proof: refs,
        storage: fc.array(fc.record({ key: hex(32), value: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), proof: refs }), { maxLength: 5 }),
      }),
      { maxLength: 3 },
    ),
    logs: fc.array(
      fc.record({
        blockNumber: u64,
        logIndex: fc.nat({ max: 2 ** 32 - 1 }),
        blockTimestamp: u64,
        topics: fc.array(hex(32), { maxLength: 4 }),
        data: hex(0, 300),
      }),
      { maxLength: 12 },
    ),
  });
});

/** Decoding `input` either succeeds or throws IdentityProofFormatError with a reason; nothing else. */
function decodesOrRefuses(input: string): boolean {
  try {
    decodeIdentityProof(input);
    return true;
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(IdentityProofFormatError);
    expect((error as IdentityProofFormatError).code).to.equal("invalidInput");
    expect((error as IdentityProofFormatError).reason)
      .to.be.a("string")
      .and.not.equal("");
    return false;
  }
}

describe("carried identity proofs: encodeIdentityProof / decodeIdentityProof", () => {
  it("property: decode(encode(x)) is x in canonical form, and encoding that again gives the same string", () => {
    fc.assert(
      fc.property(proof, (p) => {
        const encoded = encodeIdentityProof(p);
        const decoded = decodeIdentityProof(encoded);
        expect(decoded).to.deep.equal(normalizeIdentityProof(p));
        expect(encodeIdentityProof(decoded)).to.equal(encoded);
      }),
      { numRuns: 300 },
    );
  });

  it("round-trips the smallest account (all-zero fields, no proof nodes, no slots) as the last item (found by the property)", () => {
    const zero32 = `0x${"00".repeat(32)}` as Hex;
    const zeroAddress = getAddress(`0x${"00".repeat(20)}`);
    const proof = {
      version: 1 as const,
      chainId: 1,
      registry: zeroAddress,
      identity: zeroAddress,
      header: "0x" as Hex,
      nodes: [] as Hex[],
      accounts: [{ address: zeroAddress, nonce: 0n, balance: 0n, codeHash: zero32, storageHash: zero32, proof: [], storage: [] }],
      logs: [],
    };
    expect(decodeIdentityProof(encodeIdentityProof(proof))).to.deep.equal(proof);
  });

  it("property: random strings and random bytes are refused with IdentityProofFormatError only", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        expect(decodesOrRefuses(s)).to.equal(false);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
        // With the marker and version in front, the reader gets past the first check every time.
        const bytes = Uint8Array.from([0x53, 0x47, 0x49, 0x50, 1, ...b]);
        decodesOrRefuses(base64urlnopad.encode(bytes));
      }),
      { numRuns: 1000 },
    );
  });

  it("property: a valid proof mutated (a byte changed, truncated, extended) decodes only to another canonical proof, or is refused", () => {
    fc.assert(
      fc.property(proof, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.constantFrom("flip", "cut", "extend"), (p, at, x, how) => {
        const bytes = base64urlnopad.decode(encodeIdentityProof(p));
        const i = at % bytes.length;
        const mutated =
          how === "flip"
            ? bytes.map((b, j) => (j === i ? b ^ x : b))
            : how === "cut"
              ? bytes.subarray(0, i)
              : Uint8Array.from([...bytes, x]);
        const input = base64urlnopad.encode(mutated);
        if (decodesOrRefuses(input)) expect(encodeIdentityProof(decodeIdentityProof(input))).to.equal(input);
        if (how !== "flip") expect(decodesOrRefuses(input), "truncated or extended").to.equal(false);
      }),
      { numRuns: 500 },
    );
  });

  it("names what is wrong: marker, version, trailing bytes, non-canonical order, size, a node index out of range", () => {
    const reason = (input: string) => {
      try {
        decodeIdentityProof(input);
      } catch (error) {
        return (error as IdentityProofFormatError).reason;
      }
      throw new Error("decoded");
    };
    const sample: IdentityProof = {
      version: 1,
      chainId: 31337,
      registry: getAddress(`0x${"11".repeat(20)}`),
      identity: getAddress(`0x${"22".repeat(20)}`),
      header: "0xc0",
      nodes: ["0x01", "0x02"],
      accounts: [],
      logs: [
        { blockNumber: 5n, logIndex: 0, blockTimestamp: 9n, topics: [], data: "0x" },
        { blockNumber: 3n, logIndex: 1, blockTimestamp: 8n, topics: [], data: "0x" },
      ],
    };
    const bytes = base64urlnopad.decode(encodeIdentityProof(sample));
    expect(reason("not base64!")).to.include("base64url");
    expect(reason(base64urlnopad.encode(Uint8Array.from([1, 2, 3, 4, 1])))).to.include("marker");
    expect(reason(base64urlnopad.encode(Uint8Array.from([...bytes.subarray(0, 4), 2, ...bytes.subarray(5)])))).to.include("version 2");
    expect(reason(base64urlnopad.encode(Uint8Array.from([...bytes, 0])))).to.include("follow the end");
    expect(reason("A".repeat(300_000))).to.include("more than");
    // Encoded in chain order; the same two logs written the other way round are refused.
    expect(decodeIdentityProof(encodeIdentityProof(sample)).logs.map((l) => l.blockNumber)).to.deep.equal([3n, 5n]);
    expect([...bytes.subarray(-10)]).to.deep.equal([3, 1, 8, 0, 0, 5, 0, 9, 0, 0]);
    const swapped = Uint8Array.from([...bytes.subarray(0, -10), 5, 0, 9, 0, 0, 3, 1, 8, 0, 0]);
    expect(reason(base64urlnopad.encode(swapped))).to.include("canonical");
    expect(() => encodeIdentityProof({ ...sample, accounts: [{ ...emptyAccount(), proof: [7] }] })).to.throw(
      IdentityProofFormatError,
      /node 7/,
    );
  });
});

function emptyAccount() {
  return {
    address: getAddress(`0x${"33".repeat(20)}`),
    nonce: 0n,
    balance: 0n,
    codeHash: `0x${"44".repeat(32)}` as Hex,
    storageHash: `0x${"55".repeat(32)}` as Hex,
    proof: [],
    storage: [],
  };
}

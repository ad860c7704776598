// The signed-operation JSON that `sigil prepare` and the web console write and `sigil relay` and
// POST /1.0/relay read: every signed operation survives encode → decode unchanged (bigints
// included), and any other JSON value is refused with SignedOperationFormatError naming what is
// wrong, never with another exception.
import { expect } from "chai";
import fc from "fast-check";
import { getAddress, type Address, type Hex } from "viem";
import {
  decodeSignedOperation,
  encodeSignedOperation,
  SignedOperationFormatError,
  type SignedOperation,
} from "../../../sdk/core/src/index.ts";

const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => getAddress(`0x${Buffer.from(b).toString("hex")}`) as Address);
const hex = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => `0x${Buffer.from(b).toString("hex")}` as Hex);
const uint = fc.bigInt({ min: 0n, max: 2n ** 256n - 1n });

const signedOperation: fc.Arbitrary<SignedOperation> = fc.record({
  operation: fc.oneof(
    fc.record({ type: fc.constant("setAttribute" as const), identity: address, name: hex(32), value: hex(40), validity: uint }),
    fc.record({ type: fc.constant("addDelegate" as const), identity: address, delegateType: hex(32), delegate: address, validity: uint }),
    fc.record({ type: fc.constant("changeOwner" as const), identity: address, newOwner: address }),
  ),
  signer: address,
  chainId: fc.integer({ min: 1, max: 2 ** 40 }),
  registry: address,
  context: fc.record({ nonce: uint }),
  deadline: uint,
  signature: hex(65),
}) as never;

describe("signed operations as JSON (encodeSignedOperation / decodeSignedOperation)", () => {
  it("property: every signed operation survives encode → JSON.parse → decode unchanged", () => {
    fc.assert(
      fc.property(signedOperation, (signed) => {
        expect(decodeSignedOperation(JSON.parse(encodeSignedOperation(signed)))).to.deep.equal(signed);
      }),
      { numRuns: 300 },
    );
  });

  it("property: any other JSON value is refused with SignedOperationFormatError listing its problems", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          decodeSignedOperation(value);
          return false; // random JSON is never a signed operation
        } catch (error) {
          expect(error).to.be.instanceOf(SignedOperationFormatError);
          expect((error as SignedOperationFormatError).problems.length).to.be.greaterThan(0);
          expect((error as SignedOperationFormatError).code).to.equal("invalidInput");
          return true;
        }
      }),
      { numRuns: 500 },
    );
  });

  it("names each damaged field of an otherwise valid file", () => {
    const signed = JSON.parse(encodeSignedOperation(fc.sample(signedOperation, 1)[0]));
    const damaged = { ...signed, signer: "0x12", deadline: -1, operation: { ...signed.operation, type: "mint" } };
    try {
      decodeSignedOperation(damaged);
      expect.fail("decoded a damaged operation");
    } catch (error) {
      expect((error as SignedOperationFormatError).problems).to.deep.equal([
        'unknown operation type "mint"',
        "signer is not an address",
        "deadline is missing",
      ]);
      expect((error as Error).message).to.include("not a signed operation");
    }
  });
});

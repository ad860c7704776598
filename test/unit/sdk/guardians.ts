// buildGuardianSet refuses guardian sets that would let whoever holds the identity's keys
// recover it alone: the identity's own address and its current controller are never guardians.
import { expect } from "chai";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { buildGuardianSet, InvalidInputError } from "../../../sdk/core/src/index.ts";

const someone = () => privateKeyToAddress(generatePrivateKey());

function refusal(run: () => unknown): InvalidInputError {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  expect.fail("buildGuardianSet accepted the set");
}

describe("sdk: buildGuardianSet refuses the identity's own keys as guardians", () => {
  const identity = someone();

  it("refuses the identity's own address, in any case, naming the guardian and why", () => {
    for (const own of [identity, identity.toLowerCase(), identity.toUpperCase().replace("0X", "0x")]) {
      const e = refusal(() => buildGuardianSet({ identity, guardians: [someone(), own], threshold: 1 }));
      expect(e.code).to.equal("invalidInput");
      expect(e.what).to.equal("guardian 2");
      expect(e.message).to.include("the identity's own address").and.include("approve a recovery to himself");
    }
  });

  it("refuses the current controller when the caller gives it", () => {
    const controller = someone();
    const e = refusal(() =>
      buildGuardianSet({ identity, controller, guardians: [controller.toLowerCase(), someone(), someone()], threshold: 2 }),
    );
    expect(e.what).to.equal("guardian 1");
    expect(e.message).to.include("the identity's current controller");
  });

  it("refuses a guardian that is not an address string (a missing account: undefined) with InvalidInputError, not a crash", () => {
    for (const bad of [undefined, null, 42, "0x1234"]) {
      const e = refusal(() => buildGuardianSet({ identity, guardians: [someone(), bad as never], threshold: 1 }));
      expect(e.what).to.equal("guardian 2");
      expect(e.message).to.include("a 0x-prefixed 20-byte address");
    }
  });

  it("accepts other guardians, with or without a controller given", () => {
    const guardians = [someone(), someone()];
    expect(buildGuardianSet({ identity, guardians, threshold: 2 }).cards).to.have.length(2);
    expect(buildGuardianSet({ identity, controller: someone(), guardians, threshold: 1 }).cards).to.have.length(2);
  });
});

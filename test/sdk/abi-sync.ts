// sdk/abi.ts is generated from the compiled contract; it must not drift from it.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { ABI_FILE, renderAbiModule } from "../../scripts/gen-abi.ts";

describe("sdk/abi.ts", () => {
  it("matches the compiled SigilRegistry (run `npm run gen:abi` if not)", () => {
    const committed = readFileSync(ABI_FILE, "utf8");
    expect(committed).to.equal(renderAbiModule());
  });
});

describe("identityStates by hand (reader.ts, log-data.ts)", () => {
  it("encodes the call and decodes the answer as viem's ABI coder does", async () => {
    const { encodeFunctionData, encodeFunctionResult, getAddress } = await import("viem");
    const { identityStatesAbi } = await import("../../sdk/core/src/abi.ts");
    const { encodeStatesCall, IDENTITY_STATES_SELECTOR } = await import("../../sdk/core/src/read/reader.ts");
    const { decodeLogData } = await import("../../sdk/core/src/read/log-data.ts");
    const ids = [getAddress(`0x${"ab".repeat(20)}`), getAddress(`0x${"01".repeat(20)}`)];
    for (const list of [[], ids]) {
      expect(encodeStatesCall(list)).to.equal(encodeFunctionData({ abi: identityStatesAbi, functionName: "identityStates", args: [list] }));
    }
    expect(encodeStatesCall(ids).slice(0, 10)).to.equal(IDENTITY_STATES_SELECTOR);
    const state = (i: bigint) => ({
      owner: ids[Number(i) % 2],
      changed: 7n + i,
      epoch: 2n ** 200n + i,
      nextOwnerCommitment: `0x${"cd".repeat(32)}` as const,
      deactivated: i === 1n,
      nonce: i,
      legacyNonce: 3n,
      firstChange: 5n,
      purgedAt: 6n + i,
      head: `0x${"ab".repeat(19)}0${i}` as const,
    });
    const answer = [31337n, 123n, 1_700_000_000n, [state(0n), state(1n)]] as const;
    const raw = encodeFunctionResult({ abi: identityStatesAbi, functionName: "identityStates", result: answer as never });
    expect(decodeLogData(identityStatesAbi[0].outputs, raw)).to.deep.equal([31337n, 123n, 1_700_000_000n, [state(0n), state(1n)]]);
    expect(() => decodeLogData(identityStatesAbi[0].outputs, raw.slice(0, -64) as `0x${string}`), "truncated").to.throw();
  });
});

// One error root: what the SDK throws is a SigilError with a code and, where the SDK knows, a
// hint of what to do; viem's and a wallet's errors are wrapped with the original as `cause`.
import { expect } from "chai";
import { HttpRequestError, InsufficientFundsError, TimeoutError, UserRejectedRequestError, BaseError } from "viem";
import {
  NoFundsError,
  RegistryRevertError,
  RpcUnreachableError,
  SigilError,
  safetyNumber,
  toSigilError,
  UnexpectedError,
  UnknownNetworkError,
  WalletDeclinedError,
  watchDids,
} from "sigil-did";

describe("sdk: one error root (toSigilError)", () => {
  it("keeps a SigilError, also one found down the cause chain", () => {
    const revert = new RegistryRevertError({ operation: "rotate", errorName: "SigilNotNextOwner", args: [] });
    expect(toSigilError(revert)).to.equal(revert);
    expect(toSigilError(new Error("outer", { cause: revert }))).to.equal(revert);
    expect(revert.hint).to.equal("this key and salt do not match the identity's commitment (check the next-key file)");
  });

  it("names a declined wallet request, missing gas funds and an unreachable endpoint, keeping the cause", () => {
    const declined = new UserRejectedRequestError(new Error("no"));
    expect(toSigilError(declined)).to.be.instanceOf(WalletDeclinedError).and.include({ code: "walletDeclined", cause: declined });
    expect(toSigilError(Object.assign(new Error("User rejected"), { code: 4001 }))).to.be.instanceOf(WalletDeclinedError);
    const broke = new InsufficientFundsError({ cause: new BaseError("insufficient funds for gas * price + value") });
    const funds = toSigilError(broke);
    expect(funds).to.be.instanceOf(NoFundsError).and.include({ code: "insufficientFunds", cause: broke });
    expect(funds.message).to.match(/insufficient funds/); // what relayers and logs look for
    for (const down of [
      new HttpRequestError({ url: "http://127.0.0.1:9", details: "fetch failed" }),
      new TimeoutError({ body: {}, url: "http://x" }),
      new TypeError("fetch failed"),
    ]) {
      const e = toSigilError(down);
      expect(e, down.name).to.be.instanceOf(RpcUnreachableError).and.include({ code: "internalError", cause: down });
      expect(e.hint).to.match(/RPC URL/);
    }
  });

  it("wraps anything else as UnexpectedError with the first line of its message", () => {
    const odd = new Error("something odd\nat line 2");
    expect(toSigilError(odd))
      .to.be.instanceOf(UnexpectedError)
      .and.include({ code: "internalError", shortMessage: "something odd", cause: odd });
    expect(toSigilError("a string")).to.be.instanceOf(UnexpectedError).and.include({ shortMessage: "a string" });
  });

  it("the SDK's own refusals of bad input are SigilErrors with codes (no plain Error or RangeError)", () => {
    const thrown = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return error;
      }
      throw new Error("did not throw");
    };
    const interval = thrown(() => watchDids({ resolve: async () => ({}) as never }, [], () => undefined, { intervalMs: 5 }));
    expect(interval)
      .to.be.instanceOf(SigilError)
      .and.include({ code: "invalidInput", message: "intervalMs must be a whole number of milliseconds >= 100, got 5" });
    const empty = { didResolutionMetadata: {}, didDocument: null, didDocumentMetadata: {} };
    expect(thrown(() => safetyNumber(empty, empty)))
      .to.be.instanceOf(SigilError)
      .and.include({ code: "invalidInput" });
  });

  it("resolver errors carry their hint apart from the details", () => {
    const e = new UnknownNetworkError({ network: "mainnet", known: ["local"] });
    expect(e.hint).to.equal("add it to the resolver's networks (chain id, registry, RPC URLs)");
    expect(e.details).to.include(e.hint!);
  });
});

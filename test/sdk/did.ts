// The did:sigil parser: every accept/reject rule with its message, and properties over
// random input (never anything but a typed error, never slow, canonical output round-trips).
import { expect } from "chai";
import fc from "fast-check";
import { getAddress } from "viem";
import {
  formatDid,
  InvalidDidError,
  isSigilDid,
  MethodNotSupportedError,
  parseDid,
  SigilError,
} from "../../sdk/index.ts";

const ADDR = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";

function rejects(input: string, fragment: string) {
  let error: unknown;
  try {
    parseDid(input);
  } catch (e) {
    error = e;
  }
  expect(error, `expected ${JSON.stringify(input.slice(0, 80))} to be rejected`).to.be.instanceOf(InvalidDidError);
  expect((error as InvalidDidError).code).to.equal("invalidDid");
  expect((error as InvalidDidError).message).to.include(fragment);
}

describe("sdk: did:sigil parser", () => {
  it("accepts the three forms and canonicalises to lower case", () => {
    expect(parseDid(`did:sigil:${ADDR}`)).to.deep.include({ did: `did:sigil:${ADDR}`, address: ADDR, network: undefined });
    expect(parseDid(`did:sigil:0x7a69:${ADDR}`)).to.deep.include({ network: "0x7a69", address: ADDR });
    expect(parseDid(`did:sigil:dev-net2:${getAddress(ADDR)}`)).to.deep.include({ did: `did:sigil:dev-net2:${ADDR}` });
    expect(parseDid(`did:sigil:${ADDR.toUpperCase().replace("0X", "0x")}`).address).to.equal(ADDR);
  });

  it("splits DID URLs into path, query and fragment", () => {
    const p = parseDid(`did:sigil:0x7a69:${ADDR}/path?versionId=12#controller`);
    expect(p).to.deep.include({ path: "/path", query: "versionId=12", fragment: "controller", didUrl: `did:sigil:0x7a69:${ADDR}/path?versionId=12#controller` });
  });

  it("rejects each malformed part with a reason", () => {
    rejects("sigil:" + ADDR, "a DID starts with 'did:'");
    rejects("did:sigil", "missing ':' after the method name");
    rejects(`did:Sigil:${ADDR}`, "method name must be lower-case");
    rejects(`did:sigil:${ADDR.slice(0, -1)}`, "address has 39 hex digits, expected 40");
    rejects(`did:sigil:${ADDR}0`, "address has 41 hex digits, expected 40");
    rejects(`did:sigil:${ADDR.slice(0, -1)}g`, "non-hex character 'g' at position 41");
    rejects(`did:sigil:${ADDR.slice(2)}`, "address must start with '0x'");
    rejects(`did:sigil:0X${ADDR.slice(2)}`, "lower-case '0x'");
    rejects(`did:sigil:0X7A69:${ADDR}`, "must be a chain id in lower-case hex like 0x7a69");
    rejects(`did:sigil:0x7A69:${ADDR}`, "lower-case hex");
    rejects(`did:sigil:0x07a69:${ADDR}`, "leading zero");
    rejects(`did:sigil:0x:${ADDR}`, "lower-case hex");
    rejects(`did:sigil:Mainnet:${ADDR}`, "must start with a lower-case letter");
    rejects(`did:sigil:main_net:${ADDR}`, "only a-z, 0-9 and '-'");
    rejects(`did:sigil::${ADDR}`, "network part between ':' is empty");
    rejects(`did:sigil:a:b:${ADDR}`, "found 3 ':'-separated parts");
    rejects("did:sigil:", "the address is missing");
    rejects(`did:sigil:${ADDR}#a b`, "fragment contains spaces");
    rejects("did:sigil:" + "0x" + "a".repeat(5000), "longer than 2048 characters");
  });

  it("checks EIP-55 checksums of mixed-case addresses and suggests the right one", () => {
    const good = getAddress(ADDR);
    const flipped = good.replace(/[a-f]/, (c) => c.toUpperCase());
    expect(parseDid(`did:sigil:${good}`).address).to.equal(ADDR);
    rejects(`did:sigil:${flipped}`, `fails its EIP-55 checksum: did you mean ${good}?`);
  });

  it("reports another method as methodNotSupported", () => {
    expect(() => parseDid(`did:ethr:${ADDR}`))
      .to.throw(MethodNotSupportedError)
      .with.property("code", "methodNotSupported");
  });

  it("keeps messages short whatever the input size", () => {
    try {
      parseDid("did:sigil:" + "x".repeat(2000));
      expect.fail("accepted");
    } catch (e) {
      expect((e as Error).message.length).to.be.lessThan(400);
    }
  });

  describe("properties", () => {
    const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => `0x${Buffer.from(b).toString("hex")}`);
    const network = fc.oneof(
      fc.constant(undefined),
      fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }).map((n) => `0x${n.toString(16)}`),
      fc.stringMatching(/^[a-z][a-z0-9-]{0,31}$/),
    );

    it("never throws anything but a SigilError, and never takes long", () => {
      let slowest = 0;
      fc.assert(
        fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: "binary", maxLength: 3000 }), fc.string().map((s) => `did:sigil:${s}`)), (input) => {
          const start = performance.now();
          try {
            parseDid(input);
          } catch (e) {
            expect(e).to.be.instanceOf(SigilError);
            expect((e as SigilError).message).to.not.equal("");
          }
          slowest = Math.max(slowest, performance.now() - start);
        }),
        { numRuns: 2000 },
      );
      expect(slowest, "a parse took too long").to.be.lessThan(250); // generous: proves no hang, not speed
    });

    it("formats canonically and round-trips", () => {
      fc.assert(
        fc.property(address, network, (a, n) => {
          const did = formatDid({ network: n, address: a });
          const parsed = parseDid(did);
          expect(parsed.did).to.equal(did);
          expect(parsed.address).to.equal(a);
          expect(parsed.network).to.equal(n);
          expect(formatDid(parsed)).to.equal(did);
          expect(parseDid(did.replace(a, getAddress(a as `0x${string}`))).did).to.equal(did);
        }),
      );
    });

    it("a one-character change to the address is rejected with a reason or names another address", () => {
      // Structural characters (":/?#") turn the mutation into another part of the DID URL.
      const char = fc.string({ minLength: 1, maxLength: 1 }).filter((c) => !":/?#".includes(c));
      fc.assert(
        fc.property(address, fc.nat(39), char, (a, i, c) => {
          const mutated = a.slice(0, 2 + i) + c + a.slice(3 + i);
          const did = `did:sigil:${mutated}`;
          if (isSigilDid(did)) {
            const parsed = parseDid(did);
            expect(parsed.address === a).to.equal(mutated.toLowerCase() === a);
          } else {
            expect(() => parseDid(did)).to.throw(InvalidDidError, /address/);
          }
        }),
      );
    });
  });
});

// The did:sigil parser and the SDK's typed errors: every accept/reject rule with its exact
// message, and properties over random input (only typed errors, never slow, messages that
// name the wrong part, canonical output that round-trips, mutations never silently accepted).
import { expect } from "chai";
import { parse as didResolverParse } from "did-resolver";
import fc from "fast-check";
import { checksumAddress, type Address } from "viem";
import { formatDid, isSigilDid, parseDid, type ParsedSigilDid } from "../../../sdk/core/src/index.ts";
import { fromParsedDid, MAX_DID_URL_LENGTH } from "../../../sdk/core/src/internal.ts";
import {
  InternalError,
  InvalidDidError,
  InvalidResolutionOptionError,
  MethodNotSupportedError,
  RegistryRevertError,
  RpcError,
  SigilError,
  UnknownNetworkError,
  type DidPart,
} from "../../../sdk/core/src/index.ts";
import { echo } from "../../../sdk/core/src/internal.ts";

const ADDR = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
const CHECKSUMMED = checksumAddress(ADDR); // 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266
const UPPER = `0x${ADDR.slice(2).toUpperCase()}`;

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  expect.fail("expected a throw");
}

/** Rejected with exactly this part and reason, and a message echoing the input. */
function rejects(input: string, part: DidPart, reason: string) {
  const e = thrown(() => parseDid(input)) as InvalidDidError;
  expect(e, input).to.be.instanceOf(InvalidDidError);
  expect({ code: e.code, part: e.part, reason: e.reason }, input).to.deep.equal({ code: "invalidDid", part, reason });
  expect(e.message).to.equal(`invalid DID ${echo(input)}: ${reason}`);
}

// The word each part's messages must contain, so a reader knows where to look.
const PART_WORD: Record<DidPart, string> = {
  input: "DID",
  scheme: "did:",
  method: "method",
  id: "method-specific id",
  network: "network",
  address: "address",
  path: "path",
  query: "query",
  fragment: "fragment",
};

describe("sdk: did:sigil parser", () => {
  it("accepts the three forms and every address case rule, always printing lower case", () => {
    const did = `did:sigil:${ADDR}`;
    expect(parseDid(did)).to.deep.equal({ did, input: did, didUrl: did, method: "sigil", id: ADDR, address: ADDR, params: {} });
    expect(parseDid(`did:sigil:0x7a69:${CHECKSUMMED}`)).to.deep.equal({
      did: `did:sigil:0x7a69:${ADDR}`,
      input: `did:sigil:0x7a69:${CHECKSUMMED}`,
      didUrl: `did:sigil:0x7a69:${ADDR}`,
      method: "sigil",
      id: `0x7a69:${ADDR}`,
      network: "0x7a69",
      chainId: 31337n,
      address: ADDR,
      params: {},
    });
    expect(parseDid(`did:sigil:gnosis-chiado:${UPPER}`)).to.deep.include({
      did: `did:sigil:gnosis-chiado:${ADDR}`,
      network: "gnosis-chiado",
    });
    expect(parseDid(`did:sigil:0x1:${ADDR}`).chainId).to.equal(1n);
    expect(parseDid(`did:sigil:0x${"f".repeat(16)}:${ADDR}`).chainId).to.equal(2n ** 64n - 1n);
    expect(parseDid(`did:sigil:a${"-".repeat(31)}:${ADDR}`).network).to.equal(`a${"-".repeat(31)}`);
    expect(parseDid(`did:sigil:0x${"0".repeat(40)}`).address).to.equal(`0x${"0".repeat(40)}`);
  });

  it("splits DID URLs as did-resolver does and decodes query parameters", () => {
    const input = `did:sigil:0x7a69:${CHECKSUMMED}/a/b%20c?versionId=12&versionTime=2026-01-01T00:00:00+02:00&n=%C3%A9&__proto__=x&flag#controller`;
    const p = parseDid(input);
    const { path, query, fragment } = didResolverParse(input)!;
    expect({ path: p.path, query: p.query, fragment: p.fragment }).to.deep.equal({ path, query, fragment });
    expect(p.path).to.equal("/a/b%20c");
    expect(p.didUrl).to.equal(`did:sigil:0x7a69:${ADDR}/a/b%20c?${p.query}#controller`);
    // "+" is literal in RFC 3986 (URLSearchParams would turn the zone offset into a space).
    expect(p.params).to.deep.equal({ versionId: "12", versionTime: "2026-01-01T00:00:00+02:00", n: "é", ["__proto__"]: "x", flag: "" });
    expect(Object.getPrototypeOf(p.params)).to.equal(Object.prototype);
    expect(parseDid(`did:sigil:${ADDR}?#`)).to.deep.include({ query: "", fragment: "", didUrl: `did:sigil:${ADDR}?#`, params: {} });
    expect(parseDid(`did:sigil:${ADDR}?a=1&&b=2`).params).to.deep.equal({ a: "1", b: "2" });
  });

  it("checks a ParsedDID that did-resolver split, as a DIDResolver receives it", () => {
    const split = didResolverParse(`did:sigil:${UPPER}#key-1`)!;
    expect(fromParsedDid(split)).to.deep.include({ did: `did:sigil:${ADDR}`, fragment: "key-1" });
    const handMade = { did: "did:sigil:x", didUrl: `did:sigil:${ADDR}x`, method: "sigil", id: ADDR, path: "x" };
    expect(thrown(() => fromParsedDid(handMade))).to.include({ part: "path", reason: 'the path "x" must start with "/"' });
    expect(() => fromParsedDid({ ...split, method: "ethr" })).to.throw(MethodNotSupportedError);
  });

  it("rejects the scheme, method and structure with a reason", () => {
    rejects("", "input", "the DID is empty; expected did:sigil:[network:]address");
    rejects(`sigil:${ADDR}`, "scheme", "a DID starts with 'did:', like did:sigil:0x7a69:0xf39f…2266");
    rejects(`DID:sigil:${ADDR}`, "scheme", 'the scheme must be lower-case "did:", not "DID:"');
    rejects("did:", "method", "the method name is empty; expected did:sigil:…");
    rejects(
      `did:Sigil:${ADDR}`,
      "method",
      'the method name "Sigil" may contain only lower-case letters and digits (did you mean "sigil"?)',
    );
    rejects(`did:si_gil:${ADDR}`, "method", 'the method name "si_gil" may contain only lower-case letters and digits');
    rejects("did:sigil", "method", `missing ':' after the method name "sigil"; expected did:sigil:[network:]address`);
    rejects("did:sigil#x", "method", `missing ':' after the method name "sigil"; expected did:sigil:[network:]address`);
    rejects(`did:sigil:a:b:${ADDR}`, "id", "the method-specific id has 3 ':'-separated parts; expected did:sigil:[network:]address");
  });

  it("rejects bad networks, suggesting the right spelling", () => {
    const net = (n: string) => `did:sigil:${n}:${ADDR}`;
    rejects(net(""), "network", "the network between ':' is empty; omit it (did:sigil:0x…) for the default network");
    rejects(net("0X7A69"), "network", 'network "0X7A69" must be lower-case hex like 0x7a69 or a configured name; did you mean 0x7a69?');
    rejects(net("0x7A69"), "network", 'network "0x7A69" must be lower-case hex like 0x7a69 or a configured name; did you mean 0x7a69?');
    rejects(net("0x07a69"), "network", 'network "0x07a69" has a leading zero; did you mean 0x7a69?');
    rejects(net("0x0"), "network", 'network "0x0" is chain id 0, which no chain has');
    rejects(net("0x"), "network", 'network "0x" has no hex digits; write a chain id like 0x7a69');
    rejects(net("0x7g"), "network", 'network "0x7g" has "g", not a hex digit; write a chain id like 0x7a69');
    rejects(net(`0x1${"0".repeat(16)}`), "network", `network "0x1${"0".repeat(16)}" has 17 hex digits; a chain id has at most 16`);
    rejects(net("31337"), "network", 'network "31337" looks like a decimal chain id; write chain ids in hex; did you mean 0x7a69?');
    rejects(net("Mainnet"), "network", 'network name "Mainnet" must start with a lower-case letter (did you mean mainnet?)');
    rejects(net("mainNet"), "network", 'network name "mainNet" must be lower-case (did you mean mainnet?)');
    rejects(net("1net"), "network", 'network name "1net" must start with a lower-case letter');
    rejects(net("main_net"), "network", `network name "main_net" may contain only a-z, 0-9 and '-', not "_"`);
    rejects(net(`a${"b".repeat(32)}`), "network", `network name "a${"b".repeat(32)}" has 33 characters; at most 32 are allowed`);
  });

  it("rejects bad addresses, and mixed case unless it is the EIP-55 checksum", () => {
    const did = (a: string) => `did:sigil:0x7a69:${a}`;
    rejects("did:sigil:", "address", "the address is missing; expected did:sigil:[network:]0x followed by 40 hex digits");
    rejects("did:sigil:0x7a69:", "address", "the address is missing; expected did:sigil:[network:]0x followed by 40 hex digits");
    rejects(did(ADDR.slice(0, -1)), "address", "address has 39 hex digits, expected 40");
    rejects(did(`${ADDR}0`), "address", "address has 41 hex digits, expected 40");
    rejects(did("0x1234"), "address", "address has 4 hex digits, expected 40");
    rejects(did(`${ADDR.slice(0, -1)}g`), "address", 'address character 42 is "g", not a hex digit');
    rejects(did(`${ADDR} `), "address", 'address character 43 is " ", not a hex digit');
    rejects(did(ADDR.slice(2)), "address", `address "${ADDR.slice(2)}" must start with "0x"`);
    rejects(did(`0X${ADDR.slice(2)}`), "address", `address "0X${ADDR.slice(2)}" must start with lower-case "0x", not "0X"`);
    const flipped = `0xF${CHECKSUMMED.slice(3)}`;
    rejects(
      did(flipped),
      "address",
      `EIP-55 checksum mismatch in the mixed-case address: a digit may be mistyped; if not, did you mean ${CHECKSUMMED}? Use all lower-case to skip the checksum`,
    );
  });

  it("rejects characters a DID URL must percent-encode, and ambiguous queries", () => {
    const base = `did:sigil:${ADDR}`;
    rejects(`${base}/a b`, "path", 'the path has " " at character 3, which must be percent-encoded as %20');
    rejects(`${base}/a%2`, "path", 'the path has a "%" at character 3 not followed by two hex digits; write %25 for a literal "%"');
    rejects(`${base}?q=<x>`, "query", 'the query has "<" at character 3, which must be percent-encoded as %3C');
    rejects(`${base}#a#b`, "fragment", 'the fragment has "#" at character 2, which must be percent-encoded as %23');
    rejects(`${base}#é`, "fragment", 'the fragment has "é" at character 1, which must be percent-encoded as %C3%A9');
    rejects(`${base}?versionId=1&versionId=2`, "query", 'the query parameter "versionId" appears more than once; give it once');
    rejects(`${base}?v=%FF`, "query", 'the query parameter "v=%FF" is not valid percent-encoded UTF-8');
  });

  it("answers another method with methodNotSupported, even when the rest is malformed", () => {
    for (const input of [`did:ethr:${ADDR}`, "did:web:exa mple.com"]) {
      const e = thrown(() => parseDid(input)) as MethodNotSupportedError;
      expect(e).to.be.instanceOf(MethodNotSupportedError);
      expect(e).to.include({ code: "methodNotSupported", shortMessage: `DID method "${e.method}" is not supported` });
      expect(e.message).to.equal(
        `DID method "${e.method}" is not supported: expected "sigil"; resolve other methods with their own did-resolver plugin`,
      );
    }
  });

  it("refuses over-long and non-string input quickly, with a short message", () => {
    const longest = `did:sigil:${ADDR}#${"a".repeat(MAX_DID_URL_LENGTH - 53)}`;
    expect(longest).to.have.length(MAX_DID_URL_LENGTH);
    expect(isSigilDid(longest)).to.equal(true);
    rejects(`${longest}a`, "input", "the DID URL is 2049 characters long, more than the 2048 allowed");
    const huge = `did:sigil:${"x".repeat(1_000_000)}`;
    const start = performance.now();
    const e = thrown(() => parseDid(huge)) as InvalidDidError;
    expect(performance.now() - start).to.be.lessThan(50);
    expect(e.message).to.have.length.lessThan(250).and.include("…(1000010 chars)");
    for (const value of [undefined, null, 42, {}]) {
      expect(thrown(() => parseDid(value as never)))
        .to.be.instanceOf(InvalidDidError)
        .and.include({ part: "input" });
      expect(isSigilDid(value)).to.equal(false);
    }
    expect((thrown(() => parseDid(null as never)) as Error).message).to.equal('invalid DID "": a DID must be a string, not null');
  });

  it("escapes control and bidi characters it echoes, so a message cannot rewrite a terminal line", () => {
    const e = thrown(() => parseDid(`did:sigil:${ADDR}#\u202e\u0007"\\`)) as InvalidDidError;
    // eslint-disable-next-line no-control-regex -- the control character is what must not come through
    expect(e.message).to.not.match(/[\u202e\u0007]/);
    expect(e.message).to.include(String.raw`#\u{202e}\u{7}\"\\"`);
  });

  it("formats canonical DIDs and DID URLs from parts, refusing bad parts", () => {
    expect(formatDid({ address: CHECKSUMMED })).to.equal(`did:sigil:${ADDR}`);
    expect(formatDid({ network: 31337, address: UPPER })).to.equal(`did:sigil:0x7a69:${ADDR}`);
    expect(formatDid({ network: 2n ** 64n - 1n, address: ADDR })).to.equal(`did:sigil:0x${"f".repeat(16)}:${ADDR}`);
    expect(formatDid({ network: "local", address: ADDR, path: "/p", query: "versionId=3", fragment: "controller" })).to.equal(
      `did:sigil:local:${ADDR}/p?versionId=3#controller`,
    );
    expect(formatDid({ address: ADDR, path: "", query: "" })).to.equal(`did:sigil:${ADDR}?`);
    const refuses = (parts: Parameters<typeof formatDid>[0], part: DidPart, reason: string) =>
      expect(
        thrown(() => formatDid(parts)),
        reason,
      )
        .to.be.instanceOf(InvalidDidError)
        .and.include({ part, reason });
    for (const n of [0, -1, 1.5, Number.NaN, 2 ** 53, 0n, 2n ** 64n]) {
      refuses({ network: n, address: ADDR }, "network", `network chain id ${n} must be an integer from 1 to 2^64-1`);
    }
    refuses({ network: "0x07", address: ADDR }, "network", 'network "0x07" has a leading zero; did you mean 0x7?');
    refuses({ network: "0x7a69", address: `0x7a69:${ADDR}` }, "address", `address character 7 is ":", not a hex digit`);
    refuses(
      { address: `0xF${CHECKSUMMED.slice(3)}` },
      "address",
      `EIP-55 checksum mismatch in the mixed-case address: a digit may be mistyped; if not, did you mean ${CHECKSUMMED}? Use all lower-case to skip the checksum`,
    );
    refuses({ address: 42 as never }, "address", "the address must be a string, not number");
    refuses({ address: ADDR, path: "p" }, "path", 'the path "p" must start with "/"');
    refuses({ address: ADDR, query: "a#b" }, "query", 'the query has "#" at character 2, which must be percent-encoded as %23');
    refuses({ address: ADDR, fragment: " " }, "fragment", 'the fragment has " " at character 1, which must be percent-encoded as %20');
  });

  describe("properties", () => {
    const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => `0x${Buffer.from(b).toString("hex")}` as Address);
    const caseOf = (a: Address) => fc.constantFrom(a, `0x${a.slice(2).toUpperCase()}`, checksumAddress(a));
    const network = fc.oneof(
      fc.constant(undefined),
      fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }).map((n) => `0x${n.toString(16)}`),
      fc.stringMatching(/^[a-z][a-z0-9-]{0,31}$/),
    );
    const pchars = fc.constantFrom(..."abcXYZ019-._~!$&'()*+,;=:@", "%20", "%C3%A9");
    const component = (extra: string[]) => fc.array(fc.oneof(pchars, fc.constantFrom(...extra)), { maxLength: 12 }).map((a) => a.join(""));
    const urlParts = fc.record(
      {
        path: component(["/"]).map((s) => `/${s}`),
        query: fc
          .uniqueArray(fc.tuple(fc.stringMatching(/^[a-zA-Z]{1,8}$/), fc.stringMatching(/^[a-z0-9:+-]{0,10}$/)), {
            selector: ([k]) => k,
            maxLength: 4,
          })
          .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join("&")),
        fragment: component(["/", "?"]),
      },
      { requiredKeys: [] },
    );
    const validDidUrl = fc
      .record({ network, address: address.chain(caseOf), url: urlParts })
      .map(
        ({ network, address, url }) =>
          `did:sigil:${network === undefined ? "" : `${network}:`}${address}${url.path ?? ""}${url.query === undefined ? "" : `?${url.query}`}${url.fragment === undefined ? "" : `#${url.fragment}`}`,
      );

    // Strings that reach every branch: structural characters, hex, case, escapes, and long runs.
    const tricky = fc.constantFrom(
      ..."0xX7aAfFgG:/?#%-_ .@é",
      "\u202e",
      "\u0000",
      "\ud800",
      "did:",
      "sigil",
      ADDR,
      CHECKSUMMED,
      "%4",
      "%41",
    );
    const anyInput = fc.oneof(
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.array(tricky, { maxLength: 30 }).map((a) => a.join("")),
      fc.array(tricky, { maxLength: 30 }).map((a) => `did:sigil:${a.join("")}`),
      fc.tuple(validDidUrl, fc.nat(), fc.array(tricky, { minLength: 1, maxLength: 3 })).map(([d, i, s]) => {
        const at = i % (d.length + 1);
        return d.slice(0, at) + s.join("") + d.slice(at);
      }),
      fc
        .tuple(fc.constantFrom("a:", ":", "%4", "/", "?/", "0x", "a"), fc.constantFrom("", "!", " ", "#"))
        .map(([unit, end]) => `did:sigil:${unit.repeat(Math.floor((MAX_DID_URL_LENGTH - 12) / unit.length))}${end}`),
    );

    it("throws nothing but typed errors that name the wrong part, and never hangs", () => {
      for (let i = 0; i < 50; i++) isSigilDid(`did:sigil:${CHECKSUMMED}#${i}`); // warm up before timing
      let slowest = 0;
      fc.assert(
        fc.property(anyInput, (input) => {
          const start = performance.now();
          let error: unknown;
          try {
            parseDid(input);
          } catch (e) {
            error = e;
          }
          slowest = Math.max(slowest, performance.now() - start);
          if (error === undefined) return;
          if (error instanceof MethodNotSupportedError) {
            expect(input.length <= MAX_DID_URL_LENGTH && !input.startsWith("did:sigil:")).to.equal(true);
            return;
          }
          expect(error).to.be.instanceOf(InvalidDidError);
          const e = error as InvalidDidError;
          expect(e.reason).to.not.equal("");
          expect(e.message).to.equal(`invalid DID ${echo(input)}: ${e.reason}`);
          expect(e.message.length, e.message).to.be.lessThan(600);
          expect(e.reason, e.reason).to.include(PART_WORD[e.part]);
          // The explanation follows did-resolver's grammar, so the catch-all never triggers.
          expect(e.reason).to.not.include("is not a DID URL as DID Core defines it");
        }),
        { numRuns: 4000 },
      );
      expect(slowest, "slowest parse, ms").to.be.lessThan(50); // generous: proves no hang, not speed
    });

    it("accepts exactly the well-formed DID URLs did-resolver also accepts", () => {
      fc.assert(
        fc.property(validDidUrl, (input) => {
          expect(isSigilDid(input)).to.equal(true);
          expect(didResolverParse(input)).to.not.equal(null);
        }),
        { numRuns: 500 },
      );
    });

    it("formatDid(parseDid(x)) is the canonical DID URL, and idempotent", () => {
      fc.assert(
        fc.property(validDidUrl, (input) => {
          const parsed = parseDid(input);
          const canonical = formatDid(parsed);
          expect(canonical).to.equal(parsed.didUrl);
          expect(canonical.slice(0, parsed.did.length)).to.equal(parsed.did).and.equal(parsed.did.toLowerCase());
          const { input: written, ...rest } = parsed;
          const { input: again, ...restAgain } = parseDid(canonical);
          expect(restAgain).to.deep.equal(rest);
          expect(again).to.equal(parsed.did);
          expect(input.startsWith(written), "input keeps the DID as written").to.equal(true);
          expect(written.toLowerCase()).to.equal(parsed.did);
          expect(formatDid(parseDid(canonical))).to.equal(canonical);
        }),
        { numRuns: 500 },
      );
    });

    it("parseDid(formatDid(parts)) gives the parts back", () => {
      const chainId = fc.bigInt({ min: 1n, max: 2n ** 64n - 1n });
      const anyNetwork = fc.oneof(network, chainId, chainId.filter((n) => n <= BigInt(Number.MAX_SAFE_INTEGER)).map(Number));
      fc.assert(
        fc.property(anyNetwork, address, urlParts, (net, a, url) => {
          const parsed: ParsedSigilDid = parseDid(formatDid({ network: net, address: checksumAddress(a), ...url }));
          const hex = typeof net === "string" || net === undefined ? net : `0x${net.toString(16)}`;
          expect(parsed.network).to.equal(hex);
          expect(parsed.chainId).to.equal(hex?.startsWith("0x") ? BigInt(hex) : undefined);
          expect(parsed.address).to.equal(a);
          const { path, query, fragment } = parsed;
          expect({ path, query, fragment }).to.deep.equal({ path: url.path, query: url.query, fragment: url.fragment });
        }),
        { numRuns: 500 },
      );
    });

    it("a one-character change to the address is refused, or names another address", () => {
      const edit = fc.record({
        kind: fc.constantFrom("replace", "insert", "delete"),
        at: fc.nat(41),
        c: fc.oneof(fc.constantFrom(..."0123456789abcdefABCDEFxX:/?#%g "), fc.string({ unit: "binary", minLength: 1, maxLength: 1 })),
      });
      fc.assert(
        fc.property(address.chain(caseOf), edit, (original, { kind, at, c }) => {
          const mutated = original.slice(0, at) + (kind === "delete" ? "" : c) + original.slice(kind === "insert" ? at : at + 1);
          fc.pre(mutated !== original);
          let parsed: ParsedSigilDid | undefined;
          let error: unknown;
          try {
            parsed = parseDid(`did:sigil:0x7a69:${mutated}`);
          } catch (e) {
            error = e;
          }
          if (parsed) {
            // Only a change of letter case may name the same identity, and mixed case only as its checksum.
            expect(parsed.address === original.toLowerCase()).to.equal(mutated.toLowerCase() === original.toLowerCase());
            const digits = mutated.slice(2);
            if (digits !== digits.toLowerCase() && digits !== digits.toUpperCase())
              expect(mutated).to.equal(checksumAddress(parsed.address));
            return;
          }
          expect(error).to.be.instanceOf(InvalidDidError);
          const part = (error as InvalidDidError).part;
          expect(part === "address" || (c === ":" && part === "id")).to.equal(true, `${part}: ${(error as Error).message}`);
        }),
        { numRuns: 3000 },
      );
    });

    it("a bad character in one part is reported against that part", () => {
      const bad = [...' "<>\\^`{|}é\u0000\u202e'];
      const target = fc.constantFrom("network", "address", "path", "query", "fragment") as fc.Arbitrary<DidPart>;
      fc.assert(
        fc.property(
          fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
          address,
          urlParts,
          target,
          fc.nat(),
          fc.constantFrom(...bad),
          (net, a, url, part, i, c) => {
            const parts: Record<string, string> = {
              network: net,
              address: a,
              path: url.path ?? "/",
              query: url.query ?? "",
              fragment: url.fragment ?? "",
            };
            const at = Math.max(part === "path" ? 1 : 0, i % (parts[part].length + 1)); // before the "/", it would join the address
            parts[part] = parts[part].slice(0, at) + c + parts[part].slice(at);
            const input = `did:sigil:${parts.network}:${parts.address}${parts.path}?${parts.query}#${parts.fragment}`;
            expect(thrown(() => parseDid(input)))
              .to.be.instanceOf(InvalidDidError)
              .and.include({ part });
          },
        ),
        { numRuns: 1000 },
      );
    });
  });
});

describe("sdk: typed errors", () => {
  it("carry a code, a short message, details and the cause, like viem's BaseError", () => {
    const cause = new Error("outer", { cause: new Error("connect ECONNREFUSED 127.0.0.1:8545") });
    const e = new InternalError({ cause });
    expect(e).to.be.instanceOf(SigilError).and.instanceOf(Error);
    expect(e).to.include({ name: "InternalError", code: "internalError", shortMessage: "could not read the registry", cause });
    expect(e.details).to.equal("outer (connect ECONNREFUSED 127.0.0.1:8545); check that an RPC endpoint is reachable");
    expect(e.message).to.equal(`could not read the registry: ${e.details}`);
  });

  it("RpcError names the endpoints that failed by host only, never their API keys", () => {
    const e = new RpcError({
      urls: ["https://rpc.example/v3/SECRETKEY", "http://user:pw@10.0.0.1:8545/?key=SECRET"],
      cause: new Error("timed out"),
    });
    expect(e).to.be.instanceOf(InternalError).and.include({ code: "internalError", name: "RpcError" });
    expect(e.hosts).to.deep.equal(["rpc.example", "10.0.0.1:8545"]);
    expect(e.message).to.equal(
      "could not read the registry: all 2 RPC endpoints failed (rpc.example, 10.0.0.1:8545): timed out; check that an RPC endpoint is reachable",
    );
    expect(e.message).to.not.match(/SECRET|pw/);
  });

  it("the resolver's other errors carry their DID Resolution codes", () => {
    const unknown = new UnknownNetworkError({ network: "mainnet", known: ["local", "0x7a69"] });
    expect(unknown).to.include({ code: "notFound", network: "mainnet" });
    expect(unknown.message).to.equal(
      `no network "mainnet" is configured: configured networks: local, 0x7a69; add it to the resolver's networks (chain id, registry, RPC URLs)`,
    );
    expect(new UnknownNetworkError({ network: "x", known: [] }).details).to.match(/^configured networks: none;/);
    const option = new InvalidResolutionOptionError({ option: "versionId", value: "-1", expected: "a block number" });
    expect(option).to.include({ code: "invalidOptions", option: "versionId", message: 'invalid versionId "-1": expected a block number' });
  });

  it("explains known reverts and never mistakes an Object.prototype name for a hint", () => {
    const known = new RegistryRevertError({ operation: "changeOwner", errorName: "bad_actor", args: [] });
    expect(known.message).to.equal(
      "the registry refused changeOwner: bad_actor: the sender does not control this identity; send from its controller's key",
    );
    for (const errorName of ["constructor", "toString", "__proto__"]) {
      expect(new RegistryRevertError({ operation: "x", errorName, args: [] }).details).to.equal(
        "see the contract's NatSpec for this error",
      );
    }
  });
});

// Accept-header negotiation of the resolver service: a parser of untrusted input, so properties
// over generated headers plus the cases existing Universal Resolver clients send.
import { expect } from "chai";
import fc from "fast-check";
import { negotiate, SUPPORTED_TYPES } from "../../../sdk/service/src/negotiate.ts";

const normal = (t: string) => t.replace("; ", ";");

describe("service: Accept negotiation", () => {
  it("never throws; answers nothing or one of the supported types", () => {
    const junkRange = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc
        .tuple(
          fc.constantFrom("application", "text", "*", "image"),
          fc.constantFrom("did", "json", "*", "ld+json", "did+json"),
          fc.string({ maxLength: 12 }),
        )
        .map(([t, s, p]) => `${t}/${s};${p}`),
    );
    fc.assert(
      fc.property(fc.array(junkRange, { maxLength: 8 }), (ranges) => {
        const r = negotiate(ranges.join(","));
        if (r !== undefined) expect(SUPPORTED_TYPES.map(normal)).to.include(normal(r.contentType));
      }),
      { numRuns: 2000 },
    );
  });

  it("picks the one supported type among unsupported ones, whatever their order and weights", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SUPPORTED_TYPES),
        fc.array(fc.constantFrom("text/html", "image/png", "application/xml", "application/cbor"), { maxLength: 4 }),
        fc.nat({ max: 4 }),
        (wanted, others, at) => {
          const ranges = others.map((o) => `${o};q=0.9`);
          ranges.splice(Math.min(at, ranges.length), 0, wanted);
          expect(normal(negotiate(ranges.join(", "))!.contentType)).to.equal(normal(wanted));
        },
      ),
    );
  });

  it("reads the default, wildcards, q=0 and profiles as the spec and older clients mean them", () => {
    const cases: [string | undefined, string | undefined][] = [
      [undefined, "application/did-resolution"],
      ["", "application/did-resolution"],
      ["*/*", "application/did-resolution"],
      ["application/*", "application/did-resolution"],
      ["text/html, */*;q=0.1", "application/did-resolution"],
      ['application/ld+json;profile="https://w3id.org/did-resolution"', 'application/ld+json;profile="https://w3id.org/did-resolution"'],
      ["application/ld+json", "application/ld+json"],
      ["application/ld+json;profile=other", undefined],
      ["application/did;q=0", undefined],
      ["application/did;q=0, application/did+json;q=0.2", "application/did+json"],
      ["application/did;q=abc", undefined],
      ["application/did+json;q=0.5, application/did", "application/did"],
      ["text/html", undefined],
      ["garbage", undefined],
      [`application/did, ${"x/y,".repeat(300)}`, undefined], // over 1024 characters: refused, not parsed
    ];
    for (const [accept, expected] of cases) expect(negotiate(accept)?.contentType.replace("; ", ";"), String(accept)).to.equal(expected);
  });
});

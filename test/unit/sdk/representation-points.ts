// The key decompression behind the JsonWebKey / Multikey representations (document/representation.ts
// computes y from a compressed secp256k1 or P-256 key itself, to keep @noble/curves' curve code out of
// the browser resolver): differential against @noble/curves on random keys, and refusal of points
// that are not on the curve.
import { expect } from "chai";
import fc from "fast-check";
import { p256 } from "@noble/curves/nist.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { curvePoint } from "../../../sdk/core/src/document/representation.ts";

const curves = { secp256k1, "P-256": p256 } as const;

describe("unit: representation's point decompression (secp256k1, P-256) against @noble/curves", () => {
  for (const [name, curve] of Object.entries(curves) as [keyof typeof curves, (typeof curves)[keyof typeof curves]][]) {
    it(`${name}: the same x and y as noble for random keys, compressed and uncompressed`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
          const secret = curve.utils.randomSecretKey(new Uint8Array([...seed, ...seed.slice(0, 16)]));
          const uncompressed = curve.getPublicKey(secret, false);
          const expected = { x: uncompressed.slice(1, 33), y: uncompressed.slice(33) };
          expect(curvePoint(name, curve.getPublicKey(secret, true))).to.deep.equal(expected);
          expect(curvePoint(name, uncompressed)).to.deep.equal(expected);
        }),
        { numRuns: 200 },
      );
    });

    it(`${name}: refuses x off the curve and a y that does not match`, () => {
      let offCurve = 0;
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean(), (x, odd) => {
          const bytes = new Uint8Array([odd ? 3 : 2, ...x]);
          let nobleSays: boolean;
          try {
            curve.Point.fromBytes(bytes);
            nobleSays = true;
          } catch {
            nobleSays = false;
          }
          if (!nobleSays) offCurve++;
          expect(curvePoint(name, bytes) !== undefined).to.equal(nobleSays);
        }),
        { numRuns: 200 },
      );
      expect(offCurve, "about half of random x are not on the curve").to.be.greaterThan(20);
      const good = curve.getPublicKey(curve.utils.randomSecretKey(), false);
      const badY = good.slice();
      badY[64] ^= 1;
      expect(curvePoint(name, badY)).to.equal(undefined);
    });
  }
});

// The JOSE algorithms behind DIDComm encryption, checked against the published vectors (RFC 7518
// Appendix B.3 for A256CBC-HS512, RFC 3394 §4.6 for A256KW), and the DIDComm envelope's header
// parser against arbitrary input (typed refusals only, never a crash).
import { expect } from "chai";
import fc from "fast-check";
import { hexToBytes } from "@noble/hashes/utils.js";
import { base64urlnopad } from "@scure/base";
import { MessageError } from "../../../sdk/core/src/errors.ts";
import {
  a256cbcHs512Encrypt,
  ecdh1puKek,
  openContent,
  sealContent,
  unwrapKey,
  wrapKey,
  CONTENT_ALGORITHMS,
} from "../../../sdk/core/src/messaging/jwe-crypto.ts";
import { didcommApv, readDidcommHeader } from "../../../sdk/core/src/messaging/didcomm-jwe.ts";

const hex = (s: string) => hexToBytes(s.replace(/\s+/g, ""));
const ascii = (s: string) => new TextEncoder().encode(s);
const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("sdk: JOSE algorithms for DIDComm encryption", () => {
  it("A256CBC-HS512 reproduces RFC 7518 Appendix B.3 (ciphertext and tag), and opens it", () => {
    const k = Uint8Array.from({ length: 64 }, (_, i) => i);
    const p = ascii(
      "A cipher system must not be required to be secret, and it must be able to fall into the hands of the enemy without inconvenience",
    );
    const iv = hex("1a f3 8c 2d c2 b9 6f fd d8 66 94 09 23 41 bc 04");
    const a = ascii("The second principle of Auguste Kerckhoffs");
    const e = `4a ff aa ad b7 8c 31 c5 da 4b 1b 59 0d 10 ff bd 3d d8 d5 d3 02 42 35 26 91 2d a0 37 ec bc c7 bd
      82 2c 30 1d d6 7c 37 3b cc b5 84 ad 3e 92 79 c2 e6 d1 2a 13 74 b7 7f 07 75 53 df 82 94 10 44 6b
      36 eb d9 70 66 29 6a e6 42 7e a7 5c 2e 08 46 a1 1a 09 cc f5 37 0d c8 0b fe cb ad 28 c7 3f 09 b3
      a3 b7 5e 66 2a 25 94 41 0a e4 96 b2 e2 e6 60 9e 31 e6 e0 2c c8 37 f0 53 d2 1f 37 ff 4f 51 95 0b
      be 26 38 d0 9d d7 a4 93 09 30 80 6d 07 03 b1 f6`;
    const t = "4d d3 b4 c0 88 a7 f4 5c 21 68 39 64 5b 20 12 bf 2e 62 69 a8 c5 6a 81 6d bc 1b 26 77 61 95 5b c5";
    const sealed = a256cbcHs512Encrypt(k, iv, p, a);
    expect(toHex(sealed.ciphertext)).to.equal(toHex(hex(e)));
    expect(toHex(sealed.tag)).to.equal(toHex(hex(t)));
    expect(new TextDecoder().decode(openContent("A256CBC-HS512", k, sealed, a)!)).to.match(/^A cipher system/);
    // One flipped bit anywhere (tag, ciphertext, IV, AAD) and it does not open.
    const flip = (b: Uint8Array, i = 0) => b.map((x, j) => (j === i ? x ^ 1 : x));
    expect(openContent("A256CBC-HS512", k, { ...sealed, tag: flip(sealed.tag, 31) }, a)).to.equal(null);
    expect(openContent("A256CBC-HS512", k, { ...sealed, ciphertext: flip(sealed.ciphertext, 100) }, a)).to.equal(null);
    expect(openContent("A256CBC-HS512", k, { ...sealed, iv: flip(sealed.iv) }, a)).to.equal(null);
    expect(openContent("A256CBC-HS512", k, sealed, flip(a))).to.equal(null);
  });

  it("A256KW reproduces RFC 3394 §4.6 (256-bit key data with a 256-bit KEK) and refuses a wrong KEK", () => {
    const kek = hex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
    const key = hex("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F");
    const wrapped = wrapKey(kek, key);
    expect(toHex(wrapped)).to.equal("28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21");
    expect(toHex(unwrapKey(kek, wrapped)!)).to.equal(toHex(key));
    expect(
      unwrapKey(
        kek.map((b, i) => (i === 0 ? b ^ 1 : b)),
        wrapped,
      ),
    ).to.equal(null);
    expect(unwrapKey(kek, wrapped.subarray(1))).to.equal(null);
  });

  it("round-trips every content algorithm with random keys, and refuses any other key", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CONTENT_ALGORITHMS),
        fc.uint8Array({ maxLength: 300 }),
        fc.uint8Array({ maxLength: 40 }),
        (enc, p, a) => {
          const cek = crypto.getRandomValues(new Uint8Array(enc === "A256CBC-HS512" ? 64 : 32));
          const sealed = sealContent(enc, cek, p, a);
          expect(toHex(openContent(enc, cek, sealed, a)!)).to.equal(toHex(p));
          expect(
            openContent(
              enc,
              cek.map((b) => b ^ 0x80),
              sealed,
              a,
            ),
          ).to.equal(null);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("ECDH-1PU draft -04 binds the content tag into the KEK; draft -03 (did-jwt's) does not", () => {
    const ze = new Uint8Array(32).fill(1);
    const zs = new Uint8Array(32).fill(2);
    const ctx = { alg: "ECDH-1PU+A256KW" as const, apu: ascii("did:x:a#k"), apv: new Uint8Array(32) };
    const tag = new Uint8Array(32).fill(3);
    const v4 = ecdh1puKek(ze, zs, ctx, tag);
    expect(toHex(v4)).to.not.equal(
      toHex(
        ecdh1puKek(
          ze,
          zs,
          ctx,
          tag.map((b) => b ^ 1),
        ),
      ),
    );
    expect(toHex(v4)).to.not.equal(toHex(ecdh1puKek(ze, zs, ctx)));
    expect(v4).to.have.length(32);
  });

  it("computes DIDComm's apv from the recipient kids, whatever their order", () => {
    expect(didcommApv(["did:x:b#2", "did:x:a#1"])).to.equal(didcommApv(["did:x:a#1", "did:x:b#2"]));
    expect(didcommApv(["did:x:a#1"])).to.not.equal(didcommApv(["did:x:a#1", "did:x:b#2"]));
  });

  it("reads any protected header into a checked one or a typed MessageError (invalid / unsupportedAlgorithm), never a crash", () => {
    const x = base64urlnopad.encode(new Uint8Array(32).fill(9));
    const good = { alg: "ECDH-ES+A256KW", enc: "XC20P", epk: { kty: "OKP", crv: "X25519", x } };
    expect(readDidcommHeader(good)).to.include({ alg: "ECDH-ES+A256KW", enc: "XC20P" });
    const refusal = (h: Record<string, unknown>) => {
      try {
        readDidcommHeader(h);
        return "accepted";
      } catch (e) {
        expect(e).to.be.instanceOf(MessageError);
        return (e as MessageError).refusal;
      }
    };
    expect(refusal({ ...good, enc: "A128GCM" })).to.equal("unsupportedAlgorithm");
    expect(refusal({ ...good, alg: "RSA-OAEP-256" })).to.equal("unsupportedAlgorithm");
    expect(refusal({ ...good, epk: { kty: "EC", crv: "P-384", x, y: x } })).to.equal("unsupportedAlgorithm");
    expect(refusal({ ...good, alg: "ECDH-1PU+A256KW", enc: "A256CBC-HS512" })).to.equal("invalid"); // no skid/apu
    expect(refusal({ ...good, epk: { kty: "OKP", crv: "X25519", x: "!!" } })).to.equal("invalid");
    expect(refusal({ ...good, alg: "ECDH-1PU+A256KW", skid: "did:x:a#1", apu: base64urlnopad.encode(ascii("did:x:b#1")) })).to.equal(
      "invalid",
    );
    const value = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.dictionary(fc.string(), fc.string()), fc.constant(x));
    fc.assert(
      fc.property(
        fc.record(
          {
            alg: fc.oneof(fc.constantFrom("ECDH-ES+A256KW", "ECDH-1PU+A256KW"), value),
            enc: fc.oneof(fc.constantFrom(...CONTENT_ALGORITHMS), value),
            epk: fc.oneof(fc.record({ kty: fc.constantFrom("OKP", "EC"), crv: fc.constantFrom("X25519", "P-256"), x: value }), value),
            skid: value,
            apu: value,
            apv: value,
          },
          { requiredKeys: [] },
        ),
        (h) => {
          expect(["accepted", "invalid", "unsupportedAlgorithm"]).to.include(refusal(h));
        },
      ),
      { numRuns: 500 },
    );
  });
});

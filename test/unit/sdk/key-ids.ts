// Property test of key and service ids over random histories with purges: no id names two
// different keys (or services) of one DID in any version, whatever block and time it is judged
// at; and a document folded from the last purge on lists what the whole history gives.
import { expect } from "chai";
import fc from "fast-check";
import { stringToHex, toHex, zeroHash, type Address } from "viem";
import { type RegistryEvent } from "../../../sdk/core/src/index.ts";
import { buildDocument } from "../../../sdk/core/src/internal.ts";

const DID = "did:sigil:local:0x00000000000000000000000000000000000000aa";
const ADDRESS = "0x00000000000000000000000000000000000000aa" as Address;
const BLOCK_SECONDS = 100n;
const VALIDITIES = [50n, 500n, 100_000n];
const DELEGATES = ["0x00000000000000000000000000000000000000d1", "0x00000000000000000000000000000000000000d2"] as Address[];
const NAMES = [
  "did/pub/Ed25519/veriKey/base64",
  "did/pub/X25519/enc/base64",
  "did/pub/Secp256k1/sigAuth/hex",
  "did/svc/Messaging",
  "did/svc/Inbox",
  "sigil/guardians", // a Sigil-only write's marker (empty value, validTo 0): never a key
  "something/else", // a non-DID use of attributes
  // did:ethr counts a still-valid did/pub/ name outside its pattern only once it expires, so in
  // epoch 0 its ids depend on the time (kept for did:ethr parity); generated only after a purge.
  "did/pub/X/veriKey/hex/x",
];
// URIs, so that they are also services a document lists (any bytes make a key).
const VALUES = ["https://1.example", "https://2.example", "https://3.example"].map((u) => stringToHex(u));

type Step =
  | { t: "delegate"; type: "sigAuth" | "veriKey" | "other"; d: number; v: number; revoke: boolean }
  | { t: "attribute"; name: number; value: number; v: number; revoke: boolean }
  | { t: "rotate"; purge: boolean }
  | { t: "guardians" };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant("delegate" as const),
      type: fc.constantFrom("sigAuth" as const, "veriKey" as const, "other" as const),
      d: fc.nat(1),
      v: fc.nat(2),
      revoke: fc.boolean(),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant("attribute" as const),
      name: fc.nat(NAMES.length - 1),
      value: fc.nat(2),
      v: fc.nat(2),
      revoke: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("rotate" as const), purge: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("guardians" as const) }) },
);

/** One event per block, block n at n × 100 s, as the registry would emit them. */
function history(steps: Step[]): RegistryEvent[] {
  let epoch = 0n;
  return steps.flatMap((s, i): RegistryEvent[] => {
    const blockNumber = BigInt(i + 1);
    // Synthetic events: no log behind them, so nothing for the event chain to bind (never checked here).
    const link = { topic0: zeroHash, topic2: zeroHash, data: "0x" as const };
    const base = { blockNumber, logIndex: 0, blockTimestamp: blockNumber * BLOCK_SECONDS, previousChange: blockNumber - 1n, link };
    const now = base.blockTimestamp;
    switch (s.t) {
      case "delegate":
        return [
          {
            ...base,
            kind: "delegate",
            delegateType: stringToHex(s.type, { size: 32 }),
            delegate: DELEGATES[s.d],
            validTo: s.revoke ? now : now + VALIDITIES[s.v],
          },
        ];
      case "attribute": {
        const name = NAMES[s.name];
        if (name.split("/").length > 5 && epoch === 0n) return [];
        const marker = name.startsWith("sigil/");
        const value = marker ? "0x" : VALUES[s.value];
        return [
          {
            ...base,
            kind: "attribute",
            name: stringToHex(name, { size: 32 }),
            value,
            validTo: marker || s.revoke ? 0n : now + VALIDITIES[s.v],
          },
        ];
      }
      case "rotate":
        if (s.purge) epoch++;
        return [{ ...base, kind: "rotate", newOwner: ADDRESS, nextCommitment: toHex(1n, { size: 32 }), purged: s.purge, epoch }];
      case "guardians":
        return [{ ...base, kind: "guardiansChanged", root: toHex(2n, { size: 32 }), threshold: 1, delay: 3_600n }];
    }
  });
}

/** What an id names: the entry without its id. */
function entries(doc: ReturnType<typeof buildDocument>["didDocument"]): [string, string][] {
  const all = [...(doc.verificationMethod ?? []), ...(doc.service ?? [])] as { id: string }[];
  return all.map(({ id, ...rest }) => [id, JSON.stringify(rest)]);
}

describe("sdk: key and service ids never name two keys of one DID (property, random histories with purges)", () => {
  it("holds in every version (each block, judged at several times) and a post-purge fold agrees with the whole history", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 30 }), (steps) => {
        const events = history(steps);
        const head = BigInt(steps.length);
        const named = new Map<string, string>();
        for (let b = 0n; b <= head; b++) {
          for (const later of [0n, 60n, 600n, 200_000n]) {
            const at = { blockNumber: b, timestamp: b * BLOCK_SECONDS + later };
            for (const [id, what] of entries(buildDocument({ did: DID, address: ADDRESS, chainId: 1, events, at }).didDocument)) {
              const before = named.get(id);
              expect(before === undefined || before === what, `${id} names ${before} and ${what} (block ${b}, +${later} s)`).to.equal(true);
              named.set(id, what);
            }
          }
        }
        // What a current read fetches: the events from the last purge's block on.
        const lastPurge = events.findLast((e) => (e.kind === "rotate" || e.kind === "recovered") && e.purged)?.blockNumber ?? 0n;
        for (const later of [0n, 600n, 200_000n]) {
          const at = { blockNumber: head, timestamp: head * BLOCK_SECONDS + later };
          const whole = buildDocument({ did: DID, address: ADDRESS, chainId: 1, events, at });
          const current = buildDocument({
            did: DID,
            address: ADDRESS,
            chainId: 1,
            events: events.filter((e) => e.blockNumber >= lastPurge),
            at,
          });
          expect(current.didDocument).to.deep.equal(whole.didDocument);
          expect(current.epoch).to.equal(whole.epoch);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("from epoch 1 an id does not depend on the time a version is judged at; epoch 0 keeps did:ethr's numbering, which does", () => {
    // A did/pub/ name outside did:ethr's pattern, valid for 500 s, then keys A and B: did:ethr
    // counts the first only once it expired, so its later keys' ids shift by one then.
    const steps = (purge: boolean): Step[] => [
      ...(purge ? [{ t: "rotate" as const, purge: true }] : []),
      { t: "attribute", name: 0, value: 0, v: 2, revoke: false },
      { t: "attribute", name: 0, value: 1, v: 2, revoke: false },
      { t: "attribute", name: 0, value: 2, v: 2, revoke: false },
    ];
    const build = (purge: boolean, timestamp: bigint) => {
      const events = history(steps(purge));
      const odd = events.find((e) => e.kind === "attribute")! as Extract<RegistryEvent, { kind: "attribute" }>;
      Object.assign(odd, { name: stringToHex(NAMES.at(-1)!, { size: 32 }), validTo: odd.blockTimestamp! + 500n });
      const doc = buildDocument({ did: DID, address: ADDRESS, chainId: 1, events, at: { blockNumber: 10n, timestamp } }).didDocument;
      return doc.verificationMethod!.slice(1).map((m) => m.id.split("#")[1]);
    };
    expect(build(true, 400n)).to.deep.equal(build(true, 2_000n)).and.deep.equal(["delegate-2-e1", "delegate-3-e1"]);
    expect(build(false, 400n)).to.deep.equal(["delegate-1", "delegate-2"]);
    expect(build(false, 2_000n), "did:ethr's numbering once the odd name expired").to.deep.equal(["delegate-2", "delegate-3"]);
  });

  it("after a purge, the first new key is #delegate-1-e1 and the voided one keeps #delegate-1 (epoch 0 stays did:ethr's)", () => {
    const events = history([
      { t: "attribute", name: 0, value: 0, v: 2, revoke: false },
      { t: "attribute", name: 3, value: 0, v: 2, revoke: false },
      { t: "rotate", purge: true },
      { t: "attribute", name: 1, value: 1, v: 2, revoke: false },
      { t: "attribute", name: 4, value: 1, v: 2, revoke: false },
      { t: "rotate", purge: true },
      { t: "delegate", type: "veriKey", d: 0, v: 2, revoke: false },
    ]);
    const ids = (b: bigint) =>
      entries(
        buildDocument({ did: DID, address: ADDRESS, chainId: 1, events, at: { blockNumber: b, timestamp: b * BLOCK_SECONDS } }).didDocument,
      ).map(([id]) => id.split("#")[1]);
    expect(ids(2n)).to.deep.equal(["controller", "delegate-1", "service-1"]);
    expect(ids(5n)).to.deep.equal(["controller", "delegate-1-e1", "service-1-e1"]);
    expect(ids(7n)).to.deep.equal(["controller", "delegate-1-e2"]);
  });
});

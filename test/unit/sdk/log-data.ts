// The registry's event decoder against viem's decodeEventLog (the reference), on random
// arguments of every event: the same values, and the same refusals of malformed data.
import { expect } from "chai";
import fc from "fast-check";
import { decodeEventLog, encodeAbiParameters, encodeEventTopics, getAddress, toHex, type AbiEvent, type Hex } from "viem";
import { registryEventsAbi } from "../../../sdk/core/src/index.ts";
import { decodeRegistryLog } from "../../../sdk/core/src/internal.ts";

const events = (registryEventsAbi as readonly AbiEvent[]).filter((e) => e.name !== "EIP712DomainChanged");
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => getAddress(toHex(b)));
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b));
const uint = fc.bigInt({ min: 0n, max: 2n ** 256n - 1n });

function arbitraryFor(type: string, components?: readonly { name?: string; type: string }[]): fc.Arbitrary<unknown> {
  if (type === "address") return address;
  if (type === "bytes32") return bytes32;
  if (type === "bool") return fc.boolean();
  if (type === "bytes") return fc.uint8Array({ maxLength: 300 }).map((b) => toHex(b));
  if (type === "tuple")
    return fc.record(Object.fromEntries(components!.map((c) => [c.name!, arbitraryFor(c.type, (c as { components?: never }).components)])));
  return uint;
}

const aLog = fc
  .constantFrom(...events)
  .chain((event) =>
    fc.tuple(fc.constant(event), fc.tuple(...event.inputs.map((i) => arbitraryFor(i.type, (i as { components?: never }).components)))),
  );

function encode(event: AbiEvent, values: unknown[]) {
  const args = Object.fromEntries(event.inputs.map((i, k) => [i.name!, values[k]]));
  const topics = encodeEventTopics({ abi: [event], eventName: event.name, args } as never) as Hex[];
  const data = encodeAbiParameters(
    event.inputs.filter((i) => !i.indexed),
    event.inputs.filter((i) => !i.indexed).map((i) => args[i.name!]) as never,
  );
  return { topics, data, blockNumber: "0x10" as Hex, logIndex: "0x2" as Hex };
}

describe("registry log decoder (property tests against viem's decodeEventLog)", () => {
  it("decodes every event's arguments as viem does", () => {
    fc.assert(
      fc.property(aLog, ([event, values]) => {
        const log = encode(event, values as unknown[]);
        const reference = decodeEventLog({ abi: [event], data: log.data, topics: log.topics as [Hex, ...Hex[]] }).args as Record<
          string,
          unknown
        >;
        const ours = decodeRegistryLog(log) as Record<string, unknown> | undefined;
        expect(ours, event.name).to.not.equal(undefined);
        // Every argument viem decodes (the identity aside: it is the query's topic) appears in ours, equal.
        for (const [name, value] of Object.entries(reference)) {
          if (name === "identity") continue;
          expect(ours![name], `${event.name}.${name}`).to.deep.equal(name === "threshold" || name === "approvals" ? Number(value) : value);
        }
        expect(ours!.blockNumber).to.equal(16n);
        expect(ours!.logIndex).to.equal(2);
      }),
      { numRuns: 400 },
    );
  });

  it("refuses what viem refuses: truncated data, dirty address padding, a bool that is not 0 or 1, bytes out of bounds", () => {
    fc.assert(
      fc.property(aLog, fc.nat(), fc.nat(), ([event, values], cut, at) => {
        const log = encode(event, values as unknown[]);
        const body = log.data.slice(2);
        const words = body.length / 64;
        const variants: Hex[] = [
          `0x${body.slice(0, Math.max(0, body.length - 2 - (cut % 64) * 2))}` as Hex, // truncated
          `0x${body.slice(0, (at % Math.max(1, words)) * 64)}${"f".repeat(64)}${body.slice((at % Math.max(1, words)) * 64 + 64)}` as Hex, // a word set to all ones
        ];
        for (const data of variants) {
          let reference: unknown;
          try {
            reference = decodeEventLog({ abi: [event], data, topics: log.topics as [Hex, ...Hex[]] });
          } catch {
            reference = undefined;
          }
          const ours = decodeRegistryLog({ ...log, data });
          if (reference === undefined) expect(ours, `${event.name} ${data.length}`).to.equal(undefined);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("skips logs that are not the registry's events, or whose topics do not match the event", () => {
    const [event] = events.filter((e) => e.name === "DIDOwnerChanged");
    const log = encode(event, [getAddress(`0x${"11".repeat(20)}`), getAddress(`0x${"22".repeat(20)}`), 5n]);
    expect(decodeRegistryLog({ ...log, topics: [`0x${"ab".repeat(32)}`, log.topics[1]] })).to.equal(undefined);
    expect(decodeRegistryLog({ ...log, topics: [log.topics[0]] }), "identity topic missing").to.equal(undefined);
    expect(decodeRegistryLog(log)).to.deep.include({ kind: "owner", owner: getAddress(`0x${"22".repeat(20)}`), previousChange: 5n });
  });
});

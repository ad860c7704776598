// The history cache's LRU map: evicts the least recently used entry, counts a read as a use.
import { expect } from "chai";
import fc from "fast-check";
import { SigilError } from "../../../sdk/core/src/errors.ts";
import { LruMap } from "../../../sdk/core/src/read/lru.ts";

describe("sdk: LruMap", () => {
  it("keeps at most maxSize entries, evicting the least recently used (reads count)", () => {
    const m = new LruMap<number>(2);
    m.set("a", 1).set("b", 2);
    expect(m.get("a")).to.equal(1); // a is now the most recent
    m.set("c", 3);
    expect([...m.keys()]).to.deep.equal(["a", "c"]);
    expect(m.get("b")).to.equal(undefined);
    // One error root (issue 21): a SigilError with the invalidInput code, no longer a RangeError.
    expect(() => new LruMap(0))
      .to.throw(SigilError, "maxEntries")
      .with.property("code", "invalidInput");
  });

  it("agrees with a reference model on random operation sequences", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.tuple(fc.boolean(), fc.constantFrom("a", "b", "c", "d", "e", "f"))),
        (size, ops) => {
          const m = new LruMap<number>(size);
          let model: string[] = []; // least recent first
          ops.forEach(([write, key], i) => {
            if (write) {
              m.set(key, i);
              model = [...model.filter((k) => k !== key), key].slice(-size);
            } else if (m.get(key) !== undefined) {
              model = [...model.filter((k) => k !== key), key];
            }
          });
          expect([...m.keys()]).to.deep.equal(model);
        },
      ),
    );
  });
});

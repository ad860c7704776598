// eth_getLogs sizing without a node: providers' real refusal texts classified, and a property
// test of the splitting against a simulated endpoint with random range, result and timeout caps:
// every log in the range comes back exactly once, in order, and the caps are learned.
import { expect } from "chai";
import fc from "fast-check";
import { TimeoutError, type Hex } from "viem";
import { type RawLog } from "../../../sdk/core/src/index.ts";
import { classifyLogRefusal, createEndpoint, getLogsAdaptive, LogLimitError, type LogFilter } from "../../../sdk/core/src/internal.ts";

const rpcError = (message: string, code = -32000) => Object.assign(new Error("RPC Request failed."), { details: message, code });

describe("eth_getLogs sizing (log-ranges.ts)", () => {
  it("reads each provider's refusal: range caps with the number they name, result caps with their suggested range", () => {
    const cases: [string, ReturnType<typeof classifyLogRefusal>][] = [
      [
        "You can make eth_getLogs requests with up to a 500 block range. Based on your parameters, this block range should work: [0x123c9b2, 0x123cba5]",
        { kind: "range", limit: 500n, suggested: [0x123c9b2n, 0x123cba5n] },
      ],
      ["range 1000000 exceeds limit of 10000", { kind: "range", limit: 10000n, suggested: undefined }],
      ["eth_getLogs is limited to a 10,000 range", { kind: "range", limit: 10000n, suggested: undefined }],
      ["query exceeds max block range 1000", { kind: "range", limit: 1000n, suggested: undefined }],
      [
        "block range is larger than max block range, block range = 5120, max block range = 5000",
        { kind: "range", limit: 5000n, suggested: undefined },
      ],
      ["range 9009594 is bigger than range limit 2000", { kind: "range", limit: 2000n, suggested: undefined }],
      ["block range too high", { kind: "range", limit: undefined, suggested: undefined }],
      [
        "query returned more than 10000 results. Try with this block range [0xBDE5F8, 0x102DBCC].",
        { kind: "results", limit: 10000, suggested: [0xbde5f8n, 0x102dbccn] },
      ],
      ["query returned more than 10000 results", { kind: "results", limit: 10000, suggested: undefined }],
      [
        "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size, or you can request any block range with a cap of 10K logs in the response. Based on your parameters and the response size limit, this block range should work: [0x0, 0xd043b8]",
        { kind: "results", limit: 10000, suggested: [0n, 0xd043b8n] },
      ],
    ];
    for (const [message, expected] of cases) expect(classifyLogRefusal(rpcError(message)), message).to.deep.equal(expected);
    expect(classifyLogRefusal(new TimeoutError({ body: {}, url: "http://x" }))).to.deep.equal({ kind: "timeout" });
    expect(classifyLogRefusal(rpcError("execution reverted")), "anything else is not a refusal to size around").to.equal(undefined);
    expect(classifyLogRefusal(rpcError("header not found"))).to.equal(undefined);
  });

  // A simulated endpoint: logs at random blocks, refusing ranges wider than rangeCap (in the
  // wording of a random provider), answers longer than resultCap, and, once, timing out.
  const endpointModel = fc.record({
    blocks: fc.array(fc.integer({ min: 0, max: 5_000 }), { maxLength: 120 }),
    rangeCap: fc.option(fc.integer({ min: 1, max: 3_000 }), { nil: undefined }),
    resultCap: fc.option(fc.integer({ min: 2, max: 40 }), { nil: undefined }),
    wording: fc.constantFrom("alchemy", "infura", "quicknode", "plain"),
    timeoutOnce: fc.boolean(),
    from: fc.integer({ min: 0, max: 2_500 }),
    span: fc.integer({ min: 1, max: 5_000 }),
  });

  it("returns every log of the range exactly once, in order, whatever the caps; learns the range cap", async () => {
    await fc.assert(
      fc.asyncProperty(endpointModel, async (m) => {
        const logs: RawLog[] = m.blocks.map((b, i) => ({
          blockNumber: `0x${b.toString(16)}` as Hex,
          logIndex: `0x${i.toString(16)}` as Hex,
          data: "0x",
          topics: [],
        }));
        // Per block at most resultCap - 1 logs, so that every range can be split small enough.
        const perBlock = new Map<number, number>();
        const kept = logs.filter((l) => {
          const b = Number(l.blockNumber);
          perBlock.set(b, (perBlock.get(b) ?? 0) + 1);
          return m.resultCap === undefined || perBlock.get(b)! < m.resultCap;
        });
        let timedOut = false;
        const send = async (f: LogFilter) => {
          const [a, b] = [Number(f.fromBlock), Number(f.toBlock)];
          if (m.timeoutOnce && !timedOut && b > a) {
            timedOut = true;
            throw new TimeoutError({ body: {}, url: "http://x" });
          }
          if (m.rangeCap !== undefined && b - a + 1 > m.rangeCap) {
            const text = {
              alchemy: `You can make eth_getLogs requests with up to a ${m.rangeCap} block range. Based on your parameters, this block range should work: [0x${a.toString(16)}, 0x${(a + m.rangeCap - 1).toString(16)}]`,
              infura: `range ${b - a + 1} exceeds limit of ${m.rangeCap}`,
              quicknode: `eth_getLogs is limited to a ${m.rangeCap.toLocaleString("en-US")} range`,
              plain: "block range too high",
            }[m.wording];
            throw rpcError(text);
          }
          const found = kept.filter((l) => Number(l.blockNumber) >= a && Number(l.blockNumber) <= b);
          if (m.resultCap !== undefined && found.length > m.resultCap)
            throw rpcError(`query returned more than ${m.resultCap} results`, -32005);
          return found;
        };
        const endpoint = createEndpoint("http://x");
        const to = m.from + m.span - 1;
        const got = await getLogsAdaptive(endpoint, { fromBlock: `0x${m.from.toString(16)}`, toBlock: `0x${to.toString(16)}` }, send);
        const expected = kept.filter((l) => Number(l.blockNumber) >= m.from && Number(l.blockNumber) <= to);
        const key = (l: RawLog) => `${Number(l.blockNumber)}:${Number(l.logIndex)}`;
        expect(got.map(key).sort()).to.deep.equal(expected.map(key).sort());
        expect(new Set(got.map(key)).size).to.equal(got.length);
        if (m.rangeCap !== undefined && endpoint.caps.maxLogRange !== undefined)
          expect(Number(endpoint.caps.maxLogRange)).to.be.at.most(m.rangeCap);
        if (m.rangeCap !== undefined && m.wording !== "plain" && endpoint.caps.maxLogRange !== undefined)
          expect(Number(endpoint.caps.maxLogRange)).to.equal(m.rangeCap);
      }),
      { numRuns: 300 },
    );
  });

  it("a block holding more logs than the endpoint returns is a LogLimitError naming the block", async () => {
    const logs = Array.from({ length: 5 }, (_, i) => ({
      blockNumber: "0x7" as Hex,
      logIndex: `0x${i}` as Hex,
      data: "0x" as Hex,
      topics: [],
    }));
    const send = async (f: LogFilter) => {
      const found = logs.filter((l) => Number(l.blockNumber) >= Number(f.fromBlock) && Number(l.blockNumber) <= Number(f.toBlock));
      if (found.length > 3) throw rpcError("query returned more than 3 results", -32005);
      return found;
    };
    const error = await getLogsAdaptive(createEndpoint("http://x"), { fromBlock: "0x0", toBlock: "0x20" }, send).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(LogLimitError);
    expect((error as LogLimitError).block).to.equal(7n);
    expect((error as LogLimitError).limit).to.equal(3);
  });

  it("passes other errors through untouched, and does not split a range bounded by a tag", async () => {
    const boom = rpcError("execution reverted");
    expect(
      await getLogsAdaptive(createEndpoint("http://x"), { fromBlock: "0x0", toBlock: "0x10" }, async () => Promise.reject(boom)).catch(
        (e: unknown) => e,
      ),
    ).to.equal(boom);
    let calls = 0;
    const endpoint = createEndpoint("http://x");
    const refused = await getLogsAdaptive(endpoint, { fromBlock: "0x0", toBlock: "latest" }, async () => {
      calls++;
      throw rpcError("eth_getLogs is limited to a 5 range");
    }).catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(Error);
    expect(calls).to.equal(1);
    expect(endpoint.caps.maxLogRange, "the named cap is still learned").to.equal(5n);
  });
});

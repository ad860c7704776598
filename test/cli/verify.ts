// `sigil --verify <k>`: the real `sigil` process proves what it reads against the header k of its
// --rpc endpoints serve. Against a real `hardhat node`: a resolution says which block it was proven
// against; a proxy that replaces the published key's bytes in the logs is refused (exit 3, never a
// document with the replaced key); a bad k is a usage error before anything is sent.
import { expect } from "chai";
import { bytesToHex } from "viem";
import { generateKeyPair } from "sigil-did";
import { startRpcProxy, type RpcProxy } from "../support/rpc-proxy.ts";
import { runAsync, startCliChain, type CliChain } from "./harness.ts";

describe("sigil CLI: --verify proves what it reads", function () {
  this.timeout(180_000);
  let chain: CliChain;
  let liar: RpcProxy;
  const fake = `0x${"ee".repeat(32)}`;
  before(async () => {
    chain = await startCliChain();
    // Replaces every published key's bytes in eth_getLogs answers, nothing else.
    liar = await startRpcProxy(chain.node.url, {
      tamper: {
        answer: async (req, answer) => {
          if (req.method !== "eth_getLogs" || !Array.isArray(answer.result)) return answer;
          const logs = (answer.result as { data: string }[]).map((l) => ({
            ...l,
            data: l.data.replace(/(ee)?[0-9a-f]{64}$/i, fake.slice(2)),
          }));
          return { ...answer, result: logs };
        },
      },
    });
  });
  after(async () => {
    await liar?.close();
    await chain?.stop();
  });

  it("says which block a document was proven against; a reader that alters a key is refused (exit 3), not printed", async () => {
    const id = await chain.funded();
    const x = generateKeyPair("X25519");
    const add = chain.sigil(["key", "add", id.did, "--type", "X25519", "--purpose", "enc", "--public-key", bytesToHex(x.publicKey)], {
      SIGIL_PRIVATE_KEY: id.key,
    });
    expect(add.code, add.err + add.out).to.equal(0);
    for (let i = 0; i < 3; i++) await chain.publicClient.request({ method: "evm_mine" } as never);
    const proven = chain.sigil(["--verify", "1", "resolve", id.did]);
    expect(proven.code, proven.err).to.equal(0);
    expect(proven.out).to.match(/verified: proven against block \d+ \(1 of 1 endpoints? .*\)/);
    expect(proven.out).to.include(bytesToHex(x.publicKey).slice(2));
    // The proxy lives in this process: the CLI runs asynchronously so that it can answer.
    // The default mode catches this lie too (registry 2.2's event chain); --verify refuses it against the proven state.
    const lied = await runAsync(["--deployments", chain.dir, "--rpc", liar.url, "resolve", id.did]);
    expect(lied.code, "the default mode refuses it too").to.equal(3);
    expect(lied.err).to.match(/internalError: .*head/);
    const refused = await runAsync(["--deployments", chain.dir, "--rpc", liar.url, "--verify", "1", "resolve", id.did]);
    expect(refused.code).to.equal(3);
    expect(refused.err).to.match(/internalError: .*(logs do not match the proven state|event-chain head)/);
    expect(refused.out).to.not.include(fake.slice(2));
  });

  it("refuses a bad --verify before anything is sent (exit 2)", () => {
    for (const [k, message] of [
      ["0", /--verify "0" must be a whole number of endpoints/],
      ["x", /--verify "x" must be a whole number/],
      ["2", /--verify 2 needs 2 RPC endpoints and the network has 1: give more with --rpc/],
    ] as const) {
      const r = chain.sigil(["--verify", k, "resolve", chain.poor().did]);
      expect(r.code, k).to.equal(2);
      expect(r.err).to.match(message);
    }
  });
});

// GET /1.0/proofs/{did}: the service proves a current document and returns the material; the app
// checks it with its own trust (verifyResolutionMaterial) instead of trusting the service. A real
// `hardhat node`, the victim history of test/support/victim-history.ts, and a service that lies by
// editing the material it returns.
import { expect } from "chai";
import type { Address, Hex } from "viem";
import { createSigilResolver, verifyResolutionMaterial, type ResolutionMaterial, type SigilNetwork } from "sigil-did";
import { startResolverService, type RunningService } from "sigil-did-service";
import { startHardhatNode, type HardhatNode } from "../support/hardhat-node.ts";
import { randomAddress, rpc, writeHistory } from "../support/victim-history.ts";

describe("resolver service: proven documents an app verifies instead of trusting (GET /1.0/proofs)", function () {
  this.timeout(240_000);
  let node: HardhatNode;
  let service: RunningService;
  let network: SigilNetwork;
  let victim: Address;
  const did = () => `did:sigil:local:${victim.toLowerCase()}`;
  /** The app's own trust: the node it knows serves this hash at this number. */
  const confirm = async (n: bigint, hash: Hex) =>
    ((await rpc(node.url, "eth_getBlockByNumber", [`0x${n.toString(16)}`, false])) as { hash: Hex } | null)?.hash === hash;
  const fetchProof = async (d: string) =>
    (await (await fetch(`${service.url}/1.0/proofs/${encodeURIComponent(d)}`)).json()) as {
      didResolutionResult: { didResolutionMetadata: { error?: string } };
      material?: ResolutionMaterial;
    };
  const view = (r: { didDocument: unknown; didDocumentMetadata: unknown }) =>
    JSON.stringify({ doc: r.didDocument, meta: r.didDocumentMetadata }).replace(/"resolvedAtBlock":"\d+"/, "");

  before(async () => {
    node = await startHardhatNode();
    const history = await writeHistory(node.url, randomAddress());
    victim = history.victim;
    network = { chainId: 31337, name: "local", registry: history.registry, rpcUrls: [node.url] };
    const resolver = createSigilResolver({ networks: [network], cache: false });
    service = await startResolverService({ resolver, port: 0, logLevel: "silent", proofs: { networks: [network] } });
  });
  after(async () => {
    await service?.close();
    await node?.stop();
  });

  it("returns the proven document with its material, and the app's check of that material alone gives the same document, verified", async () => {
    const body = await fetchProof(did());
    expect(body.didResolutionResult.didResolutionMetadata.error).to.equal(undefined);
    const material = body.material!;
    expect(material.calls.map((c) => c.method)).to.include.members(["eth_getProof", "eth_getLogs", "eth_getBlockByHash"]);
    const checked = await verifyResolutionMaterial(network, did(), material, confirm);
    expect(checked.didResolutionMetadata.error, (checked.didResolutionMetadata as { message?: string }).message).to.equal(undefined);
    const honest = await createSigilResolver({ networks: [network], cache: false }).resolve(did());
    // A first change older than the last purge has no proven time under a light-client trust: left out, not taken on trust.
    expect((checked.didDocumentMetadata as { created?: string }).created).to.equal(undefined);
    const withoutCreated = (r: typeof honest) => view(r).replace(/"created":"[^"]+",/, "");
    expect(withoutCreated(checked)).to.equal(withoutCreated(honest));
    expect((checked.didResolutionMetadata as { verified?: { blockHash: string } }).verified?.blockHash).to.equal(material.header.hash);
  });

  it("refuses material a service edited: a log, a proof value, a header the app's trust does not confirm, a call left out", async () => {
    const material = (await fetchProof(did())).material!;
    const edited = (change: (m: ResolutionMaterial) => void) => {
      const copy = structuredClone(material);
      change(copy);
      return verifyResolutionMaterial(network, did(), copy, confirm);
    };
    // The read of the logs since the last purge (every event kind: topic 0 unfiltered).
    const logs = (m: ResolutionMaterial) =>
      m.calls.find((c) => c.method === "eth_getLogs" && (c.params as [{ topics: unknown[] }])[0].topics[0] === null)!;
    const alteredLog = await edited((m) => {
      const log = (logs(m).result as { data: Hex }[]).at(-1)!;
      log.data = `${log.data.slice(0, -2)}ff` as Hex;
    });
    expect(alteredLog.didResolutionMetadata.error).to.equal("internalError");
    const proof = await edited((m) => {
      const answer = m.calls.find((c) => c.method === "eth_getProof")!.result as { storageProof: { value: Hex }[] };
      answer.storageProof[0].value = "0x1234";
    });
    expect(proof.didResolutionMetadata.error).to.equal("internalError");
    const header = await edited((m) => (m.header.hash = `0x${"11".repeat(32)}`));
    expect((header.didResolutionMetadata as { message?: string }).message).to.include("your trust does not confirm");
    const missing = await edited((m) => (m.calls = m.calls.filter((c) => c.method !== "eth_getLogs")));
    expect(missing.didResolutionMetadata.error).to.equal("internalError");
    for (const r of [alteredLog, proof, missing]) expect(r.didDocument).to.equal(null);
  });
});

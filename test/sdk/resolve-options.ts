// resolveDid and resolveDids, the documented actions on a createSigilClient, take every
// resolution option exactly as the resolver and its did-resolver plugin do: the same document
// for publicKeyFormat, accept, versionId, versionTime, noCache and expandRelativeUrls, and the
// same refusal (featureNotSupported for an option it does not know, invalidOptions for a bad
// value) instead of silently ignoring what they do not apply.
import { expect } from "chai";
import { Resolver } from "did-resolver";
import { createSigilClient, resolveDid, resolveDids } from "sigil-did";
import { sharedChain, type StandardsChain } from "../standards/fixture.ts";

describe("resolveDid and resolveDids honour every resolution option, as the did-resolver plugin does", function () {
  this.timeout(120_000);
  let chain: StandardsChain;
  before(async () => {
    chain = await sharedChain();
  });

  const client = () => createSigilClient({ networks: [chain.net], cache: { maxAgeMs: 0 } });

  it("publicKeyFormat shapes the document resolveDid returns", async () => {
    for (const publicKeyFormat of ["Multikey", "JsonWebKey"] as const) {
      const doc = (await resolveDid(client(), chain.cases.rich.did, { publicKeyFormat } as never)).didDocument!;
      expect(
        doc.verificationMethod!.filter((m) => m.type === publicKeyFormat),
        publicKeyFormat,
      ).to.have.length(5);
    }
  });

  it("refuses an unknown option (featureNotSupported) and a bad value (invalidOptions), never ignoring them", async () => {
    const rich = chain.cases.rich.did;
    const cases: [Record<string, unknown>, string][] = [
      [{ nope: 1 }, "featureNotSupported"],
      [{ publicKeyFormat: "Ed25519VerificationKey2020" }, "featureNotSupported"],
      [{ publicKeyFormat: 5 }, "invalidOptions"],
      [{ noCache: "maybe" }, "invalidOptions"],
      [{ expandRelativeUrls: 1 }, "invalidOptions"],
    ];
    for (const [options, code] of cases) {
      const r = await resolveDid(client(), rich, options as never);
      expect(r.didResolutionMetadata.error, JSON.stringify(options)).to.equal(code);
      expect(r.didDocument).to.equal(null);
      const [many] = await resolveDids(client(), [rich], options as never);
      expect(many.didResolutionMetadata.error, `resolveDids ${JSON.stringify(options)}`).to.equal(code);
    }
  });

  it("gives what the did-resolver plugin gives, for every option and every refusal", async () => {
    const plugin = new Resolver(chain.resolver().plugin());
    const rich = chain.cases.rich.did;
    const cases: Record<string, unknown>[] = [
      {},
      { publicKeyFormat: "Multikey" },
      { publicKeyFormat: "JsonWebKey", accept: "application/did" },
      { accept: "application/did+json" },
      { versionId: String(chain.history.beforeLastChange) },
      { versionTime: chain.history.firstChangeTime, publicKeyFormat: "Multikey" },
      { noCache: "true" },
      { expandRelativeUrls: true },
      { nope: 1 },
      { publicKeyFormat: "Ed25519VerificationKey2020" },
      { versionId: "x" },
      { accept: "text/html" },
    ];
    for (const options of cases) {
      const direct = await resolveDid(client(), rich, options as never);
      const viaPlugin = await plugin.resolve(rich, options as never);
      expect(direct, JSON.stringify(options)).to.deep.equal(viaPlugin);
    }
    const many = await resolveDids(client(), [rich, chain.cases.rotated.did], { publicKeyFormat: "Multikey" } as never);
    for (const [i, did] of [rich, chain.cases.rotated.did].entries())
      expect(many[i], did).to.deep.equal(await plugin.resolve(did, { publicKeyFormat: "Multikey" } as never));
  });
});

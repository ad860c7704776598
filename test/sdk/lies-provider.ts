// The lying harness as an EIP-1193 provider (test/support/lies.ts's lyingProvider) around Hardhat's
// in-process network: the same lies as the proxy, for tests that want no node process.
import { expect } from "chai";
import { createSigilResolver, type SigilNetwork } from "sigil-did";
import { setup } from "./fixture.ts";
import { LIES, lyingProvider, tamperFor } from "../support/lies.ts";

describe("sdk resolver through a lying EIP-1193 provider (in-process chain)", () => {
  it("tells the proxy's lies: a forged owner and an injected delegate are refused, a paused liar is believed, a stale state gets through", async () => {
    const env = await setup();
    const identity = env.addresses[1];
    await env.send(1, { type: "changeOwner", identity, newOwner: env.addresses[2] });
    const did = `did:sigil:local:${identity.toLowerCase()}`;
    const context = {
      upstream: (method: string, params: unknown[]) => env.provider.request({ method, params } as never) as Promise<unknown>,
      registry: env.registry,
      identity,
      thief: env.addresses[7],
    };
    const resolverThrough = (lie: string) => {
      const tamper = tamperFor(
        LIES.find((l) => l.name === lie)!,
        context,
      );
      const network: SigilNetwork = {
        chainId: env.chainId,
        name: "local",
        registry: env.registry,
        provider: lyingProvider(env.provider, tamper) as never,
      };
      return { tamper, resolver: createSigilResolver({ networks: [network], cache: false }) };
    };
    const honest = await createSigilResolver({
      networks: [{ chainId: env.chainId, name: "local", registry: env.registry, provider: env.provider }],
      cache: false,
    }).resolve(did);

    const forged = resolverThrough("state-owner");
    const refused = await forged.resolver.resolve(did);
    expect(forged.tamper.told).to.be.greaterThan(0);
    expect(refused.didResolutionMetadata.error).to.equal("internalError");
    expect(refused.didResolutionMetadata.message).to.include(`its state names ${env.addresses[7].toLowerCase()} as the controller`);
    forged.tamper.paused = true;
    expect((await forged.resolver.resolve(did)).didDocument).to.deep.equal(honest.didDocument);

    const injected = resolverThrough("inject-delegate");
    const caught = await injected.resolver.resolve(did);
    expect(injected.tamper.told).to.be.greaterThan(0);
    expect(caught.didResolutionMetadata.message).to.include("event-chain head");

    // A consistent story as of an older block is what only verified resolution catches.
    const stale = resolverThrough("stale-state");
    const wrong = await stale.resolver.resolve(did);
    expect(wrong.didResolutionMetadata.error).to.equal(undefined);
    expect(wrong.didDocument).to.not.deep.equal(honest.didDocument);
    expect((wrong.didDocumentMetadata as { sigil: { owner: string } }).sigil.owner, "the key it handed control away from").to.equal(
      identity.toLowerCase(),
    );
  });
});

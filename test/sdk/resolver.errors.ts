// Every error a resolution can end in: the DID Resolution error code and a message that says
// what was wrong. resolve() never throws.
import { expect } from "chai";
import { Resolver } from "did-resolver";
import { createSigilResolver, getResolver, type SigilResolver } from "sigil-did";
import { setup } from "./fixture.ts";

describe("sdk resolver: error results", () => {
  let resolver: SigilResolver;
  let env: Awaited<ReturnType<typeof setup>>;
  let did: string;
  before(async () => {
    env = await setup();
    resolver = createSigilResolver({ networks: [{ chainId: env.chainId, name: "dev", registry: env.registry, provider: env.counting }] });
    did = `did:sigil:dev:${env.addresses[1]}`;
  });

  async function expectError(input: string, code: string, fragment: string, options = {}) {
    const result = await resolver.resolve(input, options);
    expect(result.didDocument).to.equal(null);
    expect(result.didDocumentMetadata).to.deep.equal({});
    expect(result.didResolutionMetadata.error).to.equal(code);
    expect(result.didResolutionMetadata.message).to.include(fragment);
  }

  it("invalidDid for malformed DIDs, saying what is wrong", async () => {
    await expectError("did:sigil:dev:0x1234", "invalidDid", "address has 4 hex digits, expected 40");
    await expectError("not a did", "invalidDid", "a DID starts with 'did:'");
  });

  it("methodNotSupported for another method", async () => {
    await expectError(`did:ethr:${env.addresses[1]}`, "methodNotSupported", "'ethr'".replaceAll("'", '"'));
  });

  it("notFound for a network that is not configured, listing those that are", async () => {
    await expectError(`did:sigil:mainnet:${env.addresses[1]}`, "notFound", 'no network "mainnet" is configured: configured networks: dev');
    await expectError(`did:sigil:0x1:${env.addresses[1]}`, "notFound", 'no network "0x1"');
  });

  it("invalidOptions for a bad versionId or versionTime, or both at once", async () => {
    await expectError(`${did}?versionId=abc`, "invalidOptions", "expected a block number in decimal");
    await expectError(`${did}?versionId=-1`, "invalidOptions", 'invalid versionId "-1"');
    await expectError(`${did}?versionTime=yesterday`, "invalidOptions", "expected an ISO 8601 date-time with a zone");
    await expectError(`${did}?versionTime=2026-02-30T00:00:00`, "invalidOptions", "ISO 8601");
    await expectError(`${did}?versionId=1&versionTime=2026-01-01T00:00:00Z`, "invalidOptions", "either versionId or versionTime");
    await expectError(`${did}?versionId=999999`, "invalidOptions", "no later than the chain head");
  });

  it("representationNotSupported for an unknown accept type", async () => {
    await expectError(did, "representationNotSupported", "ask for one of application/did+ld+json", { accept: "text/html" });
    const bare = await resolver.resolve(did, { accept: "application/did+json" });
    expect(bare.didDocument).to.not.have.property("@context");
    expect(bare.didResolutionMetadata.contentType).to.equal("application/did+json");
  });

  it("resolveMany reports per-DID errors and refuses versions", async () => {
    const results = await resolver.resolveMany([did, "did:sigil:dev:0x12", `${did}?versionId=1`, `did:sigil:nope:${env.addresses[1]}`]);
    expect(results.map((r) => r.didResolutionMetadata.error)).to.deep.equal([undefined, "invalidDid", "invalidOptions", "notFound"]);
  });

  it("internalError when the provider fails, and resolve still does not throw", async () => {
    const failing = createSigilResolver({
      networks: [
        { chainId: env.chainId, registry: env.registry, provider: { request: async () => Promise.reject(new Error("boom")) } as never },
      ],
    });
    const result = await failing.resolve(`did:sigil:${env.addresses[1]}`);
    expect(result.didResolutionMetadata.error).to.equal("internalError");
    expect(result.didResolutionMetadata.message).to.include("boom");
  });

  it("through did-resolver's Resolver, errors pass unchanged", async () => {
    const r = new Resolver(getResolver({ networks: [{ chainId: env.chainId, registry: env.registry, provider: env.counting }] }));
    const result = await r.resolve("did:sigil:0xabc");
    expect(result.didResolutionMetadata.error).to.equal("invalidDid");
  });
});

describe("resolveDid refuses DID parameters it does not read", () => {
  it("a service or unknown parameter in resolve() is featureNotSupported, naming it (dereference() takes service)", async () => {
    const { createSigilClient, resolveDid } = await import("sigil-did");
    const client = createSigilClient({
      networks: [{ chainId: 31337, name: "dev", registry: "0x0000000000000000000000000000000000000001", rpcUrls: ["http://127.0.0.1:9"] }],
    });
    for (const [param, name] of [
      ["service=files", "service"],
      ["foo=1", "foo"],
    ] as const) {
      const r = await resolveDid(client, `did:sigil:dev:0x${"11".repeat(20)}?${param}`);
      expect(r.didResolutionMetadata.error, param).to.equal("featureNotSupported");
      expect(r.didResolutionMetadata.message).to.include(`the DID parameter "${name}" in resolve`);
    }
  });
});

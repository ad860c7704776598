// P-256 keys as proper verification methods (MLS cipher suite 2), what a stock did:ethr reader
// sees of them, MLS members validated whatever key format the resolver returns, typed refusals
// of bad keys, and the packaging promise: the main entry of sigil-did never loads ts-mls.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { dirname, join, resolve as resolvePath } from "node:path";
import { p256 } from "@noble/curves/nist.js";
import { base58, base64urlnopad } from "@scure/base";
import { Resolver } from "did-resolver";
import { getResolver as getEthrResolver } from "ethr-did-resolver";
import { createApplicationMessage, createCommit } from "ts-mls";
import { bytesToHex } from "viem";
import { createSigilResolver, generateKeyPair, InvalidInputError, publicKeyAttribute } from "sigil-did";
import { checkCredential, createGroupGuard, createSigilAuthService, didCredential, judgeMember, StaleMemberError } from "sigil-did/mls";
import { setup } from "./fixture.ts";
import { DAY, formGroup, keyPackage, P256_SUITE, publishMember, receive, suite } from "./mls-helpers.ts";

describe("sdk mls keys: P-256 verification methods and MLS suite 2 members", () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let resolver: ReturnType<typeof createSigilResolver>;
  beforeEach(async () => {
    env = await setup();
    resolver = createSigilResolver({
      networks: [{ chainId: env.chainId, name: "local", registry: env.registry, provider: env.provider }],
      cache: false,
    });
  });

  it("publishes a P-256 key: type P256 (as stock ethr-did-resolver shows it), Multikey p256-pub, JsonWebKey crv P-256", async () => {
    const key = generateKeyPair("P256");
    expect(key.publicKey).to.have.length(33);
    const attribute = publicKeyAttribute("P256", "sigAuth", key.publicKey);
    expect(new TextDecoder().decode(Buffer.from(attribute.name.slice(2), "hex")).replace(/\0+$/, "")).to.equal("did/pub/P256/sigAuth/hex");
    const owner = env.addresses[1];
    await env.send(1, { type: "setAttribute", identity: owner, ...attribute, validity: DAY });
    const did = `did:sigil:local:${owner.toLowerCase()}`;
    const plain = (await resolver.resolve(did)).didDocument!;
    const legacy = plain.verificationMethod!.find((m) => m.id === `${did}#delegate-1`)!;
    expect(legacy).to.deep.include({ type: "P256", publicKeyHex: bytesToHex(key.publicKey).slice(2) });
    expect(plain.authentication).to.include(legacy.id);
    // Stock ethr-did-resolver, on the same registry: no legacy name for P-256, so the algorithm is the type.
    const ethr = new Resolver(
      getEthrResolver({
        networks: [{ name: "local", chainId: env.chainId, registry: env.registry, provider: env.ethers.provider as never }],
      }),
    );
    const theirs = (await ethr.resolve(`did:ethr:local:${owner}`)).didDocument!;
    expect(theirs.verificationMethod!.find((m) => m.id.endsWith("#delegate-1"))).to.deep.include({
      type: "P256",
      publicKeyHex: legacy.publicKeyHex,
    });
    const multikey = (await resolver.resolve(did, { publicKeyFormat: "Multikey" } as never)).didDocument!.verificationMethod!.find(
      (m) => m.id === legacy.id,
    )!;
    expect(multikey.type).to.equal("Multikey");
    expect(multikey.publicKeyMultibase).to.match(/^zDn/); // did:key's P-256 prefix
    expect(base58.decode(multikey.publicKeyMultibase!.slice(1))).to.deep.equal(Uint8Array.of(0x80, 0x24, ...key.publicKey));
    const jwk = (await resolver.resolve(did, { publicKeyFormat: "JsonWebKey" } as never)).didDocument!.verificationMethod!.find(
      (m) => m.id === legacy.id,
    )!;
    const point = p256.Point.fromBytes(key.publicKey).toBytes(false);
    expect(jwk).to.deep.include({ type: "JsonWebKey" });
    expect(jwk.publicKeyJwk).to.deep.equal({
      kty: "EC",
      crv: "P-256",
      alg: "ES256",
      x: base64urlnopad.encode(point.slice(1, 33)),
      y: base64urlnopad.encode(point.slice(33)),
    });
    // An MLS leaf key is matched in every one of these forms, compressed or not.
    for (const format of [undefined, "Multikey", "JsonWebKey"]) {
      const result = await resolver.resolve(did, format ? ({ publicKeyFormat: format } as never) : undefined);
      expect(judgeMember(did, key.publicKey, result), String(format)).to.deep.include({ ok: true, keyId: legacy.id });
      expect(judgeMember(did, point, result).ok, String(format)).to.equal(true);
      expect(judgeMember(did, generateKeyPair("P256").publicKey, result)).to.deep.include({ ok: false, reason: "keyNotAuthenticated" });
    }
  });

  it("refuses a P-256 key of the wrong length, off the curve, for key agreement, and an unknown key type, each with a typed error", () => {
    const refusal = (work: () => unknown) => {
      try {
        work();
      } catch (e) {
        expect(e).to.be.instanceOf(InvalidInputError);
        return (e as InvalidInputError).message;
      }
      return expect.fail("expected a refusal");
    };
    expect(refusal(() => publicKeyAttribute("P256", "sigAuth", new Uint8Array(32)))).to.include("expected 33 bytes");
    let offCurve = new Uint8Array(33);
    for (let x = 1; ; x++) {
      offCurve = Uint8Array.of(2, ...new Uint8Array(31), x);
      try {
        p256.Point.fromBytes(offCurve);
      } catch {
        break;
      }
    }
    expect(refusal(() => publicKeyAttribute("P256", "sigAuth", offCurve)))
      .to.include("P256 public key")
      .and.include("on the curve");
    expect(refusal(() => publicKeyAttribute("P256", "enc", generateKeyPair("P256").publicKey))).to.include("a P256 key signs");
    // Was "expected undefined bytes" for any type the SDK did not know.
    expect(refusal(() => publicKeyAttribute("P384" as never, "sigAuth", new Uint8Array(49)))).to.match(
      /invalid key type .*P384.*Secp256k1, Ed25519, X25519, P256/,
    );
  });

  it("validates P-256 members of a suite 2 group by their DIDs, refuses a forged one at add and a voided key's messages", async () => {
    const cs = await suite(P256_SUITE);
    const [A, B, C] = await Promise.all([1, 2, 3].map((i) => publishMember(env, i, "P256", cs, resolver)));
    await formGroup(A, [B, C], cs, resolver);
    expect(B.state.groupContext.cipherSuite).to.equal("MLS_128_DHKEMP256_AES128GCM_SHA256_P256");
    const hello = await createApplicationMessage(C.state, new TextEncoder().encode("p-256 hello"), cs);
    const got = await receive(A, { wireformat: "mls_private_message", version: "mls10", privateMessage: hello.privateMessage }, cs);
    expect("kind" in got && got.kind).to.equal("applicationMessage");
    const thief = generateKeyPair("P256");
    const forged = await keyPackage(C.did, thief, cs);
    expect(await checkCredential(resolver, didCredential(C.did), thief.publicKey)).to.deep.include({ reason: "keyNotAuthenticated" });
    const add = { proposalType: "add" as const, add: { keyPackage: forged.publicPackage } };
    const error = await createCommit({ state: A.state, cipherSuite: cs }, { extraProposals: [add] }).then(
      () => expect.fail("the forged key package was added"),
      (e: unknown) => e as Error,
    );
    expect(error.message).to.match(/credential/i);
    await env.send(C.index, { type: "revokeAttribute", identity: C.address, ...publicKeyAttribute("P256", "sigAuth", C.key.publicKey) });
    expect((await B.guard.check(B.state)).stale.map((s) => s.did)).to.deep.equal([C.did]);
    const after = await createApplicationMessage(C.state, new TextEncoder().encode("still me"), cs);
    const refused = await receive(
      B,
      { wireformat: "mls_private_message", version: "mls10", privateMessage: after.privateMessage },
      cs,
    ).then(
      () => expect.fail("accepted"),
      (e: unknown) => e,
    );
    expect(refused).to.be.instanceOf(StaleMemberError);
  });

  it("refuses a leaf key the DID lists only for assertion, a resolver answering for another DID, and a missing resolver", async () => {
    const [alice, bob] = [env.addresses[1], env.addresses[2]];
    const [aliceDid, bobDid] = [alice, bob].map((a) => `did:sigil:local:${a.toLowerCase()}`);
    const signing = generateKeyPair("Ed25519");
    await env.send(1, {
      type: "setAttribute",
      identity: alice,
      ...publicKeyAttribute("Ed25519", "veriKey", signing.publicKey),
      validity: DAY,
    });
    const aliceResult = await resolver.resolve(aliceDid);
    expect(aliceResult.didDocument!.assertionMethod).to.include(`${aliceDid}#delegate-1`);
    // Published to sign statements, not to prove who Alice is: not a leaf key.
    expect(judgeMember(aliceDid, signing.publicKey, aliceResult)).to.deep.include({ ok: false, reason: "keyNotAuthenticated" });
    const bobKey = generateKeyPair("Ed25519");
    await env.send(2, {
      type: "setAttribute",
      identity: bob,
      ...publicKeyAttribute("Ed25519", "sigAuth", bobKey.publicKey),
      validity: DAY,
    });
    // A lying resolver hands Bob's document (with Bob's key) for Alice's DID.
    const lying = { resolve: async (did: string) => (did === aliceDid ? resolver.resolve(bobDid) : resolver.resolve(did)) };
    expect(await checkCredential(lying, didCredential(aliceDid), bobKey.publicKey)).to.deep.include({ ok: false, reason: "unresolvable" });
    expect(await checkCredential(resolver, didCredential(bobDid), bobKey.publicKey)).to.deep.include({ ok: true, did: bobDid });
    for (const make of [() => createSigilAuthService(null as never), () => createGroupGuard({} as never)])
      expect(make)
        .to.throw(InvalidInputError, /resolver/)
        .with.property("code", "invalidInput");
  });

  it("keeps ts-mls out of the main entry: nothing sigil-did's index loads imports it, sigil-did/mls does", () => {
    const dist = join(import.meta.dirname, "..", "..", "sdk", "core", "dist");
    const external = (entry: string) => {
      const seen = new Set<string>();
      const packages = new Set<string>();
      const visit = (file: string) => {
        if (seen.has(file)) return;
        seen.add(file);
        const text = readFileSync(file, "utf8");
        // Static imports, re-exports and dynamic imports alike.
        for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
          if (spec.startsWith(".")) visit(resolvePath(dirname(file), spec));
          else packages.add(spec.split("/")[0].startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);
        }
      };
      visit(join(dist, entry));
      return packages;
    };
    const main = external("index.js");
    expect(main.size).to.be.greaterThan(3);
    expect([...main]).to.not.include("ts-mls");
    expect([...external("mls.js")]).to.include("ts-mls");
  });
});

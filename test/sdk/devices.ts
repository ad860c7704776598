// Multi-device (#24): one DID, several devices, each with its own Ed25519 signing key and X25519
// key-agreement key, named by a SigilDevice label. Attacker first: a device a thief adds shows in
// the safety number and by name; a removed device's keys are refused at once for encryption,
// decryption and signatures; labels that lie (no keys, a name or a key claimed twice) are never
// trusted. Then the stock ethr-did-resolver still sees the same valid keys, and old safety
// numbers of DIDs without devices did not move.
import { expect } from "chai";
import jsonld from "jsonld";
import { Resolver } from "did-resolver";
import { getResolver as getEthrResolver } from "ethr-did-resolver";
import { bytesToHex, type Address, type Hex } from "viem";
import {
  addDeviceOperations,
  contextLoader,
  createContacts,
  createSigilResolver,
  decryptMessage,
  describeChange,
  deviceAttributes,
  deviceRemoval,
  devicesOf,
  diffResolutions,
  encryptMessage,
  generateDevice,
  generateKeyPair,
  InvalidInputError,
  keyAgreementKeys,
  MessageError,
  publicKeyAttribute,
  removeDeviceOperation,
  safetyNumber,
  signMessage,
  UnverifiedChangeError,
  verifyMessage,
  watchDids,
  type DidChange,
  type NewDevice,
} from "sigil-did";
import { setup } from "./fixture.ts";

const YEAR = 31_536_000n;

describe("sdk devices: several devices per DID, named in the safety number and in change reports", () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let resolver: ReturnType<typeof createSigilResolver>;
  let alice: Address, bob: Address;
  const did = (a: Address) => `did:sigil:local:${a.toLowerCase()}`;
  const resolve = (a: Address) => resolver.resolve(did(a));
  const addDevice = async (i: number, identity: Address, device: NewDevice) => {
    for (const op of addDeviceOperations(
      identity,
      { name: device.name, signingPublicKey: device.signing.publicKey, keyAgreementPublicKey: device.keyAgreement.publicKey },
      YEAR,
    ))
      await env.send(i, op);
  };
  const names = async (a: Address) => devicesOf(await resolve(a)).devices.map((d) => d.name);
  const hex = (k: Uint8Array) => bytesToHex(k).slice(2);
  const edSecret = (d: NewDevice) => bytesToHex(d.signing.secretKey) as Hex;

  beforeEach(async () => {
    env = await setup();
    resolver = createSigilResolver({
      networks: [{ chainId: env.chainId, name: "local", registry: env.registry, provider: env.provider }],
      cache: false,
    });
    [alice, bob] = env.addresses.slice(1, 3);
  });

  describe("the attacker", () => {
    it("a device added by a thief holding the controller key changes the safety number, and the change report names it", async () => {
      const phone = generateDevice("phone");
      await addDevice(1, alice, phone);
      await addDevice(2, bob, generateDevice("bob-phone"));
      const [a0, b] = [await resolve(alice), await resolve(bob)];
      const before = safetyNumber(a0, b);
      await addDevice(1, alice, generateDevice("thief laptop"));
      const a1 = await resolve(alice);
      expect(safetyNumber(a1, b)).to.not.equal(before);
      const deviceItems = diffResolutions(a0, a1).filter((c) => c.kind.startsWith("device"));
      expect(deviceItems).to.have.length(1);
      expect(deviceItems[0]).to.include({ kind: "deviceAdded", device: "thief laptop" });
      expect(describeChange(deviceItems[0])).to.match(/^NEW DEVICE "thief laptop"/);
      expect(await names(alice)).to.deep.equal(["phone", "thief laptop"]);
    });

    it("re-keying a device (same name, the thief's keys) changes the safety number and is reported as deviceRekeyed by name", async () => {
      const phone = generateDevice("phone");
      await addDevice(1, alice, phone);
      const [a0, b] = [await resolve(alice), await resolve(bob)];
      const [old] = devicesOf(a0).devices;
      await env.send(1, removeDeviceOperation(alice, old));
      const swapped = generateDevice("phone");
      await addDevice(1, alice, swapped);
      const a1 = await resolve(alice);
      expect(safetyNumber(a1, b)).to.not.equal(safetyNumber(a0, b));
      const items = diffResolutions(a0, a1).filter((c) => c.kind.startsWith("device"));
      expect(items).to.deep.equal([
        {
          kind: "deviceRekeyed",
          device: "phone",
          from: [hex(phone.signing.publicKey), hex(phone.keyAgreement.publicKey)],
          to: [hex(swapped.signing.publicKey), hex(swapped.keyAgreement.publicKey)],
        },
      ]);
    });

    it("a removed device's keys are refused at once: nothing is encrypted to it, it cannot decrypt, and what it signs or sends after no longer verifies", async () => {
      const phone = generateDevice("phone");
      const laptop = generateDevice("laptop");
      await addDevice(1, alice, phone);
      await addDevice(1, alice, laptop);
      const bobPhone = generateDevice("bob-phone");
      await addDevice(2, bob, bobPhone);
      const phoneSigned = await signMessage({ did: did(alice), secretKey: edSecret(phone), type: "Ed25519" }, { text: "from my phone" });
      expect((await verifyMessage(phoneSigned, resolver)).ok, "valid while the phone is a device").to.equal(true);
      const phoneKeyId = devicesOf(await resolve(alice)).devices.find((d) => d.name === "phone")!.keyAgreementKey.id;
      const early = await encryptMessage(did(alice), { text: "sent before the removal" }, resolver);
      // Sent from the phone while it was a device, received after its removal: judged at receipt.
      const fromPhone = await encryptMessage(did(bob), { text: "from Alice's phone" }, resolver, {
        from: { did: did(alice), keyId: phoneKeyId, secretKey: phone.keyAgreement.secretKey },
      });
      const bobKey = { did: did(bob), secretKey: bobPhone.keyAgreement.secretKey };
      expect((await decryptMessage(fromPhone, bobKey, resolver)).from).to.equal(did(alice));
      expect(early.recipients).to.have.length(2);

      const before = await resolve(alice);
      const receipt = await env.send(
        1,
        removeDeviceOperation(
          alice,
          devicesOf(before).devices.find((d) => d.name === "phone")!,
        ),
      );
      expect(receipt.events.filter((e) => e.kind === "attribute" && e.validTo === 0n)).to.have.length(3);
      const after = await resolve(alice);
      expect(devicesOf(after).devices.map((d) => d.name)).to.deep.equal(["laptop"]);
      expect(diffResolutions(before, after).filter((c) => c.kind.startsWith("device"))).to.deep.include({
        kind: "deviceRemoved",
        device: "phone",
        keys: [hex(phone.signing.publicKey), hex(phone.keyAgreement.publicKey)],
      });

      // Encryption: only the laptop's key from now on.
      expect(keyAgreementKeys(after).map((k) => hex(k.publicKey))).to.deep.equal([hex(laptop.keyAgreement.publicKey)]);
      const jwe = await encryptMessage(did(alice), { text: "after the removal" }, resolver);
      expect(jwe.recipients!.map((r) => r.header?.kid)).to.not.include(phoneKeyId);
      for (const message of [jwe, early]) {
        const e = await decryptMessage(message, { did: did(alice), secretKey: phone.keyAgreement.secretKey }, resolver).catch(
          (x: unknown) => x,
        );
        expect(e).to.be.instanceOf(MessageError);
        expect((e as MessageError).refusal).to.equal("notForYou");
      }
      expect((await decryptMessage(jwe, { did: did(alice), secretKey: laptop.keyAgreement.secretKey }, resolver)).payload).to.deep.include({
        text: "after the removal",
      });
      // Signatures: the phone's key is no longer Alice's, whatever date the message claims.
      const late = await signMessage({ did: did(alice), secretKey: edSecret(phone), type: "Ed25519" }, { text: "stolen phone" });
      expect(await verifyMessage(late, resolver)).to.include({ ok: false, code: "unauthorisedKey" });
      expect(await verifyMessage(phoneSigned, resolver)).to.include({ ok: false, code: "unauthorisedKey" });
      const stale = await decryptMessage(fromPhone, bobKey, resolver).catch((x: unknown) => x);
      expect(stale).to.be.instanceOf(MessageError);
      expect((stale as MessageError).refusal).to.equal("unauthorisedSender");
      // Sending as Alice from the phone's key-agreement key: refused, Alice no longer lists it.
      const forged = await encryptMessage(did(bob), { text: "authcrypt from the removed phone" }, resolver, {
        from: { did: did(alice), keyId: phoneKeyId, secretKey: phone.keyAgreement.secretKey },
      }).catch((x: unknown) => x);
      expect(forged).to.be.instanceOf(MessageError);
      expect((forged as MessageError).refusal).to.equal("wrongSenderKey");
    });

    it("a label naming keys the document does not list is ignored (keysMissing), and adds nothing to the safety number", async () => {
      const ghost = generateDevice("ghost");
      const label = deviceAttributes("ghost", ghost.signing.publicKey, ghost.keyAgreement.publicKey)[2];
      const b = await resolve(bob);
      const before = safetyNumber(await resolve(alice), b);
      await env.send(1, { type: "setAttribute", identity: alice, ...label, validity: YEAR });
      const set = devicesOf(await resolve(alice));
      expect(set.devices).to.deep.equal([]);
      expect(set.ignored).to.have.length(1);
      expect(set.ignored[0]).to.include({ name: "ghost", problem: "keysMissing" });
      expect(set.ignored[0].detail).to.match(/no Ed25519 authentication key .* and no X25519 key-agreement key/);
      expect(safetyNumber(await resolve(alice), b)).to.equal(before);
    });

    it("a second label claiming a device's key makes both untrusted (keyClaimedTwice): the device drops out of the number and the report says so", async () => {
      const phone = generateDevice("phone");
      await addDevice(1, alice, phone);
      const b = await resolve(bob);
      const a0 = await resolve(alice);
      // The thief labels his own key-agreement key together with the phone's signing key.
      const thiefX = generateKeyPair("X25519");
      await env.send(1, {
        type: "setAttribute",
        identity: alice,
        ...publicKeyAttribute("X25519", "enc", thiefX.publicKey),
        validity: YEAR,
      });
      const label = deviceAttributes("phone2", phone.signing.publicKey, thiefX.publicKey)[2];
      await env.send(1, { type: "setAttribute", identity: alice, ...label, validity: YEAR });
      const a1 = await resolve(alice);
      const set = devicesOf(a1);
      expect(set.devices).to.deep.equal([]);
      expect(set.ignored.map((i) => [i.name, i.problem]).sort()).to.deep.equal([
        ["phone", "keyClaimedTwice"],
        ["phone2", "keyClaimedTwice"],
      ]);
      expect(safetyNumber(a1, b)).to.not.equal(safetyNumber(a0, b));
      expect(diffResolutions(a0, a1).filter((c) => c.kind.startsWith("device"))).to.deep.equal([
        { kind: "deviceRemoved", device: "phone", keys: [hex(phone.signing.publicKey), hex(phone.keyAgreement.publicKey)] },
      ]);
    });

    it("a contact confirmed with a device is blocked from encryption when a thief's label makes that device untrusted, though no key changed", async () => {
      const phone = generateDevice("phone");
      await addDevice(1, alice, phone);
      const contacts = createContacts(resolver);
      await contacts.confirm(did(alice));
      expect((await contacts.encryptTo(did(alice), { text: "ok" })).recipients).to.have.length(1);
      const label = deviceAttributes("phone too", phone.signing.publicKey, phone.keyAgreement.publicKey)[2];
      await env.send(1, { type: "setAttribute", identity: alice, ...label, validity: YEAR });
      const refused = await contacts.encryptTo(did(alice), { text: "not now" }).catch((x: unknown) => x);
      expect(refused).to.be.instanceOf(UnverifiedChangeError);
      expect((refused as UnverifiedChangeError).changes).to.deep.equal([
        { kind: "deviceRemoved", device: "phone", keys: [hex(phone.signing.publicKey), hex(phone.keyAgreement.publicKey)] },
      ]);
    });

    it("renaming a device (same keys, another label) changes the safety number and is reported as deviceRenamed, not as a removal and an addition", async () => {
      const phone = generateDevice("phone");
      await addDevice(1, alice, phone);
      const [a0, b] = [await resolve(alice), await resolve(bob)];
      const old = deviceAttributes("phone", phone.signing.publicKey, phone.keyAgreement.publicKey)[2];
      const renamed = deviceAttributes("work phone", phone.signing.publicKey, phone.keyAgreement.publicKey)[2];
      await env.send(1, { type: "revokeAttribute", identity: alice, ...old });
      await env.send(1, { type: "setAttribute", identity: alice, ...renamed, validity: YEAR });
      const a1 = await resolve(alice);
      expect(safetyNumber(a1, b)).to.not.equal(safetyNumber(a0, b));
      const items = diffResolutions(a0, a1);
      expect(
        items.filter((c) => c.kind.startsWith("key")),
        "no key changed",
      ).to.deep.equal([]);
      expect(items.filter((c) => c.kind.startsWith("device"))).to.deep.equal([
        {
          kind: "deviceRenamed",
          device: "work phone",
          from: "phone",
          keys: [hex(phone.signing.publicKey), hex(phone.keyAgreement.publicKey)],
        },
      ]);
    });

    it("two labels with one name (case-insensitively) are both untrusted (nameClaimedTwice): no device can hide behind another's name", async () => {
      await addDevice(1, alice, generateDevice("phone"));
      await addDevice(1, alice, generateDevice("Phone"));
      const set = devicesOf(await resolve(alice));
      expect(set.devices).to.deep.equal([]);
      expect(set.ignored.map((i) => i.problem)).to.deep.equal(["nameClaimedTwice", "nameClaimedTwice"]);
    });

    it("a malformed label is ignored with why (malformed), and names outside the allowed ASCII set are refused with an InvalidInputError before anything is sent", async () => {
      const bad = { type: "setAttribute" as const, identity: alice, validity: YEAR };
      const svc = deviceAttributes("x", generateDevice("x").signing.publicKey, generateKeyPair("X25519").publicKey)[2];
      const text = (s: string) => bytesToHex(new TextEncoder().encode(s));
      await env.send(1, {
        ...bad,
        name: svc.name,
        value: text(JSON.stringify({ name: "phοne", keys: ["00".repeat(32), "11".repeat(32)] })),
      });
      await env.send(1, { ...bad, name: svc.name, value: text(JSON.stringify({ name: "tablet", keys: ["00".repeat(32)] })) });
      const set = devicesOf(await resolve(alice));
      expect(set.devices).to.deep.equal([]);
      expect(set.ignored.map((i) => i.problem)).to.deep.equal(["malformed", "malformed"]);
      expect(set.ignored.map((i) => i.detail).join("\n"))
        .to.match(/not a device name/)
        .and.match(/not two 32-byte public keys/);
      for (const name of ["phοne", "", " lead", "x".repeat(33), "tab\nlet"]) {
        expect(() => generateDevice(name), JSON.stringify(name)).to.throw(InvalidInputError, /device name/);
      }
    });
  });

  it("devicesOf lists each device's ids and keys in name order, and stays so in every publicKeyFormat", async () => {
    const laptop = generateDevice("laptop");
    const phone = generateDevice("phone");
    await addDevice(1, alice, phone);
    await addDevice(1, alice, laptop);
    for (const options of [{}, { publicKeyFormat: "JsonWebKey" }, { publicKeyFormat: "Multikey" }]) {
      const result = await resolver.resolve(did(alice), options as never);
      const { devices, ignored } = devicesOf(result);
      expect(ignored, JSON.stringify(options)).to.deep.equal([]);
      expect(devices.map((d) => [d.name, d.signingKey.publicKeyHex, d.keyAgreementKey.publicKeyHex])).to.deep.equal([
        ["laptop", hex(laptop.signing.publicKey), hex(laptop.keyAgreement.publicKey)],
        ["phone", hex(phone.signing.publicKey), hex(phone.keyAgreement.publicKey)],
      ]);
      expect(devices[0].signingKey.id).to.match(/#delegate-\d+$/);
      expect(result.didDocument!.authentication).to.include(devices[0].signingKey.id);
      expect(result.didDocument!.keyAgreement).to.include(devices[0].keyAgreementKey.id);
    }
  });

  it("the stock ethr-did-resolver sees the same valid keys (the device label is a plain service to it)", async () => {
    await addDevice(1, alice, generateDevice("phone"));
    const ethr = new Resolver(
      getEthrResolver({
        networks: [{ name: "dev", chainId: env.chainId, registry: env.registry, provider: env.ethers.provider as never }],
      }),
    );
    const theirs = (await ethr.resolve(`did:ethr:dev:${alice}`)).didDocument!;
    const ours = (await resolve(alice)).didDocument!;
    const strip = (doc: typeof ours) =>
      JSON.parse(JSON.stringify(doc).replaceAll(/did:(ethr|sigil):(dev|local):0x[0-9a-fA-F]{40}/g, "DID"));
    const [t, o] = [strip(theirs), strip(ours)];
    expect(o.verificationMethod).to.deep.equal(t.verificationMethod);
    expect(o.authentication).to.deep.equal(t.authentication);
    expect(o.keyAgreement).to.deep.equal(t.keyAgreement);
    expect(o.service).to.deep.equal(t.service);
    expect(o.service[0].type).to.equal("SigilDevice");
  });

  it("safety numbers of DIDs without devices are those of before devices existed (version 1, pinned)", () => {
    // Computed by the safety number code of commit e28676d, before devices existed.
    const doc = (addr: string, x: string) => ({
      didResolutionMetadata: {},
      didDocumentMetadata: {},
      didDocument: {
        id: `did:sigil:0x7a69:${addr}`,
        verificationMethod: [
          {
            id: `did:sigil:0x7a69:${addr}#controller`,
            type: "EcdsaSecp256k1RecoveryMethod2020",
            controller: `did:sigil:0x7a69:${addr}`,
            blockchainAccountId: `eip155:31337:${addr}`,
          },
          {
            id: `did:sigil:0x7a69:${addr}#delegate-1`,
            type: "X25519KeyAgreementKey2019",
            controller: `did:sigil:0x7a69:${addr}`,
            publicKeyHex: x,
          },
        ],
        authentication: [`did:sigil:0x7a69:${addr}#controller`],
        keyAgreement: [`did:sigil:0x7a69:${addr}#delegate-1`],
      },
    });
    const a = doc("0x1111111111111111111111111111111111111111", "11".repeat(32));
    const b = doc("0x2222222222222222222222222222222222222222", "22".repeat(32));
    expect(safetyNumber(a, b)).to.equal("63597 47976 26263 71052 99891 27803 23677 75964 81476 06773 32307 80999");
  });
});

describe("sdk devices: the document stays valid, and watchers name devices", () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let resolver: ReturnType<typeof createSigilResolver>;
  let alice: Address;
  const did = (a: Address) => `did:sigil:local:${a.toLowerCase()}`;
  const add = async (identity: Address, device: NewDevice) => {
    const keys = { name: device.name, signingPublicKey: device.signing.publicKey, keyAgreementPublicKey: device.keyAgreement.publicKey };
    for (const op of addDeviceOperations(identity, keys, YEAR)) await env.send(1, op);
  };

  beforeEach(async () => {
    env = await setup();
    resolver = createSigilResolver({
      networks: [{ chainId: env.chainId, name: "local", registry: env.registry, provider: env.provider }],
      cache: false,
    });
    alice = env.addresses[1];
  });

  it("a document with devices expands in JSON-LD safe mode with the bundled contexts alone (the label's map through the Sigil context)", async () => {
    await add(alice, generateDevice("phone"));
    const doc = (await resolver.resolve(did(alice))).didDocument!;
    expect(doc["@context"]).to.include("https://w3id.org/sigil/v1");
    const expanded = (await jsonld.expand(
      doc as jsonld.JsonLdDocument,
      { documentLoader: contextLoader as never, safe: true } as jsonld.Options.Expand,
    )) as Record<string, unknown>[];
    const text = JSON.stringify(expanded);
    expect(text).to.include("SigilDevice").and.include('"@value":"phone"');
  });

  it("watchDids reports a device added and a device removed by name, with the key items they explain", async () => {
    const seen: DidChange[] = [];
    const watcher = watchDids(resolver, [did(alice)], (c) => seen.push(c), { intervalMs: 3_600_000 });
    await watcher.ready;
    try {
      await add(alice, generateDevice("laptop"));
      const [added] = await watcher.poll();
      expect(added.changes.map((c) => c.kind)).to.include.members(["keyAdded", "deviceAdded"]);
      expect(added.changes.find((c) => c.kind === "deviceAdded")).to.include({ device: "laptop" });
      const [laptop] = devicesOf(added.result).devices;
      await env.send(1, removeDeviceOperation(alice, laptop));
      const [removed] = await watcher.poll();
      expect(removed.changes.find((c) => c.kind === "deviceRemoved")).to.include({ device: "laptop" });
      expect(removed.changes.map(describeChange)).to.include('device "laptop" removed');
      expect(seen).to.have.length(2);
    } finally {
      watcher.stop();
    }
  });

  it("deviceRemoval takes every label of the name (a thief's too) and only keys no other label names", async () => {
    const phone = generateDevice("phone");
    await add(alice, phone);
    const [sig, agree, label] = deviceAttributes("phone", phone.signing.publicKey, phone.keyAgreement.publicKey);
    const thiefs = deviceAttributes("PHONE", phone.signing.publicKey, generateKeyPair("X25519").publicKey)[2];
    const other = deviceAttributes("laptop", phone.signing.publicKey, generateKeyPair("X25519").publicKey)[2];
    const removal = deviceRemoval(alice, "Phone", [sig, agree, label, thiefs, other])!;
    expect(removal.labels).to.deep.equal([label, thiefs]);
    expect(removal.keys, "the signing key stays: the laptop label names it too").to.deep.equal([agree]);
    expect(removal.operation).to.deep.equal({
      type: "revokeEntries",
      identity: alice,
      revokeDelegates: [],
      revokeAttributes: [agree, label, thiefs],
    });
    expect(deviceRemoval(alice, "watch", [sig, agree, label])).to.equal(undefined);
  });
});

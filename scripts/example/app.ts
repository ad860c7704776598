// The example messenger: what an app built on stock messaging libraries (didcomm-node for 1:1
// DIDComm v2, ts-mls for MLS groups) adds to use did:sigil identities. Everything Sigil-specific is
// a call to the SDK's adapters; `sigilGlueLines` counts those lines, the figure the README quotes.
// One instance is one user's app on one device: its keys never leave it.
import { readFileSync } from "node:fs";
import { Message } from "didcomm-node";
import {
  createApplicationMessage,
  createCommit,
  createGroup,
  decodeMlsMessage,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  joinGroup,
  type CiphersuiteImpl,
  type ClientState,
  type KeyPackage,
  type MLSMessage,
  type PrivateKeyPackage,
  type Welcome,
} from "ts-mls";
import { devicesOf, didcommResolver, didcommSecrets, type KeyPair, type SigilResolver } from "sigil-did";
import {
  createGroupGuard,
  didCredential,
  groupMembers,
  sigilClientConfig,
  watchGroup,
  type GroupGuard,
  type StaleEvent,
} from "sigil-did/mls";

/** MLS suite 1 (X25519, AES-128-GCM, Ed25519): its signature keys are the devices' Ed25519 keys. */
export const SUITE = "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519" as const;
export const suite = (): Promise<CiphersuiteImpl> => getCiphersuiteImpl(getCiphersuiteFromName(SUITE));

/** What travels between apps: DIDComm messages as JSON text, MLS messages as bytes. */
export type GroupWire = Uint8Array;

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

export class Messenger {
  private readonly guard: GroupGuard;
  private device?: { signing: KeyPair; keyAgreement: KeyPair; signingKid: string; keyAgreementKid: string };
  private pending?: { publicPackage: KeyPackage; privatePackage: PrivateKeyPackage };
  /** The group as this app knows it (ts-mls state). */
  group?: ClientState;
  /** Removals the watcher asked for (a member's DID voided its leaf key). */
  readonly staleEvents: StaleEvent[] = [];

  constructor(
    readonly name: string,
    readonly did: string,
    private readonly resolver: SigilResolver,
    private readonly cs: CiphersuiteImpl,
  ) {
    this.guard = createGroupGuard(resolver);
  }

  /** Uses the device named `deviceName` of this DID (its keys were published), with these secrets. */
  async useDevice(deviceName: string, signing: KeyPair, keyAgreement: KeyPair): Promise<void> {
    const device = devicesOf(await this.resolver.resolve(this.did)).devices.find((d) => d.name === deviceName);
    if (!device) throw new Error(`${this.did} lists no device named ${deviceName}`);
    this.device = { signing, keyAgreement, signingKid: device.signingKey.id, keyAgreementKid: device.keyAgreementKey.id };
  }

  private keys() {
    if (!this.device) throw new Error(`${this.name} has no device yet`);
    return this.device;
  }

  /** A DIDComm v2 message to `to`, authenticated (authcrypt) and encrypted to its current keys. */
  async send(to: string, body: Record<string, unknown>): Promise<string> {
    const { signing, keyAgreement, signingKid, keyAgreementKid } = this.keys();
    const message = new Message({
      id: crypto.randomUUID(),
      typ: "application/didcomm-plain+json",
      type: "https://example.org/chat/1.0/text",
      from: this.did,
      to: [to],
      body,
    });
    const secrets = didcommSecrets([
      { kid: keyAgreementKid, type: "X25519", secretKey: keyAgreement.secretKey },
      { kid: signingKid, type: "Ed25519", secretKey: signing.secretKey },
    ]);
    const [packed] = await message.pack_encrypted(to, this.did, null, didcommResolver(this.resolver), secrets, {});
    return packed;
  }

  /** Opens a DIDComm message received at `receivedAt` (unix seconds): the sender's key is judged as of then. */
  async receive(packed: string, receivedAt: number): Promise<{ from: string; body: Record<string, unknown> }> {
    const { keyAgreement, keyAgreementKid } = this.keys();
    const secrets = didcommSecrets([{ kid: keyAgreementKid, type: "X25519", secretKey: keyAgreement.secretKey }]);
    const [message, meta] = await Message.unpack(packed, didcommResolver(this.resolver, { at: receivedAt }), secrets, {});
    const plain = message.as_value() as { from?: string; body: Record<string, unknown> };
    // didcomm-node proves the sender's key, not that `from` names its DID: compare them.
    if (!meta.authenticated || plain.from === undefined || meta.encrypted_from_kid?.split("#")[0] !== plain.from)
      throw new Error(`not authenticated as ${String(plain.from)} (sender key ${String(meta.encrypted_from_kid)})`);
    return { from: plain.from, body: plain.body };
  }

  /** A key package for joining groups, signed by this device's published Ed25519 key. */
  async keyPackage(): Promise<KeyPackage> {
    const { signing } = this.keys();
    const key = { signKey: signing.secretKey, publicKey: signing.publicKey };
    this.pending = await generateKeyPackageWithKey(didCredential(this.did), defaultCapabilities(), defaultLifetime, [], key, this.cs);
    return this.pending.publicPackage;
  }

  /** Founds a group with this app as its only member. */
  async startGroup(id: string): Promise<void> {
    if (!this.pending) await this.keyPackage();
    const own = this.pending!;
    this.group = await createGroup(
      new TextEncoder().encode(id),
      own.publicPackage,
      own.privatePackage,
      [],
      this.cs,
      sigilClientConfig(this.resolver),
    );
  }

  /** Adds members by their key packages: the commit for the group and the welcome for them. */
  async add(packages: KeyPackage[]): Promise<{ commit: GroupWire; welcome: Welcome; tree: ClientState["ratchetTree"] }> {
    const result = await createCommit(
      { state: this.group!, cipherSuite: this.cs },
      { extraProposals: packages.map((keyPackage) => ({ proposalType: "add" as const, add: { keyPackage } })) },
    );
    this.group = result.newState;
    return { commit: encodeMlsMessage(result.commit), welcome: result.welcome!, tree: this.group.ratchetTree };
  }

  /** Joins from a welcome (the authentication service checks every member's DID on the way in). */
  async join(welcome: Welcome, tree: ClientState["ratchetTree"]): Promise<void> {
    const own = this.pending!;
    this.group = await joinGroup(
      welcome,
      own.publicPackage,
      own.privatePackage,
      emptyPskIndex,
      this.cs,
      tree,
      undefined,
      sigilClientConfig(this.resolver),
    );
  }

  /** An application message to the group. */
  async post(words: string): Promise<GroupWire> {
    const result = await createApplicationMessage(this.group!, new TextEncoder().encode(words), this.cs);
    this.group = result.newState;
    return encodeMlsMessage({ wireformat: "mls_private_message", version: "mls10", privateMessage: result.privateMessage });
  }

  /** Processes a group message through the guard: the text of an application message, or
   * undefined for a commit. Throws StaleMemberError when its sender's DID voided the key. */
  async process(wire: GroupWire): Promise<string | undefined> {
    const message: MLSMessage = decodeMlsMessage(wire, 0)![0];
    const result =
      message.wireformat === "mls_private_message"
        ? await this.guard.processPrivateMessage(this.group!, message.privateMessage, emptyPskIndex, this.cs)
        : message.wireformat === "mls_public_message"
          ? await this.guard.processPublicMessage(this.group!, message.publicMessage, emptyPskIndex, this.cs)
          : undefined;
    if (!result) throw new Error(`not a group message: ${message.wireformat}`);
    this.group = result.newState;
    return "kind" in result && result.kind === "applicationMessage" ? text(result.message) : undefined;
  }

  /** Watches the members' DIDs: a rotation, recovery or deactivation marks the leaf stale at once
   * and queues its removal. The example polls by hand; an app would let `intervalMs` run. */
  watchGroup() {
    return watchGroup(
      this.resolver,
      this.guard,
      () => this.group!,
      (event) => this.staleEvents.push(event),
      { intervalMs: 3_600_000 },
    );
  }

  /** Commits the removal of every stale member (any honest member may): the commit for the others. */
  async removeStale(): Promise<GroupWire> {
    const { state, proposals } = this.guard.prepareRemoval(this.group!);
    const result = await createCommit({ state, cipherSuite: this.cs }, { extraProposals: proposals });
    this.group = result.newState;
    return encodeMlsMessage(result.commit);
  }

  /** The DIDs of the group's members, in leaf order. */
  members(): (string | undefined)[] {
    return groupMembers(this.group!).map((m) => m.did);
  }

  /** What a thief who takes this phone holds: the device's secrets and the ids of its keys. */
  deviceKeys() {
    return this.keys();
  }
}

/** The lines of this file that call Sigil (the glue an app writes): every line using a name it
 * imports from sigil-did or sigil-did/mls, or the group guard it made, imports and comments aside. */
export function sigilGlueLines(): number {
  const source = readFileSync(new URL(import.meta.url), "utf8");
  const names = [...source.matchAll(/^import \{([^}]*)\} from "sigil-did(?:\/mls)?";$/gm)]
    .flatMap((m) => m[1].split(","))
    .map((n) => n.trim())
    .filter((n) => n !== "" && !n.startsWith("type "));
  const uses = new RegExp(`\\b(?:${names.join("|")})\\b`);
  return source
    .split("\n")
    .filter((line) => !/^\s*(?:import|\/\/|\*|\/\*\*)/.test(line) && (uses.test(line) || /\bthis\.guard\./.test(line))).length;
}

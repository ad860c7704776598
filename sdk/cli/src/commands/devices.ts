// `sigil device add|list|remove`: the devices of a DID (see the SDK's devicesOf), each with its own
// Ed25519 signing key and X25519 key-agreement key under a name. Adding generates both keys here,
// keeps their secrets in the identity store ($SIGIL_HOME/devices/), then publishes the keys and the
// label, and reports only what the receipts and the document show. Removing revokes both keys and
// the label in one transaction.
import { existsSync } from "node:fs";
import { Command, Option } from "commander";
import { bytesToHex, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  addDeviceOperations,
  checkDeviceName,
  deviceRemoval,
  devicesOf,
  generateDevice,
  type DeviceSet,
  type Operation,
  type OperationReceipt,
} from "sigil-did";
import { activeEntries, EmptyCallError, readIdentities } from "sigil-did/internal";
import { CliError, EXIT, writeNew, type Context } from "../context.ts";
import { deviceKeyFiles, makeDeviceKeyDir } from "../identity-store.ts";
import { check } from "../perform.ts";

type Ctx = () => Context;

const didOption = () => new Option("--did <did>", "the DID whose devices these are (default: the DID of the key in use)");

/** The DID named by --did, or the one of the controller key in use. */
async function targetDid(c: Context, did: string | undefined): Promise<{ did: string; identity: Address }> {
  if (did) {
    c.requireKnownNetwork(did);
    return { did, identity: c.identity(did) };
  }
  const address = privateKeyToAccount(await c.key()).address;
  return { did: `did:sigil:${c.network.name}:${address.toLowerCase()}`, identity: address };
}

async function deviceSet(c: Context, did: string): Promise<DeviceSet> {
  const result = await c.spin(`resolving ${did}…`, c.resolver.resolve(did));
  const error = result.didResolutionMetadata.error;
  if (error) throw new CliError(`cannot resolve ${did}: ${error} ${result.didResolutionMetadata.message ?? ""}`, EXIT.network);
  if (result.didDocumentMetadata.deactivated) throw new CliError(`${did} is deactivated: it has no devices and can get none`, EXIT.refused);
  return devicesOf(result);
}

/** True when the receipt shows the registry publishing exactly this attribute (valid, not revoked). */
const published = (receipt: OperationReceipt, op: Operation) =>
  op.type === "setAttribute" &&
  receipt.events.some(
    (e) => e.kind === "attribute" && e.name === op.name && e.value.toLowerCase() === op.value.toLowerCase() && e.validTo > 0n,
  );

async function addDevice(c: Context, name: string, o: { did?: string; validity: string }) {
  checkDeviceName(name);
  if (!/^\d+$/.test(o.validity) || BigInt(o.validity) === 0n)
    throw new CliError(`--validity "${o.validity}" must be a whole number of seconds > 0`);
  const key = await c.key();
  const { did, identity } = await targetDid(c, o.did);
  const set = await deviceSet(c, did);
  const clash = [...set.devices, ...set.ignored].find((d) => d.name?.toLowerCase() === name.toLowerCase());
  if (clash)
    throw new CliError(
      `${did} already has a device label named "${clash.name}": remove it first (sigil device remove "${clash.name}"); nothing was sent`,
      EXIT.refused,
    );
  const device = generateDevice(name);
  const files = deviceKeyFiles(identity, name);
  if (existsSync(files.signing) || existsSync(files.keyAgreement))
    throw new CliError(`key files for "${name}" exist already in ${files.dir}: move them away first; nothing was sent`, EXIT.refused);
  const ops = addDeviceOperations(
    identity,
    { name, signingPublicKey: device.signing.publicKey, keyAgreementPublicKey: device.keyAgreement.publicKey },
    BigInt(o.validity),
  );
  const what = ["signing key (Ed25519)", "key-agreement key (X25519)", "device label"];
  // Done only when the receipt shows the registry publishing what was asked.
  const describeFor = (i: number) => (r: OperationReceipt) => {
    if (!published(r, ops[i]))
      throw new CliError(`the receipt of ${r.hash} does not show the ${what[i]} published: check sigil history ${did}`, EXIT.network);
    return { line: `✔ ${what[i]} published in block ${r.blockNumber} (tx ${r.hash})` };
  };
  // The registry's verdict on the first write before any secret is written: a refusal leaves nothing behind.
  const first = await check(c, ops[0], { key, describe: describeFor(0) });
  // Secrets before the keys are public: a published key whose secret was lost would be a device nobody holds.
  makeDeviceKeyDir(files.dir);
  const card = (pair: typeof device.signing) => ({
    type: pair.type,
    privateKey: bytesToHex(pair.secretKey),
    publicKey: bytesToHex(pair.publicKey),
    did,
  });
  writeNew(files.signing, card(device.signing), true);
  writeNew(files.keyAgreement, card(device.keyAgreement), true);
  const receipts: OperationReceipt[] = [];
  for (const i of ops.keys()) {
    const ready = i === 0 ? first : await check(c, ops[i], { key, describe: describeFor(i) });
    receipts.push((await ready())!);
  }
  const now = await deviceSet(c, did);
  const shown = now.devices.find((d) => d.name === name);
  if (!shown)
    throw new CliError(
      `the keys and label were published, but ${did} does not show device "${name}": check sigil device list`,
      EXIT.network,
    );
  c.print(
    `✔ device "${name}" added to ${did}: signing key ${shown.signingKey.id}, key-agreement key ${shown.keyAgreementKey.id}\n` +
      `  secrets in ${files.signing} and ${files.keyAgreement} (copy them to the device, then delete them here)\n` +
      `  your safety numbers with every contact changed: compare them again`,
    {
      did,
      device: shown,
      files: { signing: files.signing, keyAgreement: files.keyAgreement },
      transactions: receipts.map((r) => ({ hash: r.hash, blockNumber: r.blockNumber, events: r.events })),
    },
  );
}

async function listDevices(c: Context, o: { did?: string }) {
  const { did, identity } = await targetDid(c, o.did);
  const set = await deviceSet(c, did);
  const lines = set.devices.map((d) => {
    const here = existsSync(deviceKeyFiles(identity, d.name).signing) ? "  (secrets on this machine)" : "";
    return `${d.name}\n  signing ${d.signingKey.id} ${d.signingKey.publicKeyHex}\n  key agreement ${d.keyAgreementKey.id} ${d.keyAgreementKey.publicKeyHex}${here}`;
  });
  const ignored = set.ignored.map((i) => `⚠ label ${i.serviceId}${i.name ? ` "${i.name}"` : ""} not trusted (${i.problem}): ${i.detail}`);
  c.print([...(lines.length ? lines : [`${did} has no devices`]), ...ignored].join("\n"), { did, ...set });
}

/** The live attributes of a DID (exact names and values), as the registry holds them now. */
async function liveAttributes(c: Context, identity: Address) {
  const read = readIdentities(c.publicClient, [identity], { registry: c.network.registry, fromBlock: c.network.fromBlock ?? 0n });
  const { snapshot } = await read.catch((error: unknown) => {
    if (!(error instanceof EmptyCallError)) throw error;
    throw new CliError(`no SigilRegistry at ${c.network.registry} on this chain: check --network; nothing was sent`, EXIT.network);
  });
  return activeEntries(snapshot.events.get(identity.toLowerCase() as Address) ?? [], snapshot.timestamp).attributes;
}

async function removeDevice(c: Context, name: string, o: { did?: string }) {
  const key = await c.key();
  const { did, identity } = await targetDid(c, o.did);
  const removal = deviceRemoval(identity, name, await liveAttributes(c, identity));
  if (!removal) throw new CliError(`${did} has no device named "${name}" (sigil device list shows them); nothing was sent`, EXIT.refused);
  const { operation: op, keys, labels } = removal;
  const ready = await check(c, op, {
    key,
    describe: (r) => {
      const revoked = r.events.filter((e) => e.kind === "attribute" && e.validTo === 0n).length;
      if (revoked < keys.length + labels.length)
        throw new CliError(
          `the receipt of ${r.hash} shows ${revoked} of ${keys.length + labels.length} revocations: check sigil device list`,
          EXIT.network,
        );
      return {
        line: `✔ device "${name}" removed from ${did} in block ${r.blockNumber} (tx ${r.hash}): ${keys.length} key(s) and ${labels.length} label(s) revoked; nothing can be encrypted to it or accepted from it now`,
      };
    },
  });
  await ready();
}

export function registerDeviceCommands(program: Command, ctx: Ctx) {
  const device = new Command("device").description("the devices of a DID: each its own signing and key-agreement key, under a name");
  device
    .command("add <name>")
    .description("generate a device's Ed25519 and X25519 keys, keep their secrets in $SIGIL_HOME/devices/, publish them under <name>")
    .addOption(didOption())
    .addOption(new Option("--validity <seconds>", "how long the device stays valid").default("31536000"))
    .action((name: string, o: { did?: string; validity: string }) => addDevice(ctx(), name, o));
  device
    .command("list")
    .description("the devices a DID's document shows, and labels that are not trusted with why")
    .addOption(didOption())
    .action((o: { did?: string }) => listDevices(ctx(), o));
  device
    .command("remove <name>")
    .description("revoke a device's two keys and its label in one transaction")
    .addOption(didOption())
    .action((name: string, o: { did?: string }) => removeDevice(ctx(), name, o));
  program.addCommand(device);
}

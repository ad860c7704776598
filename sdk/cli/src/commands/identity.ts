// Commands that change one identity as its controller or its next key: keys, services,
// attributes, the next-key commitment, rotation (purging, re-committing by default), the
// cleanup of entries stock ERC-1056 readers still show, controller change and deactivation.
import { existsSync } from "node:fs";
import { Command, Option } from "commander";
import { hexToBytes, hexToString, isHex, zeroAddress, type Address, type Hex } from "viem";
import {
  bytes32Name,
  generateNextKey,
  parseDid,
  planRotation,
  publicKeyAttribute,
  serviceAttribute,
  type KeyPurpose,
  type KeyType,
  type Operation,
} from "sigil-did";
import { activeEntries, EmptyCallError, readIdentities, splitRevocations, staleEntries } from "sigil-did/internal";
import { CliError, EXIT, parseAddress, type Context } from "../context.ts";
import {
  check,
  commitmentFromFile,
  commitmentRecord,
  loadNextKey,
  perform,
  prepareOption,
  refuseSelfCommitment,
  saveNextKey,
} from "../perform.ts";
import { addRotationGuardianOptions, rotationGuardians, writeRotationCards, type RotationGuardianOptions } from "./rotation-guardians.ts";

type Ctx = () => Context;
const validityOption = () => new Option("--validity <seconds>", "how long it stays valid").default("31536000");

function seconds(value: string, what: string): bigint {
  if (!/^\d+$/.test(value) || BigInt(value) === 0n) throw new CliError(`${what} "${value}" must be a whole number of seconds > 0`);
  return BigInt(value);
}

async function history(c: Context, identity: Address) {
  const read = readIdentities(c.publicClient, [identity], { registry: c.network.registry, fromBlock: c.network.fromBlock ?? 0n });
  const { snapshot } = await read.catch((error: unknown) => {
    if (!(error instanceof EmptyCallError)) throw error;
    throw new CliError(
      `no SigilRegistry at ${c.network.registry} on this chain: check --network (was the chain reset?) or deploy it; nothing was sent`,
      EXIT.network,
    );
  });
  const address = identity.toLowerCase() as Address;
  return { events: snapshot.events.get(address) ?? [], now: snapshot.timestamp, state: snapshot.states.get(address)! };
}

/** The live services (by type and endpoint) and the number of live keys a purge voids. */
async function voidedSummary(c: Context, identity: Address): Promise<string[]> {
  const { events, now } = await history(c, identity);
  const live = activeEntries(events, now);
  const services = live.attributes.filter((a) => a.name.startsWith("0x6469642f7376632f")); // did/svc/
  const keys = live.delegates.length + live.attributes.length - services.length;
  return [
    ...services.map((svc) => `service: ${hexToString(svc.name).replace(/\0+$/, "").slice(8)} ${hexToString(svc.value)}`),
    ...(keys > 0 ? [`keys: ${keys}`] : []),
  ];
}

/** Refuses to send a revocation of what is not active: it would change nothing but be reported. */
async function requireActive(c: Context, op: Operation, what: string) {
  if (op.type !== "revokeDelegate" && op.type !== "revokeAttribute") return;
  const { events, now } = await history(c, op.identity);
  const live = activeEntries(events, now);
  const found =
    op.type === "revokeDelegate"
      ? live.delegates.some((d) => d.delegateType === op.delegateType && d.delegate.toLowerCase() === op.delegate.toLowerCase())
      : live.attributes.some((a) => a.name === op.name && a.value.toLowerCase() === op.value.toLowerCase());
  if (!found)
    throw new CliError(
      `nothing to revoke: ${what} is not active on this DID (never added, already revoked, expired or purged); nothing was sent`,
      EXIT.refused,
    );
}

function keyCommand(ctx: Ctx, kind: "add" | "revoke") {
  return new Command(kind)
    .description(kind === "add" ? "add a delegate address or a public key" : "revoke a delegate address or a public key")
    .argument("<did>")
    .option("--delegate <address>", "an Ethereum address (EcdsaSecp256k1RecoveryMethod2020)")
    .option("--public-key <hex>", "a public key (with --type)")
    .addOption(new Option("--type <type>", "key type of --public-key").choices(["Secp256k1", "Ed25519", "X25519", "P256"]))
    .addOption(
      new Option("--purpose <purpose>", "veriKey: signing; sigAuth: authentication too; enc: key agreement")
        .choices(["veriKey", "sigAuth", "enc"])
        .default("sigAuth"),
    )
    .addOption(validityOption())
    .addOption(prepareOption())
    .action(
      async (
        did: string,
        o: { delegate?: string; publicKey?: string; type?: KeyType; purpose: KeyPurpose; validity: string; prepare?: string },
      ) => {
        parseDid(did);
        if (!o.delegate === !o.publicKey)
          throw new CliError("give exactly one of --delegate <address> or --public-key <hex> --type <type>");
        const c = ctx();
        const identity = c.identity(did);
        let op: Operation;
        if (o.delegate) {
          if (o.purpose === "enc") throw new CliError("a delegate address signs; use --purpose veriKey or sigAuth");
          const delegate = parseAddress(o.delegate, "--delegate");
          if (delegate === zeroAddress)
            throw new CliError("--delegate cannot be the zero address: nobody holds its key, so it would list a key that signs nothing");
          const delegateType = bytes32Name(o.purpose);
          op =
            kind === "add"
              ? { type: "addDelegate", identity, delegateType, delegate, validity: seconds(o.validity, "--validity") }
              : { type: "revokeDelegate", identity, delegateType, delegate };
        } else {
          if (!o.type) throw new CliError("--public-key needs --type Secp256k1|Ed25519|X25519|P256");
          if (!isHex(o.publicKey)) throw new CliError("--public-key must be 0x-prefixed hex");
          const attribute = publicKeyAttribute(o.type, o.purpose, hexToBytes(o.publicKey as Hex));
          op =
            kind === "add"
              ? { type: "setAttribute", identity, ...attribute, validity: seconds(o.validity, "--validity") }
              : { type: "revokeAttribute", identity, ...attribute };
        }
        await requireActive(c, op, o.delegate ? `delegate ${o.delegate} (${o.purpose})` : `${o.type} key ${o.publicKey} (${o.purpose})`);
        await perform(c, op, { prepare: o.prepare, key: await c.key() });
      },
    );
}

/** A service endpoint argument: a URI, or a JSON object (a DIDComm endpoint's {"uri", "accept", ...}). */
function endpointArg(endpoint: string): string | Record<string, unknown> {
  if (!endpoint.trim().startsWith("{")) return endpoint;
  let parsed: unknown;
  try {
    parsed = JSON.parse(endpoint);
  } catch (e) {
    throw new CliError(`endpoint looks like JSON but is not valid JSON: ${(e as Error).message}`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
    throw new CliError('a JSON endpoint must be an object, such as {"uri": "https://…", "accept": ["didcomm/v2"]}');
  return parsed as Record<string, unknown>;
}

const hexValue = (v: string) => {
  if (!isHex(v)) throw new CliError(`value "${v}" must be 0x-prefixed hex`);
  return v as Hex;
};

function registerServiceCommands(program: Command, ctx: Ctx) {
  const service = new Command("service").description("publish or remove a service endpoint");
  service
    .command("add <did> <type> <endpoint>")
    .description(
      'publish a service endpoint of a type, e.g. Messaging: a URI, or a JSON object such as \'{"uri": "https://…", "accept": ["didcomm/v2"]}\'',
    )
    .addOption(validityOption())
    .addOption(prepareOption())
    .action(async (did: string, type: string, endpoint: string, o: { validity: string; prepare?: string }) => {
      const c = ctx();
      await perform(
        c,
        {
          type: "setAttribute",
          identity: c.identity(did),
          ...serviceAttribute(type, endpointArg(endpoint)),
          validity: seconds(o.validity, "--validity"),
        },
        { prepare: o.prepare, key: await c.key() },
      );
    });
  service
    .command("remove <did> <type> <endpoint>")
    .description("revoke a published service endpoint (the same type and endpoint)")
    .addOption(prepareOption())
    .action(async (did: string, type: string, endpoint: string, o: { prepare?: string }) => {
      const c = ctx();
      const op: Operation = { type: "revokeAttribute", identity: c.identity(did), ...serviceAttribute(type, endpointArg(endpoint)) };
      await requireActive(c, op, `service ${type} ${endpoint}`);
      await perform(c, op, { prepare: o.prepare, key: await c.key() });
    });
  program.addCommand(service);
}

function registerAttributeCommands(program: Command, ctx: Ctx) {
  const attribute = new Command("attribute").description("set or revoke a raw ERC-1056 attribute (name up to 32 bytes, value hex)");
  attribute
    .command("set <did> <name> <value>")
    .description("set a raw ERC-1056 attribute: a name (e.g. did/pub/Ed25519/veriKey/hex) and a 0x-hex value")
    .addOption(validityOption())
    .addOption(prepareOption())
    .action(async (did: string, name: string, value: string, o: { validity: string; prepare?: string }) => {
      if (name.startsWith("did/pub/") || name.startsWith("did/svc/")) {
        throw new CliError(`"${name}" publishes a key or a service: use sigil key add or sigil service add, which check the value`);
      }
      const c = ctx();
      await perform(
        c,
        {
          type: "setAttribute",
          identity: c.identity(did),
          name: bytes32Name(name),
          value: hexValue(value),
          validity: seconds(o.validity, "--validity"),
        },
        { prepare: o.prepare, key: await c.key() },
      );
    });
  attribute
    .command("revoke <did> <name> <value>")
    .description("revoke a raw ERC-1056 attribute (the same name and value)")
    .addOption(prepareOption())
    .action(async (did: string, name: string, value: string, o: { prepare?: string }) => {
      const c = ctx();
      const op: Operation = { type: "revokeAttribute", identity: c.identity(did), name: bytes32Name(name), value: hexValue(value) };
      await requireActive(c, op, `attribute ${name} ${value}`);
      await perform(c, op, { prepare: o.prepare, key: await c.key() });
    });
  program.addCommand(attribute);
}

function registerNextKeyCommand(program: Command, ctx: Ctx) {
  program
    .command("next-key")
    .description("write a fresh next key (private key, salt, commitment) to a file, for commit-next or a recovery")
    .requiredOption("--out <file>", "where to write it (readable by you only; never overwritten)")
    .action((o: { out: string }) => {
      const c = ctx();
      const card = saveNextKey(c, o.out, generateNextKey());
      c.print(`commitment ${card.commitment}`, { address: card.address, commitment: card.commitment, file: o.out });
    });
}

/** sigil commit-next: a generated next key, or the key named by --next-address with a fresh salt; the file is written only once the registry would take the commitment. */
async function commitNext(c: Context, did: string, o: { out?: string; nextAddress?: string; prepare?: string }) {
  const identity = c.identity(did);
  if (!o.out) throw new CliError("give --out <file>: the next key (or its salt) must be kept to rotate later");
  if (existsSync(o.out)) throw new CliError(`${o.out} already exists: choose another file (nothing was overwritten)`);
  let card: Parameters<typeof saveNextKey>[2];
  if (o.nextAddress) {
    card = commitmentRecord(o.nextAddress);
    if (card.address === zeroAddress)
      throw new CliError("the next key cannot be the zero address (rotating to it deactivates: use sigil deactivate)");
    const { state } = await history(c, identity);
    if (card.address.toLowerCase() === state.owner.toLowerCase()) {
      throw new CliError("the next key must not be the current controller: a thief holding it could rotate; commit to a key kept offline");
    }
  } else {
    card = generateNextKey();
  }
  // The registry's verdict and the funds first: a refused commitment writes no file.
  const ready = await check(
    c,
    { type: "commitNextOwner", identity, commitment: card.commitment },
    { prepare: o.prepare, key: await c.key() },
  );
  saveNextKey(c, o.out, card);
  await ready();
}

function registerCommitNextCommand(program: Command, ctx: Ctx) {
  program
    .command("commit-next <did>")
    .description("commit to the next controller key (generated into --out unless --next-address names a key you hold elsewhere)")
    .option("--out <file>", "file for the generated next key, or for the commitment record with --next-address")
    .option("--next-address <address>", "commit to this key (e.g. a hardware wallet's) with a fresh salt, recorded in --out")
    .addOption(prepareOption())
    .action(async (did: string, o: { out?: string; nextAddress?: string; prepare?: string }) => commitNext(ctx(), did, o));
}

type RotateOptions = {
  nextKeyFile?: string;
  newOwner?: string;
  nextKeyOut?: string;
  commitFile?: string;
  commit: boolean;
  keep?: boolean;
  listRevocations?: boolean;
  prepare?: string;
} & RotationGuardianOptions;

/** sigil rotate: plans the rotation, checks it, saves the fresh next key, sends; then the follow-up revocations. */
async function rotate(c: Context, did: string, o: RotateOptions) {
  const identity = c.identity(did);
  const next = loadNextKey(o.nextKeyFile);
  if (o.commit && !o.commitFile && !o.nextKeyOut)
    throw new CliError("give --next-key-out <file> for the fresh next key (or --commit-file, or --no-commit to turn pre-rotation off)");
  const newOwner = o.newOwner ? parseAddress(o.newOwner, "--new-owner") : next.address;
  const nextCommitment = o.commitFile ? commitmentFromFile(o.commitFile) : undefined;
  if (o.commitFile) refuseSelfCommitment(o.commitFile, newOwner);
  const guardians = rotationGuardians(identity, newOwner, o);
  const plan = planRotation({
    identity,
    salt: next.salt,
    newOwner,
    nextKey: o.commit && !o.commitFile ? generateNextKey() : null,
    nextCommitment,
    purge: !o.keep,
    listRevocations: o.listRevocations ? await history(c, identity) : undefined,
    guardians: guardians.update,
    history: guardians.update ? undefined : (await history(c, identity)).events,
  });
  // Every check first; then the next key is saved (before the send: a rotation that commits to
  // a lost key would be worse than none), and what the rotation voided is said only once it did.
  if (plan.nextKey && existsSync(o.nextKeyOut!))
    throw new CliError(`${o.nextKeyOut} already exists: choose another file (nothing was overwritten)`);
  const ready = await check(c, plan.rotate, { prepare: o.prepare, key: next.privateKey, salt: next.salt });
  const voided = !o.keep && !o.listRevocations ? await voidedSummary(c, identity) : [];
  if (plan.nextKey) saveNextKey(c, o.nextKeyOut!, plan.nextKey);
  const receipt = await ready();
  writeRotationCards(c, guardians.cards); // mined, or prepared for a relayer: never on a refusal (ready() threw)
  const when = o.prepare ? "once it is relayed: " : "";
  for (const w of plan.warnings) console.error(`⚠ ${when}${w}`);
  for (const line of voided) console.error(`  ${o.prepare ? "voids" : "voided"} ${line}`);
  if (plan.followUps.length === 0) return;
  if (!receipt || newOwner !== next.address) {
    console.error(`⚠ ${plan.followUps.length} more batch(es) of revocations remain: run \`sigil cleanup ${did}\` as the new controller`);
    return;
  }
  for (const op of plan.followUps) await perform(c, op, { key: next.privateKey });
}

function registerRotateCommand(program: Command, ctx: Ctx) {
  addRotationGuardianOptions(
    program
      .command("rotate <did>")
      .description("rotate with the pre-committed key: voids every earlier key and service (O(1) gas) and commits to a fresh next key")
      .option("--next-key-file <file>", "the committed key and salt (or SIGIL_NEXT_KEY_FILE / SIGIL_NEXT_KEY + SIGIL_NEXT_SALT)")
      .option("--new-owner <address>", "controller after rotation (default: the committed key)")
      .option("--next-key-out <file>", "where to write the fresh next key (required unless --commit-file or --no-commit)")
      .option("--commit-file <file>", "commit to the key recorded in this file (sigil commit-next --next-address) instead")
      .option("--no-commit", "turn pre-rotation off (not recommended: a thief of the new key could take the identity)")
      .option("--keep", "keep earlier keys and services (no purge)")
      .option("--list-revocations", "also revoke live entries with ERC-1056 events, for stock ERC-1056 readers (split into batches)"),
  )
    .addOption(prepareOption())
    .action(async (did: string, o: RotateOptions) => rotate(ctx(), did, o));
}

function registerCleanupCommand(program: Command, ctx: Ctx) {
  program
    .command("cleanup <did>")
    .description("revoke, with ERC-1056 events, the entries a purge voided but stock ERC-1056 readers still show")
    .addOption(prepareOption())
    .action(async (did: string, o: { prepare?: string }) => {
      const c = ctx();
      const identity = c.identity(did);
      const { events, now } = await history(c, identity);
      const stale = staleEntries(events, now);
      const batches = splitRevocations(stale.delegates, stale.attributes);
      if (batches.length === 0) return c.print("nothing to clean up: stock ERC-1056 readers see what Sigil sees", { batches: 0 });
      if (o.prepare && batches.length > 1)
        throw new CliError(`${batches.length} batches are needed; run cleanup without --prepare, or once per batch after each is relayed`);
      for (const b of batches) await perform(c, { type: "revokeEntries", identity, ...b }, { prepare: o.prepare, key: await c.key() });
    });
}

function registerControlCommands(program: Command, ctx: Ctx) {
  program
    .command("change-owner <did> <new-owner>")
    .description("hand control to another key (impossible once a next key is committed: rotate instead)")
    .addOption(prepareOption())
    .action(async (did: string, newOwner: string, o: { prepare?: string }) => {
      const c = ctx();
      const owner = parseAddress(newOwner, "new owner");
      if (owner === "0x0000000000000000000000000000000000000000")
        throw new CliError("the zero address would deactivate the DID: use sigil deactivate");
      await perform(c, { type: "changeOwner", identity: c.identity(did), newOwner: owner }, { prepare: o.prepare, key: await c.key() });
    });

  program
    .command("deactivate <did>")
    .description("deactivate the DID for good (with a committed next key: rotate to the zero address with it)")
    .addOption(prepareOption())
    .action(async (did: string, o: { prepare?: string }) => {
      const c = ctx();
      await perform(c, { type: "deactivate", identity: c.identity(did) }, { prepare: o.prepare, key: await c.key() });
    });
}

export function registerIdentityCommands(program: Command, ctx: Ctx) {
  program.addCommand(
    new Command("key").description("add or revoke keys").addCommand(keyCommand(ctx, "add")).addCommand(keyCommand(ctx, "revoke")),
  );
  registerServiceCommands(program, ctx);
  registerAttributeCommands(program, ctx);
  registerNextKeyCommand(program, ctx);
  registerCommitNextCommand(program, ctx);
  registerRotateCommand(program, ctx);
  registerCleanupCommand(program, ctx);
  registerControlCommands(program, ctx);
}

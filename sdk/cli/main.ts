#!/usr/bin/env node
// `sigil`: the command line for every journey: deploy, resolve, manage keys, services and
// attributes, pre-rotation, deactivation, signed messages, watching, and gasless prepare/relay.
// Keys come from SIGIL_PRIVATE_KEY (SIGIL_NEXT_KEY for rotate, SIGIL_RELAYER_KEY for relay) or
// --keystore, never from the command line. Exit codes: 0 ok, 1 refused, 2 bad input, 3 network.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Command, Option } from "commander";
import { privateKeyToAccount } from "viem/accounts";
import { getAddress, isAddress, isHex, type Address, type Hex } from "viem";
import { activeEntries } from "../active.ts";
import { parseDid } from "../did.ts";
import { publicKeyAttribute, serviceAttribute, type KeyPurpose, type KeyType } from "../keys.ts";
import { authenticationFingerprint, signMessage, verifyMessage } from "../messaging.ts";
import { bytes32Name, commitmentOf, type Operation } from "../operations.ts";
import { readIdentities } from "../reader.ts";
import { createSigilResolver } from "../resolver.ts";
import { startResolverService } from "../service/serve.ts";
import { watchDids } from "../watch.ts";
import { relayOperation, sendOperation, signOperation, type SignedOperation } from "../write.ts";
import { CliError, describeFailure, EXIT, makeContext, type Context, type GlobalOptions } from "./context.ts";

const program = new Command("sigil")
  .description("did:sigil identities: resolve, manage keys, rotate, sign and verify")
  .addOption(new Option("-n, --network <name>", "network from deployments/ (default: localhost)").env("SIGIL_NETWORK"))
  .option("--rpc <url>", "JSON-RPC endpoint; repeat for failover, tried in order", (v: string, acc: string[] = []) => [...acc, v])
  .option("--registry <address>", "registry address (with --chain-id and --rpc, instead of deployments/)")
  .option("--chain-id <id>", "chain id for --registry")
  .option("--deployments <dir>", "folder of deployment records (default: ./deployments)")
  .option("--keystore <file>", "file holding the private key (0x… or {\"privateKey\": \"0x…\"})")
  .addOption(new Option("--timeout <ms>", "per-request RPC timeout").env("SIGIL_RPC_TIMEOUT_MS"))
  .option("--json", "machine-readable output")
  // Before any subcommand is added: they copy it, so their usage errors exit 2 like the program's.
  .exitOverride();

const ctx = (): Context => makeContext(program.opts<GlobalOptions>());
const identityOf = (did: string): Address => getAddress(parseDid(did).address);
const asAddress = (value: string, what: string): Address => {
  if (!isAddress(value, { strict: false })) throw new CliError(`${what} "${value}" is not a 0x-prefixed 20-byte address`);
  return getAddress(value.toLowerCase());
};
const validity = new Option("--validity <seconds>", "how long it stays valid").default("31536000");
const prepare = new Option("--prepare <file>", "sign only (EIP-712) and write the operation to <file> for `sigil relay`");

/** Sends `op` (or with --prepare, signs it for a relayer) and reports what changed. */
async function write(op: Operation, options: { prepare?: string }, keyEnv = "SIGIL_PRIVATE_KEY") {
  const c = ctx();
  const target = { registry: c.network.registry, publicClient: c.publicClient };
  if (options.prepare) {
    const signed = await signOperation(c.wallet(keyEnv), target, op);
    writeFileSync(options.prepare, JSON.stringify(signed, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2));
    c.print(`✔ signed ${op.type} (nonce ${signed.nonce}, valid until ${new Date(Number(signed.deadline) * 1000).toISOString()}); relay it with: sigil relay ${options.prepare}`, signed);
    return;
  }
  const wallet = c.wallet(keyEnv);
  const sender = wallet.account!.address;
  if ((await c.publicClient.getBalance({ address: sender })) === 0n) {
    throw new CliError(`${sender} has no funds to pay gas: fund it, or add --prepare <file> and let a relayer submit it (sigil relay)`, EXIT.refused);
  }
  const receipt = await c.spin(`sending ${op.type}…`, sendOperation(wallet, target, op));
  c.print(`✔ ${op.type} in block ${receipt.blockNumber} (tx ${receipt.hash}, gas ${receipt.gasUsed}): ${receipt.events.map((e) => e.kind).join(", ")}`, receipt);
}

program
  .command("deploy")
  .description("deploy the registry to --network and record it in deployments/")
  .option("--redeploy", "deploy anew even if a usable deployment is recorded")
  .action((options: { redeploy?: boolean }) => {
    const root = join(import.meta.dirname, "..", "..");
    const args = [join(root, "node_modules", "hardhat", "dist", "src", "cli.js"), "deploy-registry", "--network", program.opts().network ?? "localhost"];
    if (options.redeploy) args.push("--redeploy");
    const run = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
    process.exitCode = run.status === 0 ? EXIT.ok : EXIT.network;
  });

program
  .command("resolve <did>")
  .description("print the DID document (or its version at --at)")
  .option("--at <time|block>", "ISO 8601 time or block number")
  .action(async (did: string, options: { at?: string }) => {
    const c = ctx();
    const query = options.at === undefined ? "" : /^\d+$/.test(options.at) ? `?versionId=${options.at}` : `?versionTime=${options.at}`;
    const result = await c.spin("resolving…", c.resolver.resolve(`${did}${query}`));
    const error = result.didResolutionMetadata.error;
    if (error) {
      const code = error === "internalError" ? EXIT.network : error === "notFound" ? EXIT.refused : EXIT.usage;
      throw new CliError(`${error}: ${result.didResolutionMetadata.message}`, code);
    }
    const doc = result.didDocument!;
    const rows = (doc.verificationMethod ?? []).map((vm) => {
      const v = vm as typeof vm & Record<string, string>;
      const uses = ["authentication", "assertionMethod", "keyAgreement"].filter((p) => (doc[p as "authentication"] ?? []).includes(vm.id));
      return `  ${vm.id.split("#")[1].padEnd(12)} ${vm.type.padEnd(36)} ${(v.blockchainAccountId ?? v.publicKeyHex ?? v.publicKeyBase64 ?? v.publicKeyBase58 ?? "").padEnd(20)} ${uses.join(",")}`;
    });
    const services = (doc.service ?? []).map((s) => `  ${s.id.split("#")[1].padEnd(12)} ${s.type.padEnd(36)} ${JSON.stringify(s.serviceEndpoint)}`);
    const m = result.didDocumentMetadata as Record<string, unknown> & { sigil?: Record<string, unknown> };
    c.print(
      [
        doc.id,
        m.deactivated ? "  DEACTIVATED" : "",
        "keys:",
        ...rows,
        ...(services.length ? ["services:", ...services] : []),
        `version ${m.versionId ?? "0 (no changes)"}${m.updated ? ` at ${m.updated}` : ""}; pre-rotation ${m.sigil?.preRotation ? "on" : "off"}; epoch ${m.sigil?.epoch}`,
        `fingerprint: ${authenticationFingerprint(result)}`,
      ]
        .filter(Boolean)
        .join("\n"),
      result,
    );
  });

function keyOperation(kind: "add" | "revoke") {
  return new Command(kind)
    .description(kind === "add" ? "add a delegate address or a public key" : "revoke a delegate address or a public key")
    .argument("<did>")
    .option("--delegate <address>", "an Ethereum address (EcdsaSecp256k1RecoveryMethod2020)")
    .option("--public-key <hex>", "a public key (with --type)")
    .addOption(new Option("--type <type>", "key type of --public-key").choices(["Secp256k1", "Ed25519", "X25519"]))
    .addOption(new Option("--purpose <purpose>", "veriKey: signing; sigAuth: authentication too; enc: key agreement").choices(["veriKey", "sigAuth", "enc"]).default("sigAuth"))
    .addOption(validity)
    .addOption(prepare)
    .action(async (did: string, o: { delegate?: string; publicKey?: string; type?: KeyType; purpose: KeyPurpose; validity: string; prepare?: string }) => {
      const identity = identityOf(did);
      if (!o.delegate === !o.publicKey) throw new CliError("give exactly one of --delegate <address> or --public-key <hex> --type <type>");
      if (o.delegate) {
        if (o.purpose === "enc") throw new CliError("a delegate address signs; use --purpose veriKey or sigAuth");
        const delegate = asAddress(o.delegate, "--delegate");
        const delegateType = bytes32Name(o.purpose);
        return write(kind === "add" ? { type: "addDelegate", identity, delegateType, delegate, validity: BigInt(o.validity) } : { type: "revokeDelegate", identity, delegateType, delegate }, o);
      }
      if (!o.type) throw new CliError("--public-key needs --type Secp256k1|Ed25519|X25519");
      if (!isHex(o.publicKey)) throw new CliError("--public-key must be 0x-prefixed hex");
      let attribute;
      try {
        attribute = publicKeyAttribute(o.type, o.purpose, Buffer.from(o.publicKey!.slice(2), "hex"));
      } catch (e) {
        throw new CliError((e as Error).message);
      }
      return write(kind === "add" ? { type: "setAttribute", identity, ...attribute, validity: BigInt(o.validity) } : { type: "revokeAttribute", identity, ...attribute }, o);
    });
}
program.addCommand(new Command("key").description("add or revoke keys").addCommand(keyOperation("add")).addCommand(keyOperation("revoke")));

program.addCommand(
  new Command("service")
    .description("publish or remove a service endpoint")
    .addCommand(
      new Command("add").argument("<did>").argument("<type>").argument("<endpoint>").addOption(validity).addOption(prepare)
        .action((did: string, type: string, endpoint: string, o: { validity: string; prepare?: string }) =>
          write({ type: "setAttribute", identity: identityOf(did), ...serviceAttribute(type, endpoint), validity: BigInt(o.validity) }, o)),
    )
    .addCommand(
      new Command("remove").argument("<did>").argument("<type>").argument("<endpoint>").addOption(prepare)
        .action((did: string, type: string, endpoint: string, o: { prepare?: string }) => write({ type: "revokeAttribute", identity: identityOf(did), ...serviceAttribute(type, endpoint) }, o)),
    ),
);

const hexValue = (v: string) => {
  if (!isHex(v)) throw new CliError(`value "${v}" must be 0x-prefixed hex`);
  return v as Hex;
};
program.addCommand(
  new Command("attribute")
    .description("set or revoke a raw ERC-1056 attribute (name up to 32 bytes, value hex)")
    .addCommand(
      new Command("set").argument("<did>").argument("<name>").argument("<value>").addOption(validity).addOption(prepare)
        .action((did: string, name: string, value: string, o: { validity: string; prepare?: string }) => write({ type: "setAttribute", identity: identityOf(did), name: bytes32Name(name), value: hexValue(value), validity: BigInt(o.validity) }, o)),
    )
    .addCommand(
      new Command("revoke").argument("<did>").argument("<name>").argument("<value>").addOption(prepare)
        .action((did: string, name: string, value: string, o: { prepare?: string }) => write({ type: "revokeAttribute", identity: identityOf(did), name: bytes32Name(name), value: hexValue(value) }, o)),
    ),
);

program
  .command("commit-next <did> <next-address>")
  .description("commit to the next controller key (keep that key offline)")
  .addOption(prepare)
  .action((did: string, next: string, o: { prepare?: string }) => write({ type: "commitNextOwner", identity: identityOf(did), commitment: commitmentOf(asAddress(next, "next address")) }, o));

program
  .command("rotate <did>")
  .description("rotate to the pre-committed key (SIGIL_NEXT_KEY), revoking every active key and attribute")
  .option("--new-owner <address>", "controller after rotation (default: the committed key)")
  .option("--commit <address>", "the key after that, to commit to now (recommended)")
  .option("--keep", "keep earlier keys and attributes (no purge, nothing revoked)")
  .addOption(prepare)
  .action(async (did: string, o: { newOwner?: string; commit?: string; keep?: boolean; prepare?: string }) => {
    const c = ctx();
    const identity = identityOf(did);
    const next = privateKeyToAccount(((): Hex => {
      const key = process.env.SIGIL_NEXT_KEY;
      if (!key || !isHex(key) || key.length !== 66) throw new CliError("set SIGIL_NEXT_KEY to the pre-committed key (0x-prefixed, 32 bytes)");
      return key as Hex;
    })()).address;
    const { snapshot } = await readIdentities(c.publicClient, [identity], { registry: c.network.registry, fromBlock: c.network.fromBlock ?? 0n });
    const active = o.keep ? { delegates: [], attributes: [] } : activeEntries(snapshot.events.get(identity.toLowerCase() as Address) ?? [], snapshot.timestamp);
    await write(
      {
        type: "rotate",
        identity,
        newOwner: o.newOwner ? asAddress(o.newOwner, "--new-owner") : next,
        nextCommitment: o.commit ? commitmentOf(asAddress(o.commit, "--commit")) : `0x${"0".repeat(64)}`,
        purge: !o.keep,
        revokeDelegates: active.delegates,
        revokeAttributes: active.attributes,
      },
      o,
      "SIGIL_NEXT_KEY",
    );
  });

program
  .command("deactivate <did>")
  .description("deactivate the DID for good")
  .addOption(prepare)
  .action((did: string, o: { prepare?: string }) => write({ type: "deactivate", identity: identityOf(did) }, o));

program
  .command("relay <file>")
  .description("submit a prepared (signed) operation, paying gas with SIGIL_RELAYER_KEY")
  .action(async (file: string) => {
    const c = ctx();
    let signed: SignedOperation;
    try {
      const raw = JSON.parse(readFileSync(file, "utf8"));
      const op = Object.fromEntries(Object.entries(raw.operation).map(([k, v]) => [k, k === "validity" ? BigInt(v as string) : v])) as Operation;
      signed = { ...raw, operation: op, nonce: BigInt(raw.nonce), deadline: BigInt(raw.deadline) };
    } catch (e) {
      throw new CliError(`cannot read a prepared operation from ${file}: ${(e as Error).message}`);
    }
    if (signed.registry.toLowerCase() !== c.network.registry.toLowerCase()) throw new CliError(`${file} was signed for registry ${signed.registry}, not ${c.network.registry}`);
    const receipt = await c.spin(`relaying ${signed.operation.type}…`, relayOperation(c.wallet("SIGIL_RELAYER_KEY"), { registry: c.network.registry, publicClient: c.publicClient }, signed));
    c.print(`✔ relayed ${signed.operation.type} in block ${receipt.blockNumber} (tx ${receipt.hash}, gas ${receipt.gasUsed})`, receipt);
  });

program
  .command("sign <did> <text>")
  .description("sign a message as a JWT with SIGIL_PRIVATE_KEY")
  .addOption(new Option("--key-type <type>", "the key's type").choices(["Secp256k1", "Ed25519"]).default("Secp256k1"))
  .action(async (did: string, text: string, o: { keyType: "Secp256k1" | "Ed25519" }) => {
    parseDid(did);
    const secretKey = process.env.SIGIL_PRIVATE_KEY ?? (program.opts().keystore ? readFileSync(program.opts().keystore, "utf8").trim() : undefined);
    if (!secretKey || !isHex(secretKey)) throw new CliError("set SIGIL_PRIVATE_KEY (or --keystore) to the signing key");
    const jwt = await signMessage({ did, secretKey: secretKey as Hex, type: o.keyType }, { text });
    makeContext(program.opts()).print(jwt, { jwt });
  });

program
  .command("verify <jwt>")
  .description("verify a signed message against the sender's DID as of when it was sent")
  .option("--now", "judge against the current document instead")
  .option("--received-at <iso>", "judge as of when you received it")
  .action(async (jwt: string, o: { now?: boolean; receivedAt?: string }) => {
    const c = ctx();
    const receivedAt = o.receivedAt ? Math.floor(Date.parse(o.receivedAt) / 1000) : undefined;
    if (o.receivedAt && Number.isNaN(receivedAt)) throw new CliError(`--received-at "${o.receivedAt}" is not an ISO 8601 time`);
    const result = await c.spin("verifying…", verifyMessage(jwt, c.resolver, { at: o.now ? "now" : "sent", receivedAt }));
    if (!result.ok) throw new CliError(`✘ not verified: ${result.reason}`, EXIT.refused);
    c.print(`✔ signed by ${result.signedBy}: ${JSON.stringify(result.payload.text ?? result.payload)}`, result);
  });

program
  .command("watch <dids...>")
  .description("print a line whenever a DID's keys change")
  .option("--interval <ms>", "poll interval", "2000")
  .action(async (dids: string[], o: { interval: string }) => {
    const c = ctx();
    dids.forEach(parseDid);
    const watcher = watchDids(c.resolver, dids, (ch) => c.print(`⚠ ${ch.did}: keys changed ${ch.before} → ${ch.after}${ch.deactivated ? " (DEACTIVATED)" : ""}`, ch), {
      intervalMs: Number(o.interval),
      onError: (e) => console.error(describeFailure(e).line),
    });
    await watcher.ready;
    if (!c.json) console.error(`watching ${dids.length} DID(s); Ctrl-C to stop`);
    await new Promise<void>((resolve) => process.once("SIGINT", () => (watcher.stop(), resolve())));
  });

const integer = (name: string, value: string, min = 0) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new CliError(`--${name} "${value}" must be a whole number >= ${min}`);
  return n;
};

program
  .command("serve")
  .description("run the resolver service: GET /1.0/identifiers/<did>, POST /1.0/identifiers, /healthz, /metrics")
  .addOption(new Option("--host <address>", "address to listen on").env("SIGIL_HOST").default("127.0.0.1"))
  .addOption(new Option("--port <n>", "port to listen on (0: any free port)").env("SIGIL_PORT").default("8080"))
  .addOption(
    new Option("--cache-max-age <ms>", "serve a cached document this long without asking the chain (0: confirm each time with one eth_call)")
      .env("SIGIL_CACHE_MAX_AGE_MS")
      .default("0"),
  )
  .addOption(new Option("--cache-entries <n>", "identities kept in the cache").env("SIGIL_CACHE_ENTRIES").default("10000"))
  .addOption(new Option("--no-cache", "read every resolution from the chain"))
  .addOption(new Option("--max-batch <n>", "most DIDs one POST /1.0/identifiers may name").env("SIGIL_MAX_BATCH").default("1000"))
  .addOption(
    new Option("--log-level <level>", "pino log level")
      .choices(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .env("SIGIL_LOG_LEVEL")
      .default("info"),
  )
  .addOption(new Option("--shutdown-timeout <ms>", "how long SIGTERM waits for in-flight requests").env("SIGIL_SHUTDOWN_TIMEOUT_MS").default("10000"))
  .action(async (o: { host: string; port: string; cacheMaxAge: string; cacheEntries: string; cache: boolean; maxBatch: string; logLevel: string; shutdownTimeout: string }) => {
    const { network } = ctx();
    const resolver = createSigilResolver({
      networks: [network],
      cache: o.cache ? { maxAgeMs: integer("cache-max-age", o.cacheMaxAge), maxEntries: integer("cache-entries", o.cacheEntries, 1) } : false,
    });
    const port = integer("port", o.port);
    if (port > 65_535) throw new CliError(`--port ${port} is not a TCP port (0-65535)`);
    const service = await startResolverService({
      resolver,
      host: o.host,
      port,
      maxBatch: integer("max-batch", o.maxBatch, 1),
      logLevel: o.logLevel as "info",
      shutdownTimeoutMs: integer("shutdown-timeout", o.shutdownTimeout),
    });
    service.logger.info({ network: network.name, chainId: network.chainId, registry: network.registry, cache: o.cache ? `max age ${o.cacheMaxAge} ms` : "off" }, "resolving");
    const signal = await new Promise<string>((resolve) => {
      process.once("SIGTERM", () => resolve("SIGTERM"));
      process.once("SIGINT", () => resolve("SIGINT"));
    });
    service.logger.info({ signal }, "signal received");
    // Exit now: idle keep-alive sockets to the RPC endpoints would hold the process for seconds.
    process.exit((await service.close()) ? EXIT.ok : EXIT.refused);
  });

program
  .command("prepare <file> <command...>")
  .description("sign any write command for a relayer instead of sending it: sigil prepare op.json key add <did> --delegate 0x…")
  .allowUnknownOption()
  .action(async (file: string, command: string[]) => {
    const globals = process.argv.slice(2, process.argv.indexOf("prepare"));
    await program.parseAsync([...process.argv.slice(0, 2), ...globals, ...command, "--prepare", file]);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const commanderCode = (error as { code?: string }).code;
  if (commanderCode === "commander.helpDisplayed" || commanderCode === "commander.version" || commanderCode === "commander.help") process.exit(EXIT.ok);
  if (commanderCode?.startsWith("commander.")) process.exit(EXIT.usage);
  const { line, code } = describeFailure(error);
  console.error(`sigil: ${line}`);
  process.exit(code);
}

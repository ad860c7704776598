// The `sigil` command tree (commander), built but not run: main.ts runs it, and
// scripts/gen-cli-docs.ts writes the README's command reference from it. Every journey: deploy,
// resolve, manage keys, services and attributes, pre-rotation, guardian recovery, deactivation,
// signed messages, watching, gasless prepare/relay and the resolver service. Keys come from
// SIGIL_PRIVATE_KEY (the controller or a guardian), a next-key file (rotation), SIGIL_RELAYER_KEY
// (relay) or --keystore, never from the command line.
import { readFileSync } from "node:fs";
import { Command, Option } from "commander";
import { registerAccountCommands } from "./commands/account.ts";
import { registerDeviceCommands } from "./commands/devices.ts";
import { registerIdentityCommands } from "./commands/identity.ts";
import { registerIdentityNameCommands } from "./commands/identities.ts";
import { registerJourneyCommands } from "./commands/journeys.ts";
import { registerMessageCommands } from "./commands/messages.ts";
import { registerRecoveryCommands } from "./commands/recovery.ts";
import { registerRelayCommands } from "./commands/relay.ts";
import { registerResolveCommand } from "./commands/resolve.ts";
import { registerServeCommand } from "./commands/serve.ts";
import { registerWatchCommand } from "./commands/watch.ts";
import { makeContext, type Context, type GlobalOptions } from "./context.ts";

function version(): string {
  return (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
}

export function createProgram(): Command {
  const program = new Command("sigil")
    .description("did:sigil identities: resolve, manage keys, rotate, recover, sign and verify")
    .addOption(new Option("-n, --network <name>", "network from deployments/ (default: localhost)").env("SIGIL_NETWORK"))
    .option("--rpc <url>", "JSON-RPC endpoint; repeat for failover, tried in order", (v: string, acc: string[] = []) => [...acc, v])
    .option("--registry <address>", "registry address (with --chain-id and --rpc, instead of deployments/)")
    .option("--chain-id <id>", "chain id for --registry")
    .option("--deployments <dir>", "folder of deployment records (default: ./deployments)")
    .option("--keystore <file>", 'the key: 0x…, {"privateKey": "0x…"} or an encrypted keystore (wins over SIGIL_PRIVATE_KEY)')
    .option("--passphrase-file <file>", "the encrypted keystore's passphrase (else you are asked, on a terminal)")
    .addOption(new Option("--as <name>", "the key of a named local identity (sigil id add), instead of --keystore").env("SIGIL_AS"))
    .addOption(new Option("--timeout <ms>", "per-request RPC timeout (1-600000)").env("SIGIL_RPC_TIMEOUT_MS"))
    .addOption(new Option("--wait <ms>", "how long a write waits to be mined (default 120000)").env("SIGIL_WAIT_MS"))
    .addOption(
      new Option(
        "--verify <k>",
        "prove every document read against the block header k of the --rpc endpoints serve (EIP-1186 proofs; refused when a fact does not check)",
      ).env("SIGIL_VERIFY"),
    )
    .option("--deadline <time>", "with --prepare: when the signed operation expires (ISO 8601 or unix seconds; default in one hour)")
    .option("--nonce <n>", "with --prepare: the identity's EIP-712 nonce, to sign offline")
    .option("--commitment-nonce <n>", "with --prepare rotate: the commitment's nonce, to sign offline")
    .option("--round <n>", "with --prepare recover: the recovery round, to sign offline")
    .option("--json", "machine-readable output (errors too, on stdout)")
    .version(version(), "-V, --version")
    // Before any subcommand is added: they copy it, so their usage errors exit 2 like the program's.
    .exitOverride();

  const ctx = (): Context => makeContext(program.opts<GlobalOptions>());

  registerResolveCommand(program, ctx);
  registerAccountCommands(program, ctx);
  registerIdentityCommands(program, ctx);
  registerRecoveryCommands(program, ctx);
  registerMessageCommands(program, ctx);
  registerWatchCommand(program, ctx);
  registerServeCommand(program, ctx);
  registerRelayCommands(program, ctx);
  registerJourneyCommands(program, ctx);
  registerIdentityNameCommands(program, ctx);
  registerDeviceCommands(program, ctx);

  // Every subcommand, however it was added, exits through the handler below (usage errors: 2).
  const exitOverride = (cmd: Command) => {
    cmd.exitOverride();
    cmd.commands.forEach(exitOverride);
  };
  exitOverride(program);
  return program;
}

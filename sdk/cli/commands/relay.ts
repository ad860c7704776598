// Gasless writes and deployment: `prepare` signs any write for a relayer, `relay` submits a
// prepared operation paying gas with SIGIL_RELAYER_KEY, `deploy` records a registry.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { Command } from "commander";
import type { SignableOperation } from "../../operations.ts";
import { relayOperation, type SignedOperation } from "../../write.ts";
import { CliError, EXIT, readJson, type Context } from "../context.ts";

type Ctx = () => Context;

/** bigint fields of operations and contexts, as JSON holds them (decimal strings). */
const BIGINTS = new Set(["validity", "threshold", "delay", "nonce", "commitmentNonce", "round", "deadline"]);
const revive = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, BIGINTS.has(k) && typeof v === "string" ? BigInt(v) : revive(v)]));
  }
  return value;
};

export function registerRelayCommands(program: Command, ctx: Ctx) {
  program
    .command("deploy")
    .description("deploy the registry to --network and record it in deployments/")
    .option("--redeploy", "deploy anew even if a usable deployment is recorded")
    .action((options: { redeploy?: boolean }) => {
      const root = join(import.meta.dirname, "..", "..", "..");
      const args = [join(root, "node_modules", "hardhat", "dist", "src", "cli.js"), "deploy-registry", "--network", program.opts().network ?? "localhost"];
      if (options.redeploy) args.push("--redeploy");
      const run = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
      process.exitCode = run.status === 0 ? EXIT.ok : EXIT.network;
    });

  program
    .command("relay <file>")
    .description("submit a prepared (signed) operation, paying gas with SIGIL_RELAYER_KEY")
    .action(async (file: string) => {
      const c = ctx();
      const raw = readJson<Record<string, unknown>>(file, "prepared operation");
      const ok = raw.operation && typeof raw.signature === "string" && typeof raw.signer === "string" && typeof raw.registry === "string";
      if (!ok) throw new CliError(`${file} is not a prepared operation (sigil prepare / --prepare writes one)`);
      let signed: SignedOperation;
      try {
        signed = { ...(revive(raw) as SignedOperation), operation: revive(raw.operation) as SignableOperation, deadline: BigInt(raw.deadline as string) };
      } catch (e) {
        throw new CliError(`cannot read a prepared operation from ${file}: ${(e as Error).message}`);
      }
      if (signed.registry.toLowerCase() !== c.network.registry.toLowerCase()) throw new CliError(`${file} was signed for registry ${signed.registry}, not ${c.network.registry}`);
      const target = { registry: c.network.registry, publicClient: c.publicClient };
      const receipt = await c.spin(`relaying ${signed.operation.type}…`, relayOperation(c.wallet("SIGIL_RELAYER_KEY"), target, signed));
      c.print(`✔ relayed ${signed.operation.type} in block ${receipt.blockNumber} (tx ${receipt.hash}, gas ${receipt.gasUsed})`, receipt);
    });

  program
    .command("prepare <file> <command...>")
    .description("sign any write command for a relayer instead of sending it: sigil prepare op.json key add <did> --delegate 0x…")
    .allowUnknownOption()
    .action(async (file: string, command: string[]) => {
      const globals = process.argv.slice(2, process.argv.indexOf("prepare"));
      await program.parseAsync([...process.argv.slice(0, 2), ...globals, ...command, "--prepare", file]);
    });
}


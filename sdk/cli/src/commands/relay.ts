// Gasless writes and deployment: `prepare` signs any write for a relayer, `relay` submits a
// prepared operation paying gas with SIGIL_RELAYER_KEY, `deploy` records a registry.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { Command } from "commander";
import { createPublicClient, createWalletClient, isHex, zeroAddress, type Hex, type PublicClient, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { decodeSignedOperation, relayOperation, SignedOperationFormatError, type SignedOperation } from "sigil-did";
import { networkTransport, signedOperationOnChain, staleReason } from "sigil-did/internal";
import { deploymentFile, deployRegistry, readDeployment } from "sigil-did/node";
import { CliError, EXIT, readJson, type Context } from "../context.ts";
import { sentLine } from "../perform.ts";

type Ctx = () => Context;

/** The deployer's key, from SIGIL_PRIVATE_KEY only (a deployment needs no recorded network). */
function readKeyOnly(): Hex {
  const key = process.env.SIGIL_PRIVATE_KEY;
  if (!key) throw new CliError("no key: set SIGIL_PRIVATE_KEY to the deployer's 0x-prefixed private key (it pays the deployment)");
  if (!isHex(key) || key.length !== 66) throw new CliError("SIGIL_PRIVATE_KEY must be 32 bytes of 0x-prefixed hex");
  return key as Hex;
}

/** A prepared operation from a file, checked field by field so that a damaged file says what is wrong. */
function readPrepared(file: string): SignedOperation {
  const raw = readJson<Record<string, unknown>>(file, "prepared operation");
  try {
    return decodeSignedOperation(raw);
  } catch (e) {
    if (e instanceof SignedOperationFormatError)
      throw new CliError(`${file} is not a prepared operation (${e.problems.join("; ")}); sigil prepare or --prepare writes one`);
    throw new CliError(`cannot read a prepared operation from ${file}: ${(e as Error).message}`);
  }
}

/** sigil deploy: the registry on --network, recorded in --deployments (refusing a record of another chain under the same name). */
async function deploy(program: Command, options: { redeploy?: boolean }) {
  const globals = program.opts<{ network?: string; rpc?: string[]; deployments?: string; timeout?: string }>();
  const name = globals.network ?? "localhost";
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(name))
    throw new CliError(`network name "${name}" must be lower-case letters, digits and hyphens (it appears in DIDs)`);
  const env = process.env[`SIGIL_RPC_URL_${name.toUpperCase().replaceAll("-", "_")}`];
  const urls = globals.rpc?.length ? globals.rpc : env ? env.split(",") : name === "localhost" ? ["http://127.0.0.1:8545"] : [];
  if (urls.length === 0)
    throw new CliError(`give --rpc <url> for network "${name}" (or set SIGIL_RPC_URL_${name.toUpperCase().replaceAll("-", "_")})`);
  const key = readKeyOnly();
  const transport = networkTransport({
    chainId: 0,
    registry: zeroAddress,
    rpcUrls: urls,
    timeoutMs: globals.timeout ? Number(globals.timeout) : undefined,
  });
  const publicClient = createPublicClient({ transport, pollingInterval: 500 }) as PublicClient;
  const dir = resolve(globals.deployments ?? "deployments");
  const recorded = readDeployment(dir, name);
  if (recorded && !options.redeploy) {
    // Another chain behind the same name: its record is the only way to find its registry.
    const chainId = await publicClient.getChainId();
    if (recorded.chainId !== chainId) {
      throw new CliError(
        `${deploymentFile(dir, name)} records the registry of chain ${recorded.chainId}, and this RPC serves chain ${chainId}: ` +
          `record this chain under its own name (sigil --network <name> --rpc <url> deploy), or pass --redeploy to replace that record`,
      );
    }
  }
  const artifact = JSON.parse(readFileSync(createRequire(import.meta.url).resolve("sigil-did-contracts/build/SigilRegistry.json"), "utf8"));
  const result = await deployRegistry({
    wallet: createWalletClient({ account: privateKeyToAccount(key), transport }) as WalletClient,
    publicClient,
    networkName: name,
    artifact: { abi: artifact.abi, bytecode: artifact.bytecode },
    compiler: "solc 0.8.28",
    dir,
    redeploy: options.redeploy,
    log: (line) => console.error(line),
  });
  console.log(JSON.stringify(result.record, null, 2));
}

/** sigil relay: a prepared operation sent with SIGIL_RELAYER_KEY, unless it can no longer be (or a copy already took effect). */
async function relayPrepared(c: Context, file: string) {
  const signed = readPrepared(file);
  if (signed.registry.toLowerCase() !== c.network.registry.toLowerCase())
    throw new CliError(`${file} was signed for registry ${signed.registry}, not ${c.network.registry} (--network)`);
  if (signed.chainId !== c.network.chainId)
    throw new CliError(`${file} was signed for chain ${signed.chainId}, not ${c.network.chainId} (--network)`);
  const target = { registry: c.network.registry, publicClient: c.publicClient };
  const stale = await staleReason(target, signed);
  if (stale) {
    // A copy someone else sent first (a thief racing the owner's rotation) did what it asks: say so.
    const applied = await signedOperationOnChain(target, signed, c.network.fromBlock ?? 0n);
    if (applied) {
      return c.print(
        `✔ already done: this ${signed.operation.type} took effect in block ${applied.blockNumber} (tx ${applied.transactionHash}, sent by ${applied.sentBy}); nothing was sent`,
        { alreadyOnChain: true, ...applied },
      );
    }
    throw new CliError(`${file} can no longer be relayed: ${stale}; sign it again`, EXIT.refused);
  }
  const receipt = await c.spin(
    `relaying ${signed.operation.type}…`,
    relayOperation(c.walletFor(await c.key("SIGIL_RELAYER_KEY")), target, signed, { onSent: sentLine(c), timeoutMs: c.waitMs }),
  );
  c.print(`✔ relayed ${signed.operation.type} in block ${receipt.blockNumber} (tx ${receipt.hash}, gas ${receipt.gasUsed})`, receipt);
}

export function registerRelayCommands(program: Command, ctx: Ctx) {
  program
    .command("deploy")
    .description("deploy the registry to --network (with --rpc) and record it in --deployments (default ./deployments)")
    .option("--redeploy", "deploy anew even if a usable deployment is recorded")
    .action(async (options: { redeploy?: boolean }) => deploy(program, options));

  program
    .command("relay <file>")
    .description("submit a prepared (signed) operation, paying gas with SIGIL_RELAYER_KEY")
    .action(async (file: string) => relayPrepared(ctx(), file));

  program
    .command("prepare <file> <command...>")
    .description("sign any write command for a relayer instead of sending it: sigil prepare op.json key add <did> --delegate 0x…")
    .allowUnknownOption()
    .action(async (file: string, command: string[]) => {
      const globals = process.argv.slice(2, process.argv.indexOf("prepare"));
      await program.parseAsync([...process.argv.slice(0, 2), ...globals, ...command, "--prepare", file]);
    });
}

// `sigil serve`: the resolver service (Universal Resolver driver API and DID Resolution over
// HTTP) in front of one network, with graceful shutdown on SIGTERM/SIGINT.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { Command, Option } from "commander";
import { createSigilResolver, type SigilNetwork } from "sigil-did";
import { RELAY_PATH, startResolverService } from "sigil-did-service";
import { CliError, EXIT, type Context } from "../context.ts";

type Ctx = () => Context;

/** Origins as the service checks them, with a bad one a usage error (exit 2), not a crash. */
function validCors(cors: false | string | string[]) {
  if (cors === false || cors === "*") return cors;
  for (const origin of [cors].flat()) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || url.origin !== origin)
      throw new CliError(`--cors-origin "${origin}" must be an origin: scheme://host[:port], no path or trailing slash`);
  }
  return cors;
}

/** The built web console: the folder given, or the installed sigil-did-console's dist/. */
function consoleDir(value: string | true): string {
  let dir: string | undefined;
  if (typeof value === "string") dir = resolve(value);
  else {
    try {
      dir = join(dirname(createRequire(import.meta.url).resolve("sigil-did-console/package.json")), "dist");
    } catch {
      dir = undefined;
    }
  }
  if (!dir || !existsSync(join(dir, "index.html"))) {
    throw new CliError(
      `--console: no built web console${dir ? ` in ${dir}` : ""}; build it (npm run build) or give its folder: --console <dir>`,
    );
  }
  return dir;
}

const integer = (name: string, value: string, min = 0) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new CliError(`--${name} "${value}" must be a whole number >= ${min}`);
  return n;
};

/** The console's default network: this service's, with the RPC URLs browsers can reach. */
function consoleOptions(dir: string, network: SigilNetwork, rpc?: string[]) {
  for (const url of rpc ?? []) {
    if (!/^https?:\/\/[^/\s]+/.test(url)) throw new CliError(`--console-rpc "${url}" must be an http(s) URL`);
  }
  const rpcUrls = rpc ?? [...(network.rpcUrls ?? [])];
  return {
    dir,
    config: {
      network: {
        name: network.name,
        chainId: network.chainId,
        registry: network.registry,
        rpcUrls,
        ...(network.fromBlock ? { fromBlock: network.fromBlock.toString() } : {}),
      },
    },
  };
}

interface ServeCommandOptions {
  host: string;
  port: string;
  cacheMaxAge: string;
  cacheEntries: string;
  cache: boolean;
  maxBatch: string;
  logLevel: string;
  shutdownTimeout: string;
  corsOrigin?: string[];
  cors: boolean;
  console?: string | true;
  consoleRpc?: string[];
  relay?: boolean;
  relayPerMinute: string;
  relayPerIdentity: string;
}

/** sigil serve: the service (with the console and the relay if asked) until SIGTERM or SIGINT. */
async function serve(ctx: Ctx, o: ServeCommandOptions) {
  const envOrigins = process.env.SIGIL_CORS_ORIGINS?.split(",")
    .map((x) => x.trim())
    .filter(Boolean);
  const cors = o.cors === false ? false : (o.corsOrigin ?? envOrigins ?? "*");
  const c = ctx();
  const { network } = c;
  const relay = o.relay
    ? {
        relayer: c.walletFor(await c.key("SIGIL_RELAYER_KEY")),
        target: { registry: network.registry, publicClient: c.publicClient },
        chainId: network.chainId,
        maxPerMinute: integer("relay-per-minute", o.relayPerMinute, 1),
        maxPerIdentityPerMinute: integer("relay-per-identity", o.relayPerIdentity, 1),
      }
    : undefined;
  const consoleConfig = o.console ? consoleOptions(consoleDir(o.console), network, o.consoleRpc) : undefined;
  if (consoleConfig && relay) Object.assign(consoleConfig.config, { relayerUrl: RELAY_PATH });
  const resolver = createSigilResolver({
    networks: [network],
    cache: o.cache ? { maxAgeMs: integer("cache-max-age", o.cacheMaxAge), maxEntries: integer("cache-entries", o.cacheEntries, 1) } : false,
  });
  const port = integer("port", o.port);
  if (port > 65_535) throw new CliError(`--port ${port} is not a TCP port (0-65535)`);
  const service = await startResolverService({
    cors: validCors(cors),
    resolver,
    host: o.host,
    port,
    maxBatch: integer("max-batch", o.maxBatch, 1),
    logLevel: o.logLevel as "info",
    shutdownTimeoutMs: integer("shutdown-timeout", o.shutdownTimeout),
    console: consoleConfig,
    relay,
    proofs: { networks: [network] },
    stream: { networks: [network] },
  });
  service.logger.info(
    { network: network.name, chainId: network.chainId, registry: network.registry, cache: o.cache ? `max age ${o.cacheMaxAge} ms` : "off" },
    "resolving",
  );
  const signal = await new Promise<string>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  service.logger.info({ signal }, "signal received");
  // Exit now: idle keep-alive sockets to the RPC endpoints would hold the process for seconds.
  process.exit((await service.close()) ? EXIT.ok : EXIT.refused);
}

export function registerServeCommand(program: Command, ctx: Ctx) {
  program
    .command("serve")
    .description("run the resolver service: GET /1.0/identifiers/<did>, POST /1.0/identifiers, /healthz, /metrics")
    .addOption(new Option("--host <address>", "address to listen on").env("SIGIL_HOST").default("127.0.0.1"))
    .addOption(new Option("--port <n>", "port to listen on (0: any free port)").env("SIGIL_PORT").default("8080"))
    .addOption(
      new Option(
        "--cache-max-age <ms>",
        "serve a cached document this long without asking the chain (0: confirm each time with one eth_call)",
      )
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
    .addOption(
      new Option("--shutdown-timeout <ms>", "how long SIGTERM waits for in-flight requests")
        .env("SIGIL_SHUTDOWN_TIMEOUT_MS")
        .default("10000"),
    )
    .addOption(
      new Option("--cors-origin <origin>", "a web origin allowed to call the API (repeat; default any: *)").argParser(
        (v: string, acc: string[] = []) => [...acc, v],
      ),
    )
    .addOption(new Option("--no-cors", "send no CORS headers (browsers on other origins cannot call it)"))
    .addOption(
      new Option("--console [dir]", "also serve the web console at / (default: the built sigil-did-console)").env("SIGIL_CONSOLE_DIR"),
    )
    .addOption(
      new Option("--console-rpc <url>", "RPC URL the console's browsers use, if not the service's own (repeat)").argParser(
        (v: string, acc: string[] = []) => [...acc, v],
      ),
    )
    .addOption(
      new Option(
        "--relay",
        "also relay signed operations at POST /1.0/relay, paying their gas with SIGIL_RELAYER_KEY (the console offers it)",
      ),
    )
    .addOption(
      new Option("--relay-per-minute <n>", "most operations relayed per minute, rotations, approvals and cancellations apart")
        .env("SIGIL_RELAY_PER_MINUTE")
        .default("30"),
    )
    .addOption(
      new Option(
        "--relay-per-identity <n>",
        "most rotations and cancellations (and, apart, approvals) relayed per minute for one identity, and for one signer",
      )
        .env("SIGIL_RELAY_PER_IDENTITY")
        .default("5"),
    )
    .action(async (o: ServeCommandOptions) => serve(ctx, o));
}

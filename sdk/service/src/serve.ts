// Starts the resolver service on a host and port with a pino logger, and stops it gracefully:
// no new connections, in-flight requests finish (up to a deadline), then the port is freed.
import { pino, type Level, type Logger } from "pino";
import type { SigilResolver, SigilResolverConfig } from "sigil-did";
import { createResolverService, type CorsOrigins } from "./app.ts";
import type { StreamRouteOptions } from "./routes/stream.ts";
import { registerConsole, type ConsoleConfig, type ConsoleOptions } from "./console.ts";
import { relay, RELAY_PATH, type RelayOptions } from "./relay.ts";

export type { CorsOrigins, ConsoleConfig, ConsoleOptions, RelayOptions };
export { RELAY_PATH };

export interface ServeOptions {
  resolver: SigilResolver;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  logLevel?: Level | "silent";
  /** Where logs go; default stdout. */
  logDestination?: NodeJS.WritableStream;
  maxBatch?: number;
  /**
   * Web origins allowed to call the service from a browser (CORS): `"*"` (default) or `true` for
   * any, one origin or a list (`"https://console.example"`: scheme://host[:port], no path), or
   * `false` for none. An invalid origin throws a TypeError before anything listens.
   */
  cors?: CorsOrigins;
  /** How long close() waits for in-flight requests before dropping them. Default 10 s. */
  shutdownTimeoutMs?: number;
  /** Also serve a built web console at "/" (static files, strict CSP); the API is unchanged. */
  console?: ConsoleOptions;
  /** Also relay signed operations at POST /1.0/relay, paying their gas from `relay.relayer`. */
  relay?: RelayOptions;
  /** The resolver's networks: also serve GET /1.0/proofs/{did} (proven documents with their material). */
  proofs?: SigilResolverConfig;
  /** Also serve POST /1.0/stream/{network}, the registry's events for private watchers. */
  stream?: StreamRouteOptions;
}

export interface RunningService {
  url: string;
  logger: Logger;
  /** Stops accepting, lets in-flight requests finish; resolves `false` when the deadline cut some off. */
  close(): Promise<boolean>;
}

export async function startResolverService(options: ServeOptions): Promise<RunningService> {
  // Synchronous writes to stdout: nothing is lost when the process exits right after close().
  const destination = options.logDestination ?? pino.destination({ dest: 1, sync: true });
  const logger = pino({ level: options.logLevel ?? "info", base: { service: "sigil-resolver" } }, destination);
  const app = createResolverService({
    resolver: options.resolver,
    logger,
    maxBatch: options.maxBatch,
    cors: options.cors,
    proofs: options.proofs,
    stream: options.stream,
  });
  if (options.relay) app.register(relay, options.relay);
  const consoleFiles = options.console ? registerConsole(app, options.console) : undefined;
  const address = await app.listen({ host: options.host ?? "127.0.0.1", port: options.port ?? 8080 });
  logger.info({ address }, "listening");
  if (consoleFiles) logger.info({ console: `${address}/`, files: consoleFiles.files }, "web console");
  if (options.relay)
    logger.info({ relay: `${address}${RELAY_PATH}`, relayer: options.relay.relayer.account?.address }, "relaying signed operations");
  let closing: Promise<boolean> | undefined;
  return {
    url: address,
    logger,
    close() {
      closing ??= (async () => {
        logger.info("shutting down: finishing in-flight requests");
        const deadline = options.shutdownTimeoutMs ?? 10_000;
        let timer: NodeJS.Timeout | undefined;
        const expired = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), deadline)));
        const finished = await Promise.race([app.close().then(() => true as const), expired]);
        clearTimeout(timer);
        if (!finished) {
          logger.warn({ deadlineMs: deadline }, "in-flight requests did not finish in time; closing their connections");
          app.server.closeAllConnections();
        }
        logger.info("stopped");
        return finished;
      })();
      return closing;
    },
  };
}

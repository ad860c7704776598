// Serves a built web console (sigil-did-console's dist/ folder) at "/" beside the API. Each file
// of the folder gets its own GET (and HEAD) route, read once at startup: no wildcard route, so the
// API's own answers (problem details for unknown paths, 405 with Allow) stay exactly as they are,
// and no request path is ever joined to a file-system path. Every file is sent with its content
// type, an ETag, and a strict Content-Security-Policy: scripts and styles from this origin only,
// no inline code, and connections to this origin and the configured RPC endpoints only.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

export interface ConsoleOptions {
  /** The built console: a folder holding index.html, app.js, app.css (sigil-did-console's dist/). */
  dir: string;
  /** Served as /config.json in place of the folder's own: the network the page reads by default. */
  config?: ConsoleConfig;
  /**
   * Origins the page may connect to besides its own: the CSP's connect-src. Default: the origins
   * of `config.network.rpcUrls` and of `config.relayerUrl`.
   */
  connectSrc?: readonly string[];
}

/** What the console reads from /config.json (every member optional; the page's query overrides). */
export interface ConsoleConfig {
  network?: { name?: string; chainId?: number; registry?: string; rpcUrls?: readonly string[]; fromBlock?: string };
  /** Warn when keys changed within this many days. */
  recentDays?: number;
  /** Where the page sends signed operations to be relayed: a URL, or a path on this service ("/1.0/relay"). */
  relayerUrl?: string;
  [key: string]: unknown;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

/** The origin of a URL (scheme://host[:port]); a TypeError naming `what` when it is not an http(s) URL. */
function originOf(url: string, what: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`${what} "${url.slice(0, 120)}" is not a URL`);
  }
  if (!["http:", "https:", "ws:", "wss:"].includes(parsed.protocol)) throw new TypeError(`${what} "${url.slice(0, 120)}" must be http(s) or ws(s)`);
  return parsed.origin;
}

/** The policy sent with every console file. */
export function consoleCsp(connectSrc: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    `connect-src ${["'self'", ...new Set(connectSrc)].join(" ")}`,
    "media-src 'self' blob:",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name.startsWith(".")) continue; // no dotfiles (.tsbuildinfo, editors' files)
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else if (TYPES[extname(name)]) out.push(path);
  }
  return out;
}

/** Adds the console's routes to `app` (before it listens). Throws when `dir` holds no index.html. */
export function registerConsole(app: FastifyInstance, options: ConsoleOptions): { files: number; csp: string } {
  const { dir } = options;
  if (!existsSync(join(dir, "index.html"))) {
    throw new TypeError(`no web console in ${dir}: expected a built sigil-did-console folder with index.html (npm run build)`);
  }
  const config = options.config;
  const connect =
    options.connectSrc?.map((o) => originOf(o, "console connect origin")) ??
    // A relayer on this service ("/1.0/relay") is the page's own origin: 'self' covers it.
    [...(config?.network?.rpcUrls ?? []), ...(config?.relayerUrl && !config.relayerUrl.startsWith("/") ? [config.relayerUrl] : [])].map((u) => originOf(u, "console RPC URL"));
  const csp = consoleCsp(connect);
  const headers = {
    "content-security-policy": csp,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    // Revalidated on every load (ETag): a rebuilt console is picked up at once.
    "cache-control": "no-cache",
  };
  const files = new Map<string, { body: Buffer; type: string; etag: string }>();
  for (const path of filesUnder(dir)) {
    const route = `/${relative(dir, path).split(sep).join("/")}`;
    const body = readFileSync(path);
    files.set(route, { body, type: TYPES[extname(path)], etag: "" });
  }
  if (config) files.set("/config.json", { body: Buffer.from(JSON.stringify(config, null, 2)), type: TYPES[".json"], etag: "" });
  for (const file of files.values()) file.etag = `"${createHash("sha256").update(file.body).digest("base64url").slice(0, 27)}"`;

  const serve = (file: { body: Buffer; type: string; etag: string }) => async (request: FastifyRequest, reply: FastifyReply) => {
    reply.headers(headers).header("content-type", file.type).header("etag", file.etag);
    if (request.headers["if-none-match"] === file.etag) return reply.code(304).send();
    return reply.send(file.body);
  };
  for (const [route, file] of files) app.get(route, serve(file));
  app.get("/", serve(files.get("/index.html")!));
  return { files: files.size, csp };
}

// Serves a built web console (sigil-did-console's dist/ folder) at "/" beside the API. Each file
// of the folder gets its own GET (and HEAD) route, read (and gzipped) once at startup: no wildcard
// route, so the API's own answers (problem details for unknown paths, 405 with Allow) stay exactly
// as they are, and no request path is ever joined to a file-system path. Every file is sent with
// its content type, an ETag, brotli (the build's precompressed <file>.br) or gzip when the browser
// accepts it, and a strict Content-Security-Policy: scripts and styles from this origin only, no
// inline code, and connections to this origin and the configured RPC endpoints only. Hashed chunks
// are immutable.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { brotliDecompressSync, gzipSync } from "node:zlib";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

export interface ConsoleOptions {
  /** The built console: a folder holding index.html, app.js, app.css (sigil-did-console's dist/). */
  dir: string;
  /** Served as /config.json in place of the folder's own: the network the page reads by default.
   * The folder's explorer is kept when this names none and both are for the same chain. */
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
  /** Where the page links transaction hashes and addresses: URL templates with {hash} and {address}. */
  explorer?: ConsoleExplorer;
  [key: string]: unknown;
}

/** A block explorer's URL templates, e.g. { tx: "https://etherscan.io/tx/{hash}", address: "https://etherscan.io/address/{address}" }. */
export interface ConsoleExplorer {
  tx?: string;
  address?: string;
}

const PLACEHOLDER = { tx: "{hash}", address: "{address}" } as const;

/** `explorer` when each template is an http(s) URL holding its placeholder; a TypeError naming the bad one. */
export function checkExplorer(explorer: unknown, where: string): ConsoleExplorer {
  if (typeof explorer !== "object" || explorer === null || Array.isArray(explorer))
    throw new TypeError(`${where}: explorer must be an object { tx, address }`);
  for (const [key, template] of Object.entries(explorer)) {
    const placeholder = PLACEHOLDER[key as keyof typeof PLACEHOLDER];
    if (!placeholder) throw new TypeError(`${where}: explorer.${key} is not known (explorer has tx and address)`);
    const valid = typeof template === "string" && template.includes(placeholder) && URL.canParse(template.replaceAll(placeholder, "0x0"));
    if (!valid || !/^https?:$/.test(new URL(template.replaceAll(placeholder, "0x0")).protocol)) {
      throw new TypeError(`${where}: explorer.${key} "${String(template).slice(0, 120)}" must be an http(s) URL holding ${placeholder}`);
    }
  }
  return explorer as ConsoleExplorer;
}

/** What /config.json serves: `config` (its explorer checked), with the explorer of the folder's own
 * config.json when `config` names none and both are for the same chain (another chain's explorer
 * would link to the wrong transactions); undefined: the folder's file as it is. */
function servedConfig(dir: string, config: ConsoleConfig | undefined): ConsoleConfig | undefined {
  if (!config) return undefined;
  if (config.explorer !== undefined) return { ...config, explorer: checkExplorer(config.explorer, "console config") };
  const path = join(dir, "config.json");
  if (!existsSync(path)) return config;
  let own: ConsoleConfig;
  try {
    own = JSON.parse(readFileSync(path, "utf8")) as ConsoleConfig;
  } catch {
    return config; // the folder's file is replaced: what it holds does not matter
  }
  if (own.explorer === undefined || own.network?.chainId !== config.network?.chainId) return config;
  return { ...config, explorer: checkExplorer(own.explorer, path) };
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
  if (!["http:", "https:", "ws:", "wss:"].includes(parsed.protocol))
    throw new TypeError(`${what} "${url.slice(0, 120)}" must be http(s) or ws(s)`);
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

interface ConsoleFile {
  body: Buffer;
  /** The body gzipped once at startup, when that makes it smaller (text: the scripts shrink ~3x). */
  gzip?: Buffer;
  /** The build's brotli copy (<file>.br), when it decompresses to the body (never a stale one). */
  br?: Buffer;
  type: string;
  etag: string;
  cacheControl: string;
}

/** esbuild's chunks are named by the hash of their content (chunk-[hash].js): a name never changes
 * meaning, so browsers keep them for a year without asking. Everything else is revalidated on
 * every load (ETag), so that a rebuilt console is picked up at once. */
const HASHED = /^\/chunk-[A-Z0-9]{8,}\.js$/;

function consoleFile(route: string, body: Buffer, type: string, br?: Buffer): ConsoleFile {
  const zipped =
    /^(text\/|application\/(json|manifest)|image\/svg)/.test(type) && body.length > 512 ? gzipSync(body, { level: 9 }) : undefined;
  return {
    body,
    gzip: zipped && zipped.length < body.length ? zipped : undefined,
    br: br && br.length < body.length && sameBody(br, body) ? br : undefined,
    type,
    etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`,
    cacheControl: HASHED.test(route) ? "public, max-age=31536000, immutable" : "no-cache",
  };
}

/** Whether a brotli copy decompresses to `body` (a .br left from an earlier build does not). */
function sameBody(br: Buffer, body: Buffer): boolean {
  try {
    return brotliDecompressSync(br).equals(body);
  } catch {
    return false;
  }
}

/** The brotli copy the build wrote beside `path`, if any. */
const brotliCopy = (path: string) => (existsSync(`${path}.br`) ? readFileSync(`${path}.br`) : undefined);

/** The encoding to send `file` in: the one of its copies that an Accept-Encoding header prefers (by
 * name or "*", with a q above 0; brotli on a tie: it is smaller), or none (identity). */
function encodingFor(file: ConsoleFile, header: string | string[] | undefined): "br" | "gzip" | undefined {
  const codings = new Map<string, number>();
  for (const part of String(header ?? "").split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
    if (name) codings.set(name, q ? Number(q[1]) : 1);
  }
  const q = (name: string) => codings.get(name) ?? codings.get("*") ?? 0;
  const br = file.br ? q("br") : 0;
  const gzip = file.gzip ? q("gzip") : 0;
  if (br > 0 && br >= gzip) return "br";
  return gzip > 0 ? "gzip" : undefined;
}

const ETAG_SUFFIX = { br: '-br"', gzip: '-gz"' } as const;

/** Adds the console's routes to `app` (before it listens). Throws when `dir` holds no index.html. */
export function registerConsole(app: FastifyInstance, options: ConsoleOptions): { files: number; csp: string } {
  const { dir } = options;
  if (!existsSync(join(dir, "index.html"))) {
    throw new TypeError(`no web console in ${dir}: expected a built sigil-did-console folder with index.html (npm run build)`);
  }
  const config = servedConfig(dir, options.config);
  const connect =
    options.connectSrc?.map((o) => originOf(o, "console connect origin")) ??
    // A relayer on this service ("/1.0/relay") is the page's own origin: 'self' covers it.
    [...(config?.network?.rpcUrls ?? []), ...(config?.relayerUrl && !config.relayerUrl.startsWith("/") ? [config.relayerUrl] : [])].map(
      (u) => originOf(u, "console RPC URL"),
    );
  const csp = consoleCsp(connect);
  const headers = {
    "content-security-policy": csp,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
  };
  const files = new Map<string, ConsoleFile>();
  for (const path of filesUnder(dir)) {
    const route = `/${relative(dir, path).split(sep).join("/")}`;
    files.set(route, consoleFile(route, readFileSync(path), TYPES[extname(path)], brotliCopy(path)));
  }
  if (config) files.set("/config.json", consoleFile("/config.json", Buffer.from(JSON.stringify(config, null, 2)), TYPES[".json"]));

  const serve = (file: ConsoleFile) => async (request: FastifyRequest, reply: FastifyReply) => {
    const encoding = encodingFor(file, request.headers["accept-encoding"]);
    const etag = encoding ? file.etag.replace(/"$/, ETAG_SUFFIX[encoding]) : file.etag;
    reply.headers(headers).header("content-type", file.type).header("etag", etag).header("cache-control", file.cacheControl);
    // Always: a cache must not hand one browser's encoding to another, even for a file sent as is.
    reply.header("vary", "accept-encoding");
    if (encoding) reply.header("content-encoding", encoding);
    if (request.headers["if-none-match"] === etag) return reply.code(304).send();
    return reply.send(encoding ? file[encoding] : file.body);
  };
  for (const [route, file] of files) app.get(route, serve(file));
  app.get("/", serve(files.get("/index.html")!));
  return { files: files.size, csp };
}

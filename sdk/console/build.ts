// Builds the web console into dist/: index.html, its JavaScript (esbuild: the SDK, viem and the
// QR library bundled, so the page loads nothing from any other host; what the document does not
// need is split into chunks loaded after it), its stylesheet, an icon and config.json (the
// default network; `sigil serve --console` serves its own).
//   node build.ts [--out <dir>] [--config <file.json>] [--csp "<connect origins>"]
// The config (--config, else config.json here) holds network, recentDays, relayerUrl and, optionally,
// explorer: { tx: "https://…/tx/{hash}", address: "https://…/address/{address}" }, where the page
// links transaction hashes and addresses (checked here: http(s), with the placeholder).
// --csp adds a Content-Security-Policy <meta> for static hosts that cannot send the header
// (`sigil serve` sends it): connections only to this origin and the origins given.
// Every text file but config.json gets a brotli copy beside it (app.js.br: quality 11, too slow to
// compress per request or at a server's startup), which `sigil serve --console` sends to browsers
// that accept br (and static hosts with precompressed files, nginx's brotli_static, can send too).
import { build, type Plugin } from "esbuild";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { explorerTemplate } from "./src/explorer.ts";

const here = import.meta.dirname;

/**
 * The SDK's guardians module imports @openzeppelin/merkle-tree (CommonJS, so esbuild keeps it
 * and its dependencies, ~130 KB, even when nothing calls it). The console builds no guardian
 * trees: marked free of side effects, it is dropped unless a function that uses it is imported.
 */
const pureMerkleTree: Plugin = {
  name: "pure-merkle-tree",
  setup(b) {
    b.onResolve({ filter: /^@openzeppelin\/merkle-tree$/ }, async (args) => {
      if (args.pluginData === "pure") return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: "pure" });
      return { ...r, sideEffects: false };
    });
  },
};

export interface ConsoleBuild {
  outDir: string;
  /** Bytes of each file written (its .br copy apart), minified, gzip -9 and brotli (its .br copy,
   * or the file itself when not compressed); `initial`: loaded before the first render. */
  files: { file: string; bytes: number; gzipBytes: number; brotliBytes: number; initial: boolean }[];
}

export async function buildConsole(options: { outDir?: string; config?: string; csp?: string } = {}): Promise<ConsoleBuild> {
  const config = options.config ? resolve(options.config) : join(here, "config.json");
  checkExplorer(config);
  const outDir = resolve(options.outDir ?? join(here, "dist"));
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    metafile: true,
    entryPoints: { app: join(here, "src", "main.ts"), "app-style": join(here, "src", "styles.css") },
    outdir: outDir,
    bundle: true,
    minify: true,
    format: "esm",
    // The forms and safety numbers (viem's accounts and write actions, the QR library) load after the document.
    splitting: true,
    chunkNames: "chunk-[hash]",
    platform: "browser",
    target: ["es2022", "chrome109", "firefox115", "safari16"],
    legalComments: "eof",
    logLevel: "warning",
    define: { "process.env.NODE_ENV": '"production"' },
    plugins: [pureMerkleTree],
  });
  // What the first render waits for: app.js and the chunks it imports statically (the rest load on
  // demand). Preloaded from index.html, so that they download with app.js, not after it.
  const outputs = result.metafile.outputs;
  const key = (file: string) => Object.keys(outputs).find((k) => k.endsWith(`/${file}`))!;
  const initial = new Set<string>();
  const visit = (k: string) => {
    const name = k.split("/").pop()!;
    if (initial.has(name)) return;
    initial.add(name);
    for (const i of outputs[k].imports) if (i.kind === "import-statement") visit(key(i.path.split("/").pop()!));
  };
  visit(key("app.js"));
  // The reading code (chain.ts: the SDK and viem) is imported dynamically, so that the lookup form
  // renders without waiting for it; preloaded all the same, so that it downloads beside app.js.
  const reading = new Set<string>();
  const chainChunk = Object.keys(outputs).find((k) => outputs[k].entryPoint?.endsWith("src/chain.ts"));
  const visitReading = (k: string) => {
    const name = k.split("/").pop()!;
    if (reading.has(name) || initial.has(name)) return;
    reading.add(name);
    for (const i of outputs[k].imports) if (i.kind === "import-statement") visitReading(key(i.path.split("/").pop()!));
  };
  if (chainChunk) visitReading(chainChunk);
  // An empty chunk (a module of re-exports only, such as sigil-did/internal) needs no preload.
  const preload = [...initial, ...reading]
    .filter((f) => f !== "app.js" && outputs[key(f)].bytes > 0)
    .map((f) => `    <link rel="modulepreload" href="${f}">`)
    .join("\n");
  let html = readFileSync(join(here, "src", "index.html"), "utf8");
  html = insertAfter(html, /^\s*<script type="module" src="app\.js"><\/script>$/m, preload);
  if (options.csp !== undefined) {
    const origins = options.csp
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((o) => new URL(o).origin);
    const policy =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
      `connect-src 'self' ${origins.join(" ")}; media-src 'self' blob:; base-uri 'none'; form-action 'none'`;
    html = insertAfter(html, /^\s*<meta charset="utf-8"\s*\/?>$/m, `    <meta http-equiv="Content-Security-Policy" content="${policy}">`);
  }
  writeFileSync(join(outDir, "index.html"), html);
  copyFileSync(join(here, "src", "favicon.svg"), join(outDir, "favicon.svg"));
  copyFileSync(config, join(outDir, "config.json"));
  const brotli = precompress(outDir);
  const order = (f: string) => ["index.html", "app.js", "app-style.css"].indexOf(f) >>> 0;
  const files = readdirSync(outDir)
    .filter((file) => !file.endsWith(".br"))
    .sort((a, b) => order(a) - order(b) || a.localeCompare(b))
    .map((file) => {
      const body = readFileSync(join(outDir, file));
      return { file, bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length, brotliBytes: brotli.get(file) ?? body.length };
    });
  initial.add("index.html").add("app-style.css");
  return { outDir, files: files.map((f) => ({ ...f, initial: initial.has(f.file) })) };
}

/** Refuses a config whose explorer templates the page would ignore (not http(s), or without their
 * placeholder): better a failed build than a console that silently links nowhere. */
function checkExplorer(configFile: string) {
  const { explorer } = JSON.parse(readFileSync(configFile, "utf8")) as { explorer?: Record<string, unknown> };
  if (explorer === undefined) return;
  if (typeof explorer !== "object" || explorer === null) throw new TypeError(`${configFile}: explorer must be an object { tx, address }`);
  for (const [kind, template] of Object.entries(explorer)) {
    if ((kind !== "tx" && kind !== "address") || !explorerTemplate(template, kind)) {
      const placeholder = kind === "tx" ? "{hash}" : "{address}";
      throw new TypeError(
        `${configFile}: explorer.${kind} must be an http(s) URL template holding ${placeholder} (explorer has tx and address)`,
      );
    }
  }
}

/** Writes `<file>.br` beside each text file worth compressing, when brotli makes it smaller; returns
 * their sizes. Not config.json: a host edits it after the build, and a stale .br would win. */
function precompress(outDir: string): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const file of readdirSync(outDir)) {
    if (!/\.(html|js|css|svg)$/.test(file)) continue;
    const body = readFileSync(join(outDir, file));
    if (body.length <= 512) continue;
    const params = {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    };
    const br = brotliCompressSync(body, { params });
    if (br.length >= body.length) continue;
    writeFileSync(join(outDir, `${file}.br`), br);
    sizes.set(file, br.length);
  }
  return sizes;
}

if (process.argv[1] === import.meta.filename) {
  const { values } = parseArgs({ options: { out: { type: "string" }, config: { type: "string" }, csp: { type: "string" } } });
  const result = await buildConsole({ outDir: values.out, config: values.config, csp: values.csp });
  const sum = (size: (f: ConsoleBuild["files"][number]) => number) => (result.files.reduce((a, f) => a + size(f), 0) / 1024).toFixed(1);
  console.log(
    `console built in ${result.outDir}: ${sum((f) => f.bytes)} KB, ${sum((f) => f.gzipBytes)} KB gzip, ${sum((f) => f.brotliBytes)} KB brotli`,
  );
}

/** Inserts `lines` after the line `marker` matches; a page whose markup no longer has it fails the
 * build (a silent miss would ship a console without its CSP or preloads). */
function insertAfter(html: string, marker: RegExp, lines: string): string {
  const match = marker.exec(html);
  if (!match) throw new Error(`sdk/console/src/index.html has no line matching ${marker}: the build cannot place what goes after it`);
  const end = match.index + match[0].length;
  return lines ? `${html.slice(0, end)}\n${lines}${html.slice(end)}` : html;
}

// Browser bundle sizes, measured the way apps ship them: esbuild (bundle, minify, ESM, browser
// platform, tree-shaking) and gzip, for Sigil's resolver alone, with message verification, and
// the whole browser SDK, side by side with ethr-did-resolver + did-resolver (+ did-jwt). Each
// entry keeps what it imports reachable, so nothing is dropped that an app would use. The verified
// mode is a dynamic import that app bundlers put in a chunk of its own, loaded only when a network
// has `verify`: it counts for the entry that sets verify (all in one file), not for the others.
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { build, type Plugin } from "esbuild";

const root = join(import.meta.dirname, "..", "..");

export const BUNDLES: Record<string, string> = {
  "sigil: resolver": `import { Resolver } from "did-resolver"; import { getResolver } from "sigil-did";
globalThis.r = new Resolver(getResolver({ networks: [{ chainId: 1, registry: "0x0000000000000000000000000000000000000001", rpcUrls: ["http://x"] }] }));`,
  "sigil: resolver + message verification": `import { createSigilResolver, verifyMessage } from "sigil-did";
globalThis.v = (jwt) => verifyMessage(jwt, createSigilResolver({ networks: [{ chainId: 1, registry: "0x0000000000000000000000000000000000000001", rpcUrls: ["http://x"] }] }));`,
  "sigil: resolver with verification (verify set)": `import { Resolver } from "did-resolver"; import { getResolver } from "sigil-did";
globalThis.r = new Resolver(getResolver({ networks: [{ chainId: 1, registry: "0x0000000000000000000000000000000000000001", rpcUrls: ["http://x"], verify: { k: 1 } }] }));`,
  "sigil: whole browser SDK": `import * as sdk from "sigil-did"; globalThis.sdk = sdk;`,
  "ethr-did-resolver: resolver": `import { Resolver } from "did-resolver"; import { getResolver } from "ethr-did-resolver";
globalThis.r = new Resolver(getResolver({ networks: [{ chainId: 1, registry: "0x0000000000000000000000000000000000000001", rpcUrl: "http://x" }] }));`,
  "ethr-did-resolver: resolver + message verification": `import { Resolver } from "did-resolver"; import { getResolver } from "ethr-did-resolver"; import { verifyJWT } from "did-jwt";
const resolver = new Resolver(getResolver({ networks: [{ chainId: 1, registry: "0x0000000000000000000000000000000000000001", rpcUrl: "http://x" }] }));
globalThis.v = (jwt) => verifyJWT(jwt, { resolver });`,
};

/** The verified mode, left out of entries that never load it (a separate chunk in an app's build). */
const lazyChunk: Plugin = {
  name: "verified-mode-chunk",
  setup(b) {
    // The carried-proof check is loaded the same way by verifyMessage (when a message carries a proof),
    // and the crowd by a network with `crowd`;
    // an entry that imports it statically (the whole SDK) still counts it.
    b.onResolve({ filter: /(verified-histories|carried|crowd)\.js$/ }, (args) =>
      args.kind === "dynamic-import" ? { path: args.path, external: true } : undefined,
    );
  },
};

export interface BundleSize {
  bundle: string;
  minifiedBytes: number;
  gzipBytes: number;
}

export async function measureBundle(name: string, source: string): Promise<BundleSize> {
  const result = await build({
    stdin: { contents: source, resolveDir: root, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
    define: { "process.env.NODE_ENV": '"production"' },
    plugins: name.includes("verify") ? [] : [lazyChunk],
  });
  const code = result.outputFiles[0].contents;
  return { bundle: name, minifiedBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}

export async function measureBundles(): Promise<BundleSize[]> {
  const out: BundleSize[] = [];
  for (const [name, source] of Object.entries(BUNDLES)) out.push(await measureBundle(name, source));
  return out;
}

if (process.argv[1] === import.meta.filename) {
  for (const b of await measureBundles())
    console.log(
      `${b.bundle.padEnd(50)} ${(b.minifiedBytes / 1024).toFixed(1).padStart(7)} KB  ${(b.gzipBytes / 1024).toFixed(1).padStart(6)} KB gzip`,
    );
}

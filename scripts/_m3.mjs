import { build } from "esbuild";
const r = await build({ stdin: { contents: `import { Resolver } from "did-resolver"; import { getResolver } from "sigil-did"; globalThis.r = new Resolver(getResolver({ networks: [{ chainId: 1, registry: "0x0000000000000000000000000000000000000001", rpcUrls: ["http://x"] }] }));`, resolveDir: process.cwd(), loader: "js" },
  bundle: true, minify: true, format: "esm", platform: "browser", target: "es2022", write: false, metafile: true, logLevel: "silent",
  plugins: [{ name: "x", setup(b) { b.onResolve({ filter: /verified-mode\.js$/ }, (a) => ({ path: a.path, external: true })); } }] });
const o = Object.values(r.metafile.outputs)[0];
for (const [inp, v] of Object.entries(o.inputs)) console.log(v.bytesInOutput, inp.replace(/.*node_modules\//,''));

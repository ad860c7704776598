#!/usr/bin/env node
// The `sigil` executable npm links at install time. It is committed (not built) because npm links
// a workspace's bins during `npm ci`, before dist/ exists: a bin that pointed into dist/ was
// never linked, and `npx sigil` failed with "could not determine executable to run". In a
// repository checkout that was never built, it compiles the CLI and the packages it needs once
// (tsc -b, about half a minute) instead of failing; a published package ships dist/.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const built = new URL("../dist/bin.js", import.meta.url);
if (!existsSync(built)) {
  const tsconfig = fileURLToPath(new URL("../tsconfig.json", import.meta.url));
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  } catch {
    tsc = undefined;
  }
  if (!tsc || !existsSync(tsconfig)) {
    console.error(
      "sigil: this copy of the CLI has no dist/: run `npm run build` in the repository, or install the published sigil-did-cli.",
    );
    process.exit(2);
  }
  console.error("sigil: building the CLI once (tsc -b sdk/cli; `npm run build` builds everything)…");
  const build = spawnSync(process.execPath, [tsc, "-b", tsconfig], { stdio: ["ignore", 2, 2] });
  if (build.status !== 0 || !existsSync(built)) {
    console.error("sigil: the build failed (above); run `npm run build` and try again.");
    process.exit(2);
  }
}
await import(built.href);

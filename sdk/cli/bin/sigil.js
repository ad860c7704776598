#!/usr/bin/env node
// The `sigil` executable npm links at install time. It is committed (not built) because npm links
// a workspace's bins during `npm ci`, before dist/ exists: a bin that pointed into dist/ was
// never linked, and `npx sigil` failed with "could not determine executable to run".
import { existsSync } from "node:fs";

const built = new URL("../dist/bin.js", import.meta.url);
if (!existsSync(built)) {
  console.error("sigil: the CLI is not built yet: run `npm run build` in the repository, then try again.");
  process.exit(2);
}
await import(built.href);

// `npm run pack:all`: the four packages as npm would publish them, into ./packs (build first).
import { join } from "node:path";
import { packWorkspaces } from "../test/support/packages.ts";

for (const p of packWorkspaces(join(import.meta.dirname, "..", "packs"))) {
  console.log(`${p.file}  ${(p.size / 1024).toFixed(0)} kB, ${p.entryCount} files`);
}

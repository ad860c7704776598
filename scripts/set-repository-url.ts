// The repository's address appears in every workspace package's "repository", "homepage" and
// "bugs" fields (npm shows them, and resolves a package README's relative links against them).
// Until the repository has a public address they hold a placeholder (https://git.example/sigil:
// .example can never resolve); this replaces the address in all of them at once, as text, so
// each file keeps its formatting.
//   node scripts/set-repository-url.ts https://github.com/<owner>/<name>
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const next = process.argv[2]?.replace(/\/+$/, "");
if (!next || !/^https:\/\/[^\s"]+$/.test(next)) {
  console.error("usage: node scripts/set-repository-url.ts https://<host>/<owner>/<name>");
  process.exit(2);
}
const rootPackage = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { repository: { url: string }; workspaces: string[] };
const current = rootPackage.repository.url.replace(/^git\+/, "").replace(/\.git$/, "");
for (const dir of [".", ...rootPackage.workspaces]) {
  const file = join(root, dir, "package.json");
  const text = readFileSync(file, "utf8");
  if (!text.includes(current)) continue;
  writeFileSync(file, text.replaceAll(current, next));
  console.log(`${join(dir, "package.json")}: ${current} → ${next}`);
}

// Fails when a link in the docs leads nowhere: every relative link and image in README.md,
// docs/*.md and the package READMEs must name a file or folder of the repository, and every
// #anchor a heading of the file it points into (GitHub's heading ids). Repository paths quoted in
// code (`sdk/core/src/abi.ts`, `test/demo.ts`) must exist too, so that moving a file without
// fixing the docs is caught. Links to other sites are not fetched.
//   node scripts/check-links.ts
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = join(import.meta.dirname, "..");

/** The Markdown files whose links are checked. */
function docFiles(): string[] {
  const inDir = (dir: string, match: (name: string) => boolean) =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir))
          .filter(match)
          .map((name) => join(dir, name))
      : [];
  const packages = readdirSync(join(root, "sdk"))
    .map((name) => join("sdk", name, "README.md"))
    .filter((file) => existsSync(join(root, file)));
  return ["README.md", "contracts/README.md", ...packages, ...inDir("docs", (name) => name.endsWith(".md"))].filter((file) =>
    existsSync(join(root, file)),
  );
}

/** Each line outside fenced code blocks, with its line number. */
function proseLines(text: string): { line: string; number: number }[] {
  let fenced = false;
  return text.split("\n").flatMap((line, i) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return [];
    }
    return fenced ? [] : [{ line, number: i + 1 }];
  });
}

/** The id GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]+>/g, "")
    .replace(/[`*]/g, "")
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

const anchorCache = new Map<string, Set<string>>();
/** The heading ids of a Markdown file, numbered as GitHub numbers repeated ones. */
function anchorsOf(file: string): Set<string> {
  const cached = anchorCache.get(file);
  if (cached) return cached;
  const seen = new Map<string, number>();
  const ids = new Set<string>();
  for (const { line } of proseLines(readFileSync(file, "utf8"))) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    ids.add(n === 0 ? base : `${base}-${n}`);
  }
  anchorCache.set(file, ids);
  return ids;
}

/** Link targets on a line: Markdown links and images, and HTML src/href attributes. */
function targetsOn(line: string): string[] {
  const withoutCode = line.replace(/`[^`]*`/g, "");
  const markdown = [...withoutCode.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
  const html = [...withoutCode.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  return [...markdown, ...html];
}

/** Repository paths quoted in inline code: a top-level folder of the repository, then a file with an extension. */
function quotedPathsOn(line: string): string[] {
  return [...line.matchAll(/`([^`]+)`/g)].flatMap((m) =>
    [...m[1].matchAll(/(?:^|[\s(=])((?:sdk|test|scripts|docs|contracts)\/[\w./-]*\.[a-z]+)\b/g)].map((p) => p[1]),
  );
}

function problemsWith(target: string, file: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // another site (https:, mailto:)
  const [path, anchor] = target.split("#", 2);
  const resolved = path === "" ? join(root, file) : resolve(dirname(join(root, file)), decodeURIComponent(path));
  if (!resolved.startsWith(root)) return `${target} leaves the repository`;
  if (!existsSync(resolved)) return `${target}: no such file or folder`;
  if (anchor === undefined) return undefined;
  if (statSync(resolved).isDirectory() || !resolved.endsWith(".md"))
    return `${target}: an anchor into something that is not a Markdown file`;
  if (!anchorsOf(resolved).has(anchor)) return `${target}: ${relative(root, resolved)} has no heading with the id "${anchor}"`;
  return undefined;
}

const problems: string[] = [];
const files = docFiles();
let links = 0;
for (const file of files) {
  for (const { line, number } of proseLines(readFileSync(join(root, file), "utf8"))) {
    for (const target of targetsOn(line)) {
      links++;
      const problem = problemsWith(target, file);
      if (problem) problems.push(`${file}:${number}: ${problem}`);
    }
    for (const path of quotedPathsOn(line)) {
      if (!existsSync(join(root, path))) problems.push(`${file}:${number}: \`${path}\` is quoted but does not exist`);
    }
  }
}
if (problems.length > 0) {
  console.error(`${problems.length} broken link(s) or path(s) in the docs:\n${problems.join("\n")}`);
  process.exit(1);
}
console.log(`${links} links in ${files.length} files resolve`);

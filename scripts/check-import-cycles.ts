// Fails when the relative imports of the TypeScript sources form a cycle, type-only imports
// included: ESLint's import-x/no-cycle skips `import type`, and a type-only cycle still ties
// modules together. Run by `npm run check:style`.
//   node scripts/check-import-cycles.ts [dir ...]   (default: sdk scripts test)
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

const root = join(import.meta.dirname, "..");
const SKIP = new Set(["node_modules", "dist"]);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return SKIP.has(name) ? [] : sources(path);
    return path.endsWith(".ts") && !path.endsWith(".d.ts") ? [path] : [];
  });
}

/** Each file's relative imports and re-exports, type-only ones included. */
function importGraph(files: string[]): Map<string, string[]> {
  const known = new Set(files);
  return new Map(
    files.map((file) => {
      const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
      const targets = importedFiles.filter((i) => i.fileName.startsWith(".")).map((i) => resolve(dirname(file), i.fileName));
      return [file, targets.filter((t) => known.has(t))];
    }),
  );
}

/** The strongly connected components with more than one file, or a file importing itself (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)!) {
      if (!index.has(w)) visit(w);
      if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, low.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)!.includes(v)) found.push(component);
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const dirs = process.argv.slice(2);
const files = (dirs.length ? dirs : ["sdk", "scripts", "test"]).flatMap((d) => sources(join(root, d)));
const found = cycles(importGraph(files));
for (const component of found) console.error(`import cycle: ${component.map((f) => relative(root, f)).join(" ↔ ")}`);
if (found.length) process.exit(1);
console.log(`no import cycles in ${files.length} files`);

// Packs the workspace packages as npm would publish them and installs the tarballs into a
// scratch app outside the repository (no workspace links): what an app developer gets. Used
// by test/packages.ts and scripts/pack.ts.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..");
/** The published packages, by name: `-w` takes names, so the private console is never packed
 * (the console is private, served by `sigil serve --console`, never published). */
export const WORKSPACES = ["sigil-did", "sigil-did-service", "sigil-did-cli", "sigil-did-contracts"] as const;

export interface Packed {
  name: string;
  version: string;
  file: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: string[];
}

/** `npm pack` of every workspace into `dest` (the packages must be built: npm run build). */
export function packWorkspaces(dest: string): Packed[] {
  mkdirSync(dest, { recursive: true });
  const args = ["pack", "--json", "--pack-destination", dest, ...WORKSPACES.flatMap((w) => ["-w", w])];
  const out = JSON.parse(execFileSync("npm", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })) as (Omit<
    Packed,
    "file" | "files"
  > & {
    filename: string;
    files: { path: string }[];
  })[];
  return out.map((p) => ({ ...p, file: join(dest, p.filename), files: p.files.map((f) => f.path) }));
}

/**
 * A scratch app in the system's temp folder with the tarballs installed from files (their
 * dependencies from the npm registry, through npm's cache), and `extra` packages from the registry.
 */
export function scratchApp(packed: readonly Packed[], extra: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), "sigil-app-"));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "scratch-app", version: "1.0.0", private: true, type: "module" }, null, 2),
  );
  const args = ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel", "error", ...packed.map((p) => p.file), ...extra];
  execFileSync("npm", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return dir;
}

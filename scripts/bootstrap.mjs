#!/usr/bin/env node
// postinstall: make this checkout runnable whatever Node.js the machine has.
//
// Hardhat 3 needs Node >= 22.13 and a native binding (@nomicfoundation/edr-<platform>)
// that npm silently skips when it runs on an older Node (the binding's `engines` say
// node >= 22). On such a machine this script:
//   1. fetches Node 22 from the npm registry (package node-<os>-<arch>, checked against
//      the registry's integrity by `npm pack`) into node_modules/.sigil-node and links it
//      as node_modules/.bin/node, so every `npm run`/`npm test`/`npx` script runs on it;
//   2. fetches the EDR binding that npm skipped, at the exact version @nomicfoundation/edr
//      pins, verifies it against package-lock.json's integrity, and unpacks it in place.
// On a machine that already has Node >= 22.13 it fetches nothing and only checks.
// Plain JavaScript on purpose: it must run on the old Node too.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, lstatSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const MIN = [22, 13];

const log = (msg) => console.log(`[sigil bootstrap] ${msg}`);
function fail(msg) {
  console.error(`[sigil bootstrap] ${msg}`);
  process.exit(1);
}

function versionOk(v) {
  const [maj, min] = v.replace(/^v/, "").split(".").map(Number);
  return maj > MIN[0] || (maj === MIN[0] && min >= MIN[1]);
}

/** Runs npm (the one running this install when known) and returns its stdout. */
function npm(args, cwd) {
  const cli = process.env.npm_execpath;
  const [cmd, argv] = cli && cli.endsWith(".js") ? [process.execPath, [cli, ...args]] : ["npm", args];
  return execFileSync(cmd, argv, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
}

/** Downloads name@version as a tarball through npm (which checks the registry integrity). */
function packTarball(name, version) {
  const dir = mkdtempSync(join(tmpdir(), "sigil-bootstrap-"));
  const [info] = JSON.parse(npm(["pack", `${name}@${version}`, "--json", "--pack-destination", dir], dir));
  return { dir, file: join(dir, info.filename), integrity: info.integrity };
}

function unpackInto(tarball, dest) {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", dest, "--strip-components=1"], { stdio: "inherit" });
}

function sha512(file) {
  return "sha512-" + createHash("sha512").update(readFileSync(file)).digest("base64");
}

function ensureNode() {
  if (versionOk(process.version)) return process.execPath;
  const version = pkg.sigil.bootstrapNode;
  const name = `node-${process.platform === "win32" ? "win" : process.platform}-${process.arch}`;
  const dest = join(modules, ".sigil-node", version);
  const bin = join(dest, "bin", "node");
  if (!existsSync(bin)) {
    log(`Node ${process.version} is too old for Hardhat 3; fetching ${name}@${version} from the npm registry`);
    const t = packTarball(name, version);
    unpackInto(t.file, dest);
    rmSync(t.dir, { recursive: true, force: true });
  }
  const link = join(modules, ".bin", "node");
  mkdirSync(dirname(link), { recursive: true });
  try {
    if (lstatSync(link)) unlinkSync(link);
  } catch {
    /* no link yet */
  }
  symlinkSync(relative(dirname(link), bin), link);
  log(`node_modules/.bin/node -> Node ${version} (npm scripts and npx use it)`);
  return bin;
}

function edrBindingName() {
  const { platform, arch } = process;
  if (platform === "linux") {
    const glibc = process.report?.getReport?.().header?.glibcVersionRuntime;
    return `@nomicfoundation/edr-linux-${arch}-${glibc ? "gnu" : "musl"}`;
  }
  if (platform === "win32") return `@nomicfoundation/edr-win32-${arch}-msvc`;
  return `@nomicfoundation/edr-${platform}-${arch}`;
}

function ensureEdrBinding() {
  const edrPkgFile = join(modules, "@nomicfoundation", "edr", "package.json");
  if (!existsSync(edrPkgFile)) return; // production install without Hardhat: nothing to do
  const name = edrBindingName();
  const dest = join(modules, ...name.split("/"));
  if (existsSync(join(dest, "package.json"))) return;
  const version = JSON.parse(readFileSync(edrPkgFile, "utf8")).optionalDependencies?.[name];
  if (!version) fail(`Hardhat's EDR has no native binding for ${process.platform}-${process.arch}; Sigil cannot run here.`);
  log(`npm skipped Hardhat's native binding ${name}@${version}; fetching it`);
  const t = packTarball(name, version);
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
  const expected = lock.packages?.[`node_modules/${name}`]?.integrity;
  if (expected && expected !== sha512(t.file)) fail(`${name}@${version} does not match package-lock.json's integrity; refusing it.`);
  unpackInto(t.file, dest);
  rmSync(t.dir, { recursive: true, force: true });
}

const node = ensureNode();
ensureEdrBinding();
const check = spawnSync(node, ["-e", "require('@nomicfoundation/edr'); process.stdout.write(process.version)"], {
  cwd: root,
  encoding: "utf8",
});
if (check.status !== 0) fail(`Hardhat's native binding does not load:\n${check.stderr}`);
log(`ready: Node ${check.stdout} with Hardhat's native binding`);

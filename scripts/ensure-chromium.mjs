// Makes sure Debian's Chromium is there for the browser tests (Playwright's own browser download
// needs the internet; Debian's package does not). Installs it with apt-get when missing and
// this runs as root; otherwise says what to do. SIGIL_SKIP_BROWSER=1 skips the browser tests.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const path = process.env.SIGIL_CHROMIUM ?? "/usr/bin/chromium";
if (process.env.SIGIL_SKIP_BROWSER === "1" || existsSync(path)) process.exit(0);
const root = typeof process.getuid === "function" && process.getuid() === 0;
if (!root || !existsSync("/usr/bin/apt-get")) {
  console.error(
    `no Chromium at ${path}: install it (sudo apt-get install chromium), set SIGIL_CHROMIUM to one, or SIGIL_SKIP_BROWSER=1 to skip the browser tests`,
  );
  process.exit(1);
}
console.error("installing Debian's chromium for the browser tests (about a minute)…");
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium"], { stdio: "inherit", env });

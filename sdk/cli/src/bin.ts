#!/usr/bin/env node
// The `sigil` executable: checks the Node.js version before loading anything that needs a newer
// one (did-jwt needs 22.12), so an old Node gets one line saying what to do, not a stack trace.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `sigil: needs Node.js 22.12 or later; this is ${process.version}. Install a current Node.js (https://nodejs.org) and run it again.`,
  );
  process.exit(2);
}
await import("./main.ts");

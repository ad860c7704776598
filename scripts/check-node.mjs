#!/usr/bin/env node
// Runs before npm scripts: a clear message instead of a Hardhat stack trace when the
// Node that npm put first on PATH is too old (the postinstall bootstrap did not run).
const [maj, min] = process.versions.node.split(".").map(Number);
if (maj < 22 || (maj === 22 && min < 13)) {
  console.error(
    `Sigil needs Node.js >= 22.13, but this script runs on ${process.version}.\n` +
      "Run `npm install` (without --ignore-scripts): its postinstall step fetches Node 22 from the npm\n" +
      "registry into node_modules/.bin, which every `npm run` script then uses. Or install Node 22 yourself.",
  );
  process.exit(1);
}

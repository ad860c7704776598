// ESLint (flat config) for the TypeScript of every package, the scripts and the tests.
// Type-aware rules are few on purpose (promises that nobody awaits, thenables awaited by
// mistake): they need the type checker, and the rest of the recommended type-checked set would
// cost most of the run for little. Formatting is Prettier's job (.prettierrc.json), not ESLint's.
import js from "@eslint/js";
import { builtinRules } from "eslint/use-at-your-own-risk";
import { createNodeResolver, importX } from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

const FUNCTION_LINES = { max: 80, skipBlankLines: true, skipComments: true };
const TEST_FILES = ["test/**/*.ts"];

/** A mocha `describe` (or `describe.only`/`.skip`, `context`) callback: it groups tests, so its length is theirs. */
function isDescribeCallback(node) {
  const call = node.parent;
  if (call?.type !== "CallExpression" || !call.arguments.includes(node)) return false;
  const callee = call.callee.type === "MemberExpression" ? call.callee.object : call.callee;
  return callee.type === "Identifier" && (callee.name === "describe" || callee.name === "context");
}

const coreMaxLinesPerFunction = builtinRules.get("max-lines-per-function");
/** `max-lines-per-function` for test files: the core rule, silent on describe callbacks only (`it` callbacks and helpers still count). */
const maxLinesPerTestFunction = {
  meta: { ...coreMaxLinesPerFunction.meta, docs: { description: "max-lines-per-function, except mocha describe callbacks" } },
  create(context) {
    const filtered = Object.create(context, {
      report: { value: (descriptor) => isDescribeCallback(descriptor.node) || context.report(descriptor) },
    });
    return coreMaxLinesPerFunction.create(filtered);
  },
};

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/dist/**",
      "sdk/core/src/abi.ts",
      "artifacts/**",
      "cache/**",
      "types/**",
      "coverage/**",
      "contracts/**",
      "packs/**",
      "test-output/**",
      "docs/**",
    ],
  },
  {
    files: ["sdk/*/src/**/*.ts", "sdk/console/build.ts", "scripts/**/*.ts", "scripts/**/*.mjs", "test/**/*.ts", "hardhat.config.ts"],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    plugins: { "import-x": importX, local: { rules: { "max-lines-per-test-function": maxLinesPerTestFunction } } },
    languageOptions: {
      parserOptions: {
        project: ["./tsconfig.json", "./sdk/*/tsconfig.json", "./sdk/core/tsconfig.node.json"],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    settings: {
      // import-x reads only the extensions listed here: without .ts it sees no imports, hence no cycles.
      "import-x/extensions": [".ts", ".js", ".mjs"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
      "import-x/resolver-next": [createNodeResolver()],
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "max-lines-per-function": ["error", FUNCTION_LINES],
      "max-lines": ["warn", { max: 400, skipBlankLines: true, skipComments: true }],
      "import-x/no-cycle": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    files: TEST_FILES,
    rules: {
      "max-lines-per-function": "off",
      "local/max-lines-per-test-function": ["error", FUNCTION_LINES],
    },
  },
  {
    // The unit tier (npm run test:unit) runs on the sources, without a build or a chain.
    files: ["test/unit/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["sigil-did", "sigil-did/*", "sigil-did-*"], message: "Unit tests import sdk/*/src, not the built packages." },
            { group: ["hardhat", "hardhat/*", "**/support/*", "**/fixture.ts"], message: "Unit tests need no chain." },
          ],
        },
      ],
    },
  },
  {
    // Plain ESM run by the machine's Node before Node 22 is bootstrapped: no types to check.
    files: ["scripts/**/*.mjs"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
);

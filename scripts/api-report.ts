// The SDK's API reports (sdk/core/api/*.api.md): what each entry of sigil-did exports, as
// api-extractor reads the built declarations. `--check` fails when the built surface differs from
// the reports checked in, so no export appears, goes or changes shape unnoticed; without it the
// reports are rewritten. Needs `npm run build:core` first (it reads sdk/core/dist/*.d.ts).
//   npm run api:check     npm run api:update
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CompilerState,
  Extractor,
  ExtractorConfig,
  ExtractorLogLevel,
  type ExtractorMessage,
  type IConfigFile,
} from "@microsoft/api-extractor";

const core = join(import.meta.dirname, "..", "sdk", "core");
const check = process.argv.includes("--check");

/** Each package entry and its report (the browser entries see no Node.js types, as in tsconfig.json). */
const ENTRIES = [
  { entry: "index", report: "sigil-did", node: false },
  { entry: "node", report: "sigil-did-node", node: true },
  { entry: "ethers", report: "sigil-did-ethers", node: false },
  { entry: "internal", report: "sigil-did-internal", node: false },
  { entry: "mls", report: "sigil-did-mls", node: false },
] as const;

const temp = mkdtempSync(join(tmpdir(), "sigil-api-"));
if (!check) mkdirSync(join(core, "api"), { recursive: true });

function configOf(entry: string, report: string, node: boolean): ExtractorConfig {
  const mainEntryPointFilePath = join(core, "dist", `${entry}.d.ts`);
  if (!existsSync(mainEntryPointFilePath)) throw new Error(`${mainEntryPointFilePath} is missing: run npm run build:core first`);
  const configObject: IConfigFile = {
    projectFolder: core,
    mainEntryPointFilePath,
    compiler: {
      overrideTsconfig: {
        compilerOptions: {
          target: "es2022",
          module: "nodenext",
          moduleResolution: "nodenext",
          strict: true,
          skipLibCheck: true,
          lib: ["es2023", "dom"],
          types: node ? ["node"] : [],
        },
        files: [mainEntryPointFilePath],
      },
    },
    apiReport: { enabled: true, reportFileName: report, reportFolder: join(core, "api"), reportTempFolder: temp },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    messages: {
      // The report is about shapes: release tags and TSDoc syntax are not used in this project.
      extractorMessageReporting: {
        default: { logLevel: ExtractorLogLevel.Warning },
        "ae-missing-release-tag": { logLevel: ExtractorLogLevel.None },
        "ae-forgotten-export": { logLevel: ExtractorLogLevel.None, addToApiReportFile: true },
        "ae-internal-missing-underscore": { logLevel: ExtractorLogLevel.None },
        "ae-undocumented": { logLevel: ExtractorLogLevel.None },
      },
      tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
      compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
    },
  };
  return ExtractorConfig.prepare({ configObject, configObjectFullPath: undefined, packageJsonFullPath: join(core, "package.json") });
}

const changed: string[] = [];
const problems: string[] = [];
try {
  const configs = ENTRIES.map((e) => ({ ...e, config: configOf(e.entry, e.report, e.node) }));
  // One TypeScript program for every entry: the reports take seconds, not a minute.
  const compilerState = CompilerState.create(configs[0].config, {
    additionalEntryPoints: configs.map((c) => c.config.mainEntryPointFilePath),
  });
  for (const { report, config } of configs) {
    const result = Extractor.invoke(config, {
      localBuild: !check,
      compilerState,
      messageCallback(message: ExtractorMessage) {
        // The report's own "API changed" notice is replaced by the one line below.
        if (message.messageId.startsWith("console-api-report-") && message.messageId !== "console-api-report-folder-missing")
          message.handled = true;
        else if (message.logLevel === ExtractorLogLevel.Error || message.logLevel === ExtractorLogLevel.Warning) {
          problems.push(`${report}: ${message.messageId}: ${message.text}`);
          message.handled = true;
        } else message.handled = true;
      },
    });
    if (result.apiReportChanged) changed.push(`sdk/core/api/${report}.api.md`);
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}
for (const p of problems) console.error(p);
if (check && changed.length) {
  console.error(
    `The SDK's exported API differs from ${changed.join(", ")}: if the change is meant, run \`npm run api:update\` and commit the reports`,
  );
  process.exit(1);
}
if (problems.length) process.exit(1);
console.log(check ? "sdk/core/api: the API reports match" : changed.length ? `wrote ${changed.join(", ")}` : "sdk/core/api: unchanged");

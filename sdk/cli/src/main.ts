// `sigil`: runs the command tree of program.ts. Exit codes: 0 ok, 1 refused, 2 bad input, 3 network.
import { createProgram } from "./program.ts";
import { describeFailure, EXIT } from "./context.ts";

const program = createProgram();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  const commanderCode = (error as { code?: string }).code;
  if (commanderCode === "commander.helpDisplayed" || commanderCode === "commander.version" || commanderCode === "commander.help")
    process.exit(EXIT.ok);
  if (commanderCode?.startsWith("commander.")) {
    // Commander said what was wrong on stderr; --json callers read stdout.
    const line = ((error as Error).message ?? "bad usage").replace(/^error: /, "");
    if (process.argv.includes("--json")) console.log(JSON.stringify({ ok: false, exitCode: EXIT.usage, error: line }));
    process.exit(EXIT.usage);
  }
  const { line, code } = describeFailure(error);
  if (process.argv.includes("--json")) console.log(JSON.stringify({ ok: false, exitCode: code, error: line }));
  console.error(`sigil: ${line}`);
  process.exit(code);
}

// The web console's weight and speed on this machine: the built files (minified, gzip -9), and
// the time to first render in headless Chromium, cold cache, served by a real `sigil serve
// --console` over loopback and reading a real `hardhat node` (test/support/console-stage.ts):
// first contentful paint, the page's own "shell drawn" mark, and the time until a DID's
// document and history are drawn (hash #did=…: one batched RPC read for the document, one for
// the history). Median of RUNS loads, at full speed and with the CPU slowed 4x (a phone).
//   node scripts/lib/console-metrics.ts [--runs 7]   → test-output/console/metrics.{json,md}
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildConsole } from "../../sdk/console/build.ts";
import { CHROMIUM_ARGS } from "../../test/support/browser.ts";
import { startConsoleStage } from "../../test/support/console-stage.ts";

const root = join(import.meta.dirname, "..", "..");

export interface ConsoleMetrics {
  files: { file: string; bytes: number; gzipBytes: number; initial: boolean }[];
  total: { bytes: number; gzipBytes: number };
  /** What the first render loads: index.html, the stylesheet, app.js and the chunks it imports. */
  initial: { bytes: number; gzipBytes: number };
  runs: number;
  timings: { profile: string; firstContentfulPaintMs: number; shellMs: number; documentMs: number }[];
  machine: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function measureConsole(runs = 7): Promise<ConsoleMetrics> {
  const built = await buildConsole();
  const files = built.files;
  const sum = (list: typeof files) =>
    list.reduce((a, f) => ({ bytes: a.bytes + f.bytes, gzipBytes: a.gzipBytes + f.gzipBytes }), { bytes: 0, gzipBytes: 0 });
  const total = sum(files);
  const initial = sum(files.filter((f) => f.initial));
  const stage = await startConsoleStage();
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: process.env.SIGIL_CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
  const timings: ConsoleMetrics["timings"] = [];
  try {
    for (const [profile, rate] of [
      ["desktop CPU", 1],
      ["CPU slowed 4x", 4],
    ] as const) {
      const samples: { fcp: number; shell: number; doc: number }[] = [];
      for (let i = 0; i < runs; i++) {
        const context = await browser.newContext(); // a cold cache each time
        const page = await context.newPage();
        if (rate > 1) await (await context.newCDPSession(page)).send("Emulation.setCPUThrottlingRate", { rate });
        await page.goto(`${stage.url}/#did=${encodeURIComponent(stage.alice.did)}`);
        await page.waitForSelector("#document-view .document", { timeout: 60_000 });
        await page.waitForSelector("#timeline-view svg");
        samples.push(
          (await page.evaluate(`(() => {
            const mark = (n) => performance.getEntriesByName(n)[0]?.startTime ?? NaN;
            const fcp = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN;
            return { fcp, shell: mark("sigil:first-render"), doc: mark("sigil:document") };
          })()`)) as { fcp: number; shell: number; doc: number },
        );
        await context.close();
      }
      timings.push({
        profile,
        firstContentfulPaintMs: Math.round(median(samples.map((s) => s.fcp))),
        shellMs: Math.round(median(samples.map((s) => s.shell))),
        documentMs: Math.round(median(samples.map((s) => s.doc))),
      });
    }
  } finally {
    await browser.close();
    await stage.stop();
  }
  const { cpus } = await import("node:os");
  return { files, total, initial, runs, timings, machine: `${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, Chromium headless, loopback` };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

export function metricsMarkdown(m: ConsoleMetrics): string {
  return [
    "### Web console",
    "",
    "Built by `sdk/console/build.ts` (esbuild, minified; the SDK, viem and the QR library bundled; the lookup form renders first, the SDK and viem load beside it (preloaded), the forms and safety numbers after the document); gzip -9:",
    "",
    "| files | minified | gzip |",
    "| --- | ---: | ---: |",
    `| loaded before the first render (${m.files
      .filter((f) => f.initial)
      .map((f) => f.file.replace(/^chunk-\w+/, "chunk"))
      .join(", ")}) | ${kb(m.initial.bytes)} | ${kb(m.initial.gzipBytes)} |`,
    `| loaded after it (${m.files.filter((f) => !f.initial).length} files: chunks, icon, config.json) | ${kb(m.total.bytes - m.initial.bytes)} | ${kb(m.total.gzipBytes - m.initial.gzipBytes)} |`,
    `| **total** | **${kb(m.total.bytes)}** | **${kb(m.total.gzipBytes)}** |`,
    "",
    `Time to first render (median of ${m.runs} cold-cache loads of \`/#did=…\` from \`sigil serve --console\`, ${m.machine}; ms from navigation start):`,
    "",
    "| profile | first contentful paint | shell drawn | DID document and history drawn |",
    "| --- | ---: | ---: | ---: |",
    ...m.timings.map((t) => `| ${t.profile} | ${t.firstContentfulPaintMs} | ${t.shellMs} | ${t.documentMs} |`),
    "",
  ].join("\n");
}

if (process.argv[1] === import.meta.filename) {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "7" } } });
  const metrics = await measureConsole(Number(values.runs));
  const out = join(root, "test-output", "console");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "metrics.json"), JSON.stringify(metrics, null, 2));
  writeFileSync(join(out, "metrics.md"), metricsMarkdown(metrics));
  console.log(metricsMarkdown(metrics));
}

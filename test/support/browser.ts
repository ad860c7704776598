// A real browser for tests: Debian's Chromium driven by playwright-core (Playwright's own browser
// downloads need the internet), and a static server for the pages it loads.
import { existsSync } from "node:fs";

/** A page in Debian's headless Chromium (playwright-core drives it); `undefined` only when
 * SIGIL_SKIP_BROWSER=1, otherwise a missing browser fails the test: .ci/run installs it. */
export async function browserPage() {
  if (process.env.SIGIL_SKIP_BROWSER === "1") return undefined;
  const executablePath = process.env.SIGIL_CHROMIUM ?? "/usr/bin/chromium";
  if (!existsSync(executablePath))
    throw new Error(`no Chromium at ${executablePath}: apt-get install chromium (or set SIGIL_CHROMIUM, or SIGIL_SKIP_BROWSER=1)`);
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  const page = await browser.newPage();
  page.on("pageerror", (e) => console.error(`      [page error] ${e.message}`));
  return page;
}

/** The flags that keep Chromium quiet on a machine without internet (no background requests). */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--headless",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Serves fixed paths on 127.0.0.1 (text/html for "/", JavaScript otherwise). */
export async function staticServer(routes: Record<string, string>) {
  const { createServer } = await import("node:http");
  const server = createServer((req, res) => {
    const body = routes[req.url ?? ""];
    if (body === undefined) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": req.url === "/" ? "text/html" : "text/javascript" }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

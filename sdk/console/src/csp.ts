// A connection that the page's own Content-Security-Policy forbids fails in the browser exactly as
// an unreachable node does ("Failed to fetch"). The browser reports the forbidden origin in a
// securitypolicyviolation event; the page keeps those origins, so that an RPC URL set in the
// settings (or the address bar) that the serving host does not allow is explained as such.
const blocked = new Set<string>();

document.addEventListener("securitypolicyviolation", (e) => {
  if (e.effectiveDirective !== "connect-src") return;
  try {
    blocked.add(new URL(e.blockedURI).origin);
  } catch {
    // a blockedURI without an origin ("inline"): not a connection
  }
});

const originOf = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
};

/** The origins among `urls` that the CSP refused. Waits a moment first: the violation event is
 * queued as a task of its own, and may come after the failed request's rejection. */
export async function cspBlocked(urls: readonly string[]): Promise<string[]> {
  await new Promise((r) => setTimeout(r, 50));
  return [...new Set(urls.map(originOf))].filter((o) => blocked.has(o));
}

/** What to say when the CSP refused the RPC origins `origins`. */
export function cspExplained(origins: readonly string[]) {
  return {
    headline:
      `The Content-Security-Policy of the server that sent this ` + `console does not allow this page to connect to ${origins.join(", ")}.`,
    detail:
      "The node was not asked: the browser refused before any request left. Use an RPC URL that server allows (its own, as in " +
      "config.json), or serve the console with this RPC (sigil serve --console --rpc <url>), or add the origin to the CSP of your web host.",
  };
}

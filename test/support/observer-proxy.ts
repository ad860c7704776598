// The endpoint as an observer: a JSON-RPC proxy on 127.0.0.1 that forwards every HTTP request to
// a real node unchanged and records what it saw (the raw request body, each call, each answer),
// so that a test can compute what an endpoint learns from an app's traffic (test/sdk/private-watch.ts).
import { createServer, type Server } from "node:http";

export interface ObservedCall {
  method: string;
  params: unknown[];
  /** The node's answer to this call (its `result`, or undefined for an error). */
  result: unknown;
}

export interface Observer {
  url: string;
  /** Every HTTP request body exactly as received, in arrival order. */
  bodies: string[];
  /** Every JSON-RPC call (batches unrolled) with its answer. */
  calls: ObservedCall[];
  /** Bytes of answers sent back. */
  bytesOut: number;
  reset(): void;
  close(): Promise<void>;
}

type Call = { id: unknown; method: string; params?: unknown[] };
type Answer = { id: unknown; result?: unknown };

export async function startObserver(upstream: string): Promise<Observer> {
  const observer: Observer = {
    url: "",
    bodies: [],
    calls: [],
    bytesOut: 0,
    reset() {
      observer.bodies.length = 0;
      observer.calls.length = 0;
      observer.bytesOut = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    observer.bodies.push(body);
    const upstreamRes = await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body });
    const text = await upstreamRes.text();
    observer.bytesOut += Buffer.byteLength(text);
    try {
      const sent = JSON.parse(body) as Call | Call[];
      const got = JSON.parse(text) as Answer | Answer[];
      const answers = new Map((Array.isArray(got) ? got : [got]).map((a) => [JSON.stringify(a.id), a.result]));
      for (const call of Array.isArray(sent) ? sent : [sent]) {
        observer.calls.push({ method: call.method, params: call.params ?? [], result: answers.get(JSON.stringify(call.id)) });
      }
    } catch {
      // Not JSON: the raw body is still recorded.
    }
    res.writeHead(upstreamRes.status, { "content-type": "application/json" });
    res.end(text);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  observer.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return observer;
}

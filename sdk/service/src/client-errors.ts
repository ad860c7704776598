// Requests refused before routing: the request line and headers could not be read (over the
// header limit: 431; too slow: 408; not HTTP: 400), so there is no request for fastify to route,
// no reply and no hook. Node's own answer is a bare status line and fastify's default plain
// JSON; this one (fastify's clientErrorHandler, called with the instance as `this`) writes problem
// details like every other answer straight to the socket, with the CORS header a browser needs to
// read it, counts it, and logs its code only.
import type { FastifyInstance } from "fastify";
import type { Socket } from "node:net";
import { MAX_DID_URL_LENGTH } from "sigil-did/internal";
import { metricsOf } from "./plugins/metrics.ts";
import { problemBody, titleOf } from "./problem.ts";

/** The status and detail of a request that could not be read. */
function refusalOf(code: string | undefined, maxHeaderBytes: number): [number, string] {
  if (code === "HPE_HEADER_OVERFLOW") {
    return [
      431,
      `the request line and headers are over ${maxHeaderBytes} bytes; a DID URL has at most ${MAX_DID_URL_LENGTH} characters, so shorten the URL or drop headers`,
    ];
  }
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") return [408, "the request did not arrive in time; send it again"];
  return [400, "the request is not valid HTTP/1.1; check the request line and headers"];
}

/** The clientErrorHandler option of Fastify(); `anyOrigin`: CORS allows every origin ("*"). */
export function refuseBeforeRouting(anyOrigin: boolean, maxHeaderBytes: number) {
  const refused = new WeakSet<Socket>();
  return function (this: FastifyInstance, error: Error & { code?: string }, socket: Socket) {
    if (error.code === "ECONNRESET" || socket.destroyed || refused.has(socket)) return;
    refused.add(socket); // Node may report the rest of an overflowing request again
    const [status, detail] = refusalOf(error.code, maxHeaderBytes);
    metricsOf(this).requests.inc({ route: "unmatched", status: String(status) });
    // The error carries the raw bytes received (the DID among them): log its code only.
    this.log.info({ status, reason: error.code ?? "client error" }, "refused before routing");
    // As Node does: no answer on a socket that cannot take one, or whose current response has begun.
    const current = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!socket.writable || current?.headersSent) return void socket.destroy();
    const body = problemBody(status, detail);
    const allowOrigin = anyOrigin ? "access-control-allow-origin: *\r\n" : "";
    socket.end(
      `HTTP/1.1 ${status} ${titleOf(status)}\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${allowOrigin}connection: close\r\n\r\n${body}`,
    );
    // Half-closed, so the client can still read the answer while it finishes sending; gone soon after.
    socket.setTimeout(5_000, () => socket.destroy());
  };
}

// RFC 9457 problem details: the shape of every answer of the service that is not a DID
// resolution or dereferencing result (unknown routes, wrong methods, malformed bodies, shutdown,
// the relay's refusals), and of the raw answers to requests refused before routing.
import type { FastifyReply } from "fastify";
import { STATUS_CODES } from "node:http";

/** Status phrases as RFC 9110 names them (Node still says "Payload Too Large" for 413). */
const TITLES: Record<number, string> = {
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};
export const titleOf = (status: number) => TITLES[status] ?? STATUS_CODES[status] ?? "Error";

/** An RFC 9457 body with "about:blank" semantics: the title is the status's phrase. */
export function problemBody(status: number, detail: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({ type: "about:blank", title: titleOf(status), status, detail, ...extra });
}

/**
 * Answers with problem details. Never reused without asking again ("no-cache"); the relay's
 * answers, which report transactions, are not even stored ("no-store").
 */
export function problem(
  reply: FastifyReply,
  status: number,
  detail: string,
  extra?: Record<string, unknown>,
  cacheControl: "no-cache" | "no-store" = "no-cache",
) {
  return reply
    .code(status)
    .header("content-type", "application/problem+json")
    .header("cache-control", cacheControl)
    .send(problemBody(status, detail, extra));
}

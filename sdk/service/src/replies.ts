// Sending the HTTP binding's answers: JSON that varies on Accept and is revalidated before reuse,
// and failed resolutions and dereferencings (counted by outcome, noted for the log line, their
// code in X-DID-Resolution-Error).
import type { FastifyReply } from "fastify";
import { RESULT_TYPE } from "./negotiate.ts";
import { noteOutcome } from "./plugins/access-log.ts";
import { metricsOf } from "./plugins/metrics.ts";
import { DEREFERENCING_TYPE, dereferencingErrorBody, errorBody } from "./results.ts";

/** The Vary header of an answer that depends on Accept: CORS may already vary on Origin. */
export function varyWith(reply: FastifyReply) {
  const vary = reply.getHeader("vary");
  return vary ? `${String(vary)}, Accept` : "Accept";
}

export function send(reply: FastifyReply, status: number, contentType: string, body: unknown) {
  return reply
    .code(status)
    .header("content-type", contentType)
    .header("vary", varyWith(reply))
    .header("cache-control", "no-cache")
    .send(JSON.stringify(body));
}

/** Counts and notes a resolution's outcome; "ok" and "deactivated" are successes. */
export function countOutcome(reply: FastifyReply, outcome: string, message?: string) {
  metricsOf(reply.server).resolutions.inc({ outcome });
  noteOutcome(reply.request, outcome, message);
}

/** A failed resolution, answered as a resolution result (DID Resolution §4, §12.1). */
export function fail(reply: FastifyReply, code: string, detail: string) {
  const { status, body } = errorBody(code, detail);
  countOutcome(reply, code, detail);
  reply.header("x-did-resolution-error", code);
  return send(reply, status, RESULT_TYPE, body);
}

/** A failed dereferencing, answered as a dereferencing result (DID Resolution §10, §12.1). */
export function failDereferencing(reply: FastifyReply, code: string, detail: string) {
  const { status, body } = dereferencingErrorBody(code, detail);
  countOutcome(reply, code, detail);
  reply.header("x-did-resolution-error", code);
  return send(reply, status, DEREFERENCING_TYPE, body);
}

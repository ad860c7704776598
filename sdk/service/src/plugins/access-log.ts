// One log line per answer ("answered"): method, route, status, time, and what the resolution came
// to, at a level that says whose doing a failure was. Routes leave a note on the request (the
// request decorator "answerNote", via noteOutcome / setNote). Logs never carry the DIDs looked up
// nor the client's address: a resolver's logs must not become a record of who checks whom.
import type { FastifyRequest } from "fastify";
import fp from "fastify-plugin";

export type Level = "info" | "warn" | "error";

/** What an answer's log line says beyond route and status: the resolution outcome(s), the level, and for failures that are not the client's doing, a reason without the DID. */
export interface AnswerNote {
  outcome?: string;
  outcomes?: Record<string, number>;
  level: Level;
  reason?: string;
}

const DECORATOR = "answerNote";

/** Resolution errors a client's request causes: logged at info, without the reason (it echoes the input). */
const CLIENT_ERRORS = new Set([
  "invalidDid",
  "invalidDidUrl",
  "invalidOptions",
  "notFound",
  "representationNotSupported",
  "methodNotSupported",
  "featureNotSupported",
  "invalidVerificationMethod",
  "invalidRelationshipForVerificationMethod",
]);
export const levelOf = (code: string): Level => (CLIENT_ERRORS.has(code) ? "info" : code === "internalError" ? "error" : "warn");
const LEVELS: Level[] = ["info", "warn", "error"];
export const worse = (a: Level, b: Level) => (LEVELS.indexOf(a) >= LEVELS.indexOf(b) ? a : b);

/**
 * A failure's reason as it may be logged: DIDs and addresses blanked (a reason could quote the
 * identity being read), one line, short.
 */
export function logReason(message: string): string {
  const line = message
    .split("\n")[0]
    .replace(/did:[^\s"'`<>]*/gi, "did:…")
    .replace(/0x[0-9a-f]{40}(?![0-9a-f])/gi, "0x…");
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

export function setNote(request: FastifyRequest, note: AnswerNote) {
  // fastify's frameworkErrors answers with an undecorated request, and logs no line for it.
  if (DECORATOR in request) request.setDecorator<AnswerNote>(DECORATOR, note);
}

/** Notes one resolution's outcome: "ok", "deactivated" or a DID Resolution error code (with its message). */
export function noteOutcome(request: FastifyRequest, outcome: string, message?: string) {
  const level = outcome === "ok" || outcome === "deactivated" ? "info" : levelOf(outcome);
  setNote(request, { outcome, level, reason: level !== "info" && message ? logReason(message) : undefined });
}

export const accessLog = fp(
  async (app) => {
    app.decorateRequest(DECORATOR, null);
    app.addHook("onResponse", async (request, reply) => {
      const route = request.routeOptions.url ?? "unmatched";
      const note = request.getDecorator<AnswerNote | null>(DECORATOR);
      const level = note?.level ?? (reply.statusCode >= 500 && reply.statusCode !== 503 ? "error" : "info");
      const fields = {
        method: request.method,
        route,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        outcome: note?.outcome,
        outcomes: note?.outcomes,
        reason: note?.reason,
      };
      request.log[level](fields, "answered");
    });
  },
  { name: "sigil-access-log" },
);

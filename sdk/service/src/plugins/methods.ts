// What a path allows: a request no route takes is 404 when nothing lives at its path, else 405
// with Allow (RFC 9110 §15.5.6); OPTIONS says what the path allows (and a path where nothing lives
// is 404, not a CORS preflight that would succeed). Two plugins, because CORS answers between them:
// `allowedMethods` before it (OPTIONS), `unrouted` after it, so that 404 and 405 answers carry
// CORS headers and are readable by a web app too.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { echo } from "sigil-did/internal";
import { problem } from "../problem.ts";

/** The methods with a route for this path (HEAD comes with GET); none: no such resource. */
function methodsFor(app: FastifyInstance, rawUrl: string): string[] {
  const url = rawUrl.split("?")[0];
  return ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"].filter((method) => {
    try {
      return app.findRoute({ method: method as "GET", url }) !== null;
    } catch {
      return false;
    }
  });
}
const allowHeader = (methods: string[]) => [...methods, "OPTIONS"].join(", ");

/** A request no route takes: 404 when nothing lives at the path, else 405 (or 204 to OPTIONS) with Allow. */
function unroutedAnswer(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
  const path = (request.raw.url ?? "").split("?")[0];
  const methods = methodsFor(app, path);
  if (methods.length === 0)
    return problem(
      reply,
      404,
      `no resource at ${echo(path, 80)}; resolve with GET /1.0/identifiers/{did} (or POST it, options in the body), or POST /1.0/identifiers for a batch`,
    );
  reply.header("allow", allowHeader(methods));
  if (request.method === "OPTIONS") return reply.code(204).send();
  return problem(
    reply,
    405,
    `${echo(request.method, 20)} is not allowed on ${echo(path, 80)}; use ${methods.filter((m) => m !== "HEAD").join(" or ")}`,
  );
}

/** OPTIONS: 404 where nothing lives, else Allow; the 204 itself comes from CORS (see plugins/cors.ts). */
export const allowedMethods = fp(
  async (app) => {
    app.addHook("onRequest", async (request, reply) => {
      if (request.method !== "OPTIONS") return;
      const methods = methodsFor(app, request.raw.url ?? "");
      if (methods.length === 0) return unroutedAnswer(app, request, reply);
      reply.header("allow", allowHeader(methods));
    });
  },
  { name: "sigil-allowed-methods" },
);

/** 404 and 405 in problem details, answered before the body is read. */
export const unrouted = fp(
  async (app) => {
    app.addHook("onRequest", async (request, reply) => {
      if (request.is404) return unroutedAnswer(app, request, reply);
    });
    // Normally answered by the hook above; here for anything that still falls through.
    app.setNotFoundHandler((request, reply) => unroutedAnswer(app, request, reply));
  },
  { name: "sigil-unrouted", dependencies: ["sigil-allowed-methods", "sigil-cors"] },
);

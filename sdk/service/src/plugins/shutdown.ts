// Graceful shutdown: once app.close() begins, answers end their keep-alive connection, so
// shutdown need not wait for the clients' idle sockets to time out, and a request that still
// slips in gets a 503 in problem details with Retry-After (another copy will answer). Fastify's
// own return503OnClosing is off: it answers in fastify's shape, not ours.
import fp from "fastify-plugin";
import { problem } from "../problem.ts";

export const shutdown = fp(
  async (app) => {
    let closing = false;
    app.addHook("preClose", async () => {
      closing = true;
    });
    app.addHook("onSend", async (_request, reply) => {
      if (closing) reply.header("connection", "close");
    });
    // After CORS, so that the 503 is readable by a web app too.
    app.addHook("onRequest", async (_request, reply) => {
      if (closing)
        return problem(
          reply.header("retry-after", "1"),
          503,
          "this copy of the service is shutting down; send the request again (another copy will answer)",
        );
    });
  },
  { name: "sigil-shutdown", dependencies: ["sigil-cors"] },
);

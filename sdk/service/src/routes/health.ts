// GET /healthz: 200 when every network's registry can be read, else 503 with which cannot (and
// why, in the log, without addresses).
import type { FastifyPluginAsync } from "fastify";
import type { SigilResolver } from "sigil-did";
import { logReason, setNote } from "../plugins/access-log.ts";
import { send } from "../replies.ts";

export const healthRoute: FastifyPluginAsync<{ resolver: SigilResolver }> = async (app, { resolver }) => {
  app.get("/healthz", async (request, reply) => {
    const networks = await resolver.health();
    const ok = networks.every((n) => n.ok);
    if (!ok) {
      const reason = networks
        .filter((n) => !n.ok)
        .map((n) => `${n.network}: ${(n as { error?: string }).error ?? "unavailable"}`)
        .join(" | ");
      setNote(request, { level: "warn", reason: logReason(reason) });
    }
    return send(reply, ok ? 200 : 503, "application/json", { status: ok ? "ok" : "unavailable", networks });
  });
};

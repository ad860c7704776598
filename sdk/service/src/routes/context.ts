// GET /contexts/sigil/v1: Sigil's JSON-LD context (https://w3id.org/sigil/v1), the bytes the SDK
// bundles, so documents that name it can be expanded without the SDK.
import type { FastifyPluginAsync } from "fastify";
import { SIGIL_CONTEXT } from "sigil-did";

/** Where the service publishes Sigil's JSON-LD context. */
export const SIGIL_CONTEXT_PATH = "/contexts/sigil/v1";

export const contextRoute: FastifyPluginAsync = async (app) => {
  app.get(SIGIL_CONTEXT_PATH, async (_request, reply) =>
    reply
      .header("content-type", "application/ld+json")
      .header("cache-control", "public, max-age=86400")
      .send(JSON.stringify(SIGIL_CONTEXT, null, 2)),
  );
};

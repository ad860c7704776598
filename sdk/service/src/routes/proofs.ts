// GET /1.0/proofs/{did} (Sigil's extension, issue 22): the current document proven against the
// serving node's header, with the material an app needs to verify it instead of trusting this
// service (the header and every JSON-RPC answer the verified read used); sigil-did's
// verifyResolutionMaterial checks it against the app's own trust. 200 with { didResolutionResult,
// material }; a resolution that fails is its DID Resolution error result, without material.
import type { FastifyPluginAsync } from "fastify";
import { proveResolution, type SigilResolverConfig } from "sigil-did";
import { send } from "../replies.ts";

export const PROOFS_PATH = "/1.0/proofs/";

export const proofsRoute: FastifyPluginAsync<{ config: SigilResolverConfig }> = async (app, { config }) => {
  app.get(`${PROOFS_PATH}*`, async (request, reply) => {
    const did = decodeURIComponent((request.params as { "*": string })["*"]);
    const { result, material } = await proveResolution(config, did);
    const status = result.didResolutionMetadata.error ? (result.didResolutionMetadata.error === "invalidDid" ? 400 : 502) : 200;
    return send(reply, status, "application/json", { didResolutionResult: result, ...(material ? { material } : {}) });
  });
};

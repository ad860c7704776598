// Answering a DID resolution (DID Resolution §4, §12.1): the document or the resolution result as
// negotiated, or 410 for a deactivated DID.
import type { FastifyReply } from "fastify";
import type { SigilResolver } from "sigil-did";
import type { Asked } from "../input.ts";
import { RESULT_TYPE } from "../negotiate.ts";
import { countOutcome, fail, send } from "../replies.ts";
import { documentAsDereferencingBody, resultBody } from "../results.ts";

export async function answerResolution(resolver: SigilResolver, reply: FastifyReply, { identifier, options, representation: rep }: Asked) {
  const result = await resolver.resolve(identifier, { ...options, accept: rep.kind === "document" ? rep.contentType : "application/did" });
  const { error, message } = result.didResolutionMetadata as { error?: string; message?: string };
  if (error) return fail(reply, error, message ?? error);
  const deactivated = result.didDocumentMetadata.deactivated === true;
  countOutcome(reply, deactivated ? "deactivated" : "ok");
  // §12.1: 410 for a deactivated DID; it has no document, so a bare-document Accept gets the result.
  if (deactivated) return send(reply, 410, rep.kind === "result" ? rep.contentType : RESULT_TYPE, resultBody(result));
  if (rep.kind === "document") return send(reply, 200, rep.contentType, result.didDocument);
  if (rep.kind === "dereferencing") return send(reply, 200, rep.contentType, documentAsDereferencingBody(result));
  return send(reply, 200, rep.contentType, resultBody(result));
}

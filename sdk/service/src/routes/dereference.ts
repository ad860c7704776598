// Answering a DID URL dereferencing (DID Resolution §5.4, §12.1): the selected resource, a 303 to
// a selected service endpoint, or 410 for a deactivated DID.
import type { FastifyReply } from "fastify";
import { dereference, type SigilResolver } from "sigil-did";
import { URI_LIST } from "sigil-did/internal";
import type { Asked } from "../input.ts";
import { countOutcome, failDereferencing, send, varyWith } from "../replies.ts";
import { DEREFERENCING_TYPE, dereferencingBody } from "../results.ts";

export async function answerDereferencing(
  resolver: SigilResolver,
  reply: FastifyReply,
  { identifier, options, representation: rep }: Asked,
) {
  const accept = rep.kind === "uriList" ? URI_LIST : rep.kind === "document" ? rep.contentType : "application/did";
  const result = await dereference(resolver, identifier, { ...options, accept });
  const { error, message } = result.dereferencingMetadata;
  if (error) return failDereferencing(reply, error, message ?? error);
  const deactivated = result.contentMetadata.deactivated === true;
  countOutcome(reply, deactivated ? "deactivated" : "ok");
  // §12.1: 410 whenever contentMetadata says deactivated, with the dereferencing result (there is no content).
  if (deactivated) return send(reply, 410, DEREFERENCING_TYPE, dereferencingBody(result));
  if (result.dereferencingMetadata.contentType === URI_LIST) {
    // §12.1: 303 to the selected endpoint URL, empty body.
    const [location] = result.contentStream as string[];
    return reply.code(303).header("location", location).header("cache-control", "no-cache").header("vary", varyWith(reply)).send();
  }
  if (rep.kind === "document") return send(reply, 200, result.dereferencingMetadata.contentType ?? rep.contentType, result.contentStream);
  return send(reply, 200, DEREFERENCING_TYPE, dereferencingBody(result));
}

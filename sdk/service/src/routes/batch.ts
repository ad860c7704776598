// POST /1.0/identifiers {"dids": [...]}: many current documents in one batched read, each
// answered as a resolution result in the spec's shape. Validated here rather than by a JSON
// schema: fastify's ajv would coerce ("x" into ["x"], 1 into "1", null into "") and drop unknown
// members silently.
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import type { DIDResolutionResult } from "did-resolver";
import { type SigilResolver } from "sigil-did";
import { echo, MAX_DID_URL_LENGTH } from "sigil-did/internal";
import { kindOf } from "../input.ts";
import { levelOf, logReason, setNote, worse, type Level } from "../plugins/access-log.ts";
import { metricsOf } from "../plugins/metrics.ts";
import { problem } from "../problem.ts";
import { send } from "../replies.ts";
import { resultBody } from "../results.ts";

/** The DIDs of a batch request, or a BatchError saying what is wrong. No type is coerced. */
class BatchError extends Error {
  readonly errors?: { pointer: string; detail: string }[];
  constructor(message: string, errors?: { pointer: string; detail: string }[]) {
    super(message);
    this.errors = errors;
  }
}

function readBatch(body: unknown, maxBatch: number): string[] {
  const shape = `send {"dids": ["did:sigil:…", …]} with 1 to ${maxBatch} DIDs, each a string`;
  const refuse = (what: string, errors?: { pointer: string; detail: string }[]): never => {
    throw new BatchError(`${what}; ${shape}`, errors);
  };
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return refuse(body === undefined ? "the body is empty" : `the body is ${kindOf(body)}, not a JSON object`);
  }
  // Extra members are refused, not ignored: a misspelt or unsupported option (say "accept" or
  // "versionTime") must not be silently dropped, as on GET.
  const extra = Object.keys(body).filter((k) => k !== "dids");
  if (extra.length > 0) {
    const more = extra.length > 1 ? ` (and ${extra.length - 1} more)` : "";
    refuse(`unknown member ${echo(extra[0], 40)}${more}: the body has only "dids" (batches resolve current documents, without options)`);
  }
  const dids = (body as { dids?: unknown }).dids;
  if (dids === undefined) refuse(`"dids" is missing`);
  if (!Array.isArray(dids))
    return refuse(`"dids" is ${kindOf(dids)}, not an array`, [
      { pointer: "#/dids", detail: `must be an array of DID strings, not ${kindOf(dids)}` },
    ]);
  if (dids.length === 0 || dids.length > maxBatch) refuse(`"dids" has ${dids.length} entries`);
  const errors: { pointer: string; detail: string }[] = [];
  dids.forEach((did: unknown, i) => {
    if (typeof did !== "string") errors.push({ pointer: `#/dids/${i}`, detail: `must be a DID string, not ${kindOf(did)}` });
    else if (did.length > MAX_DID_URL_LENGTH)
      errors.push({ pointer: `#/dids/${i}`, detail: `is over ${MAX_DID_URL_LENGTH} characters, longer than any DID URL` });
  });
  if (errors.length > 0) {
    const first = `dids[${errors[0].pointer.slice("#/dids/".length)}] ${errors[0].detail}`;
    refuse(
      `${errors.length} of the ${dids.length} entries of "dids" ${errors.length === 1 ? "is" : "are"} not a DID string (${first})`,
      errors.slice(0, 20),
    );
  }
  return dids as string[];
}

/** Counts each result's outcome and notes them for the log line, with the worst level and up to three reasons. */
function noteOutcomes(request: FastifyRequest, results: DIDResolutionResult[]) {
  const metrics = metricsOf(request.server);
  const outcomes: Record<string, number> = {};
  let level: Level = "info";
  const reasons = new Set<string>();
  for (const r of results) {
    const { error, message } = r.didResolutionMetadata as { error?: string; message?: string };
    const outcome = error ?? (r.didDocumentMetadata.deactivated ? "deactivated" : "ok");
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    metrics.resolutions.inc({ outcome });
    if (error && levelOf(error) !== "info") {
      level = worse(level, levelOf(error));
      if (reasons.size < 3) reasons.add(logReason(message ?? error));
    }
  }
  setNote(request, { outcomes, level, reason: reasons.size > 0 ? [...reasons].join(" | ") : undefined });
}

export const batchRoute: FastifyPluginAsync<{ resolver: SigilResolver; maxBatch: number }> = async (app, { resolver, maxBatch }) => {
  app.post("/1.0/identifiers", async (request, reply) => {
    let dids: string[];
    try {
      dids = readBatch(request.body, maxBatch);
    } catch (error) {
      if (!(error instanceof BatchError)) throw error;
      return problem(reply, 400, error.message, error.errors ? { errors: error.errors } : undefined);
    }
    const results = await resolver.resolveMany(dids, { accept: "application/did" });
    noteOutcomes(request, results);
    return send(reply, 200, "application/json", { results: results.map(resultBody) });
  });
};

// Malformed requests (bad JSON, too large, wrong type, malformed percent-encoding) and failures,
// answered as RFC 9457 problems, each with its own status and what to do: POST
// /1.0/identifiers/{did} takes options, so there a body that is not JSON is an options error in the
// resolution result's shape; elsewhere (the batch) the answer describes the batch's shape.
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { echo } from "sigil-did/internal";
import { PREFIX } from "../input.ts";
import { RESULT_TYPE } from "../negotiate.ts";
import { problem } from "../problem.ts";
import { fail } from "../replies.ts";
import { DEREFERENCING_TYPE } from "../results.ts";

type BodyError = Error & { statusCode?: number; code?: string };

const givenType = (request: FastifyRequest) => {
  const type = request.headers["content-type"];
  return type ? `Content-Type ${echo(type, 80)} is not accepted` : "the body has no Content-Type";
};

/** A body POST /1.0/identifiers/{did} cannot take; undefined: not one of its own errors. */
function optionsBodyError(error: BodyError, request: FastifyRequest, reply: FastifyReply, maxBody: number) {
  const options = 'a JSON object of options, like {"versionTime": "2026-01-01T00:00:00Z"}, or no body';
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return problem(
        reply.header("accept-post", `application/json, ${RESULT_TYPE}, ${DEREFERENCING_TYPE}`),
        415,
        `${givenType(request)}; send ${options} as Content-Type: application/json`,
      );
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return fail(
        reply,
        "invalidOptions",
        `the body is not valid JSON (or names __proto__ or constructor.prototype, which are refused); send ${options}`,
      );
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return problem(reply, 413, `the body is over ${maxBody} bytes; options take a few hundred`);
  }
  return undefined;
}

/** A body the batch (or any other route) cannot take; undefined: not a body error. */
function batchBodyError(error: BodyError, request: FastifyRequest, reply: FastifyReply, maxBody: number, maxBatch: number) {
  const shape = `{"dids": ["did:sigil:…", …]} with 1 to ${maxBatch} DIDs`;
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return problem(
        reply,
        413,
        `the body is over ${maxBody} bytes; send at most ${maxBatch} DIDs per request, splitting larger sets over several requests`,
      );
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return problem(
        reply.header("accept-post", "application/json"),
        415,
        `${givenType(request)}; send it as Content-Type: application/json, ${shape}`,
      );
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return problem(reply, 400, `the body is empty; send ${shape}`);
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return problem(
        reply,
        400,
        `the body is not valid JSON (or names __proto__ or constructor.prototype, which are refused); send ${shape}`,
      );
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return problem(reply, 400, "the body's length does not match its Content-Length header; send it again");
  }
  return undefined;
}

export const errors = fp<{ maxBatch: number; maxBody: number }>(
  async (app, { maxBatch, maxBody }) => {
    app.setErrorHandler((error: BodyError, request, reply) => {
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500) {
        request.log.error({ err: error }, "unexpected failure");
        return problem(reply, 500, "unexpected failure; see the service's log");
      }
      if (request.method === "POST" && (request.raw.url ?? "").startsWith(PREFIX)) {
        const answered = optionsBodyError(error, request, reply, maxBody);
        if (answered) return answered;
      }
      return batchBodyError(error, request, reply, maxBody, maxBatch) ?? problem(reply, status, error.message);
    });
  },
  { name: "sigil-errors" },
);

/** The router refuses malformed percent-encoding before any handler runs (fastify's frameworkErrors): answered in our shape. */
export function frameworkErrors(_error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const url = request.raw.url ?? "";
  if (url.startsWith(PREFIX)) return fail(reply, "invalidDid", `${echo(url.slice(PREFIX.length))} is not valid percent-encoding`);
  return problem(reply, 400, `${echo(url, 80)} is not a valid URL`);
}

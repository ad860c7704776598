// GET and POST /1.0/identifiers/{did-or-did-url} (DID Resolution §12.1): options in the query, or
// (POST) in a JSON body. A DID alone is resolved; a DID URL (path, query parameters that select,
// fragment), an Accept of application/did-url-dereferencing or text/uri-list, or a
// verificationRelationship option, is dereferenced (§5.4).
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { InvalidDidError, parseDid, SigilError, type SigilResolver } from "sigil-did";
import { echo } from "sigil-did/internal";
import { PREFIX, readBodyOptions, readQuery, readRequest, RequestError, type Asked } from "../input.ts";
import { negotiate, RESULT_TYPE, SUPPORTED_TYPES } from "../negotiate.ts";
import { fail, failDereferencing } from "../replies.ts";
import { DEREFERENCING_TYPE } from "../results.ts";
import { answerDereferencing } from "./dereference.ts";
import { answerResolution } from "./resolve.ts";

/** A request as far as it has been read: a refusal's shape depends on how far that was. */
interface Reading {
  identifier: string;
  options: Record<string, unknown>;
  dereferencing: boolean;
  /** Until the DID URL is parsed, a path, query or fragment marks it as one (for the error's shape). */
  urlLike: boolean;
}

/** The DID URL and options of the request, from its raw URL and (POST) body, in `reading`. */
function readInto(reading: Reading, request: FastifyRequest, bodyOptions: unknown) {
  const read = readRequest(request.raw.url ?? "");
  reading.identifier = read.identifier;
  reading.urlLike = /[/?#]/.test(read.identifier.slice(4));
  // DID Resolution §4.4 / §5.4.1: the DID (URL) is judged first, then whether the options are supported, then their values.
  parseDid(reading.identifier);
  const query = readQuery(read.query);
  if (query.didParameters.length > 0) {
    // The DID URL came unencoded (§12.1's example): its query is the HTTP query, unless it has one of its own.
    if (reading.identifier.includes("?") || reading.identifier.includes("#")) {
      throw new RequestError(
        "invalidDidUrl",
        "DID parameters are given both in the (encoded) DID URL and in the HTTP query; give them once, in the DID URL",
      );
    }
    reading.identifier = `${reading.identifier}?${query.didParameters.join("&")}`;
    reading.urlLike = true;
  }
  reading.options = query.options;
  reading.dereferencing = reading.options.verificationRelationship !== undefined;
  if (bodyOptions !== undefined) {
    const fromBody = readBodyOptions(bodyOptions);
    const twice = Object.keys(fromBody).find((k) => k in reading.options);
    if (twice !== undefined) throw new RequestError("invalidOptions", `${twice} is given both in the query and in the body; give it once`);
    reading.options = { ...reading.options, ...fromBody };
    if (fromBody.verificationRelationship !== undefined) reading.dereferencing = true;
  }
}

/** What the request asks for: the DID URL and options (in `reading`), the representation, and whether it is a dereferencing. */
function readAsked(reading: Reading, request: FastifyRequest, bodyOptions: unknown): Asked {
  readInto(reading, request, bodyOptions);
  const representation = negotiate(request.headers.accept);
  if (!representation) {
    throw new RequestError(
      "representationNotSupported",
      `cannot answer ${echo(request.headers.accept ?? "", 80)}; ask for one of ${SUPPORTED_TYPES.join(", ")}`,
    );
  }
  if (representation.kind === "dereferencing" || representation.kind === "uriList") reading.dereferencing = true;
  const parsed = parseDid(reading.identifier);
  // versionId / versionTime alone still name the DID document: that is resolution.
  if (
    parsed.path !== undefined ||
    parsed.fragment !== undefined ||
    Object.keys(parsed.params).some((p) => p !== "versionId" && p !== "versionTime")
  )
    reading.dereferencing = true;
  return { identifier: reading.identifier, options: reading.options, representation };
}

/** The DID Resolution error a request that cannot be read is refused with; undefined: not a refusal. */
function refusalOf(error: unknown, reading: Reading): [code: string, message: string] | undefined {
  if (error instanceof RequestError) return [error.code, error.message];
  if (error instanceof InvalidDidError && ["path", "query", "fragment"].includes(error.part)) return ["invalidDidUrl", error.message];
  if (error instanceof InvalidDidError && (reading.dereferencing || reading.urlLike)) return ["invalidDidUrl", error.message];
  if (error instanceof SigilError) return [error.code, error.message];
  return undefined;
}

/** One resolution or dereferencing, for GET and POST alike (`bodyOptions` undefined: GET). */
async function answer(resolver: SigilResolver, request: FastifyRequest, reply: FastifyReply, bodyOptions?: unknown) {
  const reading: Reading = { identifier: "", options: {}, dereferencing: false, urlLike: false };
  let asked: Asked;
  try {
    asked = readAsked(reading, request, bodyOptions);
  } catch (error) {
    const refusal = refusalOf(error, reading);
    if (!refusal) throw error;
    return reading.dereferencing || reading.urlLike ? failDereferencing(reply, ...refusal) : fail(reply, ...refusal);
  }
  return reading.dereferencing ? answerDereferencing(resolver, reply, asked) : answerResolution(resolver, reply, asked);
}

export const identifierRoutes: FastifyPluginAsync<{ resolver: SigilResolver }> = async (app, { resolver }) => {
  app.get(`${PREFIX}*`, (request, reply) => answer(resolver, request, reply));

  // POST binding (DID Resolution §12.1): options as a JSON body; its own parsers, in a scope of
  // its own, so the batch route keeps taking application/json only.
  await app.register(async (scope) => {
    scope.removeContentTypeParser("application/json");
    const json = scope.getDefaultJsonParser("error", "error");
    scope.addContentTypeParser(["application/json", RESULT_TYPE, DEREFERENCING_TYPE], { parseAs: "string" }, (request, body, done) => {
      if ((body as string).trim() === "") return done(null, undefined); // no options
      void json(request, body as string, done);
    });
    scope.post(`${PREFIX}*`, (request, reply) => answer(resolver, request, reply, request.body ?? {}));
  });
};

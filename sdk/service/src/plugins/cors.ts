// CORS, so that web apps on other origins can call the service (@fastify/cors): never with
// credentials, since the service has no cookies or authentication to share. Without CORS, a plain
// OPTIONS is still answered 204 (with the Allow that plugins/methods.ts set).
import cors from "@fastify/cors";
import fp from "fastify-plugin";
import { echo } from "sigil-did/internal";

/** See ResolverServiceOptions.cors. */
export type CorsOrigins = boolean | string | readonly string[];

/** The origins option as @fastify/cors takes it, each origin checked (a typo would never match). */
export function corsOrigins(option: CorsOrigins | undefined): false | "*" | string[] {
  if (option === undefined || option === true || option === "*") return "*";
  if (option === false) return false;
  const list = typeof option === "string" ? [option] : [...option];
  if (list.length === 0) throw new TypeError('cors: give at least one origin, "*" for any, or false to turn CORS off');
  if (list.includes("*")) return "*";
  for (const origin of list) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.origin === "null" || parsed.origin !== origin) {
      throw new TypeError(
        `cors: ${echo(String(origin), 80)} is not an origin; write scheme://host[:port], without a path or trailing slash (e.g. "https://console.example")`,
      );
    }
  }
  return list;
}

export const corsPlugin = fp<{ origins: false | "*" | string[] }>(
  async (app, { origins }) => {
    if (origins === false) {
      app.addHook("onRequest", async (request, reply) => {
        if (request.method === "OPTIONS") return reply.code(204).send();
      });
      return;
    }
    await app.register(cors, {
      origin: origins,
      methods: ["GET", "HEAD", "POST", "OPTIONS"],
      // allowedHeaders unset: a preflight's requested headers are allowed (there are no
      // credentials to protect); exposed: what a client reads beyond the safelisted headers.
      exposedHeaders: ["x-did-resolution-error", "allow"],
      maxAge: 7200,
      // A plain OPTIONS (no Origin) is answered 204 with Allow, not refused as a bad preflight.
      strictPreflight: false,
    });
  },
  { name: "sigil-cors", dependencies: ["sigil-allowed-methods"] },
);

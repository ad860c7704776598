// The resolution options a SigilResolver takes, checked in the order of DID Resolution §4.4 (the
// DID first, then whether each option is supported, FEATURE_NOT_SUPPORTED, then whether its
// value is valid, INVALID_OPTIONS), and the options that shape the returned document applied
// to what resolve.ts built:
//   accept              application/did+ld+json (default), application/did+json, application/did, application/ld+json
//   versionId           a block number, as a decimal string
//   versionTime         an XML date-time with a zone (DID Resolution §3.1)
//   noCache             true / "true": read the chain, not the cache (DID Resolution §13.2)
//   expandRelativeUrls  true / "true" (DID Resolution §4.1, §4.4): supported, and a no-op, because
//                       every id and reference Sigil writes is an absolute DID URL already (a test
//                       holds every document to that); representation.ts has the general expansion
//   publicKeyFormat     "Multikey" or "JsonWebKey" (representation.ts); absent: did:ethr-compatible keys
// Anything else is FEATURE_NOT_SUPPORTED: a misspelt option is refused, never silently ignored.
import type { DIDResolutionOptions, DIDResolutionResult } from "did-resolver";
import { echo, FeatureNotSupportedError, InvalidResolutionOptionError } from "../errors.ts";
import { PUBLIC_KEY_FORMATS, withPublicKeyFormat, type PublicKeyFormat } from "./representation.ts";

/** The resolution options a SigilResolver understands (others are refused with featureNotSupported). */
export interface SigilResolutionOptions extends DIDResolutionOptions {
  accept?: string;
  versionId?: string;
  versionTime?: string;
  noCache?: boolean | "true" | "false";
  expandRelativeUrls?: boolean | "true" | "false";
  publicKeyFormat?: PublicKeyFormat;
}

export const RESOLUTION_OPTIONS = ["accept", "versionId", "versionTime", "noCache", "expandRelativeUrls", "publicKeyFormat"] as const;
/** resolveMany reads current documents: no version options (give versions one DID at a time). */
export const MANY_OPTIONS = RESOLUTION_OPTIONS.filter((o) => o !== "versionId" && o !== "versionTime");

export interface ReadOptions {
  /** What resolve.ts takes. */
  forward: DIDResolutionOptions;
  publicKeyFormat?: PublicKeyFormat;
  expandRelativeUrls: boolean;
}

function flag(name: string, value: unknown): boolean {
  if (value === undefined || value === false || value === "false") return false;
  if (value === true || value === "true") return true;
  throw new InvalidResolutionOptionError({ option: name, value: String(value), expected: "true or false" });
}

/** Checks resolution options; throws FeatureNotSupportedError or InvalidResolutionOptionError. */
export function readResolutionOptions(options: unknown, allowed: readonly string[] = RESOLUTION_OPTIONS): ReadOptions {
  if (options === undefined || options === null) return { forward: {}, expandRelativeUrls: false };
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new InvalidResolutionOptionError({
      option: "options",
      value: Array.isArray(options) ? "an array" : typeof options,
      expected: "a map of option names to values",
    });
  }
  const given = options as Record<string, unknown>;
  // Supported? (step 3), before valid? (step 4). Undefined values count as absent.
  const names = Object.keys(given).filter((k) => given[k] !== undefined);
  const unknown = names.find((k) => !allowed.includes(k));
  if (unknown !== undefined) {
    throw new FeatureNotSupportedError({
      feature: `the option ${echo(unknown, 40)}`,
      details: `this resolver supports ${allowed.join(", ")}`,
    });
  }
  const format = given.publicKeyFormat;
  if (format !== undefined) {
    if (typeof format !== "string")
      throw new InvalidResolutionOptionError({
        option: "publicKeyFormat",
        value: String(format),
        expected: `one of ${PUBLIC_KEY_FORMATS.join(", ")}`,
      });
    if (!(PUBLIC_KEY_FORMATS as readonly string[]).includes(format)) {
      throw new FeatureNotSupportedError({
        feature: `publicKeyFormat ${echo(format, 40)}`,
        details: `keys can be given as ${PUBLIC_KEY_FORMATS.join(" or ")}, or (without the option) in their did:ethr-compatible types`,
      });
    }
  }
  for (const name of ["accept", "versionId", "versionTime"] as const) {
    const value = given[name];
    if (value !== undefined && typeof value !== "string") {
      throw new InvalidResolutionOptionError({
        option: name,
        value: String(value),
        expected: `a string (DID Resolution: ${name} is an ASCII string)`,
      });
    }
  }
  const forward: DIDResolutionOptions = {};
  for (const name of ["accept", "versionId", "versionTime"] as const) if (given[name] !== undefined) forward[name] = given[name] as string;
  if (flag("noCache", given.noCache)) forward.noCache = true;
  return {
    forward,
    publicKeyFormat: format as PublicKeyFormat | undefined,
    expandRelativeUrls: flag("expandRelativeUrls", given.expandRelativeUrls),
  };
}

/** Applies the document-shaping options to a successful result (expandRelativeUrls: nothing to expand, see above). */
export function shapeResult(result: DIDResolutionResult, read: ReadOptions): DIDResolutionResult {
  const doc = result.didDocument;
  if (!doc || !read.publicKeyFormat) return result;
  return { ...result, didDocument: withPublicKeyFormat(doc, read.publicKeyFormat, read.forward.accept ?? "application/did+ld+json") };
}

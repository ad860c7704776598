// RFC 3986 reference resolution (§5.2), as DID Core 1.0 §3.2.2 (relative DID URLs) and DID
// Resolution §5.4.1 (relativeRef against a service endpoint) require it. Written from the RFC's
// pseudo-code (§5.2.1-§5.2.4, §5.3); test/standards/uri.ts runs the RFC's own examples (§5.4).
// WHATWG's URL is not used: it normalises (case, default ports, "\" as "/") and cannot take a
// base with an opaque path such as a DID.

export interface UriParts {
  scheme?: string;
  /** Without the "//"; undefined when the reference has no authority component. */
  authority?: string;
  path: string;
  query?: string;
  fragment?: string;
}

// RFC 3986 Appendix B: the one regex that splits any URI reference into its five components.
const SPLIT = /^(?:([^:/?#]+):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s;

/** Splits a URI reference into its components (RFC 3986 Appendix B); never throws. */
export function parseUri(reference: string): UriParts {
  const m = SPLIT.exec(reference)!;
  const parts: UriParts = { path: m[3] };
  if (m[1] !== undefined) parts.scheme = m[1];
  if (m[2] !== undefined) parts.authority = m[2];
  if (m[4] !== undefined) parts.query = m[4];
  if (m[5] !== undefined) parts.fragment = m[5];
  return parts;
}

/** RFC 3986 §5.3 component recomposition. */
export function recompose(parts: UriParts): string {
  let out = "";
  if (parts.scheme !== undefined) out += `${parts.scheme}:`;
  if (parts.authority !== undefined) out += `//${parts.authority}`;
  out += parts.path;
  if (parts.query !== undefined) out += `?${parts.query}`;
  if (parts.fragment !== undefined) out += `#${parts.fragment}`;
  return out;
}

/** RFC 3986 §5.2.4. */
export function removeDotSegments(path: string): string {
  let input = path;
  const output: string[] = [];
  while (input.length > 0) {
    if (input.startsWith("../")) input = input.slice(3);
    else if (input.startsWith("./")) input = input.slice(2);
    else if (input.startsWith("/./")) input = input.slice(2);
    else if (input === "/.") input = "/";
    else if (input.startsWith("/../")) {
      input = input.slice(3);
      output.pop();
    } else if (input === "/..") {
      input = "/";
      output.pop();
    } else if (input === "." || input === "..") input = "";
    else {
      const next = input.indexOf("/", input.startsWith("/") ? 1 : 0);
      const segment = next < 0 ? input : input.slice(0, next);
      output.push(segment);
      input = input.slice(segment.length);
    }
  }
  return output.join("");
}

/** RFC 3986 §5.2.3. */
function merge(base: UriParts, refPath: string): string {
  if (base.authority !== undefined && base.path === "") return `/${refPath}`;
  const slash = base.path.lastIndexOf("/");
  return slash < 0 ? refPath : base.path.slice(0, slash + 1) + refPath;
}

/** RFC 3986 §5.2.2 (strict: a reference with a scheme is taken as absolute). `base` must have a scheme. */
export function resolveParts(base: UriParts, reference: string): UriParts {
  const r = parseUri(reference);
  const t: UriParts = { path: "" };
  if (r.scheme !== undefined) {
    t.scheme = r.scheme;
    t.authority = r.authority;
    t.path = removeDotSegments(r.path);
    t.query = r.query;
  } else {
    if (r.authority !== undefined) {
      t.authority = r.authority;
      t.path = removeDotSegments(r.path);
      t.query = r.query;
    } else {
      if (r.path === "") {
        t.path = base.path;
        t.query = r.query !== undefined ? r.query : base.query;
      } else {
        t.path = r.path.startsWith("/") ? removeDotSegments(r.path) : removeDotSegments(merge(base, r.path));
        t.query = r.query;
      }
      t.authority = base.authority;
    }
    t.scheme = base.scheme;
  }
  t.fragment = r.fragment;
  for (const key of ["authority", "query", "fragment"] as const) if (t[key] === undefined) delete t[key];
  return t;
}

/** RFC 3986 §5.2: the target URI of `reference` against an absolute `base` URI. */
export function resolveUri(base: string, reference: string): string {
  return recompose(resolveParts(parseUri(base), reference));
}

/**
 * A relative DID URL resolved against its DID as DID Core 1.0 §3.2.2 says: scheme "did", the
 * authority "<method-name>:<method-specific-id>", then RFC 3986 §5.2 (so "#key-1" and "?x=1"
 * append to the DID, and a path stays under it). A reference with a scheme is already absolute.
 */
export function resolveDidUrl(did: string, reference: string): string {
  if (parseUri(reference).scheme !== undefined) return reference;
  const target = resolveParts({ scheme: "did", authority: did.slice(4), path: "" }, reference);
  return `did:${target.authority ?? ""}${target.path}${target.query !== undefined ? `?${target.query}` : ""}${target.fragment !== undefined ? `#${target.fragment}` : ""}`;
}

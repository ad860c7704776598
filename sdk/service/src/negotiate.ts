// HTTP content negotiation for the resolver service: which representation an Accept header
// asks for. A resolution result (the default, as the DID Resolution HTTPS binding says), a
// bare DID document, a dereferencing result, or (for ?service= DID URLs) the endpoint itself as
// text/uri-list, answered 303 See Other; the older JSON-LD types that existing Universal
// Resolver clients send are understood too. Parsing is linear and bounded: no regex that an
// adversarial header could make backtrack.

export type Representation =
  | { kind: "result"; contentType: string }
  | { kind: "document"; contentType: string }
  | { kind: "dereferencing"; contentType: string }
  | { kind: "uriList"; contentType: string };

export const RESOLUTION_PROFILE = "https://w3id.org/did-resolution";
export const RESULT_TYPE = "application/did-resolution";

/** What we serve, in order of preference when a client accepts several equally. */
const OFFERS: readonly { type: string; profile?: string; representation: Representation }[] = [
  { type: "application/did-resolution", representation: { kind: "result", contentType: RESULT_TYPE } },
  {
    type: "application/ld+json",
    profile: RESOLUTION_PROFILE,
    representation: { kind: "result", contentType: `application/ld+json; profile="${RESOLUTION_PROFILE}"` },
  },
  { type: "application/did", representation: { kind: "document", contentType: "application/did" } },
  { type: "application/did+ld+json", representation: { kind: "document", contentType: "application/did+ld+json" } },
  { type: "application/did+json", representation: { kind: "document", contentType: "application/did+json" } },
  { type: "application/ld+json", representation: { kind: "document", contentType: "application/ld+json" } },
  {
    type: "application/did-url-dereferencing",
    representation: { kind: "dereferencing", contentType: "application/did-url-dereferencing" },
  },
  { type: "application/json", representation: { kind: "result", contentType: "application/json" } },
  { type: "text/uri-list", representation: { kind: "uriList", contentType: "text/uri-list" } },
];

export const SUPPORTED_TYPES = OFFERS.map((o) => (o.profile ? `${o.type};profile="${o.profile}"` : o.type));

/** Accept headers longer than this are refused rather than parsed. */
const MAX_ACCEPT_LENGTH = 1024;

interface Range {
  type: string;
  subtype: string;
  profile?: string;
  q: number;
  order: number;
}

function parseRange(part: string, order: number): Range | undefined {
  const [media, ...params] = part.split(";").map((s) => s.trim());
  const slash = media.indexOf("/");
  if (slash <= 0 || slash === media.length - 1) return undefined;
  const range: Range = { type: media.slice(0, slash).toLowerCase(), subtype: media.slice(slash + 1).toLowerCase(), q: 1, order };
  for (const param of params) {
    const eq = param.indexOf("=");
    if (eq <= 0) continue;
    const name = param.slice(0, eq).trim().toLowerCase();
    let value = param.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (name === "q") {
      const q = Number(value);
      range.q = Number.isFinite(q) && q >= 0 && q <= 1 ? q : 0;
    } else if (name === "profile") {
      range.profile = value;
    }
  }
  return range;
}

/** How well `range` matches an offer: -1 not at all, higher is more specific. */
function specificity(range: Range, offer: (typeof OFFERS)[number]): number {
  const [type, subtype] = offer.type.split("/");
  if (range.profile !== undefined && range.profile !== offer.profile) return -1;
  if (range.type === "*" && range.subtype === "*") return offer === OFFERS[0] ? 0 : -1; // */* means the default
  if (range.type !== type) return -1;
  if (range.subtype === "*") return offer === OFFERS[0] ? 1 : -1; // application/* too
  if (range.subtype !== subtype) return -1;
  if (offer.profile !== undefined && range.profile === undefined) return -1; // plain ld+json is the document
  return range.profile !== undefined ? 3 : 2;
}

/**
 * The representation an Accept header asks for; `undefined` when it accepts nothing we serve
 * (406). A missing or empty header means the default, a resolution result.
 */
export function negotiate(accept: string | undefined): Representation | undefined {
  if (accept === undefined || accept.trim() === "") return OFFERS[0].representation;
  if (accept.length > MAX_ACCEPT_LENGTH) return undefined;
  const ranges = accept
    .split(",")
    .map((part, i) => parseRange(part, i))
    .filter((r): r is Range => r !== undefined && r.q > 0)
    .sort((a, b) => b.q - a.q || a.order - b.order);
  let best: { offer: (typeof OFFERS)[number]; q: number; specificity: number } | undefined;
  for (const range of ranges) {
    if (best && range.q < best.q) break;
    for (const offer of OFFERS) {
      const s = specificity(range, offer);
      if (s >= 0 && (!best || s > best.specificity)) best = { offer, q: range.q, specificity: s };
    }
  }
  return best?.offer.representation;
}

// A network's `compare: k`: every resolution on it is read from its first k rpcUrls separately
// (each endpoint alone, in parallel) and the results must agree, or the resolution is refused
// naming which endpoint said what (EndpointDisagreementError). It catches a lie that only some of
// the endpoints tell (a split view, one compromised provider) and any endpoint that is behind;
// it cannot catch k endpoints telling the same lie. A failing endpoint is a refusal too: the
// point is two answers, so nothing falls back to one.
import type { DIDResolutionResult } from "did-resolver";
import { parseDid } from "../did/did.ts";
import { EndpointDisagreementError, InvalidInputError } from "../errors.ts";
import { createEndpoint } from "./endpoint.ts";
import { errorResult } from "../document/resolution-result.ts";
import { createSigilClient, findNetwork } from "../resolve/sigil-client.ts";
import type { SigilClient, SigilResolverConfig } from "../resolve/types.ts";

/** Clients for a config with compared networks: client i reads compared networks from their
 * i-th URL only (others as configured); undefined when no network compares. */
export function comparingClients(config: SigilResolverConfig): { clients: SigilClient[]; hosts: Map<string, string[]> } | undefined {
  let k = 1;
  for (const n of config.networks) {
    if (n.compare === undefined || n.compare === 1) continue;
    const urls = n.rpcUrls?.length ?? 0;
    if (!Number.isInteger(n.compare) || n.compare < 1 || n.compare > urls) {
      throw new InvalidInputError({
        what: `compare of network ${n.name ?? n.chainId}`,
        value: String(n.compare),
        expected: `an integer from 1 to the number of its rpcUrls (${urls})`,
      });
    }
    k = Math.max(k, n.compare);
  }
  if (k === 1) return undefined;
  const hosts = new Map<string, string[]>();
  const clients = Array.from({ length: k }, (_, i) =>
    createSigilClient({
      ...config,
      networks: config.networks.map((n) => {
        if ((n.compare ?? 1) < 2) return n;
        hosts.set(
          key(n),
          n.rpcUrls!.slice(0, n.compare).map((u) => createEndpoint(u).host),
        );
        return { ...n, rpcUrls: [n.rpcUrls![Math.min(i, n.compare! - 1)]] };
      }),
    }),
  );
  return { clients, hosts };
}

const key = (n: { chainId: number; registry: string }) => `${n.chainId}:${n.registry.toLowerCase()}`;

/** The endpoints' hosts a DID is compared across, or undefined (not compared, or not a DID of a configured network: the first client answers it). */
export function comparedHosts(client: SigilClient, hosts: Map<string, string[]>, did: string): string[] | undefined {
  try {
    return hosts.get(key(findNetwork(client, parseDid(did)).network));
  } catch {
    return undefined;
  }
}

/** One result if all agree (the block each read was taken at aside); a refusal naming who said what otherwise. */
export function agree(did: string, hosts: readonly string[], results: readonly DIDResolutionResult[]): DIDResolutionResult {
  const views = results.map(comparable);
  const first = views.findIndex((v) => v !== views[0]);
  if (first === -1) return results[0];
  const [a, b] = [JSON.parse(views[0]), JSON.parse(views[first])];
  const at = firstDifference(a, b) ?? "(root)";
  const says = (i: number) => {
    const r = results[i];
    if (r.didResolutionMetadata.error)
      return `refused: ${String(r.didResolutionMetadata.message ?? r.didResolutionMetadata.error).slice(0, 200)}`;
    return short(valueAt(JSON.parse(views[i]), at));
  };
  return errorResult(new EndpointDisagreementError({ did, at, answers: results.map((_, i) => ({ host: hosts[i], says: says(i) })) }));
}

/** What must agree: the whole result but the block it was read at, which endpoints a block apart differ in. */
function comparable(r: DIDResolutionResult): string {
  const meta = r.didDocumentMetadata as { sigil?: Record<string, unknown> };
  const sigil = meta.sigil ? { ...meta.sigil, resolvedAtBlock: undefined } : undefined;
  return JSON.stringify({ error: r.didResolutionMetadata.error, didDocument: r.didDocument, didDocumentMetadata: { ...meta, sigil } });
}

/** The first path (a.b.0.c) where two JSON values differ. */
function firstDifference(a: unknown, b: unknown, path = ""): string | undefined {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
  }
  return path || "(root)";
}

function valueAt(value: unknown, path: string): unknown {
  if (path === "(root)") return value;
  return path
    .split(".")
    .reduce<unknown>((v, k) => (v === null || typeof v !== "object" ? undefined : (v as Record<string, unknown>)[k]), value);
}

const short = (v: unknown) => {
  const text = JSON.stringify(v) ?? "nothing";
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
};

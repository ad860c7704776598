// Verified resolution through a resolver service (issue 22): the service proves a current
// document and returns, with it, the material it read (the header it proved against and every
// JSON-RPC answer); an app replays the verified read over that material alone, after checking the
// header against its own trust, so it verifies the service's answer instead of trusting it. A
// service can leave a call out (the read then fails) but cannot change one: every answer is checked
// by the same proofs and event chain as a direct verified read.
import type { DIDResolutionResult } from "did-resolver";
import { custom, toHex, type Hex } from "viem";
import { parseDid } from "../did/did.ts";
import { ProofError } from "../errors.ts";
import type { SigilNetwork } from "../read/networks.ts";
import { networkReadClient } from "../read/networks.ts";
import { createSigilResolver } from "./resolver.ts";
import { findNetwork, createSigilClient } from "./sigil-client.ts";
import type { SigilResolverConfig } from "./types.ts";

/** What a service returns with a proven resolution: the header and the calls the read made. */
export interface ResolutionMaterial {
  header: { number: Hex; hash: Hex };
  calls: { method: string; params: unknown; result: unknown }[];
}

const DEPTH = 2n;

/** Resolves `did`'s current document verified against the serving node's header `DEPTH` blocks
 * back, recording every call: the material an app checks with `verifyResolutionMaterial`. */
export async function proveResolution(
  config: SigilResolverConfig,
  did: string,
): Promise<{ result: DIDResolutionResult; material?: ResolutionMaterial }> {
  const entry = findNetwork(createSigilClient({ ...config, cache: false }), parseDid(did));
  const inner = networkReadClient({ ...entry.network, verify: undefined });
  const calls: ResolutionMaterial["calls"] = [];
  const recorder = custom(
    {
      request: async ({ method, params }) => {
        const result = await inner.request({ method, params } as never);
        calls.push({ method, params, result });
        return result;
      },
    },
    { retryCount: 0 },
  );
  const head = BigInt((await inner.request({ method: "eth_blockNumber" })) as Hex);
  const raw = (await inner.request({ method: "eth_getBlockByNumber", params: [toHex(head > DEPTH ? head - DEPTH : 0n), false] })) as {
    number: Hex;
    hash: Hex;
  };
  const header = { number: raw.number, hash: raw.hash };
  const network = sourced(entry.network, recorder, header);
  const result = await createSigilResolver({ networks: [network], cache: false }).resolve(did);
  return result.didResolutionMetadata.error ? { result } : { result, material: { header, calls } };
}

/** The network read through `transport`, trusting `header` as a light client would. */
function sourced(network: SigilNetwork, transport: SigilNetwork["transport"], header: ResolutionMaterial["header"]): SigilNetwork {
  const { rpcUrls: _urls, provider: _provider, compare: _compare, ...rest } = network;
  return {
    ...rest,
    transport,
    verify: { kind: "source", header: async () => ({ number: BigInt(header.number), hash: header.hash }), maxHeaderAgeMs: 0 },
  };
}

/**
 * Checks a service's proven resolution of `did`: `material.header` must be a header the app's own
 * trust vouches for (`confirm(number, hash)`: e.g. k of its endpoints serve that hash at that
 * number), then the document is rebuilt from the material's answers alone, by the verified read.
 * Returns that result (with `verified`), or an error result naming what did not check.
 */
export async function verifyResolutionMaterial(
  network: SigilNetwork,
  did: string,
  material: ResolutionMaterial,
  confirm: (number: bigint, hash: Hex) => Promise<boolean>,
): Promise<DIDResolutionResult> {
  const number = BigInt(material.header.number);
  if (!(await confirm(number, material.header.hash))) {
    const error = new ProofError(
      "header",
      `the service proved against block ${number} with hash ${material.header.hash}, which your trust does not confirm`,
      {
        hint: "the service is lying or on another chain: resolve directly",
      },
    );
    return { didResolutionMetadata: { error: error.code, message: error.message }, didDocument: null, didDocumentMetadata: {} };
  }
  const key = (method: string, params: unknown) => `${method} ${JSON.stringify(params)}`;
  const answers = new Map(material.calls.map((c) => [key(c.method, c.params), c.result]));
  const replay = custom(
    {
      request: async ({ method, params }) => {
        const k = key(method, params);
        if (!answers.has(k))
          throw new ProofError("header", `the service's material has no answer to ${method}`, { hint: "ask the service again" });
        return answers.get(k);
      },
    },
    { retryCount: 0 },
  );
  return createSigilResolver({ networks: [sourced(network, replay, material.header)], cache: false }).resolve(did);
}

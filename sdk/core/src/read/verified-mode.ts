// The verified mode's entry: what the resolver imports on first use when a network has `verify`
// (so the plain resolver's bundle carries none of it): the trust policy a network's `verify`
// names, and the verified read.
import { toHex, type Client } from "viem";
import { checkedHeader } from "./header.ts";
import { InvalidInputError, ProofError } from "../errors.ts";
import type { SigilNetwork } from "./networks.ts";
import { headerTrust, httpHeaderEndpoint, type HeaderEndpoint, type HeaderPolicy, type HeaderTrust, type TrustedHeader } from "./trust.ts";

export { readVerified } from "./verified.ts";

/** The header trust of a network's `verify`: a policy as given, or `{ k }`, a quorum of k of the
 * network's own rpcUrls. Every quorum endpoint must serve the network's chain (checked once). */
export function trustFor(network: SigilNetwork, client: Client): HeaderTrust {
  const verify = network.verify!;
  const policy: HeaderPolicy = "kind" in verify ? verify : quorumOfUrls(network, verify);
  const reader: HeaderEndpoint = { host: "the network's endpoint", request: (args) => client.request(args as never) };
  const trust = headerTrust(policy, { chainId: network.chainId, endpoint: reader });
  if (policy.kind !== "quorum") return trust;
  let checked: Promise<void> | undefined;
  return {
    policy,
    get last() {
      return trust.last;
    },
    async latest(): Promise<TrustedHeader> {
      checked ??= checkChains(policy.endpoints, network.chainId);
      checked.catch(() => (checked = undefined)); // a failure is retried on the next read
      await checked;
      return trust.latest();
    },
  };
}

function quorumOfUrls(network: SigilNetwork, v: { k: number; depth?: number; tag?: "finalized" | "safe" }): HeaderPolicy {
  const urls = network.rpcUrls ?? [];
  if (urls.length < v.k)
    throw new InvalidInputError({
      what: `verify of network ${network.name ?? network.chainId}`,
      value: `k: ${v.k}`,
      expected: `at most the number of its rpcUrls (${urls.length}), or a policy with its own endpoints`,
    });
  return {
    kind: "quorum",
    endpoints: urls.map((u) => httpHeaderEndpoint(u, { timeoutMs: network.timeoutMs })),
    k: v.k,
    depth: v.depth,
    tag: v.tag,
  };
}

/** The time of an older block (a first change before the last purge: a document's `created`),
 * as far as `policy` can vouch for it: a quorum's k endpoints must serve one header for it; the
 * other policies cannot (their trust starts at a later block), so it stays unproven (undefined). */
export async function olderBlockTime(policy: HeaderPolicy, block: bigint): Promise<bigint | undefined> {
  if (policy.kind !== "quorum") return undefined;
  const served = await Promise.allSettled(
    policy.endpoints.map(async (e) =>
      checkedHeader(await e.request({ method: "eth_getBlockByNumber", params: [toHex(block), false] }), { number: block }),
    ),
  );
  const byHash = new Map<string, { timestamp: bigint; n: number }>();
  for (const s of served)
    if (s.status === "fulfilled") byHash.set(s.value.hash, { timestamp: s.value.timestamp, n: (byHash.get(s.value.hash)?.n ?? 0) + 1 });
  return [...byHash.values()].find((g) => g.n >= policy.k)?.timestamp;
}

/** Endpoints of another chain can agree with each other on that chain's headers. */
async function checkChains(endpoints: readonly HeaderEndpoint[], chainId: number) {
  const ids = await Promise.all(endpoints.map((e) => e.request({ method: "eth_chainId" }).then(Number)));
  const wrong = endpoints.filter((_, i) => ids[i] !== chainId);
  if (wrong.length)
    throw new ProofError(
      "header",
      `${wrong.map((e, i) => `${e.host} serves chain ${ids[endpoints.indexOf(e)] ?? i}`).join(", ")}, not chain ${chainId}`,
      { hint: "fix the trust policy's endpoints" },
    );
}

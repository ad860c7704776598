// The console's view of one network: the SDK's resolver for documents and a public client for
// the identity's registry events (the history the timeline draws) and for writes. Loaded after
// the page's first render (main.ts imports it dynamically): it brings the SDK's reads and viem.
import { toHex, type Address, type Client, type Hex } from "viem";
import { createSigilResolver, type SigilNetwork, type SigilResolver } from "sigil-did";
import { networkReadClient, readIdentities } from "sigil-did/internal";
import type { ConsoleConfig } from "./config.ts";
import type { History } from "./meta.ts";

export type { History, Resolution, SigilMeta, TimedEvent } from "./meta.ts";
// The lookup form's check and the document's devices, loaded with the rest of the SDK (main.ts
// imports nothing of it statically).
export { devicesOf, parseDid } from "sigil-did";

export interface Chain {
  network: SigilNetwork;
  resolver: SigilResolver;
  /** Past versions: verified resolution proves current documents only, so these are the endpoint's word (the page says so). */
  pastResolver: SigilResolver;
  /** A bare client for reads (JSON-RPC requests, batched); the write path builds its own (act.ts). */
  client: Client;
}

export function makeChain(config: ConsoleConfig): Chain {
  const network: SigilNetwork = {
    chainId: config.network.chainId,
    name: config.network.name,
    registry: config.network.registry as Address,
    rpcUrls: config.network.rpcUrls,
    fromBlock: config.network.fromBlock,
    timeoutMs: 15_000,
    ...(config.network.verify ? { verify: config.network.verify } : {}),
  };
  const resolver = createSigilResolver({ networks: [network], cache: false });
  const pastResolver = network.verify ? createSigilResolver({ networks: [{ ...network, verify: undefined }], cache: false }) : resolver;
  return { network, resolver, pastResolver, client: networkReadClient(network) };
}

/** Every registry event of `address` (one batched read), with block times filled in. */
export async function readHistory(chain: Chain, address: Address): Promise<History> {
  // The whole history, purged parts included: the timeline draws what the purge voided.
  const options = { registry: chain.network.registry, fromBlock: chain.network.fromBlock ?? 0n, scope: "full" as const };
  const { snapshot } = await readIdentities(chain.client, [address], options);
  const id = address.toLowerCase() as Address;
  const failure = (snapshot as { failures?: Map<Address, Error> }).failures?.get(id);
  if (failure) throw failure;
  const events = snapshot.events.get(id) ?? [];
  const missing = [...new Set(events.filter((e) => e.blockTimestamp === undefined).map((e) => e.blockNumber))];
  // Issued in one tick: one JSON-RPC batch for all the headers.
  const headers = await Promise.all(
    missing.map(
      (n) =>
        chain.client.request({ method: "eth_getBlockByNumber", params: [toHex(n), false] }) as Promise<{
          number: Hex;
          timestamp: Hex;
        } | null>,
    ),
  );
  const times = new Map(headers.filter((b) => b !== null).map((b) => [BigInt(b!.number), BigInt(b!.timestamp)]));
  return {
    // Markers only keep Sigil-only changes on stock readers' chain: the change itself is shown.
    events: events
      .filter((e) => e.kind !== "marker")
      .map((e) => ({ ...e, blockTimestamp: e.blockTimestamp ?? times.get(e.blockNumber) ?? 0n })),
    state: snapshot.states.get(id),
    head: { blockNumber: snapshot.blockNumber, timestamp: snapshot.timestamp },
  };
}

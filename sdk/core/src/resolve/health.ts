// Whether each network's registry can be read, how far its chain is (one eth_call each), and
// what was learned of each endpoint.
import { confirmStates } from "./chain-read.ts";
import { endpointHealth, type EndpointHealth } from "../read/endpoint.ts";
import { InternalError, SigilError } from "../errors.ts";
import { networkLabel } from "./sigil-client.ts";
import type { SigilClient } from "./types.ts";

export interface NetworkHealth {
  network: string;
  chainId: number;
  ok: boolean;
  blockNumber?: string;
  /** Seconds between the head block's timestamp and now: a stalled chain shows here. */
  headAgeSeconds?: number;
  error?: string;
  /** Per RPC endpoint: the limits learned from its refusals (batch size, eth_getLogs block range
   * and results), whether its logs carry block times, and what was sent to it. */
  endpoints?: EndpointHealth[];
}

/** Never throws: an unreachable or wrong network is reported as `ok: false` with the reason. */
export function networkHealth(client: SigilClient): Promise<NetworkHealth[]> {
  return Promise.all(
    client.entries.map(async (entry) => {
      const endpoints = entry.endpoints.map(endpointHealth);
      const base = { network: networkLabel(entry.network), chainId: entry.network.chainId, ...(endpoints.length > 0 && { endpoints }) };
      try {
        const { blockNumber, timestamp } = await confirmStates(entry, []);
        const headAgeSeconds = Math.max(0, Math.round(Date.now() / 1000 - Number(timestamp)));
        return { ...base, ok: true, blockNumber: blockNumber.toString(), headAgeSeconds };
      } catch (error) {
        const e = error instanceof SigilError ? error : new InternalError({ cause: error });
        return { ...base, ok: false, error: e.message };
      }
    }),
  );
}

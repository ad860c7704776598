// The crowd's entry point (first contact in a crowd, crowd.ts): loads crowd.ts only when a network
// has `crowd`, so that apps that never use it do not download it.
import type { Address } from "viem";
import type { NetworkEntry } from "./types.ts";

/** `targets` with their decoys on a network with `crowd` (crowd.ts), else the targets alone. */
export async function crowdOf(entry: NetworkEntry, targets: readonly Address[]): Promise<Address[]> {
  if (!entry.network.crowd || targets.length === 0) return [...targets];
  return (await import("./crowd.ts")).withCrowd(entry, targets);
}

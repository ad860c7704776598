// The delegates and attributes of an identity that are valid now (after the last purge), as
// raw registry entries: what a rotation lists so that stock ERC-1056 resolvers drop them too.
import type { Hex } from "viem";
import type { RegistryEvent } from "./events.ts";
import type { AttributeRef, DelegateRef } from "./operations.ts";

export function activeEntries(events: readonly RegistryEvent[], now: bigint): { delegates: DelegateRef[]; attributes: AttributeRef[] } {
  const delegates = new Map<string, DelegateRef & { validTo: bigint }>();
  const attributes = new Map<string, AttributeRef & { validTo: bigint }>();
  for (const e of events) {
    if (e.kind === "rotate" && e.purged) {
      delegates.clear();
      attributes.clear();
    } else if (e.kind === "delegate") {
      delegates.set(`${e.delegateType}:${e.delegate.toLowerCase()}`, { delegateType: e.delegateType, delegate: e.delegate, validTo: e.validTo });
    } else if (e.kind === "attribute") {
      attributes.set(`${e.name}:${e.value}`, { name: e.name, value: e.value as Hex, validTo: e.validTo });
    }
  }
  return {
    delegates: [...delegates.values()].filter((d) => d.validTo > now).map(({ delegateType, delegate }) => ({ delegateType, delegate })),
    attributes: [...attributes.values()].filter((a) => a.validTo > now).map(({ name, value }) => ({ name, value })),
  };
}

// The delegates and attributes of an identity that are valid now (after the last purge), as
// raw registry entries: what a rotation may list so that stock ERC-1056 resolvers drop them too.
import type { Hex } from "viem";
import type { RegistryEvent } from "../read/events.ts";
import type { AttributeRef, DelegateRef } from "../write/operations.ts";

export function activeEntries(events: readonly RegistryEvent[], now: bigint): { delegates: DelegateRef[]; attributes: AttributeRef[] } {
  const delegates = new Map<string, DelegateRef & { validTo: bigint }>();
  const attributes = new Map<string, AttributeRef & { validTo: bigint }>();
  for (const e of events) {
    if ((e.kind === "rotate" || e.kind === "recovered") && e.purged) {
      delegates.clear();
      attributes.clear();
    } else if (e.kind === "delegate") {
      delegates.set(`${e.delegateType}:${e.delegate.toLowerCase()}`, {
        delegateType: e.delegateType,
        delegate: e.delegate,
        validTo: e.validTo,
      });
    } else if (e.kind === "attribute") {
      attributes.set(`${e.name}:${e.value}`, { name: e.name, value: e.value as Hex, validTo: e.validTo });
    }
  }
  return {
    delegates: [...delegates.values()].filter((d) => d.validTo > now).map(({ delegateType, delegate }) => ({ delegateType, delegate })),
    attributes: [...attributes.values()].filter((a) => a.validTo > now).map(({ name, value }) => ({ name, value })),
  };
}

/**
 * Entries that a stock ERC-1056 reader still shows as valid although a purge voided them for
 * Sigil (it ignores epochs): what a cleanup revokes with ERC-1056 events, after a rotation that
 * listed nothing, so that the two readers agree again.
 */
export function staleEntries(events: readonly RegistryEvent[], now: bigint): { delegates: DelegateRef[]; attributes: AttributeRef[] } {
  let lastPurge = -1;
  events.forEach((e, i) => {
    if ((e.kind === "rotate" || e.kind === "recovered") && e.purged) lastPurge = i;
  });
  const delegates = new Map<string, DelegateRef & { validTo: bigint; at: number }>();
  const attributes = new Map<string, AttributeRef & { validTo: bigint; at: number }>();
  events.forEach((e, at) => {
    if (e.kind === "delegate") {
      delegates.set(`${e.delegateType}:${e.delegate.toLowerCase()}`, {
        delegateType: e.delegateType,
        delegate: e.delegate,
        validTo: e.validTo,
        at,
      });
    } else if (e.kind === "attribute") {
      attributes.set(`${e.name}:${e.value}`, { name: e.name, value: e.value as Hex, validTo: e.validTo, at });
    }
  });
  const stale = <T extends { validTo: bigint; at: number }>(m: Map<string, T>) =>
    [...m.values()].filter((x) => x.validTo > now && x.at < lastPurge);
  return {
    delegates: stale(delegates).map(({ delegateType, delegate }) => ({ delegateType, delegate })),
    attributes: stale(attributes).map(({ name, value }) => ({ name, value })),
  };
}

// Words and times for what the registry recorded: one phrase per event, the lane of the
// timeline it belongs to, and dates in the reader's own locale.
import type { Hex } from "viem";

// Three of viem's helpers, written out: this module is part of the first render, which loads no viem.
const zeroAddress = "0x0000000000000000000000000000000000000000";
const hexToBytes = (hex: Hex) => Uint8Array.from((hex.slice(2).match(/../g) ?? []).map((b) => parseInt(b, 16)));
const hexToString = (hex: Hex) => new TextDecoder("utf-8", { fatal: true }).decode(hexToBytes(hex));
import type { TimedEvent } from "./meta.ts";

const ZERO_HASH = `0x${"0".repeat(64)}`;

export const short = (hex: string, keep = 6) => (hex.length > keep * 2 + 3 ? `${hex.slice(0, keep + 2)}…${hex.slice(-keep)}` : hex);

/** bytes32 → text, trailing zeros cut; null when it is not UTF-8. */
export function nameOf(bytes: Hex): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(hexToBytes(bytes)).replace(/\0+$/, "");
  } catch {
    return null;
  }
}

export function utf8(value: Hex): string {
  try {
    return hexToString(value);
  } catch {
    return value;
  }
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });

export const when = (seconds: bigint | number) => dateTime.format(new Date(Number(seconds) * 1000));
export const day = (seconds: bigint | number) => dateOnly.format(new Date(Number(seconds) * 1000));
export const clock = (seconds: bigint | number) => timeOnly.format(new Date(Number(seconds) * 1000));
export const whenIso = (iso: string) => dateTime.format(new Date(iso));

/** "3 minutes", "2 days": how long `seconds` is, roughly. */
export function span(seconds: number): string {
  const s = Math.abs(seconds);
  const units: [number, string][] = [
    [86_400 * 365, "year"],
    [86_400 * 30, "month"],
    [86_400, "day"],
    [3_600, "hour"],
    [60, "minute"],
  ];
  for (const [size, unit] of units) {
    if (s >= size) {
      const n = Math.floor(s / size);
      return `${n} ${unit}${n === 1 ? "" : "s"}`;
    }
  }
  return `${Math.floor(s)} second${Math.floor(s) === 1 ? "" : "s"}`;
}

export type Lane = "keys" | "services" | "controller" | "guardians";
export type Tone = "add" | "remove" | "rotate" | "purge" | "commit" | "guard" | "alarm" | "end";

export interface Described {
  lane: Lane;
  tone: Tone;
  text: string;
  /** Changes keys (a banner-worthy change for correspondents). */
  keyChange: boolean;
}

/** What a key's purpose lets it do, in words (the registry's names are sigAuth, veriKey, enc). */
export function purposeWords(purpose: string | null): string {
  return purpose === "sigAuth"
    ? "login and signing"
    : purpose === "veriKey"
      ? "signing"
      : purpose === "enc"
        ? "encryption"
        : (purpose ?? "unnamed purpose");
}

/** A receipt's registry events in words, for "Done": what the chain recorded. */
export const KIND_WORDS: Record<string, string> = {
  delegate: "a key change",
  attribute: "a key or service change",
  owner: "a change of controller",
  commit: "a next-key commitment",
  rotate: "a rotation",
  guardiansProposed: "a guardian change, pending",
  guardiansChanged: "a guardian change",
  guardianChangeCancelled: "a cancelled guardian change",
  recoveryProposed: "a recovery proposal",
  recoveryApproved: "a recovery approval",
  recoveryCancelled: "a cancelled recovery",
  recovered: "a recovery",
};

const said = (lane: Lane, tone: Tone, text: string, keyChange = false): Described => ({ lane, tone, keyChange, text });

type Event<K extends TimedEvent["kind"]> = Extract<TimedEvent, { kind: K }>;

/** One event in words. */
export function describe(e: TimedEvent): Described {
  switch (e.kind) {
    case "delegate":
    case "attribute":
      return describeEntry(e);
    case "owner":
    case "commit":
    case "rotate":
      return describeController(e);
    default:
      return describeGuardians(e);
  }
}

/** A key or a service published or revoked. */
function describeEntry(e: Event<"delegate" | "attribute">): Described {
  const added = e.validTo > e.blockTimestamp;
  const tone = added ? "add" : "remove";
  if (e.kind === "delegate") {
    return said(
      "keys",
      tone,
      `${added ? "key added" : "key revoked"}: address ${short(e.delegate)} (${purposeWords(nameOf(e.delegateType))})`,
      true,
    );
  }
  const name = nameOf(e.name) ?? e.name;
  const svc = /^did\/svc\/(\w+)/.exec(name);
  if (svc) return said("services", tone, `${added ? "service added" : "service removed"}: ${svc[1]} ${utf8(e.value)}`);
  const pub = /^did\/pub\/(\w+)\/(\w+)/.exec(name);
  if (pub)
    return said("keys", tone, `${added ? "key added" : "key revoked"}: ${pub[1]} ${short(e.value, 4)} (${purposeWords(pub[2])})`, true);
  return said("services", tone, `attribute ${added ? "set" : "revoked"}: ${name}`);
}

/** A change of controller, a next-key commitment, a rotation. */
function describeController(e: Event<"owner" | "commit" | "rotate">): Described {
  switch (e.kind) {
    case "owner":
      if (e.owner === zeroAddress) return said("controller", "end", "deactivated: final, the DID has no keys any more", true);
      return said("controller", "rotate", `controller is now ${short(e.owner)}`, true);
    case "commit":
      return e.commitment === ZERO_HASH
        ? said("controller", "remove", "next-key commitment removed")
        : said("controller", "commit", "committed to a next key (pre-rotation on)");
    case "rotate":
      if (e.newOwner === zeroAddress)
        return said("controller", "end", "deactivated with the next key: final, the DID has no keys any more", true);
      return said(
        "controller",
        e.purged ? "purge" : "rotate",
        `rotated to the next key ${short(e.newOwner)}${e.purged ? ": everything published before is void" : " (earlier keys kept)"}` +
          (e.nextCommitment === ZERO_HASH ? "; no new next key" : "; committed to a fresh next key"),
        true,
      );
  }
}

/** Guardians set or changed, and recoveries by them. */
function describeGuardians(e: Exclude<TimedEvent, Event<"delegate" | "attribute" | "owner" | "commit" | "rotate">>): Described {
  switch (e.kind) {
    case "marker": // filtered out with the history (chain.ts); described for completeness
      return said("guardians", "guard", "a Sigil-only change (ERC-1056 marker)");
    case "guardiansProposed":
      return said(
        "guardians",
        "guard",
        `guardian change proposed (${e.threshold} approvals, delay ${span(Number(e.delay))}), effective ${when(e.effectiveAt)}`,
      );
    case "guardiansChanged":
      return /^0x0+$/.test(e.root)
        ? said("guardians", "remove", "guardians removed")
        : said("guardians", "guard", `guardians set: ${e.threshold} approvals needed, delay ${span(Number(e.delay))}`);
    case "guardianChangeCancelled":
      return said("guardians", "remove", "pending guardian change cancelled");
    case "recoveryProposed":
      return said(
        "guardians",
        "alarm",
        `recovery proposed: new controller ${short(e.recovery.newOwner)}${e.recovery.purge ? ", purging" : ""}`,
      );
    case "recoveryApproved": {
      const armed = e.readyAt > 0n ? `: armed, can be finalised from ${when(e.readyAt)}` : "";
      return said("guardians", "alarm", `recovery approved by guardian ${short(e.guardian)} (${e.approvals} so far)${armed}`);
    }
    case "recoveryCancelled":
      return said("guardians", "remove", "recovery cancelled by the next key");
    case "recovered": {
      const voided = e.purged ? ", everything published before is void" : "";
      return said("guardians", e.purged ? "purge" : "rotate", `recovered by the guardians: controller ${short(e.newOwner)}${voided}`, true);
    }
  }
}

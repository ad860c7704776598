// What changed between two resolutions of a DID, as a typed list a messaging app can show
// ("Alice's encryption key changed", "a recovery of Alice's DID is pending"), the way Signal
// warns of a changed safety number. Pure: compares documents and Sigil metadata, nothing else.
// Keys are compared by type and key material (verification-method ids are counters and may be
// renumbered), services by type and endpoint.
import type { DIDResolutionResult, Service, VerificationMethod } from "did-resolver";
import { diffDevices, type DeviceChangeItem } from "./devices.ts";

export type Relationship = "authentication" | "assertionMethod" | "keyAgreement";
export const RELATIONSHIPS: readonly Relationship[] = ["authentication", "assertionMethod", "keyAgreement"];

export type DidChangeItem =
  | { kind: "keyAdded" | "keyRemoved"; relationship: Relationship; key: string }
  | { kind: "serviceAdded" | "serviceRemoved"; service: { type: string; serviceEndpoint: Service["serviceEndpoint"] } }
  | { kind: "controllerChanged"; from: string | null; to: string | null }
  | { kind: "commitmentMade" | "commitmentRemoved"; commitment: string }
  | { kind: "guardiansChanged"; from: GuardianSummary | null; to: GuardianSummary | null }
  | { kind: "guardianChangeProposed"; effectiveAt: string; removesGuardians: boolean }
  | { kind: "guardianChangeWithdrawn" }
  | { kind: "recoveryProposed" | "recoveryArmed" | "recoveryReady"; proposal: string; newOwner: string; readyAt?: string }
  | { kind: "recoveryClosed"; proposal: string }
  | { kind: "deactivated" }
  | DeviceChangeItem;

export type GuardianSummary = { threshold: number; delaySeconds: number };

interface SigilMeta {
  owner?: string;
  nextOwnerCommitment?: string | null;
  guardians?: GuardianSummary | null;
  pendingGuardianChange?: { effectiveAt: string; removesGuardians: boolean } | null;
  recoveries?: { proposal: string; status: "proposed" | "expired" | "armed" | "ready"; newOwner: string; readyAt?: string }[];
}

/** `type:material` of a verification method, lower case: what identifies a key across versions. */
export function keyMaterial(vm: VerificationMethod): string {
  const m = vm as VerificationMethod & Record<string, unknown>;
  const material =
    m.blockchainAccountId ??
    m.publicKeyHex ??
    m.publicKeyBase64 ??
    m.publicKeyBase58 ??
    m.publicKeyMultibase ??
    m.publicKeyPem ??
    JSON.stringify(m.publicKeyJwk ?? "");
  return `${vm.type}:${String(material).toLowerCase()}`;
}

/** The key material of each verification relationship of a resolution's document. */
export function keysByRelationship(result: DIDResolutionResult): Record<Relationship, Set<string>> {
  const doc = result.didDocument;
  const methods = new Map((doc?.verificationMethod ?? []).map((vm) => [vm.id, vm]));
  const out = {} as Record<Relationship, Set<string>>;
  for (const rel of RELATIONSHIPS) {
    out[rel] = new Set(
      (doc?.[rel] ?? [])
        .map((ref) => (typeof ref === "string" ? methods.get(ref) : ref))
        .filter((vm): vm is VerificationMethod => vm !== undefined)
        .map(keyMaterial),
    );
  }
  return out;
}

const serviceKey = (s: Service) => JSON.stringify([s.type, s.serviceEndpoint]);
const meta = (r: DIDResolutionResult): SigilMeta => (r.didDocumentMetadata as { sigil?: SigilMeta }).sigil ?? {};

/** Every change from `before` to `after` that matters to a correspondent, in a stable order. */
export function diffResolutions(before: DIDResolutionResult, after: DIDResolutionResult): DidChangeItem[] {
  const changes: DidChangeItem[] = [];
  if (after.didDocumentMetadata.deactivated && !before.didDocumentMetadata.deactivated) changes.push({ kind: "deactivated" });
  const [mb, ma] = [meta(before), meta(after)];
  if ((mb.owner ?? null) !== (ma.owner ?? null)) changes.push({ kind: "controllerChanged", from: mb.owner ?? null, to: ma.owner ?? null });

  const [kb, ka] = [keysByRelationship(before), keysByRelationship(after)];
  for (const relationship of RELATIONSHIPS) {
    for (const key of [...ka[relationship]].filter((k) => !kb[relationship].has(k)).sort())
      changes.push({ kind: "keyAdded", relationship, key });
    for (const key of [...kb[relationship]].filter((k) => !ka[relationship].has(k)).sort())
      changes.push({ kind: "keyRemoved", relationship, key });
  }

  // Named devices after the keys: the same keys were reported above, the names say whose they are.
  changes.push(...diffDevices(before, after));

  const sb = new Map((before.didDocument?.service ?? []).map((s) => [serviceKey(s), s]));
  const sa = new Map((after.didDocument?.service ?? []).map((s) => [serviceKey(s), s]));
  const plain = (s: Service) => ({ type: s.type, serviceEndpoint: s.serviceEndpoint });
  for (const [k, s] of [...sa].sort(([a], [b]) => (a < b ? -1 : 1)))
    if (!sb.has(k)) changes.push({ kind: "serviceAdded", service: plain(s) });
  for (const [k, s] of [...sb].sort(([a], [b]) => (a < b ? -1 : 1)))
    if (!sa.has(k)) changes.push({ kind: "serviceRemoved", service: plain(s) });

  const [cb, ca] = [mb.nextOwnerCommitment ?? null, ma.nextOwnerCommitment ?? null];
  if (cb !== ca) {
    if (cb) changes.push({ kind: "commitmentRemoved", commitment: cb });
    if (ca) changes.push({ kind: "commitmentMade", commitment: ca });
  }

  const [gb, ga] = [mb.guardians ?? null, ma.guardians ?? null];
  if (JSON.stringify(summary(gb)) !== JSON.stringify(summary(ga)))
    changes.push({ kind: "guardiansChanged", from: summary(gb), to: summary(ga) });
  const [pb, pa] = [mb.pendingGuardianChange ?? null, ma.pendingGuardianChange ?? null];
  if (pa && pb?.effectiveAt !== pa.effectiveAt)
    changes.push({ kind: "guardianChangeProposed", effectiveAt: pa.effectiveAt, removesGuardians: pa.removesGuardians });
  else if (pb && !pa && JSON.stringify(summary(gb)) === JSON.stringify(summary(ga))) changes.push({ kind: "guardianChangeWithdrawn" });

  const rb = new Map((mb.recoveries ?? []).map((r) => [r.proposal, r]));
  const ra = new Map((ma.recoveries ?? []).map((r) => [r.proposal, r]));
  const rank = { expired: -1, proposed: 0, armed: 1, ready: 2 } as const;
  for (const [id, r] of ra) {
    const was = rb.get(id);
    if (r.status === "expired" || (was && rank[was.status] >= rank[r.status])) continue;
    const kind = r.status === "proposed" ? "recoveryProposed" : r.status === "armed" ? "recoveryArmed" : "recoveryReady";
    changes.push({ kind, proposal: id, newOwner: r.newOwner, ...(r.readyAt ? { readyAt: r.readyAt } : {}) });
  }
  for (const id of rb.keys()) if (!ra.has(id)) changes.push({ kind: "recoveryClosed", proposal: id });
  return changes;
}

function summary(g: GuardianSummary | null): GuardianSummary | null {
  return g && { threshold: g.threshold, delaySeconds: g.delaySeconds };
}

/** One line per change, for a UI or a terminal. */
export function describeChange(c: DidChangeItem): string {
  switch (c.kind) {
    case "keyAdded":
      return `new ${c.relationship} key ${c.key}`;
    case "keyRemoved":
      return `${c.relationship} key removed: ${c.key}`;
    case "serviceAdded":
      return `new service ${c.service.type}: ${JSON.stringify(c.service.serviceEndpoint)}`;
    case "serviceRemoved":
      return `service removed ${c.service.type}: ${JSON.stringify(c.service.serviceEndpoint)}`;
    case "controllerChanged":
      return `controller changed from ${c.from} to ${c.to}`;
    case "commitmentMade":
      return "committed to a next key";
    case "commitmentRemoved":
      return "next-key commitment used or removed";
    case "guardiansChanged":
      return c.to ? `guardians set: ${c.to.threshold} needed, delay ${c.to.delaySeconds} s` : "guardians removed";
    case "guardianChangeProposed":
      return `${c.removesGuardians ? "removal of the guardians" : "new guardians"} proposed, effective ${c.effectiveAt}`;
    case "guardianChangeWithdrawn":
      return "pending guardian change dropped";
    case "recoveryProposed":
      return `guardians proposed a recovery to ${c.newOwner}`;
    case "recoveryArmed":
      return `RECOVERY PENDING to ${c.newOwner}, ready ${c.readyAt}`;
    case "recoveryReady":
      return `recovery to ${c.newOwner} can be finalised now`;
    case "recoveryClosed":
      return "recovery finished or cancelled";
    case "deactivated":
      return "DEACTIVATED";
    case "deviceAdded":
      return `NEW DEVICE "${c.device}" (signing key ${c.keys[0]}, encryption key ${c.keys[1]})`;
    case "deviceRemoved":
      return `device "${c.device}" removed`;
    case "deviceRekeyed":
      return `device "${c.device}" has NEW KEYS (signing ${c.to[0]}, encryption ${c.to[1]})`;
    case "deviceRenamed":
      return `device "${c.from}" renamed "${c.device}"`;
  }
}

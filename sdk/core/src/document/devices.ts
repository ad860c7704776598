// The devices of a DID (phone, laptop, ...): each with its own Ed25519 signing key and X25519
// key-agreement key, published as ordinary ERC-1056 attributes so that stock readers see the
// same valid keys, and tied together under a name by a `SigilDevice` service whose endpoint is
// the map {"name", "keys"}. Stock readers show that service as a harmless map; Sigil reads it
// here. Pure: reads documents only.
//
// The label is a claim the controller makes, nothing more: it names keys the document already
// lists. A label that names keys the document does not list, or a name or key claimed by two
// labels, could hide a device behind another's name, so such labels are ignored (reported in
// `ignored`, never trusted) and their keys count as unlabelled ones, which the safety number
// still covers.
import type { DIDResolutionResult, Service, VerificationMethod } from "did-resolver";
import { base58, base64, base64urlnopad } from "@scure/base";
import { bytesToHex, hexToBytes } from "viem";

/** The service type of a device label. */
export const DEVICE_SERVICE_TYPE = "SigilDevice";

/** Device names: ASCII letters, digits, space, `.`, `_`, `-`, 1 to 32 characters, starting with a
 * letter or digit. ASCII only, so that no look-alike letter ("phοne" with a Greek omicron) can
 * pass for another device's name on a screen. Compared case-insensitively. */
export const DEVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,31}$/;

/** One key of a device: the verification method's id and its public key (hex, lower case, no 0x). */
export interface DeviceKey {
  id: string;
  publicKeyHex: string;
}

export interface Device {
  name: string;
  /** Ed25519, in `authentication` (and `assertionMethod`): what the device signs with. */
  signingKey: DeviceKey;
  /** X25519, in `keyAgreement`: what messages to the device are encrypted to. */
  keyAgreementKey: DeviceKey;
  /** The id of the label's service entry. */
  serviceId: string;
}

/** Why a label was not trusted. */
export type DeviceLabelProblem = "malformed" | "keysMissing" | "nameClaimedTwice" | "keyClaimedTwice";

export interface IgnoredDeviceLabel {
  serviceId: string;
  /** The name it claims, when it has a readable one. */
  name?: string;
  problem: DeviceLabelProblem;
  detail: string;
}

export interface DeviceSet {
  /** Trusted devices, sorted by name. */
  devices: Device[];
  /** Labels not trusted, with why. */
  ignored: IgnoredDeviceLabel[];
}

/** A label's endpoint as published: {"name": "...", "keys": ["<ed25519 hex>", "<x25519 hex>"]}. */
export interface DeviceLabel {
  name: string;
  keys: string[];
}

/** The label endpoint Sigil writes for a device (keys as 64 lower-case hex digits, signing key first). */
export function deviceLabel(name: string, signingPublicKey: Uint8Array, keyAgreementPublicKey: Uint8Array): DeviceLabel {
  return { name, keys: [bytesToHex(signingPublicKey).slice(2), bytesToHex(keyAgreementPublicKey).slice(2)] };
}

// Multicodec prefixes of Multikey (publicKeyMultibase "z…"): ed25519-pub 0xed01, x25519-pub 0xec01.
const MULTICODEC: Record<string, string> = { "237,1": "Ed25519", "236,1": "X25519" };

/** The raw 32-byte key of an Ed25519 or X25519 method and its curve, in any of the encodings a
 * Sigil document may use (publicKeyHex, Base58, Base64, Multikey, an OKP JWK), or undefined.
 * Decoding only: written here rather than with did-jwt so the console does not carry did-jwt. */
function rawKey(vm: VerificationMethod): { hex: string; curve: string } | undefined {
  const m = vm as VerificationMethod & { publicKeyBase64?: string };
  const named = /X25519/.test(vm.type) ? "X25519" : /Ed25519/.test(vm.type) ? "Ed25519" : undefined;
  let bytes: Uint8Array | undefined;
  let curve = named;
  try {
    if (m.publicKeyHex !== undefined) bytes = /^[0-9a-f]{64}$/i.test(m.publicKeyHex) ? hexToBytes(`0x${m.publicKeyHex}`) : undefined;
    else if (m.publicKeyBase58 !== undefined) bytes = base58.decode(m.publicKeyBase58);
    else if (m.publicKeyBase64 !== undefined) bytes = base64.decode(m.publicKeyBase64);
    else if (m.publicKeyMultibase?.startsWith("z")) {
      const all = base58.decode(m.publicKeyMultibase.slice(1));
      curve = MULTICODEC[`${all[0]},${all[1]}`];
      bytes = all.slice(2);
    } else if (m.publicKeyJwk?.kty === "OKP" && typeof m.publicKeyJwk.x === "string") {
      curve = m.publicKeyJwk.crv;
      bytes = base64urlnopad.decode(m.publicKeyJwk.x);
    }
  } catch {
    return undefined;
  }
  return bytes?.length === 32 && curve ? { hex: bytesToHex(bytes).slice(2), curve } : undefined;
}

/** The Ed25519 authentication keys and X25519 key-agreement keys of a document, by hex. */
function deviceCapableKeys(result: DIDResolutionResult): { signing: Map<string, string>; agreement: Map<string, string> } {
  const doc = result.didDocument;
  const methods = new Map((doc?.verificationMethod ?? []).map((vm) => [vm.id, vm]));
  const collect = (refs: (string | VerificationMethod)[] | undefined, curve: string) => {
    const out = new Map<string, string>();
    for (const ref of refs ?? []) {
      const vm = typeof ref === "string" ? methods.get(ref) : ref;
      const key = vm && rawKey(vm);
      if (vm && key?.curve === curve) out.set(key.hex, vm.id);
    }
    return out;
  };
  return { signing: collect(doc?.authentication, "Ed25519"), agreement: collect(doc?.keyAgreement, "X25519") };
}

/** A label's endpoint if it has the published shape, else why not. */
function parseLabel(service: Service): DeviceLabel | string {
  const e = service.serviceEndpoint as unknown;
  if (typeof e !== "object" || e === null || Array.isArray(e)) return "its endpoint is not a {name, keys} map";
  const { name, keys } = e as Record<string, unknown>;
  if (typeof name !== "string" || !DEVICE_NAME.test(name)) return `its name ${JSON.stringify(name)} is not a device name`;
  if (!Array.isArray(keys) || keys.length !== 2 || !keys.every((k) => typeof k === "string" && /^[0-9a-f]{64}$/i.test(k)))
    return "its keys are not two 32-byte public keys in hex";
  return { name, keys: (keys as string[]).map((k) => k.toLowerCase()) };
}

/**
 * The devices a resolved document declares: each `SigilDevice` label whose two keys are an
 * Ed25519 authentication key and an X25519 key-agreement key the document lists. Labels that are
 * malformed, name keys the document does not list (revoked, expired, never published), or share
 * a name (case-insensitively) or a key with another label are ignored and reported, never trusted.
 */
export function devicesOf(result: DIDResolutionResult): DeviceSet {
  const ignored: IgnoredDeviceLabel[] = [];
  const { signing, agreement } = deviceCapableKeys(result);
  const candidates: Device[] = [];
  for (const service of result.didDocument?.service ?? []) {
    if (service.type !== DEVICE_SERVICE_TYPE) continue;
    const label = parseLabel(service);
    if (typeof label === "string") {
      ignored.push({ serviceId: service.id, problem: "malformed", detail: label });
      continue;
    }
    const [sig, agree] = label.keys;
    const [sigId, agreeId] = [signing.get(sig), agreement.get(agree)];
    if (sigId === undefined || agreeId === undefined) {
      const missing = [
        sigId === undefined ? `Ed25519 authentication key ${sig}` : "",
        agreeId === undefined ? `X25519 key-agreement key ${agree}` : "",
      ];
      ignored.push({
        serviceId: service.id,
        name: label.name,
        problem: "keysMissing",
        detail: `the document lists no ${missing.filter(Boolean).join(" and no ")} (revoked, expired or never published)`,
      });
      continue;
    }
    candidates.push({
      name: label.name,
      signingKey: { id: sigId, publicKeyHex: sig },
      keyAgreementKey: { id: agreeId, publicKeyHex: agree },
      serviceId: service.id,
    });
  }
  const count = (values: string[]) => values.reduce((m, v) => m.set(v, (m.get(v) ?? 0) + 1), new Map<string, number>());
  const names = count(candidates.map((d) => d.name.toLowerCase()));
  const keys = count(candidates.flatMap((d) => [d.signingKey.publicKeyHex, d.keyAgreementKey.publicKeyHex]));
  const devices: Device[] = [];
  for (const d of candidates) {
    const shared = [d.signingKey.publicKeyHex, d.keyAgreementKey.publicKeyHex].find((k) => keys.get(k)! > 1);
    if (names.get(d.name.toLowerCase())! > 1)
      ignored.push({
        serviceId: d.serviceId,
        name: d.name,
        problem: "nameClaimedTwice",
        detail: `another label is also named "${d.name}"`,
      });
    else if (shared)
      ignored.push({
        serviceId: d.serviceId,
        name: d.name,
        problem: "keyClaimedTwice",
        detail: `key ${shared} is claimed by another label too`,
      });
    else devices.push(d);
  }
  devices.sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));
  return { devices, ignored };
}

/** A change of one named device between two resolutions. */
export type DeviceChangeItem =
  | { kind: "deviceAdded" | "deviceRemoved"; device: string; keys: string[] }
  | { kind: "deviceRekeyed"; device: string; from: string[]; to: string[] }
  | { kind: "deviceRenamed"; device: string; from: string; keys: string[] };

const keysOf = (d: Device) => [d.signingKey.publicKeyHex, d.keyAgreementKey.publicKeyHex];

/** Which devices were added, removed, re-keyed (same name, other keys) or renamed (same keys,
 * other name) from `before` to `after`, in name order. */
export function diffDevices(before: DIDResolutionResult, after: DIDResolutionResult): DeviceChangeItem[] {
  const byName = (r: DIDResolutionResult) => new Map(devicesOf(r).devices.map((d) => [d.name.toLowerCase(), d]));
  const [b, a] = [byName(before), byName(after)];
  const byKeys = (m: Map<string, Device>) => new Map([...m.values()].map((d) => [keysOf(d).join(":"), d]));
  const [bk, ak] = [byKeys(b), byKeys(a)];
  const changes: DeviceChangeItem[] = [];
  for (const [name, d] of a) {
    const was = b.get(name);
    const renamedFrom = bk.get(keysOf(d).join(":"));
    if (was && keysOf(was).join(":") !== keysOf(d).join(":"))
      changes.push({ kind: "deviceRekeyed", device: d.name, from: keysOf(was), to: keysOf(d) });
    else if (!was && renamedFrom && !a.has(renamedFrom.name.toLowerCase()))
      changes.push({ kind: "deviceRenamed", device: d.name, from: renamedFrom.name, keys: keysOf(d) });
    else if (!was) changes.push({ kind: "deviceAdded", device: d.name, keys: keysOf(d) });
  }
  for (const [name, d] of b) {
    const renamed = ak.get(keysOf(d).join(":"));
    if (!a.has(name) && !(renamed && !b.has(renamed.name.toLowerCase())))
      changes.push({ kind: "deviceRemoved", device: d.name, keys: keysOf(d) });
  }
  return changes.sort((x, y) => (x.device.toLowerCase() < y.device.toLowerCase() ? -1 : x.device === y.device ? 0 : 1));
}

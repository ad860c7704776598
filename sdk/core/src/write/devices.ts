// Adding and removing a device of a DID as registry operations (see document/devices.ts for
// the format). Adding publishes the signing key, the key-agreement key, then the label, in that
// order, so that a reader never trusts a label before its keys are there (a label alone would be
// ignored as keysMissing). Removing revokes all three in one revokeEntries call, so no reader
// ever sees the device half-gone: nothing can be encrypted to it or accepted from it afterwards.
import { bytesToHex, hexToBytes, hexToString, type Address, type Hex } from "viem";
import { DEVICE_NAME, DEVICE_SERVICE_TYPE, deviceLabel, type Device } from "../document/devices.ts";
import { InvalidInputError } from "../errors.ts";
import { generateKeyPair, publicKeyAttribute, type KeyPair } from "./keys.ts";
import { bytes32Name, type AttributeRef, type Operation } from "./operations.ts";

/** A new device's key pairs (the secrets stay on the device). */
export interface NewDevice {
  name: string;
  signing: KeyPair;
  keyAgreement: KeyPair;
}

/** Refuses a name that is not a device name (see DEVICE_NAME), saying what is allowed. */
export function checkDeviceName(name: string): void {
  if (!DEVICE_NAME.test(name))
    throw new InvalidInputError({
      what: "device name",
      value: name,
      expected: "1 to 32 ASCII letters, digits, spaces, '.', '_' or '-', starting with a letter or digit (no look-alike letters)",
    });
}

/** Generates a device's Ed25519 signing key and X25519 key-agreement key (@noble/curves). */
export function generateDevice(name: string): NewDevice {
  checkDeviceName(name);
  return { name, signing: generateKeyPair("Ed25519"), keyAgreement: generateKeyPair("X25519") };
}

/** The three attributes of a device: its signing key, its key-agreement key and its label
 * (`did/svc/SigilDevice`, the endpoint map as compact JSON, `name` then `keys`). */
export function deviceAttributes(name: string, signingPublicKey: Uint8Array, keyAgreementPublicKey: Uint8Array): AttributeRef[] {
  checkDeviceName(name);
  const label = JSON.stringify(deviceLabel(name, signingPublicKey, keyAgreementPublicKey));
  return [
    publicKeyAttribute("Ed25519", "sigAuth", signingPublicKey),
    publicKeyAttribute("X25519", "enc", keyAgreementPublicKey),
    { name: bytes32Name(`did/svc/${DEVICE_SERVICE_TYPE}`), value: bytesToHex(new TextEncoder().encode(label)) as Hex },
  ];
}

/**
 * The operations that add a device to `identity`, to send (or sign) in this order: keys first,
 * label last. `validity` in seconds (the keys and the label expire together).
 */
export function addDeviceOperations(
  identity: Address,
  device: { name: string; signingPublicKey: Uint8Array; keyAgreementPublicKey: Uint8Array },
  validity: bigint,
): Extract<Operation, { type: "setAttribute" }>[] {
  if (validity <= 0n) throw new InvalidInputError({ what: "validity", value: String(validity), expected: "a number of seconds > 0" });
  return deviceAttributes(device.name, device.signingPublicKey, device.keyAgreementPublicKey).map((a) => ({
    type: "setAttribute" as const,
    identity,
    ...a,
    validity,
  }));
}

/**
 * The one operation that removes `device` (from devicesOf) from `identity`: revokes its two keys
 * and its label together. `labelValue`: the label attribute's exact bytes when it was not written
 * by Sigil (another serialisation of the same JSON); by default Sigil's own.
 */
export function removeDeviceOperation(identity: Address, device: Device, labelValue?: Hex): Operation {
  const [sig, agree, label] = deviceAttributes(
    device.name,
    hexToBytes(`0x${device.signingKey.publicKeyHex}`),
    hexToBytes(`0x${device.keyAgreementKey.publicKeyHex}`),
  );
  return {
    type: "revokeEntries",
    identity,
    revokeDelegates: [],
    revokeAttributes: [sig, agree, labelValue ? { name: label.name, value: labelValue } : label],
  };
}

const LABEL_NAME = bytes32Name(`did/svc/${DEVICE_SERVICE_TYPE}`);

/** The name and keys a label attribute's value claims, when it is JSON. */
function claimOf(value: Hex): { name: string; keys: string[] } | undefined {
  try {
    const parsed = JSON.parse(hexToString(value)) as { name?: unknown; keys?: unknown };
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const keys = Array.isArray(parsed.keys) ? parsed.keys.map((k) => `0x${String(k).toLowerCase()}`) : [];
    return { name: String(parsed.name ?? ""), keys };
  } catch {
    return undefined;
  }
}

/** What removing a device by name revokes. */
export interface DeviceRemoval {
  operation: Operation;
  /** The key attributes and labels it revokes. */
  keys: AttributeRef[];
  labels: AttributeRef[];
}

/**
 * The one operation that removes the device `name` given the identity's live attributes (exact
 * names and values, as the registry holds them: activeEntries): every label of that name,
 * case-insensitively and trusted or not (a thief's second "phone" too), and the keys they name
 * that no other live label names (removing a thief's label that claims your phone's key must not
 * revoke your phone's key). Undefined when no live label has that name.
 */
export function deviceRemoval(identity: Address, name: string, live: readonly AttributeRef[]): DeviceRemoval | undefined {
  const all = live.filter((a) => a.name === LABEL_NAME);
  const labels = all.filter((a) => claimOf(a.value)?.name.toLowerCase() === name.toLowerCase());
  if (labels.length === 0) return undefined;
  const others = new Set(all.filter((l) => !labels.includes(l)).flatMap((l) => claimOf(l.value)?.keys ?? []));
  const named = new Set(labels.flatMap((l) => claimOf(l.value)?.keys ?? []));
  const keys = live.filter((a) => a.name !== LABEL_NAME && named.has(a.value.toLowerCase()) && !others.has(a.value.toLowerCase()));
  return { operation: { type: "revokeEntries", identity, revokeDelegates: [], revokeAttributes: [...keys, ...labels] }, keys, labels };
}

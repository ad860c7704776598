// An app's trust policy for correspondents: the user confirms a contact once (after comparing
// the safety number), and from then on the app refuses to encrypt to that contact while its
// encryption keys or controller differ from what the user confirmed, listing what changed, until
// the user confirms again. What Signal does when a safety number changes.
import type { DIDResolutionResult, Resolvable } from "did-resolver";
import { diffResolutions, type DidChangeItem } from "../document/changes.ts";
import { encryptMessage, type EncryptMessageOptions, type JWE } from "./encryption.ts";
import { MessageError } from "../errors.ts";

/** Changes that make an encryption unsafe until the user looks: new or removed key-agreement
 * keys, another controller, deactivation, and any change of the named devices (each changes the
 * safety number the user compared, even a label change that leaves the keys as they were). */
export function blocksEncryption(change: DidChangeItem): boolean {
  return (
    ((change.kind === "keyAdded" || change.kind === "keyRemoved") && change.relationship === "keyAgreement") ||
    change.kind === "controllerChanged" ||
    change.kind === "deactivated" ||
    change.kind === "deviceAdded" ||
    change.kind === "deviceRemoved" ||
    change.kind === "deviceRekeyed" ||
    change.kind === "deviceRenamed"
  );
}

export interface Contacts {
  /** Trust the contact's current keys (the user compared the safety number). */
  confirm(did: string): Promise<DIDResolutionResult>;
  /** What changed since the user last confirmed `did` (every change if never confirmed is not
   * possible: an unconfirmed contact has nothing to compare with, so this throws). */
  changesSince(did: string): Promise<DidChangeItem[]>;
  /** Encrypts to the contact unless its keys changed since confirmation (MessageError
   * "unverifiedChange", with `changes`). */
  encryptTo(did: string, content: Record<string, unknown>, options?: EncryptMessageOptions): Promise<JWE>;
}

export class UnverifiedChangeError extends MessageError {
  override name = "UnverifiedChangeError";
  readonly changes: DidChangeItem[];
  constructor(did: string, changes: DidChangeItem[]) {
    super("unverifiedChange", `${did}'s keys changed since you verified them`, "compare the safety number again before sending");
    this.changes = changes;
  }
}

export function createContacts(resolver: Resolvable): Contacts {
  const confirmed = new Map<string, DIDResolutionResult>();
  async function current(did: string) {
    const result = await resolver.resolve(did);
    if (result.didResolutionMetadata.error)
      throw new MessageError("unresolvable", `could not resolve ${did}`, result.didResolutionMetadata.message);
    return result;
  }
  async function changesSince(did: string) {
    const was = confirmed.get(did);
    if (!was)
      throw new MessageError("unverifiedChange", `${did} was never verified`, "compare the safety number, then confirm the contact");
    return diffResolutions(was, await current(did));
  }
  return {
    async confirm(did) {
      const result = await current(did);
      confirmed.set(did, result);
      return result;
    },
    changesSince,
    async encryptTo(did, content, options = {}) {
      const blocking = (await changesSince(did)).filter(blocksEncryption);
      if (blocking.length > 0) throw new UnverifiedChangeError(did, blocking);
      return encryptMessage(did, content, resolver, options);
    },
  };
}

// The MLS credential of a DID-identified member: a basic credential (RFC 9420 §5.3) whose
// identity is the DID's UTF-8. Basic, not a custom credential type: §5.3.1 leaves a basic
// identity's meaning to the application's authentication service, which is exactly what
// resolving the DID does, and every MLS implementation carries basic credentials, whereas a
// custom type must be listed in every member's capabilities (§7.2) and unaware clients could not
// join. The DID is the whole identity: no key, no name, nothing the resolver would not vouch for.
import type { Credential, CredentialBasic } from "ts-mls";
import { parse } from "did-resolver";
import { InvalidInputError } from "../errors.ts";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** A DID with neither path, query nor fragment, or undefined. */
function plainDid(text: string): string | undefined {
  const parsed = parse(text);
  return parsed && parsed.did === text ? text : undefined;
}

/**
 * The basic credential naming `did` (identity = its UTF-8 bytes), for `generateKeyPackage`.
 * @throws InvalidInputError when `did` is not a DID (a DID URL with a path, query or fragment is not).
 */
export function didCredential(did: string): CredentialBasic {
  if (typeof did !== "string" || plainDid(did) === undefined)
    throw new InvalidInputError({
      what: "DID",
      value: String(did),
      expected: "a DID such as did:sigil:…, without path, query or fragment",
    });
  return { credentialType: "basic", identity: new TextEncoder().encode(did) };
}

/** The DID a credential names, or undefined when it is not a basic credential holding exactly a DID. */
export function didOfCredential(credential: Credential): string | undefined {
  if (credential.credentialType !== "basic") return undefined;
  let text: string;
  try {
    text = strictUtf8.decode(credential.identity);
  } catch {
    return undefined;
  }
  return plainDid(text);
}

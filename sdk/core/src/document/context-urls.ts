// The URLs of the JSON-LD contexts did:sigil documents name; the bundled contexts themselves are
// in contexts.ts, which the resolver never imports (they would only add to its browser bundle).
export const DID_V1_CONTEXT_URL = "https://www.w3.org/ns/did/v1";
export const DID_V1_1_CONTEXT_URL = "https://www.w3.org/ns/did/v1.1";
export const CID_V1_CONTEXT_URL = "https://www.w3.org/ns/cid/v1";
export const SECP256K1_RECOVERY_CONTEXT_URL = "https://w3id.org/security/suites/secp256k1recovery-2020/v2";
export const SIGIL_CONTEXT_URL = "https://w3id.org/sigil/v1";

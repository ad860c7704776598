// Shared pieces of the DIDComm encryption tests: didcomm-node's pack_encrypted as an app calls it
// (Sigil's adapters for its resolvers, its documented defaults otherwise), a DIDComm plaintext, and
// a refusal checker.
import { expect } from "chai";
import { Message } from "didcomm-node";
import type { Resolvable } from "did-resolver";
import { decryptMessage, didcommSecrets, encryptMessage, MessageError, type JWE } from "sigil-did";
import { didcommNodePeer, type Chain, type SigilIdentity } from "./didcomm-peers.ts";

export const unb64 = (text: string) => JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
export const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
/** didcomm-node's names of the anoncrypt algorithms, by JWE `enc`. */
export const ANON = { XC20P: "Xc20pEcdhEsA256kw", A256GCM: "A256gcmEcdhEsA256kw", "A256CBC-HS512": "A256cbcHs512EcdhEsA256kw" } as const;
export const ENCS = Object.keys(ANON) as (keyof typeof ANON)[];
export const headerOf = (jwe: JWE | string) => unb64((typeof jwe === "string" ? JSON.parse(jwe) : jwe).protected);
export const senderOf = (who: SigilIdentity) => ({ did: who.did, keyId: who.x.kid, secretKey: who.x.secretKey });

/** A MessageError the work was refused with (fails the test on success or another error). */
export async function refusal(work: Promise<unknown>): Promise<MessageError> {
  const e = await work.then(
    (value) => expect.fail(`expected a refusal, got ${JSON.stringify(value)?.slice(0, 200)}`),
    (error: unknown) => error,
  );
  expect(e, String(e)).to.be.instanceOf(MessageError);
  return e as MessageError;
}

/** A DIDComm plaintext message. */
export const jwm = (from: string | undefined, to: string[], text: string) => ({
  id: `msg-${Math.random().toString(36).slice(2)}`,
  typ: "application/didcomm-plain+json",
  type: "https://example.org/chat/1.0/text",
  ...(from ? { from } : {}),
  to,
  body: { text },
});

/** didcomm-node's pack_encrypted from `sender` (anoncrypt without one) to `to`. */
export async function nodePack(
  env: Chain,
  sender: SigilIdentity | undefined,
  to: SigilIdentity,
  text: string,
  options: Record<string, unknown> = {},
) {
  const peer = didcommNodePeer(env, sender ?? to);
  const [packed, meta] = await new Message(jwm(sender?.did, [to.did], text) as never).pack_encrypted(
    to.did,
    sender?.did ?? null,
    null,
    peer.resolver(),
    didcommSecrets(sender?.keys ?? []),
    options,
  );
  return { packed, meta };
}

/**
 * encryptMessage and decryptMessage dated by the chain's clock, as the message's receipt is: every
 * in-process chain of a run starts at the first one's genesis time (EDR), so late in the run its
 * clock is minutes behind the wall clock, and a message dated after its receipt is refused.
 * `current` gives the test's chain and resolver as they are when called (set in beforeEach).
 */
export function chainDated(current: () => { env: Chain; resolver: Resolvable }) {
  const chainNow = async () => Number((await current().env.publicClient.getBlock()).timestamp);
  const encrypt: typeof encryptMessage = async (to, content, resolver, options = {}) =>
    encryptMessage(to, content, resolver, { now: await chainNow(), ...options });
  const open = async (jwe: JWE | string, who: SigilIdentity, options: Parameters<typeof decryptMessage>[3] = {}) =>
    decryptMessage(jwe, { did: who.did, secretKey: who.x.secretKey }, current().resolver, { now: await chainNow(), ...options });
  return { chainNow, encrypt, open };
}

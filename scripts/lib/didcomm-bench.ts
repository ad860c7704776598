// DIDComm v2 between two did:sigil identities (issue 24): Sigil's own pack + unpack against the two
// stock DIDComm libraries it interoperates with, each packing and unpacking its own messages with
// its documented defaults, all resolving through ONE warm Sigil resolver cache so that the
// cryptography and the envelope, not the chain, are what is measured (the JSON-RPC calls per
// message are counted to show it). Identities and keys are written to the registry on the
// in-process chain by the interop tests' harness (test/support/didcomm-peers.ts).
// - Sigil: encryptMessage / decryptMessage (authcrypt ECDH-1PU -04 + A256KW / A256CBC-HS512,
//   anoncrypt ECDH-ES+A256KW / XC20P, their defaults), signDidcommMessage / verifyDidcommSigned.
// - didcomm-node (the reference didcomm-rust as WASM): Message.pack_encrypted / pack_signed /
//   Message.unpack with default options, given Sigil's didcommResolver and didcommSecrets.
// - Veramo 7 (@veramo/did-comm): packDIDCommMessage / unpackDIDCommMessage on an agent set up as
//   Veramo's docs do (memory stores, local KMS); its authcrypt is ECDH-1PU draft -03, by default
//   with A256GCM, so it is measured both with A256CBC-HS512 (as the others) and with its default.
import type { IPackDIDCommMessageArgs } from "@veramo/did-comm";
import { Message } from "didcomm-node";
import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import {
  createSigilResolver,
  decryptMessage,
  didcommResolver,
  didcommSecrets,
  encryptMessage,
  signDidcommMessage,
  verifyDidcommSigned,
  type DIDCommPlaintext,
} from "sigil-did";
import { setup } from "../../test/sdk/fixture.ts";
import { publishIdentity, veramoPeer, type SigilIdentity } from "../../test/support/didcomm-peers.ts";
import { alternatingRates } from "./bench-rounds.ts";

export type Packing = "authcrypt" | "anoncrypt" | "signed";
export interface DidcommRow {
  packing: Packing;
  peer: "Sigil" | "didcomm-node" | "Veramo" | "@noble alone";
  /** How the peer packs (its defaults unless said). */
  config: string;
  /** Pack + unpack round trips per second (median of the rounds). */
  perSecond: number;
  /** perSecond / Sigil's in the same packing. */
  vsSigil: number;
  /** The packed message's length in characters (JSON). */
  packedChars: number;
  /** JSON-RPC calls per round trip, counted after the rounds (0: the warm cache answered everything). */
  rpcCalls: number;
}
export interface DidcommBench {
  rounds: number;
  perRound: number;
  textChars: number;
  rows: DidcommRow[];
}

/** One pack + unpack; returns the packed message's length. Throws when the message does not come back whole. */
type RoundTrip = () => Promise<number>;
interface Contender {
  packing: Packing;
  peer: DidcommRow["peer"];
  config: string;
  once: RoundTrip;
}

// ~200 characters: a chat message.
const TEXT = "Meet at the north entrance at seven; bring the documents we discussed and do not use the old number. "
  .repeat(2)
  .slice(0, 200);

function expectText(got: unknown, who: string): void {
  if (got !== TEXT) throw new Error(`${who}: the message did not come back whole (${JSON.stringify(got)?.slice(0, 80)})`);
}

const plaintext = (alice: SigilIdentity, bob: SigilIdentity): DIDCommPlaintext => ({
  id: `bench-${Math.random().toString(36).slice(2)}`,
  typ: "application/didcomm-plain+json",
  type: "https://example.org/chat/1.0/text",
  from: alice.did,
  to: [bob.did],
  created_time: Math.floor(Date.now() / 1000),
  body: { text: TEXT },
});

/** Sigil's encryptMessage/decryptMessage and signDidcommMessage/verifyDidcommSigned with their defaults. */
function sigilContenders(resolver: ReturnType<typeof createSigilResolver>, alice: SigilIdentity, bob: SigilIdentity): Contender[] {
  const bobKey = { did: bob.did, secretKey: bob.x.secretKey };
  const crypt = (from?: { did: string; keyId: string; secretKey: Uint8Array }) => async () => {
    const jwe = await encryptMessage(bob.did, { text: TEXT }, resolver, from ? { from } : {});
    const out = await decryptMessage(jwe, bobKey, resolver);
    expectText(out.payload.text, "Sigil");
    if (from && out.from !== alice.did) throw new Error("Sigil: authcrypt sender not authenticated");
    return JSON.stringify(jwe).length;
  };
  const aliceSigner = { kid: alice.ed.kid, type: "Ed25519" as const, secretKey: alice.ed.secretKey };
  return [
    {
      packing: "authcrypt",
      peer: "Sigil",
      config: "encryptMessage `from`: ECDH-1PU+A256KW (-04), A256CBC-HS512",
      once: crypt({ did: alice.did, keyId: alice.x.kid, secretKey: alice.x.secretKey }),
    },
    { packing: "anoncrypt", peer: "Sigil", config: "encryptMessage: ECDH-ES+A256KW, XC20P (default)", once: crypt() },
    {
      packing: "signed",
      peer: "Sigil",
      config: "signDidcommMessage + verifyDidcommSigned, EdDSA",
      async once() {
        const packed = await signDidcommMessage(plaintext(alice, bob), aliceSigner);
        const verdict = await verifyDidcommSigned(packed, resolver);
        if (!verdict.ok) throw new Error(`Sigil signed: ${verdict.reason}`);
        expectText((verdict.message.body as { text?: string } | undefined)?.text, "Sigil signed");
        return packed.length;
      },
    },
  ];
}

/** Stock didcomm-node, fed Sigil's adapters; its default options, XC20P named for anoncrypt. */
function didcommNodeContenders(resolver: ReturnType<typeof createSigilResolver>, alice: SigilIdentity, bob: SigilIdentity): Contender[] {
  const dids = didcommResolver(resolver);
  const [aliceSecrets, bobSecrets] = [didcommSecrets(alice.keys), didcommSecrets(bob.keys)];
  const unpack = async (packed: string, who: string) => {
    const [message, meta] = await Message.unpack(packed, dids, bobSecrets, {});
    expectText((message.as_value() as { body: { text?: string } }).body.text, who);
    return meta;
  };
  return [
    {
      packing: "authcrypt",
      peer: "didcomm-node",
      config: "pack_encrypted with `from`, default options: ECDH-1PU+A256KW (-04), A256CBC-HS512",
      async once() {
        const [packed] = await new Message(plaintext(alice, bob) as never).pack_encrypted(bob.did, alice.did, null, dids, aliceSecrets, {});
        if (!(await unpack(packed, "didcomm-node authcrypt")).authenticated) throw new Error("didcomm-node: not authenticated");
        return packed.length;
      },
    },
    {
      packing: "anoncrypt",
      peer: "didcomm-node",
      config: "pack_encrypted, enc_alg_anon Xc20pEcdhEsA256kw (its default)",
      async once() {
        const [packed] = await new Message(plaintext(alice, bob) as never).pack_encrypted(bob.did, null, null, dids, aliceSecrets, {
          enc_alg_anon: "Xc20pEcdhEsA256kw",
        });
        await unpack(packed, "didcomm-node anoncrypt");
        return packed.length;
      },
    },
    {
      packing: "signed",
      peer: "didcomm-node",
      config: "pack_signed (EdDSA) + unpack",
      async once() {
        const [packed] = await new Message(plaintext(alice, bob) as never).pack_signed(alice.ed.kid, dids, aliceSecrets);
        if (!(await unpack(packed, "didcomm-node signed")).authenticated) throw new Error("didcomm-node: signature not checked");
        return packed.length;
      },
    },
  ];
}

/** Stock Veramo agents (one per identity) resolving through the same warm Sigil resolver's plugin. */
async function veramoContenders(
  env: Awaited<ReturnType<typeof setup>>,
  resolver: ReturnType<typeof createSigilResolver>,
  alice: SigilIdentity,
  bob: SigilIdentity,
): Promise<Contender[]> {
  // Two pairs of agents. Veramo 7 converts an agent's Ed25519 keys to X25519 IN PLACE the first
  // time it packs or unpacks an encrypted message (@veramo/utils convertIdentifierEncryptionKeys
  // mutates the keys MemoryDIDStore hands out), after which that agent cannot sign with them
  // ("key_not_found"); signed messages therefore get agents that never encrypted.
  const crypt = [await veramoPeer(env, alice, resolver), await veramoPeer(env, bob, resolver)] as const;
  const sign = [await veramoPeer(env, alice, resolver), await veramoPeer(env, bob, resolver)] as const;
  const veramoMessage = () => {
    const { id, type, from, to, body } = plaintext(alice, bob);
    return { id, type, from: from!, to: to!, body };
  };
  type PackArgs = Omit<IPackDIDCommMessageArgs, "message">;
  const trip =
    (args: PackArgs, who: string): RoundTrip =>
    async () => {
      const [sender, recipient] = args.packing === "jws" ? sign : crypt;
      const { message } = await sender.packDIDCommMessage({ ...args, message: veramoMessage() });
      const out = await recipient.unpackDIDCommMessage({ message });
      expectText((out.message.body as { text?: string }).text, who);
      if (out.metaData.packing !== args.packing) throw new Error(`${who}: unpacked as ${out.metaData.packing}`);
      return message.length;
    };
  return [
    {
      packing: "authcrypt",
      peer: "Veramo",
      config: "authcrypt, enc A256CBC-HS512: ECDH-1PU+A256KW (-03)",
      once: trip({ packing: "authcrypt", options: { enc: "A256CBC-HS512" } }, "Veramo authcrypt"),
    },
    {
      packing: "authcrypt",
      peer: "Veramo",
      config: "authcrypt, its default: ECDH-1PU+A256KW (-03), A256GCM",
      once: trip({ packing: "authcrypt" }, "Veramo authcrypt (default)"),
    },
    {
      packing: "anoncrypt",
      peer: "Veramo",
      config: "anoncrypt, enc XC20P (its default)",
      once: trip({ packing: "anoncrypt", options: { enc: "XC20P" } }, "Veramo anoncrypt"),
    },
    {
      packing: "signed",
      peer: "Veramo",
      config: "jws (EdDSA, its controller key)",
      once: trip({ packing: "jws", keyRef: alice.ed.kid }, "Veramo jws"),
    },
  ];
}

/**
 * The floor of a pure-JavaScript peer: only the elliptic-curve operations each packing needs, with
 * the @noble/curves Sigil and Veramo (through did-jwt) use; no KDF, no cipher, no envelope, no
 * resolution. didcomm-node does the same operations in Rust compiled to WASM.
 */
function floorContenders(): Contender[] {
  const [recipient, sender] = [x25519.utils.randomSecretKey(), x25519.utils.randomSecretKey()];
  const [recipientPub, senderPub] = [x25519.getPublicKey(recipient), x25519.getPublicKey(sender)];
  const signer = ed25519.utils.randomSecretKey();
  const [signerPub, payload] = [ed25519.getPublicKey(signer), new TextEncoder().encode(TEXT.repeat(4))];
  const agree = (withSender: boolean) => async () => {
    const eph = x25519.utils.randomSecretKey();
    const epk = x25519.getPublicKey(eph);
    x25519.getSharedSecret(eph, recipientPub);
    x25519.getSharedSecret(recipient, epk);
    if (withSender) {
      x25519.getSharedSecret(sender, recipientPub);
      x25519.getSharedSecret(recipient, senderPub);
    }
    return 0;
  };
  return [
    {
      packing: "authcrypt",
      peer: "@noble alone",
      config: "5 X25519 operations (ephemeral key, 2 agreements each side)",
      once: agree(true),
    },
    {
      packing: "anoncrypt",
      peer: "@noble alone",
      config: "3 X25519 operations (ephemeral key, 1 agreement each side)",
      once: agree(false),
    },
    {
      packing: "signed",
      peer: "@noble alone",
      config: "one Ed25519 signature and its verification",
      async once() {
        if (!ed25519.verify(ed25519.sign(payload, signer), payload, signerPub)) throw new Error("@noble: signature not verified");
        return 0;
      },
    },
  ];
}

export async function measureDidcomm({ smoke = false } = {}): Promise<DidcommBench> {
  const [rounds, perRound] = smoke ? [2, 3] : [7, 60];
  const env = await setup();
  const [alice, bob] = [await publishIdentity(env, 1), await publishIdentity(env, 2)];
  // The SDK's cache, held for the whole run: after the warm-up every document comes from memory.
  const resolver = createSigilResolver({
    networks: [{ chainId: env.chainId, name: "local", registry: env.registry, provider: env.counting }],
    cache: { maxAgeMs: 3_600_000 },
  });
  const contenders = [
    ...sigilContenders(resolver, alice, bob),
    ...didcommNodeContenders(resolver, alice, bob),
    ...(await veramoContenders(env, resolver, alice, bob)),
    ...floorContenders(),
  ];
  const rows: DidcommRow[] = [];
  for (const packing of ["authcrypt", "anoncrypt", "signed"] as const) {
    const group = contenders.filter((c) => c.packing === packing);
    const runs = Object.fromEntries(
      group.map((c, i) => [
        String(i),
        async (n: number) => {
          for (let k = 0; k < n; k++) await c.once();
        },
      ]),
    );
    const rates = await alternatingRates(runs, { rounds, perRound });
    for (const [i, c] of group.entries()) {
      env.counting.reset();
      const packedChars = await c.once();
      rows.push({
        packing,
        peer: c.peer,
        config: c.config,
        perSecond: rates[String(i)],
        vsSigil: 0,
        packedChars,
        rpcCalls: env.counting.calls.length,
      });
    }
    const sigil = rows.find((r) => r.packing === packing && r.peer === "Sigil")!.perSecond;
    for (const r of rows) if (r.packing === packing) r.vsSigil = r.perSecond / sigil;
  }
  return { rounds, perRound, textChars: TEXT.length, rows };
}

export function renderDidcomm(b: DidcommBench): string {
  return [
    "| packing | peer | configuration | pack + unpack /s | × Sigil | packed | JSON-RPC calls |",
    "| --- | --- | --- | ---: | ---: | ---: | ---: |",
    ...b.rows.map(
      (r) =>
        `| ${r.packing} | ${r.peer} | ${r.config} | ${r.perSecond.toFixed(0)} | ${r.vsSigil.toFixed(2)}x | ${r.packedChars ? `${r.packedChars} chars` : "–"} | ${r.rpcCalls} |`,
    ),
    "",
    `A ${b.textChars}-character message from one did:sigil identity to another, packed and unpacked by the same peer; medians of ${b.rounds} alternating rounds of ${b.perRound} round trips after a warm-up, in one process. JSON-RPC calls: per round trip after the rounds (0: the warm cache answered every resolution). "@noble alone": only the curve operations a packing needs, with the library Sigil and Veramo use, as the floor of any pure-JavaScript peer; didcomm-node runs the same operations in Rust compiled to WASM.`,
  ].join("\n");
}

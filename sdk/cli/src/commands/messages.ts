// Signed messages and watching: sign as a DID, verify against the sender's keys, and print a
// line whenever a watched DID changes.
import { readFileSync } from "node:fs";
import { Command, Option } from "commander";
import { isHex, type Hex } from "viem";
import {
  decryptMessage,
  encryptMessage,
  parseDid,
  signMessage,
  verifyMessage,
  type ContentAlgorithm,
  type Ecdh1puVersion,
  type EncryptionProfile,
} from "sigil-did";
import { DEFAULT_SKEW_SECONDS } from "sigil-did/internal";
import { CliError, EXIT, readJson, toJson, type Context } from "../context.ts";

interface EncryptFlags {
  from?: string;
  fromKey?: string;
  key?: string[];
  enc?: ContentAlgorithm;
  ecdh1pu?: Ecdh1puVersion;
  profile?: EncryptionProfile;
}

type Ctx = () => Context;

/** An argument, or for long JWTs/JWEs: `-` reads stdin, `@file` reads a file. */
function readInput(value: string, what: string): string {
  try {
    const read =
      value === "-" ? readFileSync(0, "utf8").trim() : value.startsWith("@") ? readFileSync(value.slice(1), "utf8").trim() : value;
    if (read === "")
      throw new CliError(
        `no ${what}: ${value === "-" ? "stdin was empty" : value.startsWith("@") ? `${value.slice(1)} is empty` : "the argument is empty"}`,
      );
    return read;
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`cannot read the ${what} from ${value === "-" ? "stdin" : value.slice(1)}: ${(e as Error).message}`);
  }
}

function isoSeconds(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new CliError(`${what} "${value}" is not an ISO 8601 time`);
  return Math.floor(ms / 1000);
}

function x25519Key(): Hex {
  const file = process.env.SIGIL_X25519_KEY_FILE;
  if (file) {
    const card = readJson<{ type?: string; privateKey?: string }>(file, "X25519 key file");
    if (card.type !== "X25519" || !card.privateKey || !isHex(card.privateKey) || card.privateKey.length !== 66)
      throw new CliError(`${file} is not an X25519 key file (sigil keygen --type X25519 writes one)`);
    return card.privateKey as Hex;
  }
  const key = process.env.SIGIL_X25519_KEY;
  if (!key || !isHex(key) || key.length !== 66)
    throw new CliError(
      "set SIGIL_X25519_KEY_FILE to your X25519 key file (sigil keygen --type X25519), or SIGIL_X25519_KEY to the secret key (32 bytes, 0x-prefixed hex)",
    );
  return key as Hex;
}

/** sigil sign: the JWT is printed only if a receiver would accept it now (unless --force). */
async function sign(c: Context, did: string, text: string, o: { keyType: "Secp256k1" | "Ed25519"; force?: boolean }) {
  c.requireKnownNetwork(did);
  const jwt = await signMessage({ did, secretKey: await c.key(), type: o.keyType }, { text: readInput(text, "message") });
  if (o.force) {
    if (!c.json) console.error("⚠ --force: not checked against the DID; it verifies only if the DID lists this key");
    return c.print(jwt, { jwt, checked: false });
  }
  // Judged as a receiver would judge it now: a key the DID does not list (never added, or
  // rotated away from) makes a JWT nobody accepts, so it is not printed as if it were good.
  const check = await c.spin("checking the key against the DID…", verifyMessage(jwt, c.resolver));
  if (!check.ok) {
    const why = `a receiver would refuse this message (${check.reason})`;
    if (check.code === "unresolvable")
      throw new CliError(
        `not signed: cannot check the key against ${did}: ${check.reason}; add --force to sign without checking`,
        EXIT.network,
      );
    throw new CliError(`not signed: ${why}; sign with a key ${did} lists (sigil resolve ${did}), or add --force`, EXIT.refused);
  }
  c.print(jwt, { jwt, checked: true, signedBy: check.signedBy });
}

function registerSignCommand(program: Command, ctx: Ctx) {
  program
    .command("sign <did> <text>")
    .description("sign a message as a JWT with SIGIL_PRIVATE_KEY or --keystore")
    .addOption(new Option("--key-type <type>", "the key's type").choices(["Secp256k1", "Ed25519"]).default("Secp256k1"))
    .option("--force", "sign without checking that the DID lists the key (offline; it verifies only if it does)")
    .action(async (did: string, text: string, o: { keyType: "Secp256k1" | "Ed25519"; force?: boolean }) => {
      parseDid(did);
      return sign(ctx(), did, text, o);
    });
}

/** sigil verify: a refusal exits non-zero; with --json it is printed as the verifier's result. */
async function verify(c: Context, jwt: string, o: { receivedAt?: string; sentAt?: string; skew: string }) {
  const receivedAt = isoSeconds(o.receivedAt, "--received-at");
  const sentAt = isoSeconds(o.sentAt, "--sent-at");
  const skewSeconds = Number(o.skew);
  if (!Number.isSafeInteger(skewSeconds) || skewSeconds < 0 || skewSeconds > 3600)
    throw new CliError(`--skew "${o.skew}" must be a whole number of seconds from 0 to 3600`);
  const result = await c.spin("verifying…", verifyMessage(readInput(jwt, "JWT"), c.resolver, { receivedAt, sentAt, skewSeconds }));
  if (!result.ok) {
    const code = result.code === "unresolvable" ? EXIT.network : EXIT.refused;
    if (c.json) {
      console.log(toJson(result)); // {"ok": false, "code", "reason", "judgedAt"}
      process.exitCode = code;
      return;
    }
    throw new CliError(result.code === "unresolvable" ? `cannot verify: ${result.reason}` : `✘ not verified: ${result.reason}`, code);
  }
  c.print(`✔ signed by ${result.signedBy}: ${JSON.stringify(result.payload.text ?? result.payload)}`, result);
}

function registerVerifyCommand(program: Command, ctx: Ctx) {
  program
    .command("verify <jwt>")
    .summary("verify a signed message ('-' reads it from stdin, @file from a file)")
    .description("verify a signed message against the sender's keys as of when you received it (default: now)")
    .option("--received-at <iso>", "when you received it (stored messages)")
    .option("--sent-at <iso>", "a send time you can vouch for (your own server's timestamp), never the message's own date")
    .option("--skew <seconds>", "clock tolerance", String(DEFAULT_SKEW_SECONDS))
    .action(async (jwt: string, o: { receivedAt?: string; sentAt?: string; skew: string }) => verify(ctx(), jwt, o));
}

function registerEncryptionCommands(program: Command, ctx: Ctx) {
  program
    .command("encrypt <to-did> <text>")
    .description("encrypt a DIDComm v2 message to a DID's current key-agreement keys (anonymous, or authenticated with --from)")
    .option("--from <did>", "authenticate as this DID (its X25519 secret key in SIGIL_X25519_KEY)")
    .option("--from-key <did-url>", "the verification method id of your X25519 key (with --from)")
    .option("--key <did-url>", "encrypt to this key-agreement key only (repeat for several)", (v: string, acc: string[] = []) => [
      ...acc,
      v,
    ])
    .addOption(
      new Option("--enc <alg>", "content encryption of an anonymous message (default XC20P; authenticated: A256CBC-HS512)").choices([
        "XC20P",
        "A256GCM",
        "A256CBC-HS512",
      ]),
    )
    .addOption(
      new Option("--ecdh1pu <version>", "authenticated: v4 (DIDComm, didcomm-node; default) or v3 (Veramo 7)").choices(["v4", "v3"]),
    )
    .addOption(new Option("--profile <profile>", "didcomm (default) or did-jwt (the 0.x form)").choices(["didcomm", "did-jwt"]))
    .action(async (to: string, text: string, o: EncryptFlags) => {
      const c = ctx();
      parseDid(to);
      let from;
      if (o.from) {
        if (!o.fromKey) throw new CliError("--from needs --from-key <did-url> (your X25519 key-agreement method's id)");
        from = { did: o.from, keyId: o.fromKey, secretKey: x25519Key() };
      }
      const { enc, ecdh1pu, profile } = o;
      const jwe = await c.spin("encrypting…", encryptMessage(to, { text }, c.resolver, { from, keyIds: o.key, enc, ecdh1pu, profile }));
      c.print(JSON.stringify(jwe), jwe);
    });

  program
    .command("decrypt <did> <jwe>")
    .description("decrypt a message sent to your DID with your X25519 key (SIGIL_X25519_KEY); '-' reads it from stdin")
    .option("--received-at <iso>", "when you received it (stored messages)")
    .action(async (did: string, input: string, o: { receivedAt?: string }) => {
      const c = ctx();
      parseDid(did);
      const message = await c.spin(
        "decrypting…",
        decryptMessage(readInput(input, "JWE"), { did, secretKey: x25519Key() }, c.resolver, {
          receivedAt: isoSeconds(o.receivedAt, "--received-at"),
        }),
      );
      c.print(
        `${message.from ? `✔ from ${message.from}` : "(anonymous sender)"}: ${JSON.stringify(message.payload.text ?? message.payload)}`,
        message,
      );
    });
}

export function registerMessageCommands(program: Command, ctx: Ctx) {
  registerSignCommand(program, ctx);
  registerVerifyCommand(program, ctx);
  registerEncryptionCommands(program, ctx);
}

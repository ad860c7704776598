// Where the CLI gets private keys, never from the command line: an explicit --keystore file
// (plain `0x…`, `{"privateKey": "0x…"}`, or an encrypted Web3 Secret Storage keystore, the format
// ethers, viem users and geth read, unlocked with a passphrase from --passphrase-file or a
// prompt), else an environment variable. And writing encrypted keystores for `sigil create`.
import { existsSync, readFileSync, statSync } from "node:fs";
import { isHex, type Hex } from "viem";
import { CliError } from "./errors.ts";
import { isFile, namedIdentity } from "./identity-store.ts";

export interface KeySources {
  keystore?: string;
  passphraseFile?: string;
}

/** A passphrase from a file (first line) or, on a terminal, a prompt that does not echo. */
export async function readPassphrase(sources: KeySources, purpose: string): Promise<string> {
  if (sources.passphraseFile) {
    if (!existsSync(sources.passphraseFile)) throw new CliError(`passphrase file ${sources.passphraseFile} does not exist`);
    if (statSync(sources.passphraseFile).isDirectory())
      throw new CliError(`--passphrase-file ${sources.passphraseFile} is a directory: give the file holding the passphrase`);
    const passphrase = readFileSync(sources.passphraseFile, "utf8").split(/\r?\n/)[0];
    if (!passphrase) throw new CliError(`passphrase file ${sources.passphraseFile} is empty`);
    return passphrase;
  }
  if (!process.stdin.isTTY)
    throw new CliError(`${purpose} needs a passphrase: give --passphrase-file <file> (or run in a terminal to be asked)`);
  return promptHidden(`${purpose}: passphrase: `);
}

function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let answer = "";
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") {
          done();
          return resolve(answer);
        }
        if (ch === "\u0003") {
          done();
          return reject(new CliError("cancelled"));
        }
        answer = ch === "\u007f" ? answer.slice(0, -1) : answer + ch;
      }
    };
    const done = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
    };
    stdin.on("data", onData);
  });
}

const isKey = (k: unknown): k is Hex => typeof k === "string" && isHex(k) && k.length === 66;

/** The key in a keystore file, in any of the three forms. */
export async function readKeystore(sources: KeySources & { keystore: string }): Promise<Hex> {
  const file = sources.keystore;
  if (!existsSync(file)) throw new CliError(`keystore file ${file} does not exist`);
  if (statSync(file).isDirectory()) throw new CliError(`--keystore ${file} is a directory: give the keystore file itself`);
  const text = readFileSync(file, "utf8").trim();
  if (!text.startsWith("{")) {
    if (!isKey(text))
      throw new CliError(`keystore ${file} must hold a 0x-prefixed 32-byte key, {"privateKey": "0x…"}, or an encrypted keystore`);
    return text;
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CliError(`keystore ${file} is not valid JSON: ${(e as Error).message.split("\n")[0]}`);
  }
  if (json.crypto || json.Crypto) {
    const { Wallet } = await import("ethers");
    const passphrase = await readPassphrase(sources, `keystore ${file}`);
    try {
      return (await Wallet.fromEncryptedJson(text, passphrase)).privateKey as Hex;
    } catch (e) {
      throw new CliError(
        `cannot unlock keystore ${file}: ${/password|mac/i.test((e as Error).message) ? "wrong passphrase" : (e as Error).message.split("\n")[0]}`,
      );
    }
  }
  if (!isKey(json.privateKey)) throw new CliError(`keystore ${file} has no "privateKey" of 32 bytes of 0x-prefixed hex`);
  return json.privateKey;
}

/** An explicit --keystore wins; then a named identity (--as); then the environment variable; otherwise a usage error. */
export async function loadKey(sources: KeySources & { as?: string }, envName: string): Promise<Hex> {
  if (sources.keystore) return readKeystore({ ...sources, keystore: sources.keystore });
  if (sources.as) {
    const named = namedIdentity(sources.as);
    if (!isFile(named.keystore))
      throw new CliError(`identity "${sources.as}": its keystore ${named.keystore} is gone; put it back, or sigil id remove ${sources.as}`);
    return readKeystore({ keystore: named.keystore, passphraseFile: sources.passphraseFile ?? named.passphraseFile });
  }
  const key = process.env[envName];
  if (!key)
    throw new CliError(`no key: set ${envName} to a 0x-prefixed private key, or pass --keystore <file> (never a key on the command line)`);
  if (!isKey(key)) throw new CliError(`${envName} must hold 32 bytes of 0x-prefixed hex`);
  return key;
}

/** An encrypted (Web3 Secret Storage, scrypt) keystore for `key`, as JSON text. */
export async function encryptKeystore(key: Hex, passphrase: string): Promise<string> {
  const { Wallet } = await import("ethers");
  return new Wallet(key).encrypt(passphrase);
}

// Where `sigil id` records named identities: $SIGIL_HOME/identities.json (default ~/.sigil),
// paths only (never a key or a passphrase), readable by the user only. Apart from the commands
// (commands/identities.ts) so that reading a key (keys.ts) needs no command code.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { CliError } from "./errors.ts";

export interface NamedIdentity {
  name: string;
  keystore: string;
  passphraseFile?: string;
  address: string;
}

const home = () => process.env.SIGIL_HOME ?? join(homedir(), ".sigil");
export const identitiesFile = () => join(home(), "identities.json");

export function namedIdentities(): NamedIdentity[] {
  if (!existsSync(identitiesFile())) return [];
  try {
    return JSON.parse(readFileSync(identitiesFile(), "utf8")) as NamedIdentity[];
  } catch (e) {
    throw new CliError(`${identitiesFile()} is not valid JSON (${(e as Error).message.split("\n")[0]}): fix or delete it`);
  }
}

export function saveIdentities(list: NamedIdentity[]) {
  mkdirSync(home(), { recursive: true, mode: 0o700 });
  writeFileSync(identitiesFile(), JSON.stringify(list, null, 2), { mode: 0o600 });
}

/** The keystore and passphrase file of a named identity, or a usage error listing the names. */
export function namedIdentity(name: string): NamedIdentity {
  const list = namedIdentities();
  const found = list.find((i) => i.name === name);
  if (!found)
    throw new CliError(
      `no identity named "${name}" in ${identitiesFile()} (${list.length ? `known: ${list.map((i) => i.name).join(", ")}` : "none yet"}): add it with sigil id add ${name} --keystore <file>`,
    );
  return found;
}

export const isFile = (path: string) => existsSync(path) && statSync(path).isFile();

/** Where `sigil device add` keeps a device's secret keys: $SIGIL_HOME/devices/<address>/ (the
 * owner only), one key file per key in the format `sigil keygen` writes, so that `sigil sign
 * --keystore <file> --key-type Ed25519` and SIGIL_X25519_KEY_FILE read them as they are. */
export function deviceKeyFiles(address: string, device: string): { dir: string; signing: string; keyAgreement: string } {
  const dir = join(home(), "devices", address.toLowerCase());
  // Device names are ASCII letters, digits, space . _ - (DEVICE_NAME): only the space needs a stand-in.
  const base = device.toLowerCase().replaceAll(" ", "_");
  return { dir, signing: join(dir, `${base}.ed25519.json`), keyAgreement: join(dir, `${base}.x25519.json`) };
}

/** Creates the folder of a device's key files, readable by the user only. */
export function makeDeviceKeyDir(dir: string) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

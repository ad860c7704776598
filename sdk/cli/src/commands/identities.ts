// Named local identities: `sigil id add alice --keystore alice.json --passphrase-file pass.txt`
// once, then `--as alice` (or SIGIL_AS=alice) instead of the keystore and passphrase options on
// every command. Only paths are recorded (never a key or a passphrase), in
// $SIGIL_HOME/identities.json (default ~/.sigil), readable by the user only.
import { resolve } from "node:path";
import { Command } from "commander";
import { privateKeyToAccount } from "viem/accounts";
import { CliError, toJson, type Context } from "../context.ts";
import { readKeystore } from "../keys.ts";
import { identitiesFile, namedIdentities, namedIdentity, saveIdentities } from "../identity-store.ts";

type Ctx = () => Context;

export function registerIdentityNameCommands(program: Command, ctx: Ctx) {
  const id = new Command("id").description(
    "name local identities: --as <name> instead of --keystore and --passphrase-file on every command",
  );
  id.command("add <name>")
    .description("name the key in --keystore (with --passphrase-file, if encrypted); the key is unlocked once to check it")
    .action(async (name: string) => {
      if (!/^[a-z][a-z0-9_-]{0,31}$/.test(name))
        throw new CliError(`identity name "${name}" must be lower-case letters, digits, _ and -, starting with a letter`);
      const g = program.opts<{ keystore?: string; passphraseFile?: string; json?: boolean }>();
      if (!g.keystore)
        throw new CliError(`give the key with --keystore <file>: sigil id add ${name} --keystore <file> [--passphrase-file <file>]`);
      const list = namedIdentities();
      if (list.some((i) => i.name === name))
        throw new CliError(`an identity named "${name}" exists already: choose another name, or sigil id remove ${name}`);
      const keystore = resolve(g.keystore);
      const passphraseFile = g.passphraseFile ? resolve(g.passphraseFile) : undefined;
      const address = privateKeyToAccount(await readKeystore({ keystore, passphraseFile })).address;
      saveIdentities([...list, { name, keystore, ...(passphraseFile ? { passphraseFile } : {}), address }]);
      const c = ctx();
      const did = `did:sigil:${c.network.name}:${address.toLowerCase()}`;
      c.print(`✔ ${name}: ${did} (key in ${keystore}); use it with --as ${name}`, { name, address, did, keystore });
    });
  id.command("list")
    .description("the named identities, their addresses and keystores")
    .action(() => {
      const list = namedIdentities();
      const rows = list.map(
        (i) => `${i.name.padEnd(16)} ${i.address}  ${i.keystore}${i.passphraseFile ? "" : " (no passphrase file: asked)"}`,
      );
      console.log(
        program.opts().json
          ? toJson(list)
          : rows.length
            ? rows.join("\n")
            : `no named identities in ${identitiesFile()}: sigil id add <name> --keystore <file>`,
      );
    });
  id.command("remove <name>")
    .description("forget a name (the keystore file is left as it is)")
    .action((name: string) => {
      namedIdentity(name);
      saveIdentities(namedIdentities().filter((i) => i.name !== name));
      console.error(`forgot ${name}; its keystore file was not touched`);
    });
  program.addCommand(id);
}

/** Whether a path is a file (for a keystore recorded earlier that has since moved). */

// How every write command ends: simulate (a refusal by the registry is named and nothing is
// sent), check the sender can pay, send, and report what the receipt's registry events say;
// or, with --prepare, sign the operation (EIP-712) for a relayer and write it to a file.
import { Option } from "commander";
import { isHex, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { commitmentOf, directCall, generateNextKey, isSignable, type NextKeyCard, type Operation, type OperationReceipt, sendOperation, signOperation, simulateOperation } from "sigil-did";
import { CliError, EXIT, parseAddress, readJson, writeNew, type Context } from "./context.ts";

export const prepareOption = () => new Option("--prepare <file>", "sign only (EIP-712) and write the operation to <file> for `sigil relay`");

/** Sends `op` signed by `key` (or with `prepare`, signs it to that file) and reports the outcome. */
export async function perform(c: Context, op: Operation, options: { prepare?: string; key: Hex }): Promise<OperationReceipt | undefined> {
  const target = { registry: c.network.registry, publicClient: c.publicClient };
  if (options.prepare) {
    if (!isSignable(op)) throw new CliError(`${op.type} needs no signature: anyone may send it, e.g. the relayer with SIGIL_PRIVATE_KEY set to its key`);
    const signed = await signOperation(c.walletFor(options.key), target, op);
    writeNew(options.prepare, signed);
    const until = new Date(Number(signed.deadline) * 1000).toISOString();
    c.print(`✔ signed ${op.type} (valid until ${until}); relay it with: sigil relay ${options.prepare}`, signed);
    return undefined;
  }
  const account = privateKeyToAccount(options.key);
  // The registry's verdict first: a refusal is not a funding problem.
  await c.spin(`checking ${op.type}…`, simulateOperation(target, op, directCall(op), account));
  if ((await c.publicClient.getBalance({ address: account.address })) === 0n) {
    const hint = isSignable(op) ? "fund it, or add --prepare <file> and let a relayer submit it (sigil relay)" : "fund it, or let any funded key send it";
    throw new CliError(`${account.address} has no funds to pay gas: ${hint}`, EXIT.refused);
  }
  const receipt = await c.spin(`sending ${op.type}…`, sendOperation(c.walletFor(options.key), target, op));
  c.print(`✔ ${op.type} in block ${receipt.blockNumber} (tx ${receipt.hash}, gas ${receipt.gasUsed}): ${receipt.events.map((e) => e.kind).join(", ")}`, receipt);
  return receipt;
}

/** A next key and its salt, from a next-key file (`sigil next-key new`), or SIGIL_NEXT_KEY + SIGIL_NEXT_SALT. */
export function loadNextKey(file?: string): { privateKey: Hex; salt: Hex; address: Address } {
  const path = file ?? process.env.SIGIL_NEXT_KEY_FILE;
  let privateKey: string | undefined;
  let salt: string | undefined;
  if (path) {
    const card = readJson<Partial<NextKeyCard>>(path, "next-key file");
    ({ privateKey, salt } = card);
    if (!privateKey) throw new CliError(`next-key file ${path} has no privateKey: this is a commitment record only; use the file with the key`);
  } else {
    privateKey = process.env.SIGIL_NEXT_KEY;
    salt = process.env.SIGIL_NEXT_SALT;
    if (!privateKey) throw new CliError("no next key: pass --next-key-file <file> (written by sigil commit-next), or set SIGIL_NEXT_KEY and SIGIL_NEXT_SALT");
  }
  if (!isHex(privateKey) || privateKey.length !== 66) throw new CliError("the next key must be 32 bytes of 0x-prefixed hex");
  if (!salt || !isHex(salt) || salt.length !== 66) throw new CliError("the next key's salt must be 32 bytes of 0x-prefixed hex (it is in the next-key file)");
  return { privateKey: privateKey as Hex, salt: salt as Hex, address: privateKeyToAccount(privateKey as Hex).address };
}

/** Writes a fresh next key (or, for a key held elsewhere, its salt and commitment) to `file`
 * (owner-only, never overwriting) and says how to keep it. */
export function saveNextKey<T extends Omit<NextKeyCard, "privateKey"> & { privateKey?: Hex }>(c: Context, file: string, card: T): T {
  writeNew(file, card, true);
  if (!c.json) {
    console.error(
      card.privateKey
        ? `next key ${card.address} written to ${file}: move it offline now (a USB stick in a drawer, or printed),\n` +
            "delete it from this machine, and never use it for anything else. You need it (key and salt) to rotate."
        : `salt and commitment for ${card.address} written to ${file}: keep it with that key; you need both to rotate.`,
    );
  }
  return card;
}

/** A commitment from a next-key file that may hold only the commitment (a hardware key's). */
export function commitmentFromFile(file: string): Hex {
  const card = readJson<Partial<NextKeyCard>>(file, "next-key file");
  if (!card.commitment || !isHex(card.commitment) || card.commitment.length !== 66) throw new CliError(`${file} holds no commitment`);
  return card.commitment;
}

/** A next-key record for an address whose private key lives elsewhere (a hardware wallet). */
export function commitmentRecord(address: string): { address: Address; salt: Hex; commitment: Hex } {
  const { salt } = generateNextKey();
  const key = parseAddress(address, "next address");
  return { address: key, salt, commitment: commitmentOf(key, salt) };
}

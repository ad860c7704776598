// How every write command ends: simulate (a refusal by the registry is named and nothing is
// sent), check the sender can pay, send, and report what the receipt's registry events say;
// or, with --prepare, sign the operation (EIP-712) for a relayer and write it to a file.
import { existsSync } from "node:fs";
import { Option } from "commander";
import { isHex, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  AUTHORISER,
  commitmentOf,
  generateNextKey,
  RegistryRevertError,
  sendOperation,
  signOperation,
  simulateOperation,
  type NextKeyCard,
  type Operation,
  type OperationReceipt,
  type SignableOperation,
} from "sigil-did";
import { directCall, isSignable } from "sigil-did/internal";
import { CliError, EXIT, parseAddress, readJson, writeNew, type Context } from "./context.ts";

export const prepareOption = () =>
  new Option("--prepare <file>", "sign only (EIP-712) and write the operation to <file> for `sigil relay`");

/** What --prepare may be told instead of asking the chain, so that it can sign offline. */
export interface PrepareOptions {
  deadline?: string;
  nonce?: string;
  commitmentNonce?: string;
  round?: string;
}

function whole(value: string | undefined, option: string): bigint | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,20}$/.test(value)) throw new CliError(`${option} "${value}" must be a whole number`);
  return BigInt(value);
}

/** --deadline as an ISO 8601 time or unix seconds. */
function deadlineOf(value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  if (/^\d{1,12}$/.test(value)) return BigInt(value);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new CliError(`--deadline "${value}" must be an ISO 8601 time or unix seconds`);
  return BigInt(Math.floor(ms / 1000));
}

/** The signing context given on the command line, when complete for `op` (then nothing is read). */
function offlineContext(op: SignableOperation, p: PrepareOptions, key: Hex, salt?: Hex) {
  const auth = AUTHORISER[op.type];
  if (auth === "controller") {
    const nonce = whole(p.nonce, "--nonce");
    return nonce === undefined ? undefined : { nonce };
  }
  const round = whole(p.round, "--round");
  if (op.type === "approveRecovery") return round === undefined ? undefined : { round };
  const commitmentNonce = whole(p.commitmentNonce, "--commitment-nonce");
  const commitment = salt ? commitmentOf(privateKeyToAccount(key).address, salt) : undefined;
  if (op.type === "rotate") return commitmentNonce === undefined || !commitment ? undefined : { commitment, commitmentNonce };
  return round === undefined || !commitment ? undefined : { commitment, round };
}

/** Prints the hash as soon as a transaction is sent, terminal or not: a node that dies now
 * leaves the user with something to check. */
export const sentLine = (c: Context) => (hash: Hex) =>
  console.error(`sent ${hash}, waiting for it to be mined (up to ${Math.round(c.waitMs / 1000)} s; --wait <ms> to change)…`);

/** Explanations for refusals a user meets on the way, with the command that works instead. */
function withHint(error: unknown, op: Operation): unknown {
  if (!(error instanceof RegistryRevertError)) return error;
  if (op.type === "deactivate" && error.errorName === "SigilNextOwnerCommitted") {
    return new CliError(
      `${error.message}. Deactivate with the next key instead: sigil rotate <did> --next-key-file <file> --new-owner 0x0000000000000000000000000000000000000000 --no-commit`,
      EXIT.refused,
    );
  }
  if (op.type === "deactivate" && error.errorName === "SigilGuardedDeactivation") {
    return new CliError(
      `${error.message}. Ask your guardians (sigil recover start <did> --new-owner 0x0000000000000000000000000000000000000000 --no-commit), or rotate to the zero address with a next key committed at least one delay ago`,
      EXIT.refused,
    );
  }
  if (op.type === "setGuardians" && error.errorName === "SigilNextOwnerCommitted") {
    return new CliError(
      `${error.message}: this DID has a committed next key, so its current key alone may not change the guardians (a thief holding that key could install his own). ` +
        "Change them with the next key, when you rotate; nothing was sent",
      EXIT.refused,
    );
  }
  return error;
}

/** What `perform` will do once its checks passed: send (or sign), and report the receipt's events. */
export type Ready = () => Promise<OperationReceipt | undefined>;

export interface PerformOptions {
  prepare?: string;
  key: Hex;
  salt?: Hex;
  offline?: PrepareOptions;
  /** The success line from the receipt (default: the operation and its event kinds); may throw when the events do not show what was asked. */
  describe?: (receipt: OperationReceipt) => { line: string; data?: Record<string, unknown> };
}

/**
 * Everything that can refuse `op` before it is sent, in order: the prepared file is new and the
 * deadline is ahead; the registry's verdict (a refusal is named, nothing is sent); the sender's
 * funds. Nothing is written or sent here, so a command may write its own files between the checks
 * and the send, and claim only what happened.
 */
export async function check(c: Context, op: Operation, options: PerformOptions): Promise<Ready> {
  const target = { registry: c.network.registry, publicClient: c.publicClient };
  if (options.prepare) {
    const file = options.prepare;
    if (!isSignable(op))
      throw new CliError(`${op.type} needs no signature: anyone may send it, e.g. the relayer with SIGIL_PRIVATE_KEY set to its key`);
    if (existsSync(file)) throw new CliError(`${file} already exists: choose another file (nothing was overwritten)`);
    const p = options.offline ?? c.offline;
    const deadline = deadlineOf(p.deadline);
    if (deadline !== undefined && deadline <= BigInt(Math.floor(Date.now() / 1000))) {
      throw new CliError(
        `--deadline ${p.deadline} is already past (${new Date(Number(deadline) * 1000).toISOString()}): a relayer could never send it; give a time ahead`,
      );
    }
    return async () => {
      const signed = await signOperation(c.walletFor(options.key), target, op, {
        context: offlineContext(op, p, options.key, options.salt),
        deadline,
        chainId: c.network.chainId,
      });
      writeNew(file, signed);
      const until = new Date(Number(signed.deadline) * 1000).toISOString();
      c.print(`✔ signed ${op.type} (valid until ${until}); relay it with: sigil relay ${file}`, signed);
      return undefined;
    };
  }
  const account = privateKeyToAccount(options.key);
  // The registry's verdict first: a refusal is not a funding problem.
  try {
    await c.spin(`checking ${op.type}…`, simulateOperation(target, op, directCall(op), account));
  } catch (error) {
    throw withHint(error, op);
  }
  if ((await c.publicClient.getBalance({ address: account.address })) === 0n) {
    const hint = isSignable(op)
      ? "fund it (sigil fund), or add --prepare <file> and let a relayer submit it (sigil relay)"
      : "fund it, or let any funded key send it";
    throw new CliError(`${account.address} has no funds to pay gas: ${hint}; nothing was sent`, EXIT.refused);
  }
  return async () => {
    const receipt = await c.spin(
      `sending ${op.type}…`,
      sendOperation(c.walletFor(options.key), target, op, { onSent: sentLine(c), timeoutMs: c.waitMs }),
    );
    const said = options.describe?.(receipt) ?? {
      line: `✔ ${op.type} in block ${receipt.blockNumber} (tx ${receipt.hash}, gas ${receipt.gasUsed}): ${receipt.events.map((e) => e.kind).join(", ")}`,
    };
    c.print(said.line, { ...receipt, ...said.data });
    return receipt;
  };
}

/** Sends `op` signed by `key` (or with `prepare`, signs it to that file) and reports the outcome. */
export async function perform(c: Context, op: Operation, options: PerformOptions): Promise<OperationReceipt | undefined> {
  return (await check(c, op, options))();
}

/** A next key and its salt, from a next-key file (`sigil next-key new`), or SIGIL_NEXT_KEY + SIGIL_NEXT_SALT. */
export function loadNextKey(file?: string): { privateKey: Hex; salt: Hex; address: Address } {
  const path = file ?? process.env.SIGIL_NEXT_KEY_FILE;
  let privateKey: string | undefined;
  let salt: string | undefined;
  if (path) {
    const card = readJson<Partial<NextKeyCard>>(path, "next-key file");
    ({ privateKey, salt } = card);
    if (!privateKey)
      throw new CliError(`next-key file ${path} has no privateKey: this is a commitment record only; use the file with the key`);
  } else {
    privateKey = process.env.SIGIL_NEXT_KEY;
    salt = process.env.SIGIL_NEXT_SALT;
    if (!privateKey)
      throw new CliError(
        "no next key: pass --next-key-file <file> (written by sigil commit-next), or set SIGIL_NEXT_KEY and SIGIL_NEXT_SALT",
      );
  }
  if (!isHex(privateKey) || privateKey.length !== 66) throw new CliError("the next key must be 32 bytes of 0x-prefixed hex");
  if (!salt || !isHex(salt) || salt.length !== 66)
    throw new CliError("the next key's salt must be 32 bytes of 0x-prefixed hex (it is in the next-key file)");
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

/**
 * Refuses a --commit-file whose commitment the rotation's new owner itself satisfies: the next
 * key would be the controller, so a thief of that one key could rotate too; it protects nothing.
 */
export function refuseSelfCommitment(file: string, newOwner: Address) {
  const card = readJson<Partial<NextKeyCard>>(file, "next-key file");
  const byAddress = typeof card.address === "string" && card.address.toLowerCase() === newOwner.toLowerCase();
  const bySalt =
    isHex(card.salt) && card.salt.length === 66 && card.commitment?.toLowerCase() === commitmentOf(newOwner, card.salt).toLowerCase();
  if (byAddress || bySalt) {
    throw new CliError(
      `${file} commits to ${newOwner}, the new owner itself: its next key would be the controller, so whoever steals that one key could rotate too. ` +
        "Commit to another key kept offline (sigil next-key --out <file>, or sigil commit-next --next-address <address>); nothing was sent",
    );
  }
}

/** A next-key record for an address whose private key lives elsewhere (a hardware wallet). */
export function commitmentRecord(address: string): { address: Address; salt: Hex; commitment: Hex } {
  const { salt } = generateNextKey();
  const key = parseAddress(address, "next address");
  return { address: key, salt, commitment: commitmentOf(key, salt) };
}

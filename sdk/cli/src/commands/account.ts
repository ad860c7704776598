// Getting started: `sigil create` makes a new identity (a key, its DID, an encrypted keystore,
// and optionally a next key with its commitment signed for a relayer), and `sigil fund` pays a
// fresh key its first gas from a funded one.
import { existsSync } from "node:fs";
import { Command, Option } from "commander";
import { formatEther, parseEther, type Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { generateNextKey } from "sigil-did";
import { CliError, EXIT, parseAddress, writeNew, type Context } from "../context.ts";
import { encryptKeystore, readPassphrase } from "../keys.ts";
import { check, saveNextKey, sentLine } from "../perform.ts";

type Ctx = () => Context;

export function registerAccountCommands(program: Command, ctx: Ctx) {
  program
    .command("create")
    .description("a new identity: a fresh key and its DID, written to an encrypted keystore; optionally a next key committed at once")
    .requiredOption("--keystore-out <file>", "where to write the encrypted keystore (Web3 Secret Storage; never overwritten)")
    .option("--next-key-out <file>", "also generate a next key (keep it offline) and sign the commitment to it")
    .option("--prepare <file>", "with --next-key-out: write the signed commitment here for a relayer (the new key has no coins)")
    .action(async (o: { keystoreOut: string; nextKeyOut?: string; prepare?: string }) => {
      const c = ctx();
      // Every check before any file is written: a refused create leaves nothing behind.
      if (o.nextKeyOut && !o.prepare)
        throw new CliError("--next-key-out needs --prepare <file>: the new key has no coins to send the commitment itself");
      if (o.prepare && !o.nextKeyOut) throw new CliError("--prepare needs --next-key-out <file>: it signs the commitment to that next key");
      for (const file of [o.keystoreOut, o.nextKeyOut, o.prepare]) {
        if (file && existsSync(file)) throw new CliError(`${file} already exists: choose another file (nothing was overwritten)`);
      }
      const passphrase = await readPassphrase({ passphraseFile: program.opts().passphraseFile }, "the new keystore");
      if (passphrase.length < 8) throw new CliError("choose a passphrase of at least 8 characters");
      const key = generatePrivateKey();
      const address = privateKeyToAccount(key).address;
      const next = o.nextKeyOut ? generateNextKey() : undefined;
      const sign = next
        ? await check(
            c,
            { type: "commitNextOwner", identity: address, commitment: next.commitment },
            { prepare: o.prepare, key, offline: { ...c.offline, nonce: c.offline.nonce ?? "0" } },
          )
        : undefined;
      writeNew(o.keystoreOut, await encryptKeystore(key, passphrase), true);
      const did = `did:sigil:${c.network.name ?? `0x${c.network.chainId.toString(16)}`}:${address.toLowerCase()}`;
      if (!c.json)
        console.error(`your DID: ${did}\nkey in ${o.keystoreOut} (encrypted): back it up; use it with --keystore ${o.keystoreOut}`);
      if (next && sign) {
        saveNextKey(c, o.nextKeyOut!, next);
        await sign();
      }
      c.print(did, {
        did,
        address,
        keystore: o.keystoreOut,
        ...(next ? { nextOwnerCommitment: next.commitment, prepared: o.prepare } : {}),
      });
    });

  program
    .command("fund <address>")
    .description("send a fresh key the coins for its first transactions, from SIGIL_RELAYER_KEY (or --keystore)")
    .addOption(new Option("--amount <ether>", "how much").default("0.01"))
    .action(async (to: string, o: { amount: string }) => {
      const c = ctx();
      const recipient: Address = parseAddress(to.startsWith("did:") ? to.split(":").pop()! : to, "address");
      let value: bigint;
      try {
        value = parseEther(o.amount);
      } catch {
        throw new CliError(`--amount "${o.amount}" is not an amount of ether`);
      }
      if (value <= 0n || value > parseEther("10"))
        throw new CliError("--amount must be more than 0 and at most 10 ether (a first transaction needs little)");
      const wallet = c.walletFor(await c.key("SIGIL_RELAYER_KEY"));
      const from = wallet.account!.address;
      if ((await c.publicClient.getBalance({ address: from })) < value)
        throw new CliError(`${from} holds less than ${o.amount} ether`, EXIT.refused);
      const hash = await wallet.sendTransaction({ to: recipient, value, account: wallet.account!, chain: null });
      sentLine(c)(hash);
      const receipt = await c.publicClient.waitForTransactionReceipt({ hash, timeout: c.waitMs });
      if (receipt.status !== "success") throw new CliError(`the transfer ${hash} failed`, EXIT.refused);
      c.print(`✔ sent ${formatEther(value)} ether to ${recipient} in block ${receipt.blockNumber} (tx ${hash})`, {
        to: recipient,
        value: value.toString(),
        hash,
        blockNumber: receipt.blockNumber,
      });
    });
}

// Signed messages and watching: sign as a DID, verify against the sender's keys, and print a
// line whenever a watched DID changes.
import { readFileSync } from "node:fs";
import { Command, Option } from "commander";
import { isHex, type Hex } from "viem";
import { parseDid } from "sigil-did";
import { signMessage, verifyMessage } from "sigil-did";
import { describeChange } from "sigil-did";
import { watchDids, type DidChange } from "sigil-did";
import { CliError, describeFailure, EXIT, type Context } from "../context.ts";

type Ctx = () => Context;

export function registerMessageCommands(program: Command, ctx: Ctx) {
  program
    .command("sign <did> <text>")
    .description("sign a message as a JWT with SIGIL_PRIVATE_KEY")
    .addOption(new Option("--key-type <type>", "the key's type").choices(["Secp256k1", "Ed25519"]).default("Secp256k1"))
    .action(async (did: string, text: string, o: { keyType: "Secp256k1" | "Ed25519" }) => {
      parseDid(did);
      const keystore = program.opts().keystore as string | undefined;
      const secretKey = process.env.SIGIL_PRIVATE_KEY || (keystore ? readFileSync(keystore, "utf8").trim() : undefined);
      if (!secretKey || !isHex(secretKey)) throw new CliError("set SIGIL_PRIVATE_KEY (or --keystore) to the signing key");
      const jwt = await signMessage({ did, secretKey: secretKey as Hex, type: o.keyType }, { text });
      ctx().print(jwt, { jwt });
    });

  program
    .command("verify <jwt>")
    .description("verify a signed message against the sender's DID as of when it was sent")
    .option("--now", "judge against the current document instead")
    .option("--received-at <iso>", "judge as of when you received it")
    .action(async (jwt: string, o: { now?: boolean; receivedAt?: string }) => {
      const c = ctx();
      const receivedAt = o.receivedAt ? Math.floor(Date.parse(o.receivedAt) / 1000) : undefined;
      if (o.receivedAt && Number.isNaN(receivedAt)) throw new CliError(`--received-at "${o.receivedAt}" is not an ISO 8601 time`);
      const result = await c.spin("verifying…", verifyMessage(jwt, c.resolver, { at: o.now ? "now" : "sent", receivedAt }));
      if (!result.ok) throw new CliError(`✘ not verified: ${result.reason}`, EXIT.refused);
      c.print(`✔ signed by ${result.signedBy}: ${JSON.stringify(result.payload.text ?? result.payload)}`, result);
    });

  program
    .command("watch <dids...>")
    .description("print a line whenever a DID's keys, controller, guardians or recovery change")
    .option("--interval <ms>", "poll interval", "2000")
    .action(async (dids: string[], o: { interval: string }) => {
      const c = ctx();
      dids.forEach(parseDid);
      const intervalMs = Number(o.interval);
      if (!Number.isSafeInteger(intervalMs) || intervalMs < 100) throw new CliError(`--interval "${o.interval}" must be a whole number of milliseconds >= 100`);
      const report = (ch: DidChange) => {
        if (c.json) for (const item of ch.changes) console.log(JSON.stringify({ did: ch.did, ...item }));
        else for (const item of ch.changes) console.log(`⚠ ${ch.did}: ${describeChange(item)}`);
      };
      const watcher = watchDids(c.resolver, dids, report, { intervalMs, onError: (e) => console.error(`sigil: ${describeFailure(e).line}`) });
      await watcher.ready;
      if (!c.json) console.error(`watching ${dids.length} DID(s); Ctrl-C to stop`);
      // The watcher's timer does not hold the process open (it is a library's); this does.
      const keepAlive = setInterval(() => undefined, 1 << 30);
      await new Promise<void>((resolve) => {
        const stop = () => (watcher.stop(), clearInterval(keepAlive), resolve());
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}

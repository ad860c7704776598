// `sigil watch`: one line per change of a watched DID, with the time and the block it was seen
// at; one line when the chain cannot be read (and one when it can again), not one per DID per
// poll; and a chain that went back (a reset local node, a reorganisation) said as such instead of
// being reported as a controller change.
import { Command } from "commander";
import type { DIDResolutionResult } from "did-resolver";
import { describeChange, diffResolutions, parseDid } from "sigil-did";
import { CliError, describeFailure, type Context } from "../context.ts";

type Ctx = () => Context;

const blockOf = (r: DIDResolutionResult) =>
  BigInt(((r.didDocumentMetadata as { sigil?: { resolvedAtBlock?: string } }).sigil?.resolvedAtBlock ?? "0") as string);

interface Watching {
  known: Map<string, DIDResolutionResult>;
  head?: bigint;
  outage?: string;
}

/** One poll: prints what changed since the last one, an outage once, or a chain that went back. */
async function poll(c: Context, dids: string[], state: Watching, intervalMs: number) {
  const time = new Date().toISOString();
  const line = (human: string, data: Record<string, unknown>) =>
    console.log(c.json ? JSON.stringify({ time, ...data }) : `${time}  ${human}`);
  let results: DIDResolutionResult[];
  try {
    results = await c.resolver.resolveMany(dids);
  } catch (error) {
    results = dids.map(() => ({
      didResolutionMetadata: { error: "internalError", message: describeFailure(error).line },
      didDocument: null,
      didDocumentMetadata: {},
    }));
  }
  const failed = results.map((r, i) => ({ r, did: dids[i] })).filter(({ r }) => r.didResolutionMetadata.error);
  if (failed.length > 0) {
    const why = `${failed[0].r.didResolutionMetadata.error}: ${failed[0].r.didResolutionMetadata.message ?? ""}`;
    if (state.outage === undefined) {
      console.error(
        `${time}  sigil: cannot read ${failed.length} of ${dids.length} DID(s): ${why}; still trying every ${intervalMs / 1000} s`,
      );
      state.outage = why;
    }
    return;
  }
  const head = results.reduce((max, r) => (blockOf(r) > max ? blockOf(r) : max), 0n);
  if (state.outage !== undefined) {
    console.error(`${time}  sigil: reading again (block ${head})`);
    state.outage = undefined;
  }
  if (state.head !== undefined && head < state.head) {
    line(
      `⚠ chain reset: the node is at block ${head}, it was at block ${state.head}; what happened after block ${head} is gone. Watching from here`,
      { kind: "chainReset", block: head.toString(), previousBlock: state.head.toString() },
    );
    results.forEach((r, i) => state.known.set(dids[i], r));
    state.head = head;
    return;
  }
  state.head = head;
  results.forEach((now, i) => {
    const was = state.known.get(dids[i]);
    state.known.set(dids[i], now);
    if (!was) return;
    for (const item of diffResolutions(was, now))
      line(`block ${blockOf(now)}  ⚠ ${dids[i]}: ${describeChange(item)}`, { did: dids[i], block: blockOf(now).toString(), ...item });
  });
}

export function registerWatchCommand(program: Command, ctx: Ctx) {
  program
    .command("watch <dids...>")
    .description("print a line (time, block, what) whenever a DID's keys, controller, guardians or recovery change")
    .option("--interval <ms>", "poll interval", "2000")
    .action(async (dids: string[], o: { interval: string }) => {
      dids.forEach(parseDid);
      const intervalMs = Number(o.interval);
      if (!Number.isSafeInteger(intervalMs) || intervalMs < 100)
        throw new CliError(`--interval "${o.interval}" must be a whole number of milliseconds >= 100`);
      const c = ctx();
      dids.forEach((did) => c.requireKnownNetwork(did));
      const state: Watching = { known: new Map() };
      await poll(c, dids, state, intervalMs);
      if (!c.json) console.error(`watching ${dids.length} DID(s); Ctrl-C to stop`);
      let running = false;
      const timer = setInterval(() => {
        if (running) return; // a slow node: never two polls at once
        running = true;
        void poll(c, dids, state, intervalMs).finally(() => (running = false));
      }, intervalMs);
      await new Promise<void>((resolve) => {
        const stop = () => (clearInterval(timer), resolve());
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}

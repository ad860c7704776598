// Guardian recovery from the command line: the owner names guardians (each gets a card with
// its salt and Merkle proof; the chain sees only a root), guardians propose and approve a
// recovery, a senior next key cancels one, and anyone finalises it after the delay.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Command, Option } from "commander";
import { isHex, zeroHash, type Address, type Hex } from "viem";
import { buildGuardianSet, type GuardianCard, type OperationReceipt, type RecoveryProposal, verifyGuardianCard } from "sigil-did";
import { proposalOf } from "sigil-did/internal";
import { CliError, EXIT, parseAddress, readJson, writeNew, type Context } from "../context.ts";
import { check, loadNextKey, perform, prepareOption } from "../perform.ts";

type Ctx = () => Context;

/** "7d", "72h", "30m" or seconds. */
export function parseDuration(value: string): bigint {
  const m = /^(\d+)([smhd]?)$/.exec(value.trim());
  if (!m) throw new CliError(`--delay "${value}" must be a duration such as 7d, 72h, 90m or 3600 (seconds)`);
  return BigInt(m[1]) * { "": 1n, s: 1n, m: 60n, h: 3_600n, d: 86_400n }[m[2] as "" | "s" | "m" | "h" | "d"];
}

interface RecoveryMeta {
  guardians: { threshold: number; delaySeconds: number } | null;
  pendingGuardianChange: { effectiveAt: string; canBeApplied: boolean; removesGuardians: boolean } | null;
  recoveries: {
    proposal: Hex;
    status: string;
    newOwner: Address;
    nextOwnerCommitment: Hex | null;
    purge: boolean;
    approvals: number;
    readyAt?: string;
  }[];
}

async function recoveryMeta(c: Context, did: string): Promise<RecoveryMeta & { preRotation: boolean; owner: string }> {
  const result = await c.spin("resolving…", c.resolver.resolve(did));
  const error = result.didResolutionMetadata.error;
  if (error) throw new CliError(`${error}: ${result.didResolutionMetadata.message}`, error === "internalError" ? EXIT.network : EXIT.usage);
  return (result.didDocumentMetadata as { sigil: RecoveryMeta & { preRotation: boolean; owner: string } }).sigil;
}

function loadCard(file: string, identity: Address): GuardianCard {
  const card = readJson<GuardianCard>(file, "guardian card");
  if (!card.guardian || !isHex(card.salt) || !Array.isArray(card.proof) || !isHex(card.root))
    throw new CliError(`${file} is not a guardian card (guardian, salt, proof, root)`);
  if (card.identity?.toLowerCase() !== identity.toLowerCase())
    throw new CliError(`${file} is a guardian card for ${card.identity}, not for this DID`);
  if (!verifyGuardianCard(card, card.root)) throw new CliError(`${file} does not prove membership in its own root: the card is damaged`);
  return card;
}

const proofOf = (card: GuardianCard) => ({ guardian: parseAddress(card.guardian, "guardian"), salt: card.salt, proof: card.proof });

function describe(m: RecoveryMeta): string {
  const lines = [
    m.guardians ? `guardians: ${m.guardians.threshold} approval(s) needed, delay ${m.guardians.delaySeconds} s` : "guardians: none",
  ];
  const p = m.pendingGuardianChange;
  if (p)
    lines.push(
      `pending guardian change: ${p.removesGuardians ? "removes the guardians" : "a new set"}, effective ${p.effectiveAt}${p.canBeApplied ? " (can be applied now)" : ""}`,
    );
  for (const r of m.recoveries) {
    lines.push(
      `recovery ${r.proposal.slice(0, 10)}…: ${r.status}, ${r.approvals} approval(s), new controller ${r.newOwner}${r.nextOwnerCommitment ? "" : ", no next key"}${r.purge ? ", purges" : ""}${r.readyAt ? `, ready ${r.readyAt}` : ""}`,
    );
  }
  return lines.join("\n");
}

/**
 * The line for a guardian change, from the receipt's events only: applied at once
 * (DIDGuardiansChanged), or proposed to take effect later (DIDGuardiansProposed), which needs
 * `sigil guardians apply` then. Anything else is not reported as done.
 */
function guardianOutcome(did: string, done: "set" | "removed") {
  return (receipt: OperationReceipt) => {
    const at = `in block ${receipt.blockNumber} (tx ${receipt.hash})`;
    const changed = receipt.events.find((e) => e.kind === "guardiansChanged");
    if (changed) return { line: `✔ guardians ${done} ${at}`, data: { status: done } };
    const proposed = receipt.events.find((e) => e.kind === "guardiansProposed");
    if (proposed) {
      const effectiveAt = new Date(Number(proposed.effectiveAt) * 1000).toISOString();
      return {
        line: `guardian change proposed ${at}, takes effect at ${effectiveAt}; then run \`sigil guardians apply ${did}\``,
        data: { status: "proposed", effectiveAt },
      };
    }
    throw new CliError(
      `transaction ${receipt.hash} was mined but shows neither DIDGuardiansChanged nor DIDGuardiansProposed (events: ${receipt.events.map((e) => e.kind).join(", ") || "none"}); check with sigil guardians show ${did}`,
      EXIT.refused,
    );
  };
}

/** sigil guardians set: the cards are written only once the registry would take the set. */
async function setGuardians(
  c: Context,
  did: string,
  o: { guardian: string[]; threshold: string; delay: string; cards: string; prepare?: string },
) {
  const identity = c.identity(did);
  const threshold = Number(o.threshold);
  // The controller may not guard itself: resolved here, before any card is written.
  const controller = parseAddress((await recoveryMeta(c, did)).owner, "controller");
  let set;
  try {
    set = buildGuardianSet({
      identity,
      controller,
      guardians: o.guardian.map((g) => parseAddress(g, "--guardian")),
      threshold,
      delay: parseDuration(o.delay),
    });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  const op = { type: "setGuardians", identity, root: set.root, threshold: BigInt(set.threshold), delay: set.delay } as const;
  // Checked before the cards are written: a refused set leaves no cards behind.
  const ready = await check(c, op, { prepare: o.prepare, key: await c.key(), describe: guardianOutcome(did, "set") });
  mkdirSync(o.cards, { recursive: true });
  for (const card of set.cards) writeNew(join(o.cards, `guardian-${card.guardian.toLowerCase()}.json`), card, true);
  if (!c.json)
    console.error(
      `${set.cards.length} guardian card(s) written to ${o.cards}: give each guardian their own card privately, then delete the folder`,
    );
  await ready();
}

function guardiansCommand(ctx: Ctx) {
  const guardians = new Command("guardians").description("name guardians who can recover the DID (M of N, after a delay)");
  guardians
    .command("set <did>")
    .description("set the guardian set: writes one card per guardian into --cards; the chain sees only a salted root")
    .requiredOption("--guardian <address>", "a guardian's address (repeat for each)", (v: string, acc: string[] = []) => [...acc, v])
    .requiredOption("--threshold <m>", "approvals needed")
    .addOption(new Option("--delay <duration>", "how long a recovery (and any later guardian change) waits").default("7d"))
    .requiredOption("--cards <dir>", "folder for the guardian cards (hand each to its guardian; keep no list online)")
    .addOption(prepareOption())
    .action(async (did: string, o: { guardian: string[]; threshold: string; delay: string; cards: string; prepare?: string }) =>
      setGuardians(ctx(), did, o),
    );
  guardians
    .command("remove <did>")
    .description("remove the guardians (takes effect after their delay)")
    .addOption(prepareOption())
    .action(async (did: string, o: { prepare?: string }) => {
      const c = ctx();
      const op = { type: "setGuardians", identity: c.identity(did), root: zeroHash, threshold: 0n, delay: 0n } as const;
      await perform(c, op, { prepare: o.prepare, key: await c.key(), describe: guardianOutcome(did, "removed") });
    });
  guardians
    .command("apply <did>")
    .description("make a pending guardian change effective once its delay has passed (any funded key)")
    .action(async (did: string) => {
      const c = ctx();
      await perform(c, { type: "applyGuardians", identity: c.identity(did) }, { key: await c.key() });
    });
  guardians
    .command("show <did>")
    .description("guardian threshold and delay, pending changes and recoveries (never who the guardians are)")
    .action(async (did: string) => {
      const c = ctx();
      const m = await recoveryMeta(c, did);
      c.print(describe(m), { guardians: m.guardians, pendingGuardianChange: m.pendingGuardianChange, recoveries: m.recoveries });
    });
  return guardians;
}

/** sigil recover start: a guardian proposes the new controller and next-key commitment, approving it at once. */
async function startRecovery(
  c: Context,
  did: string,
  o: { card: string; newOwner: string; commitment?: string; commit: boolean; keep?: boolean; prepare?: string },
) {
  const identity = c.identity(did);
  const card = loadCard(o.card, identity);
  if (o.commit && !o.commitment)
    throw new CliError(
      "give --commitment <hex> (the owner runs `sigil next-key --out <file>` and sends you the commitment), or --no-commit",
    );
  if (o.commitment && (!isHex(o.commitment) || o.commitment.length !== 66))
    throw new CliError("--commitment must be 32 bytes of 0x-prefixed hex");
  const recovery: RecoveryProposal = {
    newOwner: parseAddress(o.newOwner, "--new-owner"),
    nextCommitment: o.commit ? (o.commitment as Hex) : zeroHash,
    purge: !o.keep,
  };
  await perform(c, { type: "approveRecovery", identity, recovery, proof: proofOf(card) }, { prepare: o.prepare, key: await c.key() });
}

/** sigil recover approve: a guardian approves the one open proposal (or the one --proposal names). */
async function approveRecovery(c: Context, did: string, o: { card: string; proposal?: string; prepare?: string }) {
  const identity = c.identity(did);
  const card = loadCard(o.card, identity);
  const open = (await recoveryMeta(c, did)).recoveries.filter((r) => !o.proposal || r.proposal.startsWith(o.proposal.toLowerCase()));
  if (open.length !== 1) {
    throw new CliError(
      open.length === 0
        ? "no open recovery proposal matches: start one with `sigil recover start`"
        : `${open.length} proposals are open: choose one with --proposal <id>`,
      EXIT.refused,
    );
  }
  const r = open[0];
  const recovery = proposalOf(r);
  await perform(c, { type: "approveRecovery", identity, recovery, proof: proofOf(card) }, { prepare: o.prepare, key: await c.key() });
}

function recoverCommand(ctx: Ctx) {
  const recover = new Command("recover").description("recover a DID with its guardians");
  recover
    .command("start <did>")
    .description("as a guardian (SIGIL_PRIVATE_KEY), propose a new controller and next-key commitment; this is your approval")
    .requiredOption("--card <file>", "your guardian card")
    .requiredOption("--new-owner <address>", "the controller after recovery (the owner's new key)")
    .option("--commitment <hex>", "the owner's next-key commitment (from `sigil next-key` on the owner's side)")
    .option("--no-commit", "recover without a next key (the owner should commit one at once afterwards)")
    .option("--keep", "keep the identity's keys and services (e.g. the next key was lost, the current key is safe)")
    .addOption(prepareOption())
    .action(
      async (did: string, o: { card: string; newOwner: string; commitment?: string; commit: boolean; keep?: boolean; prepare?: string }) =>
        startRecovery(ctx(), did, o),
    );
  recover
    .command("approve <did>")
    .description("as a guardian, approve an open recovery (check its new controller with the owner first)")
    .requiredOption("--card <file>", "your guardian card")
    .option("--proposal <id>", "which proposal (default: the only open one)")
    .addOption(prepareOption())
    .action(async (did: string, o: { card: string; proposal?: string; prepare?: string }) => approveRecovery(ctx(), did, o));
  recover
    .command("cancel <did>")
    .description("with the next key, cancel an armed recovery (only if the key was committed at least one delay before it)")
    .option("--next-key-file <file>", "the committed key and salt")
    .addOption(prepareOption())
    .action(async (did: string, o: { nextKeyFile?: string; prepare?: string }) => {
      const c = ctx();
      const next = loadNextKey(o.nextKeyFile);
      await perform(
        c,
        { type: "cancelRecovery", identity: c.identity(did), salt: next.salt },
        { prepare: o.prepare, key: next.privateKey, salt: next.salt },
      );
    });
  recover
    .command("finalize <did>")
    .description("perform the armed recovery once its delay has passed (any funded key)")
    .action(async (did: string) => {
      const c = ctx();
      const armed = (await recoveryMeta(c, did)).recoveries.find((r) => r.status !== "proposed");
      if (!armed) throw new CliError("no recovery is armed", EXIT.refused);
      const recovery = proposalOf(armed);
      await perform(c, { type: "finalizeRecovery", identity: c.identity(did), recovery }, { key: await c.key() });
    });
  recover
    .command("status <did>")
    .description("guardians, pending changes and recoveries")
    .action(async (did: string) => {
      const c = ctx();
      const m = await recoveryMeta(c, did);
      c.print(describe(m), m);
    });
  return recover;
}

export function registerRecoveryCommands(program: Command, ctx: Ctx) {
  program.addCommand(guardiansCommand(ctx));
  program.addCommand(recoverCommand(ctx));
}

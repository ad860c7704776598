// The guardian set a rotation puts in place (registry 2.1: under a commitment only the next key,
// in its rotation, changes guardians): `sigil rotate --guardian … --threshold … --cards …`
// names a new set, `--remove-guardians` removes it, `--keep-guardians` keeps it; by default the
// SDK's plan restores the set of the commitment's time when it changed after it.
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Command, Option } from "commander";
import { buildGuardianSet, type GuardianCard, type GuardianUpdate } from "sigil-did";
import { KEEP_GUARDIANS, REMOVE_GUARDIANS } from "sigil-did/internal";
import type { Address } from "viem";
import { CliError, parseAddress, writeNew, type Context } from "../context.ts";
import { parseDuration } from "./recovery.ts";

export interface RotationGuardianOptions {
  guardian?: string[];
  threshold?: string;
  guardiansDelay: string;
  cards?: string;
  removeGuardians?: boolean;
  keepGuardians?: boolean;
}

export function addRotationGuardianOptions(command: Command): Command {
  return command
    .option(
      "--guardian <address>",
      "with the rotation, name this guardian (repeat; with --threshold and --cards)",
      (v: string, acc: string[] = []) => [...acc, v],
    )
    .option("--threshold <m>", "approvals the new guardian set needs")
    .addOption(new Option("--guardians-delay <duration>", "how long a recovery by the new set waits").default("7d"))
    .option("--cards <dir>", "empty folder for the new set's guardian cards, written once the rotation is mined")
    .option("--remove-guardians", "remove the guardian set in the same transaction")
    .option("--keep-guardians", "keep the guardian set as it is, even when it changed after your commitment");
}

export interface RotationGuardians {
  /** Undefined: let the plan decide (keep, or restore the set of the commitment's time). */
  update?: GuardianUpdate;
  /** Cards to write once the rotation is mined, and where. */
  cards?: { dir: string; cards: GuardianCard[] };
}

/** The guardian update the options ask for; refuses contradictions and a cards folder it could
 * not write into before anything is sent. */
export function rotationGuardians(identity: Address, newOwner: Address, o: RotationGuardianOptions): RotationGuardians {
  const naming = (o.guardian?.length ?? 0) > 0;
  if ([naming, o.removeGuardians, o.keepGuardians].filter(Boolean).length > 1) {
    throw new CliError("choose one of --guardian (a new set), --remove-guardians and --keep-guardians");
  }
  if (o.keepGuardians) return { update: KEEP_GUARDIANS };
  if (o.removeGuardians) return { update: REMOVE_GUARDIANS };
  if (!naming) {
    if (o.threshold || o.cards) throw new CliError("--threshold and --cards go with --guardian <address> (repeat for each guardian)");
    return {};
  }
  if (!o.threshold || !o.cards) throw new CliError("a new guardian set needs --threshold <m> and --cards <dir> as well");
  if (existsSync(o.cards) && readdirSync(o.cards).length > 0)
    throw new CliError(`${o.cards} is not empty: give an empty or new folder for the guardian cards (nothing was sent)`);
  let set;
  try {
    set = buildGuardianSet({
      identity,
      controller: newOwner,
      guardians: o.guardian!.map((g) => parseAddress(g, "--guardian")),
      threshold: Number(o.threshold),
      delay: parseDuration(o.guardiansDelay),
    });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  return {
    update: { replace: true, root: set.root, threshold: BigInt(set.threshold), delay: set.delay },
    cards: { dir: o.cards, cards: set.cards },
  };
}

/** Writes the new set's cards (after the rotation was mined: a refused rotation leaves none). */
export function writeRotationCards(c: Context, cards: RotationGuardians["cards"]): void {
  if (!cards) return;
  mkdirSync(cards.dir, { recursive: true });
  for (const card of cards.cards) writeNew(join(cards.dir, `guardian-${card.guardian.toLowerCase()}.json`), card, true);
  if (!c.json)
    console.error(
      `${cards.cards.length} guardian card(s) written to ${cards.dir}: give each guardian their own card privately, then delete the folder`,
    );
}

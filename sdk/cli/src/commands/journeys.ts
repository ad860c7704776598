// Journeys users expect from a DID tool: generating signing and key-agreement keys, waiting on a
// transaction already sent (a node that died after taking it, a relayer's hash), and the audit
// trail of a DID: what changed, when, by whom, and what each purge voided.
import { Command, Option } from "commander";
import { bytesToHex, hexToString, isHex, toHex, type Address, type Hex } from "viem";
import { generateKeyPair, type KeyType, type RegistryEvent } from "sigil-did";
import { activeEntries, decodeRegistryLogs, EmptyCallError, readIdentities } from "sigil-did/internal";
import { CliError, EXIT, writeNew, type Context } from "../context.ts";

type Ctx = () => Context;

const PURPOSES: Record<KeyType, string> = { Secp256k1: "sigAuth", Ed25519: "sigAuth", X25519: "enc", P256: "sigAuth" };

const text = (hex: Hex) => {
  try {
    return hexToString(hex).replace(/\0+$/, "");
  } catch {
    return hex;
  }
};

/** One line for a registry event; `voided` lists what a purge it performs voids. */
function describeEvent(e: RegistryEvent): string {
  switch (e.kind) {
    case "owner":
      return /^0x0{40}$/i.test(e.owner) ? "deactivated" : `controller is now ${e.owner}`;
    case "delegate":
      return `${e.validTo > 0n ? "delegate added" : "delegate revoked"}: ${e.delegate} (${text(e.delegateType)})`;
    case "attribute": {
      const name = text(e.name);
      const what = name.startsWith("did/svc/")
        ? `service ${name.slice(8)} ${text(e.value)}`
        : `${name} ${e.value.length > 70 ? `${e.value.slice(0, 70)}…` : e.value}`;
      return `${e.validTo > 0n ? "published" : "revoked"}: ${what}`;
    }
    case "commit":
      return /^0x0{64}$/.test(e.commitment) ? "next-key commitment removed" : "committed to a next key";
    case "rotate":
      return `rotated by the next key to ${e.newOwner}${e.purged ? ", purging" : ""}${/^0x0{64}$/.test(e.nextCommitment) ? ", no new next key" : ", committing to a new next key"}`;
    case "guardiansProposed":
      return `guardian change proposed (${e.threshold} needed, delay ${e.delay} s), effective ${new Date(Number(e.effectiveAt) * 1000).toISOString()}`;
    case "guardiansChanged":
      return e.threshold === 0 ? "guardians removed" : `guardians set: ${e.threshold} needed, delay ${e.delay} s`;
    case "guardianChangeCancelled":
      return "pending guardian change cancelled";
    case "recoveryProposed":
      return `recovery ${e.proposal.slice(0, 10)}… proposed: new controller ${e.recovery.newOwner}${e.recovery.purge ? ", purging" : ""}`;
    case "recoveryApproved":
      return `recovery ${e.proposal.slice(0, 10)}… approved by guardian ${e.guardian} (${e.approvals} approval(s))`;
    case "recoveryCancelled":
      return `recovery ${e.proposal.slice(0, 10)}… cancelled`;
    case "recovered":
      return `recovered by guardians to ${e.newOwner}${e.purged ? ", purging" : ""}`;
    case "marker": // the ERC-1056 trace of a Sigil-only change in the same transaction (not listed)
      return `ERC-1056 marker ${text(e.name)}`;
  }
}

/** What a purging event voided: the entries live just before it. */
function voidedBy(before: readonly RegistryEvent[], at: bigint): string[] {
  const live = activeEntries(before, at);
  return [
    ...live.delegates.map((d) => `delegate ${d.delegate} (${text(d.delegateType)})`),
    ...live.attributes.map((a) =>
      text(a.name).startsWith("did/svc/") ? `service ${text(a.name).slice(8)} ${text(a.value)}` : `key ${text(a.name)}`,
    ),
  ];
}

/** The transaction of each event (by block and log index), and who sent it. */
async function senders(c: Context, identity: Address, fromBlock: bigint): Promise<Map<string, { hash: Hex; from: Address }>> {
  const topic = `0x${identity.slice(2).toLowerCase().padStart(64, "0")}` as Hex;
  const logs = (await c.publicClient.request({
    method: "eth_getLogs",
    params: [{ address: c.network.registry, fromBlock: toHex(fromBlock), toBlock: "latest", topics: [null, topic] }],
  } as never)) as { blockNumber: Hex; logIndex: Hex; transactionHash: Hex }[];
  const from = new Map<Hex, Address>();
  for (const hash of new Set(logs.map((l) => l.transactionHash))) from.set(hash, (await c.publicClient.getTransaction({ hash })).from);
  return new Map(
    logs.map((l) => [`${BigInt(l.blockNumber)}:${Number(l.logIndex)}`, { hash: l.transactionHash, from: from.get(l.transactionHash)! }]),
  );
}

export function registerJourneyCommands(program: Command, ctx: Ctx) {
  registerKeygen(program);
  registerWait(program, ctx);
  registerHistory(program, ctx);
}

function registerKeygen(program: Command) {
  program
    .command("keygen")
    .description("generate a signing (Secp256k1, Ed25519, P256) or key-agreement (X25519) key pair into a file, and say how to publish it")
    .addOption(new Option("--type <type>", "key type").choices(["Secp256k1", "Ed25519", "X25519", "P256"]).makeOptionMandatory())
    .requiredOption("--out <file>", "where to write it (readable by you only; never overwritten)")
    .action((o: { type: KeyType; out: string }) => {
      const pair = generateKeyPair(o.type);
      const card = { type: o.type, privateKey: bytesToHex(pair.secretKey), publicKey: bytesToHex(pair.publicKey) };
      writeNew(o.out, card, true);
      const use =
        o.type === "X25519"
          ? `decrypt with SIGIL_X25519_KEY_FILE=${o.out}`
          : o.type === "P256"
            ? "use it as an MLS (cipher suite 2) signature key, validated by sigil-did/mls"
            : `sign with --keystore ${o.out}${o.type === "Ed25519" ? " --key-type Ed25519" : ""}`;
      console.error(
        `${o.type} key written to ${o.out}; publish it with: sigil key add <did> --public-key ${card.publicKey} --type ${o.type} --purpose ${PURPOSES[o.type]}; then ${use}`,
      );
      console.log(program.opts().json ? JSON.stringify({ type: o.type, publicKey: card.publicKey, file: o.out }) : card.publicKey);
    });
}

function registerWait(program: Command, ctx: Ctx) {
  program
    .command("wait <tx>")
    .description("wait for a transaction already sent (its hash) and report the registry's events it shows")
    .action(async (tx: string) => {
      if (!isHex(tx) || tx.length !== 66) throw new CliError(`"${tx}" is not a transaction hash (0x and 64 hex digits)`);
      const c = ctx();
      const receipt = await c
        .spin("waiting…", c.publicClient.waitForTransactionReceipt({ hash: tx as Hex, timeout: c.waitMs, pollingInterval: 250 }))
        .catch((error: unknown) => {
          if ((error as Error).name === "WaitForTransactionReceiptTimeoutError")
            throw new CliError(
              `${tx} was not mined within ${Math.round(c.waitMs / 1000)} s (--wait <ms>); it may still be, or it was dropped`,
              EXIT.network,
            );
          throw error;
        });
      if (receipt.status !== "success")
        throw new CliError(`${tx} was mined in block ${receipt.blockNumber} and reverted: it changed nothing`, EXIT.refused);
      const events = decodeRegistryLogs(receipt.logs.filter((l) => l.address.toLowerCase() === c.network.registry.toLowerCase()));
      if (events.length === 0)
        throw new CliError(
          `${tx} was mined in block ${receipt.blockNumber} but shows no event of the registry at ${c.network.registry}: it changed no DID here`,
          EXIT.refused,
        );
      c.print(`✔ mined in block ${receipt.blockNumber}: ${events.map(describeEvent).join("; ")}`, {
        hash: tx,
        blockNumber: receipt.blockNumber,
        from: receipt.from,
        events,
      });
    });
}

function registerHistory(program: Command, ctx: Ctx) {
  program
    .command("history <did>")
    .description("the audit trail of a DID: every change with its time, block, transaction and sender, and what each purge voided")
    .action((did: string) => history(ctx(), did));
}

/** Every change of `did` with its time, block, transaction and sender, and what each purge voided. */
async function history(c: Context, did: string) {
  const identity = c.identity(did);
  const fromBlock = c.network.fromBlock ?? 0n;
  const read = await c
    .spin(
      "reading…",
      readIdentities(c.publicClient, [identity], { registry: c.network.registry, fromBlock, scope: "full", logTimestamps: false }),
    )
    .catch((error: unknown) => {
      if (error instanceof EmptyCallError)
        throw new CliError(`no SigilRegistry at ${c.network.registry} on this chain: check --network`, EXIT.network);
      throw error;
    });
  const events = read.snapshot.events.get(identity.toLowerCase() as Address) ?? [];
  const sent = await senders(c, identity, fromBlock);
  const times = new Map([...read.headers].map(([block, header]) => [block, header.timestamp]));
  const timeOf = async (block: bigint) => times.get(block) ?? (await c.publicClient.getBlock({ blockNumber: block })).timestamp;
  const rows = [];
  for (const [i, e] of events.entries()) {
    if (e.kind === "marker") continue; // its transaction's own event says what changed
    const time = e.blockTimestamp ?? (await timeOf(e.blockNumber));
    const tx = sent.get(`${e.blockNumber}:${e.logIndex}`);
    const purges = (e.kind === "rotate" || e.kind === "recovered") && e.purged;
    rows.push({
      block: e.blockNumber,
      time: new Date(Number(time) * 1000).toISOString(),
      transaction: tx?.hash,
      sender: tx?.from,
      change: describeEvent(e),
      kind: e.kind,
      ...(purges ? { voided: voidedBy(events.slice(0, i), time) } : {}),
    });
  }
  const lines = rows.flatMap((r) => [
    `${r.time}  block ${r.block}  ${r.change}${r.sender ? `  (by ${r.sender}, tx ${r.transaction})` : ""}`,
    ...(r.voided ? (r.voided.length ? r.voided.map((v) => `    voided: ${v}`) : ["    voided: nothing was live"]) : []),
  ]);
  c.print(lines.length ? lines.join("\n") : `${did}: no changes on chain (its document is the default one)`, { did, changes: rows });
}

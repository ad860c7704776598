// POST /1.0/relay: the service pays the gas for operations their signers signed (EIP-712), so a
// user without coins can act: a next key rotating, a guardian approving, a key in the web
// console. The body is a signed operation as `sigil prepare` and the console write it. It is
// answered 200 only once the receipt shows the registry's events; a refusal says why, and a
// request the registry would refuse costs the relayer nothing (it is simulated first).
import type { FastifyPluginAsync, FastifyReply } from "fastify";
import { encodeFunctionData, type WalletClient } from "viem";
import {
  decodeSignedOperation,
  NoRegistryError,
  ReceiptTimeoutError,
  RegistryRevertError,
  relayOperation,
  SignedOperationFormatError,
  sigilRegistryAbi,
  type RegistryTarget,
  type SignedOperation,
} from "sigil-did";
import { relayedCall, signedOperationOnChain, staleReason } from "sigil-did/internal";
import { problem } from "./problem.ts";

export const RELAY_PATH = "/1.0/relay";

export interface RelayOptions {
  /** The funded account that sends and pays. */
  relayer: WalletClient;
  target: RegistryTarget;
  chainId: number;
  /**
   * Most ordinary operations (anything but the protective ones below) relayed per minute, across
   * all clients: the relayer's funds are finite. Default 30.
   */
  maxPerMinute?: number;
  /**
   * Most protective operations relayed per minute for one identity, and for one signer:
   * rotations and cancellations (signed by the identity's committed next key) and, counted apart,
   * approvals (signed by its guardians). No client shares an identity's budget with another
   * identity, so nobody can keep an owner's rotation or cancellation out by spending a shared one
   * with operations for identities he made up. Default 5.
   */
  maxPerIdentityPerMinute?: number;
  /** How long to wait for a receipt, ms. Default 60 s. */
  receiptTimeoutMs?: number;
}

/** The relay's problem details: about transactions, so never stored. */
const refuse = (reply: FastifyReply, status: number, detail: string, extra?: Record<string, unknown>) =>
  problem(reply, status, detail, extra, "no-store");

/** Operations that take an identity back or stop a takeover: budgeted per identity and per signer. */
const PROTECTIVE = new Set(["rotate", "cancelRecovery", "approveRecovery"]);

/**
 * Counts per key in fixed one-minute windows. Every budget starts afresh at the same time, so the
 * whole map is dropped then: memory holds at most one minute of keys.
 */
class MinuteBudgets {
  private start = 0;
  private used = new Map<string, number>();

  /** The seconds to wait if any of `keys` is at its limit (nothing is counted then), else undefined (all counted). */
  take(keys: [string, number][], now = Date.now()): number | undefined {
    if (now - this.start >= 60_000) {
      this.start = now;
      this.used.clear();
    }
    const full = keys.find(([key, limit]) => (this.used.get(key) ?? 0) >= limit);
    if (full) return Math.max(1, Math.ceil((this.start + 60_000 - now) / 1000));
    for (const [key] of keys) this.used.set(key, (this.used.get(key) ?? 0) + 1);
    return undefined;
  }

  /** Gives back what `take` counted (an operation refused before it was sent cost nothing). */
  refund(keys: [string, number][]) {
    for (const [key] of keys) {
      const n = this.used.get(key);
      if (n) this.used.set(key, n - 1);
    }
  }
}

/** The budgets an operation spends, with their limits, and how a refusal describes the full one. */
function budgetsFor(signed: SignedOperation, perMinute: number, perIdentity: number): { keys: [string, number][]; what: string } {
  const type = signed.operation.type;
  if (!PROTECTIVE.has(type)) return { keys: [["ordinary", perMinute]], what: `at most ${perMinute} operations a minute` };
  // A guardian's approvals never spend the next key's budget for the same identity.
  const group = type === "approveRecovery" ? "approvals" : "rotations and cancellations";
  const identity = signed.operation.identity.toLowerCase();
  return {
    keys: [
      [`identity:${group}:${identity}`, perIdentity],
      [`signer:${signed.signer.toLowerCase()}`, perIdentity],
    ],
    what: `at most ${perIdentity} ${group} a minute for one identity, and ${perIdentity} protective operations for one signer`,
  };
}

/** The operation in a request's body, every field the call needs checked; else the 400 to answer. */
function decode(body: unknown): { signed: SignedOperation } | { refused: [detail: string, extra?: Record<string, unknown>] } {
  try {
    const signed = decodeSignedOperation(body);
    // Every field the call needs, checked now: a missing one is the client's error, not ours.
    encodeFunctionData({ abi: sigilRegistryAbi, ...relayedCall(signed.operation, signed) } as never);
    return { signed };
  } catch (error) {
    if (error instanceof SignedOperationFormatError) return { refused: [error.message, { errors: error.problems }] };
    const why = (error as { shortMessage?: string }).shortMessage ?? (error as Error).message;
    return { refused: [`the operation cannot be sent as signed: ${why.split("\n")[0]}`] };
  }
}

/** A revert: the operation already took effect (someone sent a copy first), or why the registry refused it. */
async function answerRevert(
  reply: FastifyReply,
  target: RegistryTarget,
  signed: SignedOperation,
  error: RegistryRevertError,
  wasSent: boolean,
) {
  // Someone sent a copy first (a thief racing the owner's own signed rotation): what it asks is done.
  const applied = await signedOperationOnChain(target, signed).catch(() => undefined);
  if (applied) {
    return reply
      .code(200)
      .header("cache-control", "no-store")
      .send({
        transactionHash: applied.transactionHash,
        blockNumber: applied.blockNumber.toString(),
        events: applied.events,
        alreadyOnChain: true,
        detail: `this ${signed.operation.type} already took effect in block ${applied.blockNumber} (tx ${applied.transactionHash}, sent by ${applied.sentBy})${wasSent ? "; this relayer's own copy came second and reverted" : "; nothing more was sent"}`,
      });
  }
  // A signature the registry refuses: say why in words when the chain shows it (a replay, a used nonce).
  const stale =
    error.errorName === "SigilInvalidSignature" || error.errorName === "SigilExpiredSignature"
      ? await staleReason(target, signed).catch(() => undefined)
      : undefined;
  return refuse(reply, 422, stale ? `${error.message}: ${stale}; sign it again` : error.message, {
    operation: signed.operation.type,
    errorName: error.errorName,
  });
}

/** POST /1.0/relay, as a fastify plugin: app.register(relay, options). */
export const relay: FastifyPluginAsync<RelayOptions> = async (app, options) => {
  const { relayer, target, chainId } = options;
  const perMinute = options.maxPerMinute ?? 30;
  const perIdentity = options.maxPerIdentityPerMinute ?? 5;
  const budgets = new MinuteBudgets();
  // One transaction at a time until it is sent: concurrent sends from one account would take
  // the same nonce. Receipts are awaited in parallel.
  let sending: Promise<void> = Promise.resolve();

  app.post(RELAY_PATH, async (request, reply) => {
    const decoded = decode(request.body);
    if ("refused" in decoded) return refuse(reply, 400, ...decoded.refused);
    const { signed } = decoded;
    if (signed.chainId !== chainId || signed.registry.toLowerCase() !== target.registry.toLowerCase()) {
      return refuse(
        reply,
        400,
        `signed for registry ${signed.registry} on chain ${signed.chainId}; this relayer sends to ${target.registry} on chain ${chainId}`,
      );
    }
    const budget = budgetsFor(signed, perMinute, perIdentity);
    const wait = budgets.take(budget.keys);
    if (wait !== undefined) {
      return refuse(reply.header("retry-after", String(wait)), 429, `this relayer sends ${budget.what}; try again in ${wait} s`);
    }
    const turn = sending;
    let wasSent = false;
    let sent!: () => void;
    sending = new Promise<void>((resolve) => (sent = resolve));
    try {
      await turn;
      const onSent = () => ((wasSent = true), sent());
      const receipt = await relayOperation(relayer, target, signed, { timeoutMs: options.receiptTimeoutMs ?? 60_000, onSent });
      return reply
        .code(200)
        .header("cache-control", "no-store")
        .send({
          transactionHash: receipt.hash,
          blockNumber: receipt.blockNumber.toString(),
          events: receipt.events.map((e) => e.kind),
        });
    } catch (error) {
      if (!wasSent) budgets.refund(budget.keys); // refused before sending: nothing was spent
      if (error instanceof RegistryRevertError) return await answerRevert(reply, target, signed, error, wasSent);
      if (error instanceof ReceiptTimeoutError) {
        return refuse(reply, 504, `${error.message}; ${error.details}`, { transactionHash: error.hash });
      }
      if (error instanceof NoRegistryError) return refuse(reply, 502, error.message, { operation: signed.operation.type });
      if (/insufficient funds/i.test(String((error as Error).message))) {
        request.log.error({ relayer: relayer.account?.address }, "the relayer has no funds");
        return refuse(
          reply,
          503,
          "the relayer cannot pay the gas right now; sign the operation to a file and send it with sigil relay, or try later",
        );
      }
      throw error;
    } finally {
      sent(); // refused or failed before sending: the next one may go
    }
  });
};

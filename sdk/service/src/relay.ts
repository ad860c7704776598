// POST /1.0/relay: the service pays the gas for operations their signers signed (EIP-712), so a
// user without coins can act: a next key rotating, a guardian approving, a key in the web
// console. The body is a signed operation as `sigil prepare` and the console write it. It is
// answered 200 only once the receipt shows the registry's events; a refusal says why, and a
// request the registry would refuse costs the relayer nothing (it is simulated first).
import type { FastifyInstance, FastifyReply } from "fastify";
import { encodeFunctionData, type WalletClient } from "viem";
import {
  decodeSignedOperation,
  NoRegistryError,
  ReceiptTimeoutError,
  RegistryRevertError,
  relayedCall,
  relayOperation,
  SignedOperationFormatError,
  sigilRegistryAbi,
  staleReason,
  type RegistryTarget,
} from "sigil-did";
import { problemBody } from "./app.ts";

export const RELAY_PATH = "/1.0/relay";

export interface RelayOptions {
  /** The funded account that sends and pays. */
  relayer: WalletClient;
  target: RegistryTarget;
  chainId: number;
  /**
   * Most operations relayed per minute, across all clients (the relayer's funds are finite), in
   * each of two budgets: taking an identity back (rotate, cancelRecovery, approveRecovery) and
   * everything else, so that a flood of ordinary operations (a thief's, anyone's) cannot keep an
   * owner's rotation out. Default 30.
   */
  maxPerMinute?: number;
  /** How long to wait for a receipt, ms. Default 60 s. */
  receiptTimeoutMs?: number;
}

/** Operations that take an identity back or stop a takeover: their own budget. */
const PROTECTIVE = new Set(["rotate", "cancelRecovery", "approveRecovery"]);

export function registerRelay(app: FastifyInstance, options: RelayOptions) {
  const { relayer, target, chainId } = options;
  const perMinute = options.maxPerMinute ?? 30;
  const budgets = { protective: { start: 0, used: 0 }, ordinary: { start: 0, used: 0 } };
  // One transaction at a time until it is sent: concurrent sends from one account would take
  // the same nonce. Receipts are awaited in parallel.
  let sending: Promise<void> = Promise.resolve();
  const problem = (reply: FastifyReply, status: number, detail: string, extra?: Record<string, unknown>) =>
    reply.code(status).header("content-type", "application/problem+json").header("cache-control", "no-store").send(problemBody(status, detail, extra));

  app.post(RELAY_PATH, async (request, reply) => {
    let signed;
    try {
      signed = decodeSignedOperation(request.body);
      // Every field the call needs, checked now: a missing one is the client's error, not ours.
      encodeFunctionData({ abi: sigilRegistryAbi, ...relayedCall(signed.operation, signed) } as never);
    } catch (error) {
      if (error instanceof SignedOperationFormatError) return problem(reply, 400, error.message, { errors: error.problems });
      const why = (error as { shortMessage?: string }).shortMessage ?? (error as Error).message;
      return problem(reply, 400, `the operation cannot be sent as signed: ${why.split("\n")[0]}`);
    }
    if (signed.chainId !== chainId || signed.registry.toLowerCase() !== target.registry.toLowerCase()) {
      return problem(reply, 400, `signed for registry ${signed.registry} on chain ${signed.chainId}; this relayer sends to ${target.registry} on chain ${chainId}`);
    }
    const kind = PROTECTIVE.has(signed.operation.type) ? "protective" : "ordinary";
    const budget = budgets[kind];
    const now = Date.now();
    if (now - budget.start >= 60_000) Object.assign(budget, { start: now, used: 0 });
    if (budget.used >= perMinute) {
      const wait = Math.ceil((budget.start + 60_000 - now) / 1000);
      return problem(reply.header("retry-after", String(wait)), 429, `this relayer sends at most ${perMinute} ${kind === "protective" ? "rotations, approvals and cancellations" : "operations"} a minute; try again in ${wait} s`);
    }
    budget.used++;
    const turn = sending;
    let wasSent = false;
    let sent!: () => void;
    sending = new Promise<void>((resolve) => (sent = resolve));
    try {
      await turn;
      const onSent = () => ((wasSent = true), sent());
      const receipt = await relayOperation(relayer, target, signed, { timeoutMs: options.receiptTimeoutMs ?? 60_000, onSent });
      return reply.code(200).header("cache-control", "no-store").send({
        transactionHash: receipt.hash,
        blockNumber: receipt.blockNumber.toString(),
        events: receipt.events.map((e) => e.kind),
      });
    } catch (error) {
      if (!wasSent) budget.used--; // refused before sending: nothing was spent
      if (error instanceof RegistryRevertError) {
        // A signature the registry refuses: say why in words when the chain shows it (a replay, a used nonce).
        const stale = error.errorName === "SigilInvalidSignature" || error.errorName === "SigilExpiredSignature" ? await staleReason(target, signed).catch(() => undefined) : undefined;
        return problem(reply, 422, stale ? `${error.message}: ${stale}; sign it again` : error.message, { operation: signed.operation.type, errorName: error.errorName });
      }
      if (error instanceof ReceiptTimeoutError) {
        return problem(reply, 504, `${error.message}; ${error.details}`, { transactionHash: error.hash });
      }
      if (error instanceof NoRegistryError) return problem(reply, 502, error.message, { operation: signed.operation.type });
      if (/insufficient funds/i.test(String((error as Error).message))) {
        request.log.error({ relayer: relayer.account?.address }, "the relayer has no funds");
        return problem(reply, 503, "the relayer cannot pay the gas right now; sign the operation to a file and send it with sigil relay, or try later");
      }
      throw error;
    } finally {
      sent(); // refused or failed before sending: the next one may go
    }
  });
}

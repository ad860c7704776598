// One operation from the page, start to end: checked with the registry, reviewed, signed, then
// sent (a connected wallet pays the gas, relaying an operation signed by another key), signed to a
// file in the format `sigil relay` reads, or handed to the configured relayer. One at a time (the
// session's lock); only for the DID the page shows now (a form kept from an earlier lookup acts on
// nothing); and its log always ends: done (the receipt shows the registry's events), refused
// (nothing was signed or sent) or failed (with the reason).
import {
  encodeSignedOperation,
  RegistryRevertError,
  relayOperation,
  sendOperation,
  signOperation,
  simulateOperation,
  type Operation,
  type OperationReceipt,
  type SignableOperation,
} from "sigil-did";
import { decodeRegistryLogs, directCall, isSignable, networkTransport } from "sigil-did/internal";
import type { Address, Hex, PublicClient } from "viem";
import type { Chain } from "./chain.ts";
import { publicClientOf } from "./clients.ts";
import { fill, h } from "./dom.ts";
import { explain } from "./explain.ts";
import { download, toJson } from "./files.ts";
import { KIND_WORDS, short, when } from "./format.ts";
import { ref, type Explorer } from "./links.ts";
import { review } from "./review.ts";
import { actorLabel, onChain, type Actor, type Session } from "./session.ts";

export interface Prepared {
  op: Operation;
  authoriser: Actor;
  /** Runs once the operation is on chain (forget consumed keys). */
  after?: () => void;
}

export interface SubmitContext {
  /** The tab's wallet, key in the page and lock. */
  session: Session;
  chain: Chain;
  did: string;
  /** Where signed operations can be relayed (config.json's relayerUrl), if anywhere. */
  relayerUrl?: string;
  /** Where transaction hashes link to (config.json's explorer), if anywhere. */
  explorer?: Explorer;
  /** False once the page shows another lookup than the one this form was drawn for. */
  isCurrent(): boolean;
  refresh(): Promise<void>;
  /** Keeps an action's log where it survives the redraw that follows a change (undefined: clears it). */
  report(log: HTMLElement | undefined): void;
}

export type Mode = "send" | "file" | "relay";

/** Thrown for what stops an operation before anything is signed: said as a refusal. */
class Stopped extends Error {}

/** A steps log for one action: what is happening, then the outcome. */
function log(el: HTMLElement) {
  fill(el);
  delete el.dataset.outcome;
  delete el.dataset.error;
  const list = h("ol", { class: "steps" });
  el.append(list);
  const add = (cls: string, ...parts: (string | Node)[]) => list.append(h("li", { class: cls }, ...parts));
  return {
    step: (...parts: (string | Node)[]) => add("step", ...parts),
    ok: (text: string) => add("ok", text),
    done: (...parts: (string | Node)[]) => {
      el.dataset.outcome = "done";
      add("done", ...parts);
    },
    /** `outcome`: "refused" when nothing was signed or sent, "failed" when it broke on the way. */
    fail: (error: unknown, outcome: "refused" | "failed", operation?: string) => {
      const x = explain(error, operation);
      el.dataset.outcome = x.declined ? "refused" : outcome;
      if (x.code) el.dataset.error = x.code;
      add(
        "fail",
        h("strong", undefined, x.headline),
        x.detail ? ` ${x.detail}` : "",
        x.code ? h("span", { class: "code" }, ` (${x.code})`) : "",
      );
    },
  };
}

/** The write path's client, one per network. */
const targets = new WeakMap<Chain, { registry: Address; publicClient: PublicClient }>();
function targetOf(chain: Chain) {
  let target = targets.get(chain);
  if (!target)
    targets.set(chain, (target = { registry: chain.network.registry, publicClient: publicClientOf(networkTransport(chain.network)) }));
  return target;
}

/** Hands a signed operation to the relayer, then checks its transaction on chain: done only
 * when this page's own node shows the registry's events in the receipt. */
async function relayedBy(
  target: { registry: Address; publicClient: PublicClient },
  url: string,
  body: string,
  operation: string,
  onSent: (hash: Hex) => void,
) {
  let res: Response;
  try {
    res = await fetch(new URL(url, location.href), { method: "POST", headers: { "content-type": "application/json" }, body });
  } catch {
    throw new Error("The relayer cannot be reached. Sign the operation to a file instead and give it to someone who can send it.");
  }
  const answer = (await res.json().catch(() => ({}))) as { transactionHash?: Hex; detail?: string; errorName?: string };
  if (res.status === 422 && answer.errorName) throw new RegistryRevertError({ operation, errorName: answer.errorName, args: [] });
  // 504: sent but not mined while the relayer waited; this page waits on its own node instead.
  if ((!res.ok && res.status !== 504) || !answer.transactionHash)
    throw new Error(`The relayer did not send it: ${answer.detail ?? `HTTP ${res.status}`}`);
  onSent(answer.transactionHash);
  let receipt;
  try {
    receipt = await target.publicClient.waitForTransactionReceipt({ hash: answer.transactionHash, timeout: 180_000 });
  } catch {
    throw new Error(
      `The relayer's transaction ${short(answer.transactionHash, 8)} is not on ` +
        `chain after 3 minutes. Look the DID up again later before trying again.`,
    );
  }
  const events = decodeRegistryLogs(receipt.logs.filter((log) => log.address.toLowerCase() === target.registry.toLowerCase()) as never);
  if (receipt.status !== "success" || events.length === 0)
    throw new Error(`The relayer's transaction ${short(answer.transactionHash, 8)} changed nothing in the registry.`);
  return { blockNumber: receipt.blockNumber, events };
}

const CONFIRM: Record<Mode, string> = { send: "Sign and send", file: "Sign to a file", relay: "Sign and hand to the relayer" };

/** Runs one operation of the form whose log is `out`. Returns at once when another one runs. */
export async function submit(ctx: SubmitContext, mode: Mode, prepare: () => Prepared | Promise<Prepared>, out: HTMLElement) {
  if (!ctx.session.lock(out.dataset.out ?? mode)) return;
  const l = log(out);
  out.dataset.running = "true";
  let op: Operation | undefined;
  let signing = false;
  try {
    if (!ctx.isCurrent()) throw new Stopped(`This form is for ${ctx.did}, which is no longer shown: look it up again to act on it.`);
    ctx.report(undefined); // the shared log now follows this operation
    const prepared = await prepare();
    op = prepared.op;
    const target = targetOf(ctx.chain);
    l.step("Checking with the registry…");
    await simulateOperation(target, prepared.op, directCall(prepared.op), prepared.authoriser.address);
    l.ok("The registry accepts this.");
    // Both bound to the DID's chain before the review: what is reviewed is where it is sent.
    const p = { ...prepared, authoriser: await onChain(prepared.authoriser, ctx.chain) };
    if (mode !== "send" && !isSignable(p.op))
      throw new Stopped("Anyone may send this operation: there is nothing to sign. Send it from any funded account.");
    const payer = mode === "send" ? await onChain(ctx.session.wallet ?? ctx.session.pageKey ?? p.authoriser, ctx.chain) : p.authoriser;
    if (mode === "send" && payer.kind !== "wallet" && (await target.publicClient.getBalance({ address: payer.address })) === 0n) {
      throw new Stopped(
        `${short(payer.address)} has no funds to pay the gas. Connect a wallet that has some, or use “Sign to a file for a relayer”.`,
      );
    }
    const network = ctx.chain.network;
    const confirmed = await review({
      op: p.op,
      did: ctx.did,
      chain: `${network.name ?? "chain"} (chain ${network.chainId})`,
      registry: network.registry,
      signedBy: mode === "send" && !isSignable(p.op) ? `${actorLabel(payer)} (sends it; anyone may)` : actorLabel(p.authoriser),
      paidBy:
        mode === "file"
          ? "whoever sends the file (sigil relay <file>): nothing is sent now"
          : mode === "relay"
            ? `the relayer at ${new URL(ctx.relayerUrl!, location.href).href}`
            : actorLabel(payer),
      confirm: CONFIRM[mode],
      wallet: p.authoriser.kind === "wallet" || (mode === "send" && payer.kind === "wallet"),
    });
    if (!confirmed) throw new Stopped("Cancelled: nothing was signed or sent.");
    if (!ctx.isCurrent()) throw new Stopped(`This form is for ${ctx.did}, which is no longer shown: look it up again to act on it.`);
    signing = true;
    const receipt = await carryOut(ctx, mode, p, payer, l);
    if (!receipt) return; // signed to a file: nothing changed on chain
    // Markers only keep Sigil-only changes visible to stock ERC-1056 readers: the change itself is said.
    const recorded = [...new Set(receipt.events.filter((e) => e.kind !== "marker").map((e) => KIND_WORDS[e.kind] ?? e.kind))].join(", ");
    l.done(
      h("strong", undefined, "Done"),
      ` in block ${receipt.blockNumber}${mode === "relay" ? ", relayed" : ""}: the registry recorded ${recorded}.`,
    );
    p.after?.();
    ctx.report(out);
    await ctx.refresh();
  } catch (error) {
    l.fail(error instanceof Stopped ? new Error(error.message) : error, signing ? "failed" : "refused", op?.type);
  } finally {
    delete out.dataset.running;
    ctx.session.unlock();
  }
}

type Log = ReturnType<typeof log>;
type Receipt = { blockNumber: bigint; events: { kind: string }[] };

/** Signs and sends (or signs to a file, or for the relayer) what the review confirmed. */
async function carryOut(ctx: SubmitContext, mode: Mode, p: Prepared, payer: Actor, l: Log): Promise<Receipt | undefined> {
  // The hash as soon as it is known: linked to the explorer (if configured) and copyable, so that
  // a transaction slow to be mined can be followed elsewhere.
  const onSent = (hash: Hex) => l.step("Sent (", ref("tx", hash, ctx.explorer, short(hash, 8)), "); waiting for it to be mined…");
  if (mode === "send") return sendNow(ctx, p, payer, l, onSent);
  if (!isSignable(p.op)) throw new Error("Anyone may send this operation: there is nothing to sign.");
  const signed = await signedBy(ctx, p, p.op, l);
  if (mode === "file") {
    download(`sigil-${p.op.type}-${p.op.identity.slice(2, 10).toLowerCase()}-${signed.deadline}.json`, toJson(signed));
    l.done(
      h("strong", undefined, "Signed to a file."),
      ` Valid until ${when(signed.deadline)}. Give it to anyone who can pay the gas; they send it with: sigil relay <file>.`,
    );
    return undefined; // nothing changed yet: keys in the page stay until the operation is on chain
  }
  l.step("Handing it to the relayer, which pays the gas…");
  return relayedBy(targetOf(ctx.chain), ctx.relayerUrl!, encodeSignedOperation(signed), p.op.type, onSent);
}

/** The operation signed by its authoriser (for a file, the relayer, or a payer that is another key). */
function signedBy(ctx: SubmitContext, p: Prepared, op: SignableOperation, l: Log) {
  const who = p.authoriser.kind;
  l.step(who === "wallet" ? "Confirm in your wallet…" : `Signing with ${who === "next" ? "the next key" : "the key in this page"}…`);
  return signOperation(p.authoriser.client, targetOf(ctx.chain), op, { chainId: ctx.chain.network.chainId });
}

/** Sends the operation now, paid by `payer`: directly when it is the authoriser (or anyone may send
 * it), else signed by the authoriser and relayed by the payer. */
async function sendNow(ctx: SubmitContext, p: Prepared, payer: Actor, l: Log, onSent: (hash: Hex) => void): Promise<OperationReceipt> {
  const target = targetOf(ctx.chain);
  if (payer.address === p.authoriser.address || !isSignable(p.op)) {
    l.step(payer.kind === "wallet" ? "Confirm in your wallet…" : "Sending…");
    return sendOperation(payer.client, target, p.op, { onSent });
  }
  const signed = await signedBy(ctx, p, p.op, l);
  l.step(
    payer.kind === "wallet" ? "Confirm in your wallet: it sends the signed operation and pays the gas…" : "Sending the signed operation…",
  );
  return relayOperation(payer.client, target, signed, { onSent });
}

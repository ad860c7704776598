// Failures in plain words. The SDK explains every error (toSigilError: the registry's refusal
// by the contract's error name and what it means, a wallet that declined, an account without
// funds, a node that cannot be reached); the console adds only its wording and, for refusals
// a person meets on the way, the next step in this UI.
import { RegistryRevertError, RpcUnreachableError, toSigilError, UnexpectedError } from "sigil-did";

export interface Explained {
  headline: string;
  detail?: string;
  /** The contract's error name, for people who report a problem. */
  code?: string;
  /** The person declined in their wallet (a refusal, not a failure). */
  declined?: boolean;
}

/** Console-specific advice for refusals a person meets on the way, keyed by operation and error. */
const NEXT_STEP: Record<string, string> = {
  "deactivate:SigilNextOwnerCommitted": "Deactivate with your next key instead: rotate to the zero address (0x0000000000000000000000000000000000000000) without a fresh next key.",
  "deactivate:SigilGuardedDeactivation": "Ask your guardians to recover the DID to the zero address, or rotate to it with a next key committed at least one delay ago.",
  "commitNextOwner:SigilNextOwnerCommitted": "A next key is already committed: rotate with it (it then commits to a fresh one).",
  "rotate:SigilNotNextOwner": "This next-key file is not the one this DID committed to (or it was used already): load the newest next-key file.",
};

/** viem's errors: a name, a short message, details. */
type ViemLike = Error & { shortMessage: string; details?: string };
const isViem = (e: unknown): e is ViemLike => e instanceof Error && typeof (e as { shortMessage?: unknown }).shortMessage === "string";

function find(error: unknown, match: (e: unknown) => boolean): unknown {
  let e: unknown = error;
  for (let i = 0; i < 12 && e; i++, e = (e as { cause?: unknown }).cause) if (match(e)) return e;
  return undefined;
}

const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1) + ".";

export function explain(error: unknown, operation?: string): Explained {
  const failure = toSigilError(error);
  if (failure instanceof RegistryRevertError) {
    const next = operation ? NEXT_STEP[`${operation}:${failure.errorName}`] : undefined;
    return { headline: "The registry refuses this, so nothing was sent.", detail: [failure.details && sentence(failure.details), next].filter(Boolean).join(" "), code: failure.errorName };
  }
  switch (failure.code) {
    case "walletDeclined":
      return { headline: "You declined in your wallet. Nothing was sent.", declined: true };
    case "insufficientFunds":
      return { headline: "The account that pays has no funds for gas.", detail: "Fund it, connect a wallet that has funds, or sign the operation to a file and give it to a relayer." };
  }
  if (failure instanceof RpcUnreachableError) {
    const cause = find(failure.cause, (e) => isViem(e) && (e.name === "HttpRequestError" || e.name === "TimeoutError")) ?? failure.cause;
    const said = (isViem(cause) ? cause.shortMessage : cause instanceof Error ? cause.message : String(cause)).split("\n")[0].replace(/\.$/, "");
    return { headline: "The RPC endpoint could not be reached.", detail: `${said}. Check the network settings (RPC URL) and that the node is running.` };
  }
  if (failure instanceof UnexpectedError) {
    const cause = failure.cause;
    return isViem(cause) ? { headline: cause.shortMessage, detail: cause.details } : { headline: cause instanceof Error ? cause.message : String(cause) };
  }
  return { headline: failure.shortMessage + ".", detail: failure.details };
}

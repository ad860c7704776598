// Failures in plain words: the registry's refusal (the SDK names the contract's error and says
// what it means), a wallet that declined, an account without funds, a node that cannot be reached.
// Errors are recognised by name, not by class: the document's code needs none of the write path's.
type SigilLike = Error & { shortMessage: string; details?: string; code: string };
type RevertLike = SigilLike & { errorName: string };
const isSigil = (e: unknown): e is SigilLike => e instanceof Error && typeof (e as { shortMessage?: unknown }).shortMessage === "string" && typeof (e as { code?: unknown }).code === "string";
const isRevert = (e: unknown): e is RevertLike => isSigil(e) && e.name === "RegistryRevertError";
/** viem's errors: a name, a short message, details. */
type ViemLike = Error & { shortMessage: string; details?: string };
const isViem = (e: unknown): e is ViemLike => e instanceof Error && typeof (e as { shortMessage?: unknown }).shortMessage === "string" && !isSigil(e);

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

function find<T>(error: unknown, match: (e: unknown) => e is T): T | undefined {
  let e: unknown = error;
  for (let i = 0; i < 12 && e; i++) {
    if (match(e)) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

const codeOf = (e: unknown) => (e as { code?: unknown }).code;

export function explain(error: unknown, operation?: string): Explained {
  const revert = find(error, isRevert);
  if (revert) {
    const next = operation ? NEXT_STEP[`${operation}:${revert.errorName}`] : undefined;
    const detail = revert.details ? revert.details.charAt(0).toUpperCase() + revert.details.slice(1) + "." : undefined;
    return { headline: "The registry refuses this, so nothing was sent.", detail: [detail, next].filter(Boolean).join(" "), code: revert.errorName };
  }
  if (find(error, (e): e is Error => codeOf(e) === 4001 || (e instanceof Error && e.name === "UserRejectedRequestError"))) {
    return { headline: "You declined in your wallet. Nothing was sent.", declined: true };
  }
  if (find(error, (e): e is Error => e instanceof Error && e.name === "InsufficientFundsError")) {
    return { headline: "The account that pays has no funds for gas.", detail: "Fund it, connect a wallet that has funds, or sign the operation to a file and give it to a relayer." };
  }
  if (isSigil(error)) return { headline: error.shortMessage + ".", detail: error.details };
  if (isViem(error)) {
    const http = find(error, (e): e is ViemLike => isViem(e) && (e.name === "HttpRequestError" || e.name === "TimeoutError"));
    if (http) return { headline: "The RPC endpoint could not be reached.", detail: `${http.shortMessage.replace(/\.$/, "")}. Check the network settings (RPC URL) and that the node is running.` };
    return { headline: error.shortMessage, detail: error.details };
  }
  return { headline: error instanceof Error ? error.message : String(error) };
}

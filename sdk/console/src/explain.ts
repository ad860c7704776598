// Failures in plain words. The SDK explains its errors (every one is a SigilError: a code, a
// short message, details with what to do, and for the registry's refusal the contract's error
// name); the console adds only its wording and, for refusals a person meets on the way, the next
// step in this UI. Errors are read by their fields, not their classes, so the document's code
// loads none of the SDK (the page draws before it arrives). A wallet's own errors, met before
// the SDK is involved (connecting), are read as toSigilError reads them: 4001 is a decline.
type SigilLike = Error & { shortMessage: string; details?: string; code: string; errorName?: string };
const isSigil = (e: unknown): e is SigilLike =>
  e instanceof Error &&
  typeof (e as { shortMessage?: unknown }).shortMessage === "string" &&
  typeof (e as { code?: unknown }).code === "string";
/** viem's errors: a name, a short message, details. */
type ViemLike = Error & { shortMessage: string; details?: string };
const isViem = (e: unknown): e is ViemLike =>
  e instanceof Error && typeof (e as { shortMessage?: unknown }).shortMessage === "string" && !isSigil(e);

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
  "deactivate:SigilNextOwnerCommitted":
    "Deactivate with your next key instead: rotate to the zero address (0x0000000000000000000000000000000000000000) without a fresh next key.",
  "deactivate:SigilGuardedDeactivation":
    "Ask your guardians to recover the DID to the zero address, or rotate to it with a next key committed at least one delay ago.",
  "commitNextOwner:SigilNextOwnerCommitted": "A next key is already committed: rotate with it (it then commits to a fresh one).",
  "rotate:SigilNotNextOwner":
    "This next-key file is not the one this DID committed to (or it was used already): load the newest next-key file.",
};

function find<T>(error: unknown, match: (e: unknown) => e is T): T | undefined {
  let e: unknown = error;
  for (let i = 0; i < 12 && e; i++) {
    if (match(e)) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

const hasCode =
  (code: unknown) =>
  (e: unknown): e is Error =>
    e instanceof Error && (e as { code?: unknown }).code === code;
const named =
  (name: string) =>
  (e: unknown): e is Error =>
    e instanceof Error && e.name === name;

export function explain(error: unknown, operation?: string): Explained {
  const revert = find(
    error,
    (e): e is SigilLike & { errorName: string } => isSigil(e) && e.code === "registryRevert" && typeof e.errorName === "string",
  );
  if (revert) {
    const next = operation ? NEXT_STEP[`${operation}:${revert.errorName}`] : undefined;
    const detail = revert.details ? revert.details.charAt(0).toUpperCase() + revert.details.slice(1) + "." : undefined;
    return {
      headline: "The registry refuses this, so nothing was sent.",
      detail: [detail, next].filter(Boolean).join(" "),
      code: revert.errorName,
    };
  }
  if (find(error, (e): e is Error => hasCode("walletDeclined")(e) || hasCode(4001)(e) || named("UserRejectedRequestError")(e))) {
    return { headline: "You declined in your wallet. Nothing was sent.", declined: true };
  }
  if (find(error, (e): e is Error => hasCode("insufficientFunds")(e) || named("InsufficientFundsError")(e))) {
    return {
      headline: "The account that pays has no funds for gas.",
      detail: "Fund it, connect a wallet that has funds, or sign the operation to a file and give it to a relayer.",
    };
  }
  const http = find(error, (e): e is ViemLike => isViem(e) && (e.name === "HttpRequestError" || e.name === "TimeoutError"));
  if (http && (isViem(error) || named("RpcUnreachableError")(error))) {
    return {
      headline: "The RPC endpoint could not be reached.",
      detail: `${http.shortMessage.replace(/\.$/, "")}. Check the network settings (RPC URL) and that the node is running.`,
    };
  }
  // What the SDK could not name: the library's own words, as it said them.
  const unexpected = named("UnexpectedError")(error) ? (error as Error).cause : error;
  if (isSigil(unexpected)) return { headline: unexpected.shortMessage + ".", detail: unexpected.details };
  if (isViem(unexpected)) return { headline: unexpected.shortMessage, detail: unexpected.details };
  return { headline: unexpected instanceof Error ? unexpected.message : String(unexpected) };
}

// Typed errors of the SDK, in viem's style: a short message, details, an optional cause, and
// a `code` that is the DID Resolution error code where one applies, so the resolver can turn
// any of them into a resolution result without guessing.

export type ResolutionErrorCode =
  | "invalidDid"
  | "invalidDidUrl"
  | "invalidOptions"
  | "notFound"
  | "methodNotSupported"
  | "representationNotSupported"
  | "internalError";

export type SigilErrorCode = ResolutionErrorCode | "registryRevert" | "invalidInput";

export class SigilError extends Error {
  override name = "SigilError";
  readonly code: SigilErrorCode;
  readonly shortMessage: string;
  readonly details?: string;

  constructor(code: SigilErrorCode, shortMessage: string, options: { details?: string; cause?: unknown } = {}) {
    super(options.details ? `${shortMessage}: ${options.details}` : shortMessage, { cause: options.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = options.details;
  }
}

/** Inputs echoed in messages are cut to this length, so huge inputs make short messages. */
const ECHO_LIMIT = 120;
export const echo = (input: string) =>
  JSON.stringify(input.length > ECHO_LIMIT ? `${input.slice(0, ECHO_LIMIT)}…(${input.length} chars)` : input);

export class InvalidDidError extends SigilError {
  override name = "InvalidDidError";
  readonly reason: string;
  constructor(args: { input: string; reason: string }) {
    super("invalidDid", `invalid DID ${echo(args.input)}`, { details: args.reason });
    this.reason = args.reason;
  }
}

export class MethodNotSupportedError extends SigilError {
  override name = "MethodNotSupportedError";
  constructor(args: { method: string }) {
    super("methodNotSupported", `DID method ${echo(args.method)} is not supported`, {
      details: "this resolver handles did:sigil only; register another method's resolver for it",
    });
  }
}

export class UnknownNetworkError extends SigilError {
  override name = "UnknownNetworkError";
  constructor(args: { network: string; known: string }) {
    super("notFound", `no network ${echo(args.network)} is configured`, {
      details: `configured networks: ${args.known}; add it to the resolver's networks (chain id, registry, RPC URLs)`,
    });
  }
}

export class InvalidResolutionOptionError extends SigilError {
  override name = "InvalidResolutionOptionError";
  constructor(args: { option: string; value: string; expected: string }) {
    super("invalidOptions", `invalid ${args.option} ${echo(args.value)}`, { details: `expected ${args.expected}` });
  }
}

export class RepresentationNotSupportedError extends SigilError {
  override name = "RepresentationNotSupportedError";
  constructor(args: { accept: string; supported: readonly string[] }) {
    super("representationNotSupported", `representation ${echo(args.accept)} is not supported`, {
      details: `ask for one of ${args.supported.join(", ")}`,
    });
  }
}

/** The chain could not be read (every endpoint failed, timed out, or answered wrongly). */
export class InternalError extends SigilError {
  override name = "InternalError";
  constructor(args: { details?: string; cause?: unknown }) {
    super("internalError", "could not read the registry", {
      details: args.details ?? `${describeCause(args.cause)}; check that an RPC endpoint is reachable`,
      cause: args.cause,
    });
  }
}

/** The outermost short message and the root cause's, e.g. "HTTP request failed (ECONNREFUSED)". */
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return "unknown failure";
  const short = (cause as { shortMessage?: string }).shortMessage ?? cause.message;
  let root: unknown = cause;
  while (root instanceof Error && root.cause instanceof Error) root = root.cause;
  const rootMessage = root instanceof Error ? ((root as { shortMessage?: string }).shortMessage ?? root.message) : "";
  return rootMessage && rootMessage !== short ? `${short} (${rootMessage.split("\n")[0]})` : short;
}

/** The registry refused an operation; `errorName` is the contract's custom error or revert reason. */
export class RegistryRevertError extends SigilError {
  override name = "RegistryRevertError";
  readonly errorName: string;
  readonly args: readonly unknown[];
  constructor(args: { operation: string; errorName: string; args: readonly unknown[]; cause?: unknown }) {
    super("registryRevert", `the registry refused ${args.operation}: ${args.errorName}`, {
      details: explainRevert(args.errorName),
      cause: args.cause,
    });
    this.errorName = args.errorName;
    this.args = args.args;
  }
}

const REVERT_HINTS: Record<string, string> = {
  bad_actor: "the sender does not control this identity; send from its controller's key",
  bad_signature: "the signature is not the controller's for this call and nonce",
  SigilIdentityDeactivated: "the identity is deactivated, which is final",
  SigilNextOwnerCommitted: "the identity committed to a next key; only that key can change the controller, by rotating",
  SigilNoNextOwnerCommitted: "the identity has no pre-committed next key to rotate to; commit one first",
  SigilNotNextOwner: "this key is not the one the identity committed to",
  SigilInvalidCommitment: "a commitment must be a non-zero hash (commitmentOf(nextKey))",
  SigilInvalidSignature: "the EIP-712 signature does not match the signer, nonce, chain or registry",
  SigilExpiredSignature: "the signed operation's deadline has passed; sign it again",
};

function explainRevert(errorName: string): string {
  return REVERT_HINTS[errorName] ?? "see the contract's NatSpec for this error";
}

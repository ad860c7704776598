// Typed errors of the SDK, in viem's style: a short message, details, an optional cause, and
// a `code` that is the DID Resolution error code where one applies, so the resolver can turn
// any of them into a resolution result without guessing. Messages are one line (the CLI and
// the HTTP driver print them as is) and echo user input only truncated and escaped. Every error
// the SDK throws is a SigilError (one root): what viem or a wallet throws is wrapped at the
// public boundary by toSigilError, keeping it as `cause`. The explanation lives here, once:
// the CLI adds exit codes, the console its wording.

/** Error codes of the DID Resolution spec that Sigil can end in. */
export type ResolutionErrorCode =
  | "invalidDid"
  | "invalidDidUrl"
  | "invalidOptions"
  | "notFound"
  | "methodNotSupported"
  | "representationNotSupported"
  | "featureNotSupported"
  | "invalidVerificationMethod"
  | "invalidRelationshipForVerificationMethod"
  | "internalError";

/** Resolution codes plus Sigil's own, for failures outside resolution. */
export type SigilErrorCode =
  ResolutionErrorCode | "registryRevert" | "invalidInput" | "messageRefused" | "walletDeclined" | "insufficientFunds";

export class SigilError extends Error {
  override name = "SigilError";
  readonly code: SigilErrorCode;
  /** The message without details, e.g. for a UI headline. */
  readonly shortMessage: string;
  /** What exactly was wrong and what to do about it. */
  readonly details?: string;
  /** What to do about it, when the SDK knows (the end of `details` says it too). */
  readonly hint?: string;
  // `cause` is Error's own (ES2022): declaring it here would reset it after super().

  constructor(code: SigilErrorCode, shortMessage: string, options: { details?: string; cause?: unknown; hint?: string } = {}) {
    super(options.details ? `${shortMessage}: ${options.details}` : shortMessage, { cause: options.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = options.details;
    this.hint = options.hint;
  }
}

/** Inputs echoed in messages are cut to this many characters. */
const ECHO_LIMIT = 120;

// Control, format (bidi overrides, zero-width), separator and lone-surrogate characters would
// let an input rewrite the terminal line or log it is printed to, so they are shown escaped.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
const escapeUnprintable = (s: string) => s.replace(UNPRINTABLE, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);

/** A quoted, escaped, truncated copy of user input, so a 1 MB input makes a short message. */
export function echo(input: string, limit = ECHO_LIMIT): string {
  const shown = input.length > limit ? `${input.slice(0, limit)}…(${input.length} chars)` : input;
  return `"${escapeUnprintable(shown.replaceAll("\\", "\\\\").replaceAll('"', '\\"'))}"`;
}

/** The part of a DID URL an InvalidDidError is about. */
export type DidPart =
  | "input" // the whole string: not a string, empty, too long
  | "scheme" // the leading "did:"
  | "method"
  | "id" // the method-specific id as a whole: how many ':'-separated parts
  | "network"
  | "address"
  | "path"
  | "query"
  | "fragment";

export class InvalidDidError extends SigilError {
  override name = "InvalidDidError";
  /** What is wrong and what to do, without the echoed input. */
  readonly reason: string;
  readonly part: DidPart;
  constructor(args: { input: string; reason: string; part?: DidPart }) {
    super("invalidDid", `invalid DID ${echo(args.input)}`, { details: args.reason });
    this.reason = args.reason;
    this.part = args.part ?? "input";
  }
}

export class MethodNotSupportedError extends SigilError {
  override name = "MethodNotSupportedError";
  readonly method: string;
  constructor(args: { method: string }) {
    const hint = "resolve other methods with their own did-resolver plugin";
    super("methodNotSupported", `DID method ${echo(args.method, 40)} is not supported`, { details: `expected "sigil"; ${hint}`, hint });
    this.method = args.method;
  }
}

export class UnknownNetworkError extends SigilError {
  override name = "UnknownNetworkError";
  readonly network: string;
  constructor(args: { network: string; known: string | readonly string[] }) {
    const known = typeof args.known === "string" ? args.known : args.known.join(", ") || "none";
    const hint = "add it to the resolver's networks (chain id, registry, RPC URLs)";
    super("notFound", `no network ${echo(args.network, 40)} is configured`, { details: `configured networks: ${known}; ${hint}`, hint });
    this.network = args.network;
  }
}

/** A bad `versionId`/`versionTime` or other resolution option. */
export class InvalidResolutionOptionError extends SigilError {
  override name = "InvalidResolutionOptionError";
  readonly option: string;
  constructor(args: { option: string; value: string; expected: string }) {
    super("invalidOptions", `invalid ${args.option} ${echo(args.value, 60)}`, { details: `expected ${args.expected}` });
    this.option = args.option;
  }
}

export class RepresentationNotSupportedError extends SigilError {
  override name = "RepresentationNotSupportedError";
  constructor(args: { accept: string; supported: readonly string[] }) {
    const hint = `ask for one of ${args.supported.join(", ")}`;
    super("representationNotSupported", `representation ${echo(args.accept, 60)} is not supported`, { details: hint, hint });
  }
}

/** A resolution or dereferencing option, DID parameter or feature this resolver does not offer (DID Resolution: FEATURE_NOT_SUPPORTED). */
export class FeatureNotSupportedError extends SigilError {
  override name = "FeatureNotSupportedError";
  readonly feature: string;
  constructor(args: { feature: string; details: string }) {
    super("featureNotSupported", `${args.feature} is not supported`, { details: args.details });
    this.feature = args.feature;
  }
}

const REACH_HINT = "check that an RPC endpoint is reachable";

/** The chain could not be read (every endpoint failed, timed out, or answered wrongly). */
export class InternalError extends SigilError {
  override name = "InternalError";
  constructor(args: { details?: string; cause?: unknown; hint?: string }) {
    super("internalError", "could not read the registry", {
      details: args.details ?? `${describeCause(args.cause)}; ${REACH_HINT}`,
      cause: args.cause,
      hint: args.hint ?? (args.details ? undefined : REACH_HINT),
    });
  }
}

/** Which check an endpoint's answers failed (sdk/core/src/read/consistency.ts). */
export type ConsistencyCheck =
  | "logAddress"
  | "logRange"
  | "logTopic"
  | "changed"
  | "owner"
  | "deactivated"
  | "epoch"
  | "commitment"
  | "firstChange"
  | "blockTime"
  | "header"
  | "head";

/** An endpoint's answers contradict the question or each other (DID Resolution `internalError`):
 * refused rather than shown as a document built from part of them. */
export class InconsistentAnswerError extends SigilError {
  override name = "InconsistentAnswerError";
  readonly check: ConsistencyCheck;
  constructor(check: ConsistencyCheck, details: string) {
    const hint = "use another endpoint, or ask two at once (the network's compare: 2)";
    super("internalError", "the RPC endpoint's answers do not add up", {
      details: `${details}; it is faulty or lying, so nothing it said is used: ${hint}`,
      hint,
    });
    this.check = check;
  }
}

/** What one endpoint answered, as EndpointDisagreementError shows it. */
export interface EndpointAnswer {
  /** Host only: URLs often carry API keys. */
  host: string;
  /** The answer at the first point of disagreement (a value, or "refused: <message>"). */
  says: string;
}

/** Endpoints asked the same question (a network's `compare`) answered differently: refused, with
 * who said what, never settled by picking one (DID Resolution `internalError`). */
export class EndpointDisagreementError extends SigilError {
  override name = "EndpointDisagreementError";
  readonly did: string;
  /** Where the answers first differ (a path in the resolution result). */
  readonly at: string;
  readonly answers: readonly EndpointAnswer[];
  constructor(args: { did: string; at: string; answers: readonly EndpointAnswer[] }) {
    const said = args.answers.map((a) => `${a.host} says ${a.says}`).join("; ");
    const hint = "retry, and if it persists stop using the one that is wrong";
    super("internalError", `the RPC endpoints disagree about ${echo(args.did, 90)}`, {
      details: `at ${args.at}: ${said}; one of them is wrong, lying or behind, so neither is used: ${hint}`,
      hint,
    });
    this.did = args.did;
    this.at = args.at;
    this.answers = args.answers;
  }
}

/** Every RPC endpoint of a network failed, after failover; `cause` is the last failure. */
export class RpcError extends InternalError {
  override name = "RpcError";
  /** Hosts only: RPC URLs often carry API keys in their path or query. */
  readonly hosts: readonly string[];
  constructor(args: { urls: readonly string[]; cause: unknown }) {
    const hosts = args.urls.map(hostOf);
    const tried =
      hosts.length === 1 ? `the RPC endpoint ${hosts[0]} failed` : `all ${hosts.length} RPC endpoints failed (${hosts.join(", ")})`;
    super({ details: `${tried}: ${describeCause(args.cause)}; ${REACH_HINT}`, cause: args.cause, hint: REACH_HINT });
    this.hosts = hosts;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host || "(no host)";
  } catch {
    return "(invalid URL)";
  }
}

/** The outermost short message and the root cause's, e.g. "HTTP request failed (ECONNREFUSED)". */
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return "unknown failure";
  const short = (cause as { shortMessage?: string }).shortMessage ?? cause.message;
  let root: unknown = cause;
  for (let depth = 0; depth < 16 && root instanceof Error && root.cause instanceof Error; depth++) root = root.cause;
  const rootMessage = root instanceof Error ? ((root as { shortMessage?: string }).shortMessage ?? root.message) : "";
  const line = (s: string) => s.split("\n")[0];
  return rootMessage && rootMessage !== short ? `${line(short)} (${line(rootMessage)})` : line(short);
}

/** A value given to the SDK (an address, a threshold, a key) is not what the operation needs. */
export class InvalidInputError extends SigilError {
  override name = "InvalidInputError";
  readonly what: string;
  constructor(args: { what: string; value: string; expected: string }) {
    super("invalidInput", `invalid ${args.what} ${echo(args.value, 80)}`, { details: `expected ${args.expected}` });
    this.what = args.what;
  }
}

/** Why a message could not be encrypted or decrypted, for the app to show. */
export type MessageRefusal =
  | "noKeyAgreementKey" // the recipient's DID lists no X25519 key-agreement key
  | "unknownKey" // a chosen key is not among the recipient's key-agreement keys
  | "wrongSenderKey" // the sender's key is not its DID's key-agreement key (with that secret)
  | "deactivated" // the DID is deactivated
  | "unresolvable" // the DID could not be resolved
  | "invalid" // not a JWE (or not one Sigil reads)
  | "notForYou" // encrypted to other keys than this DID's current key-agreement keys
  | "unsupportedAlgorithm" // a well-formed message in an algorithm Sigil does not implement (not tampering)
  | "tampered" // altered in transit (or a wrong secret key): the authentication tag does not match
  | "unauthorisedSender" // the key the sender claims is not its DID's key-agreement key at receipt
  | "unverifiedChange"; // the contact's keys changed since the user confirmed them

export class MessageError extends SigilError {
  override name = "MessageError";
  readonly refusal: MessageRefusal;
  constructor(refusal: MessageRefusal, shortMessage: string, details?: string) {
    super("messageRefused", shortMessage, { details });
    this.refusal = refusal;
  }
}

/** The registry refused an operation; `errorName` is the contract's custom error or revert reason. */
export class RegistryRevertError extends SigilError {
  override name = "RegistryRevertError";
  readonly errorName: string;
  readonly args: readonly unknown[];
  constructor(args: { operation: string; errorName: string; args: readonly unknown[]; cause?: unknown }) {
    const hint = explainRevert(args.errorName);
    super("registryRevert", `the registry refused ${args.operation}: ${args.errorName}`, { details: hint, cause: args.cause, hint });
    this.errorName = args.errorName;
    this.args = args.args;
  }
}

/** No SigilRegistry at the target: no code there, or a mined transaction left no registry event. */
export class NoRegistryError extends SigilError {
  override name = "NoRegistryError";
  constructor(args: { operation: string; registry: string; chainId?: number; hash?: string }) {
    super(
      "registryRevert",
      args.hash
        ? `${args.operation} changed nothing`
        : `no SigilRegistry at ${args.registry}${args.chainId ? ` on chain ${args.chainId}` : ""}`,
      {
        details: args.hash
          ? `transaction ${args.hash} was mined but the registry at ${args.registry} emitted no event; check the network and registry address`
          : "nothing was sent; check the network (was the chain reset?) and the registry address, or deploy it",
        hint: args.hash
          ? "check the network and registry address"
          : "check the network (was the chain reset?) and the registry address, or deploy it",
      },
    );
  }
}

const REVERT_HINTS: Record<string, string> = {
  bad_actor: "the sender does not control this identity; send from its controller's key",
  bad_signature: "the signature is not the controller's for this call and nonce",
  SigilIdentityDeactivated: "the identity is deactivated, which is final",
  SigilNextOwnerCommitted: "the identity committed to a next key; only that key can change the controller, by rotating",
  SigilNoNextOwnerCommitted: "the identity has no pre-committed next key to rotate to; commit one first",
  SigilNotNextOwner: "this key and salt do not match the identity's commitment (check the next-key file)",
  SigilNextKeyIsController: "the committed key is the current controller, so it protects nothing; the guardians can set a new commitment",
  SigilInvalidCommitment: "a commitment must be a non-zero salted hash, other than the one being used now; generate a fresh next key",
  SigilInvalidSignature:
    "the EIP-712 signature does not match the signer, nonce, chain or registry (an operation can be relayed once: sign it again)",
  SigilExpiredSignature: "the signed operation's deadline has passed; sign it again",
  SigilLegacyDeactivation:
    "deactivation is final, so it needs a chain-bound authorisation: send it directly or as EIP-712 (not ERC-1056's legacy signature)",
  SigilGuardedDeactivation: "the identity has guardians: deactivate through them (a recovery to the zero address) or with the next key",
  SigilNoGuardians: "the identity has no guardians",
  SigilNotGuardian: "this address, salt and proof are not in the identity's guardian set (check the guardian card)",
  SigilInvalidGuardianPolicy: "a guardian set needs 1-255 approvals and a delay from 1 hour to 365 days",
  SigilNoGuardianChange: "no guardian change is pending",
  SigilGuardianChangeNotReady: "the guardian change takes effect later; try again after its effective time",
  SigilRecoveryPending:
    "a recovery by the guardians is pending: it finishes after its delay unless a next key committed long enough before it cancels it",
  SigilNoRecoveryPending: "no recovery is pending (or it is not the one given)",
  SigilRecoveryNotReady: "the recovery's delay has not passed yet; finalise it after its ready time",
  SigilAlreadyApproved: "this guardian already approved this recovery",
  SigilSignatureUsed: "this signed approval was already counted; the guardian must sign a new one",
  SigilInvalidRecovery: "a recovery that deactivates cannot commit to a next key",
  SigilCommitmentNotSenior: "the next key was committed too recently to overrule the guardians' recovery",
};

// Object.hasOwn: an errorName like "constructor" must not pick up Object.prototype's members.
function explainRevert(errorName: string): string {
  return Object.hasOwn(REVERT_HINTS, errorName) ? REVERT_HINTS[errorName] : "see the contract's NatSpec for this error";
}

/** The person declined in their wallet: a refusal, not a failure. */
export class WalletDeclinedError extends SigilError {
  override name = "WalletDeclinedError";
  constructor(args: { cause?: unknown } = {}) {
    super("walletDeclined", "the request was declined in the wallet", {
      details: "nothing was sent",
      cause: args.cause,
      hint: "nothing was sent; approve it in the wallet to go ahead",
    });
  }
}

/** The account that pays for a transaction cannot cover its gas. The message keeps the node's
 * words ("insufficient funds"), which relayers and logs look for. */
export class NoFundsError extends SigilError {
  override name = "NoFundsError";
  constructor(args: { cause?: unknown } = {}) {
    const hint = "fund it, or sign the operation to a file and give it to a relayer";
    super("insufficientFunds", "insufficient funds for gas", {
      details: `the account that pays has no funds for this transaction; ${hint}`,
      cause: args.cause,
      hint,
    });
  }
}

/** The RPC endpoint (a node, or a wallet's) could not be reached or did not answer in time. */
export class RpcUnreachableError extends SigilError {
  override name = "RpcUnreachableError";
  constructor(args: { cause: unknown }) {
    const hint = "check the network settings (RPC URL) and that the node is running";
    super("internalError", "the RPC endpoint could not be reached", {
      details: `${describeCause(args.cause)}; ${hint}`,
      cause: args.cause,
      hint,
    });
  }
}

/** A failure the SDK has no words for (a bug, or a library's error it does not know): kept whole as `cause`. */
export class UnexpectedError extends SigilError {
  override name = "UnexpectedError";
  constructor(args: { cause: unknown }) {
    super("internalError", firstLine(args.cause), { cause: args.cause });
  }
}

const firstLine = (error: unknown) =>
  (error instanceof Error ? ((error as { shortMessage?: string }).shortMessage ?? error.message) : String(error)).split("\n")[0];

/** The first error in `error`'s cause chain that `match` accepts. */
function findCause(error: unknown, match: (e: unknown) => boolean): unknown {
  let e: unknown = error;
  for (let depth = 0; depth < 16 && e; depth++, e = (e as { cause?: unknown }).cause) if (match(e)) return e;
  return undefined;
}

const UNREACHABLE = /fetch failed|ECONNREFUSED|HTTP request failed|timed out|took too long/i;

/** Any error as a SigilError with its code and hint: a SigilError in the cause chain as it is;
 * a declined wallet request, missing gas funds or an unreachable endpoint (viem's errors, a
 * wallet's EIP-1193 4001) in their own classes; anything else as UnexpectedError. The original
 * is kept as `cause`. */
export function toSigilError(error: unknown): SigilError {
  if (error instanceof SigilError) return error;
  const sigil = findCause(error, (e) => e instanceof SigilError);
  if (sigil) return sigil as SigilError;
  const named = (name: string) => (e: unknown) => e instanceof Error && e.name === name;
  if (findCause(error, (e) => (e as { code?: unknown }).code === 4001 || named("UserRejectedRequestError")(e)))
    return new WalletDeclinedError({ cause: error });
  if (findCause(error, named("InsufficientFundsError"))) return new NoFundsError({ cause: error });
  if (findCause(error, (e) => named("HttpRequestError")(e) || named("TimeoutError")(e)) || UNREACHABLE.test(firstLine(error)))
    return new RpcUnreachableError({ cause: error });
  return new UnexpectedError({ cause: error });
}

/** The fact a ProofError is about (sdk/core/src/read/header.ts, proof.ts, trust.ts). */
export type ProofFact =
  | "header" // the block is missing, or a field of it is malformed
  | "blockHash" // the fields do not hash to the hash claimed or expected
  | "blockNumber" // another block than the one asked
  | "parentHash" // a header does not link to the verified one before it
  | "checkpoint" // the checkpoint is further behind the head than the policy walks
  | "address" // an eth_getProof answer for another account than asked
  | "slot" // an eth_getProof answer for other storage slots than asked
  | "accountProof" // the account proof does not lead from the header's stateRoot
  | "account" // the account fields claimed differ from the proven ones
  | "storageProof" // a storage proof does not lead from the account's storageHash
  | "value" // a storage value claimed differs from the proven one
  | "registry" // no contract at the registry's address in the proven state
  | "events" // the logs do not reproduce the proven event-chain head (registry 2.2)
  | "guardians"; // the guardian events disagree with the proven guardian and recovery state

/** What an RPC endpoint said does not check against a block header the app trusts (or the header
 * itself does not check): nothing it said is used (DID Resolution `internalError`). */
export class ProofError extends SigilError {
  override name = "ProofError";
  readonly what: ProofFact;
  constructor(what: ProofFact, details: string, options: { hint?: string; shortMessage?: string; cause?: unknown } = {}) {
    const hint = options.hint ?? "the endpoint is faulty or lying: use another endpoint";
    const short = options.shortMessage ?? `the RPC endpoint's ${what} does not check`;
    super("internalError", short, { details: `${details}; ${hint}`, hint, cause: options.cause });
    this.what = what;
  }
}

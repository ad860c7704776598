// The CLI's exit codes (documented in the README), its usage/refusal error, and how any failure
// ends a command: the SDK explains the error (toSigilError: code, message, hint); the CLI adds
// only what is its own, the exit code and the flags to try.
import { NoRegistryError, RpcUnreachableError, SigilError, toSigilError, UnexpectedError } from "sigil-did";

export const EXIT = { ok: 0, refused: 1, usage: 2, network: 3 } as const;

export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.usage) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** The exit code an SDK error ends a command with. */
export function exitCodeOf(error: SigilError): number {
  // No registry at the address: the network is unusable as configured (as for resolve): 3.
  if (error instanceof NoRegistryError && error.message.startsWith("no SigilRegistry")) return EXIT.network;
  switch (error.code) {
    case "registryRevert":
    case "messageRefused":
    case "walletDeclined":
    case "insufficientFunds":
      return EXIT.refused;
    case "internalError":
      // A failure the SDK has no words for is reported as a refusal, as it always was.
      return error instanceof UnexpectedError ? EXIT.refused : EXIT.network;
    default:
      return EXIT.usage;
  }
}

const firstLine = (error: unknown) =>
  (error instanceof Error ? ((error as { shortMessage?: string }).shortMessage ?? error.message) : String(error)).split("\n")[0];

/** One line for the user and the exit code for any error a command can end in. */
export function describeFailure(error: unknown): { line: string; code: number } {
  if (error instanceof CliError) return { line: error.message, code: error.exitCode };
  const failure = toSigilError(error);
  const code = exitCodeOf(failure);
  if (failure instanceof RpcUnreachableError)
    return { line: `cannot reach the RPC endpoint: ${firstLine(failure.cause)}; is the node running? (--rpc)`, code };
  if (failure instanceof UnexpectedError) return { line: failure.shortMessage, code };
  return { line: failure.message, code };
}

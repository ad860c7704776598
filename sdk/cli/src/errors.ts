// The CLI's exit codes (documented in the README) and its usage/refusal error.
export const EXIT = { ok: 0, refused: 1, usage: 2, network: 3 } as const;

export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.usage) {
    super(message);
    this.exitCode = exitCode;
  }
}

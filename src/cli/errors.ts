/**
 * The CLI's two kinds of failure, each with its exit code: a command line the CLI cannot act on
 * (`UsageError`, exit 2, with a pointer to the command's --help), and a command that ran and
 * failed (`CommandFailure`, exit 1: a missing or corrupt log, a module without `setup`, a task
 * that threw). main.ts prints either as one line; anything else is a bug and shows its stack.
 */

export const exitCode = { ok: 0, failure: 1, usage: 2 } as const;

export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** The command whose --help the hint points to (undefined: the top level). */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

/** `cause`: the error it reports (a task's, the reader's), whose stack --debug shows. */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';
}

/** The message of anything thrown, on one line (a task's error may span several). */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

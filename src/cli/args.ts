/**
 * Command-line parsing over `node:util` `parseArgs` (strict): its errors become `UsageError`s
 * that name the command, and numeric options are checked here, once, with their bounds.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes. */
export const commonOptions = {
  help: { type: 'boolean', short: 'h' },
  debug: { type: 'boolean' },
} as const satisfies Options;

export interface ParsedCommand<T extends Options> {
  readonly values: ReturnType<typeof parseArgs<{ options: T; allowPositionals: true }>>['values'];
  readonly positionals: readonly string[];
}

export function parseCommand<T extends Options>(
  command: string,
  args: readonly string[],
  options: T,
): ParsedCommand<T> {
  try {
    const parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { values: parsed.values, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError(parseErrorMessage(error), command);
  }
}

/**
 * parseArgs' messages are long and end with advice for the programmer (`To specify a
 * positional argument starting with a '-', place it at the end of the command after '--'`):
 * keep the first sentence.
 */
function parseErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstSentence = /^[^.]*\S(?=\.\s|\.$)/.exec(message)?.[0] ?? message;
  const missingValue = /^Option '(?:-\w, )?(-[^ ',]+)[^']*' argument missing$/.exec(firstSentence);
  if (missingValue !== null) return `option '${missingValue[1] ?? ''}' needs a value`;
  return firstSentence.charAt(0).toLowerCase() + firstSentence.slice(1);
}

/** The value of a whole-number option within [min, max], or `fallback` when absent. */
export function integerOption(
  command: string,
  name: string,
  text: string | undefined,
  bounds: { readonly min: number; readonly max: number; readonly fallback: number },
): number {
  if (text === undefined) return bounds.fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < bounds.min || value > bounds.max) {
    throw new UsageError(
      `--${name} must be a whole number from ${String(bounds.min)} to ${String(bounds.max)} ` +
        `(got '${text}')`,
      command,
    );
  }
  return value;
}

/** Exactly one positional argument, named `what` in the message when absent or doubled. */
export function onePositional(
  command: string,
  what: string,
  positionals: readonly string[],
): string {
  const [first, second] = positionals;
  if (first === undefined) throw new UsageError(`${command} needs ${what}`, command);
  if (second !== undefined) throw new UsageError(`unexpected argument '${second}'`, command);
  return first;
}

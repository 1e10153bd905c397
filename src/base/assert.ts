/**
 * Invariant checks. A failed `assert` is a bug in this library (STYLE.md §3), never a user error:
 * it throws `BugError` with a `BUG:` message so that it is never mistaken for an operating error.
 */
import { BugError } from './errors.js';

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new BugError(message);
}

/** Marks a branch the type system proves unreachable; reaching it at run time is a bug. */
export function unreachable(what: never): never {
  throw new BugError(`unreachable: ${String(what)}`);
}

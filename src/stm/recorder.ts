/**
 * The engine's side of the conflict log (decision 0016): what a recorder is told, and the site
 * request word it answers. The recorder itself (stacks, records, the log) lives in diagnostics/;
 * the engine calls it only when one is set, so recording off costs one field test per attempt.
 */
import type { AbortKind, ConflictEvent } from './stats.js';

/** Told of this worker's attempts and conflicts (diagnostics/ implements it). */
export interface TxRecorder {
  /** An attempt starts (`rerun`: not the transaction's first). */
  attemptStarted(rerun: boolean): void;
  /**
   * The attempt is about to fail (abort signal thrown from where it met the conflict): the one
   * moment the user's line that touched the word is still on the stack.
   */
  failing(kind: AbortKind): void;
  /** A conflict of this worker's attempt: an abort (after `failing`), or a wait that ended. */
  conflict(event: ConflictEvent): void;
  /** The attempt ended, committed or not (after any `conflict` of it). */
  attemptEnded(committed: boolean): void;
}

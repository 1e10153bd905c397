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
   * moment the user's line that touched the word is still on the stack (`tword`: the word, 0 for
   * none).
   */
  failing(kind: AbortKind, tword: number): void;
  /**
   * The attempt is about to wait for another transaction, on a word it holds no lock of yet: the
   * moment to look at the stack (the user's line is on it) without making anyone wait longer.
   */
  meeting(tword: number): void;
  /**
   * A wait on another transaction ended (`tword`: the word, 0 for none; `otherSlot`: its worker,
   * -1 if unknown). The attempt may hold locks now, the one waited for among them: keep it short.
   */
  waited(tword: number, lostMs: number, otherSlot: number): void;
  /** An abort of this worker's attempt, after `failing`, once its locks are released. */
  conflict(event: ConflictEvent): void;
  /** The attempt ended, committed or not (after any `conflict` of it). */
  attemptEnded(committed: boolean): void;
}

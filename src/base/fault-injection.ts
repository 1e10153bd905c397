/**
 * Test-only crash points (STYLE.md §11). Slow paths that must survive a worker dying in the middle
 * call `crashPoint(name)`; a test worker arms `faults.atCrashPoint` to exit, throw or hang there.
 * Unarmed, a crash point costs one property load and one comparison, and none sits on a fast path.
 */

/** The crash points of a transaction's commit, in the order a commit passes them. */
export const commitCrashPoints = [
  'commit.beforeIntents',
  'commit.midIntents',
  'commit.afterIntents',
  'commit.beforeDecision',
  'commit.afterDecision',
  'commit.midWriteBack',
] as const;

/**
 * Taking a cell's write lock: the lock CAS has succeeded but the attempt has no write-set entry
 * for it yet (its status alone makes the lock live); and a writer that slept on another attempt's
 * lock (its contended bit set there), before it looks again. `lock.afterCas` is on the contended
 * path's CAS, not the uncontended one in `lockCell`, which is hot: there it measured −2…+9 % on
 * a four-cell write (mean +3.5 %, 8 runs; ±6 % between two identical copies), not clearly
 * nothing. What a death leaves is the same after either CAS: the lock word and an active status
 * (the missing entry is this worker's own memory).
 */
export const lockCrashPoints = ['lock.afterCas', 'lock.contended'] as const;

/**
 * Becoming inevitable: the token taken, the status still active; then the status inevitable and
 * the token held (from here only the recovery of a dead worker aborts the attempt).
 */
export const inevitableCrashPoints = ['inevitable.afterToken', 'inevitable.holding'] as const;

/** `retry`: watcher bits set on the cells read, not yet asleep; woken, the bits not yet cleared. */
export const retryCrashPoints = ['retry.watching', 'retry.woken'] as const;

/**
 * Finishing another worker's transaction: a helper between the two CASes of one cell's
 * write-back (version moved, value still the intent); a recoverer of a dead worker's attempt with
 * every intent resolved but the status not yet committed and the log not yet retired.
 */
export const helpCrashPoints = ['help.midWriteBack', 'recover.midTransaction'] as const;

/** Every crash point of a transaction, on the path of its owner or of whoever finishes it. */
export type TxCrashPointName =
  | (typeof commitCrashPoints)[number]
  | (typeof lockCrashPoints)[number]
  | (typeof inevitableCrashPoints)[number]
  | (typeof retryCrashPoints)[number]
  | (typeof helpCrashPoints)[number];

/**
 * What a death at each transaction crash point must leave of the transaction it interrupts, by
 * the side of that transaction's linearisation point (the decision, CAS active → committing) the
 * point lies on: 'before' — nothing of it (it is aborted, by its owner or by anyone after the
 * owner's death); 'after' — all of it, exactly once (anyone finishes it). A helper finishes only
 * decided attempts, so `help.midWriteBack` is 'after' for the attempt helped (the helper's own
 * transaction, if it has one, is before its own decision). 'owner': the point is in the recovery
 * of a dead owner's attempt, which may be on either side: the owner's last crash point tells.
 */
export const txCrashPointSide: Readonly<Record<TxCrashPointName, 'before' | 'after' | 'owner'>> = {
  'commit.beforeIntents': 'before',
  'commit.midIntents': 'before',
  'commit.afterIntents': 'before',
  'commit.beforeDecision': 'before',
  'commit.afterDecision': 'after',
  'commit.midWriteBack': 'after',
  'lock.afterCas': 'before',
  'lock.contended': 'before',
  'inevitable.afterToken': 'before',
  'inevitable.holding': 'before',
  'retry.watching': 'before',
  'retry.woken': 'before',
  'help.midWriteBack': 'after',
  'recover.midTransaction': 'owner',
};

export type CrashPointName =
  | 'retire.bagFull'
  | 'reclaim.afterAdopt'
  | 'reclaim.afterUnlink'
  | 'reclaim.midBag'
  | 'leave.beforeOrphan'
  | 'recover.afterZombie'
  | 'recover.afterOrphan'
  | TxCrashPointName;

export const faults: { atCrashPoint: ((name: CrashPointName) => void) | undefined } = {
  atCrashPoint: undefined,
};

export function crashPoint(name: CrashPointName): void {
  if (faults.atCrashPoint !== undefined) faults.atCrashPoint(name);
}

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

/** Every crash point of a transaction, on the path of its owner or of whoever finishes it. */
export type TxCrashPointName = (typeof commitCrashPoints)[number];

/**
 * What a death at each transaction crash point must leave of the transaction it interrupts, by
 * the side of that transaction's linearisation point (the decision, CAS active → committing) the
 * point lies on: 'before' — nothing of it (it is aborted, by its owner or by anyone after the
 * owner's death); 'after' — all of it, exactly once (anyone finishes it).
 */
export const txCrashPointSide: Readonly<Record<TxCrashPointName, 'before' | 'after'>> = {
  'commit.beforeIntents': 'before',
  'commit.midIntents': 'before',
  'commit.afterIntents': 'before',
  'commit.beforeDecision': 'before',
  'commit.afterDecision': 'after',
  'commit.midWriteBack': 'after',
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

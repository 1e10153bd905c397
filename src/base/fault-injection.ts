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

export type CrashPointName =
  | 'retire.bagFull'
  | 'reclaim.afterAdopt'
  | 'reclaim.afterUnlink'
  | 'reclaim.midBag'
  | 'leave.beforeOrphan'
  | 'recover.afterZombie'
  | 'recover.afterOrphan'
  | (typeof commitCrashPoints)[number];

export const faults: { atCrashPoint: ((name: CrashPointName) => void) | undefined } = {
  atCrashPoint: undefined,
};

export function crashPoint(name: CrashPointName): void {
  if (faults.atCrashPoint !== undefined) faults.atCrashPoint(name);
}

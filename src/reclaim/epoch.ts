/**
 * Reclamation time. QSBR (CPython's free-threaded build) with DEBRA+-style neutralisation.
 *
 * The heap header holds the global epoch `G` (even, never 0, +2 per advance, wrapping; compared
 * with wrap-safe differences). Each worker slot holds `observed`: 0 while the worker is offline
 * (not inside the library: in its event loop or blocked in a library wait), 1 once neutralised,
 * otherwise the last value of `G` the worker saw at a quiescent point.
 *
 * The quiescent points are the starts of library operations: between two operations a worker
 * holds no reference into shared memory (decoded values are copies), so at each operation start it
 * reports `G` — one atomic load, and a store only when `G` changed. No read-modify-write on a
 * shared word on this path. A worker goes online at its first operation and offline in a
 * microtask, i.e. as soon as it returns to its event loop.
 *
 * Invariant: a block retired while `G == g` is freed only once every online, non-neutralised
 * worker has `observed` at or after `next(g)`. Such a worker read `G` after `G` left `g`, which is
 * after the retirer read `g`, which is after the block was unlinked; its current operation started
 * after that report, so it cannot reach the block. Offline workers hold nothing.
 *
 * Neutralisation: a worker that stays online with an old `observed` for longer than the heap's
 * stall bound is neutralised by a reclaimer (CAS `observed` v→1), which then stops waiting for it.
 * The worker checks `observed` at the end of each operation that read shared memory; if it finds
 * it changed, it rejoins and redoes the operation, discarding what it read. Linearisation point of
 * neutralisation: the CAS.
 */

export const epochFirst = 2;
export const observedOffline = 0;
export const observedNeutralised = 1;

export const nextEpoch = (epoch: number): number => {
  const next = (epoch + 2) | 0;
  return next === 0 ? epochFirst : next;
};

/** Wrap-safe `a ≥ b` for epochs less than 2^30 advances apart. */
export const epochAtLeast = (a: number, b: number): boolean => ((a - b) | 0) >= 0;

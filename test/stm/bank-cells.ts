// The bank workload's pieces, shared by the workers of the bank, terminate and inevitable tests:
// accounts and pairs opened from their refs, a seeded random transfer, and the transfer whose
// pair (kept at x + y === 0) doubles as an opacity check.
import type { Heap, SharedCell, SharedRef } from '../../src/index.js';

export type PairRefs = readonly (readonly [SharedRef, SharedRef])[];
export type Pair = readonly [SharedCell<number>, SharedCell<number>];

export const openNumbers = (heap: Heap, refs: readonly SharedRef[]): SharedCell<number>[] =>
  refs.map((ref) => heap.open<SharedCell<number>>(ref));

export const openPairs = (heap: Heap, refs: PairRefs): Pair[] =>
  refs.map(([x, y]) => [heap.open<SharedCell<number>>(x), heap.open<SharedCell<number>>(y)]);

/** A pick of one item, driven by `random` (a seeded generator: test/support/random.ts). */
const picker =
  (random: () => number) =>
  <T>(items: readonly T[]): T =>
    items[Math.floor(random() * items.length)] as T;

export interface Transfer {
  readonly from: SharedCell<number>;
  readonly to: SharedCell<number>;
  readonly amount: number;
  readonly pair: Pair;
}

/** A seeded random transfer: two accounts, an amount of 1–10 and a pair, drawn in that order. */
export function randomTransfer(
  random: () => number,
  accounts: readonly SharedCell<number>[],
  pairs: readonly Pair[],
): Transfer {
  const pick = picker(random);
  const from = pick(accounts);
  const to = pick(accounts);
  const amount = 1 + Math.floor(random() * 10);
  return { from, to, amount, pair: pick(pairs) };
}

/**
 * Inside a transaction: moves `amount` from `from` to `to` and across the pair. Returns false,
 * leaving the pair alone, if the pair did not sum to 0 — an inconsistent snapshot reached user
 * code (a transaction that trusted it would loop forever or throw).
 */
export function transferWithPair(
  from: SharedCell<number>,
  to: SharedCell<number>,
  [x, y]: Pair,
  amount: number,
): boolean {
  from.set(from.get() - amount);
  to.set(to.get() + amount);
  const xv = x.get();
  const yv = y.get();
  if (xv + yv !== 0) return false;
  x.set(xv + amount);
  y.set(yv - amount);
  return true;
}

/**
 * The three small encodings of the STM, each one word, with their bit layouts (TinySTM style: the
 * layout in prose right above the code that packs it).
 *
 * Status word (i32, in a transaction record; see tx-record.ts):
 *
 * | bits  | field | meaning                                                                   |
 * |-------|-------|---------------------------------------------------------------------------|
 * | 31..3 | seq   | attempt number of this worker slot, +1 per attempt that takes a lock; wraps |
 * | 2..0  | state | `TxState`                                                                 |
 *
 * Owner word (i32, in a cell: its write lock, taken at the first write of an attempt):
 *
 * | bits   | field     | meaning                                                              |
 * |--------|-----------|----------------------------------------------------------------------|
 * | 31..10 | seq22     | low 22 bits of the owning attempt's seq                              |
 * | 9..1   | slot + 1  | owning worker slot + 1; the whole word is 0 when no attempt owns it  |
 * | 0      | contended | some worker sleeps on this word (futex style): the releaser wakes one |
 *
 * A lock is live only while its attempt is: the owner's status has the same seq (low 22 bits)
 * and a state that holds locks (active, inevitable, committing). A lock of a finished attempt is
 * free: it may be taken by CAS even before its owner clears it (lazy release).
 *
 * Intent payload (u32, the payload of a `SlotTag.intent` slot word, values/slot-word.ts):
 *
 * | bits  | field | meaning                                                                  |
 * |-------|-------|--------------------------------------------------------------------------|
 * | 31..8 | seq24 | low 24 bits of the committing attempt's seq                              |
 * | 7..0  | slot  | worker slot of the committing attempt                                    |
 *
 * Version word (i64, in a cell): `counter × 256 + slot` — the commit counter of the worker slot
 * that wrote the current value, and that slot. Each slot's counter only grows (it survives slot
 * reuse: tx-record.ts), so a version never recurs; 2^55 commits per slot before it could wrap.
 *
 * Watchers word (i64, in a cell): bit k set means some worker slot s with s mod 64 = k may sleep
 * in `retry` having read the cell (a *watch group*: with at most 64 workers attached, one slot).
 * A sleeper sets its group's bit and never clears it; whoever writes the cell's new value takes
 * the whole word (exchange to 0) and wakes every slot of each group in it. A stale bit costs at
 * most one spurious wake-up (the sleeper revalidates and sleeps again); a cleared bit is never
 * a lost one, since the writer clears only after its value is visible to the sleeper's check.
 */
import { limits } from '../base/index.js';

/** States of an attempt (status word bits 2..0). */
export const TxState = {
  /** No attempt holds locks (read-only attempts never leave this state). */
  idle: 0,
  /** Running user code or committing, holding write locks; anyone may abort it by CAS. */
  active: 1,
  /** Like active, but irrevocable: nobody aborts it (only recovery of a dead worker does). */
  inevitable: 2,
  /** Decided: it commits. Anyone may finish its write-back from its log (helping). */
  committing: 3,
  committed: 4,
  aborted: 5,
} as const;
export type TxState = (typeof TxState)[keyof typeof TxState];

const stateBits = 3;
const stateMask = 7;
export const seqMask = 0x1fffffff;

export const statusWord = (seq: number, state: TxState): number =>
  ((seq & seqMask) << stateBits) | state;
export const statusSeq = (status: number): number => (status >>> stateBits) & seqMask;
export const statusState = (status: number): number => status & stateMask;
/** True for the states in which an attempt's locks are live. */
export const holdsLocks = (state: number): boolean =>
  state === TxState.active || state === TxState.inevitable || state === TxState.committing;

const ownerSeqMask = 0x3fffff;
export const contendedBit = 1;

export const ownerWord = (slot: number, seq: number): number =>
  ((seq & ownerSeqMask) << 10) | ((slot + 1) << 1);
/** Slot of a non-zero owner word. */
export const ownerSlot = (owner: number): number => ((owner >>> 1) & 0x1ff) - 1;
export const ownerSeqMatches = (owner: number, seq: number): boolean =>
  owner >>> 10 === (seq & ownerSeqMask);

const intentSeqMask = 0xffffff;
export const intentPayloadOf = (slot: number, seq: number): number =>
  (((seq & intentSeqMask) << 8) | slot) >>> 0;
export const intentSlot = (payload: number): number => payload & 0xff;
export const intentSeqMatches = (payload: number, seq: number): boolean =>
  payload >>> 8 === (seq & intentSeqMask);

/** Watch groups: the bits of a watchers word (see above). */
export const watchGroups = 64;
/** The watchers-word bit of worker slot `slot`'s group. */
export const watchBit = (slot: number): bigint => 1n << BigInt(slot % watchGroups);

const versionCounterLowBits = 24;
const versionCounterLowSpan = 2 ** versionCounterLowBits;

/** Scratch for splitting and joining 64-bit words without BigInt arithmetic. */
const scratch = new BigInt64Array(1);
const halves = new Int32Array(scratch.buffer);

export function versionWord(counter: number, slot: number): bigint {
  halves[0] = ((counter % versionCounterLowSpan) << 8) | slot;
  halves[1] = Math.floor(counter / versionCounterLowSpan);
  return scratch[0] ?? 0n;
}

/** The commit counter of the version word last written to `scratch`. */
const scratchCounter = (): number =>
  (halves[1] ?? 0) * versionCounterLowSpan + ((halves[0] ?? 0) >>> 8);
/** The writer's slot of the version word last written to `scratch`. */
const scratchSlot = (): number => (halves[0] ?? 0) & 0xff;

/** The commit counter of a version word. */
export function versionCounter(version: bigint): number {
  scratch[0] = version;
  return scratchCounter();
}

/** The worker slot that wrote a version word. */
export function versionSlot(version: bigint): number {
  scratch[0] = version;
  return scratchSlot();
}

/**
 * True if the commit that wrote `version` is in the snapshot `clocks` (a clock per worker slot):
 * its counter is at most its writer's clock there. One split of the word, for the read path.
 */
export function versionCovered(version: bigint, clocks: Float64Array): boolean {
  scratch[0] = version;
  return scratchCounter() <= (clocks[scratchSlot()] ?? 0);
}

/** Checked at build time: the encodings above pack a worker slot in 8 bits (slot + 1 in 9). */
export const workerSlotsFitEightBits: typeof limits.workerSlotsMax extends 256 ? true : never =
  true;

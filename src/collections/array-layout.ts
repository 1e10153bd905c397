/**
 * The blocks of a `SharedArray` (shared-array.ts): an array block and the segments that hold its
 * elements. Every word that changes after publication is a transactional word (stm/tword.ts), so
 * two transactions conflict only where they touch the same element, the length, or the directory
 * word of a segment being added or removed.
 *
 * Array block (tag `arrayTag`), 8 + (1 + segmentsMax) × 32 = 872 bytes (class 896):
 *
 * | field     | offset | size  | atomic | written by                          | invariant               |
 * |-----------|--------|-------|--------|-------------------------------------|-------------------------|
 * | header    | 0      | 8     | no     | allocator                           | tag `arrayTag`          |
 * | refcount  | 8      | 4     | yes    | lifetime.ts (the spare half of      | stored references +     |
 * |           |        |       |        | `length`'s word)                    | pins                    |
 * | length    | 8      | 32    | tx     | push, pop, splice (shift, unshift), | number: the elements,   |
 * |           |        |       |        | set at the end                      | ≤ `arrayLengthMax`      |
 * | directory | 40     | 26×32 | tx     | the operation that first needs a    | number: handle of       |
 * |           |        |       |        | segment (adds it), or that empties  | segment k, or 0; the    |
 * |           |        |       |        | the one before it (removes it)      | segments present are a  |
 * |           |        |       |        |                                     | prefix 0 … m−1          |
 *
 * Segment k (tag `arraySegmentTag`) holds the elements `segmentStart(k)` ≤ i < `segmentStart(k+1)`,
 * one transactional word each, whose value is the element's slot word, or `holeWord` past the
 * length. Segment k has 2^(k+3) − 1 slots, so that with its 8-byte header it fills a block of
 * 2^(k+8) bytes (a power-of-two size class, or a run of whole superblocks) to within 24 bytes:
 * 7, 15, 31, … slots. Doubling sizes keep the directory short and every index two reads away;
 * a segment never moves, so growing never copies an element word.
 *
 * | field    | offset   | size | atomic | written by                         | invariant                 |
 * |----------|----------|------|--------|------------------------------------|---------------------------|
 * | header   | 0        | 8    | no     | allocator                          | tag `arraySegmentTag`     |
 * | slot j   | 8 + 32 j | 32   | tx     | whoever writes element             | slot word of element      |
 * |          |          |      |        | segmentStart(k) + j                | start(k) + j if that is   |
 * |          |          |      |        |                                    | < length, else `holeWord` |
 *
 * The hole invariant (slot i holds a value iff i < length, in every committed state) lets `at(i)`
 * and `set(i, v)` with 0 ≤ i < length read only their segment's directory word and their slot,
 * not the length: they never conflict with pushes and pops of other elements. Every operation that
 * changes the length writes the slots it moves across it.
 */
import type { BlockTag } from '../alloc/index.js';
import { twordUnits } from '../stm/index.js';

/** Block tags of an array's blocks (the map has 8–10; shared objects with fields 12–13). */
export const arrayTag = 11 as BlockTag;
export const arraySegmentTag = 14 as BlockTag;

/** Segments in the directory: enough for more elements than the largest heap holds. */
export const segmentsMax = 26;
/** log2 of (slots of segment 0) + 1. */
const firstSegmentLog2 = 3;

/** Array block: the length word then the directory, in units from the block's unit. */
export const arrayPayloadBytes = (1 + segmentsMax) * twordUnits * 8;
export const arrayLengthWord = (unit: number): number => unit + 1;
export const arrayDirectoryWord = (unit: number, segment: number): number =>
  unit + 1 + (1 + segment) * twordUnits;

// Powers of two by shifts: `2 ** n` is a call into the runtime in optimised code (~100 ns per
// `at(i)` before), a shift one instruction; segment + firstSegmentLog2 ≤ 29 keeps them in int32.
/** Slots of segment `k`. */
export const segmentSlots = (segment: number): number => (1 << (segment + firstSegmentLog2)) - 1;
/** Index of the first element of segment `k`: the slots of the segments before it. */
export const segmentStart = (segment: number): number =>
  (1 << (segment + firstSegmentLog2)) - (1 << firstSegmentLog2) - segment;
export const segmentPayloadBytes = (segment: number): number =>
  segmentSlots(segment) * twordUnits * 8;
/** The transactional word of slot `slot` of the segment whose block starts at `unit`. */
export const segmentSlotWord = (unit: number, slot: number): number => unit + 1 + slot * twordUnits;

/** Elements an array can hold: the capacity of every segment together. */
export const arrayLengthMax = segmentStart(segmentsMax);

/**
 * The segment holding element `index` (0 ≤ index < arrayLengthMax). Without the "− segment" of
 * `segmentStart` the segment would be ⌊log2(⌊index/8⌋ + 1)⌋; that guess is never too high, and
 * too low by at most one near the end of a segment, which the loop corrects.
 */
export function segmentOf(index: number): number {
  let segment = 31 - Math.clz32((index >>> firstSegmentLog2) + 1);
  // Bounded: the guess is at most one below (see above); two steps leave margin.
  for (let step = 0; step < 2 && index >= segmentStart(segment + 1); step += 1) segment += 1;
  return segment;
}

/**
 * The slot word: one 64-bit word that holds any storable value, by NaN-boxing (as in
 * JavaScriptCore and LuaJIT). A number is its own float64 bits; every other value hides in the
 * negative quiet-NaN space, which no number uses once NaNs are canonicalised. Cells hold one slot
 * word each (read and written with `Atomics` on a `BigInt64Array`), and snapshots hold one per
 * element, so a number is never allocated and reading one is a reinterpretation of 8 bytes.
 *
 * | bits   | size | field   | meaning                                                            |
 * |--------|------|---------|--------------------------------------------------------------------|
 * | 63..0  | 64   | number  | float64 bits, when bits 63..51 are not all ones. Every NaN is      |
 * |        |      |         | stored as `canonicalNanBits` (0x7FF8_0000_0000_0000, positive)     |
 * | 63..51 | 13   | box     | all ones (high word `>>> 19 === 0x1fff`): a boxed value            |
 * | 50..48 | 3    | tag     | `SlotTag`: what the payload is                                     |
 * | 47..0  | 48   | payload | immediate: `Immediate` code; string, bigint, snapshot: the handle  |
 * |        |      |         | of the value's own block; shared: the handle of the object's block |
 * |        |      |         | intent: not a value — a commit in progress names itself there     |
 * |        |      |         | (stm/intent.ts); never decoded, never inside a snapshot            |
 *
 * Inside a snapshot block (snapshot-block.ts) the same encoding is used for each element, except
 * that the string, bigint and snapshot tags carry the unit offset of a node inline in the same
 * block instead of a handle, and `Immediate.hole` marks an array hole.
 *
 * A handle (alloc/block-header.ts) is `generation16 × 2^32 + unit`, so its payload is exactly the
 * low word (unit) and the low 16 bits of the high word (generation). Slot words are written once by
 * the worker that encodes them, before they are published by an atomic store; they are values, not
 * memory, so this table names no writer.
 *
 * Conversions go through one module-level scratch `BigInt64Array(1)` aliased by a
 * `Float64Array` and an `Int32Array` over a non-shared buffer: measured `Atomics.load` on a
 * `BigInt64Array` + scratch reinterpretation ≈ 7 ns (docs/decisions/0002-cell-value-word.md).
 * JavaScript runs one thread per realm, so the scratch is never used by two calls at once.
 */
import type { Handle } from '../base/index.js';

/** The 3-bit tag of a boxed slot word. */
export const SlotTag = {
  /** Payload is an `Immediate` code. */
  immediate: 0,
  string: 1,
  bigint: 2,
  snapshot: 3,
  /** Payload is the handle of a shared object's block; the block's own tag says which kind. */
  shared: 4,
  /**
   * Not a value: a placeholder a committing transaction puts in a cell while it writes it back.
   * The payload names the transaction (stm/intent.ts). Readers resolve it; it is never decoded.
   */
  intent: 5,
} as const;
export type SlotTag = (typeof SlotTag)[keyof typeof SlotTag];

/** Payloads of `SlotTag.immediate`. */
export const Immediate = {
  undefined: 0,
  null: 1,
  false: 2,
  true: 3,
  /** An array hole; only ever inside a snapshot block, never in a cell. */
  hole: 4,
} as const;

/** `high >>> boxShift === boxMark` tells a boxed word from a number. */
export const boxShift = 19;
export const boxMark = 0x1fff;
export const tagShift = 16;
export const tagMask = 0x7;
export const payloadHighMask = 0xffff;
const wordsPerHandleGeneration = 2 ** 32;

export const canonicalNanBits = 0x7ff8_0000_0000_0000n;

/** The scratch word and its two aliases. Only this layer uses them; see the file comment. */
export const scratchWord = new BigInt64Array(1);
export const scratchFloat = new Float64Array(scratchWord.buffer);
export const scratchHalves = new Int32Array(scratchWord.buffer);

/** The high 32 bits of a boxed word with `tag` and the top 16 bits of its payload. */
export const boxedHigh = (tag: SlotTag, payloadHigh: number): number =>
  (boxMark << boxShift) | (tag << tagShift) | (payloadHigh & payloadHighMask);

/** The slot word of a number: its float64 bits, NaN canonicalised. */
export function numberWord(value: number): bigint {
  if (value !== value) return canonicalNanBits;
  scratchFloat[0] = value;
  return scratchWord[0] ?? 0n;
}

/** The number a slot word holds, or undefined if it holds anything else (a boxed word). */
export function numberOfWord(word: bigint): number | undefined {
  scratchWord[0] = word;
  if ((scratchHalves[1] ?? 0) >>> boxShift === boxMark) return undefined;
  return scratchFloat[0];
}

/** The slot word with `tag` and a 48-bit `payload` (a handle, a unit offset or an immediate). */
export function boxedWord(tag: SlotTag, payload: number): bigint {
  // The low 32 bits (ToUint32; see handleUnit in alloc/block-header.ts).
  scratchHalves[0] = payload >>> 0;
  scratchHalves[1] = boxedHigh(tag, Math.floor(payload / wordsPerHandleGeneration));
  return scratchWord[0] ?? 0n;
}

export const undefinedWord = boxedWord(SlotTag.immediate, Immediate.undefined);
export const nullWord = boxedWord(SlotTag.immediate, Immediate.null);
export const falseWord = boxedWord(SlotTag.immediate, Immediate.false);
export const trueWord = boxedWord(SlotTag.immediate, Immediate.true);
/**
 * The hole: no value encodes to it (holes exist only inside snapshot blocks), so a collection may
 * mark an empty slot with it — a `SharedArray`'s slots past its length. It owns no block and
 * refers to nothing; it is never decoded.
 */
export const holeWord = boxedWord(SlotTag.immediate, Immediate.hole);

/** The handle a boxed word's halves carry (payload = generation16 × 2^32 + unit). */
export const handleOfHalves = (low: number, high: number): Handle =>
  ((high & payloadHighMask) * wordsPerHandleGeneration + (low >>> 0)) as Handle;

/**
 * True if `word` is an intent (SlotTag.intent). Reads only the high half: an intent's high half
 * is `boxedHigh(intent, 0)`, since intent payloads stay below 2^32.
 */
export function isIntentWord(word: bigint): boolean {
  scratchWord[0] = word;
  return scratchHalves[1] === intentHigh;
}

export const intentHigh = boxedHigh(SlotTag.intent, 0);

/** The intent word carrying `payload` (an unsigned 32-bit number). */
export function intentWord(payload: number): bigint {
  scratchHalves[0] = payload | 0;
  scratchHalves[1] = intentHigh;
  return scratchWord[0] ?? 0n;
}

/** The payload of an intent word (the caller checked `isIntentWord`). */
export function intentPayload(word: bigint): number {
  scratchWord[0] = word;
  return (scratchHalves[0] ?? 0) >>> 0;
}

/**
 * The block of a shared cell (tag `BlockTag.cell`): one transactional word (tword.ts) after the
 * block header, its spare half holding the cell's reference count (lifetime.ts).
 *
 * | field    | offset | size | atomic | written by                       | invariant                 |
 * |----------|--------|------|--------|----------------------------------|---------------------------|
 * | header   | 0      | 8    | no     | allocator                        | tag `BlockTag.cell`       |
 * | refcount | 8      | 4    | yes    | any worker (lifetime.ts)         | stored refs + pins        |
 * | tword    | 8      | 32   | yes    | the STM (tword.ts); its spare    | a transactional word      |
 * |          |        |      |        | half is the refcount above       |                           |
 */
import { twordBytes, twordValue } from '../stm/index.js';

/** The payload: the transactional word (the refcount lives in its spare half). */
export const cellPayloadBytes = twordBytes;

/** The address of the transactional word of the cell whose block starts at `unit`. */
export const cellTword = (unit: number): number => unit + 1;
/** The cell block unit of a cell's transactional word (`cellTword`'s inverse). */
export const cellOfTword = (tword: number): number => tword - 1;
/** Index of a cell's value word in the heap's BigInt64Array. */
export const cellValueSlot = (unit: number): number => twordValue(cellTword(unit));

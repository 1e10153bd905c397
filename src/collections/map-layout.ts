/**
 * The blocks of a `SharedMap` or `SharedSet` (hash-table.ts): a map block, its bucket tables, and
 * one entry block per key. Every word that changes after publication is a transactional word (stm/tword.ts),
 * so two transactions conflict only where they touch the same bucket, entry or size stripe.
 *
 * Map block (tag `mapTag`), 8 + 10 × 32 = 328 bytes:
 *
 * | field     | offset | size | atomic | written by                       | invariant                   |
 * |-----------|--------|------|--------|----------------------------------|-----------------------------|
 * | header    | 0      | 8    | no     | allocator                        | tag `mapTag`                |
 * | refcount  | 8      | 4    | yes    | lifetime.ts (the spare half of   | stored references + pins    |
 * |           |        |      |        | `table`'s word)                  |                             |
 * | table     | 8      | 32   | tx     | growth (start, end), clear       | number: handle of the       |
 * |           |        |      |        |                                  | current bucket table × 2,   |
 * |           |        |      |        |                                  | + 1 while it grows (its     |
 * |           |        |      |        |                                  | previous table's buckets    |
 * |           |        |      |        |                                  | are being moved)            |
 * | moved     | 40     | 32   | tx     | migration steps, by commute      | number: buckets of the      |
 * |           |        |      |        |                                  | previous table moved so far |
 * | stripes   | 72     | 8×32 | tx     | inserts (+1), deletes (−1), by   | numbers; their sum is the   |
 * |           |        |      |        | commute on the slot's stripe     | size                        |
 *
 * Bucket table (tag `mapTableTag`), 16 + buckets × 32 bytes. One word names the table and says
 * whether it grows, so an operation reads one word, not two, to find its bucket:
 *
 * | field    | offset | size    | atomic | written by                   | invariant                    |
 * |----------|--------|---------|--------|------------------------------|------------------------------|
 * | header   | 0      | 8       | no     | allocator; aux word: the     | tag `mapTableTag`; buckets a |
 * |          |        |         |        | bucket count                 | power of two                 |
 * | previous | 8      | 8       | no     | its maker, before publication| f64: the table it replaces   |
 * |          |        |         |        |                              | (growth), or 0; never changes|
 * | buckets  | 16     | n × 32  | tx     | inserts, deletes, migration  | number: handle of the first  |
 * |          |        |         |        |                              | entry of the chain, 0 for    |
 * |          |        |         |        |                              | none, or `movedBucket` once  |
 * |          |        |         |        |                              | moved to the next table      |
 *
 * Entry block (tag `mapEntryTag`), 8 + 80 = 88 bytes (class 96):
 *
 * | field    | offset | size | atomic | written by                         | invariant                  |
 * |----------|--------|------|--------|------------------------------------|----------------------------|
 * | header   | 0      | 8    | no     | allocator; aux word: the key hash  | tag `mapEntryTag`          |
 * | key      | 8      | 8    | no     | the inserting transaction, before  | slot word of the key;      |
 * |          |        |      |        | publication                        | never changes              |
 * | stamp    | 16     | 8    | no     | the inserter: provisional, then    | f64: the insert's commit   |
 * |          |        |      |        | its commit stamp before its        | stamp (insertion order);   |
 * |          |        |      |        | decision (stm/commit.ts)           | never changes once shared  |
 * | next     | 24     | 32   | tx     | inserts, deletes, migration        | number: handle of the next |
 * |          |        |      |        |                                    | entry of the chain, or 0   |
 * | value    | 56     | 32   | tx     | sets, updates                      | slot word of the value     |
 *
 * The plain fields (hash, key, stamp) are written before the entry is published by the commit
 * that links it (a SeqCst write of a link word), and never change afterwards: a reader that found
 * the entry by an atomic load of a link reads them plainly (decision 0009, case (a)).
 */
import type { BlockTag } from '../alloc/index.js';
import { twordUnits } from '../stm/index.js';

/**
 * Block tags of a map's blocks (each layer names the tags of the blocks it owns). A set's block
 * has the map block's layout and its own tag; its entries' value words hold `true`.
 */
export const mapTag = 8 as BlockTag;
export const setTag = 15 as BlockTag;
export const mapTableTag = 9 as BlockTag;
export const mapEntryTag = 10 as BlockTag;

/** Size stripes: inserts and deletes of different workers commute on different words. */
export const sizeStripes = 8;

/** Map block: the transactional words after the header, in units from the block's unit. */
const mapWordsFirst = 1;
export const mapPayloadBytes = (2 + sizeStripes) * twordUnits * 8;
export const mapTableWord = (unit: number): number => unit + mapWordsFirst;
export const mapMovedWord = (unit: number): number => unit + mapWordsFirst + twordUnits;
export const mapStripeWord = (unit: number, stripe: number): number =>
  unit + mapWordsFirst + (2 + stripe) * twordUnits;

/** The table word's number: the table's handle, and whether it grows. */
export const tableWordValue = (table: number, growing: boolean): number =>
  table * 2 + (growing ? 1 : 0);
export const tableOfValue = (value: number): number => Math.floor(value / 2);
export const growingOfValue = (value: number): boolean => value % 2 === 1;

/** Bucket table: the bucket count sits in the header's aux word. */
export const tablePayloadBytes = (buckets: number): number => 8 + buckets * twordUnits * 8;
export const tableBucketsWord = (unit: number): number => unit * 2 + 1;
export const tablePreviousSlot = (unit: number): number => unit + 1;
export const tableBucketWord = (unit: number, bucket: number): number =>
  unit + 2 + bucket * twordUnits;
/** A bucket whose chain a migration step moved to the next table. */
export const movedBucket = -1;
/** Buckets of a new map's table. */
export const initialBuckets = 8;

/** Entry block. */
export const entryPayloadBytes = 80;
export const entryHashWord = (unit: number): number => unit * 2 + 1;
export const entryKeySlot = (unit: number): number => unit + 1;
export const entryStampSlot = (unit: number): number => unit + 2;
export const entryNextWord = (unit: number): number => unit + 3;
export const entryValueWord = (unit: number): number => unit + 3 + twordUnits;

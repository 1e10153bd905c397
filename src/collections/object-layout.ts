/**
 * The blocks of a shared object with fields (`heap.object`, shared-fields.ts): one object block
 * per object, holding one transactional word per field, and one shape block per shape (its field
 * names and class name), which objects of that shape refer to. Two transactions conflict only
 * where they touch the same field of the same object.
 *
 * Object block (tag `objectTag`), 8 + 16 + 32 × fields bytes:
 *
 * | field    | offset     | size | atomic | written by                         | invariant                |
 * |----------|------------|------|--------|------------------------------------|--------------------------|
 * | header   | 0          | 8    | no     | allocator; aux word: the field     | tag `objectTag`; the     |
 * |          |            |      |        | count, before publication          | count never changes      |
 * | refcount | 8          | 4    | yes    | lifetime.ts                        | stored refs + pins       |
 * | spare    | 12         | 4    | no     | nobody                             | 0                        |
 * | shape    | 16         | 8    | no     | the creator, before publication    | slot word: a reference   |
 * |          |            |      |        |                                    | to the shape block (it   |
 * |          |            |      |        |                                    | holds one count of it);  |
 * |          |            |      |        |                                    | never changes            |
 * | field i  | 24 + 32·i  | 32   | tx     | writers of field i (stm/tword.ts;  | slot word of the field's |
 * |          |            |      |        | its spare half unused)             | value                    |
 *
 * Shape block (tag `shapeTag`), immutable once published, 8 + 16 + 2 × length bytes:
 *
 * | field    | offset | size     | atomic | written by                     | invariant                 |
 * |----------|--------|----------|--------|--------------------------------|---------------------------|
 * | header   | 0      | 8        | no     | allocator                      | tag `shapeTag`            |
 * | refcount | 8      | 4        | yes    | lifetime.ts                    | objects of the shape +    |
 * |          |        |          |        |                                | pins (creators' caches)   |
 * | fields   | 12     | 4        | no     | the creator, before publishing | field count               |
 * | length   | 16     | 4        | no     | the creator, before publishing | code units of the         |
 * |          |        |          |        |                                | descriptor                |
 * | spare    | 20     | 4        | no     | nobody                         | 0                         |
 * | units    | 24     | 2·length | no     | the creator, before publishing | the descriptor: JSON of   |
 * |          |        |          |        |                                | [class name or null,      |
 * |          |        |          |        |                                | ...field names]           |
 *
 * The plain words (field count, shape word, descriptor) are written before the object's handle
 * is published (by a transaction's commit, an atomic store, or `postMessage` of its ref), and
 * never change afterwards: a worker that reached the object through a published handle reads
 * them plainly (decision 0009, case (a)). The shape reference costs 16 bytes per object and
 * makes names cost nothing per object: a shape is stored once per creating worker and shape.
 */
import type { BlockTag } from '../alloc/index.js';
import { twordUnits } from '../stm/index.js';

/** Block tags of shared objects with fields (11 is the array's, 8–10 the map's). */
export const objectTag = 12 as BlockTag;
export const shapeTag = 13 as BlockTag;

/**
 * Fields one object may have (32 KiB of words): an object is a record with fixed fields, not a
 * dictionary; past this, keys are data and belong in a `SharedMap`.
 */
export const objectFieldsMax = 1024;

/** The reference count of either block (lifetime.ts: payload offset 0 of every shared object). */
export const refcountOf = (unit: number): number => unit * 2 + 2;

/** Object block. */
export const objectPayloadBytes = (fields: number): number => 16 + fields * twordUnits * 8;
export const objectFieldCountWord = (unit: number): number => unit * 2 + 1;
export const objectShapeSlot = (unit: number): number => unit + 2;
export const objectFieldTword = (unit: number, field: number): number =>
  unit + 3 + field * twordUnits;

/** Shape block. */
export const shapePayloadBytes = (length: number): number => 16 + 2 * length;
export const shapeFieldCountWord = (unit: number): number => unit * 2 + 3;
export const shapeLengthWord = (unit: number): number => unit * 2 + 4;
/** Index of the descriptor's first code unit in a `Uint16Array` over the heap. */
export const shapeUnitsIndex = (unit: number): number => unit * 4 + 12;

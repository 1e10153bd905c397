/**
 * The block of a shared cell (tag `BlockTag.cell`): one transactional slot.
 *
 * | field    | offset | size | atomic | written by                            | invariant               |
 * |----------|--------|------|--------|---------------------------------------|-------------------------|
 * | header   | 0      | 8    | no     | allocator                             | tag `BlockTag.cell`     |
 * | refcount | 8      | 4    | yes    | any worker (lifetime.ts)              | stored refs + pins      |
 * | owner    | 12     | 4    | yes    | writers (CAS: take, release), waiters | words.ts owner word;    |
 * |          |        |      |        | (CAS: set the contended bit)          | 0 = unlocked            |
 * | value    | 16     | 8    | yes    | committer: CAS old → intent → new;    | a slot word (values/),  |
 * |          |        |      |        | helpers: CAS intent → new / old       | or an intent            |
 * | version  | 24     | 8    | yes    | committer, helpers: CAS old → new     | words.ts version word   |
 * | watchers | 32     | 8    | yes    | `retry` sleepers (or: their group's   | bit k: a slot ≡ k mod   |
 * |          |        |      |        | bit); writers of the value (exchange  | 64 may sleep in `retry` |
 * |          |        |      |        | to 0, then wake: words.ts)            | having read it          |
 *
 * Reading protocol (every reader, transactional or not): load version v1, value w, version v2.
 * If w is not an intent and v1 === v2, then w is the value committed with version v1. Proof: a
 * version only changes while the value holds an intent (commit: value old → intent, version old
 * → new, value intent → new), versions never recur, so with v1 === v2 no version store fell
 * between the loads and w, not being an intent, is the value of v1.
 */
export const cellPayloadBytes = 32;

/** Indexes of a cell's words from its block unit, in the heap's views. */
export const cellOwnerWord = (unit: number): number => unit * 2 + 3;
export const cellValueSlot = (unit: number): number => unit + 2;
export const cellVersionSlot = (unit: number): number => unit + 3;
export const cellWatchersSlot = (unit: number): number => unit + 4;

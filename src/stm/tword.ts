/**
 * A transactional word: the STM's unit of data. It can live at any 8-byte-aligned place inside
 * any block — a cell's payload, a hash bucket, an array slot, a struct field, a channel index —
 * and the engine reads, locks and writes it through one API, knowing nothing of the block around
 * it. It is named by its *address* `tword`: the index of its first 8-byte unit in the heap.
 *
 * | field    | offset | size | atomic | written by                            | invariant               |
 * |----------|--------|------|--------|---------------------------------------|-------------------------|
 * | spare    | 0      | 4    | —      | the embedder (a cell: its refcount)   | not the STM's           |
 * | owner    | 4      | 4    | yes    | writers (CAS: take, release), waiters | words.ts owner word;    |
 * |          |        |      |        | (CAS: set the contended bit)          | 0 = unlocked            |
 * | value    | 8      | 8    | yes    | committer: CAS old → intent → new;    | a slot word (values/),  |
 * |          |        |      |        | helpers: CAS intent → new / old       | or an intent            |
 * | version  | 16     | 8    | yes    | committer, helpers: CAS old → new     | words.ts version word   |
 * | watchers | 24     | 8    | yes    | `retry` sleepers (or: their group's   | words.ts: watch groups  |
 * |          |        |      |        | bit); writers (exchange to 0)         |                         |
 *
 * Reading protocol (every reader, transactional or not): load version v1, value w, version v2.
 * If w is not an intent and v1 === v2, then w is the value committed with version v1. Proof: a
 * version only changes while the value holds an intent (commit: value old → intent, version old
 * → new, value intent → new), versions never recur, so with v1 === v2 no version store fell
 * between the loads and w, not being an intent, is the value of v1.
 */

/** Bytes and 8-byte units of one transactional word. */
export const twordBytes = 32;
export const twordUnits = 4;

/** Indexes of a transactional word's fields in the heap's views, from its address. */
export const twordSpare = (tword: number): number => tword * 2;
export const twordOwner = (tword: number): number => tword * 2 + 1;
export const twordValue = (tword: number): number => tword + 1;
export const twordVersion = (tword: number): number => tword + 2;
export const twordWatchers = (tword: number): number => tword + 3;

/**
 * Makes the words at `tword` a transactional word holding `value`, before anyone can reach it:
 * unlocked, version 0 (counter 0 of slot 0, older than every snapshot), no watcher.
 */
export function initTword(i32: Int32Array, b64: BigInt64Array, tword: number, value: bigint): void {
  Atomics.store(i32, twordOwner(tword), 0);
  Atomics.store(b64, twordVersion(tword), 0n);
  Atomics.store(b64, twordWatchers(tword), 0n);
  // ORDERING: not shared yet; whoever publishes the block that holds it does so atomically.
  Atomics.store(b64, twordValue(tword), value);
}

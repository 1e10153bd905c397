/**
 * (Past 600 lines on purpose: inserts, unlinks, growth and iteration work on one table through
 * the same private state — this worker's migration walk, its pacing counter, the pending-growth
 * flag — which a split would have to expose between files.)
 *
 * The hash table behind `SharedMap` and `SharedSet` (their facades: shared-map.ts, shared-set.ts;
 * the blocks: map-layout.ts; keys: map-keys.ts). Every method runs inside the transaction its
 * caller opened (the facade's `run`), except `lookupOutside`: `get` and `has` called outside any
 * transaction read the table without one and fall back to a transaction on any doubt
 * (hash-lookup.ts, with its proof).
 *
 * - **Hashing.** A table of buckets, each a chain of entries linked through transactional words.
 *   A lookup reads its bucket's link words and the entries' plain (immutable) keys; a value
 *   update writes only its entry's value word; an insert writes its bucket word; a delete writes
 *   the link that pointed at its entry. So transactions on different keys conflict only if their
 *   keys share a bucket, which a table kept at one entry per bucket or fewer makes rare.
 * - **Size** is the sum of eight stripes that inserts and deletes change by `commute` (each worker
 *   its own stripe), so inserts never fail each other's validation; reading `size` reads them all.
 * - **Insertion order.** An entry carries the commit stamp of the transaction that inserted it
 *   (stm/commit.ts: stamps increase in serialisation order), and iteration sorts by it. A key
 *   deleted and inserted again gets a new entry and goes to the end, as in a `Map`; setting an
 *   existing key keeps its place. An entry inserted by the running transaction has a provisional
 *   stamp above every real one, in the order of its inserts.
 * - **Growth never stops the world.** Past one entry per bucket, a transaction of its own points
 *   the table word at a table twice as large, which names the old one as its previous, with the
 *   table word's growing flag set; then every worker that inserts moves old buckets, a few per
 *   small transaction, after its commits (`#moveBuckets`: each worker walks the old buckets from
 *   its own starting point, so migrators rarely meet). A key lives in its old bucket until that
 *   bucket is moved, then in the new table. Only the two steps that change the table word
 *   conflict with every operation in flight; moving buckets conflicts only with operations on
 *   those buckets.
 * - **Iteration** reads the whole table in one transaction and sorts it by stamp: one consistent
 *   state. A long iteration that keeps losing to writers is made inevitable by the contention
 *   manager after a few attempts, and then writers wait for it (stm/contention.ts).
 */
import { currentHandleAt, handleUnit } from '../alloc/index.js';
import type { BlockTag } from '../alloc/index.js';
import type { Handle } from '../base/index.js';
import type { HeapMemory } from '../memory/index.js';
import { decodeInTransaction, type HeapContext, type SharedKind } from '../objects/index.js';
import { atomicallyOn, twordValue, type TxEngine } from '../stm/index.js';
import { numberWord } from '../values/index.js';
import { lookupOutside } from './hash-lookup.js';
import { committedNumber, readNumber, writeNumber } from './number-words.js';
import { stripeOfSlot } from './stripes.js';
import { keyHash, keyMatches, keyWordOf, normaliseKey, probeOf, type Probe } from './map-keys.js';
import {
  entryHashWord,
  entryKeySlot,
  entryNextWord,
  entryPayloadBytes,
  entryStampSlot,
  entryValueWord,
  initialBuckets,
  mapMovedWord,
  mapEntryTag,
  mapPayloadBytes,
  mapStripeWord,
  mapTableTag,
  mapTableWord,
  movedBucket,
  sizeStripes,
  tableBucketsWord,
  growingOfValue,
  tableBucketWord,
  tableOfValue,
  tablePayloadBytes,
  tablePreviousSlot,
  tableWordValue,
} from './map-layout.js';

/** Provisional stamps of entries the running transaction inserted: above every real stamp. */
const provisionalStampBase = 2 ** 52;
let provisionalStamps = 0;

/**
 * Growth pacing. An inserter checks the load after its commit (every `loadCheckEvery` of its
 * inserts, or at once after a long chain) and moves old buckets, `migrationBucketsPerStep` per
 * transaction, at least `migrationBucketsPerCheck` and twice as many as it inserted since its
 * last check. A table grows to at least twice the buckets and at least as many as entries, so
 * its old buckets number at most the inserts it takes to be due again: moving two buckets per
 * insert finishes one growth before the next is due, and chains stay short — also when one
 * transaction inserts thousands of keys. A step conflicts only with operations on the buckets it
 * moves, while it runs.
 */
const migrationBucketsPerStep = 16;
const migrationBucketsPerCheck = 64;
/** Growths one check may run back to back (a map filled by one large transaction). */
const growthsPerCheckMax = 4;
/** Old buckets one migration step looks at (moved ones are skipped, but cost a read). */
const migrationScanPerStep = 64;

/** Where a worker starts walking the old buckets: spread by slot (golden-ratio steps). */
function migrationStart(slot: number, oldBuckets: number): number {
  const fraction = (slot * 0.6180339887498949) % 1;
  return Math.floor(fraction * oldBuckets);
}
/** A chain this long (or every this many inserts) makes the inserter check the load. */
const longChain = 3;
const loadCheckEvery = 64;

/** Where a key is, or would be inserted: the link word that points (or would point) at it. */
export interface Place {
  /** The bucket word of the key's chain. */
  readonly bucket: number;
  /** The link word (bucket or an entry's next) that holds `entry`; the last link if absent. */
  readonly link: number;
  /** The entry's handle, or 0 if the key is absent. */
  readonly entry: number;
  /** Entries passed before it (the chain length if absent). */
  readonly passed: number;
  /** The map is growing: old buckets remain to be moved. */
  readonly growing: boolean;
}

/** One entry as iteration sees it. */
export interface EntryView {
  readonly stamp: number;
  readonly key: unknown;
  readonly value: unknown;
}

export class HashTable {
  readonly #context: HeapContext;
  readonly #unit: number;
  /** False once the facade was disposed or the heap closed (commit actions then do nothing). */
  readonly #isLive: () => boolean;
  #migrationQueued = false;
  /** This worker's walk over the old buckets of the growth of `table` (see `#moveBuckets`). */
  readonly #walk = { table: 0, next: 0, looked: 0 };
  /** This worker's inserts since its last load check (they set how much it migrates). */
  #insertsSinceCheck = 0;

  constructor(context: HeapContext, unit: number, isLive: () => boolean) {
    this.#context = context;
    this.#unit = unit;
    this.#isLive = isLive;
  }

  /** Removes every entry: a new empty table (conflicts with every other use of the object). */
  clear(engine: TxEngine): void {
    const entries = this.collectEntries(engine);
    const oldTables = this.#tables(engine);
    const table = this.#newTable(engine, initialBuckets, 0);
    writeNumber(engine, mapTableWord(this.#unit), tableWordValue(table, false));
    writeNumber(engine, mapMovedWord(this.#unit), 0);
    for (let stripe = 0; stripe < sizeStripes; stripe += 1) {
      writeNumber(engine, mapStripeWord(this.#unit, stripe), 0);
    }
    const values = entries.map((entry) => engine.read(entryValueWord(handleUnit(entry as Handle))));
    engine.onCommit(() => {
      entries.forEach((entry, index) => {
        this.#retireEntry(entry, values[index] ?? 0n);
      });
      for (const old of oldTables) this.#context.reclaim.retireBlock(old as Handle);
    });
  }

  probe(key: unknown, what: string): Probe {
    return probeOf(this.#context.codec, normaliseKey(key, what));
  }

  /**
   * Outside any transaction: `key`'s value (`undefined` if absent), or with `wantValue` false
   * whether it is present; `noAnswer` when the caller must look it up in a transaction
   * (hash-lookup.ts).
   */
  lookupOutside(key: unknown, what: string, wantValue: boolean): unknown {
    const normal = normaliseKey(key, what);
    const codec = this.#context.codec;
    return lookupOutside(
      this.#context,
      this.#unit,
      normal,
      keyHash(normal),
      keyWordOf(codec, normal),
      wantValue,
    );
  }

  size(engine: TxEngine): number {
    let size = 0;
    for (let stripe = 0; stripe < sizeStripes; stripe += 1) {
      size += readNumber(engine, mapStripeWord(this.#unit, stripe));
    }
    return size;
  }

  /** The tables holding entries: the current one, and the one being moved out if any. */
  #tables(engine: TxEngine): number[] {
    const value = readNumber(engine, mapTableWord(this.#unit));
    const table = tableOfValue(value);
    if (!growingOfValue(value)) return [table];
    return [previousOf(this.#context.memory, handleUnit(table as Handle)), table];
  }

  #bucketsOf(table: number): number {
    return this.#context.memory.i32[tableBucketsWord(handleUnit(table as Handle))] ?? 0;
  }

  /** Finds the entry of `probe`'s key (see `Place`). */
  find(engine: TxEngine, probe: Probe): Place {
    const i32 = this.#context.memory.i32;
    const b64 = this.#context.memory.b64;
    const value = readNumber(engine, mapTableWord(this.#unit));
    const table = handleUnit(tableOfValue(value) as Handle);
    const growing = growingOfValue(value);
    let bucket = 0;
    if (growing) {
      const old = handleUnit(previousOf(this.#context.memory, table) as Handle);
      const oldBucket = tableBucketWord(old, probe.hash & ((i32[tableBucketsWord(old)] ?? 1) - 1));
      if (readNumber(engine, oldBucket) !== movedBucket) bucket = oldBucket;
    }
    if (bucket === 0) {
      bucket = tableBucketWord(table, probe.hash & ((i32[tableBucketsWord(table)] ?? 1) - 1));
    }
    let link = bucket;
    let passed = 0;
    for (let entry = readNumber(engine, link); entry !== 0; passed += 1) {
      const unit = handleUnit(entry as Handle);
      if (
        i32[entryHashWord(unit)] === probe.hash &&
        keyMatches(this.#context, probe, b64[entryKeySlot(unit)] ?? 0n)
      ) {
        return { bucket, link, entry, passed, growing };
      }
      link = entryNextWord(unit);
      entry = readNumber(engine, link);
    }
    return { bucket, link, entry: 0, passed, growing };
  }

  readValue(engine: TxEngine, entry: number): unknown {
    const tword = entryValueWord(handleUnit(entry as Handle));
    return decodeInTransaction(this.#context, engine, tword, engine.read(tword));
  }

  writeValue(engine: TxEngine, entry: number, value: unknown): void {
    const index = engine.lockCell(entryValueWord(handleUnit(entry as Handle)));
    // Encoded after the lock: an encoding error leaves only a lock, released with the attempt.
    engine.setValue(index, this.#context.encodeToStore(value));
  }

  /** Inserts a new entry at the head of `place.bucket`'s chain. */
  insert(engine: TxEngine, probe: Probe, place: Place, value: unknown): void {
    const context = this.#context;
    const { i32, b64, f64 } = context.memory;
    const bucketIndex = engine.lockCell(place.bucket);
    const head = readNumber(engine, place.bucket);
    const keyWord = context.encodeToStore(probe.key);
    let valueWord: bigint;
    let handle: Handle;
    try {
      valueWord = context.encodeToStore(value);
    } catch (error) {
      context.discardUnpublished(keyWord);
      throw error;
    }
    try {
      handle = context.allocator.allocate(mapEntryTag, entryPayloadBytes);
    } catch (error) {
      context.discardUnpublished(keyWord);
      context.discardUnpublished(valueWord);
      throw error;
    }
    const unit = handleUnit(handle);
    i32[entryHashWord(unit)] = probe.hash;
    b64[entryKeySlot(unit)] = keyWord;
    provisionalStamps += 1;
    f64[entryStampSlot(unit)] = provisionalStampBase + provisionalStamps;
    // Zeros make a valid transactional word holding the number 0 (unlocked, version 0).
    b64.fill(0n, entryNextWord(unit), entryValueWord(unit) + 4);
    b64[twordValue(entryNextWord(unit))] = numberWord(head);
    b64[twordValue(entryValueWord(unit))] = valueWord;
    engine.onAbort(() => {
      // Never published: the words are this attempt's own (writes to them were undone first).
      context.discardUnpublished(b64[entryKeySlot(unit)] ?? 0n);
      context.discardUnpublished(Atomics.load(b64, twordValue(entryValueWord(unit))));
      context.allocator.free(handle);
    });
    engine.stampAtCommit((stamp) => {
      f64[entryStampSlot(unit)] = stamp;
    });
    // ORDERING: the entry's fields above are published by the commit's write of this link.
    engine.setValue(bucketIndex, numberWord(handle));
    engine.commute(mapStripeWord(this.#unit, stripeOfSlot(context.slot.index, sizeStripes)), 1);
    this.#insertsSinceCheck += 1;
    if (place.passed >= longChain || this.#insertsSinceCheck % loadCheckEvery === 0) {
      this.queueMigration(engine);
    }
  }

  /** Unlinks the entry at `place`; it is retired if the transaction commits. */
  unlink(engine: TxEngine, place: Place): void {
    const unit = handleUnit(place.entry as Handle);
    const next = readNumber(engine, entryNextWord(unit));
    // Read so that a concurrent write of this value fails (it would be lost), and retired with
    // the entry: the value the entry holds when it leaves the map.
    const valueWord = engine.read(entryValueWord(unit));
    writeNumber(engine, place.link, next);
    const context = this.#context;
    engine.commute(mapStripeWord(this.#unit, stripeOfSlot(context.slot.index, sizeStripes)), -1);
    const entry = place.entry;
    engine.onCommit(() => {
      this.#retireEntry(entry, valueWord);
    });
  }

  /** Retires an entry that left the map, with its key and `valueWord` (its last value). */
  #retireEntry(entry: number, valueWord: bigint): void {
    const context = this.#context;
    const unit = handleUnit(entry as Handle);
    context.lifetime.dropWord(context.memory.b64[entryKeySlot(unit)] ?? 0n);
    context.lifetime.dropWord(valueWord);
    context.reclaim.retireBlock(entry as Handle);
  }

  /** A new empty table of `buckets` buckets, freed again if the transaction aborts. */
  #newTable(engine: TxEngine, buckets: number, previous: number): number {
    const handle = createTable(this.#context, buckets, previous);
    engine.onAbort(() => {
      this.#context.allocator.free(handle);
    });
    return handle;
  }

  // ---------------------------------------------------------------- growth

  /** After this transaction commits: check the load, and move a few old buckets if growing. */
  queueMigration(engine: TxEngine): void {
    if (this.#migrationQueued) return;
    this.#migrationQueued = true;
    const done = (): void => {
      this.#migrationQueued = false;
    };
    engine.onAbort(done);
    engine.onCommit(() => {
      done();
      if (!this.#isLive()) return;
      this.#grow();
    });
  }

  /**
   * Starts growing if the map holds more entries than buckets; moves old buckets if growing, as
   * many as this worker's inserts since its last check call for (see the pacing above). The size
   * is estimated from the stripes without a transaction (a heuristic needs no exact figure), so
   * checking the load never conflicts with the inserts and deletes it counts.
   */
  #grow(): void {
    const engine = this.#context.engine;
    let budget = Math.max(migrationBucketsPerCheck, 2 * this.#insertsSinceCheck);
    this.#insertsSinceCheck = 0;
    for (let growth = 0; growth < growthsPerCheckMax; growth += 1) {
      if (!this.#startGrowth()) return;
      while (budget > 0) {
        const looked = atomicallyOn(engine, () => this.#moveBuckets(engine));
        if (looked === 0) break;
        budget -= looked;
      }
      // Not ended (another worker's moves still to commit, or the budget spent): stop here.
      if (!this.#endGrowth()) return;
    }
  }

  /** True if the map grows: it did, or this call made it (it held more entries than buckets). */
  #startGrowth(): boolean {
    const engine = this.#context.engine;
    const b64 = this.#context.memory.b64;
    const committed = (tword: number): number => committedNumber(b64, tword);
    const seen = committed(mapTableWord(this.#unit));
    if (growingOfValue(seen)) return true;
    let size = 0;
    for (let stripe = 0; stripe < sizeStripes; stripe += 1) {
      size += committed(mapStripeWord(this.#unit, stripe));
    }
    const table = tableOfValue(seen);
    const buckets = table === 0 ? 0 : this.#bucketsOf(table);
    if (table === 0 || size <= buckets) return false;
    return atomicallyOn(engine, () => {
      const value = readNumber(engine, mapTableWord(this.#unit));
      if (growingOfValue(value)) return true;
      if (value !== seen) return false;
      const grown = this.#newTable(engine, Math.max(buckets * 2, bucketsFor(size)), table);
      writeNumber(engine, mapTableWord(this.#unit), tableWordValue(grown, true));
      writeNumber(engine, mapMovedWord(this.#unit), 0);
      return true;
    });
  }

  /**
   * Moves the chains of up to `migrationBucketsPerStep` old buckets not moved yet into the new
   * table (each to the buckets its keys now hash to), looking at most at `migrationScanPerStep`
   * old buckets from this worker's position. Returns how many it looked at: 0 when the map does
   * not grow, or this worker has looked at every old bucket of this growth.
   *
   * No shared cursor: each worker walks the old buckets from its own starting point (spread by
   * its slot) and skips buckets already moved, so two migrators meet only where their walks
   * overlap. The moved count is kept by `commute`, which never conflicts. A bucket is skipped
   * only once a committed move marked it, so a worker that has walked all of them knows they
   * are all moved, whoever moved them — a migrator that died mid-step left its buckets unmoved
   * and the others' walks move them.
   */
  #moveBuckets(engine: TxEngine): number {
    const value = readNumber(engine, mapTableWord(this.#unit));
    if (!growingOfValue(value)) return 0;
    const tableHandle = tableOfValue(value);
    const previous = previousOf(this.#context.memory, handleUnit(tableHandle as Handle));
    const oldBuckets = this.#bucketsOf(previous);
    const walk = this.#walk;
    const fresh = walk.table !== tableHandle;
    let next = fresh ? migrationStart(this.#context.slot.index, oldBuckets) : walk.next;
    const lookedBefore = fresh ? 0 : walk.looked;
    let looked = lookedBefore;
    if (looked >= oldBuckets) return 0;
    const i32 = this.#context.memory.i32;
    const table = handleUnit(tableHandle as Handle);
    const mask = (i32[tableBucketsWord(table)] ?? 1) - 1;
    const previousUnit = handleUnit(previous as Handle);
    let moved = 0;
    for (let scan = 0; scan < migrationScanPerStep && looked < oldBuckets; scan += 1) {
      if (moved === migrationBucketsPerStep) break;
      const oldBucket = tableBucketWord(previousUnit, next);
      next = next + 1 === oldBuckets ? 0 : next + 1;
      looked += 1;
      let entry = readNumber(engine, oldBucket);
      if (entry === movedBucket) continue;
      while (entry !== 0) {
        const unit = handleUnit(entry as Handle);
        const following = readNumber(engine, entryNextWord(unit));
        const target = tableBucketWord(table, (i32[entryHashWord(unit)] ?? 0) & mask);
        writeNumber(engine, entryNextWord(unit), readNumber(engine, target));
        writeNumber(engine, target, entry);
        entry = following;
      }
      writeNumber(engine, oldBucket, movedBucket);
      moved += 1;
    }
    if (moved > 0) engine.commute(mapMovedWord(this.#unit), moved);
    // The walk advances only if this step commits (an aborted step's buckets are not moved).
    engine.onCommit(() => {
      walk.table = tableHandle;
      walk.next = next;
      walk.looked = looked;
    });
    return looked - lookedBefore;
  }

  /**
   * Ends the growth once every old bucket is moved: the table word loses its growing flag. True
   * if the map does not grow any more (this call ended it, or another worker had).
   */
  #endGrowth(): boolean {
    const engine = this.#context.engine;
    const b64 = this.#context.memory.b64;
    const seen = committedNumber(b64, mapTableWord(this.#unit));
    if (!growingOfValue(seen)) return true;
    const tableHandle = tableOfValue(seen);
    const previous = previousOf(this.#context.memory, handleUnit(tableHandle as Handle));
    const oldBuckets = this.#bucketsOf(previous);
    // Without a transaction first: most checks find the growth unfinished and change nothing.
    if (committedNumber(b64, mapMovedWord(this.#unit)) < oldBuckets) return false;
    return atomicallyOn(engine, () => {
      if (readNumber(engine, mapTableWord(this.#unit)) !== seen) return true;
      if (readNumber(engine, mapMovedWord(this.#unit)) < oldBuckets) return false;
      writeNumber(engine, mapTableWord(this.#unit), tableWordValue(tableHandle, false));
      engine.onCommit(() => {
        this.#context.reclaim.retireBlock(previous as Handle);
      });
      return true;
    });
  }

  // ---------------------------------------------------------------- iteration

  /** Every entry's handle, in no particular order. */
  collectEntries(engine: TxEngine): number[] {
    const entries: number[] = [];
    for (const table of this.#tables(engine)) {
      const unit = handleUnit(table as Handle);
      const buckets = this.#bucketsOf(table);
      for (let bucket = 0; bucket < buckets; bucket += 1) {
        let entry = readNumber(engine, tableBucketWord(unit, bucket));
        while (entry !== 0 && entry !== movedBucket) {
          entries.push(entry);
          entry = readNumber(engine, entryNextWord(handleUnit(entry as Handle)));
        }
      }
    }
    return entries;
  }

  /** The entries in insertion order (the caller runs the transaction). */
  view(engine: TxEngine): EntryView[] {
    const { b64, f64 } = this.#context.memory;
    const views = this.collectEntries(engine).map((entry): EntryView => {
      const unit = handleUnit(entry as Handle);
      const keyWord = b64[entryKeySlot(unit)] ?? 0n;
      return {
        stamp: f64[entryStampSlot(unit)] ?? 0,
        key: decodeInTransaction(this.#context, engine, entryNextWord(unit), keyWord),
        value: this.readValue(engine, entry),
      };
    });
    return views.sort((a, b) => a.stamp - b.stamp);
  }
}

/**
 * A new table of `buckets` empty buckets that replaces `previous` (0 for none); not published yet.
 */
function createTable(context: HeapContext, buckets: number, previous: number): Handle {
  const handle = context.allocator.allocate(mapTableTag, tablePayloadBytes(buckets));
  const unit = handleUnit(handle);
  const { i32, b64, f64 } = context.memory;
  // Zeros make valid transactional words holding the number 0: every bucket empty.
  b64.fill(0n, unit + 1, tableBucketWord(unit, buckets));
  i32[tableBucketsWord(unit)] = buckets;
  f64[tablePreviousSlot(unit)] = previous;
  return handle;
}

/** The table the table at `unit` replaces (plain read: written before it was published). */
function previousOf(memory: HeapMemory, unit: number): number {
  return memory.f64[tablePreviousSlot(unit)] ?? 0;
}

/** The smallest power of two ≥ `count` and ≥ the initial bucket count. */
function bucketsFor(count: number): number {
  let buckets = initialBuckets;
  while (buckets < count) buckets *= 2;
  return buckets;
}

/**
 * A new hash block tagged `tag` (a map's or a set's) with a table sized for `count` entries, its
 * reference count 1 (the creator's wrapper). Not published yet: nothing else can reach it.
 */
export function createHashBlock(context: HeapContext, tag: BlockTag, count: number): Handle {
  const table = createTable(context, bucketsFor(count), 0);
  let handle: Handle;
  try {
    handle = context.allocator.allocate(tag, mapPayloadBytes);
  } catch (error) {
    context.allocator.free(table);
    throw error;
  }
  const unit = handleUnit(handle);
  const { i32, b64 } = context.memory;
  b64.fill(0n, unit + 1, unit + 1 + mapPayloadBytes / 8);
  b64[twordValue(mapTableWord(unit))] = numberWord(tableWordValue(table, false));
  // The creator's wrapper holds the first reference (the spare half of the first word).
  Atomics.store(i32, mapTableWord(unit) * 2, 1);
  return handle;
}

/** The tables of the unreachable hash block at `unit`: its table, and the previous if growing. */
function tablesOf(memory: HeapMemory, unit: number): number[] {
  const value = committedNumber(memory.b64, mapTableWord(unit));
  const table = tableOfValue(value);
  if (!growingOfValue(value)) return [table];
  return [previousOf(memory, handleUnit(table as Handle)), table];
}

/** Calls `visit` with every entry of the unreachable hash block at `unit` (nobody writes it). */
function forEachEntryOf(memory: HeapMemory, unit: number, visit: (entry: number) => void): void {
  const { b64, i32 } = memory;
  const word = (tword: number): number => committedNumber(b64, tword);
  for (const table of tablesOf(memory, unit)) {
    if (table === 0) continue;
    const tableUnit = handleUnit(table as Handle);
    const buckets = i32[tableBucketsWord(tableUnit)] ?? 0;
    for (let bucket = 0; bucket < buckets; bucket += 1) {
      let entry = word(tableBucketWord(tableUnit, bucket));
      while (entry !== 0 && entry !== movedBucket) {
        visit(entry);
        entry = word(entryNextWord(handleUnit(entry as Handle)));
      }
    }
  }
}

/** A hash collection as a kind of shared object (objects/kinds.ts): what it holds and owns. */
export const hashKind = (
  tag: BlockTag,
  name: string,
  open: (context: HeapContext, handle: Handle) => object,
): SharedKind<HeapContext> => ({
  tag,
  name,
  open,
  forEachWord: (memory, unit, visit) => {
    forEachEntryOf(memory, unit, (entry) => {
      const entryUnit = handleUnit(entry as Handle);
      visit(Atomics.load(memory.b64, entryKeySlot(entryUnit)));
      visit(Atomics.load(memory.b64, twordValue(entryValueWord(entryUnit))));
    });
  },
  forEachOwnedBlock: (memory, unit, visit) => {
    forEachEntryOf(memory, unit, (entry) => {
      visit(currentHandleAt(memory.i32, handleUnit(entry as Handle)));
    });
    for (const table of tablesOf(memory, unit)) visit(table as Handle);
  },
  ownedTags: [mapTableTag, mapEntryTag],
  describeWord: (context, blockUnit, blockTag, word) => {
    // Entries and tables do not name their map: a set's are described as the first hash kind
    // registered (the map's), which is what they are.
    if (blockTag === mapEntryTag) {
      const key = context.codec.decode(context.memory.b64[entryKeySlot(blockUnit)] ?? 0n);
      return { object: name, part: word === entryValueWord(blockUnit) ? 'value' : 'link', key };
    }
    if (blockTag === mapTableTag) return { object: name, part: 'bucket' };
    if (word === mapTableWord(blockUnit)) return { object: name, part: 'table' };
    if (word === mapMovedWord(blockUnit)) return { object: name, part: 'growth' };
    return { object: name, part: 'size' };
  },
});

/**
 * (Past 600 lines on purpose: the class is `Array`'s thirty methods, each a few lines over the
 * shared helpers here; segments are made and walked in array-segments.ts.)
 *
 * `SharedArray`: an `Array` in shared memory (dense: no holes), changed in place under the STM,
 * with per-element conflicts. Layout: array-layout.ts.
 *
 * - **Elements are transactional words** in segments of doubling size reached through a
 *   directory of fixed length in the array block. Element i lives in segment `segmentOf(i)` at a
 *   fixed place for as long as that segment exists, so growth adds a segment and never copies an
 *   element word: a push that fills the last segment conflicts only with operations that read the
 *   new segment's directory word (which are reading past the end) or the length.
 * - **The hole invariant** (array-layout.ts): slot i holds a value iff i < length. So `at(i)` and
 *   `set(i, v)` for 0 ≤ i < length read the directory word and slot i only: two transactions that
 *   touch different elements never conflict, and neither conflicts with a push or pop of another
 *   element. Negative indexes, `length` and appending by `set(length, v)` read the length.
 * - **Rewrites** (splice, shift, unshift, sort, reverse, fill) compute the new sequence as a list
 *   of sources — an old index or a new value — and write only the slots whose source changes,
 *   then the length if it changed, then holes past the new length (`#relayout`). A moved value is
 *   copied, not moved: the engine drops the old value of every word a commit writes and discards
 *   the new value of every word an abort undoes, so each slot must own its word. Inline values
 *   (numbers, booleans, null, undefined) copy as they are; others are decoded and encoded again.
 *   Every new word is made before the first write, so an operation that throws (a value that
 *   cannot be stored, a full heap) leaves the array as it was.
 * - **Shrinking** returns memory: when the length falls so that two segments past the last
 *   element are empty, the last one is removed (retired at commit). The spare segment between is
 *   hysteresis, so pushing and popping across a segment boundary does not allocate every time.
 * - **Reads of many elements** (iteration, `toArray`, `slice`, the callback methods) read them
 *   in one transaction — the caller's, or one of their own — and see one consistent state; the
 *   callbacks then run over that snapshot, outside the method's own transaction, so a callback
 *   runs once per element even when reading had to be redone. An `Array` method would see the
 *   callback's own changes to the array; these do not.
 *
 * Outside a transaction every method is a transaction of its own; inside one, part of it.
 *
 * Known costs: moving a string, bigint or snapshot re-encodes it (measured ≈ 27 µs per moved
 * string against ≈ 4 µs per moved number, unshift on 10 000 elements); an engine operation that
 * writes a word without dropping the old one (a move within one structure) would remove that.
 * A segment added in an `orElse` branch that rolls back is freed while the attempt still holds
 * the locks it took on its slots; they are released by compare-and-swap on the exact owner word,
 * as for a map table added by `clear` in such a branch.
 */
import { currentHandleAt, handleUnit } from '../alloc/index.js';
import { LimitExceededError, type Handle } from '../base/index.js';
import {
  decodeInTransaction,
  ReferenceDied,
  type HeapContext,
  type SharedKind,
} from '../objects/index.js';
import { twordUnits, twordValue, type TxEngine } from '../stm/index.js';
import { holeWord, isIntentWord, numberOfWord, numberWord } from '../values/index.js';
import { createSegment, forEachArrayWord, forEachSegmentOf } from './array-segments.js';
import { CollectionWrapper } from './collection-wrapper.js';
import { readNumber, writeNumber } from './number-words.js';
import {
  arrayDirectoryWord,
  arrayLengthMax,
  arrayLengthWord,
  arrayPayloadBytes,
  arraySegmentTag,
  arrayTag,
  segmentOf,
  segmentsMax,
  segmentSlotWord,
  segmentStart,
} from './array-layout.js';

/** The units of the segments one operation has looked up (0: absent), by segment. */
type SegmentUnits = number[];

/** ECMAScript's ToIntegerOrInfinity for an index argument that is a number. */
function toInteger(value: number): number {
  // Math.trunc converts as ToNumber would (a caller outside TypeScript may pass a string).
  const integer = Math.trunc(value);
  return integer !== integer ? 0 : integer + 0;
}

/** A relative index argument (negative counts from the end), clamped to [0, length]. */
function relative(value: number | undefined, length: number, absent: number): number {
  if (value === undefined) return absent;
  const index = toInteger(value);
  return index < 0 ? Math.max(length + index, 0) : Math.min(index, length);
}

/** `Array.prototype.sort`'s order without a comparator: by string, undefined last. */
function defaultOrder(a: unknown, b: unknown): number {
  const left = String(a);
  const right = String(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** What `#atOutside` returns when it cannot answer without a transaction. */
const noAnswer: unique symbol = Symbol('no answer');

export class SharedArray<T = unknown> extends CollectionWrapper implements Iterable<T> {
  /** Wraps an array block whose pin the caller holds; use `createArray` or the heap's `open`. */
  constructor(context: HeapContext, handle: Handle) {
    super(context, handle, arrayTag, 'array');
  }

  readonly [Symbol.toStringTag] = 'SharedArray';

  /** Elements in the array. */
  get length(): number {
    return this.run('array.length', (engine) => this.#length(engine));
  }

  /** The element at `index`; a negative index counts from the end. Undefined if out of range. */
  at(index: number): T | undefined {
    if (this.outsideTransaction('array.at')) {
      const found = this.#atOutside(index);
      if (found !== noAnswer) return found as T | undefined;
    }
    return this.run('array.at', (engine) => {
      let at = toInteger(index);
      if (at < 0) at += this.#length(engine);
      if (at < 0 || at >= arrayLengthMax) return undefined;
      const tword = this.#slotWord(engine, at, []);
      if (tword === 0) return undefined;
      const word = engine.read(tword);
      if (word === holeWord) return undefined;
      return decodeInTransaction(this.context, engine, tword, word) as T;
    });
  }

  /**
   * Replaces element `index`, or appends when `index` is the length (no holes: any other index
   * is a RangeError). Throws NotShareableError (array unchanged) for a value that cannot be
   * stored, StaleHandleError for a shared object that no longer exists.
   */
  set(index: number, value: T): this {
    this.run('array.set', (engine) => {
      if (!Number.isInteger(index) || index < 0 || index > arrayLengthMax) {
        throw new RangeError(`array.set: index ${String(index)} is not an index of the array`);
      }
      const tword = index < arrayLengthMax ? this.#slotWord(engine, index, []) : 0;
      if (tword !== 0 && engine.read(tword) !== holeWord) {
        const entry = engine.lockCell(tword);
        // Encoded after the lock: an encoding error leaves only a lock, released with the attempt.
        engine.setValue(entry, this.context.encodeToStore(value));
        return;
      }
      const length = this.#length(engine);
      if (index !== length) {
        throw new RangeError(
          `array.set: index ${String(index)} is past the length ${String(length)} (no holes)`,
        );
      }
      this.#relayout(engine, length, length, [-1], [value]);
    });
    return this;
  }

  /** Appends `items`; returns the new length. */
  push(...items: T[]): number {
    return this.run('array.push', (engine) => {
      const length = this.#length(engine);
      if (items.length === 0) return length;
      this.#relayout(engine, length, length, newSources(items.length), items);
      return length + items.length;
    });
  }

  /** Removes the last element and returns it (undefined if the array is empty). */
  pop(): T | undefined {
    return this.run('array.pop', (engine) => {
      const length = this.#length(engine);
      if (length === 0) return undefined;
      const value = this.#valuesIn(engine, length - 1, length)[0];
      this.#relayout(engine, length, length - 1, [], []);
      return value;
    });
  }

  /** Removes the first element and returns it; every other element moves down one. */
  shift(): T | undefined {
    return this.run('array.shift', () => this.splice(0, 1)[0]);
  }

  /** Inserts `items` at the start; returns the new length. */
  unshift(...items: T[]): number {
    return this.run('array.unshift', (engine) => {
      this.splice(0, 0, ...items);
      return this.#length(engine);
    });
  }

  /**
   * Removes `deleteCount` elements from `start` (to the end if absent) and inserts `items` in
   * their place, like `Array.prototype.splice`; returns the removed elements.
   */
  splice(...args: [start?: number, deleteCount?: number, ...items: T[]]): T[] {
    return this.run('array.splice', (engine) => {
      const length = this.#length(engine);
      const [startArg, countArg] = args;
      const items = args.slice(2) as T[];
      const start = relative(startArg, length, 0);
      let count = 0;
      if (args.length === 1) count = length - start;
      else if (args.length > 1)
        count = Math.min(Math.max(toInteger(countArg ?? 0), 0), length - start);
      const removed = this.#valuesIn(engine, start, start + count);
      const sources = newSources(items.length);
      for (let index = start + count; index < length; index += 1) sources.push(index);
      this.#relayout(engine, length, start, sources, items);
      return removed;
    });
  }

  /** Elements `start` … `end` − 1 as a plain array (relative indexes, like `Array`'s). */
  slice(start?: number, end?: number): T[] {
    return this.run('array.slice', (engine) => {
      const length = this.#length(engine);
      const from = relative(start, length, 0);
      return this.#valuesIn(engine, from, Math.max(relative(end, length, length), from));
    });
  }

  /** The first index holding `search` (===) from `fromIndex` on, or −1. */
  indexOf(search: T, fromIndex?: number): number {
    return this.run('array.indexOf', (engine) => {
      const length = this.#length(engine);
      const from = relative(fromIndex, length, 0);
      return this.#search(engine, from, length, (value) => value === search);
    });
  }

  /** True if the array holds `search` (SameValueZero: NaN is found) from `fromIndex` on. */
  includes(search: T, fromIndex?: number): boolean {
    return this.run('array.includes', (engine) => {
      const length = this.#length(engine);
      const from = relative(fromIndex, length, 0);
      const lookingForNaN = search !== search;
      return (
        this.#search(engine, from, length, (value) =>
          lookingForNaN ? value !== value : value === search,
        ) !== -1
      );
    });
  }

  find(
    predicate: (value: T, index: number, array: this) => unknown,
    thisArg?: unknown,
  ): T | undefined {
    const values = this.#view('array.find');
    const index = values.findIndex((value, at) => predicate.call(thisArg, value, at, this));
    return index === -1 ? undefined : values[index];
  }

  findIndex(
    predicate: (value: T, index: number, array: this) => unknown,
    thisArg?: unknown,
  ): number {
    return this.#view('array.findIndex').findIndex((value, at) =>
      predicate.call(thisArg, value, at, this),
    );
  }

  some(predicate: (value: T, index: number, array: this) => unknown, thisArg?: unknown): boolean {
    return this.#view('array.some').some((value, at) => predicate.call(thisArg, value, at, this));
  }

  every(predicate: (value: T, index: number, array: this) => unknown, thisArg?: unknown): boolean {
    return this.#view('array.every').every((value, at) => predicate.call(thisArg, value, at, this));
  }

  forEach(callback: (value: T, index: number, array: this) => void, thisArg?: unknown): void {
    this.#view('array.forEach').forEach((value, at) => {
      callback.call(thisArg, value, at, this);
    });
  }

  /** A plain array of `callback`'s results. */
  map<U>(callback: (value: T, index: number, array: this) => U, thisArg?: unknown): U[] {
    return this.#view('array.map').map((value, at) => callback.call(thisArg, value, at, this));
  }

  /** A plain array of the elements `predicate` accepts. */
  filter(predicate: (value: T, index: number, array: this) => unknown, thisArg?: unknown): T[] {
    return this.#view('array.filter').filter((value, at) =>
      predicate.call(thisArg, value, at, this),
    );
  }

  reduce(callback: (previous: T, value: T, index: number, array: this) => T): T;
  reduce<U>(callback: (previous: U, value: T, index: number, array: this) => U, initial: U): U;
  reduce(
    reducer: (previous: never, value: T, index: number, array: this) => unknown,
    ...initial: unknown[]
  ): unknown {
    // Either overload's callback: the accumulator is whatever it returned last.
    const callback = reducer as (
      previous: unknown,
      value: T,
      index: number,
      array: this,
    ) => unknown;
    const values = this.#view('array.reduce');
    let at = 0;
    let accumulator: unknown;
    if (initial.length > 0) {
      accumulator = initial[0];
    } else {
      if (values.length === 0) throw new TypeError('Reduce of empty array with no initial value');
      accumulator = values[0];
      at = 1;
    }
    for (; at < values.length; at += 1) {
      accumulator = callback(accumulator, values[at] as T, at, this);
    }
    return accumulator;
  }

  /** The elements as strings joined by `separator` (null and undefined as ''), like `Array`'s. */
  join(separator = ','): string {
    return this.#view('array.join')
      .map((value) => (value === undefined || value === null ? '' : String(value)))
      .join(separator);
  }

  /**
   * Sorts in place, stably: by `compare`, or by string without one; undefined last, never passed
   * to `compare` (as `Array.prototype.sort`). If `compare` throws, the array is unchanged.
   */
  sort(compare?: (a: T, b: T) => number): this {
    if (compare !== undefined && typeof compare !== 'function') {
      throw new TypeError('array.sort: the comparator must be a function or undefined');
    }
    this.run('array.sort', (engine) => {
      const length = this.#length(engine);
      const values = this.#valuesIn(engine, 0, length);
      const defined: number[] = [];
      const undefinedAt: number[] = [];
      values.forEach((value, index) => (value === undefined ? undefinedAt : defined).push(index));
      if (compare === undefined) {
        const keys = values.map((value) => (value === undefined ? '' : String(value)));
        defined.sort((a, b) => defaultOrder(keys[a], keys[b]));
      } else {
        defined.sort((a, b) => {
          // As Array's SortCompare: the result is converted to a number, NaN meaning equal.
          const order: unknown = compare(values[a] as T, values[b] as T);
          if (typeof order !== 'number') return Number(order) || 0;
          return order !== order ? 0 : order;
        });
      }
      this.#relayout(engine, length, 0, defined.concat(undefinedAt), [], values);
    });
    return this;
  }

  /** Reverses in place. */
  reverse(): this {
    this.run('array.reverse', (engine) => {
      const length = this.#length(engine);
      const sources: number[] = [];
      for (let index = length - 1; index >= 0; index -= 1) sources.push(index);
      this.#relayout(engine, length, 0, sources, []);
    });
    return this;
  }

  /** Sets elements `start` … `end` − 1 to `value` (relative indexes); the length stays. */
  fill(value: T, start?: number, end?: number): this {
    this.run('array.fill', (engine) => {
      const length = this.#length(engine);
      const from = relative(start, length, 0);
      const to = Math.max(relative(end, length, length), from);
      const sources: number[] = [];
      for (let index = from; index < to; index += 1) sources.push(-1);
      for (let index = to; index < length; index += 1) sources.push(index);
      this.#relayout(engine, length, from, sources, [value]);
    });
    return this;
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this.#view('array.iterator')[Symbol.iterator]();
  }

  /** The elements as a plain array (one consistent state). */
  toArray(): T[] {
    return this.#view('array.toArray');
  }

  /**
   * `at(index)` for index ≥ 0 outside any transaction, without one: two atomic loads (the
   * directory word of the index's segment, then its slot), each the committed value at its load;
   * `noAnswer` on any doubt (a negative index, which needs the length; an intent; a value that
   * cannot be decoded safely), and the caller runs the transaction. Linearisation point: the slot's
   * load. A value there means index < length then (the hole invariant, array-layout.ts), so it is
   * the element at that moment. A hole, or no segment, means index ≥ length then. If the segment
   * was removed between the two loads, its slots were holes when it was removed and nobody
   * writes them afterwards, so the answer holds at the removal. The block read is live, or retired
   * and not yet freed, because this worker stays in one epoch: `stillValid` checks that at the
   * end.
   */
  #atOutside(index: number): unknown {
    const at = toInteger(index);
    if (!(at >= 0 && at < arrayLengthMax)) return noAnswer;
    const context = this.context;
    context.reclaim.enter();
    const b64 = context.memory.b64;
    const segment = segmentOf(at);
    const directory = Atomics.load(b64, twordValue(arrayDirectoryWord(this.unit, segment)));
    if (isIntentWord(directory)) return noAnswer;
    const handle = numberOfWord(directory) ?? 0;
    if (handle === 0) return undefined;
    const slot = segmentSlotWord(handleUnit(handle as Handle), at - segmentStart(segment));
    const word = Atomics.load(b64, twordValue(slot));
    if (isIntentWord(word)) return noAnswer;
    let value: unknown;
    try {
      value = word === holeWord ? undefined : context.codec.decode(word);
    } catch (error) {
      if (error instanceof ReferenceDied || !context.reclaim.stillValid()) return noAnswer;
      throw error;
    }
    return context.reclaim.stillValid() ? value : noAnswer;
  }

  /** The plain form for `JSON.stringify`: the elements as an array. */
  toJSON(): T[] {
    return this.#view('array.toJSON');
  }

  /** `util.inspect(array)`, and so the console, shows the elements, as for an `Array`. */
  [Symbol.for('nodejs.util.inspect.custom')](
    _depth: number,
    options: object,
    inspect: (value: unknown, options: object) => string,
  ): string {
    if (!this.usable) return 'SharedArray <closed>';
    const values = this.#view('array.inspect');
    return `SharedArray(${String(values.length)}) ${inspect(values, options)}`;
  }

  // ---------------------------------------------------------------- transactions

  /** Every element, read in one transaction. */
  #view(what: string): T[] {
    return this.run(what, (engine) => this.#valuesIn(engine, 0, this.#length(engine)));
  }

  #length(engine: TxEngine): number {
    return readNumber(engine, arrayLengthWord(this.unit));
  }

  /** The unit of segment `segment`, or 0 if absent; `units` caches the lookups of one operation. */
  #segmentUnit(engine: TxEngine, segment: number, units: SegmentUnits): number {
    const known = units[segment];
    if (known !== undefined) return known;
    const handle = readNumber(engine, arrayDirectoryWord(this.unit, segment));
    const unit = handle === 0 ? 0 : handleUnit(handle as Handle);
    units[segment] = unit;
    return unit;
  }

  /** The transactional word of element `index` (< arrayLengthMax), or 0 if no segment has it. */
  #slotWord(engine: TxEngine, index: number, units: SegmentUnits): number {
    const segment = segmentOf(index);
    const unit = this.#segmentUnit(engine, segment, units);
    return unit === 0 ? 0 : segmentSlotWord(unit, index - segmentStart(segment));
  }

  /** Elements `from` … `to` − 1 (all below the length), decoded. */
  #valuesIn(engine: TxEngine, from: number, to: number): T[] {
    const values: T[] = [];
    const units: SegmentUnits = [];
    const context = this.context;
    for (let index = from; index < to; index += 1) {
      const tword = this.#slotWord(engine, index, units);
      values.push(decodeInTransaction(context, engine, tword, engine.read(tword)) as T);
    }
    return values;
  }

  /** The first index in [from, to) whose element `matches`, or −1; reads no further. */
  #search(
    engine: TxEngine,
    from: number,
    to: number,
    matches: (value: unknown) => boolean,
  ): number {
    const units: SegmentUnits = [];
    const context = this.context;
    for (let index = from; index < to; index += 1) {
      const tword = this.#slotWord(engine, index, units);
      if (matches(decodeInTransaction(context, engine, tword, engine.read(tword)))) return index;
    }
    return -1;
  }

  /**
   * Makes the elements from `from` on the `sources` — an old index ≥ 0, or −1 − k for
   * `fresh[k]` — so that the length becomes `from + sources.length`, and the slots from there to
   * the old `length` holes. `decoded`, if given, holds the decoded old elements from index 0.
   * Writes only slots whose source is not their own index. Nothing is written unless every new
   * word could be made (see the file comment).
   */
  #relayout(
    engine: TxEngine,
    length: number,
    from: number,
    sources: readonly number[],
    fresh: readonly unknown[],
    decoded?: readonly unknown[],
  ): void {
    const context = this.context;
    const newLength = from + sources.length;
    if (newLength > arrayLengthMax) {
      throw new LimitExceededError(
        'arrayLengthMax',
        `array: ${String(newLength)} elements are more than an array can hold`,
      );
    }
    const units: SegmentUnits = [];
    // 1. What each changed slot will hold: read every moved element before writing any slot.
    const targets: number[] = [];
    const copied: (bigint | undefined)[] = [];
    const values: unknown[] = [];
    for (let offset = 0; offset < sources.length; offset += 1) {
      const source = sources[offset] ?? 0;
      const target = from + offset;
      if (source === target) continue;
      targets.push(target);
      if (source < 0) {
        copied.push(undefined);
        values.push(fresh[-1 - source]);
        continue;
      }
      const tword = this.#slotWord(engine, source, units);
      const word = engine.read(tword);
      if (!context.codec.mayHoldBlock(word)) {
        // Inline: owns no block and refers to nothing, so the same word may stand in two slots.
        copied.push(word);
        values.push(undefined);
      } else {
        copied.push(undefined);
        values.push(
          decoded !== undefined
            ? decoded[source]
            : decodeInTransaction(context, engine, tword, word),
        );
      }
    }
    // 2. The new words, all made before anything is written (each slot owns its word).
    const words: bigint[] = [];
    let handed = 0;
    try {
      for (let at = 0; at < targets.length; at += 1) {
        words.push(copied[at] ?? context.encodeToStore(values[at]));
      }
      // 3. Segments for the new elements, then the locks, then the writes.
      if (newLength > length) this.#addSegments(engine, length, newLength, units);
      const entries: number[] = [];
      for (const target of targets)
        entries.push(engine.lockCell(this.#slotWord(engine, target, units)));
      const holes: number[] = [];
      for (let index = newLength; index < length; index += 1) {
        holes.push(engine.lockCell(this.#slotWord(engine, index, units)));
      }
      for (let at = 0; at < entries.length; at += 1) {
        engine.setValue(entries[at] ?? 0, words[at] ?? 0n);
        handed += 1;
      }
      for (const entry of holes) engine.setValue(entry, holeWord);
    } catch (error) {
      for (let at = handed; at < words.length; at += 1) {
        context.discardUnpublished(words[at] ?? 0n);
      }
      throw error;
    }
    if (newLength !== length) writeNumber(engine, arrayLengthWord(this.unit), newLength);
    if (newLength < length) this.#removeSpareSegments(engine, newLength);
  }

  /** Adds the segments that elements `length` … `newLength` − 1 need and do not have. */
  #addSegments(engine: TxEngine, length: number, newLength: number, units: SegmentUnits): void {
    const context = this.context;
    const last = segmentOf(newLength - 1);
    for (let segment = segmentOf(length); segment <= last; segment += 1) {
      if (this.#segmentUnit(engine, segment, units) !== 0) continue;
      const handle = createSegment(context, segment);
      engine.onAbort(() => {
        // Never published: no other worker can have reached it.
        context.allocator.free(handle);
      });
      writeNumber(engine, arrayDirectoryWord(this.unit, segment), handle);
      units[segment] = handleUnit(handle);
    }
  }

  /**
   * Removes the segments past the one after the last element's (all holes), retiring them at
   * commit: a worker may still be reading one in a transaction that will fail its validation.
   */
  #removeSpareSegments(engine: TxEngine, newLength: number): void {
    const kept = newLength === 0 ? 1 : segmentOf(newLength - 1) + 2;
    for (let segment = kept; segment < segmentsMax; segment += 1) {
      const directory = arrayDirectoryWord(this.unit, segment);
      const handle = readNumber(engine, directory);
      if (handle === 0) return;
      writeNumber(engine, directory, 0);
      engine.onCommit(() => {
        this.context.reclaim.retireBlock(handle as Handle);
      });
    }
  }
}

/** Sources −1, −2, … −count: the new values 0 … count − 1 (see `#relayout`). */
function newSources(count: number): number[] {
  return Array.from({ length: count }, (_, index) => -1 - index);
}

/**
 * A new array holding `items`. It is not shared until its handle is published, so its words are
 * written directly, without a transaction. Nothing is allocated if an item cannot be stored.
 */
export function createArray<T>(context: HeapContext, items?: Iterable<T>): SharedArray<T> {
  context.checkOpen('heap.array');
  context.reclaim.enter();
  const values = items === undefined ? [] : [...items];
  if (values.length > arrayLengthMax) {
    throw new LimitExceededError(
      'arrayLengthMax',
      `heap.array: ${String(values.length)} elements are more than an array can hold`,
    );
  }
  const words: bigint[] = [];
  const blocks: Handle[] = [];
  let handle: Handle;
  try {
    for (const value of values) words.push(context.encodeToStore(value));
    const segments = values.length === 0 ? 0 : segmentOf(values.length - 1) + 1;
    for (let segment = 0; segment < segments; segment += 1) {
      blocks.push(createSegment(context, segment));
    }
    handle = context.allocator.allocate(arrayTag, arrayPayloadBytes);
  } catch (error) {
    for (const word of words) context.discardUnpublished(word);
    for (const block of blocks) context.allocator.free(block);
    throw error;
  }
  const unit = handleUnit(handle);
  const { i32, b64 } = context.memory;
  b64.fill(0n, unit + 1, unit + 1 + arrayPayloadBytes / 8);
  b64[twordValue(arrayLengthWord(unit))] = numberWord(values.length);
  blocks.forEach((block, segment) => {
    b64[twordValue(arrayDirectoryWord(unit, segment))] = numberWord(block);
  });
  words.forEach((word, index) => {
    const segment = segmentOf(index);
    const segmentUnit = handleUnit(blocks[segment] ?? (0 as Handle));
    b64[twordValue(segmentSlotWord(segmentUnit, index - segmentStart(segment)))] = word;
  });
  // The creator's wrapper holds the first reference (the spare half of the length word).
  // ORDERING: not shared yet; whoever publishes the handle does so with an atomic store.
  Atomics.store(i32, arrayLengthWord(unit) * 2, 1);
  const array = new SharedArray<T>(context, handle);
  context.adoptNewWrapper(handle, array);
  return array;
}

/** The array as a kind of shared object (objects/kinds.ts). */
export const arrayKind: SharedKind<HeapContext> = {
  tag: arrayTag,
  name: 'array',
  open: (context, handle) => new SharedArray(context, handle),
  forEachWord: forEachArrayWord,
  forEachOwnedBlock: (memory, unit, visit) => {
    forEachSegmentOf(memory, unit, (handle) => {
      visit(handle);
    });
  },
  ownedTags: [arraySegmentTag],
  describeWord: (context, blockUnit, blockTag, word) => {
    if (blockTag === arraySegmentTag) {
      // Segment k fills a block of 2^(k+8) bytes (array-layout.ts): its size names it.
      const bytes = context.allocator.capacityOf(currentHandleAt(context.memory.i32, blockUnit));
      const segment = 31 - Math.clz32(bytes + 8) - 8;
      const slot = (word - segmentSlotWord(blockUnit, 0)) / twordUnits;
      return { object: 'array', part: 'element', key: segmentStart(segment) + slot };
    }
    if (word === arrayLengthWord(blockUnit)) return { object: 'array', part: 'length' };
    return { object: 'array', part: 'segments' };
  },
};

/**
 * `SharedSet`: a `Set` in shared memory — the hash table of `SharedMap` (hash-table.ts) with every
 * entry's value `true`. Adding or deleting different values conflicts only when they share a
 * bucket; iteration is in insertion order, one consistent state.
 *
 * Outside a transaction every method is a transaction of its own; inside one, part of it.
 */
import type { Handle } from '../base/index.js';
import type { HeapContext } from '../objects/index.js';
import { atomicallyOn } from '../stm/index.js';
import { HashCollection } from './hash-collection.js';
import { noAnswer } from './hash-lookup.js';
import { createHashBlock, hashKind } from './hash-table.js';
import { setTag } from './map-layout.js';

export class SharedSet<T = unknown> extends HashCollection implements Iterable<T> {
  /** Wraps a set block whose pin the caller holds; use `createSet` or the heap's `open`. */
  constructor(context: HeapContext, handle: Handle) {
    super(context, handle, setTag, 'set');
  }

  readonly [Symbol.toStringTag] = 'SharedSet';

  has(value: T): boolean {
    if (this.outsideTransaction('set.has')) {
      const present = this.table.lookupOutside(value, 'set.has', false);
      if (present !== noAnswer) return present as boolean;
    }
    return this.run('set.has', (engine) => {
      return this.table.find(engine, this.table.probe(value, 'set.has')).entry !== 0;
    });
  }

  /**
   * Adds `value` (a primitive or a shared object; NotShareableError, set unchanged, for anything
   * else). Adding a value already there changes nothing, its place included.
   */
  add(value: T): this {
    this.run('set.add', (engine) => {
      const table = this.table;
      const probe = table.probe(value, 'set.add');
      const place = table.find(engine, probe);
      if (place.entry === 0) table.insert(engine, probe, place, true);
      if (place.growing) table.queueMigration(engine);
    });
    return this;
  }

  /** Removes `value`; true if it was there. */
  delete(value: T): boolean {
    return this.run('set.delete', (engine) => {
      const table = this.table;
      const place = table.find(engine, table.probe(value, 'set.delete'));
      if (place.entry === 0) return false;
      table.unlink(engine, place);
      if (place.growing) table.queueMigration(engine);
      return true;
    });
  }

  values(): IterableIterator<T> {
    const values = this.view('set.values').map((entry) => entry.key as T);
    return values[Symbol.iterator]();
  }

  /** The same as `values`, as for a `Set`. */
  keys(): IterableIterator<T> {
    return this.values();
  }

  /** `[value, value]` pairs, as for a `Set`. */
  entries(): IterableIterator<[T, T]> {
    const pairs = this.view('set.entries').map((entry): [T, T] => [entry.key as T, entry.key as T]);
    return pairs[Symbol.iterator]();
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this.values();
  }

  forEach(callback: (value: T, key: T, set: this) => void, thisArg?: unknown): void {
    for (const entry of this.view('set.forEach')) {
      callback.call(thisArg, entry.key as T, entry.key as T, this);
    }
  }

  /** The plain form for `JSON.stringify`: an array of the values in insertion order. */
  toJSON(): unknown[] {
    return this.view('set.toJSON').map((entry) => entry.key);
  }

  /** `util.inspect(set)`, and so the console, shows the values, as for a `Set`. */
  [Symbol.for('nodejs.util.inspect.custom')](
    _depth: number,
    options: object,
    inspect: (value: unknown, options: object) => string,
  ): string {
    if (!this.usable) return 'SharedSet <closed>';
    return `Shared${inspect(new Set(this.view('set.inspect').map((entry) => entry.key)), options)}`;
  }
}

/** A new set holding `values` (added in one transaction). */
export function createSet<T>(context: HeapContext, values?: Iterable<T>): SharedSet<T> {
  context.checkOpen('heap.set');
  context.reclaim.enter();
  const initial = values === undefined ? [] : [...values];
  const handle = createHashBlock(context, setTag, initial.length);
  const set = new SharedSet<T>(context, handle);
  context.adoptNewWrapper(handle, set);
  if (initial.length !== 0) {
    atomicallyOn(context.engine, () => {
      for (const value of initial) set.add(value);
    });
  }
  return set;
}

/** The set as a kind of shared object (objects/kinds.ts). */
export const setKind = hashKind(setTag, 'set', (context, handle) => new SharedSet(context, handle));

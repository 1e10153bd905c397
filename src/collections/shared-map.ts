/**
 * `SharedMap`: a `Map` in shared memory, changed in place under the STM, with per-key conflicts
 * (per bucket, in fact: hash-table.ts explains the table, its growth and its insertion order).
 *
 * Outside a transaction every method is a transaction of its own; inside one, part of it.
 * Iterators are snapshots: changes made after one was created are not seen by it (a `Map`'s
 * iterator would see some of them).
 */
import type { Handle } from '../base/index.js';
import type { HeapContext } from '../objects/index.js';
import { atomicallyOn } from '../stm/index.js';
import { HashCollection } from './hash-collection.js';
import { noAnswer } from './hash-lookup.js';
import { createHashBlock, hashKind } from './hash-table.js';
import { mapTag } from './map-layout.js';

export class SharedMap<K = unknown, V = unknown>
  extends HashCollection
  implements Iterable<[K, V]>
{
  /** Wraps a map block whose pin the caller holds; use `createMap` or the heap's `open`. */
  constructor(context: HeapContext, handle: Handle) {
    super(context, handle, mapTag, 'map');
  }

  readonly [Symbol.toStringTag] = 'SharedMap';

  get(key: K): V | undefined {
    if (this.outsideTransaction('map.get')) {
      const value = this.table.lookupOutside(key, 'map.get', true);
      if (value !== noAnswer) return value as V | undefined;
    }
    return this.run('map.get', (engine) => {
      const probe = this.table.probe(key, 'map.get');
      const place = this.table.find(engine, probe);
      if (place.entry === 0) return undefined;
      return this.table.readValue(engine, place.entry) as V;
    });
  }

  has(key: K): boolean {
    if (this.outsideTransaction('map.has')) {
      const present = this.table.lookupOutside(key, 'map.has', false);
      if (present !== noAnswer) return present as boolean;
    }
    return this.run('map.has', (engine) => {
      return this.table.find(engine, this.table.probe(key, 'map.has')).entry !== 0;
    });
  }

  /**
   * Sets the value of `key`. Throws NotShareableError (map unchanged) for a key or value that
   * cannot be stored, StaleHandleError for a shared object that no longer exists.
   */
  set(key: K, value: V): this {
    this.run('map.set', (engine) => {
      const probe = this.table.probe(key, 'map.set');
      const place = this.table.find(engine, probe);
      if (place.entry !== 0) {
        this.table.writeValue(engine, place.entry, value);
      } else {
        this.table.insert(engine, probe, place, value);
      }
      if (place.growing) this.table.queueMigration(engine);
    });
    return this;
  }

  /** Removes `key`; true if it was there. */
  delete(key: K): boolean {
    return this.run('map.delete', (engine) => {
      const place = this.table.find(engine, this.table.probe(key, 'map.delete'));
      if (place.entry === 0) return false;
      this.table.unlink(engine, place);
      if (place.growing) this.table.queueMigration(engine);
      return true;
    });
  }

  /**
   * Atomic read-modify-write of one key: `fn` gets the current value (undefined if absent) and
   * returns the new one. `fn` may run more than once (the transaction reruns on a conflict), so
   * it must be free of side effects. Returns the value stored, as `get` reads it back.
   */
  update(key: K, fn: (value: V | undefined) => V): V {
    return this.run('map.update', () => {
      this.set(key, fn(this.get(key)));
      return this.get(key) as V;
    });
  }

  entries(): IterableIterator<[K, V]> {
    const pairs = this.view('map.entries').map((entry): [K, V] => [
      entry.key as K,
      entry.value as V,
    ]);
    return pairs[Symbol.iterator]();
  }

  keys(): IterableIterator<K> {
    const keys = this.view('map.keys').map((entry) => entry.key as K);
    return keys[Symbol.iterator]();
  }

  values(): IterableIterator<V> {
    const values = this.view('map.values').map((entry) => entry.value as V);
    return values[Symbol.iterator]();
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: K, map: this) => void, thisArg?: unknown): void {
    for (const entry of this.view('map.forEach')) {
      callback.call(thisArg, entry.value as V, entry.key as K, this);
    }
  }

  /** The plain form for `JSON.stringify`: an object with the keys as property names. */
  toJSON(): Record<string, unknown> {
    const plain: Record<string, unknown> = {};
    for (const entry of this.view('map.toJSON')) plain[String(entry.key)] = entry.value;
    return plain;
  }

  /** `util.inspect(map)`, and so the console, shows the entries, as for a `Map`. */
  [Symbol.for('nodejs.util.inspect.custom')](
    _depth: number,
    options: object,
    inspect: (value: unknown, options: object) => string,
  ): string {
    if (!this.usable) return 'SharedMap <closed>';
    const shown = new Map(this.view('map.inspect').map((entry) => [entry.key, entry.value]));
    return `Shared${inspect(shown, options)}`;
  }

  // ---------------------------------------------------------------- transactions
}

/** A new map holding `entries` (inserted in one transaction). */
export function createMap<K, V>(
  context: HeapContext,
  entries?: Iterable<readonly [K, V]>,
): SharedMap<K, V> {
  context.checkOpen('heap.map');
  context.reclaim.enter();
  const initial = entries === undefined ? [] : [...entries];
  const handle = createHashBlock(context, mapTag, initial.length);
  const map = new SharedMap<K, V>(context, handle);
  context.adoptNewWrapper(handle, map);
  if (initial.length !== 0) {
    atomicallyOn(context.engine, () => {
      for (const [key, value] of initial) map.set(key, value);
    });
  }
  return map;
}

/** The map as a kind of shared object (objects/kinds.ts). */
export const mapKind = hashKind(mapTag, 'map', (context, handle) => new SharedMap(context, handle));

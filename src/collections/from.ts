/**
 * `heap.from(value)`: a plain JSON-like tree made into shared mutable objects in one call — plain
 * objects become objects with fields (`heap.object`), arrays `SharedArray`s, `Map`s `SharedMap`s
 * and `Set`s `SharedSet`s, all the way down; primitives and shared objects stay as they are.
 * A value reached twice (a DAG) becomes one shared object referred to twice; a cycle is refused
 * (`NotShareableError` naming its path), since a shared cycle is never freed (reference counts).
 *
 * The tree is built bottom-up, each container made with its converted contents; the wrappers of
 * inner containers are disposed once the tree holds them (the references in shared memory keep
 * them alive). If anything fails, every container made so far is dropped with it.
 */
import { NotShareableError } from '../base/index.js';
import type { HeapContext } from '../objects/index.js';
import { SharedObject } from '../values/index.js';
import { createArray, type SharedArray } from './shared-array.js';
import { createObject, type SharedFields } from './shared-fields.js';
import { createMap, type SharedMap } from './shared-map.js';
import { createSet, type SharedSet } from './shared-set.js';

/** The shared form of `T` that `heap.from` makes. */
export type Shared<T> = T extends SharedObject
  ? T
  : T extends ReadonlyMap<infer K, infer V>
    ? SharedMap<K, Shared<V>>
    : T extends ReadonlySet<infer U>
      ? SharedSet<Shared<U>>
      : T extends readonly (infer U)[]
        ? SharedArray<Shared<U>>
        : T extends object
          ? SharedFields<{ [K in keyof T]: Shared<T[K]> }>
          : T;

const isPlainObject = (value: object): boolean => {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

export function sharedFrom<T>(context: HeapContext, value: T): Shared<T> {
  context.checkOpen('heap.from');
  const made: (SharedObject & Disposable)[] = [];
  const converted = new Map<object, unknown>();
  const inProgress = new Set<object>();
  const convert = (item: unknown, path: string): unknown => {
    if (typeof item !== 'object' || item === null || item instanceof SharedObject) return item;
    const done = converted.get(item);
    if (done !== undefined) return done;
    if (inProgress.has(item)) {
      throw new NotShareableError(
        path,
        'a cycle: heap.from takes trees (shared cycles are never freed)',
      );
    }
    inProgress.add(item);
    let shared: SharedObject & Disposable;
    if (Array.isArray(item)) {
      const items = item.map((element: unknown, index) =>
        convert(element, `${path}[${String(index)}]`),
      );
      shared = createArray(context, items);
    } else if (item instanceof Map) {
      const entries = [...(item as Map<unknown, unknown>)].map(
        ([key, entry]): [unknown, unknown] => [
          convert(key, `${path} key`),
          convert(entry, `${path}.get(${String(key)})`),
        ],
      );
      shared = createMap(context, entries);
    } else if (item instanceof Set) {
      const values = [...(item as Set<unknown>)].map((element) =>
        convert(element, `${path} value`),
      );
      shared = createSet(context, values);
    } else if (isPlainObject(item)) {
      const fields: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(item))
        fields[key] = convert(field, `${path}.${key}`);
      shared = createObject(context, fields);
    } else {
      // A registered class's instance, or something the containers will refuse with their error.
      return item;
    }
    inProgress.delete(item);
    made.push(shared);
    converted.set(item, shared);
    return shared;
  };
  let result: unknown;
  try {
    result = convert(value, 'value');
  } catch (error) {
    for (const shared of made) shared[Symbol.dispose]();
    throw error;
  }
  // The tree holds every inner container now: only the top one keeps a wrapper.
  for (const shared of made) if (shared !== result) shared[Symbol.dispose]();
  return result as Shared<T>;
}

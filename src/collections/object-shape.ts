/**
 * Shapes of shared objects with fields, and the classes a worker registered: what a worker needs
 * to know to make its wrapper of an object it did not create (layout: object-layout.ts).
 *
 * A shape is an immutable block naming an object's class (or none) and its fields, in order, as
 * one descriptor string: the JSON of `[className | null, ...fieldNames]` (JSON because a field
 * name may hold any character). It is a shared object of its own kind (`shapeKind`), counted like
 * any other: each object of the shape holds one reference to it, so the last object to go takes
 * the shape with it. A creating worker keeps the shapes it made in a small cache, pinned by an
 * internal wrapper, so that its next object of the same shape reuses the block instead of
 * writing the names again; the cache is bounded (`shapeCacheMax`), and an evicted shape lives on
 * as long as objects refer to it.
 *
 * A reading worker decodes a shape block once, and keeps what it made of it (its `ShapeInfo`:
 * names, class, generated prototype) per descriptor, so every object of that shape in this
 * worker — whichever worker created it — shares one prototype and one set of accessors, which
 * keeps property access monomorphic. Blocks it already met are found by handle, checked against
 * the block's header word (tag and full generation), so a freed and reused block is never taken
 * for the shape it held before.
 *
 * Classes: code is never stored (DESIGN.md §7). Each worker registers its classes under names
 * (`registerClass`), and a shape carries the name; a worker that opens the object and registered
 * the name gets its own class's methods.
 */
import { handleUnit } from '../alloc/index.js';
import { BugError, StaleHandleError, type Handle } from '../base/index.js';
import type { HeapContext, SharedKind } from '../objects/index.js';
import { SharedObject } from '../values/index.js';
import {
  objectFieldsMax,
  refcountOf,
  shapeFieldCountWord,
  shapeLengthWord,
  shapePayloadBytes,
  shapeTag,
  shapeUnitsIndex,
} from './object-layout.js';

/** Shapes a creating worker keeps pinned for reuse; the oldest is let go past this. */
export const shapeCacheMax = 256;
/** Decoded shapes a worker keeps by handle and by descriptor; the caches restart past this. */
export const shapeInfoCacheMax = 4096;

/** A class that can be registered: anything `new` can call, with a prototype object. */
export type RegistrableClass = abstract new (...args: never[]) => object;

/** The part of a shape that is this worker's: names, class, and what reads it (shared-fields). */
export interface ShapeInfo<Extra> {
  readonly descriptor: string;
  /** The registered class name the shape carries, or null for a plain object. */
  readonly className: string | null;
  readonly names: readonly string[];
  /** The class registered under `className` in this worker, if any. */
  readonly registered: RegistrableClass | undefined;
  /** What the layer above builds for the shape (its prototype and accessors). */
  readonly extra: Extra;
}

/**
 * This worker's wrapper of a shape block: it holds one pin on the shape while a creator's cache
 * keeps it. Never handed to users (no reference to a shape leaves the library).
 */
export class SharedShape extends SharedObject {
  readonly #context: HeapContext;

  constructor(context: HeapContext, handle: Handle) {
    super(context.heapId, handle, shapeTag);
    this.#context = context;
  }

  [Symbol.dispose](): void {
    if (this.#context.closed) return;
    this.#context.wrappers.dispose(this.handle, this);
  }
}

/** Shapes as a kind of shared object: a shape block holds no slot words and owns no blocks. */
export const shapeKind: SharedKind<HeapContext> = {
  tag: shapeTag,
  name: 'shape',
  open: (context, handle) => new SharedShape(context, handle),
  forEachWord: () => undefined,
};

/** The descriptor of a shape: JSON of [class name or null, ...field names]. */
export const shapeDescriptor = (className: string | null, names: readonly string[]): string =>
  JSON.stringify([className, ...names]);

/** Per heap and worker: registered classes, shapes made, shapes decoded. */
export class ShapeRegistry<Extra> {
  readonly #context: HeapContext;
  readonly #build: (info: Omit<ShapeInfo<Extra>, 'extra'>) => Extra;
  readonly #classByName = new Map<string, RegistrableClass>();
  readonly #nameByPrototype = new Map<object, string>();
  /** Shapes this worker created, pinned, by descriptor (insertion order: oldest first). */
  readonly #made = new Map<string, SharedShape>();
  /** Decoded shapes by descriptor. */
  readonly #byDescriptor = new Map<string, ShapeInfo<Extra>>();
  /** Decoded shape blocks by handle, with the header word they had. */
  readonly #byHandle = new Map<
    number,
    { readonly word0: number; readonly info: ShapeInfo<Extra> }
  >();

  constructor(context: HeapContext, build: (info: Omit<ShapeInfo<Extra>, 'extra'>) => Extra) {
    this.#context = context;
    this.#build = build;
  }

  /**
   * Registers `Class` under `name` in this worker. Registering the same pair again does nothing;
   * a name taken by another class, or a class registered under another name, is a TypeError.
   * Shapes decoded before are rebuilt on their next use (wrappers made already keep theirs).
   */
  registerClass(Class: RegistrableClass, name: string): void {
    if (typeof Class !== 'function' || typeof Class.prototype !== 'object') {
      throw new TypeError('heap.registerClass: expected a class');
    }
    if (typeof name !== 'string' || name.length === 0) {
      throw new TypeError(
        'heap.registerClass: a class needs a non-empty name (an anonymous class: pass one)',
      );
    }
    const known = this.#classByName.get(name);
    const knownName = this.#nameByPrototype.get(Class.prototype as object);
    if (known === Class && knownName === name) return;
    if (known !== undefined) {
      throw new TypeError(`heap.registerClass: the name '${name}' is taken by another class`);
    }
    if (knownName !== undefined) {
      throw new TypeError(
        `heap.registerClass: this class is registered already, as '${knownName}'`,
      );
    }
    this.#classByName.set(name, Class);
    this.#nameByPrototype.set(Class.prototype as object, name);
    for (const [descriptor, info] of this.#byDescriptor) {
      if (info.className === name) this.#byDescriptor.delete(descriptor);
    }
    this.#byHandle.clear();
  }

  /** The registered name of the class whose instance `value` is; null for a plain object. */
  classNameOf(value: object, what: string): string | null {
    const prototype = Object.getPrototypeOf(value) as object | null;
    if (prototype === null || prototype === Object.prototype) return null;
    const name = this.#nameByPrototype.get(prototype);
    if (name !== undefined) return name;
    if (value instanceof SharedObject) {
      throw new TypeError(`${what}: the value is a shared object already (store a reference)`);
    }
    const constructor = (prototype as { constructor?: { name?: unknown } }).constructor;
    const shown =
      typeof constructor?.name === 'string' && constructor.name !== ''
        ? constructor.name
        : 'its class';
    throw new TypeError(
      `${what}: ${shown} is not a registered class: call heap.registerClass(${shown}) in every ` +
        `worker that uses it (plain objects and instances of registered classes only)`,
    );
  }

  /** A shape block for `descriptor`, pinned by this worker's cache (made if needed). */
  shapeToStore(className: string | null, names: readonly string[]): SharedShape {
    const descriptor = shapeDescriptor(className, names);
    const cached = this.#made.get(descriptor);
    if (cached !== undefined) return cached;
    const shape = this.#writeShape(descriptor, names.length);
    this.#made.set(descriptor, shape);
    // Past the bound, the oldest goes (a Map iterates in insertion order).
    for (const [oldestDescriptor, oldest] of this.#made) {
      if (this.#made.size <= shapeCacheMax) break;
      this.#made.delete(oldestDescriptor);
      oldest[Symbol.dispose]();
    }
    return shape;
  }

  /** What this worker made of the shape `handle` names (the caller keeps the shape alive). */
  infoAt(handle: Handle): ShapeInfo<Extra> {
    const i32 = this.#context.memory.i32;
    const unit = handleUnit(handle);
    const word0 = i32[unit * 2] ?? 0;
    const known = this.#byHandle.get(handle);
    if (known?.word0 === word0) return known.info;
    this.#context.allocator.blockUnit(handle, shapeTag);
    const info = this.infoOf(readDescriptor(this.#context, unit));
    if (this.#byHandle.size >= shapeInfoCacheMax) this.#byHandle.clear();
    this.#byHandle.set(handle, { word0, info });
    return info;
  }

  /** What this worker makes of `descriptor`: decoded and built once. */
  infoOf(descriptor: string): ShapeInfo<Extra> {
    const known = this.#byDescriptor.get(descriptor);
    if (known !== undefined) return known;
    const parsed = JSON.parse(descriptor) as unknown;
    if (!Array.isArray(parsed) || !parsed.slice(1).every((name) => typeof name === 'string')) {
      throw new BugError(`shape descriptor ${descriptor} is not [class, ...names]`);
    }
    const [className, ...names] = parsed as [string | null, ...string[]];
    const registered = className === null ? undefined : this.#classByName.get(className);
    const base = { descriptor, className, names, registered };
    const info: ShapeInfo<Extra> = { ...base, extra: this.#build(base) };
    if (this.#byDescriptor.size >= shapeInfoCacheMax) this.#byDescriptor.clear();
    this.#byDescriptor.set(descriptor, info);
    return info;
  }

  #writeShape(descriptor: string, fields: number): SharedShape {
    if (fields > objectFieldsMax) {
      throw new RangeError(
        `heap.object: ${String(fields)} fields, more than ${String(objectFieldsMax)} (use a map)`,
      );
    }
    const context = this.#context;
    const handle = context.allocator.allocate(shapeTag, shapePayloadBytes(descriptor.length));
    const unit = handleUnit(handle);
    const { i32, u16 } = context.memory;
    i32[shapeFieldCountWord(unit)] = fields;
    i32[shapeLengthWord(unit)] = descriptor.length;
    i32[shapeLengthWord(unit) + 1] = 0;
    const first = shapeUnitsIndex(unit);
    for (let index = 0; index < descriptor.length; index += 1) {
      u16[first + index] = descriptor.charCodeAt(index);
    }
    // The creator's cache holds the first reference (its wrapper's pin).
    Atomics.store(i32, refcountOf(unit), 1);
    const shape = new SharedShape(context, handle);
    context.adoptNewWrapper(handle, shape);
    return shape;
  }
}

/** The descriptor of the shape block at `unit` (immutable: plain reads, see object-layout.ts). */
function readDescriptor(context: HeapContext, unit: number): string {
  const { i32, u16 } = context.memory;
  const length = i32[shapeLengthWord(unit)] ?? 0;
  const first = shapeUnitsIndex(unit);
  let descriptor = '';
  // Chunks keep `fromCharCode`'s argument list short.
  const chunk = 4096;
  for (let start = 0; start < length; start += chunk) {
    const units = u16.subarray(first + start, first + Math.min(length, start + chunk));
    descriptor += String.fromCharCode(...units);
  }
  if (descriptor.length !== length) throw new StaleHandleError(`shape block ${String(unit)}`);
  return descriptor;
}

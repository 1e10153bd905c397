/**
 * How the codec recognises a shared object: every worker-side wrapper of a shared mutable object
 * (cells, maps, arrays, structs) extends `SharedObject`, which carries the heap it belongs to and
 * the handle of its block. Storing one stores that handle (a reference, `SlotTag.shared`), never
 * a copy; decoding one asks the higher layer, through the codec's `openShared` callback, for this
 * worker's wrapper of that handle. The class lives here, below every kind of shared object, so the
 * codec can test `instanceof SharedObject` without importing the layers above it.
 *
 * A shared object with fields whose class a worker registered (collections/shared-fields.ts) has
 * the user's class in its prototype chain, not `SharedObject`: a chain is a line, and the user's
 * class has its own parents. So `instanceof SharedObject` tests a brand that
 * `SharedObject.prototype` carries and that such objects' generated prototypes carry too, rather
 * than the chain. `instanceof` of a subclass (`SharedMap`) still tests the chain.
 */
import type { BlockTag } from '../alloc/index.js';
import type { Handle } from '../base/index.js';

/**
 * A structured-cloneable name for a shared object: send it to another worker and reopen it there
 * with `heap.open(ref)`. Plain data, so it survives `postMessage`.
 */
export interface SharedRef {
  readonly kind: 'shared-objects/ref';
  readonly heapId: number;
  readonly handle: number;
  readonly tag: number;
}

/** The brand of shared-object wrappers (package-internal: `src/index.ts` does not export it). */
export const sharedObjectBrand: unique symbol = Symbol('shared-objects/shared-object');

export abstract class SharedObject {
  /** `value instanceof SharedObject`: branded (see above); subclasses test the chain. */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (this !== SharedObject) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && sharedObjectBrand in value;
  }

  /** The heap whose memory holds the object (`HeapMemory.heapId`). */
  readonly heapId: number;
  /** The handle of the object's block. */
  readonly handle: Handle;
  /** The block tag of the object's block: which kind of shared object this is. */
  readonly tag: BlockTag;

  protected constructor(heapId: number, handle: Handle, tag: BlockTag) {
    this.heapId = heapId;
    this.handle = handle;
    this.tag = tag;
  }

  /** A cloneable reference to this object, for `postMessage` and `heap.open`. */
  get ref(): SharedRef {
    return { kind: 'shared-objects/ref', heapId: this.heapId, handle: this.handle, tag: this.tag };
  }
}

Object.defineProperty(SharedObject.prototype, sharedObjectBrand, { value: true });

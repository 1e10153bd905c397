/**
 * A shared cell: one mutable slot in shared memory holding any storable value.
 *
 * | field      | offset | size | atomic | written by              | invariant                       |
 * |------------|--------|------|--------|-------------------------|---------------------------------|
 * | header     | 0      | 8    | no     | allocator               | tag `BlockTag.cell`             |
 * | value      | 8      | 8    | yes    | any worker: store, CAS  | an encoded slot word (values/)  |
 *
 * The value is one 64-bit word changed only by `Atomics.exchange` (set) and
 * `Atomics.compareExchange` (update) on a `BigInt64Array`: every operation is atomic on its own
 * and lock-free, and a worker that dies mid-operation leaves the cell either changed or not.
 * Linearisation points: the exchange (set), the successful CAS (update), the load (get).
 * A replaced value's block is retired, not freed at once: another worker may be decoding it right
 * now. Reclamation (reclaim/) frees it after every worker has passed a quiescent point.
 *
 * The transactional layer (the STM issue) will make cells read and written inside `atomically`.
 */
import { BlockTag } from '../alloc/index.js';
import { assert, BugError, limits, StaleHandleError, type Handle } from '../base/index.js';
import { SharedObject } from '../values/index.js';
import type { HeapContext } from './context.js';

export class SharedCell<T> extends SharedObject {
  readonly #context: HeapContext;
  /** Index of the value word in the heap's BigInt64Array. */
  readonly #valueSlot: number;
  /** The header word 0 the block had when this wrapper was made: tag and full generation. */
  readonly #headerWord0: number;
  readonly #headerWordIndex: number;

  /** Wraps a validated cell block; use `createCell` or the heap's `open`. */
  constructor(context: HeapContext, handle: Handle) {
    super(context.heapId, handle, BlockTag.cell);
    const unit = context.allocator.blockUnit(handle, BlockTag.cell);
    this.#context = context;
    this.#valueSlot = unit + 1;
    this.#headerWordIndex = unit * 2;
    this.#headerWord0 = context.memory.i32[unit * 2] ?? 0;
  }

  /** The current value. Strings, bigints, arrays and objects come back as immutable copies. */
  get(): T {
    this.#check('cell.get');
    const { reclaim, memory } = this.#context;
    for (let redo = 0; redo < limits.neutralisedRedoMax; redo += 1) {
      reclaim.enter();
      // ORDERING: pairs with the exchange/CAS that published the word and the block it names.
      const read = this.#decode(Atomics.load(memory.b64, this.#valueSlot));
      if (read !== neutralised) return read as T;
    }
    return assertNeverNeutralisedTooOften();
  }

  /** Replaces the value. Throws NotShareableError (cell unchanged) for values that cannot be stored. */
  set(value: T): void {
    this.#check('cell.set');
    const context = this.#context;
    context.reclaim.enter();
    const word = context.encode(value);
    try {
      context.reclaim.prepareRetire();
    } catch (error) {
      context.codec.release(word);
      throw error;
    }
    const old = Atomics.exchange(context.memory.b64, this.#valueSlot, word);
    context.retireSlotWord(old);
  }

  /**
   * Atomic read-modify-write: no update is lost and no value is torn. `fn` may run more than once
   * when other workers change the cell meanwhile (as with any compare-and-swap loop), so it must be
   * free of side effects. If `fn` throws, the cell is unchanged and the error propagates.
   * Returns the value stored (as `get` would read it back).
   */
  update(fn: (value: T) => T): T {
    this.#check('cell.update');
    const context = this.#context;
    const { b64 } = context.memory;
    for (let attempt = 0; attempt < limits.cellUpdateAttemptsMax; attempt += 1) {
      context.reclaim.enter();
      const old = Atomics.load(b64, this.#valueSlot);
      const current = this.#decode(old);
      if (current === neutralised) continue;
      const next = context.encode(fn(current as T));
      try {
        context.reclaim.prepareRetire();
      } catch (error) {
        context.codec.release(next);
        throw error;
      }
      // ORDERING: the successful CAS is the update's linearisation point. The old word cannot
      // come back (ABA): its block is retired, and a block freed and reused gets a new generation.
      if (Atomics.compareExchange(b64, this.#valueSlot, old, next) === old) {
        context.retireSlotWord(old);
        return context.codec.decode(next) as T;
      }
      context.codec.release(next);
    }
    assert(false, `cell.update lost ${limits.cellUpdateAttemptsMax} races in a row`);
  }

  /**
   * Decodes a word read in this operation, or returns `neutralised` if this worker was neutralised
   * meanwhile: the block may have been freed under the decoder, so the result (or the error it
   * threw) means nothing and the operation must be redone.
   */
  #decode(word: bigint): unknown {
    const { codec, reclaim } = this.#context;
    let value: unknown;
    try {
      value = codec.decode(word);
    } catch (error) {
      if (reclaim.stillValid()) throw error;
      return neutralised;
    }
    return reclaim.stillValid() ? value : neutralised;
  }

  #check(what: string): void {
    this.#context.checkOpen(what);
    if (this.#context.memory.i32[this.#headerWordIndex] !== this.#headerWord0) {
      throw new StaleHandleError(`${what}: the cell was freed`);
    }
  }
}

const neutralised: unique symbol = Symbol('neutralised');

function assertNeverNeutralisedTooOften(): never {
  throw new BugError(`neutralised ${limits.neutralisedRedoMax} times in one operation`);
}

/** A new cell holding `initial`. Nothing is allocated if `initial` cannot be stored. */
export function createCell<T>(context: HeapContext, initial: T): SharedCell<T> {
  context.checkOpen('heap.cell');
  context.reclaim.enter();
  const word = context.encode(initial);
  let handle: Handle;
  try {
    handle = context.allocator.allocate(BlockTag.cell, 8);
  } catch (error) {
    context.codec.release(word);
    throw error;
  }
  const unit = context.allocator.blockUnit(handle, BlockTag.cell);
  // ORDERING: the cell is not shared yet; its handle is published later by an atomic store.
  Atomics.store(context.memory.b64, unit + 1, word);
  return new SharedCell<T>(context, handle);
}

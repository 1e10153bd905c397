/**
 * A shared cell: one mutable slot in shared memory holding any storable value.
 *
 * | field    | offset | size | atomic | written by                 | invariant                      |
 * |----------|--------|------|--------|----------------------------|--------------------------------|
 * | header   | 0      | 8    | no     | allocator                  | tag `BlockTag.cell`            |
 * | refcount | 8      | 4    | yes    | any worker (lifetime.ts)   | stored references + pins       |
 * | (pad)    | 12     | 4    |        |                            | zero                           |
 * | value    | 16     | 8    | yes    | any worker: exchange, CAS  | an encoded slot word (values/) |
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
import { ReferenceDied, type HeapContext } from './context.js';
import { refcountWord } from './lifetime.js';

const cellPayloadBytes = 16;
const valueSlotOffset = 2;
const redo: unique symbol = Symbol('redo');

export class SharedCell<T> extends SharedObject {
  readonly #context: HeapContext;
  /** Index of the value word in the heap's BigInt64Array. */
  readonly #valueSlot: number;
  /** The header word 0 the block had when this wrapper was made: tag and full generation. */
  readonly #headerWord0: number;
  readonly #headerWordIndex: number;
  #disposed = false;

  /** Wraps a cell block whose pin the caller holds; use `createCell` or the heap's `open`. */
  constructor(context: HeapContext, handle: Handle) {
    super(context.heapId, handle, BlockTag.cell);
    const unit = context.allocator.blockUnit(handle, BlockTag.cell);
    this.#context = context;
    this.#valueSlot = unit + valueSlotOffset;
    this.#headerWordIndex = unit * 2;
    this.#headerWord0 = context.memory.i32[unit * 2] ?? 0;
  }

  /** The current value. Strings, bigints, arrays and objects come back as immutable copies. */
  get(): T {
    this.#check('cell.get');
    const context = this.#context;
    context.reclaim.enter();
    // ORDERING: pairs with the exchange/CAS that published the word and the block it names.
    const word = Atomics.load(context.memory.b64, this.#valueSlot);
    if (!context.codec.mayHoldBlock(word)) return context.codec.decode(word) as T;
    for (let attempt = 0; attempt < limits.neutralisedRedoMax; attempt += 1) {
      if (attempt > 0) context.reclaim.enter();
      const read = this.#decode(Atomics.load(context.memory.b64, this.#valueSlot));
      if (read !== redo) return read as T;
    }
    throw new BugError(`cell.get redone ${limits.neutralisedRedoMax} times`);
  }

  /**
   * Replaces the value. Throws NotShareableError (cell unchanged) for values that cannot be
   * stored, StaleHandleError if the value refers to a shared object that no longer exists.
   */
  set(value: T): void {
    this.#check('cell.set');
    const context = this.#context;
    context.reclaim.enter();
    const word = context.encodeToStore(value);
    const old = Atomics.exchange(context.memory.b64, this.#valueSlot, word);
    context.lifetime.dropWord(old);
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
      if (current === redo) continue;
      const next = context.encodeToStore(fn(current as T));
      // ORDERING: the successful CAS is the update's linearisation point. The old word cannot
      // come back (ABA): its block is retired, and a block freed and reused gets a new generation.
      if (Atomics.compareExchange(b64, this.#valueSlot, old, next) === old) {
        context.lifetime.dropWord(old);
        return context.codec.decode(next) as T;
      }
      context.discardUnpublished(next);
    }
    assert(false, `cell.update lost ${limits.cellUpdateAttemptsMax} races in a row`);
  }

  /** Lets go of this wrapper now instead of when it is garbage collected. Later use throws. */
  [Symbol.dispose](): void {
    if (this.#disposed || this.#context.closed) return;
    this.#disposed = true;
    this.#context.wrappers.dispose(this.handle, this);
  }

  /**
   * Decodes a word read in this operation, or returns `redo` if the read must be redone: this
   * worker was neutralised meanwhile (the block may have been freed under the decoder, so the
   * result or the error it threw means nothing), or a shared object the word refers to was
   * destroyed right after the read.
   */
  #decode(word: bigint): unknown {
    const { codec, reclaim } = this.#context;
    let value: unknown;
    try {
      value = codec.decode(word);
    } catch (error) {
      if (error instanceof ReferenceDied) return redo;
      if (reclaim.stillValid()) throw error;
      return redo;
    }
    return reclaim.stillValid() ? value : redo;
  }

  #check(what: string): void {
    this.#context.checkOpen(what);
    if (this.#disposed) throw new StaleHandleError(`${what}: this wrapper was disposed`);
    if (this.#context.memory.i32[this.#headerWordIndex] !== this.#headerWord0) {
      throw new StaleHandleError(`${what}: the cell was freed`);
    }
  }
}

/** A new cell holding `initial`. Nothing is allocated if `initial` cannot be stored. */
export function createCell<T>(context: HeapContext, initial: T): SharedCell<T> {
  context.checkOpen('heap.cell');
  context.reclaim.enter();
  const word = context.encodeToStore(initial);
  let handle: Handle;
  try {
    handle = context.allocator.allocate(BlockTag.cell, cellPayloadBytes);
  } catch (error) {
    context.discardUnpublished(word);
    throw error;
  }
  const unit = context.allocator.blockUnit(handle, BlockTag.cell);
  const i32 = context.memory.i32;
  // The creator's wrapper holds the first reference.
  Atomics.store(i32, refcountWord(unit), 1);
  i32[refcountWord(unit) + 1] = 0;
  // ORDERING: the cell is not shared yet; its handle is published later by an atomic store.
  Atomics.store(context.memory.b64, unit + valueSlotOffset, word);
  const cell = new SharedCell<T>(context, handle);
  context.adoptNewWrapper(handle, cell);
  return cell;
}

/**
 * A shared cell: one mutable, transactional slot in shared memory holding any storable value
 * (its block layout and reading protocol: cell-block.ts).
 *
 * Inside `atomically` its `get`/`set`/`update` are part of the running transaction. Outside,
 * each call is a transaction of its own; `get` then needs no transaction at all: one atomic load
 * of the value word, which is the latest committed value unless it holds an intent (a commit in
 * progress, which the reader resolves first). Linearisation point of such a `get`: that load.
 *
 * A replaced value's block is retired, not freed at once: another worker may be decoding it right
 * now. Reclamation (reclaim/) frees it after every worker has passed a quiescent point.
 */
import { BlockTag } from '../alloc/index.js';
import { StaleHandleError, type Handle } from '../base/index.js';
import type { HeapMemory } from '../memory/index.js';
import { atomicallyOn, initTword, transactionEngine, type TxEngine } from '../stm/index.js';
import { SharedObject } from '../values/index.js';
import { cellPayloadBytes, cellTword, cellValueSlot } from './cell-block.js';
import type { HeapContext } from './context.js';
import type { SharedKind } from './kinds.js';
import { refcountWord } from './lifetime.js';
import { decodeInTransaction, readOutside } from './read-value.js';

export class SharedCell<T> extends SharedObject {
  readonly #context: HeapContext;
  readonly #unit: number;
  /** The address of its transactional word (tword.ts). */
  readonly #tword: number;
  /** The header word 0 the block had when this wrapper was made: tag and full generation. */
  readonly #headerWord0: number;
  #disposed = false;

  /** Wraps a cell block whose pin the caller holds; use `createCell` or the heap's `open`. */
  constructor(context: HeapContext, handle: Handle) {
    super(context.heapId, handle, BlockTag.cell);
    const unit = context.allocator.blockUnit(handle, BlockTag.cell);
    this.#context = context;
    this.#unit = unit;
    this.#tword = cellTword(unit);
    this.#headerWord0 = context.memory.i32[unit * 2] ?? 0;
  }

  /** The current value. Strings, bigints, arrays and objects come back as immutable copies. */
  get(): T {
    this.#check('cell.get');
    const context = this.#context;
    const engine = transactionEngine(context.engine);
    if (engine !== undefined) {
      return decodeInTransaction(context, engine, this.#tword, engine.read(this.#tword)) as T;
    }
    return readOutside(context, this.#tword) as T;
  }

  /**
   * Replaces the value. Throws NotShareableError (cell unchanged) for values that cannot be
   * stored, StaleHandleError if the value refers to a shared object that no longer exists.
   */
  set(value: T): void {
    this.#check('cell.set');
    const engine = transactionEngine(this.#context.engine);
    if (engine !== undefined) {
      this.#write(engine, value);
      return;
    }
    atomicallyOn(this.#context.engine, () => {
      this.set(value);
    });
  }

  /**
   * Atomic read-modify-write: no update is lost and no value is torn. `fn` may run more than once
   * when other workers change the cell meanwhile (the transaction reruns), so it must be free of
   * side effects. If `fn` throws, the cell is unchanged and the error propagates. Returns the
   * value stored (as `get` would read it back).
   */
  update(fn: (value: T) => T): T {
    this.#check('cell.update');
    return atomicallyOn(this.#context.engine, () => {
      const next = fn(this.get());
      this.set(next);
      return this.get();
    });
  }

  /**
   * Adds `delta` to the number the cell holds, without reading it: concurrent `add`s commute, so
   * they never fail each other's validation (a counter that many transactions bump is not a
   * conflict; they only queue briefly on the cell's lock while committing). Inside a transaction
   * the sum is taken at its commit, and a later `get` in it sees the sum. If the cell does not
   * hold a number then, it throws a TypeError and nothing is committed.
   */
  add(this: SharedCell<number>, delta: number): void {
    this.#check('cell.add');
    if (typeof delta !== 'number') {
      throw new TypeError(`cell.add: the amount must be a number (got ${typeof delta})`);
    }
    const engine = transactionEngine(this.#context.engine);
    if (engine !== undefined) {
      engine.commute(this.#tword, delta);
      return;
    }
    atomicallyOn(this.#context.engine, () => {
      this.add(delta);
    });
  }

  readonly [Symbol.toStringTag] = 'SharedCell';

  /** The plain form for `JSON.stringify`: the value it holds. */
  toJSON(): unknown {
    return this.get();
  }

  /** `util.inspect(cell)`, and so the console, shows the value it holds. */
  [Symbol.for('nodejs.util.inspect.custom')](
    _depth: number,
    options: object,
    inspect: (value: unknown, options: object) => string,
  ): string {
    if (this.#disposed || this.#context.closed) return 'SharedCell <closed>';
    return `SharedCell(${inspect(this.get(), options)})`;
  }

  /** Lets go of this wrapper now instead of when it is garbage collected. Later use throws. */
  [Symbol.dispose](): void {
    if (this.#disposed || this.#context.closed) return;
    this.#disposed = true;
    this.#context.wrappers.dispose(this.handle, this);
  }

  #write(engine: TxEngine, value: T): void {
    const context = this.#context;
    const entry = engine.lockCell(this.#tword);
    // Encoded after the lock: an encoding error leaves only a lock, released with the attempt.
    engine.setValue(entry, context.encodeToStore(value));
  }

  #check(what: string): void {
    const context = this.#context;
    context.checkOpen(what);
    if (this.#disposed) throw new StaleHandleError(`${what}: this wrapper was disposed`);
    if (context.memory.i32[this.#unit * 2] !== this.#headerWord0) {
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
  const { i32, b64 } = context.memory;
  // The creator's wrapper holds the first reference.
  Atomics.store(i32, refcountWord(unit), 1);
  Atomics.store(i32, refcountWord(unit) + 1, 0);
  // Version 0 (counter 0 of slot 0) is older than every snapshot; no watcher yet.
  // The refcount above is the word's spare half: initTword leaves it alone. Not shared yet: its
  // handle is published later by an atomic store.
  initTword(i32, b64, cellTword(unit), word);
  const cell = new SharedCell<T>(context, handle);
  context.adoptNewWrapper(handle, cell);
  return cell;
}

/** The cell as a kind of shared object (kinds.ts): one word, no block of its own besides. */
export const cellKind: SharedKind<HeapContext> = {
  tag: BlockTag.cell,
  name: 'cell',
  open: (context, handle) => new SharedCell(context, handle),
  forEachWord: (memory: HeapMemory, unit: number, visit: (word: bigint) => void) => {
    visit(Atomics.load(memory.b64, cellValueSlot(unit)));
  },
  describeWord: () => ({ object: 'cell', part: 'value' }),
};

/**
 * The base of every collection's wrapper (a worker's object for one shared collection): its checks
 * (heap open, wrapper not disposed, block not freed), running a method in the caller's
 * transaction or one of its own, and disposal.
 */
import type { BlockTag } from '../alloc/index.js';
import { StaleHandleError, type Handle } from '../base/index.js';
import type { HeapContext } from '../objects/index.js';
import { atomicallyOn, transactionEngine, type TxEngine } from '../stm/index.js';
import { SharedObject } from '../values/index.js';

export abstract class CollectionWrapper extends SharedObject {
  protected readonly context: HeapContext;
  /** The unit of the collection's block. */
  protected readonly unit: number;
  readonly #headerWord0: number;
  /** For messages: `map`, `set`, `counter`. */
  readonly #noun: string;
  #disposed = false;

  /** Wraps a block whose pin the caller holds. */
  protected constructor(context: HeapContext, handle: Handle, tag: BlockTag, noun: string) {
    super(context.heapId, handle, tag);
    this.context = context;
    this.#noun = noun;
    this.unit = context.allocator.blockUnit(handle, tag);
    this.#headerWord0 = context.memory.i32[this.unit * 2] ?? 0;
  }

  /** Lets go of this wrapper now instead of when it is garbage collected. Later use throws. */
  [Symbol.dispose](): void {
    if (this.#disposed || this.context.closed) return;
    this.#disposed = true;
    this.context.wrappers.dispose(this.handle, this);
  }

  /** Neither disposed nor closed (inspection and commit actions check it instead of throwing). */
  protected get usable(): boolean {
    return !this.#disposed && !this.context.closed;
  }

  /** Runs `body` in the caller's transaction, or in one of its own. */
  protected run<R>(what: string, body: (engine: TxEngine) => R): R {
    this.#check(what);
    const context = this.context;
    const engine = transactionEngine(context.engine);
    if (engine !== undefined) return body(engine);
    return atomicallyOn(context.engine, () => body(context.engine));
  }

  /**
   * Checks the wrapper as `run` does; true if no transaction is running on this thread (a
   * read-only method may then answer without one).
   */
  protected outsideTransaction(what: string): boolean {
    this.#check(what);
    return transactionEngine(this.context.engine) === undefined;
  }

  #check(what: string): void {
    const context = this.context;
    context.checkOpen(what);
    if (this.#disposed) throw new StaleHandleError(`${what}: this wrapper was disposed`);
    if (context.memory.i32[this.unit * 2] !== this.#headerWord0) {
      throw new StaleHandleError(`${what}: the ${this.#noun} was freed`);
    }
  }
}

/**
 * `Heap`: the public face of one shared heap in one worker (API.md). It composes the layers below:
 * memory (the buffer), reclaim (the worker slot), alloc, values and stm (cells). A `Heap` object is
 * local to a worker; `heap.handle` is what crosses to other workers, where `Heap.attach` makes
 * another `Heap` object over the same memory.
 */
import {
  allocatorUsage,
  BlockTag,
  formatAllocatorRegions,
  isHandleShaped,
} from '../alloc/index.js';
import { limits, StaleHandleError, type Handle } from '../base/index.js';
import { HeapMemory } from '../memory/index.js';
import { createCell, HeapContext, SharedCell } from '../stm/index.js';
import type { SharedRef } from '../values/index.js';

/** Structured-cloneable: send it to a worker (`workerData`, `postMessage`) and `Heap.attach` it. */
export interface HeapHandle {
  readonly kind: 'shared-objects/heap';
  readonly buffer: SharedArrayBuffer;
}

export interface HeapOptions {
  /** Bytes to reserve (not commit): pages become resident only when used. Default 1 GiB. */
  readonly maxBytes?: number;
}

export interface MemoryUsage {
  /** Size of the reservation (the `SharedArrayBuffer`). */
  readonly reservedBytes: number;
  /** Bytes ever touched: metadata plus superblocks up to the highest one used. */
  readonly committedBytes: number;
  /** Bytes of live blocks, headers and size-class rounding included. */
  readonly usedBytes: number;
  /** Bytes of superblocks in use (small-block superblocks and large runs). */
  readonly superblockBytes: number;
  /** Bytes this worker retired and cannot free yet (see docs: reclamation). */
  readonly retiredBytes: number;
  /** Workers attached to the heap now. */
  readonly attachedWorkers: number;
}

function openShared(context: HeapContext, handle: Handle, tag: number): object {
  if (tag === BlockTag.cell) return new SharedCell(context, handle);
  throw new StaleHandleError(`handle ${handle} names a block of type ${tag}, not a shared object`);
}

export class Heap {
  readonly #context: HeapContext;

  private constructor(memory: HeapMemory) {
    this.#context = new HeapContext(memory, openShared);
  }

  /** A new heap. `maxBytes` is a reservation: memory is committed as it is used. */
  static create(options: HeapOptions = {}): Heap {
    const memory = HeapMemory.create(options.maxBytes ?? limits.heapBytesDefault);
    formatAllocatorRegions(memory);
    return new Heap(memory);
  }

  /** The same heap, in this worker. Throws HeapLayoutError for memory that is not a heap. */
  static attach(handle: HeapHandle): Heap {
    return new Heap(HeapMemory.attach(handle.buffer));
  }

  get handle(): HeapHandle {
    return { kind: 'shared-objects/heap', buffer: this.#context.memory.buffer };
  }

  /** This worker leaves the heap; later use of the heap or its objects throws ClosedError. */
  close(): void {
    this.#context.close();
  }

  get closed(): boolean {
    return this.#context.closed;
  }

  memoryUsage(): MemoryUsage {
    this.#context.checkOpen('heap.memoryUsage');
    const usage = allocatorUsage(this.#context.memory);
    return {
      reservedBytes: this.#context.memory.buffer.byteLength,
      committedBytes: usage.committedBytes,
      usedBytes: usage.usedBytes,
      superblockBytes: usage.superblockBytes,
      retiredBytes: this.#context.retired.retiredBytes,
      attachedWorkers: this.#context.registry.heldCount(),
    };
  }

  /** A new shared cell holding `initial`. */
  cell<T>(initial: T): SharedCell<T> {
    return createCell(this.#context, initial);
  }

  /**
   * The shared object `ref` names, opened in this worker. `T` is the caller's claim about the
   * object's type (API.md fixes this signature); the block's tag is checked at run time.
   */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
  open<T>(ref: SharedRef): T {
    this.#context.checkOpen('heap.open');
    // A ref arrives through postMessage from code we do not control: check its shape at run time.
    const untrusted: Partial<Record<keyof SharedRef, unknown>> = ref;
    if (untrusted.kind !== 'shared-objects/ref' || !isHandleShaped(Number(untrusted.handle))) {
      throw new TypeError('heap.open: not a reference made by `shared.ref`');
    }
    if (ref.heapId !== this.#context.heapId) {
      throw new StaleHandleError('heap.open: the reference belongs to another heap');
    }
    const handle = ref.handle as Handle;
    this.#context.allocator.blockUnit(handle, ref.tag);
    return openShared(this.#context, handle, ref.tag) as T;
  }
}

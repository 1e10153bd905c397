/**
 * What one worker holds for one attached heap: its memory views, its registry slot, its allocator,
 * its codec and its retire list. Every shared object wrapper of that heap in this worker points to
 * the same context, so closing the heap is seen by all of them through one flag.
 */
import { Allocator, type BlockTag } from '../alloc/index.js';
import { ClosedError, type Handle, type WordIndex } from '../base/index.js';
import { headerWord, type HeapMemory } from '../memory/index.js';
import { RetireList, WorkerRegistry, type WorkerSlot } from '../reclaim/index.js';
import { ValueCodec } from '../values/index.js';

/** Turns a handle of a live shared-object block into this worker's wrapper for it. */
export type SharedOpener = (context: HeapContext, handle: Handle, tag: BlockTag) => object;

export class HeapContext {
  readonly memory: HeapMemory;
  readonly heapId: number;
  readonly registry: WorkerRegistry;
  readonly slot: WorkerSlot;
  readonly allocator: Allocator;
  readonly codec: ValueCodec;
  readonly retired = new RetireList();
  closed = false;

  constructor(memory: HeapMemory, openShared: SharedOpener) {
    this.memory = memory;
    this.heapId = memory.heapId;
    this.registry = new WorkerRegistry(memory);
    this.slot = this.registry.claim();
    this.allocator = new Allocator(
      memory,
      this.slot.index,
      headerWord.superblockHighWater as WordIndex,
    );
    this.codec = new ValueCodec(memory, this.allocator, this.heapId, (handle) =>
      openShared(this, handle, this.allocator.tagOf(handle) as BlockTag),
    );
  }

  /** Throws ClosedError if this worker closed the heap; `what` names the operation. */
  checkOpen(what: string): void {
    if (this.closed) throw new ClosedError(what);
  }

  /** Keeps a replaced value's block until no worker can be reading it (see RetireList). */
  retireSlotWord(word: bigint): void {
    const block = this.codec.ownedBlock(word);
    if (block !== undefined) {
      this.retired.retire(block, this.allocator.capacityOf(block));
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.allocator.abandonAll();
    this.registry.release(this.slot);
  }
}

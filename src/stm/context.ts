/**
 * What one worker holds for one attached heap: its memory views, its registry slot, its allocator,
 * its codec and its part in reclamation. Every shared object wrapper of that heap in this worker
 * points to the same context, so closing the heap is seen by all of them through one flag.
 */
import { Allocator, blockHeaderBytes, type BlockTag } from '../alloc/index.js';
import { ClosedError, HeapExhaustedError, type Handle, type WordIndex } from '../base/index.js';
import { headerWord, type HeapMemory } from '../memory/index.js';
import {
  ReclaimParticipant,
  recoverWorker,
  WorkerRegistry,
  type WorkerSlot,
} from '../reclaim/index.js';
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
  readonly reclaim: ReclaimParticipant;
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
    try {
      this.reclaim = new ReclaimParticipant(
        memory,
        this.registry,
        this.slot,
        this.allocator,
        memory.reclaimStallMs,
      );
    } catch (error) {
      // A heap too full to attach to: leave it exactly as it was.
      this.allocator.abandonAll();
      this.registry.release(this.slot);
      throw error;
    }
  }

  /** Throws ClosedError if this worker closed the heap; `what` names the operation. */
  checkOpen(what: string): void {
    if (this.closed) throw new ClosedError(what);
  }

  /**
   * Encodes a value to store. If the heap is full, retired blocks may be what fills it: reclaim
   * once and try again before reporting exhaustion.
   */
  encode(value: unknown): bigint {
    try {
      return this.codec.encode(value);
    } catch (error) {
      if (!(error instanceof HeapExhaustedError) || this.reclaim.reclaim() === 0) throw error;
      return this.codec.encode(value);
    }
  }

  /** Hands a replaced value's block to reclamation (after `reclaim.prepareRetire()`). */
  retireSlotWord(word: bigint): void {
    const block = this.codec.ownedBlock(word);
    if (block !== undefined) {
      this.reclaim.retire(block, this.allocator.capacityOf(block) + blockHeaderBytes);
    }
  }

  /** Recovers every slot the thread `threadId` held when it exited (see reclaim/recovery.ts). */
  recoverThread(threadId: number): number {
    let recovered = 0;
    for (const slot of this.registry.slotsOfThread(threadId)) {
      if (slot.index === this.slot.index) continue;
      if (recoverWorker(this.memory, this.registry, this.allocator, slot, this.slot)) {
        recovered += 1;
      }
    }
    return recovered;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.reclaim.leave();
    this.allocator.abandonAll();
    this.registry.release(this.slot);
  }
}

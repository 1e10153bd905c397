/**
 * What one worker holds for one attached heap: its memory views, its registry slot, its allocator,
 * its codec and its part in reclamation. Every shared object wrapper of that heap in this worker
 * points to the same context, so closing the heap is seen by all of them through one flag.
 */
import { Allocator, currentHandleAt, headerTag } from '../alloc/index.js';
import {
  ClosedError,
  HeapExhaustedError,
  StaleHandleError,
  limits,
  type Handle,
  type WordIndex,
} from '../base/index.js';
import { headerWord, type HeapMemory } from '../memory/index.js';
import {
  claimRecovery,
  finishRecovery,
  ReclaimParticipant,
  WorkerRegistry,
  type WorkerSlot,
} from '../reclaim/index.js';
import { ValueCodec } from '../values/index.js';
import type { SharedKinds } from './kinds.js';
import { engineClosed, engineOpened, TxEngine, type WordPlace } from '../stm/index.js';
import { ObjectLifetime } from './lifetime.js';
import { PinRecord, recoverPins } from './pin-record.js';
import { WrapperTable } from './wrapper-table.js';

/**
 * A reference read from shared memory whose object was destroyed right after: the reading
 * operation must be redone (the reference is no longer where it was read).
 */
export class ReferenceDied extends Error {
  constructor(handle: Handle) {
    super(`shared object ${String(handle)} was destroyed while being read`);
    this.name = 'ReferenceDied';
  }
}

/** Per-worker limits of this worker's transactions on one heap (STYLE.md §4: tests shrink them). */
export interface TxLimits {
  readonly txWriteSetMax: number;
  readonly txReadSetMax: number;
}

export const defaultTxLimits: TxLimits = {
  txWriteSetMax: limits.txWriteSetMax,
  txReadSetMax: limits.txReadSetMax,
};

export class HeapContext {
  readonly memory: HeapMemory;
  readonly heapId: number;
  readonly registry: WorkerRegistry;
  readonly slot: WorkerSlot;
  readonly allocator: Allocator;
  readonly codec: ValueCodec;
  readonly reclaim: ReclaimParticipant;
  readonly lifetime: ObjectLifetime;
  readonly wrappers: WrapperTable;
  /** This worker's transaction engine on this heap. */
  readonly engine: TxEngine;
  /** The kinds of shared objects this worker knows (kinds.ts). */
  readonly kinds: SharedKinds<HeapContext>;
  readonly #pins: PinRecord;
  closed = false;

  constructor(
    memory: HeapMemory,
    kinds: SharedKinds<HeapContext>,
    txLimits: TxLimits = defaultTxLimits,
  ) {
    this.kinds = kinds;
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
      this.openWrapper(handle),
    );
    try {
      this.reclaim = new ReclaimParticipant(
        memory,
        this.registry,
        this.slot,
        this.allocator,
        memory.reclaimStallMs,
      );
      // Before the engine: recovering a previous holder's attempt may drop or free values.
      this.lifetime = new ObjectLifetime(memory, this.allocator, this.codec, this.reclaim, kinds);
      this.engine = new TxEngine({
        memory,
        slotIndex: this.slot.index,
        reclaim: this.reclaim,
        allocator: this.allocator,
        txWriteSetMax: txLimits.txWriteSetMax,
        txReadSetMax: txLimits.txReadSetMax,
        describeWord: (tword) => this.describeWord(tword),
        discardUnpublished: (word) => {
          this.discardUnpublished(word);
        },
        dropWord: (word) => {
          this.lifetime.dropWord(word);
        },
      });
    } catch (error) {
      // A heap too full to attach to: leave it exactly as it was.
      this.allocator.abandonAll();
      this.registry.release(this.slot);
      throw error;
    }
    engineOpened(this.engine);
    // The slot's previous holder may have died with pins recorded (its slot recovered by reclaim/,
    // which knows nothing of them): release them before this worker records its own.
    this.#recoverPinsOf(this.slot.index);
    this.#pins = new PinRecord(
      memory,
      this.engine.records,
      this.slot.index,
      this.allocator,
      this.reclaim,
    );
    this.wrappers = new WrapperTable(this.#pins, (handle) => {
      if (this.closed) return;
      this.reclaim.enter();
      this.lifetime.release(handle);
    });
  }

  /**
   * Where transactional word `tword` sits: the kind that owns its block says which object, which
   * part, and which key, index or field (for conflict reports). Best effort: a block freed or
   * reused meanwhile is `unknown`, never an error.
   */
  describeWord(tword: number): WordPlace {
    const unit = this.allocator.blockContaining(tword);
    if (unit < 0) return { object: 'unknown', handle: 0, part: 'word' };
    const i32 = this.memory.i32;
    const tag = headerTag(i32[unit * 2] ?? 0);
    const handle = currentHandleAt(i32, unit);
    const kind = this.kinds.ownerOfTag(tag);
    if (kind === undefined) return { object: 'unknown', handle, part: 'word' };
    if (kind.describeWord === undefined) return { object: kind.name, handle, part: 'word' };
    try {
      return { ...kind.describeWord(this, unit, tag, tword), handle };
    } catch {
      return { object: kind.name, handle, part: 'word' };
    }
  }

  /**
   * This worker's wrapper of the shared object `handle` names: the live one if there is one, else
   * a new one holding a new pin. Throws ReferenceDied if the object's count is already 0.
   */
  openWrapper(handle: Handle): object {
    const existing = this.wrappers.find(handle);
    if (existing !== undefined) return existing;
    const tag = this.allocator.tagOf(handle);
    const kind = this.kinds.byTag(tag);
    if (kind === undefined) {
      throw new StaleHandleError(
        `handle ${String(handle)} names a block of type ${String(tag)}, not a shared object`,
      );
    }
    if (!this.lifetime.tryRetain(handle)) throw new ReferenceDied(handle);
    const wrapper = kind.open(this, handle);
    this.wrappers.add(handle, wrapper);
    return wrapper;
  }

  /** Records the wrapper of a shared object this worker just created (count 1: its pin). */
  adoptNewWrapper(handle: Handle, wrapper: object): void {
    this.wrappers.add(handle, wrapper);
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

  /**
   * Encodes `value` and takes a reference on every shared object in it, ready to publish.
   * Throws (nothing allocated or retained) if it cannot be stored or a referenced object is gone.
   */
  encodeToStore(value: unknown): bigint {
    const word = this.encode(value);
    try {
      this.lifetime.retainRefs(word);
      this.reclaim.prepareRetire();
    } catch (error) {
      this.codec.release(word);
      throw error;
    }
    return word;
  }

  /** Undoes `encodeToStore` for a word that was never published. */
  discardUnpublished(word: bigint): void {
    this.lifetime.releaseRefs(word);
    this.codec.release(word);
  }

  /** Recovers every slot the thread `threadId` held when it exited (see reclaim/recovery.ts). */
  recoverThread(threadId: number): number {
    let recovered = 0;
    for (const slot of this.registry.slotsOfThread(threadId)) {
      if (slot.index === this.slot.index) continue;
      // Claimed first, which also checks that the slot is still the same holder's (its
      // generation): one given back and claimed again since the scan belongs to a live worker,
      // whose attempt and pins are not ours to take. The claim makes the slot a zombie, so that
      // if this worker dies below, a reclaim takes the recovery over and the slot's next holder
      // finishes the attempt and releases the pins (reclaim/ knows nothing of them).
      if (!claimRecovery(this.memory, this.registry, slot, this.slot)) continue;
      this.reclaim.enter();
      this.engine.recoverSlot(slot.index);
      this.#recoverPinsOf(slot.index);
      finishRecovery(this.memory, this.registry, this.allocator, slot);
      recovered += 1;
    }
    return recovered;
  }

  /** Releases the pins a dead holder of slot `slot` recorded (pin-record.ts). */
  #recoverPinsOf(slot: number): void {
    recoverPins(
      this.memory,
      this.engine.records,
      slot,
      (handle) => {
        this.lifetime.release(handle);
      },
      this.reclaim,
    );
  }

  close(): void {
    if (this.closed) return;
    this.wrappers.releaseAll();
    this.#pins.dispose();
    this.closed = true;
    engineClosed(this.engine);
    this.engine.dispose();
    this.reclaim.leave();
    this.allocator.abandonAll();
    this.registry.release(this.slot);
  }
}

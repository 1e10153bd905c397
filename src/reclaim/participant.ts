/**
 * One worker's part in reclamation (see epoch.ts for the protocol and its invariant): going online
 * and offline, reporting quiescent points, detecting its own neutralisation, retiring blocks into
 * its bags, and reclaiming — advancing the epoch, neutralising stalled workers, adopting orphaned
 * bags and freeing every bag whose grace period has passed.
 */
import { blockHeaderBytes, type Allocator } from '../alloc/index.js';
import { crashPoint, limits, type Handle } from '../base/index.js';
import { headerWord, type HeapMemory } from '../memory/index.js';
import { epochAtLeast, nextEpoch, observedNeutralised, observedOffline } from './epoch.js';
import { slotField, type WorkerRegistry, type WorkerSlot } from './registry.js';
import { recoverWorker } from './recovery.js';
import { RetireBags } from './retire-bag.js';

export interface OldestObserved {
  readonly epoch: number;
  /** Slot index holding reclamation back the most, or -1 if no worker is online. */
  readonly slot: number;
}

export class ReclaimParticipant {
  readonly #i32: Int32Array;
  readonly #memory: HeapMemory;
  readonly #allocator: Allocator;
  readonly #registry: WorkerRegistry;
  readonly #slot: WorkerSlot;
  readonly #bags: RetireBags;
  readonly #stallMsMax: number;
  readonly #epochWord = headerWord.reclaimEpoch;
  readonly #observedWord: number;
  readonly #retireHeadWord: number;
  readonly #adoptedHeadWord: number;
  readonly #retiredBytesWord: number;
  #online = false;
  #observed: number = observedOffline;
  /** Per slot: the lagging `observed` value last seen, and since when (this worker's clock). */
  readonly #lagValue = new Int32Array(limits.workerSlotsMax);
  readonly #lagSinceMs = new Float64Array(limits.workerSlotsMax);
  readonly #goOffline = (): void => {
    this.#online = false;
    this.#observed = observedOffline;
    // ORDERING: every read of this burst happened before; reclaimers may now ignore this worker.
    Atomics.store(this.#i32, this.#observedWord, observedOffline);
  };

  constructor(
    memory: HeapMemory,
    registry: WorkerRegistry,
    slot: WorkerSlot,
    allocator: Allocator,
    stallMsMax: number,
  ) {
    this.#i32 = memory.i32;
    this.#registry = registry;
    this.#slot = slot;
    this.#memory = memory;
    this.#allocator = allocator;
    this.#bags = new RetireBags(memory.i32, allocator);
    this.#stallMsMax = stallMsMax;
    this.#observedWord = registry.word(slot.index, slotField.observed);
    this.#retireHeadWord = registry.word(slot.index, slotField.retireHead);
    this.#adoptedHeadWord = registry.word(slot.index, slotField.adoptedHead);
    this.#retiredBytesWord = registry.word(slot.index, slotField.retiredBytes);
    // The first bag is made now, so that replacing a value never allocates until a bag fills.
    this.#i32[this.#retireHeadWord] = this.#bags.create(0);
  }

  /** At the start of every library operation: a quiescent point. */
  enter(): void {
    // A plain read first (docs/decisions/0009, reduction 1): if the epoch still looks like the
    // one this worker reported, the report stands. A stale plain read only keeps an older
    // report, which holds reclamation back (safe: `observed` is a lower bound, and the last
    // report's atomic load already ordered this operation after every unlink it covers); a
    // worker that never sees the epoch move this way is neutralised after `reclaimStallMs` like
    // any stalled one. A read that differs takes the atomic path below.
    if (this.#online && this.#i32[this.#epochWord] === this.#observed) return;
    const epoch = Atomics.load(this.#i32, this.#epochWord);
    if (!this.#online) {
      this.#online = true;
      queueMicrotask(this.#goOffline);
    } else if (epoch === this.#observed) {
      return;
    }
    this.#observed = epoch;
    // ORDERING: SeqCst store, then this operation's reads: none of them can be reordered before
    // the report, so a reclaimer that sees it knows they start after `epoch` was current.
    Atomics.store(this.#i32, this.#observedWord, epoch);
  }

  /**
   * Goes offline now: the worker is about to block inside the library (a transaction waiting or
   * sleeping in `retry`) and holds nothing a reclaimer must wait for. `enter()` brings it back.
   */
  quiesce(): void {
    if (this.#online) this.#goOffline();
  }

  /**
   * At the end of an operation that read shared memory: false if this worker was neutralised
   * meanwhile (what it read may have been freed; redo the operation). Rejoins in that case.
   */
  stillValid(): boolean {
    if (Atomics.load(this.#i32, this.#observedWord) === this.#observed) return true;
    const epoch = Atomics.load(this.#i32, this.#epochWord);
    this.#observed = epoch;
    Atomics.store(this.#i32, this.#observedWord, epoch);
    return false;
  }

  /**
   * Makes sure the next `retire` cannot fail: call before publishing a change whose old value
   * will be retired. Throws HeapExhaustedError (nothing changed) if no bag can be had.
   */
  prepareRetire(): void {
    const head = this.#i32[this.#retireHeadWord] ?? 0;
    if (head !== 0 && !this.#bags.isFull(head)) return;
    this.#startBag(head);
  }

  /** Hands `handle` (a block no longer reachable from shared memory) to reclamation. */
  retire(handle: Handle, blockBytes: number): void {
    const head = this.#i32[this.#retireHeadWord] ?? 0;
    const safeEpoch = nextEpoch(Atomics.load(this.#i32, this.#epochWord));
    this.#bags.add(head, handle, blockBytes, safeEpoch);
    this.#i32[this.#retiredBytesWord] = (this.#i32[this.#retiredBytesWord] ?? 0) + blockBytes;
    if (this.#bags.isFull(head)) {
      crashPoint('retire.bagFull');
      this.reclaim();
    }
  }

  /**
   * `prepareRetire` then `retire` of a whole block this worker allocated or owns, sized from its
   * header. Throws HeapExhaustedError (nothing retired) if no bag can be had.
   */
  retireBlock(handle: Handle): void {
    this.prepareRetire();
    this.retire(handle, this.#allocator.capacityOf(handle) + blockHeaderBytes);
  }

  /**
   * Advances the epoch (batched: once per full bag, or on request), then frees every bag of this
   * worker — and of the orphans it adopts — whose grace period is over. Returns bytes freed.
   */
  reclaim(): number {
    const i32 = this.#i32;
    const epoch = Atomics.load(i32, this.#epochWord);
    Atomics.compareExchange(i32, this.#epochWord, epoch, nextEpoch(epoch));
    if ((i32[this.#adoptedHeadWord] ?? 0) === 0 && Atomics.load(i32, headerWord.orphanBags) !== 0) {
      // ORDERING: no call and no loop between the exchange and the store, so a terminated worker
      // cannot stop between them: the chain always has exactly one holder.
      Atomics.store(i32, this.#adoptedHeadWord, Atomics.exchange(i32, headerWord.orphanBags, 0));
      crashPoint('reclaim.afterAdopt');
    }
    this.#recoverZombies();
    const safe = this.oldestObserved().epoch;
    const ownFreed = this.#freeSafeBags(this.#retireHeadWord, safe, true);
    i32[this.#retiredBytesWord] = (i32[this.#retiredBytesWord] ?? 0) - ownFreed;
    return ownFreed + this.#freeSafeBags(this.#adoptedHeadWord, safe, false);
  }

  /**
   * Reclaims at once, from outside any operation: this worker holds nothing, so it reports the
   * new epoch before waiting on the others. Returns bytes freed.
   */
  reclaimNow(): number {
    const i32 = this.#i32;
    const head = i32[this.#retireHeadWord] ?? 0;
    const epoch = Atomics.load(i32, this.#epochWord);
    if (head !== 0) this.#bags.setGoal(head, nextEpoch(epoch));
    Atomics.compareExchange(i32, this.#epochWord, epoch, nextEpoch(epoch));
    this.enter();
    const freedHead = head !== 0 && this.#bags.isEmptyOrSafe(head, this.oldestObserved().epoch);
    return this.reclaim() + (freedHead ? this.#freeHead() : 0);
  }

  /**
   * The oldest epoch an online, non-neutralised worker has observed (the current epoch if none),
   * neutralising workers that have lagged for longer than the stall bound.
   */
  oldestObserved(): OldestObserved {
    const i32 = this.#i32;
    const current = Atomics.load(i32, this.#epochWord);
    let oldest = current;
    let oldestSlot = -1;
    let now = -1;
    for (let index = 0; index < limits.workerSlotsMax; index += 1) {
      const observedWord = this.#registry.word(index, slotField.observed);
      const observed = Atomics.load(i32, observedWord);
      if (observed === observedOffline || observed === observedNeutralised) continue;
      if (observed !== current && index !== this.#slot.index) {
        if (now < 0) now = performance.now();
        if (this.#lagValue[index] !== observed) {
          this.#lagValue[index] = observed;
          this.#lagSinceMs[index] = now;
        } else if (now - (this.#lagSinceMs[index] ?? now) > this.#stallMsMax) {
          if (
            Atomics.compareExchange(i32, observedWord, observed, observedNeutralised) === observed
          ) {
            continue;
          }
        }
      }
      if (oldestSlot < 0 || !epochAtLeast(observed, oldest)) {
        oldest = observed;
        oldestSlot = index;
      }
    }
    return { epoch: oldest, slot: oldestSlot };
  }

  /** This worker leaves: offline, and its bags go to the orphan list for the living to free. */
  leave(): void {
    this.#goOffline();
    const i32 = this.#i32;
    const epoch = Atomics.load(i32, this.#epochWord);
    const head = i32[this.#retireHeadWord] ?? 0;
    if (head !== 0) this.#bags.setGoal(head, nextEpoch(epoch));
    Atomics.compareExchange(i32, this.#epochWord, epoch, nextEpoch(epoch));
    crashPoint('leave.beforeOrphan');
    this.#bags.orphanChain(this.#retireHeadWord);
    this.#bags.orphanChain(this.#adoptedHeadWord);
    i32[this.#retiredBytesWord] = 0;
  }

  #startBag(head: number): void {
    // The allocation may fail because the heap is full of retired blocks: reclaim, then retry.
    let bag: number;
    try {
      bag = this.#bags.create(head);
    } catch {
      this.reclaim();
      bag = this.#bags.create(this.#i32[this.#retireHeadWord] ?? 0);
    }
    this.#i32[this.#retireHeadWord] = bag;
  }

  /** Unlinks and frees the bags of one chain whose goal has passed. */
  #freeSafeBags(headWord: number, safe: number, keepHead: boolean): number {
    const i32 = this.#i32;
    const bags = this.#bags;
    let freed = 0;
    let previous = 0;
    let bag = i32[headWord] ?? 0;
    while (bag !== 0) {
      const older = bags.nextOf(bag);
      const isActiveHead = keepHead && previous === 0;
      if (!isActiveHead && epochAtLeast(safe, bags.goalOf(bag))) {
        // Entries first, while the bag is still linked (a killed worker's successor continues
        // them); then unlink, then free the bag's block (a kill in between leaks that one block).
        freed += bags.freeEntries(bag);
        if (previous === 0) Atomics.store(i32, headWord, older);
        else bags.setNext(previous, older);
        crashPoint('reclaim.afterUnlink');
        bags.freeBagBlock(bag);
      } else {
        previous = bag;
      }
      bag = older;
    }
    return freed;
  }

  /** Finishes the recovery of workers whose recoverer died before it was done (rare). */
  #recoverZombies(): void {
    for (let index = 0; index < limits.workerSlotsMax; index += 1) {
      const zombie = this.#registry.zombieSlotAt(index);
      if (zombie !== undefined) {
        recoverWorker(this.#memory, this.#registry, this.#allocator, zombie, this.#slot);
      }
    }
  }

  /** Frees the active head bag itself (used by `reclaimNow`, when its whole content is safe). */
  #freeHead(): number {
    const i32 = this.#i32;
    const head = i32[this.#retireHeadWord] ?? 0;
    if (head === 0) return 0;
    const freed = this.#bags.freeEntries(head);
    Atomics.store(i32, this.#retireHeadWord, this.#bags.nextOf(head));
    this.#bags.freeBagBlock(head);
    i32[this.#retiredBytesWord] = (i32[this.#retiredBytesWord] ?? 0) - freed;
    return freed;
  }
}

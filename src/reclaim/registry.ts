/**
 * The shared worker registry: every worker attached to a heap holds one slot. The slot number is
 * the worker's identity inside the heap (allocator ownership, reclamation state); its generation
 * tells a reused slot from its previous holder.
 *
 * | field        | offset | size | atomic | written by                       | invariant                |
 * |--------------|--------|------|--------|----------------------------------|--------------------------|
 * | state        | 0      | 4    | yes    | claimer (CAS free→held), holder  | bit 0 held, bit 1 zombie |
 * |              |        |      |        | (store free), recoverer (CAS     | (holder dead, recovery   |
 * |              |        |      |        | held→zombie, store free)         | pending); bits 2–31 gen  |
 * | threadId     | 4      | 4    | yes    | holder right after its claim;    | `currentThreadId()` of   |
 * |              |        |      |        | releaser (store −1) before the   | the holder; −1 after a   |
 * |              |        |      |        | state's release                  | release (and till the    |
 * |              |        |      |        |                                  | next claimer stores it)  |
 * | observed     | 8      | 4    | yes    | holder (store), reclaimers (CAS  | 0 offline, 1 neutralised,|
 * |              |        |      |        | v→1: neutralise)                 | else an epoch (even)     |
 * | retireHead   | 12     | 4    | yes    | holder (plain), recoverer        | unit of the newest retire|
 * |              |        |      |        | (exchange to 0)                  | bag; 0 = none            |
 * | retiredBytes | 16     | 4    | no     | holder                           | bytes in its bags        |
 * | recoverer    | 20     | 4    | yes    | recoverers (CAS)                 | slot+1 of the worker     |
 * |              |        |      |        |                                  | recovering this one      |
 * | adoptedHead  | 24     | 4    | yes    | holder (store after exchange of  | unit of the first bag of |
 * |              |        |      |        | the orphan list), recoverer      | an adopted chain; 0 none |
 * | (reserved)   | 28     | 36   |        |                                  | zero                     |
 *
 * One slot per 64-byte line, so a worker's writes to its own slot never disturb another's.
 * Claim: CAS the state from `gen << 2` (free) to `(gen + 1) << 2 | held`. Linearisation point:
 * that CAS. Release: store `gen << 2`, keeping the generation for the next claimer.
 *
 * Thread ids (`slotsOfThread`, which `heap.watch` uses to recover a worker that exited): a slot
 * names the thread that holds it, or none. The claimer stores its id just after its CAS, so a
 * freshly claimed slot briefly shows the id it had before; release therefore clears the id
 * (−1) before it frees the state. Without that, a worker that closed and exited could be
 * "recovered" from the slot a new worker had just claimed: the new worker's pins released and
 * its slot freed under it (seen in the 1 000-cycle slot-reuse test, under load).
 */
import { LimitExceededError, limits, type WordIndex } from '../base/index.js';
import { registrySlotBytes, type HeapMemory } from '../memory/index.js';
import { currentThreadId } from '../platform/index.js';

const heldBit = 1;
const zombieBit = 2;
const generationShift = 2;
const generationMask = 0x3fffffff;
/** The thread id of a slot that has no holder (thread ids are never negative). */
const noThread = -1;

export const slotField = {
  state: 0,
  threadId: 1,
  observed: 2,
  retireHead: 3,
  retiredBytes: 4,
  recoverer: 5,
  adoptedHead: 6,
} as const;

export interface WorkerSlot {
  readonly index: number;
  readonly generation: number;
}

export class WorkerRegistry {
  private readonly i32: Int32Array;
  private readonly base: WordIndex;

  constructor(memory: HeapMemory) {
    this.i32 = memory.i32;
    this.base = (memory.geometry.registryOffset / 4) as WordIndex;
  }

  /** Word index of `field` of slot `index`. */
  word(index: number, field: number): number {
    return this.base + (index * registrySlotBytes) / 4 + field;
  }

  /** Takes the lowest free slot; LimitExceededError when all `workerSlotsMax` are taken. */
  claim(): WorkerSlot {
    const i32 = this.i32;
    for (let index = 0; index < limits.workerSlotsMax; index += 1) {
      const stateWord = this.word(index, slotField.state);
      const state = Atomics.load(i32, stateWord);
      if ((state & (heldBit | zombieBit)) !== 0) continue;
      const generation = ((state >>> generationShift) + 1) & generationMask;
      const held = (generation << generationShift) | heldBit;
      if (Atomics.compareExchange(i32, stateWord, state, held) === state) {
        Atomics.store(i32, this.word(index, slotField.threadId), currentThreadId());
        Atomics.store(i32, this.word(index, slotField.observed), 0);
        Atomics.store(i32, this.word(index, slotField.retireHead), 0);
        Atomics.store(i32, this.word(index, slotField.adoptedHead), 0);
        Atomics.store(i32, this.word(index, slotField.recoverer), 0);
        i32[this.word(index, slotField.retiredBytes)] = 0;
        return { index, generation };
      }
    }
    throw new LimitExceededError(
      'workerSlotsMax',
      `all ${limits.workerSlotsMax} worker slots of this heap are taken`,
    );
  }

  /** Gives a slot back (its holder on close, or its recoverer). */
  release(slot: WorkerSlot): void {
    // ORDERING: the id goes first, so a claimer's slot never shows its previous holder's id.
    Atomics.store(this.i32, this.word(slot.index, slotField.threadId), noThread);
    // ORDERING: publishes every write the holder (or recoverer) made before the slot is reused.
    Atomics.store(this.i32, this.word(slot.index, slotField.state), slot.generation << 2);
  }

  /** True while `slot` is held by the worker it was given to (not released, not dead). */
  isHeld(slot: WorkerSlot): boolean {
    return (
      Atomics.load(this.i32, this.word(slot.index, slotField.state)) ===
      ((slot.generation << generationShift) | heldBit)
    );
  }

  /** The slot currently at `index` if held and alive, else undefined. */
  heldSlotAt(index: number): WorkerSlot | undefined {
    const state = Atomics.load(this.i32, this.word(index, slotField.state));
    if ((state & (heldBit | zombieBit)) !== heldBit) return undefined;
    return { index, generation: state >>> generationShift };
  }

  /** Slots held by a worker now dead whose recovery has not finished. */
  zombieSlotAt(index: number): WorkerSlot | undefined {
    const state = Atomics.load(this.i32, this.word(index, slotField.state));
    if ((state & zombieBit) === 0) return undefined;
    return { index, generation: state >>> generationShift };
  }

  /** Marks a held slot's holder dead; true for the one caller that made the change. */
  markZombie(slot: WorkerSlot): boolean {
    const held = (slot.generation << generationShift) | heldBit;
    const word = this.word(slot.index, slotField.state);
    return Atomics.compareExchange(this.i32, word, held, held | zombieBit) === held;
  }

  /** Held (alive or zombie) slots whose recorded thread is `threadId`. */
  slotsOfThread(threadId: number): WorkerSlot[] {
    const found: WorkerSlot[] = [];
    for (let index = 0; index < limits.workerSlotsMax; index += 1) {
      const state = Atomics.load(this.i32, this.word(index, slotField.state));
      if ((state & heldBit) === 0) continue;
      if (Atomics.load(this.i32, this.word(index, slotField.threadId)) !== threadId) continue;
      found.push({ index, generation: state >>> generationShift });
    }
    return found;
  }

  heldCount(): number {
    let count = 0;
    for (let index = 0; index < limits.workerSlotsMax; index += 1) {
      count += Atomics.load(this.i32, this.word(index, slotField.state)) & heldBit;
    }
    return count;
  }
}

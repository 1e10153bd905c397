/**
 * The shared worker registry: every worker attached to a heap holds one slot. The slot number is
 * the worker's identity inside the heap (allocator ownership today; epochs and transaction
 * descriptors later), and its generation tells a reused slot from its previous owner.
 *
 * | field  | offset | size | atomic | written by                           | invariant                   |
 * |--------|--------|------|--------|--------------------------------------|-----------------------------|
 * | state  | 0      | 4    | yes    | claimer (CAS), owner on release      | bit 0: held; bits 1–31:     |
 * |        |        |      |        |                                      | generation, +1 per claim    |
 * | (rest) | 4      | 60   |        | reserved for reclamation (epochs)    | zero                        |
 *
 * One slot per 64-byte line, so a worker's writes to its own slot never disturb another's.
 * Claim: CAS the state from `generation << 1` (free) to `(generation + 1) << 1 | 1` (held).
 * Linearisation point: that CAS. Release: store `generation << 1`, keeping the generation.
 */
import { LimitExceededError, limits, type WordIndex } from '../base/index.js';
import { registrySlotBytes, type HeapMemory } from '../memory/index.js';

const heldBit = 1;

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

  private stateWord(index: number): number {
    return this.base + (index * registrySlotBytes) / 4;
  }

  /** Takes the lowest free slot; LimitExceededError when all `workerSlotsMax` are held. */
  claim(): WorkerSlot {
    for (let index = 0; index < limits.workerSlotsMax; index += 1) {
      const word = this.stateWord(index);
      const state = Atomics.load(this.i32, word);
      if ((state & heldBit) !== 0) continue;
      const generation = ((state >>> 1) + 1) & 0x3fffffff;
      const held = (generation << 1) | heldBit;
      if (Atomics.compareExchange(this.i32, word, state, held) === state) {
        return { index, generation };
      }
    }
    throw new LimitExceededError(
      'workerSlotsMax',
      `all ${limits.workerSlotsMax} worker slots of this heap are taken`,
    );
  }

  /** Gives a slot back. Only its holder calls this, once. */
  release(slot: WorkerSlot): void {
    // ORDERING: publishes everything the holder wrote to heap state before the slot is reused.
    Atomics.store(this.i32, this.stateWord(slot.index), slot.generation << 1);
  }

  isHeld(slot: WorkerSlot): boolean {
    return Atomics.load(this.i32, this.stateWord(slot.index)) === ((slot.generation << 1) | 1);
  }

  heldCount(): number {
    let count = 0;
    for (let index = 0; index < limits.workerSlotsMax; index += 1) {
      count += Atomics.load(this.i32, this.stateWord(index)) & heldBit;
    }
    return count;
  }
}

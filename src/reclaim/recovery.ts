/**
 * Recovery of a worker that died (or was terminated) while attached: its pin is dropped, its retire
 * bags are handed to the orphan list, its superblocks are marked abandoned, and its slot is freed.
 *
 * Every step is idempotent and the whole may be run again by anyone — the recoverer may itself
 * die. The slot is first marked zombie (CAS held→held|zombie) so it cannot be reused while
 * recovery runs; a recoverer claims the work by CAS on the slot's `recoverer` word, and a later
 * recoverer may take over if that one is gone.
 */
import { abandonSuperblocksOf, type Allocator } from '../alloc/index.js';
import { crashPoint } from '../base/index.js';
import type { HeapMemory } from '../memory/index.js';
import { observedOffline } from './epoch.js';
import { slotField, type WorkerRegistry, type WorkerSlot } from './registry.js';
import { RetireBags } from './retire-bag.js';

/**
 * Recovers `dead` on behalf of `recoverer` (this worker's slot). Returns false if there was
 * nothing to do (the slot was released or reused meanwhile, or another live worker is on it).
 */
export function recoverWorker(
  memory: HeapMemory,
  registry: WorkerRegistry,
  allocator: Allocator,
  dead: WorkerSlot,
  recoverer: WorkerSlot,
): boolean {
  if (!claimRecovery(memory, registry, dead, recoverer)) return false;
  finishRecovery(memory, registry, allocator, dead);
  return true;
}

/**
 * The first half of `recoverWorker`: marks `dead` a zombie and claims its recovery for
 * `recoverer`. A caller with recovery of its own to do for the slot (stm/: the dead worker's
 * transaction and pins) does it between the two halves, so that if it dies there the slot is
 * already a zombie: a later reclaim takes the recovery over, and the slot's next holder finishes
 * that part (it checks for a previous holder's leftovers when it claims the slot). False as for
 * `recoverWorker`: then the caller must leave the slot alone.
 */
export function claimRecovery(
  memory: HeapMemory,
  registry: WorkerRegistry,
  dead: WorkerSlot,
  recoverer: WorkerSlot,
): boolean {
  const { i32 } = memory;
  if (!registry.markZombie(dead)) {
    const zombie = registry.zombieSlotAt(dead.index);
    if (zombie?.generation !== dead.generation) return false;
  }
  const recovererWord = registry.word(dead.index, slotField.recoverer);
  const current = Atomics.load(i32, recovererWord);
  const currentHolder = current === 0 ? undefined : registry.heldSlotAt(current - 1);
  if (currentHolder !== undefined && current - 1 !== recoverer.index) return false;
  return Atomics.compareExchange(i32, recovererWord, current, recoverer.index + 1) === current;
}

/** The second half of `recoverWorker`, for a recovery claimed by `claimRecovery`. */
export function finishRecovery(
  memory: HeapMemory,
  registry: WorkerRegistry,
  allocator: Allocator,
  dead: WorkerSlot,
): void {
  const { i32 } = memory;
  crashPoint('recover.afterZombie');
  Atomics.store(i32, registry.word(dead.index, slotField.observed), observedOffline);
  const bags = new RetireBags(i32, allocator);
  bags.orphanChain(registry.word(dead.index, slotField.retireHead));
  bags.orphanChain(registry.word(dead.index, slotField.adoptedHead));
  crashPoint('recover.afterOrphan');
  i32[registry.word(dead.index, slotField.retiredBytes)] = 0;
  abandonSuperblocksOf(memory, dead.index);
  Atomics.store(i32, registry.word(dead.index, slotField.recoverer), 0);
  registry.release(dead);
}

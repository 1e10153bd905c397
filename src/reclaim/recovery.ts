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
 * The first half of `recoverWorker`: claims `dead`'s recovery for `recoverer` and marks the slot a
 * zombie. A caller with recovery of its own to do for the slot (stm/: the dead worker's
 * transaction and pins) does it between the two halves, so that if it dies there the slot is
 * already a zombie: a later reclaim takes the recovery over, and the slot's next holder finishes
 * that part (it checks for a previous holder's leftovers when it claims the slot). False as for
 * `recoverWorker`: then the caller must leave the slot alone.
 *
 * The recoverer word is claimed before the slot is marked a zombie. Marking first let a reclaimer
 * that scans for zombies (`#recoverZombies`) see the zombie while its recoverer word was still 0,
 * take the recovery over as if the recoverer had died, and finish only reclaim's part of it, while
 * the real recoverer's claim then failed and it skipped the transaction and the pins (seen as a
 * pin record and a retire bag left over in the 1 000-cycle slot-reuse test). Now a zombie's
 * recoverer word already names its recoverer. If the slot changed hands meanwhile (the zombie
 * mark fails on the generation), the claim is undone, so a live holder never carries a recoverer.
 */
export function claimRecovery(
  memory: HeapMemory,
  registry: WorkerRegistry,
  dead: WorkerSlot,
  recoverer: WorkerSlot,
): boolean {
  const { i32 } = memory;
  const recovererWord = registry.word(dead.index, slotField.recoverer);
  const current = Atomics.load(i32, recovererWord);
  const currentHolder = current === 0 ? undefined : registry.heldSlotAt(current - 1);
  if (currentHolder !== undefined && current - 1 !== recoverer.index) return false;
  // ORDERING: the claim, then the zombie mark: a reclaimer that sees the mark sees the claim.
  if (Atomics.compareExchange(i32, recovererWord, current, recoverer.index + 1) !== current) {
    return false;
  }
  if (registry.markZombie(dead)) return true;
  if (registry.zombieSlotAt(dead.index)?.generation === dead.generation) return true;
  // The slot was released (and maybe claimed again) since `dead` was read: not ours to recover.
  Atomics.compareExchange(i32, recovererWord, recoverer.index + 1, 0);
  return false;
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

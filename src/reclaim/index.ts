/** reclaim/: the worker registry, epochs (QSBR + neutralisation), retire bags, recovery. */
export { WorkerRegistry, slotField, type WorkerSlot } from './registry.js';
export { ReclaimParticipant, type OldestObserved } from './participant.js';
export { claimRecovery, finishRecovery, recoverWorker } from './recovery.js';
export { epochAtLeast, nextEpoch, observedNeutralised, observedOffline } from './epoch.js';

/** reclaim/: the worker registry and retirement of blocks that may still be read. */
export { WorkerRegistry, type WorkerSlot } from './registry.js';
export { RetireList } from './retire-list.js';

/** api/: the public facade that composes the layers (see docs/decisions/0001-api-layer.md). */
export {
  Heap,
  type AttachOptions,
  type HeapHandle,
  type HeapOptions,
  type LeakReport,
  type MemoryUsage,
  type MemoryUsageOptions,
  type RetiredByWorker,
  type WatchableWorker,
} from './heap.js';
export { TransactionQueue, WorkerPool, type TaskContext } from './workers.js';

/**
 * workers/: the worker pool (pool.ts: the caller's side; pool-worker-loop.ts: a worker's side)
 * over a pool's own control memory (pool-layout.ts), and `TransactionQueue` on top of it.
 * Below api/: a heap is taken by shape (pool-heap.ts); api/ supplies `Heap` and the worker
 * bootstrap script.
 */
export {
  CallTimeoutError,
  WorkerExitedError,
  WorkerPoolCore,
  type PoolInternals,
  type PoolStats,
  type WorkerPoolOptions,
} from './pool.js';
export { servePool } from './pool-worker-loop.js';
export type { AttachHeap, PoolHeap } from './pool-heap.js';
export {
  TransactionQueueCore,
  type TransactionQueueOptions,
  type TransactionQueueProgress,
  type TransactionQueueResult,
} from './transaction-queue.js';
export type { TaskContext, TaskKey, TaskQueueView } from './queue-worker.js';

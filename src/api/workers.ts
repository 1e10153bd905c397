/**
 * The public worker pool and transaction queue: thin classes over workers/ that supply what that
 * layer cannot import — `Heap` (it sits below api/) and the worker bootstrap script,
 * api/pool-worker, resolved next to this module so that it is found from src/ (TypeScript,
 * through tsx) and from dist/ (built JavaScript) alike.
 */
import {
  TransactionQueueCore,
  WorkerPoolCore,
  type TransactionQueueOptions,
  type TaskContext as WorkersTaskContext,
  type WorkerPoolOptions,
} from '../workers/index.js';
import type { Heap } from './heap.js';

const bootstrap = new URL(
  import.meta.url.endsWith('.ts') ? './pool-worker.ts' : './pool-worker.js',
  import.meta.url,
);

/**
 * A pool of worker threads attached to `heap`, each importing `options.module`, running calls
 * of the functions it exports: `await pool.call('name', ...args)`. Workers are watched: one that
 * exits is recovered by the heap and replaced. `await pool.close()` when done.
 */
export class WorkerPool extends WorkerPoolCore {
  constructor(heap: Heap, options: WorkerPoolOptions) {
    super(heap, options, { bootstrap });
  }
}

/**
 * pypy-stm's transaction queue: `queue.add(task, ...args)`, then `await queue.run()` runs every
 * task as one transaction on a pool of workers; a task is a function exported by
 * `options.module`, called as `task({ heap, queue }, ...args)`, and its `queue.add` calls add to
 * the same run once its transaction commits. `await queue.close()` when done.
 */
export class TransactionQueue extends TransactionQueueCore {
  constructor(heap: Heap, options: TransactionQueueOptions) {
    super(heap, options, { bootstrap });
  }
}

/** What a task function of a `TransactionQueue` is called with, before its own arguments. */
export type TaskContext = WorkersTaskContext<Heap>;

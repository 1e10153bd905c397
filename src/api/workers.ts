/**
 * The public worker pool and transaction queue: thin classes over workers/ that supply what that
 * layer cannot import — `Heap` (by its type) and the worker bootstrap script, api/pool-worker.
 */
import {
  WorkerPoolCore,
  type WorkerPoolOptions,
} from '../workers/index.js';
import type { Heap } from './heap.js';

/**
 * The bootstrap script next to this module: `pool-worker.ts` when running from src/ (tsx),
 * `pool-worker.js` from dist/.
 */
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

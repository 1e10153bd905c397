// Allocator under real concurrency: worker threads allocate, stamp, check and free mixed sizes,
// with cross-worker (remote) frees, on one heap. See stress.worker.ts for what each worker does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Allocator,
  allocatorUsage,
  BlockTag,
  formatAllocatorRegions,
} from '../../src/alloc/index.js';
import type { Handle, WordIndex } from '../../src/base/index.js';
import { headerWord, HeapMemory } from '../../src/memory/index.js';
import { runWorkers } from '../support/run-workers.js';
import type { StressData, StressResult } from './stress.worker.js';

const workerCount = 4;
const inboxSlots = 64;
const durationMs = 3000;

test('4 workers allocate and free mixed sizes: no overlap, no corruption, no leak', async () => {
  const seed = Date.now() >>> 0;
  const memory = HeapMemory.create(64 << 20);
  formatAllocatorRegions(memory);
  const startUsed = allocatorUsage(memory).usedBytes;
  const inboxes = new SharedArrayBuffer(workerCount * inboxSlots * 8);
  const data: StressData[] = Array.from({ length: workerCount }, (_, workerIndex) => ({
    heap: memory.buffer,
    inboxes,
    inboxSlots,
    workerIndex,
    workerCount,
    durationMs,
    seed: seed + workerIndex * 7919,
  }));
  const results = await runWorkers<StressResult>(
    new URL('./stress.worker.ts', import.meta.url),
    data,
  );
  // Blocks sent to a worker after its last drain are still in its inbox: free them here.
  const main = new Allocator(memory, 0, headerWord.superblockHighWater as WordIndex);
  const inbox = new BigInt64Array(inboxes);
  for (const word of inbox) {
    if (word !== 0n) main.free(Number(word - 1n) as Handle);
  }
  main.abandonAll();
  const total = (key: 'allocations' | 'remoteFrees' | 'exhausted'): number =>
    results.reduce((sum, result) => sum + result[key], 0);
  const message = `seed ${String(seed)}`;
  assert.deepEqual(
    results.flatMap((result) => result.corruptions),
    [],
    message,
  );
  assert.ok(total('allocations') > 10_000, `only ${String(total('allocations'))} allocations`);
  assert.ok(total('remoteFrees') > 1_000, `only ${String(total('remoteFrees'))} remote frees`);
  assert.equal(total('exhausted'), 0, message);
  // Exact: usage counts live blocks, remote frees not yet collected included (usage.ts).
  assert.equal(allocatorUsage(memory).usedBytes, startUsed, message);
  // And every superblock can be claimed again: the whole heap is allocatable in one run.
  const check = new Allocator(memory, 1, headerWord.superblockHighWater as WordIndex);
  const everything = check.allocate(BlockTag.raw, memory.geometry.superblockCount * 65536 - 8);
  check.free(everything);
});

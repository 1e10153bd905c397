// Churn: writers replace strings in shared cells while readers read them, for several seconds.
// Every read must be a value some writer wrote (never torn, never a recycled block), and once
// everyone is gone, memory must return to where it started.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Heap } from '../../src/index.js';
import { runWorkers } from '../support/run-workers.js';
import { churnValue, isChurnValue } from './churn-value.js';
import type { ChurnData, ChurnResult } from './churn.worker.js';

const cellCount = 8;
const durationMs = 3000;

test('4 workers churn strings: reads are always real values, memory returns', async () => {
  const seed = Date.now() >>> 0;
  const heap = Heap.create({ maxBytes: 256 << 20 });
  const cells = Array.from({ length: cellCount }, (_, i) => heap.cell(churnValue(0, i)));
  heap.reclaim();
  const start = heap.memoryUsage().usedBytes;
  const roles = ['writer', 'writer', 'reader', 'reader'] as const;
  const data: ChurnData[] = roles.map((role, index) => ({
    heap: heap.handle,
    cells: cells.map((cell) => cell.ref),
    role,
    index: index + 1,
    durationMs,
    seed: seed + index,
  }));
  const results = await runWorkers<ChurnResult>(
    new URL('./churn.worker.ts', import.meta.url),
    data,
  );
  const message = `seed ${String(seed)}`;
  assert.deepEqual(
    results.flatMap((r) => r.badReads),
    [],
    message,
  );
  const writes = (results[0]?.ops ?? 0) + (results[1]?.ops ?? 0);
  assert.ok(writes > 100_000, `only ${String(writes)} writes`);
  for (const cell of cells) assert.ok(isChurnValue(cell.get()), message);

  heap.reclaim();
  const end = heap.memoryUsage();
  assert.equal(end.attachedWorkers, 1);
  // Bound: the cells now hold other strings (each at most one 48-byte block bigger), plus this
  // worker's one retire bag, possibly re-made (512 B). Everything written meanwhile was freed:
  // `writes` blocks of ≥ 32 B each would be megabytes.
  const bound = cellCount * 48 + 512;
  assert.ok(
    Math.abs(end.usedBytes - start) <= bound,
    `used ${String(end.usedBytes)} vs ${String(start)} at start (${message})`,
  );
  assert.equal(end.retiredBytes, 0);
});

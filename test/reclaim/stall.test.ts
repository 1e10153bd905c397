// Stall: one worker stays inside an operation (cell.update's function) for seconds while others
// churn. It must not hold reclamation back for longer than the stall bound (it is neutralised), and
// when it resumes it must redo its operation on fresh data instead of using what it held.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Heap } from '../../src/index.js';
import { runWorkers } from '../support/run-workers.js';
import { churnValue, isChurnValue } from './churn-value.js';
import type { ChurnData, ChurnResult } from './churn.worker.js';

const cellCount = 8;
const durationMs = 3000;
const stallMs = 2000;
const reclaimStallMs = 200;

test('a worker stalled inside an operation is neutralised; memory stays bounded', async (t) => {
  const seed = Date.now() >>> 0;
  const heap = Heap.create({ maxBytes: 512 << 20, reclaimStallMs });
  const cells = Array.from({ length: cellCount }, (_, i) => heap.cell(churnValue(0, i)));
  heap.reclaim();
  const live = heap.memoryUsage().usedBytes;
  const base = {
    heap: heap.handle,
    cells: cells.map((cell) => cell.ref),
    durationMs,
    stallMs,
  };
  const data: ChurnData[] = [
    { ...base, role: 'staller', index: 9, seed },
    { ...base, role: 'writer', index: 1, seed: seed + 1 },
    { ...base, role: 'writer', index: 2, seed: seed + 2 },
  ];
  const samples: number[] = [];
  const sampling = { on: true };
  const sampler = (async () => {
    while (sampling.on) {
      await sleep(50);
      samples.push(heap.memoryUsage().usedBytes);
    }
  })();
  const results = await runWorkers<ChurnResult>(
    new URL('./churn.worker.ts', import.meta.url),
    data,
  );
  sampling.on = false;
  await sampler;

  const [staller, ...writers] = results;
  const message = `seed ${String(seed)}`;
  assert.ok(staller);
  // The staller's update saw a real value, slept past neutralisation, found the cell changed
  // (its compare-and-swap failed) and ran again — as often as the writers won — on fresh, real
  // values only.
  const saw = staller.stallerSaw ?? [];
  assert.ok(saw.length >= 2, message);
  assert.ok(saw.every(isChurnValue), `${JSON.stringify(saw)} (${message})`);
  assert.notEqual(saw[0], saw[1]);

  const writes = writers.reduce((sum, r) => sum + r.ops, 0);
  const writesPerMs = writes / durationMs;
  const peak = Math.max(...samples);
  // Without neutralisation every block retired during the stall would stay: writes × ≥ 32 B.
  // With it, at most what is retired within about two stall bounds stays unreclaimed.
  const bound = 2 * live + writesPerMs * 2 * reclaimStallMs * 64 + (1 << 20);
  assert.ok(
    peak <= bound,
    `peak ${String(peak)} B > bound ${String(Math.round(bound))} B (${message})`,
  );
  assert.ok(writes * 32 > 2 * bound, `churn too slow to show anything: ${String(writes)} writes`);
  t.diagnostic(
    `writes ${String(writes)}, peak ${String(peak)} B, bound ${String(Math.round(bound))} B, ` +
      `unbounded would be ≥ ${String(writes * 32)} B`,
  );
  for (const cell of cells) assert.ok(isChurnValue(cell.get()));
  heap.reclaim();
  assert.ok(heap.memoryUsage().usedBytes <= live + cellCount * 48 + 512, message);
});

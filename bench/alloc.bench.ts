// Allocator benchmarks: alloc+free pairs (16 B – 4 KiB) against @thi.ng/malloc, a single-threaded
// ArrayBuffer allocator, on one worker; and this allocator on 2 workers vs 1 (one shared heap).
// The machine's own scaling is measured alongside: @thi.ng/malloc on 2 workers, each with a
// private pool, shares nothing at all, so its 2-vs-1 ratio is the ceiling any design can reach.
import { formatAllocatorRegions } from '../src/alloc/index.js';
import { HeapMemory } from '../src/memory/index.js';
import { pairedThroughput } from './lib/measure.js';
import type { AllocParams } from './workers/alloc.worker.js';
import type { BenchResult } from './run.js';

const script = new URL('./workers/alloc.worker.ts', import.meta.url);

function freshHeap(): SharedArrayBuffer {
  const memory = HeapMemory.create(256 << 20);
  formatAllocatorRegions(memory);
  return memory.buffer;
}

export async function allocBenchmarks(samples: number, durationMs: number): Promise<BenchResult[]> {
  const ours = (): AllocParams => ({ heap: freshHeap(), liveBlocks: 1000, allocator: 'ours' });
  const thing: AllocParams = { heap: freshHeap(), liveBlocks: 1000, allocator: 'thi.ng' };
  const versus = await pairedThroughput(
    { script, count: 1, params: ours() },
    { script, count: 1, params: thing },
    durationMs,
    samples,
  );
  const scaling = await pairedThroughput(
    { script, count: 2, params: ours() },
    { script, count: 1, params: ours() },
    durationMs,
    samples,
  );
  const machine = await pairedThroughput(
    { script, count: 2, params: thing },
    { script, count: 1, params: thing },
    durationMs,
    samples,
  );
  return [
    {
      name: 'alloc+free pairs, 1 worker (pairs/s)',
      value: versus.a,
      baseline: versus.b,
      baselineName: '@thi.ng/malloc',
      ratio: versus.ratio,
      target: '≥ 1.0×',
    },
    {
      name: 'alloc+free pairs, 2 workers vs 1 (pairs/s)',
      value: scaling.a,
      baseline: scaling.b,
      baselineName: 'ours, 1 worker',
      ratio: scaling.ratio,
      target: '≥ 1.7×',
    },
    {
      name: 'machine ceiling: private pools, 2 workers vs 1',
      value: machine.a,
      baseline: machine.b,
      baselineName: '@thi.ng, 1 worker',
      ratio: machine.ratio,
      target: 'reference',
    },
  ];
}

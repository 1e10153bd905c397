// Allocator benchmarks: alloc+free pairs (16 B – 4 KiB) against @thi.ng/malloc, a single-threaded
// ArrayBuffer allocator, on one worker; and this allocator on 2 workers vs 1 (one shared heap).
import { formatAllocatorRegions } from '../src/alloc/index.js';
import { HeapMemory } from '../src/memory/index.js';
import { medianThroughput } from './lib/measure.js';
import type { AllocParams } from './workers/alloc.worker.js';
import type { BenchResult } from './run.js';

const script = new URL('./workers/alloc.worker.ts', import.meta.url);

export async function allocBenchmarks(samples: number, durationMs: number): Promise<BenchResult[]> {
  const memory = HeapMemory.create(256 << 20);
  formatAllocatorRegions(memory);
  const base = { heap: memory.buffer, liveBlocks: 1000 };
  const ours: AllocParams = { ...base, allocator: 'shared-objects' };
  const thing: AllocParams = { ...base, allocator: 'thi.ng' };
  const ours1 = await medianThroughput(script, 1, ours, durationMs, samples);
  const thing1 = await medianThroughput(script, 1, thing, durationMs, samples);
  const ours2 = await medianThroughput(script, 2, ours, durationMs, samples);
  return [
    {
      name: 'alloc+free pair, 1 worker (ops/s)',
      value: ours1,
      baseline: thing1,
      baselineName: '@thi.ng/malloc',
      ratio: ours1 / thing1,
      target: '≥ 1.0×',
    },
    {
      name: 'alloc+free pairs, 2 workers vs 1 (ops/s)',
      value: ours2,
      baseline: ours1,
      baselineName: 'ours, 1 worker',
      ratio: ours2 / ours1,
      target: '≥ 1.7×',
    },
  ];
}

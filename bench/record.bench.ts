// Reading a 5-field record that another worker holds: `cell.get()` from shared memory against a
// postMessage round trip to that worker (structured clone both ways).
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { Allocator, handleUnit } from '../src/alloc/index.js';
import type { WordIndex } from '../src/base/index.js';
import { Heap } from '../src/index.js';
import { headerWord, HeapMemory } from '../src/memory/index.js';
import { ValueCodec } from '../src/values/index.js';
import { blackhole, median, nsPerOp } from './lib/measure.js';
import type { BenchResult } from './run.js';

async function roundTripNs(samples: number): Promise<number> {
  const worker = new Worker(new URL('./workers/record-echo.worker.ts', import.meta.url));
  const roundTrip = async (): Promise<void> => {
    worker.postMessage('get');
    [blackhole.value] = (await once(worker, 'message')) as [unknown];
  };
  for (let i = 0; i < 500; i += 1) await roundTrip();
  const perSample = 2000;
  const results: number[] = [];
  for (let sample = 0; sample < samples; sample += 1) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < perSample; i += 1) await roundTrip();
    results.push(Number(process.hrtime.bigint() - start) / perSample);
  }
  await worker.terminate();
  return median(results);
}

export async function recordBenchmarks(samples: number): Promise<BenchResult[]> {
  const heap = Heap.create({ maxBytes: 64 << 20 });
  const cell = heap.cell<unknown>(null);
  const writer = new Worker(new URL('./workers/record-writer.worker.ts', import.meta.url), {
    workerData: { heap: heap.handle, cell: cell.ref },
  });
  await once(writer, 'message');
  await once(writer, 'exit');
  const getNs = nsPerOp((n) => {
    let total = 0;
    for (let i = 0; i < n; i += 1) total += (cell.get() as { stock: number }).stock;
    blackhole.value = total;
  }, samples);
  // The same read with the decode cache off: what a read costs the first time after a write.
  const memory = HeapMemory.attach(heap.handle.buffer);
  const allocator = new Allocator(memory, 63, headerWord.superblockHighWater as WordIndex);
  const coldCodec = new ValueCodec(memory, allocator, memory.heapId, () => ({}), {
    decodeCacheEntries: 0,
  });
  const valueSlot = handleUnit(cell.handle) + 1;
  const coldNs = nsPerOp((n) => {
    let total = 0;
    for (let i = 0; i < n; i += 1) {
      total += (coldCodec.decode(Atomics.load(memory.b64, valueSlot)) as { stock: number }).stock;
    }
    blackhole.value = total;
  }, samples);
  const postMessageNs = await roundTripNs(samples);
  heap.close();
  return [
    {
      name: 'read a 5-field record from another worker (ns)',
      value: getNs,
      baseline: postMessageNs,
      baselineName: 'postMessage round trip',
      ratio: postMessageNs / getNs,
      target: '≥ 200×',
    },
    {
      name: 'same, first read after a write (no decode cache) (ns)',
      value: coldNs,
      baseline: postMessageNs,
      baselineName: 'postMessage round trip',
      ratio: postMessageNs / coldNs,
      target: '≥ 200×',
    },
  ];
}

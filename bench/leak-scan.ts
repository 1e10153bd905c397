// The cost of the reachability scan (objects/reachability.ts) against the rest of
// `heap.memoryUsage()`, on heaps of N shared objects: a quarter each maps (two entries, one a
// string), cells, arrays (two elements) and objects with two fields, all under `heap.root`, and
// then the same heap with every tenth object moved into a map that holds itself, and dropped
// (both are then unreachable). Figures: median wall-clock ms of a few calls, single thread, nothing else running.
// Run: node --require ./scripts/register-tsx.cjs bench/leak-scan.ts [N ...]
import { cpus } from 'node:os';
import { Heap, type SharedMap } from '../src/index.js';

const sizes = process.argv.slice(2).map(Number);
const samples = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function timeMs(fn: () => unknown): number {
  const times: number[] = [];
  for (let sample = 0; sample < samples; sample += 1) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

function makeObject(heap: Heap, index: number): SharedMap<string> | Disposable {
  switch (index % 4) {
    case 0:
      return heap.map<string, unknown>([
        ['n', index],
        ['s', `value ${String(index)}`],
      ]);
    case 1:
      return heap.cell(index);
    case 2:
      return heap.array([index, 'x']);
    default:
      return heap.object({ a: index, b: 'y' });
  }
}

for (const objects of sizes.length > 0 ? sizes : [10_000, 100_000]) {
  const heap = Heap.create({ maxBytes: 1 << 30 });
  const top = heap.map<number, unknown>();
  heap.root.set('top', top);
  for (let index = 0; index < objects; index += 1) {
    const object = makeObject(heap, index);
    top.set(index, object);
    object[Symbol.dispose]();
  }
  const row = (label: string): void => {
    const usage = heap.memoryUsage({ unreachable: true });
    const plain = timeMs(() => heap.memoryUsage());
    const scanned = timeMs(() => heap.memoryUsage({ unreachable: true }));
    process.stdout.write(
      `${String(objects)} objects, ${label}: usedBytes ${String(usage.usedBytes)}, unreachable ` +
        `${String(usage.unreachableObjects)} (${String(usage.unreachableBytes)} B); ` +
        `memoryUsage() ${plain.toFixed(2)} ms, with { unreachable: true } ${scanned.toFixed(1)} ms ` +
        `(${((scanned / objects) * 1000).toFixed(2)} µs per object)\n`,
    );
  };
  row('all reachable');
  // Every tenth object: a map that holds itself, then dropped from the root's map.
  for (let index = 0; index < objects; index += 10) {
    const cycle = heap.map<string, unknown>();
    cycle.set('self', cycle);
    const payload = top.get(index) as Disposable;
    cycle.set('payload', payload);
    payload[Symbol.dispose]();
    top.delete(index);
    cycle[Symbol.dispose]();
  }
  heap.reclaim();
  row('a tenth in cycles');
  heap.close();
}
process.stdout.write(`Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}\n`);

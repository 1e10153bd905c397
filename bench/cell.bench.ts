// Cell benchmarks, main thread: reading a number and a 16-character string from a cell against
// reading a plain JS object property, and setting a number (which must allocate nothing).
import { Heap } from '../src/index.js';
import { blackhole, nsPerOp } from './lib/measure.js';
import type { BenchResult } from './run.js';

export function cellBenchmarks(samples: number): BenchResult[] {
  const heap = Heap.create({ maxBytes: 64 << 20 });
  const numberCell = heap.cell(3.25);
  const stringCell = heap.cell('sixteen chars!!!');
  const plain = { number: 3.25, string: 'sixteen chars!!!' };
  const objects = [plain, { number: 1, string: 'x' }];

  const getNumber = nsPerOp((n) => {
    let sum = 0;
    for (let i = 0; i < n; i += 1) sum += numberCell.get();
    blackhole.value = sum;
  }, samples);
  const plainNumber = nsPerOp((n) => {
    let sum = 0;
    for (let i = 0; i < n; i += 1) sum += (objects[i & 0] ?? plain).number;
    blackhole.value = sum;
  }, samples);
  const getString = nsPerOp((n) => {
    let length = 0;
    for (let i = 0; i < n; i += 1) length += stringCell.get().length;
    blackhole.value = length;
  }, samples);
  const plainString = nsPerOp((n) => {
    let length = 0;
    for (let i = 0; i < n; i += 1) length += (objects[i & 0] ?? plain).string.length;
    blackhole.value = length;
  }, samples);
  const usedBefore = heap.memoryUsage();
  const setNumber = nsPerOp((n) => {
    for (let i = 0; i < n; i += 1) numberCell.set(i);
  }, samples);
  const usedAfter = heap.memoryUsage();
  const plainSet = nsPerOp((n) => {
    for (let i = 0; i < n; i += 1) (objects[i & 0] ?? plain).number = i;
  }, samples);
  const allocatedBytes =
    usedAfter.usedBytes - usedBefore.usedBytes + usedAfter.retiredBytes - usedBefore.retiredBytes;
  heap.close();
  return [
    {
      name: 'cell.get() of a number (ns)',
      value: getNumber,
      baseline: plainNumber,
      baselineName: 'JS property',
      ratio: plainNumber / getNumber,
      target: 'report',
    },
    {
      name: 'cell.get() of a 16-char string (ns)',
      value: getString,
      baseline: plainString,
      baselineName: 'JS property',
      ratio: plainString / getString,
      target: 'report',
    },
    {
      name: `cell.set(number) (ns; ${String(allocatedBytes)} B allocated)`,
      value: setNumber,
      baseline: plainSet,
      baselineName: 'JS property write',
      ratio: plainSet / setNumber,
      target: 'no allocation',
    },
  ];
}

// Worker of the lifetime test: makes cells, stores them (alone or inside snapshots) in shared
// slots, reads other workers' cells out of the slots and drops its wrappers — so reference counts
// rise and fall on all sides, and objects die while others are reading the slots that held them.
import { parentPort, workerData } from 'node:worker_threads';
import { Heap, type HeapHandle, type SharedCell, type SharedRef } from '../../src/index.js';

export interface RefChurnData {
  readonly heap: HeapHandle;
  readonly slots: readonly SharedRef[];
  readonly index: number;
  readonly operations: number;
}

const data = workerData as RefChurnData;
const heap = Heap.attach(data.heap);
const slots = data.slots.map((ref) => heap.open<SharedCell<unknown>>(ref));
let badReads = 0;
let seed = data.index + 1;
const random = (n: number): number => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed % n;
};
for (let i = 0; i < data.operations; i += 1) {
  const slot = slots[random(slots.length)];
  if (slot === undefined) continue;
  if (random(2) === 0) {
    const cell = heap.cell(`w${String(data.index)}:${String(i)}`);
    slot.set(random(2) === 0 ? cell : { wrapped: [cell] });
    cell[Symbol.dispose]();
  } else {
    const found = slot.get();
    const cell =
      found !== null && typeof found === 'object' && 'wrapped' in found
        ? (found as { wrapped: SharedCell<string>[] }).wrapped[0]
        : (found as SharedCell<string> | null);
    if (cell !== null && cell !== undefined) {
      if (!/^w\d:\d+$/.test(cell.get())) badReads += 1;
      cell[Symbol.dispose]();
    }
  }
}
heap.close();
parentPort?.postMessage({ badReads });

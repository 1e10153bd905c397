// Worker of the orElse-across-workers test: takes `items` items from whichever of two one-slot
// mailboxes holds one (orElse of two takes, each retrying while its box is empty), so when both
// are empty the whole transaction sleeps on both boxes and must wake on a put into either.
import { parentPort, workerData } from 'node:worker_threads';
import {
  atomically,
  Heap,
  orElse,
  retry,
  type HeapHandle,
  type SharedCell,
  type SharedRef,
} from '../../src/index.js';

export interface OrElseData {
  readonly heap: HeapHandle;
  readonly boxes: readonly [SharedRef, SharedRef];
  readonly items: number;
}

const data = workerData as OrElseData;
const heap = Heap.attach(data.heap);
const boxes = data.boxes.map((ref) => heap.open<SharedCell<number | null>>(ref));

function take(index: number): [number, number] {
  const box = boxes[index];
  const value = box?.get() ?? null;
  if (box === undefined || value === null) return retry();
  box.set(null);
  return [index, value];
}

const taken: [number, number][] = [];
for (let i = 0; i < data.items; i += 1) {
  taken.push(
    atomically(() =>
      orElse(
        () => take(0),
        () => take(1),
      ),
    ),
  );
}
heap.close();
parentPort?.postMessage(taken);

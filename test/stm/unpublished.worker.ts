// Worker of recovery.test.ts: writes a large string into a shared cell in a transaction and dies
// (process.exit) at a commit crash point, leaving the string's block in its log, never published.
import { parentPort, workerData } from 'node:worker_threads';
import { faults, type CrashPointName } from '../../src/base/index.js';
import {
  atomically,
  Heap,
  type HeapHandle,
  type SharedCell,
  type SharedRef,
} from '../../src/index.js';

export interface UnpublishedData {
  readonly heap: HeapHandle;
  readonly label: SharedRef;
  readonly crashAt: CrashPointName;
  readonly text: string;
}

const data = workerData as UnpublishedData;
const heap = Heap.attach(data.heap);
const label = heap.open<SharedCell<string>>(data.label);
faults.atCrashPoint = (name) => {
  if (name !== data.crashAt) return;
  parentPort?.postMessage('dying');
  process.exit(3);
};
atomically(() => {
  label.set(data.text);
});
parentPort?.postMessage('survived');

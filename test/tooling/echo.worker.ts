// Worker side of the tooling smoke test: proves that a worker thread can be started from a .ts
// file under the test runner and that it sees the same SharedArrayBuffer as its parent.
import { parentPort, workerData } from 'node:worker_threads';

export interface EchoWorkerData {
  readonly buffer: SharedArrayBuffer;
  readonly increments: number;
}

const { buffer, increments } = workerData as EchoWorkerData;
const counter = new Int32Array(buffer);
for (let i = 0; i < increments; i++) {
  Atomics.add(counter, 0, 1);
}
parentPort?.postMessage('done');

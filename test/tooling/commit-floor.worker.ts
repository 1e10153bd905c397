// Worker side of the commit-floor test: runs the floor's contended increment on a shared buffer.
import { parentPort, workerData } from 'node:worker_threads';
import { CommitFloor } from '../../bench/lib/commit-floor.js';

export interface FloorWorkerData {
  readonly buffer: SharedArrayBuffer;
  readonly slot: number;
  readonly increments: number;
  readonly workBetween: boolean;
}

const { buffer, slot, increments, workBetween } = workerData as FloorWorkerData;
const floor = new CommitFloor(buffer, slot);
let spins = 0;
const work = (): void => {
  // Long enough that another worker often finds the lock held.
  for (let i = 0; i < 200; i += 1) spins += i & 1;
};
for (let i = 0; i < increments; i += 1) floor.lockedIncrement(work, workBetween);
parentPort?.postMessage(spins);

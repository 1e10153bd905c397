// Death test helper: a worker that starts recovering a dead thread's slot and dies at a crash point
// in the middle of the recovery, leaving the slot a zombie for someone else to finish.
import { workerData } from 'node:worker_threads';
import { faults, type CrashPointName } from '../../src/base/index.js';
import { HeapMemory } from '../../src/memory/index.js';
import { HeapContext, objectKinds } from '../../src/objects/index.js';

const data = workerData as {
  buffer: SharedArrayBuffer;
  deadThreadId: number;
  crashAt: CrashPointName;
};
faults.atCrashPoint = (name) => {
  if (name === data.crashAt) process.exit(5);
};
const context = new HeapContext(HeapMemory.attach(data.buffer), objectKinds);
context.recoverThread(data.deadThreadId);

// Slot-reuse test worker, plain JavaScript on the built package (`npm run build` first): started
// without the TypeScript loader, a worker costs ~10 ms instead of ~100 ms, which makes 1 000
// start/exit cycles affordable. It attaches, touches a shared cell, and leaves in one of three
// ways — `heap.close()`, `process.exit()` without closing, or simply ending without closing.
import { workerData } from 'node:worker_threads';
import { Heap } from 'shared-objects';

const heap = Heap.attach(workerData.heap);
heap.open(workerData.counter).update((n) => n + 1);
if (workerData.leave === 'close') heap.close();
else if (workerData.leave === 'exit') process.exit(0);

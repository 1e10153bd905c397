// Worker of the fault test. A victim arms a crash point, then runs one transfer (a → b, and a
// transfer count) and dies at that point by exiting, throwing or hanging; before dying it tells
// the main thread which point it died at. A survivor runs transfers on the same cells and reports
// how long it took.
import { parentPort, workerData } from 'node:worker_threads';
import { faults, type TxCrashPointName } from '../../src/base/index.js';
import {
  atomically,
  Heap,
  type HeapHandle,
  type SharedCell,
  type SharedRef,
} from '../../src/index.js';

export type DeathMode = 'exit' | 'throw' | 'hang';
export type FaultPoint = TxCrashPointName | 'user';

export interface FaultData {
  readonly heap: HeapHandle;
  readonly a: SharedRef;
  readonly b: SharedRef;
  readonly count: SharedRef;
  readonly role: 'victim' | 'survivor';
  readonly crashAt?: FaultPoint;
  readonly mode?: DeathMode;
  readonly transfers?: number;
  /** The amount a victim moves from a to b. */
  readonly amount?: number;
}

export type FaultMessage =
  | { readonly kind: 'dying'; readonly at: FaultPoint }
  | { readonly kind: 'survived' }
  | { readonly kind: 'done'; readonly ms: number };

const data = workerData as FaultData;
const heap = Heap.attach(data.heap);
const a = heap.open<SharedCell<number>>(data.a);
const b = heap.open<SharedCell<number>>(data.b);
const count = heap.open<SharedCell<number>>(data.count);

const amount = data.amount ?? 0;

const post = (message: FaultMessage): void => {
  parentPort?.postMessage(message);
};

function die(at: FaultPoint): void {
  // Said first: the main thread records that this point fired, whatever the death does next.
  post({ kind: 'dying', at });
  if (data.mode === 'exit') process.exit(3);
  if (data.mode === 'throw') throw new Error('victim dies on purpose');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // hang until terminated
}

if (data.role === 'victim') {
  faults.atCrashPoint = (name) => {
    if (name === data.crashAt) die(name);
  };
  atomically(() => {
    a.set(a.get() - amount);
    b.set(b.get() + amount);
    count.set(count.get() + 1);
    if (data.crashAt === 'user') die('user');
  });
  post({ kind: 'survived' });
} else {
  const started = performance.now();
  for (let i = 0; i < (data.transfers ?? 0); i += 1) {
    atomically(() => {
      a.set(a.get() - 1);
      b.set(b.get() + 1);
    });
    atomically(() => {
      b.set(b.get() - 1);
      a.set(a.get() + 1);
    });
  }
  post({ kind: 'done', ms: performance.now() - started });
}
heap.close();

// Worker of the SharedArray tests (array-workers.test.ts). Modes:
// - `disjoint`: sets and read-modify-writes its own indexes for `operations` rounds; or, with
//   `pusher`, pushes and pops past the initial length (never below it);
// - `bank`: moves amounts between the first `accounts` elements, so their sum never changes;
//   a reader checks that sum (in and out of transactions, by slice and by iteration);
// - `stack`: pushes its own unique items and pops any (never below `accounts`), reporting what
//   it popped, so that no item is lost or duplicated;
// - `grow`: pushes `base + 0 … operations − 1`, one transaction each, reading some back;
// - `versions`: adds 1 to random elements below `accounts` (element i holds i × 10⁶ + its count);
// - `peek`: reads random elements with `at` outside transactions (the path without one) and
//   reports any below `accounts` that is not i × 10⁶ + a count never smaller than the last seen,
//   and any past `accounts` that is neither undefined nor a number.
import { parentPort, workerData } from 'node:worker_threads';
import {
  atomically,
  Heap,
  type HeapHandle,
  type SharedArray,
  type SharedRef,
} from '../../src/index.js';
import { seededRandom } from '../support/random.js';

export interface ArrayWorkerData {
  readonly heap: HeapHandle;
  readonly array: SharedRef;
  readonly mode: 'disjoint' | 'bank' | 'stack' | 'grow' | 'versions' | 'peek';
  readonly seed: number;
  readonly operations: number;
  /** disjoint: this worker's indexes. */
  readonly indexes?: readonly number[];
  /** disjoint: push and pop past `accounts` instead. */
  readonly pusher?: boolean;
  /** bank, stack, disjoint pusher: the elements below this index are not pushed or popped. */
  readonly accounts?: number;
  /** bank: this worker only reads and checks the sum. */
  readonly reader?: boolean;
  readonly total?: number;
  /** grow: the first value this worker pushes. */
  readonly base?: number;
}

export interface ArrayWorkerReport {
  readonly bad: string[];
  readonly iterations: number;
  /** disjoint: [index, value] of this worker's indexes at the end. */
  readonly finalState: [number, number][];
  /** stack: what it pushed and what it popped. */
  readonly pushed: string[];
  readonly popped: string[];
}

const data = workerData as ArrayWorkerData;
const heap = Heap.attach(data.heap);
const array = heap.open<SharedArray>(data.array);
const random = seededRandom(data.seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const bad: string[] = [];
let iterations = 0;
const finalState = new Map<number, number>();
const pushed: string[] = [];
const popped: string[] = [];
const accounts = data.accounts ?? 0;

if (data.mode === 'versions') {
  for (let round = 0; round < data.operations; round += 1) {
    const index = Math.floor(random() * accounts);
    atomically(() => {
      array.set(index, (array.at(index) as number) + 1);
    });
  }
} else if (data.mode === 'peek') {
  const lastSeen = new Map<number, number>();
  for (let round = 0; round < data.operations; round += 1) {
    const index = Math.floor(random() * accounts * 2);
    const value = array.at(index);
    iterations += 1;
    if (index >= accounts) {
      if (value !== undefined && typeof value !== 'number')
        bad.push(`at(${String(index)}): a ${typeof value}`);
      continue;
    }
    const count = (value as number) - index * 1e6;
    if (typeof value !== 'number' || count < (lastSeen.get(index) ?? 0) || count >= 1e6) {
      bad.push(
        `at(${String(index)}) = ${typeof value === 'number' ? String(value) : typeof value} after ${String(lastSeen.get(index))}`,
      );
    }
    lastSeen.set(index, count);
  }
} else if (data.mode === 'disjoint' && data.pusher === true) {
  for (let round = 0; round < data.operations; round += 1) {
    if (random() < 0.55) {
      array.push(round);
    } else {
      atomically(() => (array.length > accounts ? array.pop() : undefined));
    }
  }
} else if (data.mode === 'disjoint') {
  const indexes = data.indexes ?? [];
  for (let round = 0; round < data.operations; round += 1) {
    const index = pick(indexes);
    const choice = random();
    if (choice < 0.4) {
      array.set(index, round);
      finalState.set(index, round);
    } else if (choice < 0.8) {
      const value = atomically(() => {
        const next = (array.at(index) as number) + 1;
        array.set(index, next);
        return next;
      });
      finalState.set(index, value);
    } else {
      const value = array.at(index);
      if (finalState.has(index) && value !== finalState.get(index)) {
        bad.push(`index ${String(index)}: read ${String(value)}`);
      }
    }
  }
} else if (data.mode === 'bank') {
  const sumOf = (values: Iterable<unknown>): number => {
    let sum = 0;
    for (const value of values) sum += value as number;
    return sum;
  };
  for (let round = 0; round < data.operations; round += 1) {
    if (data.reader === true) {
      const way = round % 3;
      const sum =
        way === 0
          ? atomically(() => sumOf(array.slice(0, accounts)))
          : way === 1
            ? sumOf(array.slice(0, accounts))
            : sumOf(array.toArray().slice(0, accounts));
      iterations += 1;
      if (sum !== data.total) bad.push(`sum ${String(sum)} (way ${String(way)})`);
      continue;
    }
    atomically(() => {
      const from = Math.floor(random() * accounts);
      const to = Math.floor(random() * accounts);
      const amount = Math.floor(random() * 10);
      array.set(from, (array.at(from) as number) - amount);
      array.set(to, (array.at(to) as number) + amount);
    });
  }
} else if (data.mode === 'stack') {
  for (let round = 0; round < data.operations; round += 1) {
    if (random() < 0.6) {
      const item = `${String(data.seed)}:${String(round)}`;
      array.push(item);
      pushed.push(item);
    } else {
      const item = atomically(() => (array.length > accounts ? array.pop() : undefined));
      if (item !== undefined) popped.push(item as string);
    }
  }
} else {
  const base = data.base ?? 0;
  for (let index = 0; index < data.operations; index += 1) {
    const length = array.push(base + index);
    if (index % 1000 === 999 && array.at(length - 1) === undefined) {
      bad.push(`nothing at ${String(length - 1)}`);
    }
  }
}

array[Symbol.dispose]();
heap.close();
const report: ArrayWorkerReport = { bad, iterations, finalState: [...finalState], pushed, popped };
parentPort?.postMessage(report);

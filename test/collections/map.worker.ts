// Worker of the SharedMap tests (map-workers.test.ts). Modes:
// - `disjoint`: inserts, updates and deletes its own keys for `operations` rounds;
// - `bank`: transfers between accounts, closes accounts into others and opens new ones, so the
//   sum of all balances never changes; readers check that sum by iterating, in and out of
//   transactions, and report any other sum they saw;
// - `transfer`: moves amounts between two random accounts `account 0 … accounts−1` (no
//   iteration), so that a long reader elsewhere meets a steady stream of small writers;
// - `grow`: inserts keys `prefix 0 … count−1` one transaction each, reading some back.
import { parentPort, workerData } from 'node:worker_threads';
import {
  atomically,
  Heap,
  type HeapHandle,
  type SharedMap,
  type SharedRef,
} from '../../src/index.js';
import { seededRandom } from '../support/random.js';

export interface MapWorkerData {
  readonly heap: HeapHandle;
  readonly map: SharedRef;
  readonly mode: 'disjoint' | 'bank' | 'grow' | 'transfer';
  readonly seed: number;
  readonly operations: number;
  /** disjoint: this worker's keys. grow: the prefix of its keys. */
  readonly keys?: readonly string[];
  readonly prefix?: string;
  /** bank: this worker only reads (iterates) and checks the sum. */
  readonly reader?: boolean;
  readonly total?: number;
  /** transfer: how many accounts there are. */
  readonly accounts?: number;
}

export interface MapWorkerReport {
  readonly badSums: number[];
  readonly iterations: number;
  /** disjoint: the value each key holds at the end (absent: not listed). */
  readonly finalState: [string, number][];
}

const data = workerData as MapWorkerData;
const heap = Heap.attach(data.heap);
const map = heap.open<SharedMap<string, number>>(data.map);
const random = seededRandom(data.seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const badSums: number[] = [];
let iterations = 0;
const finalState = new Map<string, number>();

if (data.mode === 'disjoint') {
  const keys = data.keys ?? [];
  for (let round = 0; round < data.operations; round += 1) {
    const key = pick(keys);
    const choice = random();
    if (choice < 0.4) {
      map.set(key, round);
      finalState.set(key, round);
    } else if (choice < 0.7) {
      map.delete(key);
      finalState.delete(key);
    } else {
      const value = map.update(key, (old) => (old ?? 0) + 1);
      finalState.set(key, value);
    }
  }
} else if (data.mode === 'bank') {
  const sumOf = (values: Iterable<number>): number => {
    let sum = 0;
    for (const value of values) sum += value;
    return sum;
  };
  let opened = 0;
  for (let round = 0; round < data.operations; round += 1) {
    if (data.reader === true) {
      // Alternately in a transaction of our own and as a method's own transaction.
      const sum = round % 2 === 0 ? atomically(() => sumOf(map.values())) : sumOf(map.values());
      iterations += 1;
      if (sum !== data.total) badSums.push(sum);
      continue;
    }
    atomically(() => {
      const accounts = [...map.keys()];
      const from = pick(accounts);
      const to = pick(accounts);
      const choice = random();
      if (choice < 0.1 && accounts.length > 4 && from !== to) {
        // Close `from` into `to`.
        const balance = map.get(from) ?? 0;
        map.delete(from);
        map.set(to, (map.get(to) ?? 0) + balance);
      } else if (choice < 0.2) {
        // Open an account funded by `from`.
        const amount = Math.floor((map.get(from) ?? 0) / 2);
        map.set(from, (map.get(from) ?? 0) - amount);
        map.set(`w${String(data.seed)}-${String(opened)}`, amount);
      } else {
        const amount = Math.floor(random() * 10);
        map.set(from, (map.get(from) ?? 0) - amount);
        map.set(to, (map.get(to) ?? 0) + amount);
      }
    });
    opened += 1;
  }
} else if (data.mode === 'transfer') {
  const accounts = data.accounts ?? 1;
  for (let round = 0; round < data.operations; round += 1) {
    const from = `account ${String(Math.floor(random() * accounts))}`;
    const to = `account ${String(Math.floor(random() * accounts))}`;
    const amount = Math.floor(random() * 5);
    atomically(() => {
      map.set(from, (map.get(from) ?? 0) - amount);
      map.set(to, (map.get(to) ?? 0) + amount);
    });
  }
} else {
  const prefix = data.prefix ?? '';
  for (let index = 0; index < data.operations; index += 1) {
    map.set(`${prefix}${String(index)}`, index);
    if (index % 1000 === 999) {
      const back = map.get(`${prefix}${String(index - 500)}`);
      if (back !== index - 500) badSums.push(index);
    }
  }
}

map[Symbol.dispose]();
heap.close();
const report: MapWorkerReport = { badSums, iterations, finalState: [...finalState] };
parentPort?.postMessage(report);

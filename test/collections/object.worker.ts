// Worker of the shared-object tests (object-workers.test.ts). Modes:
// - `bank`: registers Account, then transfers random amounts between the accounts (one of them
//   hot: every worker uses it), with `transfer` (a method that runs `atomically`) and with
//   withdraw/deposit pairs in its own `atomically`; reports any negative balance or sum other
//   than `total` it saw, and whether opened accounts were `instanceof Account`;
// - `field`: writes its own field of one object, `operations` transactions of read + write;
// - `unregistered`: opens an Account without registering the class and reports what it sees.
import { parentPort, workerData } from 'node:worker_threads';
import { atomically, Heap, type HeapHandle, type SharedRef } from '../../src/index.js';
import { seededRandom } from '../support/random.js';
import { Account } from './account.js';

export interface ObjectWorkerData {
  readonly heap: HeapHandle;
  readonly mode: 'bank' | 'field' | 'unregistered';
  readonly refs: readonly SharedRef[];
  readonly seed: number;
  readonly operations: number;
  readonly total?: number;
  readonly field?: string;
  /** Int32 [0]: workers ready; all start together once it reaches `workers`. */
  readonly start?: SharedArrayBuffer;
  readonly workers?: number;
}

export interface ObjectWorkerReport {
  readonly badSums: number[];
  readonly negative: number;
  readonly instances: boolean;
  readonly transfers: number;
  readonly seen?: Record<string, unknown> | undefined;
}

const data = workerData as ObjectWorkerData;
const heap = Heap.attach(data.heap);
const random = seededRandom(data.seed);
/** The element at `index`, which the caller knows is there. */
function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new RangeError(`no item ${String(index)}`);
  return item;
}

/** Waits until every worker of the run is ready, so that they contend from the start. */
function startTogether(): void {
  if (data.start === undefined) return;
  const flag = new Int32Array(data.start);
  Atomics.add(flag, 0, 1);
  Atomics.notify(flag, 0);
  for (let ready = Atomics.load(flag, 0); ready < (data.workers ?? 1);) {
    Atomics.wait(flag, 0, ready, 1000);
    ready = Atomics.load(flag, 0);
  }
}

const badSums: number[] = [];
let negative = 0;
let transfers = 0;
let instances = true;
let seen: Record<string, unknown> | undefined;

if (data.mode === 'bank') {
  heap.registerClass(Account);
  const accounts = data.refs.map((ref) => heap.open<Account>(ref));
  instances = accounts.every((account) => account instanceof Account);
  const pick = (): Account => at(accounts, Math.floor(random() * accounts.length));
  startTogether();
  for (let round = 0; round < data.operations; round += 1) {
    // Half the transfers touch the hot account 0.
    const from = random() < 0.25 ? at(accounts, 0) : pick();
    const to = random() < 0.25 ? at(accounts, 0) : pick();
    const amount = 1 + Math.floor(random() * 40);
    if (from === to) continue;
    const moved =
      random() < 0.5
        ? from.transfer(to, amount)
        : atomically(() => {
            if (!from.withdraw(amount)) return false;
            to.deposit(amount);
            return true;
          });
    if (moved) transfers += 1;
    if (round % 50 === 0) {
      const balances = atomically(() => accounts.map((account) => account.balance));
      if (balances.some((balance) => balance < 0)) negative += 1;
      const sum = balances.reduce((a, b) => a + b, 0);
      if (sum !== data.total) badSums.push(sum);
    }
  }
} else if (data.mode === 'field') {
  const object = heap.open<Record<string, number>>(at(data.refs, 0));
  const field = data.field ?? '';
  startTogether();
  for (let round = 0; round < data.operations; round += 1) {
    atomically(() => {
      object[field] = (object[field] ?? 0) + 1;
    });
  }
} else {
  const object = heap.open<Record<string, unknown>>(at(data.refs, 0));
  instances = object instanceof Account;
  seen = {
    tag: Object.prototype.toString.call(object),
    balance: object['balance'],
    deposit: typeof object['deposit'],
    keys: Object.keys(object),
  };
  object['balance'] = 1234;
}

heap.close();
parentPort?.postMessage({
  badSums,
  negative,
  instances,
  transfers,
  seen,
} satisfies ObjectWorkerReport);

// Worker of the bank test: seeded random transfers between shared accounts, read-all audits that
// must always sum to the starting total, and an opacity check (every transfer moves an amount
// between a pair whose sum is kept at zero; a transaction that ever saw x + y !== 0 would loop
// forever or throw, so it reports instead).
import { parentPort, workerData } from 'node:worker_threads';
import { atomically, Heap, type HeapHandle, type SharedRef } from '../../src/index.js';
import { seededRandom } from '../support/random.js';
import {
  openNumbers,
  openPairs,
  randomTransfer,
  transferWithPair,
  type PairRefs,
} from './bank-cells.js';

export interface BankData {
  readonly heap: HeapHandle;
  readonly accounts: readonly SharedRef[];
  /** Pairs (x, y) kept at x + y === 0. */
  readonly pairs: PairRefs;
  readonly seed: number;
  readonly transfers: number;
  readonly auditEvery: number;
  readonly expectedTotal: number;
}

export interface BankResult {
  readonly audits: number;
  readonly badAudits: readonly number[];
  readonly opacityViolations: number;
  readonly transfers: number;
}

const data = workerData as BankData;
const heap = Heap.attach(data.heap);
const accounts = openNumbers(heap, data.accounts);
const pairs = openPairs(heap, data.pairs);

const random = seededRandom(data.seed);

let audits = 0;
let opacityViolations = 0;
const badAudits: number[] = [];
for (let i = 1; i <= data.transfers; i += 1) {
  const { from, to, amount, pair } = randomTransfer(random, accounts, pairs);
  atomically(() => {
    if (!transferWithPair(from, to, pair, amount)) opacityViolations += 1;
  });
  if (i % data.auditEvery === 0) {
    const total = atomically(() => accounts.reduce((sum, account) => sum + account.get(), 0));
    audits += 1;
    if (total !== data.expectedTotal) badAudits.push(total);
  }
}
heap.close();
const result: BankResult = { audits, badAudits, opacityViolations, transfers: data.transfers };
parentPort?.postMessage(result);

// Worker of the low-contention benchmark (stm.bench.ts): transfers between random accounts of a
// large bank, so two workers almost never touch the same cell.
import {
  atomically,
  Heap,
  type HeapHandle,
  type SharedCell,
  type SharedRef,
} from '../../src/index.js';
import { runHeapLoop, workerParams } from '../lib/worker-loop.js';

export interface BankParams {
  readonly heap: HeapHandle;
  readonly accounts: readonly SharedRef[];
  readonly warmupMs: number;
}

const { params, workerIndex } = workerParams() as { params: BankParams; workerIndex: number };
const heap = Heap.attach(params.heap);
const accounts = params.accounts.map((ref) => heap.open<SharedCell<number>>(ref));
let seed = 0x9e3779b9 ^ (workerIndex * 0x85ebca6b);
function randomAccount(): SharedCell<number> {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  const account = accounts[(seed >>> 0) % accounts.length];
  if (account === undefined) throw new RangeError('the bank has no accounts');
  return account;
}

const batchTransfers = 64;

await runHeapLoop({
  warmupMs: params.warmupMs,
  batch: () => {
    for (let i = 0; i < batchTransfers; i += 1) {
      const from = randomAccount();
      const to = randomAccount();
      atomically(() => {
        from.set(from.get() - 1);
        to.set(to.get() + 1);
      });
    }
    return batchTransfers;
  },
  finish: () => {
    heap.close();
    return undefined;
  },
});

// Finding a conflict with the conflict log: a bank of 10 000 accounts in a SharedMap, 100 000
// transfers run as tasks of a TransactionQueue. Transfers between different accounts do not
// conflict — but every task also counts itself in one shared cell, and that line is where the
// workers meet. Run it and read the report:
//
//   npm run example:conflicts    (shared-objects run examples/conflicts/transfers.ts, under tsx)
//
// The report's top conflict names the line marked HOT and suggests heap.counter(). With
// COUNTER=1 the tasks count into a counter instead, whose adds commute, and the conflict is gone:
//
//   COUNTER=1 npm run example:conflicts
import type {
  Heap,
  SharedCell,
  SharedCounter,
  SharedMap,
  TaskContext,
  TransactionQueue,
} from 'shared-objects';

const accounts = 10_000;
const opening = 100;
const transfers = 100_000;
const withCounter = process.env['COUNTER'] === '1';

function balances(heap: Heap): SharedMap<number, number> {
  return heap.root.get('balances') as SharedMap<number, number>;
}

export function setup({ heap, queue }: { heap: Heap; queue: TransactionQueue }): void {
  heap.root.set('balances', heap.map(Array.from({ length: accounts }, (_, id) => [id, opening])));
  heap.root.set('done', withCounter ? heap.counter() : heap.cell(0));
  for (let index = 0; index < transfers; index += 1) {
    const from = (index * 7_919) % accounts;
    const to = (index * 104_729 + 1) % accounts;
    queue.add(withCounter ? 'transferCounted' : 'transfer', from, to, 1 + (index % 20));
  }
}

function move(heap: Heap, from: number, to: number, amount: number): void {
  const map = balances(heap);
  const available = map.get(from) ?? 0;
  if (from === to || available < amount) return;
  map.set(from, available - amount);
  map.set(to, (map.get(to) ?? 0) + amount);
}

export function transfer({ heap }: TaskContext, from: number, to: number, amount: number): void {
  move(heap, from, to, amount);
  const done = heap.root.get('done') as SharedCell<number>;
  done.set(done.get() + 1); // HOT: every task reads and writes this one cell
}

export function transferCounted(
  { heap }: TaskContext,
  from: number,
  to: number,
  amount: number,
): void {
  move(heap, from, to, amount);
  (heap.root.get('done') as SharedCounter).add(1);
}

export function teardown({ heap }: { heap: Heap }): string {
  let total = 0;
  for (const [, balance] of balances(heap)) total += balance;
  if (total !== accounts * opening) throw new Error(`money lost: ${String(total)}`);
  const done = heap.root.get('done') as SharedCell<number> | SharedCounter;
  const count = 'value' in done ? done.value : done.get();
  return `${String(count)} transfers, ${String(total)} in ${String(accounts)} accounts`;
}

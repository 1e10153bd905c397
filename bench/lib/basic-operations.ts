// The basic operations whose atomics budget docs/decisions/0009-atomics-budget.md sets, each as a
// function that runs it once on a heap of its own making: counted by bench/atomics-count.ts and
// timed by bench/atomics-cost.ts, so both measure the same code.
import { atomically, type Heap, type SharedCell } from '../../src/index.js';
import { blackhole } from './measure.js';

export interface BasicOperation {
  readonly name: string;
  readonly run: () => void;
  /** The cells it touches, by the name a trace gives their words. */
  readonly cells: readonly (readonly [string, SharedCell<unknown>])[];
}

/** Makes the cells on `heap` and returns the operations over them. */
export function basicOperations(heap: Heap): BasicOperation[] {
  const one = heap.cell(1);
  const ten = Array.from({ length: 10 }, (_, index) => heap.cell(index));
  const counter = heap.cell(0);
  const from = heap.cell(1_000_000_000);
  const to = heap.cell(0);
  const opened = heap.cell(7);
  const openedRef = opened.ref;
  // Alive (a stored reference holds it) but with no wrapper in this worker: opening it makes a
  // wrapper and takes a pin; disposing gives both back.
  const unopened = heap.cell(8);
  const holder = heap.cell(unopened);
  const unopenedRef = unopened.ref;
  unopened[Symbol.dispose]();

  const noop = (): number => 1;
  const readOne = (): number => one.get();
  const readTen = (): number => {
    let sum = 0;
    for (const cell of ten) sum += cell.get();
    return sum;
  };
  const increment = (): void => {
    counter.set(counter.get() + 1);
  };
  const transfer = (): void => {
    from.set(from.get() - 1);
    to.set(to.get() + 1);
  };
  let setValue = 0;

  return [
    {
      name: 'empty heap.atomically',
      run: () => {
        blackhole.value = heap.atomically(noop);
      },
      cells: [],
    },
    {
      name: 'empty atomically (no heap bound)',
      run: () => {
        blackhole.value = atomically(noop);
      },
      cells: [],
    },
    {
      name: 'cell.get() outside a tx',
      run: () => {
        blackhole.value = one.get();
      },
      cells: [['cell', one]],
    },
    {
      name: 'read-only tx, 1 cell',
      run: () => {
        blackhole.value = atomically(readOne);
      },
      cells: [['cell', one]],
    },
    {
      name: 'read-only tx, 10 cells',
      run: () => {
        blackhole.value = atomically(readTen);
      },
      cells: ten.map((cell, index) => [`cell${String(index)}`, cell] as const),
    },
    {
      name: 'cell.set(number) outside a tx',
      run: () => {
        setValue = (setValue + 1) & 0xffff;
        one.set(setValue);
      },
      cells: [['cell', one]],
    },
    {
      name: 'one-cell increment in atomically',
      run: () => {
        atomically(increment);
      },
      cells: [['counter', counter]],
    },
    {
      name: 'cell.update(x => x + 1)',
      run: () => {
        counter.update((value) => value + 1);
      },
      cells: [['counter', counter]],
    },
    {
      name: 'two-cell transfer',
      run: () => {
        atomically(transfer);
      },
      cells: [
        ['from', from],
        ['to', to],
      ],
    },
    {
      name: 'heap.open of an open object',
      run: () => {
        blackhole.value = heap.open(openedRef);
      },
      cells: [['cell', opened]],
    },
    {
      name: 'heap.open + dispose, new wrapper',
      run: () => {
        const wrapper = heap.open<SharedCell<number>>(unopenedRef);
        wrapper[Symbol.dispose]();
      },
      cells: [
        ['cell', unopened],
        ['holder', holder],
      ],
    },
  ];
}

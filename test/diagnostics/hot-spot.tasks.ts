// Tasks with a planted hot spot, for the conflict log's tests: every `incrementCell` task reads
// one shared cell and writes it back (the line marked HOT-SPOT), so tasks on two workers meet
// there; `addToCounter` does the same work with a `heap.counter()`, whose adds commute.
import type { SharedCell, SharedCounter, TaskContext } from '../../src/index.js';

/** Busy work inside the transaction, so that two workers' attempts overlap. */
function work(microseconds: number): void {
  const until = performance.now() + microseconds / 1000;
  while (performance.now() < until);
}

export function incrementCell({ heap }: TaskContext): void {
  const cell = heap.root.get('hot') as SharedCell<number>;
  work(50);
  cell.set(cell.get() + 1); // HOT-SPOT
}

export function addToCounter({ heap }: TaskContext): void {
  const counter = heap.root.get('hot') as SharedCounter;
  work(50);
  counter.add(1); // COUNTER-ADD
}

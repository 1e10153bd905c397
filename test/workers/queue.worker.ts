// Tasks the TransactionQueue tests run in pool workers: a bank, a word count, a graph BFS.
import { threadId } from 'node:worker_threads';
import {
  orElse,
  retry,
  type SharedArray,
  type SharedMap,
  type TaskContext,
} from '../../src/index.js';

type Accounts = SharedArray<number>;

export function transfer({ heap }: TaskContext, from: number, to: number, amount: number): void {
  // Always applies (a balance may go below 0), so every order of transfers ends the same.
  const accounts = heap.root.get('accounts') as Accounts;
  accounts.set(from, (accounts.at(from) ?? 0) - amount);
  accounts.set(to, (accounts.at(to) ?? 0) + amount);
}

export function countWords({ heap }: TaskContext, line: string): void {
  const counts = heap.root.get('counts') as SharedMap<string, number>;
  for (const word of line.split(/\s+/)) {
    if (word !== '') counts.set(word, (counts.get(word) ?? 0) + 1);
  }
}

/** Visits `node` at `depth`; adds a task for each neighbour not visited yet. */
export function visit({ heap, queue }: TaskContext, node: number, depth: number): void {
  const graph = heap.root.get('graph') as SharedArray<readonly number[]>;
  const depths = heap.root.get('depths') as SharedMap<number, number>;
  const known = depths.get(node);
  if (known !== undefined && known <= depth) return;
  depths.set(node, depth);
  for (const next of graph.at(node) ?? []) {
    const seen = depths.get(next);
    if (seen === undefined || seen > depth + 1) queue.add('visit', next, depth + 1);
  }
}

export function failOn({ heap }: TaskContext, value: number, bad: number): void {
  const done = heap.root.get('done') as SharedMap<number, boolean>;
  const failing = heap.root.get('failing') as SharedMap<string, boolean>;
  if (value === bad && failing.get('on') === true)
    throw new RangeError(`task ${String(value)} fails`);
  done.set(value, true);
}

export function nothing(): void {
  // A tiny task: the cost of the queue itself.
}

export function bump({ heap }: TaskContext, slot: number): void {
  const counters = heap.root.get('slots') as SharedArray<number>;
  counters.set(slot, (counters.at(slot) ?? 0) + 1);
}

export function exitOn({ heap }: TaskContext, value: number, bad: number): void {
  const ran = heap.root.get('ran') as SharedMap<number, number>;
  if (value === bad) process.exit(7);
  ran.set(value, (ran.get(value) ?? 0) + 1);
}

/** Notes which thread ran a task of `key`; `depth` > 0 adds keyed tasks from inside a task. */
export function noteThread({ heap, queue }: TaskContext, key: number, depth: number): void {
  const threads = heap.root.get('threads') as SharedMap<string, boolean>;
  threads.set(`${String(key)}:${String(threadId)}`, true);
  if (depth > 0) queue.addKeyed(key + 100, 'noteThread', key + 100, depth - 1);
}

/** Adds `kept` to the run, and two more in nested parts that are rolled back (closed nesting). */
export function nestedAdds({ heap, queue }: TaskContext, kept: number): void {
  queue.add('noteAdded', kept);
  try {
    heap.atomically(() => {
      queue.add('noteAdded', -1);
      throw new Error('rolled back');
    });
  } catch {
    // The nested part's writes and additions are undone; the task goes on.
  }
  orElse(
    () => {
      queue.add('noteAdded', -2);
      retry();
    },
    () => undefined,
  );
}

export function noteAdded({ heap }: TaskContext, value: number): void {
  const seen = heap.root.get('added') as SharedMap<number, boolean>;
  seen.set(value, true);
}

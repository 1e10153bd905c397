// TransactionQueue: real worker threads. Each workload runs twice — on the queue, and serially in
// this thread on a second heap (the same task functions, one transaction each, tasks added by a
// task appended to the list) — and the outcomes are compared: a bank whose transfers always
// apply (so any order gives the same balances), a word count into a SharedMap, a graph BFS whose
// tasks add tasks. Then a task that throws: run rejects, the unexecuted tasks stay queued, and a
// second run finishes them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  Heap,
  TransactionQueue,
  WorkerExitedError,
  type SharedArray,
  type SharedMap,
  type TaskContext,
  type TransactionQueueProgress,
} from '../../src/index.js';
import { seededRandom, testSeed } from '../support/random.js';
import * as tasks from './queue.worker.js';

const module = new URL('./queue.worker.ts', import.meta.url);
// Printed in every failure message: SEED=<seed> reruns the same workloads.
const seed = testSeed();
const bySeed = `(SEED=${String(seed)})`;
type Task = readonly [string, readonly unknown[]];

/** Runs `list` one by one on `heap`, each task as one transaction (the reference outcome). */
function runSerially(heap: Heap, list: readonly Task[]): number {
  const pending = [...list];
  let executed = 0;
  // The iterator sees the tasks pushed while it runs.
  for (const [name, args] of pending) {
    const fn = (tasks as unknown as Record<string, (...a: unknown[]) => void>)[name];
    assert.ok(fn !== undefined);
    const added: Task[] = [];
    const context = {
      heap,
      queue: { add: (task: string, ...rest: unknown[]) => added.push([task, rest]) },
    } as unknown as TaskContext;
    heap.atomically(() => {
      added.length = 0;
      fn(context, ...args);
    });
    pending.push(...added);
    executed += 1;
  }
  return executed;
}

let heap: Heap;
let queue: TransactionQueue;
const progress: TransactionQueueProgress[] = [];

before(() => {
  heap = Heap.create({ maxBytes: 128 << 20 });
  queue = new TransactionQueue(heap, {
    module,
    workers: 2,
    progressMs: 10,
    onProgress: (event) => progress.push(event),
  });
});

after(async () => {
  await queue.close();
  heap.close();
});

test('bank: the balances equal a serial run; the total is kept', async () => {
  const accounts = 50;
  const random = seededRandom(seed);
  const list: Task[] = Array.from({ length: 4000 }, () => [
    'transfer',
    [
      Math.floor(random() * accounts),
      Math.floor(random() * accounts),
      1 + Math.floor(random() * 9),
    ],
  ]);
  const serialHeap = Heap.create({ maxBytes: 32 << 20 });
  serialHeap.root.set('accounts', serialHeap.array(Array.from({ length: accounts }, () => 1000)));
  runSerially(serialHeap, list);
  const expected = [...(serialHeap.root.get('accounts') as SharedArray<number>)];
  serialHeap.close();

  const shared = heap.array(Array.from({ length: accounts }, () => 1000));
  heap.root.set('accounts', shared);
  for (const [name, args] of list) queue.add(name, ...args);
  progress.length = 0;
  const result = await queue.run();
  assert.equal(result.executed, list.length);
  assert.ok(result.commits >= list.length);
  assert.equal(result.workers, 2);
  assert.deepEqual([...shared], expected, bySeed);
  assert.equal(
    [...shared].reduce((sum, balance) => sum + balance, 0),
    accounts * 1000,
  );
  assert.ok(progress.length >= 1);
  assert.equal(progress.at(-1)?.executed, list.length);
  assert.equal(progress.at(-1)?.remaining, 0);
});

test('word count into a SharedMap equals a serial count', async () => {
  const random = seededRandom(seed);
  const words = ['stm', 'heap', 'worker', 'queue', 'map', 'cell', 'epoch', 'ring'];
  const lines = Array.from({ length: 1500 }, () =>
    Array.from(
      { length: 1 + Math.floor(random() * 12) },
      () => words[Math.floor(random() * 8)],
    ).join(' '),
  );
  const expected = new Map<string, number>();
  for (const line of lines) {
    for (const word of line.split(' ')) expected.set(word, (expected.get(word) ?? 0) + 1);
  }
  const counts: SharedMap<string, number> = heap.map();
  heap.root.set('counts', counts);
  for (const line of lines) queue.add('countWords', line);
  const result = await queue.run();
  assert.equal(result.executed, lines.length);
  assert.deepEqual(new Map(counts), expected, bySeed);
});

test('graph BFS whose tasks add tasks: the depths equal a serial run', async () => {
  const random = seededRandom(seed);
  const nodes = 400;
  const graph = Array.from({ length: nodes }, () =>
    Array.from({ length: 3 }, () => Math.floor(random() * nodes)),
  );
  const serialHeap = Heap.create({ maxBytes: 32 << 20 });
  serialHeap.root.set('graph', serialHeap.array(graph));
  serialHeap.root.set('depths', serialHeap.map());
  runSerially(serialHeap, [['visit', [0, 0]]]);
  const expected = new Map(serialHeap.root.get('depths') as SharedMap<number, number>);
  serialHeap.close();

  heap.root.set('graph', heap.array(graph));
  const depths: SharedMap<number, number> = heap.map();
  heap.root.set('depths', depths);
  queue.add('visit', 0, 0);
  progress.length = 0;
  const result = await queue.run();
  // Progress counts executed tasks, added ones included, and never goes back.
  const counts = progress.map((event) => event.executed);
  assert.deepEqual(
    counts,
    [...counts].sort((a, b) => a - b),
  );
  assert.equal(counts.at(-1), result.executed);
  assert.ok(result.executed >= expected.size, `executed ${String(result.executed)}`);
  assert.deepEqual(new Map(depths), expected, bySeed);
});

test('tasks added in a rolled-back nested part of a task are not run (closed nesting)', async () => {
  const added: SharedMap<number, boolean> = heap.map();
  heap.root.set('added', added);
  for (let value = 0; value < 50; value += 1) queue.add('nestedAdds', value);
  const result = await queue.run();
  assert.equal(result.executed, 100, '50 tasks, each adding one task that runs');
  assert.deepEqual(
    [...added.keys()].sort((a, b) => a - b),
    Array.from({ length: 50 }, (_, value) => value),
  );
});

test('a task that throws: run rejects, the rest stay queued, a second run ends them', async () => {
  const done: SharedMap<number, boolean> = heap.map();
  const failing: SharedMap<string, boolean> = heap.map([['on', true]]);
  heap.root.set('done', done);
  heap.root.set('failing', failing);
  const count = 3000;
  const bad = 10;
  for (let value = 0; value < count; value += 1) queue.add('failOn', value, bad);
  const error = await queue.run().catch((caught: unknown) => caught);
  assert.ok(error instanceof RangeError, String(error));
  assert.equal(error.message, `task ${String(bad)} fails`);
  assert.equal(done.has(bad), false);
  const executedFirst = done.size;
  assert.equal(queue.size, count - 1 - executedFirst, 'every task not executed is queued');
  failing.set('on', false);
  const result = await queue.run();
  assert.equal(result.executed, count - 1 - executedFirst);
  assert.equal(done.size, count - 1);
  assert.equal(queue.size, 0);
});

test('a worker that dies in a task: run rejects; no other task is lost or run twice', async () => {
  const ran: SharedMap<number, number> = heap.map();
  heap.root.set('ran', ran);
  const count = 400;
  const bad = 150;
  for (let value = 0; value < count; value += 1) queue.add('exitOn', value, bad);
  await assert.rejects(queue.run(), WorkerExitedError);
  // The task it was running is dropped; the tasks of its batch it had not started, and every
  // other task not executed, stay queued.
  assert.equal(queue.size, count - 1 - ran.size);
  const result = await queue.run();
  assert.equal(queue.size, 0);
  assert.equal(ran.size, count - 1);
  assert.equal(ran.has(bad), false);
  for (const [value, times] of ran) assert.equal(times, 1, `task ${String(value)} ran twice`);
  assert.ok(result.executed > 0);
  queue.add('nothing');
  assert.equal((await queue.run()).executed, 1);
});

test('keyed tasks: every task of a key runs on one worker, also when a task adds them', async () => {
  const threads: SharedMap<string, boolean> = heap.map();
  heap.root.set('threads', threads);
  for (let i = 0; i < 2000; i += 1) queue.addKeyed(i % 10, 'noteThread', i % 10, i < 10 ? 1 : 0);
  const result = await queue.run();
  assert.equal(result.executed, 2010);
  const byKey = new Map<string, number>();
  for (const entry of threads.keys()) {
    const [key = ''] = entry.split(':');
    byKey.set(key, (byKey.get(key) ?? 0) + 1);
  }
  assert.equal(byKey.size, 20);
  for (const [key, count] of byKey)
    assert.equal(count, 1, `key ${key} ran on ${String(count)} threads`);
});

test('an empty run resolves at once', async () => {
  const result = await queue.run();
  assert.equal(result.executed, 0);
});

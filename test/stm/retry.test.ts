// retry / orElse / inevitable across real workers: a consumer blocked in `retry()` wakes exactly
// when a producer commits (not before, and not by polling), and at most one transaction of a heap
// is inevitable at a time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { atomically, Heap, retry } from '../../src/index.js';
import { runWorkers } from '../support/run-workers.js';
import type { OrElseData } from './orelse.worker.js';
import type { RetryData } from './retry.worker.js';

const script = new URL('./retry.worker.ts', import.meta.url);
const orElseScript = new URL('./orelse.worker.ts', import.meta.url);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('retry across workers', () => {
  it('a consumer blocked in retry wakes when the producer commits, each item once', async () => {
    const heap = Heap.create({ maxBytes: 16 << 20 });
    const mailbox = heap.cell<number | null>(null);
    const items = 20;
    const consumer = runWorkers<{ taken: number[]; runs: number; wokeAt: number }>(script, [
      { heap: heap.handle, mailbox: mailbox.ref, items } satisfies RetryData,
    ]);
    let lastPutAt = 0;
    for (let item = 1; item <= items; item += 1) {
      // Wait until the consumer emptied the box (a main-thread retry of our own).
      await sleep(item === items ? 120 : 5);
      // Taken before the put, not after: the consumer may finish before this thread runs again.
      lastPutAt = performance.timeOrigin + performance.now();
      atomically(() => {
        if (mailbox.get() !== null) retry();
        mailbox.set(item);
      });
    }
    const [result] = await consumer;
    assert.ok(result !== undefined);
    assert.deepEqual(
      result.taken,
      Array.from({ length: items }, (_, index) => index + 1),
    );
    // Woken by the last commit, not before it and well before the 1 s safety revalidation.
    const wakeMs = result.wokeAt - lastPutAt;
    assert.ok(wakeMs >= 0 && wakeMs < 500, `woke ${wakeMs.toFixed(1)} ms after the put began`);
    // Each item costs a few runs at most: a sleeping consumer does not spin.
    assert.ok(result.runs <= items * 4, `consumer ran ${String(result.runs)} times`);
    heap.close();
  });

  it('orElse of two retrying takes sleeps on both boxes and wakes on a put into either', async () => {
    const heap = Heap.create({ maxBytes: 16 << 20 });
    const boxes = [heap.cell<number | null>(null), heap.cell<number | null>(null)] as const;
    const items = 12;
    const consumer = runWorkers<[number, number][]>(orElseScript, [
      { heap: heap.handle, boxes: [boxes[0].ref, boxes[1].ref], items } satisfies OrElseData,
    ]);
    for (let item = 1; item <= items; item += 1) {
      const box = item % 2 === 0 ? boxes[0] : boxes[1];
      // Until the consumer took the last item; then it is asleep on both boxes (or about to be),
      // and this put must wake it.
      for (let poll = 0; poll < 1000 && boxes.some((each) => each.get() !== null); poll += 1) {
        await sleep(5);
      }
      await sleep(5);
      atomically(() => {
        if (box.get() !== null) retry();
        box.set(item);
      });
    }
    const [taken] = await consumer;
    assert.deepEqual(
      taken,
      Array.from({ length: items }, (_, index) => [(index + 1) % 2, index + 1]),
    );
    heap.close();
  });
});

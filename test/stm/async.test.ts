// atomicallyAsync: the same transactions, but every wait goes through Atomics.waitAsync, so the
// waiting thread keeps serving its event loop. Each wait below can only end if this thread runs a
// timer while its transaction waits: the timer makes the change waited for (a retry), or
// releases a worker whose inevitable transaction holds the lock or the token waited for. A
// blocking wait would deadlock (the worker reports a time-out instead of a release).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import {
  atomically,
  atomicallyAsync,
  Heap,
  inevitable,
  retry,
  TransactionStateError,
  type SharedRef,
} from '../../src/index.js';
import { runWorkers } from '../support/run-workers.js';
import type { AsyncHolderData, AsyncWriterData } from './async.worker.js';

const script = new URL('./async.worker.ts', import.meta.url);
const releaseAfterMs = 100;
/** A holder gives up after this: far longer than any release from a timer that is served. */
const holdMsMax = 10_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts a holder and resolves once it holds the cell's lock and the inevitability token; a timer
 * of this thread releases it `releaseAfterMs` later. Resolves with the holder's last word
 * (wrapped: a promise resolved with a promise would wait for that one).
 */
async function startHolder(heap: Heap, cell: SharedRef): Promise<{ outcome: Promise<string> }> {
  const release = new SharedArrayBuffer(4);
  const worker = new Worker(script, {
    workerData: {
      role: 'holder',
      heap: heap.handle,
      cell,
      release,
      holdMsMax,
    } satisfies AsyncHolderData,
  });
  heap.watch(worker);
  const messages: string[] = [];
  let holding: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    holding = resolve;
  });
  const outcome = new Promise<string>((resolve, reject) => {
    worker.on('message', (message: string) => {
      messages.push(message);
      if (message === 'holding') holding();
    });
    worker.on('error', reject);
    worker.on('exit', () => {
      resolve(messages.at(-1) ?? 'nothing');
    });
  });
  await held;
  // Only a thread that keeps running its event loop gets here while its transaction waits.
  setTimeout(() => {
    const flag = new Int32Array(release);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  }, releaseAfterMs);
  return { outcome };
}

describe('atomicallyAsync', () => {
  it('retry waits without blocking: a timer of this thread makes the change', async () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const mailbox = heap.cell<number | null>(null);
    let ticks = 0;
    const ticker = setInterval(() => {
      ticks += 1;
    }, 5);
    setTimeout(() => {
      mailbox.set(42);
    }, releaseAfterMs);
    const taken = await atomicallyAsync(() => {
      const value = mailbox.get();
      if (value === null) retry();
      mailbox.set(null);
      return value;
    });
    clearInterval(ticker);
    assert.equal(taken, 42);
    assert.equal(mailbox.get(), null);
    assert.ok(ticks > 0, 'the event loop ran while the transaction waited');
    assert.ok(heap.stats().waitMs > 0);
    heap.close();
  });

  it('waits for a lock held by an inevitable worker without blocking this thread', async () => {
    const heap = Heap.create({ maxBytes: 16 << 20 });
    const cell = heap.cell(0);
    const { outcome } = await startHolder(heap, cell.ref);
    const seen = await heap.atomicallyAsync(() => {
      const value = cell.get();
      cell.set(value + 10);
      return value;
    });
    assert.equal(await outcome, 'released', 'the holder was released by this thread');
    assert.equal(seen, 1, "the transaction ran after the holder's commit");
    assert.equal(cell.get(), 11);
    heap.close();
  });

  it('waits for the inevitability token without blocking this thread', async () => {
    const heap = Heap.create({ maxBytes: 16 << 20 });
    const cell = heap.cell(0);
    const other = heap.cell('');
    const { outcome } = await startHolder(heap, cell.ref);
    await heap.atomicallyAsync(() => {
      inevitable();
      other.set('mine');
    });
    assert.equal(await outcome, 'released');
    assert.equal(other.get(), 'mine');
    assert.equal(cell.get(), 1);
    heap.close();
  });

  it('many async transactions of one thread interleave with workers: no update lost', async () => {
    const heap = Heap.create({ maxBytes: 32 << 20 });
    const counter = heap.cell(0);
    const perWorker = 3000;
    const workers = 2;
    const asyncCount = 400;
    const writers = runWorkers<string>(
      script,
      Array.from({ length: workers }, (): AsyncWriterData => ({
        role: 'writer',
        heap: heap.handle,
        cell: counter.ref,
        increments: perWorker,
      })),
    );
    const mine: Promise<number>[] = [];
    for (let i = 0; i < asyncCount; i += 1) {
      mine.push(
        heap.atomicallyAsync(() => {
          const value = counter.get();
          counter.set(value + 1);
          return value;
        }),
      );
      if (i % 50 === 0) await sleep(1);
    }
    await Promise.all([writers, ...mine]);
    assert.equal(counter.get(), workers * perWorker + asyncCount);
    heap.close();
  });

  it('several async retries of one thread wait on shared cells at once', async () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const gates = [heap.cell(0), heap.cell(0), heap.cell(0)] as const;
    // Each waiter watches every gate (shared watches) and waits for its own to open.
    const waiters = gates.map((gate, index) =>
      heap.atomicallyAsync(() => {
        let open = 0;
        for (const each of gates) open += each.get();
        if (gate.get() === 0) retry();
        return { index, open };
      }),
    );
    for (const gate of gates) {
      await sleep(20);
      gate.set(1);
    }
    const results = await Promise.all(waiters);
    assert.deepEqual(
      results.map((result) => result.index),
      [0, 1, 2],
    );
    // Woken by its own gate: at least that many were open.
    results.forEach((result, index) => {
      assert.ok(result.open >= index + 1);
    });
    heap.close();
  });

  it('is refused inside a transaction, and refuses async functions and promises', async () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const cell = heap.cell(1);
    let inner: Promise<unknown> | undefined;
    atomically(() => {
      cell.get();
      inner = atomicallyAsync(() => 1);
    });
    await assert.rejects(
      inner ?? Promise.resolve(),
      (error) => error instanceof TransactionStateError && error.code === 'ASYNC_IN_TRANSACTION',
    );
    await assert.rejects(
      heap.atomicallyAsync(async () => Promise.resolve(1)),
      TypeError,
    );
    await assert.rejects(
      heap.atomicallyAsync(() => {
        cell.set(2);
        return Promise.resolve(2);
      }),
      TypeError,
    );
    assert.equal(cell.get(), 1);
    heap.close();
  });
});

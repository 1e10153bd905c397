// Shared objects with fields from several real workers: a registered class's methods keep its
// invariant (balance ≥ 0) and the bank's total under contention, on one hot instance and between
// instances; two workers writing different fields of one object never conflict; a worker that
// did not register the class sees plain fields. Seeds are printed; SEED=<n> reruns one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { atomically, Heap } from '../../src/index.js';
import { runWorkers } from '../support/run-workers.js';
import { Account } from './account.js';
import type { ObjectWorkerData, ObjectWorkerReport } from './object.worker.js';
import { testSeed } from '../support/random.js';

const script = new URL('./object.worker.ts', import.meta.url);
const baseSeed = testSeed();

describe('heap.object across workers', () => {
  it('Account methods from four workers keep every balance ≥ 0 and the total', async (t) => {
    t.diagnostic(`seed ${String(baseSeed)}`);
    const heap = Heap.create({ maxBytes: 64 << 20 });
    heap.registerClass(Account);
    const accounts = Array.from({ length: 6 }, (_, index) =>
      heap.object(new Account(`owner ${String(index)}`, 50)),
    );
    const total = 300;
    const start = new SharedArrayBuffer(4);
    const data = [0, 1, 2, 3].map((index): ObjectWorkerData => ({
      heap: heap.handle,
      mode: 'bank',
      refs: accounts.map((account) => account.ref),
      seed: baseSeed + index * 7919,
      operations: 3000,
      total,
      start,
      workers: 4,
    }));
    const before = heap.stats();
    const reports = await runWorkers<ObjectWorkerReport>(script, data);
    const after = heap.stats();
    t.diagnostic(
      `transfers ${String(reports.map((report) => report.transfers))}, aborts ` +
        `${String(after.aborts - before.aborts)}, waits ${String(after.waits - before.waits)}`,
    );
    for (const report of reports) {
      assert.deepEqual(report.badSums, [], `sums seen (seed ${String(baseSeed)})`);
      assert.equal(report.negative, 0, 'no negative balance seen');
      assert.equal(report.instances, true, 'opened accounts are instanceof Account');
      assert.ok(report.transfers > 0);
    }
    const balances = atomically(() => accounts.map((account) => account.balance));
    assert.equal(
      balances.reduce((a, b) => a + b, 0),
      total,
    );
    assert.ok(balances.every((balance) => balance >= 0));
    heap.close();
  });

  it('two workers writing different fields of one object: no abort, no wait', async () => {
    const heap = Heap.create({ maxBytes: 64 << 20 });
    const object = heap.object({ left: 0, right: 0 });
    const operations = 3000;
    const start = new SharedArrayBuffer(4);
    const data = ['left', 'right'].map((field, index): ObjectWorkerData => ({
      heap: heap.handle,
      mode: 'field',
      refs: [object.ref],
      seed: baseSeed + index,
      operations,
      field,
      start,
      workers: 2,
    }));
    const before = heap.stats();
    await runWorkers<ObjectWorkerReport>(script, data);
    const after = heap.stats();
    assert.equal(after.aborts - before.aborts, 0, `no aborts: ${JSON.stringify(after)}`);
    assert.equal(after.waits - before.waits, 0, 'no waits');
    assert.ok(after.commits - before.commits >= 2 * operations);
    assert.deepEqual(object.toJSON(), { left: operations, right: operations });
    heap.close();
  });

  it('a worker that did not register Account gets its fields, its name, no methods', async () => {
    const heap = Heap.create({ maxBytes: 16 << 20 });
    heap.registerClass(Account);
    const account = heap.object(new Account('carol', 42));
    const [report] = await runWorkers<ObjectWorkerReport>(script, [
      {
        heap: heap.handle,
        mode: 'unregistered',
        refs: [account.ref],
        seed: baseSeed,
        operations: 0,
      } satisfies ObjectWorkerData,
    ]);
    assert.deepEqual(report?.seen, {
      tag: '[object Account]',
      balance: 42,
      deposit: 'undefined',
      keys: ['owner', 'balance'],
    });
    assert.equal(report.instances, false);
    assert.equal(account.balance, 1234, 'its writes are the shared fields');
    assert.ok(account instanceof Account);
    heap.close();
  });
});

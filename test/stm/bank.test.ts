// Transactions under real concurrency: 8 workers on a 2-core machine move money between shared
// accounts; every audit (a read-only transaction over all accounts) must sum exactly, no
// transaction may ever see an inconsistent state (opacity), and no update is lost.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Heap } from '../../src/index.js';
import { runWorkers } from '../support/run-workers.js';
import type { BankData, BankResult } from './bank.worker.js';

const script = new URL('./bank.worker.ts', import.meta.url);

function bank(accountCount: number, workers: number, transfers: number, seed: number): void {
  it(`${String(workers)} workers, ${String(accountCount)} accounts, seed ${String(seed)}`, async () => {
    const heap = Heap.create({ maxBytes: 64 << 20 });
    const start = 1000;
    const accounts = Array.from({ length: accountCount }, () => heap.cell(start));
    const pairs = Array.from({ length: 4 }, () => [heap.cell(0), heap.cell(0)] as const);
    const data: BankData[] = Array.from({ length: workers }, (_, index) => ({
      heap: heap.handle,
      accounts: accounts.map((account) => account.ref),
      pairs: pairs.map(([x, y]) => [x.ref, y.ref] as const),
      seed: seed + index,
      transfers,
      auditEvery: 25,
      expectedTotal: start * accountCount,
    }));
    const results = await runWorkers<BankResult>(script, data);
    const context = `seed ${String(seed)}`;
    for (const result of results) {
      assert.deepEqual(result.badAudits, [], `audits summed wrong (${context})`);
      assert.equal(result.opacityViolations, 0, `a transaction saw x + y !== 0 (${context})`);
      assert.ok(result.audits > 0);
    }
    const total = accounts.reduce((sum, account) => sum + account.get(), 0);
    assert.equal(total, start * accountCount, `money created or lost (${context})`);
    for (const [x, y] of pairs) assert.equal(x.get() + y.get(), 0, context);
    const stats = heap.stats();
    assert.equal(stats.commits >= workers * transfers, true);
    heap.close();
  });
}

describe('bank: transfers and audits', () => {
  const seed = Number(process.env['STM_TEST_SEED'] ?? Date.now() % 100_000);
  bank(8, 8, 1500, seed); // high contention: 8 accounts
  bank(1000, 4, 3000, seed + 100); // low contention
});

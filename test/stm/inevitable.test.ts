// Inevitability across real workers: at most one transaction of a heap is inevitable at a time,
// and once `inevitable()` has returned the transaction never aborts, so code after it may have
// side effects (API: "from here on it never aborts, so it may have side effects (I/O)").
// Inevitable workers check both with effects outside the heap: an "inside" counter that must
// never exceed 1, and a count of runs past `inevitable()` that must equal their commits. Plain
// workers write the same cells meanwhile; every transaction checks that the pairs it reads sum
// to 0, everyone must finish, and the final cells must account for exactly the commits.
// `inevitable()` is exercised as users write it: in `heap.atomically`, after a read in
// `atomically`, and first thing in `atomically` (before the transaction knows its heap); and with
// slow inevitable transactions while reclamation runs with its stall bound shrunk (STYLE.md §11),
// so that reclamation neutralises them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Heap } from '../../src/index.js';
import { runWorkers } from '../support/run-workers.js';
import { within } from '../support/time-limit.js';
import type { InevitableData, InevitableForm, InevitableResult } from './inevitable.worker.js';

const script = new URL('./inevitable.worker.ts', import.meta.url);
const pairCount = 4;
const inevitableWorkers = 3;
const plainWorkers = 2;
/** Plain workers run this many times as many transactions as each inevitable worker. */
const plainPerInevitable = 5;
/** Long enough that a second inevitable transaction running alongside would be seen inside. */
const spinUsMax = 30;
/** Everyone finishes long before this unless the token or a lock is never given back. */
const workersMsMax = 20_000;

type Role = InevitableData['role'];

interface Scenario {
  readonly name: string;
  readonly forms: readonly InevitableForm[];
  /** Transactions of each inevitable worker. */
  readonly transactions: number;
  /** Share of inevitable transactions that are slow, and how slow. */
  readonly slowShare: number;
  readonly slowUs: number;
  /** The heap's reclamation stall bound, and whether a churn worker keeps reclamation busy. */
  readonly reclaimStallMs?: number;
  readonly churn: boolean;
}

function exclusive(scenario: Scenario, seed: number): void {
  it(`${scenario.name}, seed ${String(seed)}`, async (t) => {
    const context = `seed ${String(seed)}`;
    const heap = Heap.create({
      maxBytes: 16 << 20,
      ...(scenario.reclaimStallMs === undefined ? {} : { reclaimStallMs: scenario.reclaimStallMs }),
    });
    const note = heap.cell('w0:0');
    const pairs = Array.from({ length: pairCount }, () => [heap.cell(0), heap.cell(0)] as const);
    const inside = new SharedArrayBuffer(4);
    const overlaps = new SharedArrayBuffer(4);
    const running = new SharedArrayBuffer(4);
    new Int32Array(running)[0] = inevitableWorkers;
    const roles: Role[] = [
      ...new Array<Role>(inevitableWorkers).fill('inevitable'),
      ...new Array<Role>(plainWorkers).fill('plain'),
      ...(scenario.churn ? ['churn' as const] : []),
    ];
    const counts = roles.map(() => heap.cell(0));
    const scratch = heap.cell('');
    const data: InevitableData[] = counts.map((count, index) => ({
      heap: heap.handle,
      pairs: pairs.map(([x, y]) => [x.ref, y.ref] as const),
      note: note.ref,
      count: count.ref,
      scratch: scratch.ref,
      inside,
      overlaps,
      running,
      role: roles[index] ?? 'plain',
      forms: scenario.forms,
      index,
      seed: seed * 16 + index,
      transactions: scenario.transactions * (roles[index] === 'plain' ? plainPerInevitable : 1),
      spinUsMax,
      slowShare: scenario.slowShare,
      slowUs: scenario.slowUs,
    }));
    const results = await within(
      runWorkers<InevitableResult>(script, data),
      workersMsMax,
      `workers did not finish in ${String(workersMsMax)} ms (${context})`,
    );

    const stats = heap.stats();
    const runs = results.map((result) => result.runs).join(', ');
    const churned = results.reduce((sum, result) => sum + result.churned, 0);
    t.diagnostic(
      `${context}: runs per worker ${runs}; commits ${String(stats.commits)}, aborts by an ` +
        `inevitable ${String(stats.abortsInevitable)}, preempted ` +
        `${String(stats.abortsPreempted)}, neutralised ${String(stats.abortsNeutralised)}; ` +
        `churned ${String(churned)} strings`,
    );
    results.forEach((result, index) => {
      if (roles[index] !== 'inevitable') return;
      assert.equal(
        result.runsAfterInevitable,
        result.committed,
        `worker ${String(index)}: code after inevitable() ran ${String(result.runsAfterInevitable)} ` +
          `times for ${String(result.committed)} commits: an attempt aborted after it (${context})`,
      );
    });
    assert.equal(
      new Int32Array(overlaps)[0],
      0,
      `two transactions ran past inevitable() at once (${context})`,
    );
    assert.equal(new Int32Array(inside)[0], 0, context);
    results.forEach((result, index) => {
      const role = roles[index];
      if (role === 'churn') return;
      const who = `worker ${String(index)} (${role ?? '?'})`;
      assert.equal(result.inconsistent, 0, `${who} read x + y !== 0 or a bad note (${context})`);
      assert.equal(result.committed, data[index]?.transactions, `${who} (${context})`);
      assert.equal(counts[index]?.get(), result.committed, `${who}: count cell (${context})`);
    });
    pairs.forEach(([x, y], at) => {
      const moved = results.reduce((sum, result) => sum + (result.movedToX[at] ?? 0), 0);
      assert.equal(x.get(), moved, `pair ${String(at)}: x is not what was committed (${context})`);
      assert.equal(x.get() + y.get(), 0, `pair ${String(at)} (${context})`);
    });
    heap.close();
  });
}

describe('inevitable transactions exclude each other and never abort', () => {
  const seed = Number(process.env['STM_TEST_SEED'] ?? Date.now() % 100_000);
  const quick = { transactions: 400, slowShare: 0, slowUs: 0, churn: false };
  exclusive(
    { name: 'heap.atomically, or a read first', forms: ['bound', 'afterRead'], ...quick },
    seed,
  );
  exclusive({ name: 'atomically with inevitable() first', forms: ['first'], ...quick }, seed + 100);
  exclusive(
    {
      name: 'slow inevitable transactions, reclamation stall bound 2 ms',
      forms: ['bound', 'afterRead'],
      transactions: 150,
      slowShare: 0.05,
      slowUs: 5000,
      reclaimStallMs: 2,
      churn: true,
    },
    seed + 200,
  );
});

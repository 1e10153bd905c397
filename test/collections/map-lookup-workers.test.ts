// Lookups outside a transaction (hash-lookup.ts) against a worker that changes the map under
// them: values set, keys inserted and deleted in the readers' buckets, the table grown several
// times (buckets moved while they are walked). A key present throughout is always found, with a
// value that never goes back; a key never inserted is never found. Seeds are printed; SEED=<n>
// reruns one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Heap } from '../../src/index.js';
import { runWorkers } from '../support/run-workers.js';
import type { LookupWorkerData, LookupWorkerReport } from './map-lookup.worker.js';

const script = new URL('./map-lookup.worker.ts', import.meta.url);
const seedText = process.env['SEED'];
const baseSeed = seedText === undefined ? Date.now() >>> 0 : Number(seedText);

describe('SharedMap lookups outside a transaction, across workers', () => {
  it('find every key present throughout and no key never inserted while the map grows', async (t) => {
    t.diagnostic(`seed ${String(baseSeed)}`);
    const heap = Heap.create({ maxBytes: 64 << 20 });
    const stable = 64;
    const map = heap.map<string, number>(
      Array.from({ length: stable }, (_, index): [string, number] => [
        `stable ${String(index)}`,
        0,
      ]),
    );
    const flag = new SharedArrayBuffer(4);
    const common = { heap: heap.handle, map: map.ref, stable, flag, rounds: 20_000 };
    const data: LookupWorkerData[] = [
      { ...common, mode: 'churn', seed: baseSeed, minReads: 0 },
      { ...common, mode: 'read', seed: baseSeed + 1, minReads: 20_000 },
      { ...common, mode: 'read', seed: baseSeed + 2, minReads: 20_000 },
    ];
    const reports = await runWorkers<LookupWorkerReport>(script, data);
    for (const report of reports) {
      assert.deepEqual(report.wrong, [], `seed ${String(baseSeed)}`);
    }
    assert.ok(map.size > 10_000, 'the map grew');
    heap.close();
  });
});

// SharedMap histories from 4 real workers, judged strictly serializable (Elle-style list-append,
// test/support/serializability.ts): per-key reads and appends, inserts, and iteration order as a
// list of its own (map-serializable.worker.ts). Seeds: MAP_SEED=<n>.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Heap } from '../../src/index.js';
import { runWorkers } from '../support/run-workers.js';
import { checkStrictSerializable, type CommittedTransaction } from '../support/serializability.js';
import type { MapHistoryData } from './map-serializable.worker.js';

const script = new URL('./map-serializable.worker.ts', import.meta.url);
const seedText = process.env['MAP_SEED'];
const seed = seedText === undefined ? Date.now() % 100_000 : Number(seedText);

describe('SharedMap histories', () => {
  for (const keys of [3, 12]) {
    it(`4 workers, ${String(keys)} keys: strictly serializable, iteration in insert order`, async (t) => {
      t.diagnostic(`seed ${String(seed)}`);
      const heap = Heap.create({ maxBytes: 64 << 20 });
      const map = heap.map<number, readonly number[]>();
      const realTimeCounter = new SharedArrayBuffer(4);
      const data = [0, 1, 2, 3].map((worker): MapHistoryData => ({
        heap: heap.handle,
        map: map.ref,
        keys,
        realTimeCounter,
        worker,
        seed: seed * 4 + worker + keys,
        transactions: 600,
      }));
      const histories = await runWorkers<CommittedTransaction[]>(script, data);
      const history = histories.flat();
      const verdict = checkStrictSerializable(history);
      assert.ok(
        verdict.ok,
        verdict.ok ? '' : `${verdict.anomaly} (seed ${String(seed)}): ${verdict.explanation}`,
      );
      t.diagnostic(`${String(history.length)} transactions judged`);
      heap.close();
    });
  }
});

// SharedMap from several real workers: operations on keys of different buckets never conflict
// (inserts and deletes included); a bank of accounts that are opened, closed and transferred
// between keeps its sum for every reader, in and out of transactions; two workers grow a map to
// 1 000 000 keys while checking their reads. Seeds are printed; SEED=<n> reruns one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyHash } from '../../src/collections/map-keys.js';
import { limits } from '../../src/base/index.js';
import { atomically, Heap } from '../../src/index.js';
import { runWorkers } from '../support/run-workers.js';
import type { MapWorkerData, MapWorkerReport } from './map.worker.js';
import { testSeed } from '../support/random.js';

const script = new URL('./map.worker.ts', import.meta.url);
const baseSeed = testSeed();

describe('SharedMap across workers', () => {
  it('two workers on keys of different buckets: inserts, deletes and updates, zero conflicts', async (t) => {
    t.diagnostic(`seed ${String(baseSeed)}`);
    const heap = Heap.create({ maxBytes: 64 << 20 });
    // 3 000 entries: a table of 4 096 buckets, which 64 more keys do not make grow.
    const padding = Array.from({ length: 3000 }, (_, index): [string, number] => [
      `padding ${String(index)}`,
      index,
    ]);
    const map = heap.map<string, number>(padding);
    const buckets = 4096;
    const used = new Set<number>();
    const keysFor = (prefix: string): string[] => {
      const keys: string[] = [];
      for (let index = 0; keys.length < 32; index += 1) {
        const key = `${prefix}${String(index)}`;
        const bucket = keyHash(key) & (buckets - 1);
        if (used.has(bucket)) continue;
        used.add(bucket);
        keys.push(key);
      }
      return keys;
    };
    const data = ['a', 'b'].map((prefix, index): MapWorkerData => ({
      heap: heap.handle,
      map: map.ref,
      mode: 'disjoint',
      seed: baseSeed + index,
      operations: 4000,
      keys: keysFor(prefix),
    }));
    const before = heap.stats();
    const reports = await runWorkers<MapWorkerReport>(script, data);
    const after = heap.stats();
    assert.equal(
      after.aborts - before.aborts,
      0,
      `no transaction aborted (seed ${String(baseSeed)}): ${JSON.stringify(after)}`,
    );
    assert.equal(after.waits - before.waits, 0, 'no transaction waited for another');
    const expected = new Map<string, number>(padding);
    for (const report of reports)
      for (const [key, value] of report.finalState) expected.set(key, value);
    assert.equal(map.size, expected.size);
    for (const [key, value] of expected) assert.equal(map.get(key), value, key);
    heap.close();
  });

  it('a bank of accounts opened, closed and transferred between keeps its sum for every reader', async (t) => {
    t.diagnostic(`seed ${String(baseSeed)}`);
    const heap = Heap.create({ maxBytes: 64 << 20 });
    const accounts = Array.from({ length: 20 }, (_, index): [string, number] => [
      `account ${String(index)}`,
      100,
    ]);
    const total = 2000;
    const map = heap.map<string, number>(accounts);
    const data = [0, 1, 2, 3].map((index): MapWorkerData => ({
      heap: heap.handle,
      map: map.ref,
      mode: 'bank',
      seed: baseSeed + index * 7919,
      operations: index === 3 ? 400 : 1500,
      reader: index === 3,
      total,
    }));
    const reports = await runWorkers<MapWorkerReport>(script, data);
    for (const report of reports) assert.deepEqual(report.badSums, [], `seed ${String(baseSeed)}`);
    assert.equal(reports[3]?.iterations, 400);
    let sum = 0;
    for (const value of map.values()) sum += value;
    assert.equal(sum, total);
    assert.equal(map.size, [...map.keys()].length);
    heap.close();
  });

  it('a long iteration over 5 000 entries finishes against two writers, in bounded attempts', async (t) => {
    t.diagnostic(`seed ${String(baseSeed)}`);
    const heap = Heap.create({ maxBytes: 64 << 20 });
    const accounts = 5000;
    const map = heap.map<string, number>(
      Array.from({ length: accounts }, (_, index): [string, number] => [
        `account ${String(index)}`,
        10,
      ]),
    );
    const writers = runWorkers<MapWorkerReport>(
      script,
      [0, 1].map((index): MapWorkerData => ({
        heap: heap.handle,
        map: map.ref,
        mode: 'transfer',
        seed: baseSeed + index * 31,
        operations: 20_000,
        accounts,
      })),
    );
    const writing = { done: false };
    void writers.then(() => {
      writing.done = true;
    });
    let iterations = 0;
    let attemptsMax = 0;
    while (!writing.done || iterations < 3) {
      let attempts = 0;
      const sum = atomically(() => {
        attempts += 1;
        let total = 0;
        for (const value of map.values()) total += value;
        return total;
      });
      assert.equal(sum, accounts * 10, 'one consistent state');
      attemptsMax = Math.max(attemptsMax, attempts);
      iterations += 1;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await writers;
    t.diagnostic(`${String(iterations)} iterations, at most ${String(attemptsMax)} attempts`);
    assert.ok(
      attemptsMax <= limits.attemptsBeforeInevitable + 1,
      `an iteration took ${String(attemptsMax)} attempts: it should have become inevitable`,
    );
    heap.close();
  });

  it('two workers grow a map from 8 buckets to 1 000 000 keys, reading back as they go', async () => {
    const heap = Heap.create({ maxBytes: 1024 << 20 });
    const map = heap.map<string, number>();
    const perWorker = 500_000;
    const data = ['x', 'y'].map((prefix, index): MapWorkerData => ({
      heap: heap.handle,
      map: map.ref,
      mode: 'grow',
      seed: baseSeed + index,
      operations: perWorker,
      prefix,
    }));
    const reports = await runWorkers<MapWorkerReport>(script, data);
    for (const report of reports)
      assert.deepEqual(report.badSums, [], 'every read-back found its key');
    assert.equal(map.size, 2 * perWorker);
    // Each worker's keys come out in the order it inserted them.
    const last = { x: -1, y: -1 };
    for (const [key, value] of map) {
      const prefix = key.slice(0, 1) as 'x' | 'y';
      assert.equal(Number(key.slice(1)), value);
      assert.ok(value > last[prefix], `${key} after ${prefix}${String(last[prefix])}`);
      last[prefix] = value;
    }
    heap.close();
  });
});

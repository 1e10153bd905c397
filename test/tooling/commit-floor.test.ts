// The commit floor (bench/lib/commit-floor.ts) is a bound the benchmarks compare against: it must
// do every increment it is asked for, alone and with workers taking its lock from each other, or
// the bound would be false.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommitFloor, commitFloorBytes } from '../../bench/lib/commit-floor.js';
import { runWorkers } from '../support/run-workers.js';
import type { FloorWorkerData } from './commit-floor.worker.js';

const script = new URL('./commit-floor.worker.ts', import.meta.url);

describe('commit floor', () => {
  it('counts every increment of one thread', () => {
    const floor = new CommitFloor();
    for (let i = 0; i < 10_000; i += 1) floor.increment();
    assert.equal(floor.value, 10_000);
  });

  for (const workBetween of [false, true]) {
    it(`counts every increment of 4 contending workers (work ${workBetween ? 'under the lock' : 'first'})`, async () => {
      const buffer = new SharedArrayBuffer(commitFloorBytes);
      const increments = 20_000;
      const data: FloorWorkerData[] = [0, 1, 2, 3].map((slot) => ({
        buffer,
        slot,
        increments,
        workBetween,
      }));
      await runWorkers(script, data);
      assert.equal(new CommitFloor(buffer, 8).value, 4 * increments);
      // Every lock released: one more increment, with nobody left to wait for, goes through.
      new CommitFloor(buffer, 4).lockedIncrement(() => undefined, false);
      assert.equal(new CommitFloor(buffer, 8).value, 4 * increments + 1);
    });
  }
});

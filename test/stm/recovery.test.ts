// Recovery frees what a dead worker held: the new values of an attempt it did not decide, and the
// shared objects it alone kept alive through its wrappers (their pins, recorded in shared memory).
// The first kind is checked with a value of ~100 KB. The value here is a string of ~100 KB (a run of whole
// superblocks), so a leak shows as at least 64 KiB in `usedBytes`, far above the few hundred
// bytes that the worker's own bookkeeping may still hold after recovery.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { CrashPointName } from '../../src/base/index.js';
import { Heap } from '../../src/index.js';
import type { PinsData } from './pins.worker.js';
import type { UnpublishedData } from './unpublished.worker.js';

const script = new URL('./unpublished.worker.ts', import.meta.url);
const leakBytesMax = 16 << 10;

async function dieWithUnpublishedValue(crashAt: CrashPointName): Promise<void> {
  const heap = Heap.create({ maxBytes: 16 << 20 });
  const label = heap.cell('before');
  heap.reclaim();
  const baseline = heap.memoryUsage().usedBytes;
  const data: UnpublishedData = {
    heap: heap.handle,
    label: label.ref,
    crashAt,
    text: 'x'.repeat(50_000),
  };
  const worker = new Worker(script, { workerData: data });
  heap.watch(worker);
  // Listened for from the start: a worker's exit can be emitted right after its last message,
  // before an 'exit' listener added once that message is handled (the test then never ended).
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  const said = await new Promise<unknown>((resolve) => worker.once('message', resolve));
  assert.equal(said, 'dying', `the worker never reached ${crashAt}`);
  await exited;
  // `heap.watch` recovers on the exit event; then two grace periods free what was retired.
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(label.get(), 'before', 'the undecided transaction stays invisible');
  heap.reclaim();
  heap.reclaim();
  const leaked = heap.memoryUsage().usedBytes - baseline;
  assert.ok(leaked < leakBytesMax, `${String(leaked)} bytes still used after recovery`);
  heap.close();
}

describe("recovery frees a dead worker's unpublished values", () => {
  for (const crashAt of ['commit.afterIntents', 'commit.beforeDecision'] as const) {
    it(`dead at ${crashAt}`, async () => {
      await dieWithUnpublishedValue(crashAt);
    });
  }
});

describe("recovery releases a dead worker's pins", () => {
  it('frees the objects it alone held, keeps the ones others hold', async () => {
    const heap = Heap.create({ maxBytes: 16 << 20 });
    const shared = heap.cell('held by both');
    // This thread's own pin record reaches its size first (it stays: 8 bytes per pin).
    heap.reclaim();
    const baseline = heap.memoryUsage().usedBytes;
    const data: PinsData = { heap: heap.handle, shared: shared.ref, own: 200 };
    const worker = new Worker(new URL('./pins.worker.ts', import.meta.url), { workerData: data });
    heap.watch(worker);
    const exited = new Promise((resolve) => worker.once('exit', resolve)); // (as above)
    const said = await new Promise<unknown>((resolve) => worker.once('message', resolve));
    assert.equal(said, 'held by both / 200');
    await exited;
    await new Promise((resolve) => setImmediate(resolve));
    heap.reclaim();
    heap.reclaim();
    assert.equal(shared.get(), 'held by both', 'a pin of the living was released');
    const leaked = heap.memoryUsage().usedBytes - baseline;
    // 200 cells with their strings are ~24 KB; what may remain is the dead worker's bookkeeping.
    assert.ok(leaked < 4096, `${String(leaked)} bytes still used after recovery`);
    heap.close();
  });
});

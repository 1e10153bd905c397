// Lifetime of shared objects: reference counts on stored references and wrapper pins; objects
// reachable from nothing are freed; disposed wrappers are stale; collected wrappers let go.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Heap, StaleHandleError, type SharedCell } from '../../src/index.js';
import { runWorkers } from '../support/run-workers.js';
import type { RefChurnData } from './ref-churn.worker.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function collectGarbage(): Promise<void> {
  for (let round = 0; round < 5; round += 1) {
    gc();
    // FinalizationRegistry callbacks run in later tasks.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('shared object lifetime', () => {
  it('frees an object once no stored reference and no wrapper is left', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const outer = heap.cell<unknown>(null);
    heap.reclaim();
    const base = heap.memoryUsage().usedBytes;
    const inner = heap.cell('x'.repeat(1000));
    outer.set({ list: [inner, inner] });
    inner[Symbol.dispose]();
    const { list } = outer.get() as { list: [SharedCell<string>, SharedCell<string>] };
    const [first, second] = list;
    assert.equal(first.get(), 'x'.repeat(1000), 'kept alive by the stored references');
    assert.equal(first, second, 'one wrapper per object per worker');
    first[Symbol.dispose]();
    outer.set(null);
    heap.reclaim();
    assert.equal(heap.memoryUsage().usedBytes, base, 'the cell and its string were freed');
  });

  it('makes disposed wrappers stale and refuses to store a destroyed object', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const holder = heap.cell<unknown>(0);
    const cell = heap.cell(1);
    cell[Symbol.dispose]();
    assert.throws(() => cell.get(), StaleHandleError);
    assert.throws(() => {
      cell.set(2);
    }, StaleHandleError);
    assert.throws(() => {
      holder.set({ dead: cell });
    }, StaleHandleError);
    assert.equal(holder.get(), 0, 'nothing changed');
    assert.throws(() => heap.open(cell.ref), StaleHandleError);
  });

  it('reopening a reference gives the same wrapper while it lives', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const cell = heap.cell(1);
    assert.equal(heap.open(cell.ref), cell);
  });

  it('lets go of collected wrappers (FinalizationRegistry)', async () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const makeGarbage = (): void => {
      for (let i = 0; i < 100; i += 1) heap.cell(`value ${String(i)}`);
    };
    // A first round grows this worker's pin record (8 bytes per pin at the peak; it stays).
    makeGarbage();
    await collectGarbage();
    heap.reclaim();
    const base = heap.memoryUsage().usedBytes;
    makeGarbage();
    assert.ok(heap.memoryUsage().usedBytes > base);
    await collectGarbage();
    heap.reclaim();
    assert.equal(heap.memoryUsage().usedBytes, base);
  });

  it('releases this worker’s pins on close', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const other = Heap.attach(heap.handle);
    heap.reclaim();
    const base = heap.memoryUsage().usedBytes;
    const mine = other.cell('held only by the other attachment');
    assert.equal(mine.get(), 'held only by the other attachment');
    other.close();
    heap.reclaim();
    assert.ok(heap.memoryUsage().usedBytes <= base, 'the cell went with the pin');
  });

  it('4 workers passing cells around through shared slots leak nothing', async () => {
    const heap = Heap.create({ maxBytes: 64 << 20 });
    const slots = Array.from({ length: 4 }, () => heap.cell<unknown>(null));
    heap.reclaim();
    const base = heap.memoryUsage().usedBytes;
    const data: RefChurnData[] = Array.from({ length: 4 }, (_, index) => ({
      heap: heap.handle,
      slots: slots.map((slot) => slot.ref),
      index,
      operations: 20_000,
    }));
    const results = await runWorkers<{ badReads: number }>(
      new URL('./ref-churn.worker.ts', import.meta.url),
      data,
    );
    assert.deepEqual(
      results.map((r) => r.badReads),
      [0, 0, 0, 0],
    );
    for (const slot of slots) slot.set(null);
    heap.reclaim();
    assert.equal(heap.memoryUsage().usedBytes, base);
  });
});

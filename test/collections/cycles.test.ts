// Cycles of shared objects (ARCHITECTURE.md, "Cycles"): reference counting never frees them, and
// `heap.leakReport()` / `heap.memoryUsage({ unreachable: true })` find them — exactly the objects
// of the dropped cycle (and what hangs off it), with the bytes they hold, measured independently
// as the growth of `usedBytes`; nothing reachable from `heap.root` or pinned by a wrapper (here or
// in a real worker thread) is reported; a cycle broken before it is dropped is freed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { Heap, type SharedCell, type SharedFields, type SharedMap } from '../../src/index.js';
import type { ChurnData } from './cycles-churn.worker.js';
import type { CyclesWorkerData } from './cycles.worker.js';

const script = new URL('./cycles.worker.ts', import.meta.url);
const churnScript = new URL('./cycles-churn.worker.ts', import.meta.url);

/** Bytes of live blocks once every retired block is freed (twice: a bag freed by the first). */
function settledBytes(heap: Heap): number {
  heap.reclaim();
  heap.reclaim();
  return heap.memoryUsage().usedBytes;
}

/** The handles `heap.leakReport()` finds, sorted, checked against `memoryUsage`'s figures. */
function unreachableHandles(heap: Heap): { handles: number[]; bytes: number } {
  const report = heap.leakReport();
  const usage = heap.memoryUsage({ unreachable: true });
  assert.equal(usage.unreachableObjects, report.unreachableObjects, 'the same scan');
  assert.equal(usage.unreachableBytes, report.unreachableBytes, 'the same scan');
  assert.equal(report.unreachable.length, report.unreachableObjects);
  return {
    handles: report.unreachable.map((ref) => ref.handle).sort((a, b) => a - b),
    bytes: report.unreachableBytes,
  };
}

const handlesOf = (...objects: { readonly handle: number }[]): number[] =>
  objects.map((object) => object.handle).sort((a, b) => a - b);

describe('cycles of shared objects', () => {
  it('a map that holds itself, dropped, is reported with its bytes, and stays until broken', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const before = settledBytes(heap);
    assert.deepEqual(unreachableHandles(heap), { handles: [], bytes: 0 });
    const map = heap.map<string, unknown>();
    map.set('self', map);
    map.set('label', 'a string block the map owns through its value word');
    const handles = handlesOf(map);
    assert.deepEqual(unreachableHandles(heap).handles, [], 'pinned by its wrapper');
    map[Symbol.dispose]();
    const leaked = settledBytes(heap) - before;
    assert.ok(leaked > 0, 'reference counting did not free it');
    assert.deepEqual(unreachableHandles(heap), { handles, bytes: leaked });
    assert.equal(heap.memoryUsage().unreachableObjects, undefined, 'no scan unless asked');

    // The report's reference makes it reachable again: break the cycle and it is freed.
    const [ref] = heap.leakReport().unreachable;
    assert.ok(ref !== undefined);
    const again = heap.open<SharedMap<string>>(ref);
    assert.deepEqual(unreachableHandles(heap).handles, [], 'pinned again');
    again.delete('self');
    again[Symbol.dispose]();
    assert.ok(settledBytes(heap) <= before, 'freed once the cycle is broken');
    assert.deepEqual(unreachableHandles(heap), { handles: [], bytes: 0 });
  });

  it('two maps holding each other, with a cell hanging off one, are reported together', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const before = settledBytes(heap);
    const a = heap.map<string, unknown>();
    const b = heap.map<string, unknown>();
    const hanging = heap.cell('x'.repeat(500));
    a.set('b', b);
    b.set('a', a);
    a.set('cell', hanging);
    const handles = handlesOf(a, b, hanging);
    hanging[Symbol.dispose]();
    a[Symbol.dispose]();
    assert.deepEqual(unreachableHandles(heap).handles, [], 'b pins itself and a');
    b[Symbol.dispose]();
    const leaked = settledBytes(heap) - before;
    assert.deepEqual(unreachableHandles(heap), { handles, bytes: leaked });
  });

  it('an object whose field holds an array that holds the object is reported', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    // Made first so that the shape exists before: the shape is shared and stays reachable.
    const kept = heap.object<{ items: unknown }>({ items: null });
    const before = settledBytes(heap);
    const object = heap.object<{ items: unknown }>({ items: null });
    const array = heap.array<unknown>(['first', object]);
    object.items = array;
    const handles = handlesOf(object, array);
    array[Symbol.dispose]();
    (object as SharedFields<{ items: unknown }> & Disposable)[Symbol.dispose]();
    const leaked = settledBytes(heap) - before;
    assert.deepEqual(unreachableHandles(heap), { handles, bytes: leaked });
    assert.equal(kept.items, null);
  });

  it('a reference inside a snapshot closes a cycle too', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const before = settledBytes(heap);
    const cell = heap.cell<unknown>(null);
    cell.set({ nested: [1, { me: cell }] });
    const handles = handlesOf(cell);
    cell[Symbol.dispose]();
    const leaked = settledBytes(heap) - before;
    assert.deepEqual(unreachableHandles(heap), { handles, bytes: leaked });
  });

  it('cycles reachable from heap.root, or hanging off an object that is, are not reported', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const a = heap.map<string, unknown>();
    const b = heap.map<string, unknown>();
    a.set('b', b);
    b.set('a', a);
    const holder = heap.cell<unknown>(null);
    const self = heap.array<unknown>([]);
    self.push(self);
    holder.set({ arrays: [self] });
    heap.root.set('a', a);
    heap.root.set('holder', holder);
    for (const wrapper of [a, b, holder, self]) wrapper[Symbol.dispose]();
    assert.deepEqual(unreachableHandles(heap), { handles: [], bytes: 0 });
    heap.root.delete('holder');
    heap.reclaim();
    const leaked = unreachableHandles(heap);
    assert.equal(leaked.handles.length, 1, 'only the self-holding array: the cell was freed');
    assert.equal(leaked.handles[0], self.handle);
    heap.root.delete('a');
    assert.equal(unreachableHandles(heap).handles.length, 3, 'and now the two maps');
  });

  it('a cycle broken before it is dropped is freed', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    // Made first so that the shape exists before (this worker keeps the shapes it made pinned).
    const kept = heap.object<{ other: unknown }>({ other: null });
    const before = settledBytes(heap);
    const a = heap.map<string, unknown>();
    const b = heap.map<string, unknown>();
    const object = heap.object<{ other: unknown }>({ other: null });
    const array = heap.array<unknown>([object]);
    a.set('b', b);
    b.set('a', a);
    object.other = array;
    heap.atomically(() => {
      a.delete('b');
      object.other = null;
    });
    for (const wrapper of [a, b, array]) wrapper[Symbol.dispose]();
    (object as SharedFields<{ other: unknown }> & Disposable)[Symbol.dispose]();
    // Destroyed objects whose blocks wait in retire bags (count 0) are not reported.
    assert.deepEqual(unreachableHandles(heap), { handles: [], bytes: 0 });
    assert.ok(settledBytes(heap) <= before, 'everything was freed');
    assert.equal(kept.other, null);
  });

  for (const letGo of ['dispose', 'close'] as const) {
    it(`a worker's wrapper keeps a dropped cycle reachable until it lets go (${letGo})`, async () => {
      const heap = Heap.create({ maxBytes: 8 << 20 });
      const map = heap.map<string, unknown>([['n', 1]]);
      map.set('self', map);
      const data: CyclesWorkerData = { heap: heap.handle, ref: map.ref, letGo };
      const worker = new Worker(script, { workerData: data });
      heap.watch(worker);
      const messages: unknown[] = [];
      const next = (): Promise<unknown> =>
        new Promise((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        });
      messages.push(await next());
      assert.deepEqual(messages[0], { opened: 2 });
      map[Symbol.dispose]();
      assert.deepEqual(unreachableHandles(heap).handles, [], "pinned by the worker's wrapper");
      const lettingGo = next();
      worker.postMessage('let go');
      messages.push(await lettingGo);
      if (letGo === 'dispose') messages.push(await next());
      assert.equal(messages.at(-1), 'closed');
      await new Promise((resolve) => worker.once('exit', resolve));
      assert.deepEqual(unreachableHandles(heap).handles, [map.handle]);
    });
  }

  it('refs in the report are opened like any other', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const cell = heap.cell<unknown>(null);
    cell.set([cell]);
    cell[Symbol.dispose]();
    const [ref, ...others] = heap.leakReport().unreachable;
    assert.ok(ref !== undefined && others.length === 0);
    // A plain, cloneable SharedRef: it could as well be sent to another worker and opened there.
    const opened = heap.open<SharedCell<unknown[]>>(structuredClone(ref));
    assert.equal(opened.get()[0], opened);
    opened.set([]);
    opened[Symbol.dispose]();
    assert.equal(heap.leakReport().unreachableObjects, 0);
  });

  it('while workers change the heap, garbage that was there before is always reported', async () => {
    const heap = Heap.create({ maxBytes: 64 << 20 });
    const churn = heap.map<string, unknown>();
    heap.root.set('churn', churn);
    churn[Symbol.dispose]();
    const garbage: number[] = [];
    for (let index = 0; index < 20; index += 1) {
      const map = heap.map<string, unknown>([['index', index]]);
      map.set('self', map);
      garbage.push(map.handle);
      map[Symbol.dispose]();
    }
    garbage.sort((a, b) => a - b);
    assert.deepEqual(unreachableHandles(heap).handles, garbage);

    const progress = new Int32Array(new SharedArrayBuffer(8));
    const workers = [0, 1].map((index) => {
      const data: ChurnData = {
        heap: heap.handle,
        progress: progress.buffer,
        index,
        operations: 3000,
      };
      const worker = new Worker(churnScript, { workerData: data });
      heap.watch(worker);
      return worker;
    });
    const exits = workers.map(
      (worker) =>
        new Promise<number>((resolve, reject) => {
          worker.once('exit', resolve);
          worker.once('error', reject);
        }),
    );
    // Workers start while this thread blocks; scan until both are done (bounded, in case one dies).
    let overlapping = 0;
    for (let scan = 0; scan < 100_000 && Atomics.load(progress, 1) < workers.length; scan += 1) {
      const during = Atomics.load(progress, 0) > 0;
      const report = heap.leakReport();
      const found = new Set(report.unreachable.map((ref) => ref.handle));
      for (const handle of garbage) assert.ok(found.has(handle), 'garbage from before: counted');
      if (during && Atomics.load(progress, 1) < workers.length) overlapping += 1;
    }
    assert.deepEqual(await Promise.all(exits), [0, 0]);
    assert.ok(overlapping > 0, 'at least one scan ran while the workers worked');
    // Quiescent again: exact.
    assert.deepEqual(unreachableHandles(heap).handles, garbage);
  });
});

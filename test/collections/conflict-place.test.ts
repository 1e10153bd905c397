// A conflict event names the place where it happened: a map's key, an array's index, an object's
// field (ConflictEvent.place). A worker holds the lock of one word; the main thread writes the
// same word, waits for it, and its conflict hook reports the wait with the word's place.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { Heap, type ConflictEvent, type SharedRef, type WordPlace } from '../../src/index.js';
import { within } from '../support/time-limit.js';
import type { HolderData } from './conflict-place.worker.js';

const script = new URL('./conflict-place.worker.ts', import.meta.url);

async function placeOfWait(
  heap: Heap,
  target: SharedRef,
  what: HolderData['what'],
  write: () => void,
): Promise<WordPlace | undefined> {
  const flags = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(script, {
    workerData: { heap: heap.handle, target, what, flags: flags.buffer } satisfies HolderData,
  });
  heap.watch(worker);
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  await within(
    (async () => {
      while (Atomics.load(flags, 0) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    })(),
    20_000,
    'the worker never took its lock',
  );
  const events: ConflictEvent[] = [];
  heap.onConflict((event) => events.push(event));
  // The write waits for the holder, which keeps its lock: past the owner-wait bound the write
  // preempts it (stm/contention.ts). Either way the wait is reported with the word's place.
  write();
  heap.onConflict(undefined);
  Atomics.store(flags, 1, 1);
  Atomics.notify(flags, 1);
  await within(exited, 20_000, 'the worker did not exit');
  return events.find((event) => event.word !== 0)?.place;
}

describe('ConflictEvent.place', () => {
  it('names the key of a map entry, the index of an array element (in its second segment) and the field of an object', async () => {
    const heap = Heap.create({ maxBytes: 16 << 20 });
    const map = heap.map<string, number>([
      ['hot', 0],
      ['cold', 0],
    ]);
    const mapPlace = await placeOfWait(heap, map.ref, 'map', () => map.set('hot', 2));
    assert.deepEqual(
      { ...mapPlace, handle: 0 },
      { object: 'map', part: 'value', key: 'hot', handle: 0 },
    );

    const array = heap.array<number>(Array.from({ length: 30 }, (_, index) => index));
    const arrayPlace = await placeOfWait(heap, array.ref, 'array', () => array.set(20, 2));
    assert.deepEqual(
      { ...arrayPlace, handle: 0 },
      { object: 'array', part: 'element', key: 20, handle: 0 },
    );

    const account = heap.object({ owner: 'ada', balance: 0 });
    const objectPlace = await placeOfWait(heap, account.ref, 'object', () => {
      account.balance = 2;
    });
    assert.deepEqual(
      { ...objectPlace, handle: 0 },
      { object: 'object', part: 'field', key: 'balance', handle: 0 },
    );
    heap.close();
  });
});

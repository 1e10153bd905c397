// The public Heap facade: handles, references, attach checks and memory usage.
import assert from 'node:assert/strict';
import { limits } from '../../src/base/index.js';
import { describe, it } from 'node:test';
import {
  Heap,
  HeapExhaustedError,
  HeapLayoutError,
  LimitExceededError,
  StaleHandleError,
  TransactionStateError,
  type SharedCell,
  type SharedRef,
} from '../../src/index.js';

describe('Heap', () => {
  it('reserves without committing, and reports usage', () => {
    const heap = Heap.create({ maxBytes: 256 << 20 });
    const usage = heap.memoryUsage();
    assert.ok(usage.reservedBytes <= 256 << 20 && usage.reservedBytes > 250 << 20);
    assert.ok(usage.committedBytes < 1 << 20, 'only metadata is committed at first');
    // Made when the worker attached: one retire bag (512 B) and its transaction log (32 entries
    // of 32 B plus a header: a 1 280 B block); made with the heap: the root map (a 384 B block
    // and a table of 8 buckets, 320 B) and the pin record of its wrapper (64 entries, 640 B).
    assert.equal(
      usage.usedBytes,
      512 + 1280 + 384 + 320 + 640,
      'one retire bag, one transaction log, the root map and one pin record',
    );
    assert.equal(usage.attachedWorkers, 1);
    heap.cell('x'.repeat(100_000));
    assert.ok(heap.memoryUsage().usedBytes >= 200_000);
  });

  it('opens references in another attachment of the same heap', () => {
    const heap = Heap.create({ maxBytes: 4 << 20 });
    const cell = heap.cell('shared');
    const ref = structuredClone(cell.ref);
    const again = Heap.attach(structuredClone(heap.handle));
    assert.equal(again.memoryUsage().attachedWorkers, 2);
    const reopened = again.open<SharedCell<string>>(ref);
    reopened.set('changed');
    assert.equal(cell.get(), 'changed');
    again.close();
    assert.equal(heap.memoryUsage().attachedWorkers, 1);
  });

  it('refuses references that are malformed, of another heap, or stale', () => {
    const heap = Heap.create({ maxBytes: 4 << 20 });
    const other = Heap.create({ maxBytes: 4 << 20 });
    const cell = other.cell(1);
    assert.throws(() => heap.open(cell.ref), StaleHandleError);
    assert.throws(() => heap.open({ kind: 'nope' } as unknown as SharedRef), TypeError);
    const mine = heap.cell(1);
    assert.throws(
      () => heap.open({ ...mine.ref, handle: mine.ref.handle + 2 ** 32 }),
      StaleHandleError,
    );
    assert.throws(() => heap.open({ ...mine.ref, tag: 1 }), StaleHandleError);
  });

  it('refuses to attach memory that is not a compatible heap', () => {
    const buffer = new SharedArrayBuffer(1 << 20);
    assert.throws(() => Heap.attach({ kind: 'shared-objects/heap', buffer }), HeapLayoutError);
  });

  it('has a named limit on attached workers', () => {
    // Each attached worker takes at least one superblock (64 KiB) for its first retire bag.
    const heap = Heap.create({ maxBytes: 64 << 20 });
    const attached: Heap[] = [];
    assert.throws(() => {
      for (;;) attached.push(Heap.attach(heap.handle));
    }, LimitExceededError);
    assert.equal(attached.length, limits.workerSlotsMax - 1);
    for (const each of attached) each.close();
    assert.equal(heap.memoryUsage().attachedWorkers, 1);
  });

  it('leaves a heap too full to attach to as it was', () => {
    const heap = Heap.create({ maxBytes: 2 << 20 });
    const cells = [];
    try {
      for (;;) cells.push(heap.cell('x'.repeat(30_000)));
    } catch {
      // full
    }
    const before = heap.memoryUsage();
    assert.throws(() => Heap.attach(heap.handle), HeapExhaustedError);
    assert.equal(heap.memoryUsage().attachedWorkers, before.attachedWorkers);
    assert.equal(heap.memoryUsage().usedBytes, before.usedBytes);
  });
});

describe('heap.onAbort', () => {
  it('runs when the attempt or its nested part is undone, never after a commit', () => {
    const heap = Heap.create({ maxBytes: 4 << 20 });
    const events: string[] = [];
    heap.atomically(() => {
      events.length = 0;
      heap.onAbort(() => events.push('outer undone (never)'));
      try {
        heap.atomically(() => {
          heap.onAbort(() => events.push('nested undone'));
          throw new Error('roll back the nested part');
        });
      } catch {
        events.push('caught');
      }
    });
    assert.deepEqual(events, ['nested undone', 'caught']);
    assert.throws(
      () => {
        heap.onAbort(() => undefined);
      },
      (error: unknown) =>
        error instanceof TransactionStateError && error.code === 'NOT_IN_TRANSACTION',
    );
    heap.close();
  });
});

// Transaction semantics in one worker: all-or-nothing, exceptions, promises refused, nesting,
// orElse, inevitable, and the typed errors for misuse.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  atomically,
  Heap,
  inevitable,
  NotShareableError,
  orElse,
  retry,
  TransactionStateError,
} from '../../src/index.js';

const newHeap = (): Heap => Heap.create({ maxBytes: 8 << 20 });
const stateError = (code: string) => (error: unknown) =>
  error instanceof TransactionStateError && error.code === code;

describe('atomically', () => {
  it('commits every write together and returns the result', () => {
    const heap = newHeap();
    const [a, b] = [heap.cell(10), heap.cell(20)];
    const moved = atomically(() => {
      a.set(a.get() - 5);
      b.set(b.get() + 5);
      return a.get() + b.get();
    });
    assert.equal(moved, 30);
    assert.deepEqual([a.get(), b.get()], [5, 25]);
    assert.equal(
      heap.atomically(() => a.get()),
      5,
    );
  });

  it('an exception aborts (nothing visible) and propagates unchanged', () => {
    const heap = newHeap();
    const cell = heap.cell('before');
    const thrown = new RangeError('mine');
    assert.throws(
      () =>
        atomically(() => {
          cell.set('during');
          assert.equal(cell.get(), 'during'); // reads its own write
          throw thrown;
        }),
      (error) => error === thrown,
    );
    assert.equal(cell.get(), 'before');
    assert.equal(heap.stats().abortsException, 1);
  });

  it('a value that cannot be stored aborts with NotShareableError, nothing written', () => {
    const heap = newHeap();
    const [a, b] = [heap.cell(1), heap.cell(2)];
    heap.reclaim();
    const used = heap.memoryUsage().usedBytes;
    assert.throws(() => {
      atomically(() => {
        a.set(100);
        b.set((() => 0) as unknown as number);
      });
    }, NotShareableError);
    assert.deepEqual([a.get(), b.get()], [1, 2]);
    heap.reclaim();
    assert.equal(heap.memoryUsage().usedBytes, used);
  });

  it('refuses functions that return promises, committing nothing', () => {
    const heap = newHeap();
    const cell = heap.cell(1);
    assert.throws(() => atomically(async () => Promise.resolve(1)), TypeError);
    assert.throws(
      () =>
        atomically(() => {
          cell.set(2);
          return Promise.resolve(2);
        }),
      TypeError,
    );
    assert.equal(cell.get(), 1);
  });

  it('nested calls join the outer transaction', () => {
    const heap = newHeap();
    const cell = heap.cell(0);
    assert.throws(() =>
      atomically(() => {
        atomically(() => {
          cell.set(1);
        });
        assert.equal(cell.get(), 1);
        throw new Error('outer fails');
      }),
    );
    assert.equal(cell.get(), 0, 'the inner write went with the outer abort');
  });

  it('one transaction cannot span two heaps', () => {
    const [first, second] = [newHeap(), newHeap()];
    const [x, y] = [first.cell(1), second.cell(2)];
    assert.throws(() => atomically(() => x.get() + y.get()), stateError('MIXED_HEAPS'));
  });
});

describe('retry, orElse, inevitable', () => {
  it('orElse runs the second branch when the first retries, undoing its writes', () => {
    const heap = newHeap();
    const [flag, log] = [heap.cell(false), heap.cell('')];
    const result = orElse(
      () => {
        log.set('first');
        if (!flag.get()) retry();
        return 'first';
      },
      () => {
        assert.equal(log.get(), '', 'first branch writes are undone');
        log.set('second');
        return 'second';
      },
    );
    assert.equal(result, 'second');
    assert.equal(log.get(), 'second');
    flag.set(true);
    assert.equal(
      atomically(() =>
        orElse(
          () => (flag.get() ? 'first' : retry()),
          () => 'second',
        ),
      ),
      'first',
    );
  });

  it('misuse gets typed errors', () => {
    const heap = newHeap();
    const cell = heap.cell(0);
    assert.throws(() => retry(), stateError('NOT_IN_TRANSACTION'));
    assert.throws(() => {
      inevitable();
    }, stateError('NOT_IN_TRANSACTION'));
    assert.throws(() => {
      heap.atomically(() => {
        inevitable();
        inevitable();
      });
    }, stateError('ALREADY_INEVITABLE'));
    // This thread has several heaps open: a transaction that touched none cannot know its heap.
    const other = newHeap();
    assert.throws(() => {
      atomically(() => {
        inevitable();
      });
    }, stateError('HEAP_UNKNOWN'));
    other.close();
    assert.throws(() => atomically(() => retry()), stateError('RETRY_WITHOUT_READS'));
    assert.throws(
      () =>
        heap.atomically(() => {
          inevitable();
          cell.get();
          retry();
        }),
      stateError('RETRY_IN_INEVITABLE'),
    );
  });

  it('an inevitable transaction commits its writes', () => {
    const heap = newHeap();
    const cell = heap.cell(1);
    atomically(() => {
      const before = cell.get();
      inevitable();
      cell.set(before + 1);
    });
    assert.equal(cell.get(), 2);
  });
});

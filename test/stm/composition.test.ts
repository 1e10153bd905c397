// The laws transactions compose by, in one worker: `orElse(() => retry(), t)` behaves as `t`
// (GHC's law, nested and unbound alike); closed nesting (a nested `atomically` or orElse branch
// that throws undoes its own writes before its caller sees the error); and a transaction past its
// write-set or read-set limit gets a LimitExceededError and commits nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  atomically,
  Heap,
  LimitExceededError,
  orElse,
  retry,
  TransactionStateError,
  type SharedCell,
} from '../../src/index.js';

const newHeap = (options = {}): Heap => Heap.create({ maxBytes: 8 << 20, ...options });
const stateError = (code: string) => (error: unknown) =>
  error instanceof TransactionStateError && error.code === code;

describe('orElse(() => retry(), t) behaves as t', () => {
  it('at the top, with nothing read', () => {
    const heap = newHeap();
    const cell = heap.cell(1);
    assert.equal(
      orElse(
        () => retry(),
        () => 'second',
      ),
      'second',
    );
    // t's writes commit as they would alone.
    orElse(
      () => retry(),
      () => {
        cell.set(cell.get() + 1);
      },
    );
    assert.equal(cell.get(), 2);
    heap.close();
  });

  it('inside a transaction, before and after reads, on a bound heap', () => {
    const heap = newHeap();
    const cell = heap.cell(10);
    const result = heap.atomically(() =>
      orElse(
        () => retry(),
        () => cell.get() + 1,
      ),
    );
    assert.equal(result, 11);
    const afterRead = atomically(() => {
      const seen = cell.get();
      return orElse(
        () => retry(),
        () => seen * 2,
      );
    });
    assert.equal(afterRead, 20);
    heap.close();
  });

  it('nested: both inner branches retry, the outer second runs; their writes are undone', () => {
    const heap = newHeap();
    const [a, b] = [heap.cell('a0'), heap.cell('b0')];
    const result = atomically(() =>
      orElse(
        () =>
          orElse(
            () => {
              a.set('a1');
              return retry();
            },
            () => {
              assert.equal(a.get(), 'a0', 'the first inner branch was undone');
              b.set('b1');
              return retry();
            },
          ),
        () => [a.get(), b.get()].join(','),
      ),
    );
    assert.equal(result, 'a0,b0');
    assert.deepEqual([a.get(), b.get()], ['a0', 'b0']);
    heap.close();
  });

  it('an orElse inside an orElse second branch, unbound until its last branch', () => {
    const heap = newHeap();
    const cell = heap.cell(5);
    const result = orElse(
      () => retry(),
      () =>
        orElse(
          () => retry(),
          () => cell.get(),
        ),
    );
    assert.equal(result, 5);
    heap.close();
  });

  it('both branches retrying with nothing read is the top-level error, and only there', () => {
    const heap = newHeap();
    heap.cell(0);
    assert.throws(
      () =>
        orElse(
          () => retry(),
          () => retry(),
        ),
      stateError('RETRY_WITHOUT_READS'),
    );
    assert.throws(() => atomically(() => retry()), stateError('RETRY_WITHOUT_READS'));
    heap.close();
  });

  it('a retry after a swallowed abort keeps the abort (orElse does not revive the attempt)', async () => {
    const heap = newHeap();
    const [cell, other] = [heap.cell(0), heap.cell(0)];
    let runs = 0;
    setTimeout(() => {
      other.set(1); // wakes the retry below (async: this thread keeps running its timers)
    }, 10);
    await heap.atomicallyAsync(() => {
      runs += 1;
      cell.set(-1); // a writing attempt from the start: it keeps a read log, so retry() is real
      if (other.get() === 0) {
        // A swallowed retry signal at the top: the attempt is doomed and must rerun.
        try {
          retry();
        } catch {
          // swallowed on purpose
        }
        orElse(
          () => retry(),
          () => 0,
        );
      }
      cell.set(runs);
    });
    assert.ok(runs >= 2, 'the doomed attempt committed');
    assert.equal(cell.get(), runs);
    heap.close();
  });
});

describe('closed nesting', () => {
  it('a nested atomically that throws undoes its writes; the outer commits without them', () => {
    const heap = newHeap();
    const [a, b] = [heap.cell(0), heap.cell(0)];
    const failure = new Error('inner fails');
    const seen = atomically(() => {
      a.set(1);
      try {
        atomically(() => {
          a.set(2);
          b.set(2);
          throw failure;
        });
      } catch (error) {
        assert.equal(error, failure, 'the error reaches the outer function unchanged');
      }
      return [a.get(), b.get()];
    });
    assert.deepEqual(seen, [1, 0], 'the outer function sees its own writes only');
    assert.deepEqual([a.get(), b.get()], [1, 0]);
    heap.close();
  });

  it('three levels: the innermost is undone, the middle kept', () => {
    const heap = newHeap();
    const cells = [heap.cell('x'), heap.cell('x'), heap.cell('x')] as const;
    atomically(() => {
      cells[0].set('outer');
      atomically(() => {
        cells[1].set('middle');
        try {
          atomically(() => {
            cells[1].set('inner');
            cells[2].set('inner');
            throw new RangeError('innermost');
          });
        } catch {
          // the middle level carries on
        }
      });
    });
    assert.deepEqual(
      cells.map((cell) => cell.get()),
      ['outer', 'middle', 'x'],
    );
    heap.close();
  });

  it('a nested atomically that binds the heap itself, then throws', () => {
    const heap = newHeap();
    const cell = heap.cell(1);
    const result = atomically(() => {
      try {
        atomically(() => {
          cell.set(99);
          throw new Error('no');
        });
      } catch {
        // nothing of the nested call stays
      }
      return cell.get();
    });
    assert.equal(result, 1);
    assert.equal(cell.get(), 1);
    heap.close();
  });

  it('an orElse first branch that throws undoes its writes before the error reaches the caller', () => {
    const heap = newHeap();
    const cell = heap.cell('before');
    const seen = atomically(() => {
      try {
        orElse(
          () => {
            cell.set('branch');
            throw new Error('branch fails');
          },
          () => 'never',
        );
      } catch {
        // the caller recovers
      }
      return cell.get();
    });
    assert.equal(seen, 'before');
    assert.equal(cell.get(), 'before');
    heap.close();
  });

  it('values stored by an undone nested call are freed', () => {
    const heap = newHeap();
    const cell = heap.cell('start');
    heap.reclaim();
    const used = heap.memoryUsage().usedBytes;
    for (let round = 0; round < 50; round += 1) {
      atomically(() => {
        try {
          atomically(() => {
            cell.set(`a long string that needs a block of its own, round ${String(round)}`);
            cell.set(`and another one, round ${String(round)}`);
            throw new Error('undo');
          });
        } catch {
          // undone
        }
      });
    }
    heap.reclaim();
    assert.equal(cell.get(), 'start');
    assert.equal(heap.memoryUsage().usedBytes, used);
    heap.close();
  });
});

describe('transaction limits are operating errors, not bugs', () => {
  it('past txWriteSetMax: LimitExceededError naming the limit, nothing committed, nothing locked', () => {
    const limit = 8;
    const heap = newHeap({ txWriteSetMax: limit });
    const cells = Array.from({ length: limit + 1 }, () => heap.cell(0));
    // At the limit: commits.
    atomically(() => {
      for (const cell of cells.slice(0, limit)) cell.set(1);
    });
    assert.deepEqual(
      cells.map((cell) => cell.get()),
      [...Array<number>(limit).fill(1), 0],
    );
    // One past it: refused whole.
    assert.throws(
      () => {
        atomically(() => {
          for (const cell of cells) cell.set(2);
        });
      },
      (error) =>
        error instanceof LimitExceededError &&
        error.limitName === 'txWriteSetMax' &&
        error.message.includes(String(limit)),
    );
    assert.deepEqual(
      cells.map((cell) => cell.get()),
      [...Array<number>(limit).fill(1), 0],
    );
    // Nothing stays locked: every cell can be written at once by the next transactions.
    const before = performance.now();
    atomically(() => {
      for (const cell of cells.slice(1)) cell.set(3);
    });
    cells[0]?.set(3);
    assert.ok(performance.now() - before < 1000);
    assert.ok(cells.every((cell) => cell.get() === 3));
    assert.equal(heap.stats().commits > 0, true);
    heap.close();
  });

  it('a caught LimitExceededError inside the transaction leaves no stray lock', () => {
    const heap = newHeap({ txWriteSetMax: 2 });
    const [a, b, c] = [heap.cell(0), heap.cell(0), heap.cell(0)] as const;
    atomically(() => {
      a.set(1);
      b.set(1);
      assert.throws(() => {
        c.set(1);
      }, LimitExceededError);
    });
    assert.deepEqual([a.get(), b.get(), c.get()], [1, 1, 0]);
    c.set(5); // c was never locked
    assert.equal(c.get(), 5);
    heap.close();
  });

  it('past txReadSetMax: LimitExceededError in a transaction that keeps a read log', () => {
    const limit = 16;
    const heap = newHeap({ txReadSetMax: limit });
    const cells: SharedCell<number>[] = Array.from({ length: limit + 1 }, () => heap.cell(1));
    const sink = heap.cell(0);
    // A writing transaction logs its reads; at the limit it commits.
    atomically(() => {
      sink.set(cells.slice(0, limit).reduce((sum, cell) => sum + cell.get(), 0));
    });
    assert.equal(sink.get(), limit);
    assert.throws(
      () => {
        atomically(() => {
          sink.set(cells.reduce((sum, cell) => sum + cell.get(), 0));
        });
      },
      (error) => error instanceof LimitExceededError && error.limitName === 'txReadSetMax',
    );
    assert.equal(sink.get(), limit);
    heap.close();
  });

  it('limit options are checked', () => {
    assert.throws(() => newHeap({ txWriteSetMax: 0 }), RangeError);
    assert.throws(() => newHeap({ txReadSetMax: 1.5 }), RangeError);
    assert.throws(() => newHeap({ txWriteSetMax: 2 ** 40 }), RangeError);
  });
});

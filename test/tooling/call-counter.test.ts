// The call counter (bench/lib/call-counter.ts) is what docs/decisions/0009-atomics-budget.md takes
// its atomics counts from: it must count a known sequence exactly, by method and kind, name the
// caller in a trace, and leave the builtins as they were when it is taken off.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CallCounter } from '../../bench/lib/call-counter.js';

describe('call counter', () => {
  it('counts a known sequence by method and kind, and restores the builtins', () => {
    const load = Atomics.load;
    const now: unknown = Reflect.get(performance, 'now');
    const bigInt = globalThis.BigInt;
    const buffer = new SharedArrayBuffer(64);
    const i32 = new Int32Array(buffer);
    const b64 = new BigInt64Array(buffer);
    const counter = new CallCounter();
    counter.install();
    try {
      for (let i = 0; i < 3; i += 1) Atomics.load(i32, i);
      Atomics.store(i32, 0, 5);
      assert.equal(Atomics.compareExchange(i32, 0, 5, 6), 5);
      assert.equal(Atomics.compareExchange(b64, 1, 0n, 9n), 0n);
      assert.equal(Atomics.load(b64, 1), 9n);
      Atomics.add(i32, 2, 1);
      Atomics.notify(i32, 0, 1);
      Atomics.load(new Int32Array(4), 0);
      assert.equal(typeof performance.now(), 'number');
      assert.equal(BigInt(7), 7n);
    } finally {
      counter.uninstall();
    }
    assert.deepEqual(
      Object.fromEntries(counter.counts),
      Object.fromEntries([
        ['Atomics.load Int32Array', 3],
        ['Atomics.store Int32Array', 1],
        ['Atomics.compareExchange Int32Array', 1],
        ['Atomics.compareExchange BigInt64Array', 1],
        ['Atomics.load BigInt64Array', 1],
        ['Atomics.add Int32Array', 1],
        ['Atomics.notify Int32Array', 1],
        ['Atomics.load Int32Array (unshared)', 1],
        ['performance.now', 1],
        ['BigInt', 1],
      ] as const),
    );
    assert.equal(counter.atomicsTotal(), 10);
    // Off again: the builtins themselves, and nothing more is counted.
    assert.equal(Atomics.load, load);
    assert.equal(Reflect.get(performance, 'now'), now);
    assert.equal(Object.hasOwn(performance, 'now'), false);
    assert.equal(globalThis.BigInt, bigInt);
    Atomics.load(i32, 0);
    assert.equal(counter.atomicsTotal(), 10);
  });

  it('traces calls in order, with the index and the calling function', () => {
    const i32 = new Int32Array(new SharedArrayBuffer(16));
    const counter = new CallCounter();
    counter.install();
    counter.tracing = true;
    function reader(): number {
      return Atomics.load(i32, 2) + Atomics.load(i32, 3);
    }
    try {
      reader();
    } finally {
      counter.uninstall();
    }
    assert.deepEqual(
      counter.trace.map(({ call, kind, index }) => [call, kind, index]),
      [
        ['Atomics.load', 'Int32Array', 2],
        ['Atomics.load', 'Int32Array', 3],
      ],
    );
    for (const entry of counter.trace)
      assert.match(entry.site, /^reader \(call-counter\.test\.ts:\d+\)$/);
  });
});

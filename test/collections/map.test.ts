// SharedMap in one worker: a Map's behaviour (SameValueZero, insertion order), checked against a
// real Map over random operation sequences; growth; transactions; lifetime; bad input.
// Property runs print their seed on failure; SEED=<n> reruns one.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  atomically,
  ClosedError,
  Heap,
  NotShareableError,
  orElse,
  retry,
  type SharedMap,
} from '../../src/index.js';
import { propertyRuns } from '../support/random.js';
import { warmUpMapGrowth } from '../support/warm-up.js';

describe('SharedMap behaves like Map', () => {
  it('SameValueZero keys: NaN equals NaN, -0 equals 0, strings by content', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const map = heap.map<unknown, string>();
    map.set(NaN, 'nan').set(-0, 'zero').set('k', 'string').set(1n, 'bigint');
    map.set(true, 'true').set(null, 'null').set(undefined, 'undefined');
    assert.equal(map.get(Number.NaN), 'nan');
    assert.equal(map.get(0), 'zero');
    assert.ok(Object.is([...map.keys()][1], 0), '-0 is stored as 0, as a Map does');
    assert.equal(map.get(['k'].join('')), 'string');
    assert.equal(map.get(BigInt(1)), 'bigint');
    assert.equal(map.get('1'), undefined, 'no coercion');
    assert.equal(map.get(1), undefined);
    assert.equal(map.size, 7);
    for (const key of [true, null, undefined]) assert.ok(map.has(key));
  });

  it('keeps insertion order; a set of an existing key keeps its place; delete and set again moves it last', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const map = heap.map([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    map.set('a', 10);
    assert.deepEqual(
      [...map],
      [
        ['a', 10],
        ['b', 2],
        ['c', 3],
      ],
    );
    assert.equal(map.delete('a'), true);
    assert.equal(map.delete('a'), false);
    map.set('a', 11);
    assert.deepEqual([...map.keys()], ['b', 'c', 'a']);
    assert.deepEqual([...map.values()], [2, 3, 11]);
    const seen: [unknown, unknown][] = [];
    map.forEach(function (this: unknown, value, key, self) {
      assert.equal(self, map);
      assert.equal(this, seen);
      seen.push([key, value]);
    }, seen);
    assert.deepEqual(seen, [...map.entries()]);
  });

  it('shared objects are keys by identity and values by reference', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const map = heap.map<unknown, unknown>();
    const cell = heap.cell(1);
    const inner = heap.map([['x', 1]]);
    map.set(cell, 'the cell').set('inner', inner);
    assert.equal(map.get(cell), 'the cell');
    assert.equal(map.get(heap.cell(1)), undefined, 'another cell is another key');
    const reopened = map.get('inner') as SharedMap<string, number>;
    assert.equal(reopened, inner, 'a stored reference decodes to the same wrapper');
    reopened.set('x', 2);
    assert.equal(inner.get('x'), 2);
  });

  it('toJSON, util.inspect and Symbol.toStringTag', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const map = heap.map<string, unknown>([
      ['a', 1],
      ['b', [1, { c: 'd' }]],
    ]);
    assert.equal(JSON.stringify({ map }), '{"map":{"a":1,"b":[1,{"c":"d"}]}}');
    assert.equal(inspect(map), "SharedMap(2) { 'a' => 1, 'b' => [ 1, { c: 'd' } ] }");
    assert.equal(Object.prototype.toString.call(map), '[object SharedMap]');
  });

  it('matches a Map over random operation sequences (fast-check)', () => {
    const key = fc.oneof(
      fc.integer({ min: -4, max: 40 }),
      fc.constantFrom(NaN, -0, 0.5, Infinity),
      fc.string({ maxLength: 3 }),
      fc.constantFrom(true, false, null, undefined, 7n),
    );
    const operation = fc.oneof(
      fc.record({ op: fc.constant('set' as const), key, value: fc.integer() }),
      fc.record({ op: fc.constant('delete' as const), key }),
      fc.record({ op: fc.constant('get' as const), key }),
      fc.record({ op: fc.constant('clear' as const) }),
    );
    const heap = Heap.create({ maxBytes: 64 << 20 });
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 120 }), fc.boolean(), (operations, inOne) => {
        const shared = heap.map<unknown, number>();
        let model = new Map<unknown, number>();
        const apply = (): void => {
          // A transaction may run its function again (an upgrade to a read log, a conflict).
          model = new Map();
          for (const step of operations) {
            if (step.op === 'set') {
              shared.set(step.key, step.value);
              model.set(step.key, step.value);
            } else if (step.op === 'delete') {
              assert.equal(shared.delete(step.key), model.delete(step.key));
            } else if (step.op === 'get') {
              assert.equal(shared.get(step.key), model.get(step.key));
              assert.equal(shared.has(step.key), model.has(step.key));
            } else {
              shared.clear();
              model.clear();
            }
          }
          assert.equal(shared.size, model.size);
          assert.deepEqual([...shared], [...model]);
        };
        // The same sequence as one transaction (own inserts in order) or as one per operation.
        if (inOne) atomically(apply);
        else apply();
        assert.deepEqual([...shared], [...model], 'after the commit');
      }),
      propertyRuns(300),
    );
  });

  it('grows from 8 buckets to 32 768 entries and back to empty, memory returned', () => {
    const heap = Heap.create({ maxBytes: 128 << 20 });
    warmUpMapGrowth(heap);
    const map = heap.map<string, number>();
    const before = heap.memoryUsage().usedBytes;
    const count = 32_768;
    for (let index = 0; index < count; index += 1) map.set(`key ${String(index)}`, index);
    assert.equal(map.size, count);
    const keys = [...map.keys()];
    assert.equal(keys.length, count);
    for (let index = 0; index < count; index += 997) {
      assert.equal(keys[index], `key ${String(index)}`, 'insertion order kept across growth');
      assert.equal(map.get(`key ${String(index)}`), index);
    }
    for (let index = 0; index < count; index += 1) map.delete(`key ${String(index)}`);
    assert.equal(map.size, 0);
    heap.memoryUsage();
    map.clear(); // back to a small table
    heap.reclaim();
    heap.reclaim();
    assert.ok(
      heap.memoryUsage().usedBytes <= before + 1024,
      `used ${String(heap.memoryUsage().usedBytes)} after, ${String(before)} before`,
    );
  });
});

describe('SharedMap in transactions', () => {
  it('an aborted transaction leaves the map and the memory as they were', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const map = heap.map([['kept', 'yes']]);
    const before = heap.memoryUsage().usedBytes;
    assert.throws(() => {
      atomically(() => {
        for (let index = 0; index < 100; index += 1)
          map.set(`new ${String(index)}`, 'x'.repeat(40));
        map.delete('kept');
        throw new Error('changed my mind');
      });
    }, /changed my mind/);
    assert.deepEqual([...map], [['kept', 'yes']]);
    assert.equal(heap.memoryUsage().usedBytes, before);
  });

  it('orElse rolls back the first branch’s inserts; retry waits for a key', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const map = heap.map<string, number>();
    const result = atomically(() =>
      orElse(
        () => {
          map.set('tentative', 1);
          return retry();
        },
        () => {
          map.set('second', 2);
          return 'second';
        },
      ),
    );
    assert.equal(result, 'second');
    assert.deepEqual([...map], [['second', 2]]);
  });

  it('update is an atomic read-modify-write of one key', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const map = heap.map<string, number>();
    assert.equal(
      map.update('n', (value) => (value ?? 0) + 1),
      1,
    );
    assert.equal(
      map.update('n', (value) => (value ?? 0) + 1),
      2,
    );
    assert.throws(() =>
      map.update('n', () => {
        throw new Error('no');
      }),
    );
    assert.equal(map.get('n'), 2);
  });
});

describe('SharedMap lifetime and errors', () => {
  it('a map dropped by every reference is freed with its entries, keys and values', () => {
    const heap = Heap.create({ maxBytes: 16 << 20 });
    const holder = heap.cell<unknown>(null);
    warmUpMapGrowth(heap);
    const before = heap.memoryUsage().usedBytes;
    {
      const map = heap.map<string, unknown>();
      for (let index = 0; index < 500; index += 1) {
        map.set(`key ${String(index)}`, { index, text: 'value '.repeat(4) });
      }
      const cell = heap.cell('held only by the map');
      map.set('cell', cell);
      cell[Symbol.dispose]();
      holder.set(map);
      map[Symbol.dispose]();
    }
    const reopened = holder.get() as SharedMap<string>;
    assert.equal(reopened.size, 501);
    reopened[Symbol.dispose]();
    holder.set(null);
    heap.reclaim();
    heap.reclaim();
    // (Less, when reclaiming freed the retire bag that was there before.)
    const after = heap.memoryUsage().usedBytes;
    assert.ok(after <= before, `used ${String(after)} after, ${String(before)} before`);
  });

  it('refuses keys without identity and unshareable values, leaving the map unchanged', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const map = heap.map<unknown, unknown>([['a', 1]]);
    const before = heap.memoryUsage().usedBytes;
    for (const key of [{ plain: 1 }, [1], () => 1, Symbol('s')]) {
      assert.throws(() => map.set(key, 1), NotShareableError);
      assert.throws(() => map.get(key), NotShareableError);
    }
    assert.throws(() => map.set('b', () => 1), NotShareableError);
    assert.throws(() => map.set('c', new Date()), NotShareableError);
    assert.deepEqual([...map], [['a', 1]]);
    assert.equal(heap.memoryUsage().usedBytes, before);
    heap.close();
    assert.throws(() => map.get('a'), ClosedError);
    assert.throws(() => heap.map(), ClosedError);
  });
});

// SharedSet in one worker: a Set's behaviour, checked against a real Set over random operation
// sequences; lifetime; bad input. SEED=<n> reruns a property run with that seed.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { atomically, Heap, NotShareableError, type SharedSet } from '../../src/index.js';
import { propertyRuns } from '../support/random.js';
import { warmUpMapGrowth } from '../support/warm-up.js';

describe('SharedSet behaves like Set', () => {
  it('adds, finds and deletes by SameValueZero, in insertion order', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const set = heap.set<unknown>(['a', NaN, -0]);
    assert.equal(set.has(NaN), true);
    assert.equal(set.has(0), true);
    assert.equal(set.add('a'), set, 'add returns the set');
    assert.equal(set.size, 3);
    set.delete('a');
    set.add('a');
    assert.deepEqual([...set], [NaN, 0, 'a']);
    assert.deepEqual(
      [...set.entries()],
      [
        [NaN, NaN],
        [0, 0],
        ['a', 'a'],
      ],
    );
    assert.deepEqual([...set.keys()], [...set.values()]);
    const seen: unknown[] = [];
    set.forEach((value, key, self) => {
      assert.equal(value, key);
      assert.equal(self, set);
      seen.push(value);
    });
    assert.deepEqual(seen, [NaN, 0, 'a']);
    assert.equal(JSON.stringify(heap.set([1, 'b'])), '[1,"b"]');
    assert.equal(inspect(heap.set([1, 'b'])), "SharedSet(2) { 1, 'b' }");
    assert.equal(Object.prototype.toString.call(set), '[object SharedSet]');
  });

  it('matches a Set over random operation sequences (fast-check)', () => {
    const value = fc.oneof(fc.integer({ min: -3, max: 30 }), fc.string({ maxLength: 2 }));
    const operation = fc.oneof(
      fc.record({ op: fc.constant('add' as const), value }),
      fc.record({ op: fc.constant('delete' as const), value }),
      fc.record({ op: fc.constant('has' as const), value }),
      fc.record({ op: fc.constant('clear' as const) }),
    );
    const heap = Heap.create({ maxBytes: 64 << 20 });
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 100 }), fc.boolean(), (operations, inOne) => {
        const shared = heap.set<unknown>();
        let model = new Set<unknown>();
        const apply = (): void => {
          // A transaction may run its function again (an upgrade to a read log, a conflict).
          model = new Set();
          for (const step of operations) {
            if (step.op === 'add') {
              shared.add(step.value);
              model.add(step.value);
            } else if (step.op === 'delete') {
              assert.equal(shared.delete(step.value), model.delete(step.value));
            } else if (step.op === 'has') {
              assert.equal(shared.has(step.value), model.has(step.value));
            } else {
              shared.clear();
              model.clear();
            }
          }
          assert.equal(shared.size, model.size);
          assert.deepEqual([...shared], [...model]);
        };
        if (inOne) atomically(apply);
        else apply();
        assert.deepEqual([...shared], [...model], 'after the commit');
      }),
      propertyRuns(200),
    );
  });

  it('a dropped set frees its values; bad values leave it unchanged', () => {
    const heap = Heap.create({ maxBytes: 16 << 20 });
    // A first wrapper makes this worker's pin record, which stays: measure from there.
    heap.cell(0);
    warmUpMapGrowth(heap);
    const before = heap.memoryUsage().usedBytes;
    {
      const set: SharedSet<string> = heap.set();
      for (let index = 0; index < 300; index += 1) set.add(`value number ${String(index)}`);
      assert.throws(() => set.add({ x: 1 } as unknown as string), NotShareableError);
      assert.equal(set.size, 300);
      set[Symbol.dispose]();
    }
    heap.reclaim();
    heap.reclaim();
    const after = heap.memoryUsage().usedBytes;
    assert.ok(after <= before, `used ${String(after)} after, ${String(before)} before`);
  });
});

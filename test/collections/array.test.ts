// SharedArray in one worker: an Array's behaviour, checked against a real Array over random
// sequences of every method (as one transaction and as one per operation); the layout's segment
// arithmetic; growth and shrinking; transactions; lifetime; bad input.
// Property runs print their seed on failure; SEED=<n> reruns one.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BlockTag, classBytes, liveBlockCensus } from '../../src/alloc/index.js';
import {
  arraySegmentTag,
  arrayTag,
  arrayLengthMax,
  arrayPayloadBytes,
  segmentOf,
  segmentPayloadBytes,
  segmentSlots,
  segmentsMax,
  segmentStart,
} from '../../src/collections/array-layout.js';
import {
  atomically,
  ClosedError,
  Heap,
  NotShareableError,
  orElse,
  retry,
  type SharedArray,
  type SharedMap,
} from '../../src/index.js';
import { HeapMemory } from '../../src/memory/index.js';
import { propertyRuns } from '../support/random.js';

const valueTags = new Set<number>([
  BlockTag.string,
  BlockTag.bigint,
  BlockTag.snapshot,
  BlockTag.cell,
  arrayTag,
  arraySegmentTag,
]);
/**
 * The live blocks of values and shared objects, by tag and size: what an array may leak. (Not
 * `usedBytes`: the worker's shared redo log grows with its largest write set, and stays.)
 */
const valueBlocks = (heap: Heap): string[] =>
  liveBlockCensus(HeapMemory.attach(heap.handle.buffer))
    .filter((entry) => valueTags.has(entry.tag))
    .map(
      (entry) =>
        `tag ${String(entry.tag)}: ${String(entry.blocks)} × ${String(entry.blockBytes)} B`,
    );

describe('SharedArray layout', () => {
  it('segments tile the indexes without gaps, and each fills its block to within 24 bytes', () => {
    assert.equal(segmentStart(0), 0);
    for (let segment = 0; segment < segmentsMax; segment += 1) {
      const start = segmentStart(segment);
      assert.equal(segmentStart(segment + 1), start + segmentSlots(segment));
      for (const index of [start, start + 1, start + segmentSlots(segment) - 1]) {
        assert.equal(segmentOf(index), segment, `index ${String(index)}`);
      }
      const blockBytes = 8 + segmentPayloadBytes(segment);
      const fitted = 2 ** Math.ceil(Math.log2(blockBytes));
      assert.ok(fitted - blockBytes <= 24, `segment ${String(segment)}: ${String(blockBytes)} B`);
      if (fitted <= 32768) assert.ok(classBytes.includes(fitted), 'a power-of-two size class');
    }
    assert.ok(arrayLengthMax * 32 > 8 * 2 ** 30, 'more elements than the largest heap holds');
    assert.ok(classBytes.includes(8 + arrayPayloadBytes + 24), 'array block: class 896');
  });
});

describe('SharedArray behaves like Array', () => {
  it('at, set, length, push and pop; negative indexes; appending by set(length)', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const array = heap.array<unknown>([1, 'two', 3n]);
    assert.equal(array.length, 3);
    assert.equal(array.at(1), 'two');
    assert.equal(array.at(-1), 3n);
    assert.equal(array.at(-4), undefined);
    assert.equal(array.at(3), undefined);
    assert.equal(array.at(1.7), 'two', 'index converted like Array.prototype.at');
    assert.equal(array.set(3, null), array);
    assert.equal(array.push(undefined, { a: [1] }), 6);
    assert.deepEqual(array.toArray(), [1, 'two', 3n, null, undefined, { a: [1] }]);
    assert.deepEqual(array.pop(), { a: [1] });
    assert.equal(array.pop(), undefined);
    assert.equal(array.length, 4);
    assert.equal(heap.array().pop(), undefined);
    assert.equal(heap.array().shift(), undefined);
  });

  it('callbacks get (value, index, array) and thisArg; reduce, join, find and friends', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const array = heap.array([3, 1, 2]);
    const seen: [number, number][] = [];
    array.forEach(function (this: unknown, value, index, self) {
      assert.equal(self, array);
      assert.equal(this, seen);
      seen.push([value, index]);
    }, seen);
    assert.deepEqual(seen, [
      [3, 0],
      [1, 1],
      [2, 2],
    ]);
    assert.deepEqual(
      array.map((value, index) => value * 10 + index),
      [30, 11, 22],
    );
    assert.deepEqual(
      array.filter((value) => value > 1),
      [3, 2],
    );
    assert.equal(
      array.reduce((sum, value) => sum + value),
      6,
    );
    assert.equal(
      array.reduce((text, value) => text + String(value), '>'),
      '>312',
    );
    assert.throws(() => heap.array<number>().reduce((a, b) => a + b), TypeError);
    assert.equal(
      array.find((value) => value < 3),
      1,
    );
    assert.equal(
      array.findIndex((value) => value > 5),
      -1,
    );
    assert.equal(
      array.some((value) => value === 2),
      true,
    );
    assert.equal(
      array.every((value) => value > 1),
      false,
    );
    assert.equal(heap.array([1, null, undefined, 'x', [2, 3]]).join(), '1,,,x,2,3');
    assert.equal(array.join(' - '), '3 - 1 - 2');
    assert.deepEqual([...array], [3, 1, 2]);
  });

  it('indexOf is ===, includes is SameValueZero; both take a relative fromIndex', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const array = heap.array([NaN, 0, 'a', 0, -0]);
    assert.equal(array.indexOf(NaN), -1);
    assert.equal(array.includes(NaN), true);
    assert.equal(array.indexOf(0, 2), 3);
    assert.equal(array.indexOf(0, -1), 4);
    assert.equal(array.includes('a', 3), false);
    assert.equal(array.indexOf('a', -100), 2);
  });

  it('sort: by string without a comparator, stable, undefined last; reverse; fill', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const array = heap.array<unknown>([10, 9, undefined, 1, '1', 100, undefined]);
    array.sort();
    assert.deepEqual(array.toArray(), [1, '1', 10, 100, 9, undefined, undefined]);
    const numbers = heap.array([5, 3, 8, 1]);
    assert.equal(
      numbers.sort((a, b) => b - a),
      numbers,
    );
    assert.deepEqual(numbers.toArray(), [8, 5, 3, 1]);
    const pairs = heap.array([
      [2, 'a'],
      [1, 'b'],
      [2, 'c'],
      [1, 'd'],
    ] as [number, string][]);
    pairs.sort((a, b) => a[0] - b[0]);
    assert.deepEqual(
      pairs.map((pair) => pair[1]),
      ['b', 'd', 'a', 'c'],
      'stable',
    );
    assert.throws(() =>
      numbers.sort(() => {
        throw new Error('no');
      }),
    );
    assert.deepEqual(numbers.toArray(), [8, 5, 3, 1], 'a throwing comparator changes nothing');
    assert.deepEqual(numbers.reverse().toArray(), [1, 3, 5, 8]);
    assert.deepEqual(numbers.fill(0, 1, -1).toArray(), [1, 0, 0, 8]);
    assert.deepEqual(numbers.fill(7).toArray(), [7, 7, 7, 7]);
  });

  it('splice, shift, unshift and slice follow Array’s argument rules', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const array = heap.array(['a', 'b', 'c', 'd', 'e']);
    const model = ['a', 'b', 'c', 'd', 'e'];
    assert.deepEqual(array.splice(-2), model.splice(-2));
    assert.deepEqual(array.splice(1, 1, 'x', 'y'), model.splice(1, 1, 'x', 'y'));
    assert.deepEqual(array.splice(0, 0), model.splice(0, 0));
    assert.deepEqual(array.splice(), model.splice(0, 0));
    assert.deepEqual(array.splice(2, -5, 'z'), model.splice(2, -5, 'z'));
    assert.equal(array.unshift('p', 'q'), model.unshift('p', 'q'));
    assert.equal(array.shift(), model.shift());
    assert.deepEqual(array.toArray(), model);
    assert.deepEqual(array.slice(1, -1), model.slice(1, -1));
    assert.deepEqual(array.slice(-2), model.slice(-2));
    assert.deepEqual(array.slice(4, 2), []);
  });

  it('shared objects are stored by reference: a stored map reads back as the same wrapper', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const map = heap.map([['x', 1]]);
    const cell = heap.cell('c');
    const array = heap.array<unknown>([map]);
    array.push(cell);
    assert.equal(array.at(0), map);
    assert.equal(array.indexOf(cell), 1);
    (array.at(0) as SharedMap<string, number>).set('x', 2);
    assert.equal(map.get('x'), 2);
    array.reverse(); // moves copy references: both stay alive
    assert.equal(array.at(1), map);
    assert.equal(array.at(0), cell);
    assert.equal(JSON.stringify(heap.array([map, [1, 2]])), '[{"x":2},[1,2]]');
  });

  it('toJSON, util.inspect and Symbol.toStringTag', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const array = heap.array<unknown>([1, 'b', [1, { c: 'd' }]]);
    assert.equal(JSON.stringify({ array }), '{"array":[1,"b",[1,{"c":"d"}]]}');
    assert.equal(inspect(array), "SharedArray(3) [ 1, 'b', [ 1, { c: 'd' } ] ]");
    assert.equal(Object.prototype.toString.call(array), '[object SharedArray]');
    const inner = heap.array([heap.array([1])]);
    assert.equal(inspect(inner), 'SharedArray(1) [ SharedArray(1) [ 1 ] ]');
  });

  it('matches an Array over random sequences of every method (fast-check)', () => {
    const value = fc.oneof(
      fc.integer({ min: -5, max: 30 }),
      fc.string({ maxLength: 3 }),
      fc.constantFrom(undefined, null, true, 2n, NaN, -0),
    );
    const values = fc.array(value, { maxLength: 6 });
    const index = fc.integer({ min: -8, max: 40 });
    const maybe = fc.option(index, { nil: undefined });
    const operation = fc.oneof(
      fc.record({ op: fc.constant('push' as const), values }),
      fc.record({ op: fc.constant('pushMany' as const), count: fc.integer({ min: 0, max: 70 }) }),
      fc.record({ op: fc.constant('pop' as const) }),
      fc.record({ op: fc.constant('shift' as const) }),
      fc.record({ op: fc.constant('unshift' as const), values }),
      fc.record({
        op: fc.constant('splice' as const),
        start: index,
        count: maybe,
        values,
      }),
      fc.record({ op: fc.constant('set' as const), at: fc.nat(60), value }),
      fc.record({ op: fc.constant('at' as const), at: index }),
      fc.record({ op: fc.constant('slice' as const), start: maybe, end: maybe }),
      fc.record({ op: fc.constant('search' as const), value, from: maybe }),
      fc.record({ op: fc.constant('callbacks' as const), value }),
      fc.record({ op: fc.constant('sort' as const), compare: fc.boolean() }),
      fc.record({ op: fc.constant('reverse' as const) }),
      fc.record({ op: fc.constant('fill' as const), value, start: maybe, end: maybe }),
    );
    type Step = typeof operation extends fc.Arbitrary<infer S> ? S : never;
    /** A total order over the test's values, for sort with a comparator. */
    const compare = (a: unknown, b: unknown): number => {
      const left = `${typeof a}:${String(a)}`;
      const right = `${typeof b}:${String(b)}`;
      return left < right ? -1 : left > right ? 1 : 0;
    };
    const heap = Heap.create({ maxBytes: 64 << 20 });
    const before = valueBlocks(heap);
    const step = (shared: SharedArray, model: unknown[], action: Step): void => {
      switch (action.op) {
        case 'push':
          assert.equal(shared.push(...action.values), model.push(...action.values));
          break;
        case 'pushMany': {
          const items = Array.from({ length: action.count }, (_, at) => `s${String(at)}`);
          assert.equal(shared.push(...items), model.push(...items));
          break;
        }
        case 'pop':
          assert.deepEqual(shared.pop(), model.pop());
          break;
        case 'shift':
          assert.deepEqual(shared.shift(), model.shift());
          break;
        case 'unshift':
          assert.equal(shared.unshift(...action.values), model.unshift(...action.values));
          break;
        case 'splice':
          if (action.count === undefined) {
            assert.deepEqual(shared.splice(action.start), model.splice(action.start));
          } else {
            assert.deepEqual(
              shared.splice(action.start, action.count, ...action.values),
              model.splice(action.start, action.count, ...action.values),
            );
          }
          break;
        case 'set':
          if (action.at <= model.length) {
            shared.set(action.at, action.value);
            model[action.at] = action.value;
          } else {
            assert.throws(() => shared.set(action.at, action.value), RangeError);
          }
          break;
        case 'at':
          assert.deepEqual(shared.at(action.at), model.at(action.at));
          break;
        case 'slice':
          assert.deepEqual(
            shared.slice(action.start, action.end),
            model.slice(action.start, action.end),
          );
          break;
        case 'search':
          assert.equal(
            shared.indexOf(action.value, action.from),
            model.indexOf(action.value, action.from),
          );
          assert.equal(
            shared.includes(action.value, action.from),
            model.includes(action.value, action.from),
          );
          break;
        case 'callbacks': {
          const matches = (item: unknown): boolean => Object.is(item, action.value);
          assert.deepEqual(shared.find(matches), model.find(matches));
          assert.equal(shared.findIndex(matches), model.findIndex(matches));
          assert.equal(shared.some(matches), model.some(matches));
          assert.equal(shared.every(matches), model.every(matches));
          const describe = (item: unknown, at: number): string => `${String(at)}=${String(item)}`;
          assert.deepEqual(shared.map(describe), model.map(describe));
          assert.deepEqual(
            shared.filter((item) => typeof item === 'string'),
            model.filter((item) => typeof item === 'string'),
          );
          assert.equal(
            shared.reduce((count: number, item) => count + (item === undefined ? 1 : 2), 0),
            model.reduce((count: number, item) => count + (item === undefined ? 1 : 2), 0),
          );
          assert.equal(shared.join('|'), model.join('|'));
          break;
        }
        case 'sort':
          if (action.compare) {
            shared.sort(compare);
            model.sort(compare);
          } else {
            shared.sort();
            model.sort();
          }
          break;
        case 'reverse':
          shared.reverse();
          model.reverse();
          break;
        case 'fill':
          shared.fill(action.value, action.start, action.end);
          model.fill(action.value, action.start, action.end);
          break;
      }
      assert.equal(shared.length, model.length);
    };
    fc.assert(
      fc.property(
        values,
        fc.array(operation, { maxLength: 60 }),
        fc.boolean(),
        (initial, operations, inOne) => {
          const shared = heap.array<unknown>(initial);
          let model = [...initial];
          const apply = (): void => {
            // A transaction may run its function again (an upgrade to a read log, a conflict).
            model = [...initial];
            for (const action of operations) step(shared, model, action);
            assert.deepEqual(shared.toArray(), model);
            assert.deepEqual([...shared], model);
          };
          // The same sequence as one transaction or as one per operation.
          if (inOne) atomically(apply);
          else apply();
          assert.deepEqual(shared.toArray(), model, 'after the commit');
          shared[Symbol.dispose]();
        },
      ),
      propertyRuns(200),
    );
    heap.reclaim();
    heap.reclaim();
    assert.deepEqual(valueBlocks(heap), before, 'every array freed, with its values');
  });
});

describe('SharedArray growth', () => {
  it('grows to 20 000 elements through 12 segments and shrinks back, memory returned', () => {
    const heap = Heap.create({ maxBytes: 64 << 20 });
    const array = heap.array<string>();
    const before = heap.memoryUsage().usedBytes;
    const count = 20_000;
    for (let index = 0; index < count; index += 1) array.push(`item ${String(index)}`);
    assert.equal(array.length, count);
    for (let index = 0; index < count; index += 997) {
      assert.equal(array.at(index), `item ${String(index)}`);
    }
    const grown = heap.memoryUsage().usedBytes;
    for (let index = count - 1; index >= 0; index -= 1) {
      assert.equal(array.pop(), `item ${String(index)}`);
    }
    assert.equal(array.length, 0);
    heap.reclaim();
    heap.reclaim();
    const after = heap.memoryUsage().usedBytes;
    // Segment 0 (256 B) stays as the spare; everything else went back.
    assert.ok(after <= before + 256, `used ${String(after)} after, ${String(before)} before`);
    assert.ok(grown > before + count * 32, 'the elements did take memory');
  });
});

describe('SharedArray in transactions', () => {
  it('an aborted transaction leaves the array and the memory as they were', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const array = heap.array(['kept', 'here']);
    const before = heap.memoryUsage().usedBytes;
    assert.throws(() => {
      atomically(() => {
        for (let index = 0; index < 300; index += 1) array.push('x'.repeat(40));
        array.set(0, 'replaced');
        array.sort();
        array.splice(1, 5);
        array.unshift('first');
        throw new Error('changed my mind');
      });
    }, /changed my mind/);
    assert.deepEqual(array.toArray(), ['kept', 'here']);
    assert.equal(heap.memoryUsage().usedBytes, before);
  });

  it('orElse rolls back the first branch’s changes; retry waits for an element', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const array = heap.array<number>([1]);
    const result = atomically(() =>
      orElse(
        () => {
          array.push(2, 3);
          array.set(0, 10);
          return retry();
        },
        () => {
          array.push(4);
          return 'second';
        },
      ),
    );
    assert.equal(result, 'second');
    assert.deepEqual(array.toArray(), [1, 4]);
  });

  it('replacing and removing elements retires their old values at commit', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const array = heap.array<unknown>(['a', 'b', 'c']);
    const before = valueBlocks(heap);
    for (let round = 0; round < 2000; round += 1) {
      array.set(round % 3, `value ${String(round)} `.repeat(5));
      array.push({ round });
      array.shift();
      array.push([round]);
      array.pop();
    }
    array.set(0, 'a').set(1, 'b').set(2, 'c');
    array.splice(0, 3, 'a', 'b', 'c');
    heap.reclaim();
    heap.reclaim();
    assert.deepEqual(valueBlocks(heap), before);
  });
});

describe('SharedArray lifetime and errors', () => {
  it('an array dropped by every reference is freed with its segments and values', () => {
    const heap = Heap.create({ maxBytes: 16 << 20 });
    const holder = heap.cell<unknown>(null);
    const before = heap.memoryUsage().usedBytes;
    {
      const array = heap.array<unknown>();
      for (let index = 0; index < 1500; index += 1) {
        array.push({ index, text: 'value '.repeat(4) });
      }
      const cell = heap.cell('held only by the array');
      const inner = heap.array(['inner', 'strings']);
      array.push(cell, inner);
      cell[Symbol.dispose]();
      inner[Symbol.dispose]();
      holder.set(array);
      array[Symbol.dispose]();
    }
    const reopened = holder.get() as SharedArray;
    assert.equal(reopened.length, 1502);
    reopened[Symbol.dispose]();
    holder.set(null);
    heap.reclaim();
    heap.reclaim();
    const after = heap.memoryUsage().usedBytes;
    assert.ok(after <= before, `used ${String(after)} after, ${String(before)} before`);
  });

  it('refuses bad indexes and unshareable values, leaving the array and memory unchanged', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    // 7 elements: segment 0 is full, so a push would add a segment.
    const array = heap.array<unknown>([0, 1, 2, 3, 4, 5, 'six']);
    heap.reclaim();
    const before = heap.memoryUsage().usedBytes;
    for (const index of [-1, 1.5, 8, NaN, Infinity]) {
      assert.throws(() => array.set(index, 'x'), RangeError, String(index));
    }
    const bad = [() => 1, new Date(), Symbol('s'), new Map()];
    for (const value of bad) {
      assert.throws(() => array.set(0, value), NotShareableError);
      assert.throws(() => array.set(7, value), NotShareableError);
      assert.throws(() => array.push('fine', value), NotShareableError);
      assert.throws(() => array.unshift(value), NotShareableError);
      assert.throws(() => array.splice(1, 2, 'fine', value), NotShareableError);
      assert.throws(() => array.fill(value, 2, 4), NotShareableError);
      assert.throws(() => heap.array(['fine', value]), NotShareableError);
    }
    assert.deepEqual(array.toArray(), [0, 1, 2, 3, 4, 5, 'six']);
    heap.reclaim();
    assert.equal(heap.memoryUsage().usedBytes, before);
    heap.close();
    assert.throws(() => array.at(0), ClosedError);
    assert.throws(() => array.push(1), ClosedError);
    assert.throws(() => heap.array(), ClosedError);
  });
});

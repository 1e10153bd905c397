// Every value the codec refuses: NotShareableError (a TypeError) naming the path of the offending
// part, and memory exactly as it was — same used bytes, same next block handed out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BlockTag, handleUnit } from '../../src/alloc/index.js';
import { limits, NotShareableError } from '../../src/base/index.js';
import { testHeap, TestShared } from './support.js';

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

function nested(depth: number): unknown {
  let value: unknown = [];
  for (let level = 1; level < depth; level += 1) value = [value];
  return value;
}

function cyclic(): object {
  const inner: Record<string, unknown> = { n: 1 };
  const root = { a: [0, { b: inner }] };
  inner['back'] = root;
  return root;
}

function withGetter(): object {
  return {
    ok: 1,
    get computed() {
      return 2;
    },
  };
}

const symbolKey = Symbol('tag');
const other = testHeap(1 << 20);

/** [what, value, expected path, a fragment of the reason] */
const refused: [string, unknown, string, RegExp][] = [
  ['a function', () => 1, 'value', /function/],
  ['a symbol', Symbol('s'), 'value', /symbol/],
  ['a nested function', { a: [1, 2, 3, { b: () => 0 }] }, 'value.a[3].b', /function/],
  ['an odd key', { 'weird key': Symbol('s') }, 'value["weird key"]', /symbol/],
  ['a class instance', { p: new Point(1, 2) }, 'value.p', /instance of Point/],
  ['a Map', new Map(), 'value', /heap\.map\(\)/],
  ['a Set', [new Set()], 'value[0]', /heap\.set\(\)/],
  ['a Date', { when: new Date() }, 'value.when', /Date/],
  ['a RegExp', /x/, 'value', /RegExp/],
  ['a typed array', { bytes: new Uint8Array(2) }, 'value.bytes', /typed array/],
  ['a boxed primitive', [Object(1) as unknown], 'value[0]', /boxed/],
  ['a Promise', { p: Promise.resolve(1) }, 'value.p', /Promise/],
  ['a WeakMap', new WeakMap(), 'value', /weak/],
  ['an Error', { e: new Error('x') }, 'value.e', /Error/],
  ['a cycle', cyclic(), 'value.a[1].b.back', /cycle/],
  [
    'a self-containing array',
    (() => {
      const array: unknown[] = [1];
      array.push(array);
      return array;
    })(),
    'value[1]',
    /cycle/,
  ],
  ['a symbol-keyed property', { a: { [symbolKey]: 1 } }, 'value.a', /symbol-keyed/],
  ['a symbol-keyed array property', Object.assign([1], { [symbolKey]: 1 }), 'value', /symbol/],
  ['a getter', { x: withGetter() }, 'value.x.computed', /accessor/],
  [
    'a non-enumerable property',
    Object.defineProperty({ a: 1 }, 'hidden', { value: 2 }),
    'value.hidden',
    /non-enumerable/,
  ],
  [
    'an array with a named property',
    Object.assign([1, 2], { extra: true }),
    'value.extra',
    /not an index/,
  ],
  ['a RegExp match array', /b/.exec('abc'), 'value.index', /not an index/],
  ['an Array subclass', new (class Stack extends Array {})(), 'value', /prototype/],
  [
    'nesting too deep',
    nested(limits.snapshotDepthMax + 1),
    `value${'[0]'.repeat(limits.snapshotDepthMax)}`,
    /deeper/,
  ],
  ['a shared object of another heap', { ref: other.shared() }, 'value.ref', /another heap/],
  ['a top-level shared object of another heap', other.shared(), 'value', /another heap/],
];

describe('values that cannot be stored', () => {
  for (const [what, value, path, reason] of refused) {
    it(`refuses ${what} at ${path.length > 40 ? `${path.slice(0, 40)}…` : path}`, () => {
      const heap = testHeap();
      const warm = heap.codec.encode(['warm', 'the', 'size', 'classes']);
      heap.codec.release(warm);
      const used = heap.usedBytes();
      const probe = heap.allocator.allocate(BlockTag.raw, 64);
      heap.allocator.free(probe);
      let caught: unknown;
      try {
        heap.codec.encode(value);
      } catch (error) {
        caught = error;
      }
      assert.ok(caught instanceof NotShareableError, `threw ${String(caught)}`);
      assert.ok(caught instanceof TypeError);
      assert.equal(caught.code, 'NOT_SHAREABLE');
      assert.equal(caught.path, path);
      assert.ok(caught.message.startsWith(`${path} is not shareable: `), caught.message);
      assert.match(caught.message, reason);
      assert.equal(heap.usedBytes(), used, 'nothing allocated');
      const next = heap.allocator.allocate(BlockTag.raw, 64);
      assert.equal(handleUnit(next), handleUnit(probe), 'the same block is handed out next');
      heap.allocator.free(next);
      const word = heap.codec.encode({ fine: [1, 'two'] });
      assert.deepEqual(heap.codec.decode(word), { fine: [1, 'two'] });
      heap.codec.release(word);
    });
  }

  it('accepts nesting exactly at the limit', () => {
    const heap = testHeap();
    const word = heap.codec.encode(nested(limits.snapshotDepthMax));
    let depth = 0;
    for (let value = heap.codec.decode(word); Array.isArray(value); value = value[0]) depth += 1;
    assert.equal(depth, limits.snapshotDepthMax);
    heap.codec.release(word);
  });

  it('accepts shared objects of its own heap and refuses freed ones', () => {
    const heap = testHeap();
    const shared = heap.shared();
    heap.codec.release(heap.codec.encode({ shared }));
    heap.allocator.free(shared.handle);
    const used = heap.usedBytes();
    assert.throws(() => heap.codec.encode({ shared }), /freed/);
    assert.throws(() => heap.codec.encode(shared), /freed/);
    assert.equal(heap.usedBytes(), used);
    assert.ok(new TestShared(heap.memory.heapId, shared.handle) instanceof TestShared);
  });
});

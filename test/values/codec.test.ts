// The value codec: property round-trips of every storable value (deep equality that tells -0,
// NaN, holes, prototypes and key order apart; results deeply frozen), edge cases, the decode
// cache, release, and heap exhaustion leaving nothing allocated.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BlockTag, handleUnit } from '../../src/alloc/index.js';
import { HeapExhaustedError, StaleHandleError } from '../../src/base/index.js';
import { SlotTag, stringHash } from '../../src/values/index.js';
import { difference, isDeeplyFrozen, testHeap, type TestHeap } from './support.js';

const loneSurrogate = fc
  .integer({ min: 0xd800, max: 0xdfff })
  .map((unit) => String.fromCharCode(unit));
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));

const storableString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: anyUnit }),
  fc.string({ unit: fc.oneof(loneSurrogate, fc.constant('a')) }),
  fc.constantFrom('', '__proto__', 'constructor', 'a b', '0', '01', '4294967295'),
);

const storableNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(-0, 0, Number.NaN, Infinity, -Infinity, Number.MIN_VALUE, -Number.MAX_VALUE),
);

const storableBigint = fc.oneof(
  fc.bigInt(),
  fc.bigInt({ min: -(2n ** 2000n), max: 2n ** 2000n }),
  fc.constantFrom(0n, -1n, 2n ** 63n, -(2n ** 63n), 2n ** 64n - 1n, 2n ** 64n, -(2n ** 64n)),
);

const leaf = fc.oneof(
  storableNumber,
  storableString,
  storableBigint,
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);

const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', '0', '7', 'a.b'));

/** Storable values: leaves, arrays (with holes), objects (some with a null prototype). */
const { value: storable } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    tie('array'),
    tie('sparse'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 6 }),
  sparse: fc.sparseArray(tie('value'), { maxLength: 8 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 6 }),
}));

function roundTrip(heap: TestHeap, value: unknown): unknown {
  const word = heap.codec.encode(value);
  try {
    return heap.codec.decode(word);
  } finally {
    heap.codec.release(word);
  }
}

function assertRoundTrips(heap: TestHeap, value: unknown): void {
  const decoded = roundTrip(heap, value);
  const why = difference(decoded, value);
  assert.equal(why, undefined, why);
  assert.ok(isDeeplyFrozen(decoded), 'the decoded value is deeply frozen');
}

describe('value codec round-trips', () => {
  for (const cacheEntries of [256, 0]) {
    it(`reads every storable value back equal and deeply frozen (cache ${cacheEntries})`, () => {
      const heap = testHeap(16 << 20, { decodeCacheEntries: cacheEntries });
      const start = heap.usedBytes();
      fc.assert(
        fc.property(storable, (value) => {
          assertRoundTrips(heap, value);
        }),
        { numRuns: 1500 },
      );
      assert.equal(heap.usedBytes(), start, 'release gave every block back');
    });
  }

  it('keeps shared objects as references, top level and nested', () => {
    const heap = testHeap();
    const shared = heap.shared();
    const word = heap.codec.encode(shared);
    assert.equal(heap.codec.ownedBlock(word), undefined, 'a reference owns no block');
    assert.equal(heap.codec.decode(word), shared);
    assertRoundTrips(heap, { shared, list: [shared, 1] });
    const nested = roundTrip(heap, [shared]) as unknown[];
    assert.equal(nested[0], shared);
  });

  it('handles the edge cases', () => {
    const heap = testHeap(32 << 20);
    const megabyte = 'x\ud800'.repeat(1 << 19);
    for (const value of [
      '',
      megabyte,
      '\ud800',
      '\udc00\ud800',
      'a\udfffb',
      '😀',
      -(2n ** 4000n) + 12345n,
      0n,
      -0,
      Number.NaN,
      -Infinity,
      [],
      {},
      [undefined],
      new Array<unknown>(3),
      Object.assign(new Array<unknown>(4), { 1: 'one' }),
      { a: undefined },
      Object.create(null) as object,
      JSON.parse('{"__proto__": [1], "b": 2}') as object,
      { 10: 'ten', b: 'bee', 2: 'two' },
      ['x'.repeat(40_000), 2n ** 70n, { deep: [[['y']]] }],
    ]) {
      assertRoundTrips(heap, value);
    }
  });

  it('keeps an own "__proto__" key as data and never changes the prototype', () => {
    const heap = testHeap();
    const decoded = roundTrip(heap, JSON.parse('{"__proto__": {"polluted": true}}')) as object;
    assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
    assert.deepEqual(Object.keys(decoded), ['__proto__']);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('reads null-prototype objects back with a null prototype', () => {
    const heap = testHeap();
    const value = Object.assign(Object.create(null) as object, { a: 1 });
    assert.equal(Object.getPrototypeOf(roundTrip(heap, value)), null);
  });

  it('stores an object reached twice (no cycle) twice, as a tree', () => {
    const heap = testHeap();
    const twice = { n: 1 };
    const decoded = roundTrip(heap, [twice, twice]) as object[];
    assert.notEqual(decoded[0], twice);
    assert.deepEqual(decoded[0], decoded[1]);
  });
});

describe('slot words', () => {
  it('stores numbers inline: no allocation, NaN canonical', () => {
    const heap = testHeap();
    const start = heap.usedBytes();
    fc.assert(
      fc.property(storableNumber, (value) => {
        const word = heap.codec.encode(value);
        assert.equal(heap.codec.ownedBlock(word), undefined);
        assert.ok(Object.is(heap.codec.decode(word), value));
        if (Number.isNaN(value)) assert.equal(word, 0x7ff8_0000_0000_0000n);
        else assert.ok(word >> 51n !== -1n, 'a number never looks boxed');
      }),
    );
    for (const value of [true, false, null, undefined]) {
      assert.equal(heap.codec.decode(heap.codec.encode(value)), value);
    }
    assert.equal(heap.usedBytes(), start);
  });

  it('boxes everything else in the negative quiet-NaN space with the block handle', () => {
    const heap = testHeap();
    const cases: [unknown, number, number][] = [
      ['text', SlotTag.string, BlockTag.string],
      [5n, SlotTag.bigint, BlockTag.bigint],
      [[1], SlotTag.snapshot, BlockTag.snapshot],
    ];
    for (const [value, slotTag, blockTag] of cases) {
      const word = heap.codec.encode(value);
      const high = Number(BigInt.asUintN(64, word) >> 32n);
      assert.equal(high >>> 19, 0x1fff);
      assert.equal((high >>> 16) & 7, slotTag);
      const block = heap.codec.ownedBlock(word);
      assert.ok(block !== undefined);
      assert.equal(heap.allocator.tagOf(block), blockTag);
      assert.equal(BigInt.asUintN(48, word), BigInt(block));
      heap.codec.release(word);
    }
  });

  it('stores the string hash that stringHash computes', () => {
    const heap = testHeap();
    fc.assert(
      fc.property(storableString, (value) => {
        const word = heap.codec.encode(value);
        const block = heap.codec.ownedBlock(word);
        assert.ok(block !== undefined);
        assert.equal(heap.memory.i32[handleUnit(block) * 2 + 2], stringHash(value));
        assert.equal(heap.memory.i32[handleUnit(block) * 2 + 1], value.length);
        heap.codec.release(word);
      }),
    );
    const hashes = new Set(Array.from({ length: 10_000 }, (_, index) => stringHash(`key${index}`)));
    assert.ok(hashes.size > 9_990, 'few collisions among similar keys');
  });

  it('refuses to decode a word whose block was freed', () => {
    const heap = testHeap();
    const word = heap.codec.encode('gone');
    assert.equal(heap.codec.decode(word), 'gone');
    heap.codec.release(word);
    assert.throws(() => heap.codec.decode(word), StaleHandleError);
    const reused = heap.codec.encode('anew');
    assert.throws(() => heap.codec.decode(word), StaleHandleError, 'the cache is not fooled');
    heap.codec.release(reused);
  });
});

describe('decode cache', () => {
  it('returns the same frozen object for an unchanged block, a fresh one after reuse', () => {
    const heap = testHeap();
    const word = heap.codec.encode({ a: 1, b: [2] });
    const first = heap.codec.decode(word);
    assert.equal(heap.codec.decode(word), first);
    heap.codec.release(word);
    const again = heap.codec.encode({ a: 1, b: [3] });
    assert.equal(heap.codec.ownedBlock(again) !== undefined, true);
    const decoded = heap.codec.decode(again) as { b: number[] };
    assert.notEqual(decoded, first);
    assert.equal(decoded.b[0], 3);
    heap.codec.release(again);
  });

  it('is off with decodeCacheEntries 0 and refuses sizes that are not powers of two', () => {
    const heap = testHeap(16 << 20, { decodeCacheEntries: 0 });
    const word = heap.codec.encode([1]);
    assert.notEqual(heap.codec.decode(word), heap.codec.decode(word));
    assert.throws(() => testHeap(16 << 20, { decodeCacheEntries: 3 }), RangeError);
  });
});

describe('release and exhaustion', () => {
  it('gives every owned block back', () => {
    const heap = testHeap();
    const start = heap.usedBytes();
    const words = ['s', 'x'.repeat(5000), 3n, -(2n ** 300n), [1, 'a'], { b: [{}] }, 1, null].map(
      (value) => heap.codec.encode(value),
    );
    assert.ok(heap.usedBytes() > start);
    for (const word of words) heap.codec.release(word);
    assert.equal(heap.usedBytes(), start);
  });

  it('throws HeapExhaustedError with nothing allocated, and works afterwards', () => {
    const heap = testHeap(1 << 20);
    const kept = heap.codec.encode('kept');
    const used = heap.usedBytes();
    assert.throws(() => heap.codec.encode('y'.repeat(1 << 20)), HeapExhaustedError);
    assert.throws(
      () => heap.codec.encode(['y'.repeat(1 << 19), 'z'.repeat(1 << 19)]),
      HeapExhaustedError,
    );
    assert.throws(() => heap.codec.encode(2n ** (8n << 20n)), HeapExhaustedError);
    assert.equal(heap.usedBytes(), used);
    const word = heap.codec.encode({ still: 'works' });
    assert.deepEqual(heap.codec.decode(word), { still: 'works' });
    assert.equal(heap.codec.decode(kept), 'kept');
    heap.codec.release(word);
    heap.codec.release(kept);
  });

  it('fills a small heap with snapshots, then frees them all', () => {
    const heap = testHeap(1 << 20);
    const start = heap.usedBytes();
    const words: bigint[] = [];
    for (let count = 0; count < 100_000; count += 1) {
      try {
        words.push(heap.codec.encode({ count, text: `entry ${count}` }));
      } catch (error) {
        assert.ok(error instanceof HeapExhaustedError);
        break;
      }
    }
    assert.ok(words.length > 100 && words.length < 100_000);
    words.forEach((word, count) => {
      assert.deepEqual(heap.codec.decode(word), { count, text: `entry ${count}` });
    });
    for (const word of words) heap.codec.release(word);
    assert.equal(heap.usedBytes(), start);
  });
});

// The layout tables of string, bigint and snapshot blocks, checked against memory: every node of a
// snapshot lies inside the block's payload, 8-byte aligned, no two overlap, and together they fill
// exactly the bytes the header's aux word records. Walked here independently of the reader.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { handleUnit } from '../../src/alloc/index.js';
import { testHeap } from './support.js';

interface Interval {
  readonly start: number;
  readonly end: number;
}

const boxedTag = (high: number): number => (high >>> 19 === 0x1fff ? (high >>> 16) & 7 : -1);

/** Every node of the snapshot block at `blockUnit`, as unit intervals. */
function snapshotNodes(i32: Int32Array, blockUnit: number): Interval[] {
  const nodes: Interval[] = [];
  const visitSlot = (word: number): void => {
    const high = i32[word + 1] ?? 0;
    const low = i32[word] ?? 0;
    const tag = boxedTag(high);
    if (tag === 1) {
      const length = i32[(blockUnit + low) * 2] ?? 0;
      nodes.push({
        start: blockUnit + low,
        end: blockUnit + low + Math.ceil((8 + 2 * length) / 8),
      });
    } else if (tag === 2) {
      const count = Math.abs(i32[(blockUnit + low) * 2] ?? 0);
      nodes.push({ start: blockUnit + low, end: blockUnit + low + Math.ceil((4 + 4 * count) / 8) });
    } else if (tag === 3) {
      visitContainer(blockUnit + low);
    }
  };
  const visitContainer = (unit: number): void => {
    const kind = (i32[unit * 2] ?? 0) & 0xff;
    const count = i32[unit * 2 + 1] ?? 0;
    if (kind === 1) {
      nodes.push({ start: unit, end: unit + 1 + count });
      for (let index = 0; index < count; index += 1) visitSlot(unit * 2 + 2 + 2 * index);
      return;
    }
    assert.ok(kind === 2 || kind === 3, `node kind ${kind}`);
    const keyUnits = Math.ceil(count / 2);
    nodes.push({ start: unit, end: unit + 1 + keyUnits + count });
    for (let index = 0; index < count; index += 1) {
      const keyUnit = blockUnit + (i32[unit * 2 + 2 + index] ?? 0);
      const length = i32[keyUnit * 2] ?? 0;
      nodes.push({ start: keyUnit, end: keyUnit + Math.ceil((8 + 2 * length) / 8) });
      visitSlot((unit + 1 + keyUnits + index) * 2);
    }
  };
  visitContainer(blockUnit + 1);
  return nodes;
}

const value = fc.letrec((tie) => ({
  any: fc.oneof(
    { depthSize: 'small' },
    fc.double(),
    fc.string(),
    fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
    fc.constantFrom(null, true, undefined),
    tie('array'),
    tie('object'),
  ),
  array: fc.sparseArray(tie('any'), { maxLength: 7 }),
  object: fc.dictionary(fc.string({ maxLength: 9 }), tie('any'), { maxKeys: 7 }),
})).any;

describe('block layouts', () => {
  it('lays snapshot nodes out aligned, inside the block, without overlap or gaps', () => {
    const heap = testHeap();
    const { i32 } = heap.memory;
    fc.assert(
      fc.property(fc.oneof(value.filter((v) => typeof v === 'object' && v !== null)), (root) => {
        const word = heap.codec.encode(root);
        const block = heap.codec.ownedBlock(word);
        assert.ok(block !== undefined);
        const unit = handleUnit(block);
        const payloadBytes = i32[unit * 2 + 1] ?? 0;
        assert.equal(payloadBytes % 8, 0);
        assert.ok(payloadBytes <= heap.allocator.capacityOf(block));
        const nodes = snapshotNodes(i32, unit).sort((a, b) => a.start - b.start);
        let cursor = unit + 1;
        for (const node of nodes) {
          assert.equal(node.start, cursor, 'nodes are contiguous and do not overlap');
          assert.ok(node.end > node.start);
          cursor = node.end;
        }
        assert.equal(cursor, unit + 1 + payloadBytes / 8, 'nodes fill the recorded payload');
        heap.codec.release(word);
      }),
      { numRuns: 500 },
    );
  });

  it('sizes string and bigint blocks from their tables', () => {
    const heap = testHeap();
    const { i32, u16 } = heap.memory;
    for (const text of ['', 'a', 'ab\ud800', 'x'.repeat(1000)]) {
      const word = heap.codec.encode(text);
      const block = heap.codec.ownedBlock(word);
      assert.ok(block !== undefined);
      const unit = handleUnit(block);
      assert.equal(i32[unit * 2 + 1], text.length, 'length in the aux word');
      assert.ok(heap.allocator.capacityOf(block) >= 4 + 2 * text.length);
      for (let index = 0; index < text.length; index += 1) {
        assert.equal(u16[unit * 4 + 6 + index], text.charCodeAt(index), 'units from byte 12');
      }
      heap.codec.release(word);
    }
    for (const [big, count, limbs] of [
      [0n, 0, []],
      [-1n, -1, [1]],
      [2n ** 32n + 5n, 2, [5, 1]],
      [-(2n ** 64n), -3, [0, 0, 1]],
    ] as const) {
      const word = heap.codec.encode(big);
      const block = heap.codec.ownedBlock(word);
      assert.ok(block !== undefined);
      const unit = handleUnit(block);
      assert.equal(i32[unit * 2 + 1], count, 'signed limb count in the aux word');
      assert.deepEqual([...i32.subarray(unit * 2 + 2, unit * 2 + 2 + limbs.length)], limbs);
      assert.ok(heap.allocator.capacityOf(block) >= 4 * limbs.length);
      heap.codec.release(word);
    }
  });
});

// heap.from: a plain tree (objects, arrays, Maps, Sets) becomes shared mutable objects all the way
// down, mutable in place; JSON.stringify gives the plain form back; a shared DAG keeps its
// sharing; cycles and unshareable leaves are refused with nothing left allocated.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Heap, NotShareableError, type SharedArray, type SharedMap } from '../../src/index.js';

describe('heap.from', () => {
  it('makes a tree of shared objects, each mutable in place, JSON round-trips', () => {
    const heap = Heap.create({ maxBytes: 16 << 20 });
    const plain = {
      name: 'inventory',
      items: [
        { sku: 'a-1', tags: ['red', 'small'], stock: 3 },
        { sku: 'b-2', tags: [], stock: 0 },
      ],
      bySku: new Map([['a-1', { shelf: 4 }]]),
      seen: new Set(['a-1', 'b-2']),
    };
    const shared = heap.from(plain);
    assert.equal(
      JSON.stringify(shared),
      JSON.stringify({ ...plain, bySku: { 'a-1': { shelf: 4 } }, seen: ['a-1', 'b-2'] }),
    );
    const items = shared.items as unknown as SharedArray<{
      stock: number;
      tags: SharedArray<string>;
    }>;
    const first = items.at(0);
    assert.ok(first !== undefined);
    first.stock += 1;
    first.tags.push('new');
    assert.equal((shared.items.at(0) as { stock: number }).stock, 4, 'changed in place');
    assert.deepEqual(items.at(0)?.tags.toArray(), ['red', 'small', 'new']);
    const bySku = shared.bySku as unknown as SharedMap<string, { shelf: number }>;
    const shelf = bySku.get('a-1');
    assert.ok(shelf !== undefined);
    shelf.shelf = 5;
    assert.equal(bySku.get('a-1')?.shelf, 5);
    assert.equal(shared.seen.has('b-2'), true);
    assert.equal(heap.from(7), 7);
  });

  it('keeps a value reached twice as one shared object; refuses cycles, leaving nothing', () => {
    const heap = Heap.create({ maxBytes: 16 << 20 });
    heap.cell(0);
    const common = { n: 1 };
    const dag = heap.from({ a: common, b: common });
    dag.a.n = 2;
    assert.equal(dag.b.n, 2, 'one object, referred to twice');
    const before = heap.memoryUsage().usedBytes;
    const cyclic: { name: string; self?: unknown; list: unknown[] } = { name: 'x', list: [1] };
    cyclic.list.push(cyclic);
    assert.throws(
      () => heap.from(cyclic),
      (error: unknown) => {
        assert.ok(error instanceof NotShareableError);
        assert.match(error.message, /value\.list\[1\]/);
        return true;
      },
    );
    assert.throws(() => heap.from({ ok: [1, 2], bad: [() => 1] }), NotShareableError);
    heap.reclaim();
    heap.reclaim();
    assert.ok(heap.memoryUsage().usedBytes <= before, 'what was made before the error is freed');
  });
});

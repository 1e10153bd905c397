import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Allocator,
  allocatorUsage,
  BlockTag,
  liveBlockCensus,
  formatAllocatorRegions,
  handleUnit,
} from '../../src/alloc/index.js';
import {
  HeapExhaustedError,
  StaleHandleError,
  type Handle,
  type WordIndex,
} from '../../src/base/index.js';
import { headerWord, HeapMemory } from '../../src/memory/index.js';

function newHeap(maxBytes = 16 << 20): { memory: HeapMemory; allocator: Allocator } {
  const memory = HeapMemory.create(maxBytes);
  formatAllocatorRegions(memory);
  const allocator = new Allocator(memory, 0, headerWord.superblockHighWater as WordIndex);
  return { memory, allocator };
}

describe('allocator (one worker)', () => {
  it('hands out distinct, aligned blocks and takes them back', () => {
    const { memory, allocator } = newHeap();
    const start = allocatorUsage(memory).usedBytes;
    const handles: Handle[] = [];
    const units = new Set<number>();
    for (let i = 0; i < 5000; i += 1) {
      const handle = allocator.allocate(BlockTag.raw, 8 + ((i * 37) % 3000));
      assert.ok(!units.has(handleUnit(handle)), 'block handed out twice');
      units.add(handleUnit(handle));
      handles.push(handle);
    }
    assert.ok(allocatorUsage(memory).usedBytes > start);
    for (const handle of handles) allocator.free(handle);
    assert.equal(allocatorUsage(memory).usedBytes, start);
  });

  it('counts live blocks by tag and size, small and large', () => {
    const { memory, allocator } = newHeap();
    const [first, ...small] = Array.from({ length: 7 }, () =>
      allocator.allocate(BlockTag.string, 100),
    );
    const large = allocator.allocate(BlockTag.raw, 100_000);
    if (first !== undefined) allocator.free(first);
    assert.deepEqual(liveBlockCensus(memory), [
      { tag: BlockTag.string, blockBytes: 112, blocks: 6 },
      { tag: BlockTag.raw, blockBytes: 2 * 65536, blocks: 1 },
    ]);
    for (const handle of [...small, large]) allocator.free(handle);
    assert.deepEqual(liveBlockCensus(memory), []);
  });

  it('finds the live block containing a unit: small, large (past its first superblock), none', () => {
    const { allocator } = newHeap();
    const small = allocator.allocate(BlockTag.string, 100);
    const next = allocator.allocate(BlockTag.string, 100);
    const large = allocator.allocate(BlockTag.raw, 200_000);
    const smallUnit = handleUnit(small);
    const largeUnit = handleUnit(large);
    assert.equal(allocator.blockContaining(smallUnit), smallUnit);
    assert.equal(allocator.blockContaining(smallUnit + 5), smallUnit);
    assert.equal(allocator.blockContaining(handleUnit(next) + 13), handleUnit(next));
    assert.equal(allocator.blockContaining(largeUnit + 3), largeUnit);
    assert.equal(allocator.blockContaining(largeUnit + 20_000), largeUnit, 'in a tail superblock');
    allocator.free(small);
    assert.equal(allocator.blockContaining(smallUnit + 5), -1, 'a freed block');
    assert.equal(allocator.blockContaining(handleUnit(next) + 200), -1, 'past the bump pointer');
    assert.equal(allocator.blockContaining(1), -1, 'outside the heap area');
  });

  it('rejects freed, reused and wrong-type handles', () => {
    const { allocator } = newHeap();
    const handle = allocator.allocate(BlockTag.raw, 24);
    assert.equal(allocator.blockUnit(handle, BlockTag.raw), handleUnit(handle));
    assert.throws(() => allocator.blockUnit(handle, BlockTag.string), StaleHandleError);
    allocator.free(handle);
    assert.throws(() => allocator.blockUnit(handle, BlockTag.raw), StaleHandleError);
    assert.throws(() => {
      allocator.free(handle);
    }, StaleHandleError);
    const reused = allocator.allocate(BlockTag.raw, 24);
    assert.equal(handleUnit(reused), handleUnit(handle), 'the freed block is reused first');
    assert.notEqual(reused, handle);
    assert.throws(() => allocator.blockUnit(handle, BlockTag.raw), StaleHandleError);
    assert.throws(
      () => allocator.blockUnit((handle + 1) as Handle, BlockTag.raw),
      StaleHandleError,
    );
    assert.throws(() => allocator.blockUnit(0 as Handle, BlockTag.raw), StaleHandleError);
  });

  it('serves large blocks from page runs and returns them', () => {
    const { memory, allocator } = newHeap();
    const start = allocatorUsage(memory);
    const big = allocator.allocate(BlockTag.raw, 200_000);
    assert.equal(allocatorUsage(memory).largeSuperblocks, 4);
    assert.ok(allocator.capacityOf(big) >= 200_000);
    allocator.free(big);
    assert.deepEqual(allocatorUsage(memory).largeSuperblocks, start.largeSuperblocks);
  });

  it('throws HeapExhaustedError when full and stays usable', () => {
    const { memory, allocator } = newHeap(2 << 20);
    const handles: Handle[] = [];
    assert.throws(() => {
      for (;;) handles.push(allocator.allocate(BlockTag.raw, 1000));
    }, HeapExhaustedError);
    const used = allocatorUsage(memory).usedBytes;
    assert.throws(() => allocator.allocate(BlockTag.raw, 100_000), HeapExhaustedError);
    assert.equal(allocatorUsage(memory).usedBytes, used, 'a failed allocation changes nothing');
    for (const handle of handles.splice(0, 100)) allocator.free(handle);
    handles.push(allocator.allocate(BlockTag.raw, 1000));
    for (const handle of handles) allocator.free(handle);
    const big = allocator.allocate(BlockTag.raw, 1 << 20);
    allocator.free(big);
    assert.equal(allocatorUsage(memory).usedBytes, 0);
  });

  it('empty superblocks are reused by other size classes', () => {
    const { memory, allocator } = newHeap(2 << 20);
    for (const size of [16, 100, 1000, 10_000]) {
      const handles: Handle[] = [];
      assert.throws(() => {
        for (;;) handles.push(allocator.allocate(BlockTag.raw, size));
      }, HeapExhaustedError);
      for (const handle of handles) allocator.free(handle);
      assert.equal(allocatorUsage(memory).usedBytes, 0);
    }
  });

  it('adopts a leaving worker’s superblocks', () => {
    const { memory, allocator } = newHeap();
    const other = new Allocator(memory, 1, headerWord.superblockHighWater as WordIndex);
    const handles = Array.from({ length: 3000 }, () => allocator.allocate(BlockTag.raw, 40));
    allocator.abandonAll();
    for (const handle of handles) other.free(handle);
    assert.equal(allocatorUsage(memory).usedBytes, 0);
    assert.equal(allocatorUsage(memory).smallSuperblocks, 0, 'emptied superblocks went back');
  });
});

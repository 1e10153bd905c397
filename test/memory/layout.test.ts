// The heap's geometry and header: regions aligned and disjoint, header checked on attach.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeapLayoutError, limits } from '../../src/base/index.js';
import {
  cacheLineBytes,
  descriptorBytes,
  geometryFor,
  headerBytes,
  headerWord,
  headerWord64,
  heapLayoutVersion,
  HeapMemory,
  registrySlotBytes,
  txRecordBytes,
} from '../../src/memory/index.js';

describe('heap geometry', () => {
  for (const maxBytes of [limits.heapBytesMin, 3 << 20, 64 << 20, 1 << 30, limits.heapBytesMax]) {
    it(`regions are aligned, ordered and disjoint for ${String(maxBytes)} bytes`, () => {
      const g = geometryFor(maxBytes);
      const regions = [
        { name: 'header', start: 0, end: headerBytes },
        {
          name: 'registry',
          start: g.registryOffset,
          end: g.registryOffset + limits.workerSlotsMax * registrySlotBytes,
        },
        {
          name: 'tx records',
          start: g.txRecordsOffset,
          end: g.txRecordsOffset + limits.workerSlotsMax * txRecordBytes,
        },
        { name: 'page map', start: g.pageMapOffset, end: g.pageMapOffset + g.mapBytes },
        {
          name: 'abandoned map',
          start: g.abandonedMapOffset,
          end: g.abandonedMapOffset + g.mapBytes,
        },
        {
          name: 'descriptors',
          start: g.descriptorsOffset,
          end: g.descriptorsOffset + g.superblockCount * descriptorBytes,
        },
        {
          name: 'superblocks',
          start: g.areaOffset,
          end: g.areaOffset + g.superblockCount * limits.superblockBytes,
        },
      ];
      for (const [index, region] of regions.entries()) {
        assert.equal(region.start % cacheLineBytes, 0, `${region.name} starts on a cache line`);
        const previous = regions[index - 1];
        if (previous) assert.ok(previous.end <= region.start, `${previous.name} overlaps`);
      }
      assert.equal(g.areaOffset % limits.superblockBytes, 0);
      assert.ok(g.mapBytes * 8 >= g.superblockCount, 'maps have a bit per superblock');
      assert.ok(g.totalBytes <= maxBytes);
      assert.ok(g.totalBytes > maxBytes - 2 * limits.superblockBytes - g.areaOffset);
    });
  }

  it('header fields sit where the table says', () => {
    assert.deepEqual(
      Object.values(headerWord).map((word) => word * 4),
      [0, 4, 8, 12, 16, 20, 24, 28, 64, 128, 192, 256],
    );
    assert.deepEqual(
      Object.values(headerWord64).map((word) => word * 8),
      [320, 384],
    );
  });
});

describe('attach', () => {
  it('attaches a heap and sees the same header', () => {
    const memory = HeapMemory.create(4 << 20);
    const again = HeapMemory.attach(memory.buffer);
    assert.equal(again.heapId, memory.heapId);
    assert.notEqual(memory.heapId, 0);
    assert.deepEqual(again.geometry, memory.geometry);
  });

  it('refuses memory that is not a heap of this layout', () => {
    assert.throws(() => HeapMemory.attach(new SharedArrayBuffer(100)), HeapLayoutError);
    assert.throws(() => HeapMemory.attach(new SharedArrayBuffer(1 << 20)), /not a heap: magic/);
    const memory = HeapMemory.create(4 << 20);
    memory.i32[headerWord.layoutVersion] = heapLayoutVersion + 1;
    assert.throws(() => HeapMemory.attach(memory.buffer), /incompatible version/);
    memory.i32[headerWord.layoutVersion] = heapLayoutVersion;
    memory.i32[headerWord.superblockCount] = 100_000;
    assert.throws(() => HeapMemory.attach(memory.buffer), /does not match/);
  });

  it('rejects bad sizes with RangeError before reserving anything', () => {
    assert.throws(() => HeapMemory.create(1000), RangeError);
    assert.throws(() => HeapMemory.create(limits.heapBytesMax + 1), RangeError);
    assert.throws(() => HeapMemory.create(Number.NaN), RangeError);
  });
});

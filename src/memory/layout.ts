/**
 * The heap's geometry: where each region of the one `SharedArrayBuffer` starts and how big it is.
 *
 * The regions, in address order (every offset is derived here, nowhere else):
 *
 * | region          | offset            | size                          | owner (layout table)      |
 * |-----------------|-------------------|-------------------------------|---------------------------|
 * | header          | 0                 | 4 KiB                         | memory/header.ts          |
 * | worker registry | 4 KiB             | workerSlotsMax × 64 B         | reclaim/registry.ts       |
 * | tx records      | after registry    | workerSlotsMax × 256 B        | stm/tx-record.ts          |
 * | page map        | after registry    | 1 bit per superblock, ×64 B   | alloc/page-map.ts         |
 * | abandoned map   | after page map    | 1 bit per superblock, ×64 B   | alloc/page-map.ts         |
 * | descriptors     | after maps        | 64 B per superblock           | alloc/superblock-descriptor.ts |
 * | superblock area | next 64 KiB bound | superblockCount × 64 KiB      | alloc/ (blocks)           |
 *
 * Every region starts on a 64-byte line so that regions written by different workers never share
 * a cache line. The superblock area starts on a superblock boundary so that a block's superblock
 * is found with one shift.
 */
import { assert, limits } from '../base/index.js';

export const headerBytes = 4096;
export const registrySlotBytes = 64;
/** One transaction record per worker slot (stm/tx-record.ts): four cache lines. */
export const txRecordBytes = 256;
export const descriptorBytes = 64;
export const cacheLineBytes = 64;

export interface HeapGeometry {
  readonly totalBytes: number;
  readonly registryOffset: number;
  readonly txRecordsOffset: number;
  readonly pageMapOffset: number;
  readonly abandonedMapOffset: number;
  /** Bytes of each of the two bitmaps (page map, abandoned map). */
  readonly mapBytes: number;
  readonly descriptorsOffset: number;
  readonly areaOffset: number;
  readonly superblockCount: number;
}

const alignUp = (n: number, alignment: number): number => Math.ceil(n / alignment) * alignment;

function metadataEnd(superblockCount: number): HeapGeometry {
  const registryOffset = headerBytes;
  const txRecordsOffset = registryOffset + limits.workerSlotsMax * registrySlotBytes;
  const pageMapOffset = txRecordsOffset + limits.workerSlotsMax * txRecordBytes;
  const mapBytes = alignUp(Math.ceil(superblockCount / 32) * 4, cacheLineBytes);
  const abandonedMapOffset = pageMapOffset + mapBytes;
  const descriptorsOffset = abandonedMapOffset + mapBytes;
  const areaOffset = alignUp(
    descriptorsOffset + superblockCount * descriptorBytes,
    limits.superblockBytes,
  );
  return {
    totalBytes: areaOffset + superblockCount * limits.superblockBytes,
    registryOffset,
    txRecordsOffset,
    pageMapOffset,
    abandonedMapOffset,
    mapBytes,
    descriptorsOffset,
    areaOffset,
    superblockCount,
  };
}

/**
 * The largest geometry that fits in `maxBytes`. The metadata grows with the superblock count, so
 * the count is found by starting from the upper bound and stepping down (at most a few steps:
 * metadata is under 1/1000 of the heap).
 */
export function geometryFor(maxBytes: number): HeapGeometry {
  let count = Math.floor(maxBytes / limits.superblockBytes) - 1;
  let geometry = metadataEnd(count);
  while (geometry.totalBytes > maxBytes && count > 0) {
    count -= 1;
    geometry = metadataEnd(count);
  }
  assert(count > 0 && geometry.totalBytes <= maxBytes, `no room for superblocks in ${maxBytes}`);
  return geometry;
}

/** The geometry a heap of `totalBytes` with `superblockCount` superblocks must have. */
export function geometryOf(superblockCount: number): HeapGeometry {
  return metadataEnd(superblockCount);
}

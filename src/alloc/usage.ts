/**
 * Memory accounting by scanning the descriptor table: nothing is counted on the allocation fast
 * path (a shared counter would be a hot shared write). Exact when no worker is allocating or
 * freeing; under concurrent change each superblock's figures are read without stopping anyone, so
 * the totals may be off by the blocks changing hands during the scan.
 */
import { limits } from '../base/index.js';
import { headerWord, type HeapMemory } from '../memory/index.js';
import { classBytes } from './size-classes.js';
import {
  descriptorField as field,
  descriptorWords,
  SuperblockKind,
} from './superblock-descriptor.js';

export interface AllocatorUsage {
  /** Bytes of live blocks (headers and size-class rounding included). */
  readonly usedBytes: number;
  /** Bytes of superblocks holding small blocks or large runs. */
  readonly superblockBytes: number;
  /** Superblocks in use for small blocks, and for large runs. */
  readonly smallSuperblocks: number;
  readonly largeSuperblocks: number;
  /** Bytes of the heap ever touched: metadata plus every superblock up to the high-water mark. */
  readonly committedBytes: number;
}

export function allocatorUsage(memory: HeapMemory): AllocatorUsage {
  const { i32, geometry } = memory;
  const highWater = Atomics.load(i32, headerWord.superblockHighWater);
  let usedBytes = 0;
  let smallSuperblocks = 0;
  let largeSuperblocks = 0;
  for (let s = 0; s < highWater; s += 1) {
    const descriptor = geometry.descriptorsOffset / 4 + s * descriptorWords;
    const kind = Atomics.load(i32, descriptor + field.kind);
    const classOrRun = Atomics.load(i32, descriptor + field.classOrRun);
    if (kind === SuperblockKind.small) {
      smallSuperblocks += 1;
      const used =
        Atomics.load(i32, descriptor + field.usedBlocks) -
        Atomics.load(i32, descriptor + field.remoteFreeCount);
      usedBytes += Math.max(0, used) * (classBytes[classOrRun] ?? 0);
    } else if (kind === SuperblockKind.largeHead) {
      largeSuperblocks += classOrRun;
      usedBytes += classOrRun * limits.superblockBytes;
    }
  }
  return {
    usedBytes,
    superblockBytes: (smallSuperblocks + largeSuperblocks) * limits.superblockBytes,
    smallSuperblocks,
    largeSuperblocks,
    committedBytes: geometry.areaOffset + highWater * limits.superblockBytes,
  };
}

/** Live blocks of one tag and size (`liveBlockCensus`). */
export interface CensusEntry {
  readonly tag: number;
  readonly blockBytes: number;
  readonly blocks: number;
}

/**
 * Every live block by tag and block size (`forEachLiveBlock`). For finding leaks in tests and
 * diagnostics: exact only while no worker allocates or frees, like `allocatorUsage`.
 */
export function liveBlockCensus(memory: HeapMemory): CensusEntry[] {
  const counts = new Map<string, CensusEntry>();
  forEachLiveBlock(memory, (_unit, tag, blockBytes) => {
    const key = `${String(tag)}/${String(blockBytes)}`;
    const entry = counts.get(key);
    counts.set(key, { tag, blockBytes, blocks: (entry?.blocks ?? 0) + 1 });
  });
  return [...counts.values()].sort((a, b) => a.tag - b.tag || a.blockBytes - b.blockBytes);
}

/**
 * Calls `visit` with the unit, tag and size of every live block, found by walking each small
 * superblock below its bump pointer (a freed block's header carries the free tag) and each large
 * run. Reads without stopping anyone: under concurrent change a block allocated or freed during
 * the walk may be visited or not.
 */
export function forEachLiveBlock(
  memory: HeapMemory,
  visit: (unit: number, tag: number, blockBytes: number) => void,
): void {
  const { i32, geometry } = memory;
  const highWater = Atomics.load(i32, headerWord.superblockHighWater);
  const unitsPerSuperblock = limits.superblockBytes / 8;
  const areaUnit = geometry.areaOffset / 8;
  for (let s = 0; s < highWater; s += 1) {
    const descriptor = geometry.descriptorsOffset / 4 + s * descriptorWords;
    const kind = Atomics.load(i32, descriptor + field.kind);
    const classOrRun = Atomics.load(i32, descriptor + field.classOrRun);
    const first = areaUnit + s * unitsPerSuperblock;
    if (kind === SuperblockKind.small) {
      const blockBytes = classBytes[classOrRun] ?? 0;
      if (blockBytes === 0) continue;
      const bump = Atomics.load(i32, descriptor + field.bumpUnit);
      for (let unit = first; unit < bump; unit += blockBytes / 8) {
        const tag = Atomics.load(i32, unit * 2) & 0xff;
        if (tag !== 0) visit(unit, tag, blockBytes);
      }
    } else if (kind === SuperblockKind.largeHead) {
      const tag = Atomics.load(i32, first * 2) & 0xff;
      if (tag !== 0) visit(first, tag, classOrRun * limits.superblockBytes);
    }
  }
}

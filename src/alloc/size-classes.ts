/**
 * Size classes, mimalloc-style: 8-byte steps up to 64 B, 16-byte steps up to 128 B, then four
 * classes per doubling up to 32 KiB (at most 25 % internal waste above 128 B). Sizes are block
 * sizes, header included. A block larger than the largest class is a large block: a run of whole
 * superblocks.
 *
 * Lookup is one load from a table indexed by the size in 8-byte units (4 KiB table).
 */
import { limits } from '../base/index.js';

function buildClassBytes(): number[] {
  const sizes: number[] = [];
  for (let size = 16; size <= 64; size += 8) sizes.push(size);
  for (let size = 80; size <= 128; size += 16) sizes.push(size);
  for (let base = 128; base < 32768; base *= 2) {
    for (let quarter = 5; quarter <= 8; quarter += 1) sizes.push((base * quarter) / 4);
  }
  return sizes;
}

/** Block bytes of each class, ascending. */
export const classBytes: readonly number[] = buildClassBytes();
/** Block size in 8-byte units of each class. */
export const classUnits = Int32Array.from(classBytes, (bytes) => bytes / 8);
/** Blocks per superblock of each class. */
export const classBlocksPerSuperblock = Int32Array.from(classBytes, (bytes) =>
  Math.floor(limits.superblockBytes / bytes),
);
export const classCount = classBytes.length;
export const smallBlockBytesMax = 32768;

const classByUnits = (() => {
  const table = new Uint8Array(smallBlockBytesMax / 8 + 1);
  let sizeClass = 0;
  for (let units = 0; units < table.length; units += 1) {
    while ((classUnits[sizeClass] ?? 0) < units) sizeClass += 1;
    table[units] = sizeClass;
  }
  return table;
})();

/** The class of a block of `blockBytes` (header included); only for blockBytes ≤ 32 KiB. */
export const sizeClassOf = (blockBytes: number): number =>
  classByUnits[(blockBytes + 7) >>> 3] ?? classCount;

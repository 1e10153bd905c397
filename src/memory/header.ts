/**
 * The heap header: the first 4 KiB of every heap. It identifies the memory as a heap of this
 * layout version and records the geometry, so `Heap.attach` can refuse anything else.
 *
 * | field               | offset | size | atomic | written by                 | invariant                         |
 * |---------------------|--------|------|--------|----------------------------|-----------------------------------|
 * | magic               | 0      | 4    | no     | creator, before sharing    | `heapMagic` ('SOBJ')              |
 * | layoutVersion       | 4      | 4    | no     | creator, before sharing    | `heapLayoutVersion`               |
 * | heapId              | 8      | 4    | no     | creator, before sharing    | random, non-zero, never changes   |
 * | superblockBytesLog2 | 12     | 4    | no     | creator, before sharing    | `limits.superblockBytesLog2`      |
 * | superblockCount     | 16     | 4    | no     | creator, before sharing    | matches the buffer's length       |
 * | workerSlotsMax      | 20     | 4    | no     | creator, before sharing    | `limits.workerSlotsMax`           |
 * | areaOffset          | 24     | 4    | no     | creator, before sharing    | = geometryOf(superblockCount)     |
 * | reclaimStallMs      | 28     | 4    | no     | creator, before sharing    | > 0: online lag before a worker   |
 * |                     |        |      |        |                            | is neutralised (reclaim/epoch.ts) |
 * | (reserved)          | 32     | 32   |        |                            | zero                              |
 * | superblockHighWater | 64     | 4    | yes    | any worker claiming pages  | only grows; pages above untouched |
 * | (reserved)          | 68     | 60   |        |                            | zero                              |
 * | reclaimEpoch        | 128    | 4    | yes    | any worker (CAS +2)        | even, never 0; see reclaim/epoch  |
 * | (reserved)          | 132    | 60   |        |                            | zero                              |
 * | orphanBags          | 192    | 4    | yes    | leavers/recoverers (CAS push), | unit of the first orphaned    |
 * |                     |        |      |        | reclaimers (exchange to 0) | retire bag; 0 = none              |
 * | (reserved)          | 196    | 60   |        |                            | zero                              |
 * | inevitableOwner     | 256    | 4    | yes    | stm: the inevitable        | 0, or the owner word (stm/owner-  |
 * |                     |        |      |        | transaction (CAS), waiters | word.ts) of the one transaction   |
 * |                     |        |      |        | (contended bit)            | that is inevitable now            |
 * | (reserved)          | 260    | 60   |        |                            | zero                              |
 * | commitStamp         | 320    | 8    | yes    | stm: a committing writer   | the last commit stamp handed out  |
 * |                     |        |      |        | that asked for stamps (add)| (stm/commit.ts); only grows       |
 * | (reserved)          | 328    | 56   |        |                            | zero                              |
 * | rootMap             | 384    | 8    | yes    | api: the creator, before   | the handle of the map `heap.root` |
 * |                     |        |      |        | sharing                    | names; never changes              |
 * | (reserved)          | 392    | 56   |        |                            | zero                              |
 * | (reserved: later)   | 448    | 3648 |        | later layers (own lines)   | zero until used                   |
 *
 * The creator writes every read-only field before the buffer is sent to any other worker, and
 * `postMessage` of the buffer orders those writes before the receiver's first read, so the
 * read-only fields need no atomics. Each shared mutable word sits on its own cache line:
 * `superblockHighWater` is written only when a worker claims a superblock above every one claimed
 * before; `reclaimEpoch` is read at the start of every operation and written rarely (batched
 * advance); `orphanBags` is written when a worker leaves or is recovered.
 */
import { HeapLayoutError } from '../base/index.js';
import { limits } from '../base/index.js';
import { geometryOf, headerBytes, type HeapGeometry } from './layout.js';

/** 'SOBJ' read as a little-endian 32-bit word. */
export const heapMagic = 0x4a424f53;
/** Bump on any change to any layout table in this repository. */
export const heapLayoutVersion = 7;

/** Word indexes (Int32Array) of the header fields; byte offset / 4, from the table above. */
export const headerWord = {
  magic: 0,
  layoutVersion: 1,
  heapId: 2,
  superblockBytesLog2: 3,
  superblockCount: 4,
  workerSlotsMax: 5,
  areaOffset: 6,
  reclaimStallMs: 7,
  superblockHighWater: 16,
  reclaimEpoch: 32,
  orphanBags: 48,
  inevitableOwner: 64,
} as const;

/** Index in the heap's BigInt64Array of each 64-bit header field (byte offset / 8). */
export const headerWord64 = {
  commitStamp: 40,
  rootMap: 48,
} as const;

export interface HeapSettings {
  readonly heapId: number;
  readonly reclaimStallMs: number;
}

export function writeHeader(i32: Int32Array, geometry: HeapGeometry, settings: HeapSettings): void {
  i32[headerWord.magic] = heapMagic;
  i32[headerWord.layoutVersion] = heapLayoutVersion;
  i32[headerWord.heapId] = settings.heapId;
  i32[headerWord.reclaimStallMs] = settings.reclaimStallMs;
  i32[headerWord.superblockBytesLog2] = limits.superblockBytesLog2;
  i32[headerWord.superblockCount] = geometry.superblockCount;
  i32[headerWord.workerSlotsMax] = limits.workerSlotsMax;
  i32[headerWord.areaOffset] = geometry.areaOffset;
  i32[headerWord.reclaimEpoch] = 2;
}

/** Reads and checks the header of memory that claims to be a heap; returns its geometry. */
export function readHeader(buffer: SharedArrayBuffer): HeapGeometry {
  if (buffer.byteLength < headerBytes) {
    throw new HeapLayoutError(`not a heap: ${buffer.byteLength} bytes is smaller than a header`);
  }
  const i32 = new Int32Array(buffer, 0, headerBytes / 4);
  const magic = i32[headerWord.magic] ?? 0;
  if (magic !== heapMagic) {
    throw new HeapLayoutError(`not a heap: magic is 0x${(magic >>> 0).toString(16)}`);
  }
  const version = i32[headerWord.layoutVersion] ?? 0;
  if (version !== heapLayoutVersion) {
    throw new HeapLayoutError(
      `heap layout version ${version} is not ${heapLayoutVersion}: ` +
        'made by an incompatible version of shared-objects',
    );
  }
  const log2 = i32[headerWord.superblockBytesLog2] ?? 0;
  const slots = i32[headerWord.workerSlotsMax] ?? 0;
  if (log2 !== limits.superblockBytesLog2 || slots !== limits.workerSlotsMax) {
    throw new HeapLayoutError(
      `heap built with superblocks of 2^${log2} bytes and ${slots} worker slots; ` +
        `this build expects 2^${limits.superblockBytesLog2} and ${limits.workerSlotsMax}`,
    );
  }
  const geometry = geometryOf(i32[headerWord.superblockCount] ?? 0);
  if (
    geometry.areaOffset !== i32[headerWord.areaOffset] ||
    geometry.totalBytes > buffer.byteLength
  ) {
    throw new HeapLayoutError('heap header does not match the size of its buffer');
  }
  return geometry;
}

/**
 * The 8-byte header in front of every block, and the handle that names a block.
 *
 * | field      | offset | size | atomic | written by                         | invariant                |
 * |------------|--------|------|--------|------------------------------------|--------------------------|
 * | tag        | 0      | 1    | no     | allocator (alloc/free)             | `BlockTag.free` iff free |
 * | generation | 1      | 3    | no     | allocator: +1 on every free/reuse  | 24 bits, wraps           |
 * | aux        | 4      | 4    | no     | free: next free block (unit offset) | —                       |
 * |            |        |      |        | live: the block's owner type (e.g. string length)              |
 *
 * The two header words are written with plain stores: a block is published to other workers only
 * through an atomic store of its handle (a cell's compare-and-swap), which orders every write to
 * the block before any read of it by a worker that loaded the handle.
 *
 * A handle packs the block's offset in 8-byte units (low 32 bits) and the low 16 bits of its
 * generation: `handle = generation16 × 2^32 + unit`. A handle is valid while the header at its
 * unit carries the expected tag and the same generation; freeing bumps the generation, so a freed
 * or reused block is recognised (until the 16-bit generation wraps on that very block).
 */
import type { Handle } from '../base/index.js';

/** What a block holds. Each layer owns the tags of the blocks it lays out. */
export const BlockTag = {
  free: 0,
  /** values/: an immutable UTF-16 string with its hash. */
  string: 1,
  /** values/: an immutable bigint. */
  bigint: 2,
  /** values/: an immutable snapshot of a plain array or object (nested ones inline). */
  snapshot: 3,
  /** stm/: a shared cell. */
  cell: 4,
  /** reclaim/: a bag of retired handles waiting for their grace period. */
  retireBag: 5,
  /** tests and benchmarks: a block with no meaning to the library. */
  raw: 255,
} as const;
export type BlockTag = (typeof BlockTag)[keyof typeof BlockTag];

export const blockHeaderBytes = 8;
export const unitBytes = 8;
const unitsPerHandleGeneration = 2 ** 32;
export const generationMask = 0xffffff;
export const handleGenerationMask = 0xffff;

export const headerTag = (word0: number): number => word0 & 0xff;
export const headerGeneration = (word0: number): number => word0 >>> 8;
export const headerWord0 = (tag: number, generation: number): number =>
  ((generation & generationMask) << 8) | tag;

export const handleOf = (unit: number, generation: number): Handle =>
  ((generation & handleGenerationMask) * unitsPerHandleGeneration + unit) as Handle;
/**
 * The unit of a handle: its low 32 bits. `>>> 0` (ToUint32, exact below 2^53) rather than
 * `% 2 ** 32`, which V8 compiles to a call to fmod for numbers past int32 (~18 ns against ~2 ns,
 * paid on every step of every walk through the heap).
 */
export const handleUnit = (handle: Handle): number => handle >>> 0;
/**
 * The handle of the block whose header is at `unit`, with the generation its header has now: for
 * a block the caller knows to be live (recorded, published), which makes that generation its own.
 */
export const currentHandleAt = (i32: Int32Array, unit: number): Handle =>
  handleOf(unit, headerGeneration(i32[unit * 2] ?? 0));
export const handleGeneration = (handle: Handle): number =>
  Math.floor(handle / unitsPerHandleGeneration);

/** True for any number that could be a handle (a safe non-negative integer below 2^48). */
export const isHandleShaped = (n: number): boolean =>
  Number.isSafeInteger(n) && n >= 0 && n < 2 ** 48;

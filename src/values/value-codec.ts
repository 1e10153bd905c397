/**
 * The one codec between JavaScript values and shared memory (DESIGN.md §4). A value becomes one
 * 64-bit slot word (slot-word.ts): numbers, booleans, null and undefined inline; strings, bigints
 * and snapshots of plain arrays/objects as an immutable block the word owns; shared objects as a
 * reference to their block, which the word does not own.
 *
 * One codec per worker per heap. `encode` allocates at most one block and, when it throws
 * (`NotShareableError`, `HeapExhaustedError`, `StaleHandleError`), has allocated nothing. The
 * caller publishes the word with an atomic store; a word that is never published must be given
 * back with `release`. Blocks a published word owns are retired by the layers above, not here.
 */
import {
  BlockTag,
  handleUnit,
  headerGeneration,
  headerTag,
  type Allocator,
} from '../alloc/index.js';
import { BugError, NotShareableError, StaleHandleError, type Handle } from '../base/index.js';
import type { HeapMemory } from '../memory/index.js';
import {
  bigintBlockPayloadBytes,
  bigintLimbCount,
  readBigint,
  writeBigint,
} from './bigint-block.js';
import {
  cachedPayloadBytesMax,
  cacheMiss,
  DecodeCache,
  decodeCacheEntriesDefault,
} from './decode-cache.js';
import { PathFailure, reasonForPrimitive, toNotShareableError } from './not-shareable.js';
import { SharedObject } from './shared-object.js';
import {
  boxedWord,
  boxMark,
  boxShift,
  falseWord,
  handleOfHalves,
  nullWord,
  numberWord,
  payloadHighMask,
  scratchFloat,
  scratchHalves,
  scratchWord,
  SlotTag,
  tagMask,
  tagShift,
  trueWord,
  undefinedWord,
} from './slot-word.js';
import {
  forEachSnapshotRef,
  immediateValue,
  snapshotRefCount,
  SnapshotReader,
  SnapshotWriter,
} from './snapshot-block.js';
import {
  readString,
  stringBlockPayloadBytes,
  stringUnitsWordDelta,
  unitsEqual,
  writeString,
} from './string-block.js';

export interface ValueCodecOptions {
  /**
   * Entries of the per-codec cache of decoded strings, bigints and snapshots (decode-cache.ts):
   * a power of two, or 0 to decode every time. Default 256.
   */
  readonly decodeCacheEntries?: number;
}

/** Block tag of the block a slot tag's payload names; 0 for tags that own no block. */
const blockTagOfSlotTag = [0, BlockTag.string, BlockTag.bigint, BlockTag.snapshot, 0, 0, 0, 0];

export class ValueCodec {
  readonly #i32: Int32Array;
  readonly #u16: Uint16Array;
  readonly #allocator: Allocator;
  readonly #openShared: (handle: Handle) => object;
  readonly #snapshotWriter: SnapshotWriter;
  readonly #snapshotReader: SnapshotReader;
  readonly #cache: DecodeCache;

  constructor(
    memory: HeapMemory,
    allocator: Allocator,
    heapId: number,
    openShared: (handle: Handle) => object,
    options: ValueCodecOptions = {},
  ) {
    this.#i32 = memory.i32;
    this.#u16 = memory.u16;
    this.#allocator = allocator;
    this.#openShared = openShared;
    this.#snapshotWriter = new SnapshotWriter(memory, allocator, heapId);
    this.#snapshotReader = new SnapshotReader(memory, openShared);
    this.#cache = new DecodeCache(options.decodeCacheEntries ?? decodeCacheEntriesDefault);
  }

  /**
   * The slot word of `value`, allocating its block if it needs one (strings, bigints, plain
   * arrays and objects). Throws NotShareableError (naming the path) for anything else, with
   * nothing allocated; HeapExhaustedError likewise.
   */
  encode(value: unknown): bigint {
    switch (typeof value) {
      case 'number':
        return numberWord(value);
      case 'boolean':
        return value ? trueWord : falseWord;
      case 'undefined':
        return undefinedWord;
      case 'string':
        return this.#encodeString(value);
      case 'bigint':
        return this.#encodeBigint(value);
      case 'object':
        if (value === null) return nullWord;
        if (value instanceof SharedObject) return this.#encodeShared(value);
        return boxedWord(SlotTag.snapshot, this.#snapshotWriter.store(value));
      default:
        throw new NotShareableError('value', reasonForPrimitive(typeof value));
    }
  }

  /** The value a slot word stands for. Strings are copied out; snapshots come back frozen. */
  decode(word: bigint): unknown {
    // Kept tiny so the engine inlines it: a number is decoded without a call or an allocation.
    scratchWord[0] = word;
    const high = scratchHalves[1] ?? 0;
    if (high >>> boxShift !== boxMark) return scratchFloat[0];
    return this.#decodeBoxed(high, scratchHalves[0] ?? 0);
  }

  /**
   * True unless `word` is inline (a number, boolean, null or undefined): decoding an inline word
   * reads no memory, so it needs no check that the memory was still valid.
   */
  mayHoldBlock(word: bigint): boolean {
    scratchWord[0] = word;
    return (
      (scratchHalves[1] ?? 0) >>> boxShift === boxMark &&
      (((scratchHalves[1] ?? 0) >>> tagShift) & tagMask) !== SlotTag.immediate
    );
  }

  /** True if `word` may refer to shared objects (a reference, or a snapshot that may hold some). */
  mayHoldRefs(word: bigint): boolean {
    scratchWord[0] = word;
    const high = scratchHalves[1] ?? 0;
    if (high >>> boxShift !== boxMark) return false;
    const tag = (high >>> tagShift) & tagMask;
    return tag === SlotTag.shared || tag === SlotTag.snapshot;
  }

  #decodeBoxed(high: number, low: number): unknown {
    const tag = (high >>> tagShift) & tagMask;
    switch (tag) {
      case SlotTag.immediate:
        return immediateValue(low);
      case SlotTag.shared:
        return this.#openShared(handleOfHalves(low, high));
      case SlotTag.string:
      case SlotTag.bigint:
      case SlotTag.snapshot:
        return this.#decodeBlock(tag, low, high & payloadHighMask);
      default:
        throw new BugError(`slot word with tag ${tag}`);
    }
  }

  /** The block `word` owns (string, bigint or snapshot); undefined for inline values and refs. */
  ownedBlock(word: bigint): Handle | undefined {
    scratchWord[0] = word;
    const high = scratchHalves[1] ?? 0;
    if (high >>> boxShift !== boxMark) return undefined;
    const tag = (high >>> tagShift) & tagMask;
    if ((blockTagOfSlotTag[tag] ?? 0) === 0) return undefined;
    return handleOfHalves(scratchHalves[0] ?? 0, high);
  }

  /** Frees the block `word` owns, if any: for a word that was encoded but never published. */
  release(word: bigint): void {
    const block = this.ownedBlock(word);
    if (block !== undefined) this.#allocator.free(block);
  }

  /** Calls `visit` with each shared object `word` refers to: itself, or those in its snapshot. */
  forEachRef(word: bigint, visit: (handle: Handle) => void): void {
    scratchWord[0] = word;
    const high = scratchHalves[1] ?? 0;
    if (high >>> boxShift !== boxMark) return;
    const low = scratchHalves[0] ?? 0;
    const tag = (high >>> tagShift) & tagMask;
    if (tag === SlotTag.shared) visit(handleOfHalves(low, high));
    else if (tag === SlotTag.snapshot) forEachSnapshotRef(this.#i32, low, visit);
  }

  #encodeString(value: string): bigint {
    const handle = this.#allocator.allocate(BlockTag.string, stringBlockPayloadBytes(value.length));
    writeString(this.#i32, this.#u16, handleUnit(handle) * 2 + 1, value);
    return boxedWord(SlotTag.string, handle);
  }

  #encodeBigint(value: bigint): bigint {
    const limbs = bigintLimbCount(value);
    const handle = this.#allocator.allocate(BlockTag.bigint, bigintBlockPayloadBytes(limbs));
    writeBigint(this.#i32, handleUnit(handle) * 2 + 1, value);
    return boxedWord(SlotTag.bigint, handle);
  }

  #encodeShared(value: SharedObject): bigint {
    try {
      this.#snapshotWriter.checkShared(value);
    } catch (error) {
      throw error instanceof PathFailure ? toNotShareableError(error) : error;
    }
    return boxedWord(SlotTag.shared, value.handle);
  }

  /**
   * True if `word` holds a string equal to `candidate`, compared in place (nothing decoded or
   * allocated): for a lookup by string key. The word's block must be live (the caller's epoch
   * keeps it so, as for `decode`).
   */
  stringEquals(word: bigint, candidate: string): boolean {
    scratchWord[0] = word;
    const high = scratchHalves[1] ?? 0;
    if (high >>> boxShift !== boxMark || ((high >>> tagShift) & tagMask) !== SlotTag.string) {
      return false;
    }
    const lengthWord = (scratchHalves[0] ?? 0) * 2 + 1;
    const length = this.#i32[lengthWord] ?? 0;
    return unitsEqual(candidate, this.#u16, (lengthWord + stringUnitsWordDelta) * 2, length);
  }

  /** Decodes the string, bigint or snapshot block at `unit`, through the cache. */
  #decodeBlock(tag: number, unit: number, generation16: number): unknown {
    const i32 = this.#i32;
    const headerWord = unit * 2;
    const word0 = i32[headerWord] ?? 0;
    if (
      headerTag(word0) !== blockTagOfSlotTag[tag] ||
      (headerGeneration(word0) & payloadHighMask) !== generation16
    ) {
      throw new StaleHandleError(`slot word names block ${unit}, which was freed or reused`);
    }
    const cached = this.#cache.get(unit, word0);
    if (cached !== cacheMiss) return cached;
    const aux = i32[headerWord + 1] ?? 0;
    let value: unknown;
    let payloadBytes: number;
    if (tag === SlotTag.string) {
      value = readString(i32, this.#u16, headerWord + 1);
      payloadBytes = 2 * aux;
    } else if (tag === SlotTag.bigint) {
      value = readBigint(i32, headerWord + 1);
      payloadBytes = 4 * Math.abs(aux);
    } else {
      value = this.#snapshotReader.read(unit);
      payloadBytes = aux;
    }
    // A snapshot holding shared objects is not cached: the cache would keep their wrappers, and
    // with them the objects, alive after every reference to them in shared memory is gone.
    if (
      payloadBytes <= cachedPayloadBytesMax &&
      (tag !== SlotTag.snapshot || snapshotRefCount(i32, unit) === 0)
    ) {
      this.#cache.set(unit, word0, value);
    }
    return value;
  }
}

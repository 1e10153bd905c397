/**
 * (Past 600 lines on purpose: the writer's two passes and the reader walk one layout, kept in one
 * file so that the table below and every use of its offsets stay side by side.)
 *
 * Snapshots: a plain array or plain object stored with everything nested in it (arrays, objects,
 * strings, bigints) inline in one block, so storing one is one allocation and freeing it one free.
 * Shared objects inside are stored as references. Decoding gives back deeply frozen values.
 *
 * Storing runs two passes over the value. The first (`measure`) validates everything and adds up
 * the bytes, before anything is allocated, so a `NotShareableError` leaves memory untouched. The
 * second (`write`) lays the nodes out with a bump cursor inside the block. The second pass re-reads
 * the value; the first has proved that its objects hold only data properties, so only a Proxy or
 * an array element getter could answer differently; every node reservation is bounds-checked, so
 * it never writes outside the block (the block is then freed and the store refused).
 *
 * Snapshot block (`BlockTag.snapshot`), offsets from the block start:
 *
 * | field  | offset | size | atomic | written by | invariant                     |
 * |--------|--------|------|--------|------------|-------------------------------|
 * | header | 0      | 4    | no     | allocator  | tag `BlockTag.snapshot`       |
 * | bytes  | 4      | 4    | no     | encoder    | payload bytes used (aux word) |
 * | root   | 8      | node | no     | encoder    | an array or object node       |
 * | nodes  | …      | …    | no     | encoder    | every nested node, 8-aligned  |
 * | refs   | 8+bytes| 4    | no     | encoder    | number of shared references   |
 * | (pad)  | +4     | 4    | no     | encoder    | zero                          |
 * | ref i  | +8+8i  | 8    | no     | encoder    | (unit, generation16) of each  |
 *
 * The reference list lets the owner of a snapshot release the shared objects it refers to without
 * walking the nodes (reference counts, stm/), and lets the reader know not to cache a snapshot
 * holding wrappers.
 *
 * Array node, offsets from the node start:
 *
 * | field    | offset | size     | atomic | written by | invariant                            |
 * |----------|--------|----------|--------|------------|--------------------------------------|
 * | kind     | 0      | 4        | no     | encoder    | `NodeKind.array`, `holesFlag` if any |
 * | length   | 4      | 4        | no     | encoder    | the array's length                   |
 * | elements | 8      | 8·length | no     | encoder    | slot words (see below)               |
 *
 * Object node, offsets from the node start (`keysEnd` = 8 + 4·count rounded up to 8):
 *
 * | field  | offset  | size    | atomic | written by | invariant                              |
 * |--------|---------|---------|--------|------------|----------------------------------------|
 * | kind   | 0       | 4       | no     | encoder    | `object` or `nullPrototypeObject`      |
 * | count  | 4       | 4       | no     | encoder    | own properties, in `Object.keys` order |
 * | keys   | 8       | 4·count | no     | encoder    | unit offset of each key's string node  |
 * | values | keysEnd | 8·count | no     | encoder    | slot words, in the order of the keys   |
 *
 * String and bigint nodes are laid out in string-block.ts and bigint-block.ts. The slot words
 * inside a snapshot use slot-word.ts's encoding, except that the string, bigint and snapshot tags
 * carry the unit offset of a node (from the block start, in 8-byte units) instead of a handle,
 * and `Immediate.hole` marks an array hole. Everything is written with plain stores before the
 * block's handle is published by an atomic store, and never changes until the block is freed.
 *
 * Decisions:
 * - Holes are kept and read back as holes; `undefined` values are kept in arrays and objects.
 * - Object keys keep `Object.keys` order; re-inserting in that order re-creates it in JS.
 * - Plain means prototype `Object.prototype` or `null` for objects, `Array.prototype` for arrays.
 *   Null-prototype objects read back with a null prototype.
 * - An own `"__proto__"` key (e.g. from `JSON.parse`) is kept as an own data property and read
 *   back with `Object.defineProperty`, so it never changes the prototype.
 * - The same object reached twice without a cycle is stored twice (a snapshot is a tree).
 * - Refused (`NotShareableError`): functions, symbols, class instances, Map, Set, Date, RegExp,
 *   typed arrays, boxed primitives, promises, weak collections, cycles, symbol-keyed properties,
 *   accessor and non-enumerable properties of objects, enumerable non-index array properties,
 *   nesting deeper than `limits.snapshotDepthMax`, shared objects of another heap. Accessor
 *   elements and non-enumerable extras of arrays are not detected (see `#measureArray`).
 */
import { BlockTag, handleUnit, type Allocator } from '../alloc/index.js';
import {
  BugError,
  HeapExhaustedError,
  limits,
  NotShareableError,
  StaleHandleError,
  type Handle,
} from '../base/index.js';
import type { HeapMemory } from '../memory/index.js';
import { bigintLimbCount, bigintNodeBytes, readBigint, writeBigint } from './bigint-block.js';
import {
  PathFailure,
  reasonForObject,
  reasonForPrimitive,
  toNotShareableError,
  withSegment,
} from './not-shareable.js';
import { SharedObject } from './shared-object.js';
import {
  boxedHigh,
  boxMark,
  boxShift,
  handleOfHalves,
  Immediate,
  SlotTag,
  tagMask,
  tagShift,
} from './slot-word.js';
import {
  readUnits,
  stringNodeBytes,
  stringUnitsWordDelta,
  unitsEqual,
  writeString,
} from './string-block.js';

export const NodeKind = {
  array: 1,
  object: 2,
  nullPrototypeObject: 3,
} as const;
export type NodeKind = (typeof NodeKind)[keyof typeof NodeKind];
const nodeKindMask = 0xff;
/** Set in an array node's kind word when the array has at least one hole. */
const holesFlag = 0x100;

const arrayNodeBytes = (length: number): number => 8 + 8 * length;
const keysEndWords = (count: number): number => 2 + ((count + 1) & ~1);
const objectNodeBytes = (count: number): number => 4 * keysEndWords(count) + 8 * count;

const immediateHigh = boxedHigh(SlotTag.immediate, 0);
const nanHigh = 0x7ff80000;
/** The root node sits right after the block header. */
const rootUnitOffset = 1;

const arrayIndexPattern = /^(?:0|[1-9]\d*)$/;
const isArrayIndexKey = (key: string): boolean =>
  arrayIndexPattern.test(key) && Number(key) < 2 ** 32 - 1;

/** Thrown by the write pass when the value no longer matches what `measure` saw. */
class ChangedWhileStoring extends Error {
  constructor() {
    super('changed while being stored');
    this.name = 'ChangedWhileStoring';
  }
}

/** What kind of node a non-shared object becomes; throws PathFailure if it is not plain. */
function nodeKindOf(value: object): NodeKind {
  const prototype: unknown = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    if (prototype === Array.prototype) return NodeKind.array;
  } else if (prototype === Object.prototype) {
    return NodeKind.object;
  } else if (prototype === null) {
    return NodeKind.nullPrototypeObject;
  }
  throw new PathFailure(reasonForObject(value));
}

/** Stores snapshots. One per codec (per worker per heap); not reentrant. */
export class SnapshotWriter {
  readonly #i32: Int32Array;
  readonly #u16: Uint16Array;
  readonly #f64: Float64Array;
  readonly #allocator: Allocator;
  readonly #heapId: number;
  readonly #heapBytes: number;
  /** The containers on the path from the root to the one being measured: finds cycles. */
  readonly #ancestors = new Set<object>();
  #blockUnit = 0;
  #cursorUnit = 0;
  #endUnit = 0;
  /** Shared references met by `measure`, and the next free word of the reference list. */
  #refCount = 0;
  #refWord = 0;
  #refEndWord = 0;

  constructor(memory: HeapMemory, allocator: Allocator, heapId: number) {
    this.#i32 = memory.i32;
    this.#u16 = memory.u16;
    this.#f64 = memory.f64;
    this.#allocator = allocator;
    this.#heapId = heapId;
    this.#heapBytes = memory.geometry.totalBytes;
  }

  /**
   * Stores `root` (a non-null object that is not a shared object) as a new snapshot block.
   * Throws NotShareableError or HeapExhaustedError with nothing allocated.
   */
  store(root: object): Handle {
    let payloadBytes: number;
    this.#refCount = 0;
    try {
      payloadBytes = this.#measureObject(root, 1);
    } catch (error) {
      throw error instanceof PathFailure ? toNotShareableError(error) : error;
    } finally {
      this.#ancestors.clear();
    }
    const handle = this.#allocator.allocate(
      BlockTag.snapshot,
      payloadBytes + refListBytes(this.#refCount),
    );
    const unit = handleUnit(handle);
    this.#blockUnit = unit;
    this.#cursorUnit = rootUnitOffset;
    this.#endUnit = rootUnitOffset + payloadBytes / 8;
    const refListWord = (unit + this.#endUnit) * 2;
    this.#i32[refListWord] = this.#refCount;
    this.#i32[refListWord + 1] = 0;
    this.#refWord = refListWord + 2;
    this.#refEndWord = this.#refWord + 2 * this.#refCount;
    try {
      this.#writeContainer(root);
      if (this.#refWord !== this.#refEndWord) throw new ChangedWhileStoring();
    } catch (error) {
      this.#allocator.free(handle);
      if (error instanceof ChangedWhileStoring || error instanceof PathFailure) {
        throw new NotShareableError('value', 'it changed while being stored (a Proxy?)');
      }
      throw error;
    }
    this.#i32[unit * 2 + 1] = payloadBytes;
    return handle;
  }

  /** Throws unless `shared` is a live shared object of this heap. */
  checkShared(shared: SharedObject): void {
    if (shared.heapId !== this.#heapId) {
      throw new PathFailure('a shared object of another heap cannot be stored in this one');
    }
    if (this.#allocator.tagOf(shared.handle) !== shared.tag) {
      throw new StaleHandleError(`shared object ${shared.handle} was freed`);
    }
  }

  // ---- measure: validate and size, allocate nothing ---------------------------------------------

  /** Bytes of the nodes `value` needs in a snapshot (0 when it fits in its slot word). */
  #measureValue(value: unknown, depth: number): number {
    switch (typeof value) {
      case 'number':
      case 'boolean':
      case 'undefined':
        return 0;
      case 'string':
        return stringNodeBytes(value.length);
      case 'bigint':
        return bigintNodeBytes(bigintLimbCount(value));
      case 'object':
        if (value === null) return 0;
        if (value instanceof SharedObject) {
          this.checkShared(value);
          this.#refCount += 1;
          return 0;
        }
        return this.#measureObject(value, depth);
      default:
        throw new PathFailure(reasonForPrimitive(typeof value));
    }
  }

  #measureObject(value: object, depth: number): number {
    const kind = nodeKindOf(value);
    if (depth > limits.snapshotDepthMax) {
      throw new PathFailure(
        `nested deeper than ${limits.snapshotDepthMax} levels (limits.snapshotDepthMax)`,
      );
    }
    if (this.#ancestors.has(value)) throw new PathFailure('it contains itself (a cycle)');
    this.#ancestors.add(value);
    const bytes =
      kind === NodeKind.array
        ? this.#measureArray(value as readonly unknown[], depth)
        : this.#measureRecord(value, depth);
    this.#ancestors.delete(value);
    return bytes;
  }

  /*
   * Arrays are read element by element (≈ 0.3 ns each) rather than through property descriptors
   * (≈ 68 ns each, measured on 100 doubles): element getters and non-enumerable extra properties
   * cannot be detected any cheaper, and both are vanishingly rare on arrays, so they are not
   * refused (a getter is read like a value). Enumerable extras — e.g. `index`/`input` on a
   * `RegExp` match — are refused through `Object.keys` (≈ 6.5 ns per element).
   */
  #measureArray(array: readonly unknown[], depth: number): number {
    const length = array.length;
    let bytes = arrayNodeBytes(length);
    if (bytes > this.#heapBytes) throw new HeapExhaustedError(bytes, 'array larger than the heap');
    let present = 0;
    let index = 0;
    try {
      for (; index < length; index += 1) {
        const element = array[index];
        if (element === undefined && !(index in array)) continue;
        present += 1;
        bytes += this.#measureValue(element, depth + 1);
      }
    } catch (error) {
      throw withSegment(error, index);
    }
    const keys = Object.keys(array);
    if (keys.length !== present) {
      const extra = keys.find((key) => !isArrayIndexKey(key)) ?? '';
      throw new PathFailure('an array property that is not an index is not stored', [extra]);
    }
    const symbols = Object.getOwnPropertySymbols(array);
    if (symbols.length !== 0) {
      throw new PathFailure(`it has a symbol-keyed property ${String(symbols[0])}`);
    }
    return bytes;
  }

  #measureRecord(record: object, depth: number): number {
    const keys = Object.keys(record);
    const count = keys.length;
    const names = Object.getOwnPropertyNames(record);
    if (names.length !== count) {
      const enumerable = new Set(keys);
      const hidden = names.find((name) => !enumerable.has(name)) ?? '';
      throw new PathFailure('a non-enumerable property is not stored', [hidden]);
    }
    const symbols = Object.getOwnPropertySymbols(record);
    if (symbols.length !== 0) {
      throw new PathFailure(`it has a symbol-keyed property ${String(symbols[0])}`);
    }
    let bytes = objectNodeBytes(count);
    let key = '';
    try {
      for (let index = 0; index < count; index += 1) {
        key = keys[index] ?? '';
        const descriptor = Object.getOwnPropertyDescriptor(record, key);
        if (descriptor === undefined || !('value' in descriptor)) {
          throw new PathFailure('an accessor (getter/setter) property is not stored');
        }
        bytes += stringNodeBytes(key.length) + this.#measureValue(descriptor.value, depth + 1);
      }
    } catch (error) {
      throw withSegment(error, key);
    }
    return bytes;
  }

  // ---- write: lay the nodes out in the allocated block ------------------------------------------

  /** Reserves `bytes` (a multiple of 8) at the cursor; returns their unit offset in the block. */
  #reserve(bytes: number): number {
    const unitOffset = this.#cursorUnit;
    const next = unitOffset + bytes / 8;
    if (next > this.#endUnit) throw new ChangedWhileStoring();
    this.#cursorUnit = next;
    return unitOffset;
  }

  /** Writes the node of `value` (a plain array or object) and its subtree; returns its offset. */
  #writeContainer(value: object): number {
    const kind = nodeKindOf(value);
    return kind === NodeKind.array
      ? this.#writeArray(value as readonly unknown[])
      : this.#writeRecord(value as Readonly<Record<string, unknown>>, kind);
  }

  #writeArray(array: readonly unknown[]): number {
    const length = array.length;
    const nodeOffset = this.#reserve(arrayNodeBytes(length));
    const nodeWord = (this.#blockUnit + nodeOffset) * 2;
    let kindWord: number = NodeKind.array;
    for (let index = 0; index < length; index += 1) {
      const element = array[index];
      const slotWord = nodeWord + 2 + 2 * index;
      if (element === undefined && !(index in array)) {
        kindWord |= holesFlag;
        this.#i32[slotWord] = Immediate.hole;
        this.#i32[slotWord + 1] = immediateHigh;
      } else {
        this.#writeSlot(element, slotWord);
      }
    }
    this.#i32[nodeWord] = kindWord;
    this.#i32[nodeWord + 1] = length;
    return nodeOffset;
  }

  #writeRecord(record: Readonly<Record<string, unknown>>, kind: NodeKind): number {
    const keys = Object.keys(record);
    const count = keys.length;
    const nodeOffset = this.#reserve(objectNodeBytes(count));
    const i32 = this.#i32;
    const nodeWord = (this.#blockUnit + nodeOffset) * 2;
    const valuesWord = nodeWord + keysEndWords(count);
    for (let index = 0; index < count; index += 1) {
      const key = keys[index] ?? '';
      const keyOffset = this.#reserve(stringNodeBytes(key.length));
      writeString(i32, this.#u16, (this.#blockUnit + keyOffset) * 2, key);
      i32[nodeWord + 2 + index] = keyOffset;
      this.#writeSlot(record[key], valuesWord + 2 * index);
    }
    i32[nodeWord] = kind;
    i32[nodeWord + 1] = count;
    return nodeOffset;
  }

  /** Writes `value`'s slot word at Int32Array index `slotWord` (and its node, if it needs one). */
  #writeSlot(value: unknown, slotWord: number): void {
    const i32 = this.#i32;
    let low: number;
    let high: number;
    switch (typeof value) {
      case 'number':
        if (value !== value) {
          i32[slotWord] = 0;
          i32[slotWord + 1] = nanHigh;
        } else {
          this.#f64[slotWord >>> 1] = value;
        }
        return;
      case 'boolean':
        low = value ? Immediate.true : Immediate.false;
        high = immediateHigh;
        break;
      case 'undefined':
        low = Immediate.undefined;
        high = immediateHigh;
        break;
      case 'string': {
        low = this.#reserve(stringNodeBytes(value.length));
        writeString(i32, this.#u16, (this.#blockUnit + low) * 2, value);
        high = boxedHigh(SlotTag.string, 0);
        break;
      }
      case 'bigint': {
        low = this.#reserve(bigintNodeBytes(bigintLimbCount(value)));
        writeBigint(i32, (this.#blockUnit + low) * 2, value);
        high = boxedHigh(SlotTag.bigint, 0);
        break;
      }
      case 'object':
        if (value === null) {
          low = Immediate.null;
          high = immediateHigh;
        } else if (value instanceof SharedObject) {
          if (value.heapId !== this.#heapId) throw new ChangedWhileStoring();
          low = handleUnit(value.handle);
          high = boxedHigh(SlotTag.shared, Math.floor(value.handle / 2 ** 32));
          if (this.#refWord >= this.#refEndWord) throw new ChangedWhileStoring();
          i32[this.#refWord] = low;
          i32[this.#refWord + 1] = Math.floor(value.handle / 2 ** 32);
          this.#refWord += 2;
        } else {
          low = this.#writeContainer(value);
          high = boxedHigh(SlotTag.snapshot, 0);
        }
        break;
      default:
        throw new ChangedWhileStoring();
    }
    i32[slotWord] = low;
    i32[slotWord + 1] = high;
  }
}

/** Bytes of the reference list of a snapshot with `count` shared references. */
const refListBytes = (count: number): number => 8 + 8 * count;

/** Calls `visit` with each shared reference stored in the snapshot block at `blockUnit`. */
export function forEachSnapshotRef(
  i32: Int32Array,
  blockUnit: number,
  visit: (handle: Handle) => void,
): void {
  const listWord = blockUnit * 2 + 2 + (i32[blockUnit * 2 + 1] ?? 0) / 4;
  const count = i32[listWord] ?? 0;
  for (let at = 0; at < count; at += 1) {
    const unit = i32[listWord + 2 + 2 * at] ?? 0;
    const generation16 = i32[listWord + 3 + 2 * at] ?? 0;
    visit((generation16 * 2 ** 32 + unit) as Handle);
  }
}

/** Number of shared references stored in the snapshot block at `blockUnit`. */
export function snapshotRefCount(i32: Int32Array, blockUnit: number): number {
  return i32[blockUnit * 2 + 2 + (i32[blockUnit * 2 + 1] ?? 0) / 4] ?? 0;
}

// ---- read ---------------------------------------------------------------------------------------

/** Entries of the per-reader cache of short decoded strings (keys, mostly); a power of two. */
const internEntries = 1024;
/** Strings longer than this are not interned: comparing would cost as much as decoding. */
const internUnitsMax = 32;

/** Reads snapshots back as deeply frozen arrays and objects. One per codec (per worker). */
export class SnapshotReader {
  readonly #i32: Int32Array;
  readonly #u16: Uint16Array;
  readonly #f64: Float64Array;
  readonly #openShared: (handle: Handle) => object;
  /**
   * Direct-mapped by hash: the last short string decoded with that hash. Keys repeat across
   * snapshots; handing back the same string spares the decode and lets the engine skip
   * re-interning it when it becomes a property key. Always checked against the stored units.
   */
  readonly #interned: (string | undefined)[] = new Array<string | undefined>(internEntries);

  constructor(memory: HeapMemory, openShared: (handle: Handle) => object) {
    this.#i32 = memory.i32;
    this.#u16 = memory.u16;
    this.#f64 = memory.f64;
    this.#openShared = openShared;
  }

  /** The value of the snapshot block at `blockUnit` (already validated by the caller). */
  read(blockUnit: number): object {
    return this.#readContainer(blockUnit, blockUnit + rootUnitOffset);
  }

  #readContainer(blockUnit: number, nodeUnit: number): object {
    const i32 = this.#i32;
    const nodeWord = nodeUnit * 2;
    const kindWord = i32[nodeWord] ?? 0;
    const count = i32[nodeWord + 1] ?? 0;
    const kind = kindWord & nodeKindMask;
    if (kind === NodeKind.array) {
      return (kindWord & holesFlag) === 0
        ? this.#readPackedArray(blockUnit, nodeWord + 2, count)
        : this.#readHoleyArray(blockUnit, nodeWord + 2, count);
    }
    if (kind !== NodeKind.object && kind !== NodeKind.nullPrototypeObject) {
      throw new BugError(`snapshot node kind ${kindWord} at unit ${nodeUnit}`);
    }
    const record: Record<string, unknown> =
      kind === NodeKind.object ? {} : (Object.create(null) as Record<string, unknown>);
    const valuesWord = nodeWord + keysEndWords(count);
    for (let index = 0; index < count; index += 1) {
      const key = this.#readString((blockUnit + (i32[nodeWord + 2 + index] ?? 0)) * 2);
      const value = this.#readSlot(blockUnit, valuesWord + 2 * index);
      if (key === '__proto__') {
        Object.defineProperty(record, key, {
          value,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      } else {
        record[key] = value;
      }
    }
    return Object.freeze(record);
  }

  #readPackedArray(blockUnit: number, firstSlotWord: number, length: number): readonly unknown[] {
    const array: unknown[] = [];
    for (let index = 0; index < length; index += 1) {
      array.push(this.#readSlot(blockUnit, firstSlotWord + 2 * index));
    }
    return Object.freeze(array);
  }

  #readHoleyArray(blockUnit: number, firstSlotWord: number, length: number): readonly unknown[] {
    const i32 = this.#i32;
    const array = new Array<unknown>(length);
    for (let index = 0; index < length; index += 1) {
      const slotWord = firstSlotWord + 2 * index;
      if (i32[slotWord + 1] === immediateHigh && i32[slotWord] === Immediate.hole) continue;
      array[index] = this.#readSlot(blockUnit, slotWord);
    }
    return Object.freeze(array);
  }

  #readSlot(blockUnit: number, slotWord: number): unknown {
    const i32 = this.#i32;
    const high = i32[slotWord + 1] ?? 0;
    if (high >>> boxShift !== boxMark) return this.#f64[slotWord >>> 1];
    const low = i32[slotWord] ?? 0;
    switch ((high >>> tagShift) & tagMask) {
      case SlotTag.immediate:
        return immediateValue(low);
      case SlotTag.string:
        return this.#readString((blockUnit + low) * 2);
      case SlotTag.bigint:
        return readBigint(i32, (blockUnit + low) * 2);
      case SlotTag.snapshot:
        return this.#readContainer(blockUnit, blockUnit + low);
      case SlotTag.shared:
        return this.#openShared(handleOfHalves(low, high));
      default:
        throw new BugError(`snapshot slot word with tag ${(high >>> tagShift) & tagMask}`);
    }
  }

  #readString(lengthWord: number): string {
    const i32 = this.#i32;
    const length = i32[lengthWord] ?? 0;
    const unitsAt = (lengthWord + stringUnitsWordDelta) * 2;
    if (length > internUnitsMax) return readUnits(this.#u16, unitsAt, length);
    const entry = (i32[lengthWord + 1] ?? 0) & (internEntries - 1);
    const cached = this.#interned[entry];
    if (cached !== undefined && unitsEqual(cached, this.#u16, unitsAt, length)) return cached;
    const value = readUnits(this.#u16, unitsAt, length);
    this.#interned[entry] = value;
    return value;
  }
}

/** The value of an `Immediate` payload (never a hole: callers handle holes themselves). */
export function immediateValue(code: number): undefined | null | boolean {
  switch (code) {
    case Immediate.undefined:
      return undefined;
    case Immediate.null:
      return null;
    case Immediate.false:
      return false;
    case Immediate.true:
      return true;
    default:
      throw new BugError(`immediate slot word with code ${code}`);
  }
}

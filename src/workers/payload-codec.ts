/**
 * The inline payload codec of call and task records: a value written as bytes straight into a
 * record in shared memory, so that a tiny call costs no allocation in the heap and no
 * `postMessage`. It takes what calls usually carry — numbers, strings, booleans, null,
 * undefined, bigints, plain arrays and objects of those — and shared objects by reference (zero
 * copy: their `ref`, reopened by the reader with `heap.open`). Anything else, or a value too big
 * for the record, does not fit: the caller then stores the value in a heap cell (the value
 * codec of values/, which refuses what is not shareable) and writes the cell's reference.
 *
 * Format: one tag byte, then the tag's bytes, little endian.
 *
 * | tag | value       | bytes after the tag                                   |
 * |-----|-------------|-------------------------------------------------------|
 * | 0   | undefined   | none                                                  |
 * | 1   | null        | none                                                  |
 * | 2/3 | false/true  | none                                                  |
 * | 4   | int32       | 4                                                     |
 * | 5   | float64     | 8                                                     |
 * | 6   | string      | u32 length in UTF-16 units, then 2 bytes a unit       |
 * | 7   | array       | u32 count, then each item                             |
 * | 8   | object      | u32 count, then each key (as a string body) and value |
 * | 9   | shared ref  | f64 heapId, f64 handle (it passes 32 bits), u32 tag   |
 * | 10  | bigint      | a string body (its decimal digits)                    |
 * | 11  | heap cell   | a shared ref body: the value is the cell's content    |
 *
 * Lifetime of referenced objects: the writer keeps them alive (holds a wrapper) until the
 * reader has opened them; pool.ts and transaction-queue.ts say how.
 */
import { SharedObject, type SharedRef } from '../values/index.js';

export const PayloadTag = {
  undefined: 0,
  null: 1,
  false: 2,
  true: 3,
  int32: 4,
  float64: 5,
  string: 6,
  array: 7,
  object: 8,
  ref: 9,
  bigint: 10,
  cell: 11,
} as const;
export type PayloadTag = (typeof PayloadTag)[keyof typeof PayloadTag];

/** Returned by `encodePayload` when the value does not fit inline. */
export const doesNotFit = -1;

/** Nesting depth the inline codec follows before it leaves a value to the heap cell path. */
const inlineDepthMax = 8;

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Writes `value` into `bytes` from `offset`, never past `end`. Returns the offset after it, or
 * `doesNotFit` (the bytes written so far are garbage; nothing else is touched).
 */
export function encodePayload(view: DataView, offset: number, end: number, value: unknown): number {
  return encodeAt(view, offset, end, value, 0);
}

/**
 * Writes the array `[name, ...rest]`, or `[name, key, ...rest]` when `key` is given, without
 * making it (a call's or task's payload): the same bytes as `encodePayload` of that array.
 */
export function encodeJoined(
  view: DataView,
  offset: number,
  end: number,
  name: string,
  key: string | number | undefined,
  rest: readonly unknown[],
): number {
  if (offset + 5 > end) return doesNotFit;
  view.setUint8(offset, PayloadTag.array);
  view.setUint32(offset + 1, (key === undefined ? 1 : 2) + rest.length, true);
  let next = encodeAt(view, offset + 5, end, name, 1);
  if (next !== doesNotFit && key !== undefined) next = encodeAt(view, next, end, key, 1);
  for (const item of rest) {
    if (next === doesNotFit) return doesNotFit;
    next = encodeAt(view, next, end, item, 1);
  }
  return next;
}

/** What `decodeJoined` reads: a payload's name, its key if it has one, and the rest. */
export interface Joined {
  readonly name: string;
  readonly key: string | number | undefined;
  readonly rest: unknown[];
}

/** Reads what `encodeJoined` wrote (or a heap cell holding such an array) without copying. */
export function decodeJoined(
  view: DataView,
  offset: number,
  open: OpenRef,
  openCell: OpenRef,
  keyed: boolean,
): Joined {
  const reader: Reader = { view, at: offset, open, openCell };
  if (view.getUint8(offset) !== PayloadTag.array) {
    // A heap cell's array comes back frozen: copy its rest.
    const items = decodeNext(reader) as readonly unknown[];
    const name = String(items[0]);
    const key = keyed ? (items[1] as string | number) : undefined;
    return { name, key, rest: items.slice(keyed ? 2 : 1) };
  }
  const count = view.getUint32(offset + 1, true);
  reader.at = offset + 5;
  const name = String(decodeNext(reader));
  const key = keyed ? (decodeNext(reader) as string | number) : undefined;
  const restCount = count - (keyed ? 2 : 1);
  const rest = new Array<unknown>(restCount);
  for (let i = 0; i < restCount; i += 1) rest[i] = decodeNext(reader);
  return { name, key, rest };
}

function encodeAt(view: DataView, at: number, end: number, value: unknown, depth: number): number {
  if (at >= end) return doesNotFit;
  switch (typeof value) {
    case 'undefined':
      view.setUint8(at, PayloadTag.undefined);
      return at + 1;
    case 'boolean':
      view.setUint8(at, value ? PayloadTag.true : PayloadTag.false);
      return at + 1;
    case 'number':
      if ((value | 0) === value && !Object.is(value, -0)) {
        if (at + 5 > end) return doesNotFit;
        view.setUint8(at, PayloadTag.int32);
        view.setInt32(at + 1, value, true);
        return at + 5;
      }
      if (at + 9 > end) return doesNotFit;
      view.setUint8(at, PayloadTag.float64);
      view.setFloat64(at + 1, value, true);
      return at + 9;
    case 'string':
      view.setUint8(at, PayloadTag.string);
      return encodeString(view, at + 1, end, value);
    case 'bigint':
      view.setUint8(at, PayloadTag.bigint);
      return encodeString(view, at + 1, end, value.toString());
    case 'object':
      break;
    default:
      return doesNotFit;
  }
  if (value === null) {
    view.setUint8(at, PayloadTag.null);
    return at + 1;
  }
  if (value instanceof SharedObject) {
    view.setUint8(at, PayloadTag.ref);
    return encodeRef(view, at + 1, end, value.ref);
  }
  if (depth >= inlineDepthMax || at + 5 > end) return doesNotFit;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return doesNotFit;
    const items = value as readonly unknown[];
    view.setUint8(at, PayloadTag.array);
    view.setUint32(at + 1, items.length, true);
    let next = at + 5;
    // A hole is read as undefined, as the heap's snapshots do.
    for (const item of items) {
      next = encodeAt(view, next, end, item, depth + 1);
      if (next === doesNotFit) return doesNotFit;
    }
    return next;
  }
  if (!isPlainObject(value)) return doesNotFit;
  const keys = Object.keys(value);
  view.setUint8(at, PayloadTag.object);
  view.setUint32(at + 1, keys.length, true);
  let next = at + 5;
  for (const key of keys) {
    next = encodeString(view, next, end, key);
    if (next === doesNotFit) return doesNotFit;
    next = encodeAt(view, next, end, (value as Record<string, unknown>)[key], depth + 1);
    if (next === doesNotFit) return doesNotFit;
  }
  return next;
}

function encodeString(view: DataView, at: number, end: number, text: string): number {
  const next = at + 4 + 2 * text.length;
  if (next > end) return doesNotFit;
  view.setUint32(at, text.length, true);
  for (let i = 0; i < text.length; i += 1) view.setUint16(at + 4 + 2 * i, text.charCodeAt(i), true);
  return next;
}

const refBytes = 20;

/** Writes a reference (to a shared object, or to the heap cell holding a big value). */
export function encodeRef(view: DataView, at: number, end: number, ref: SharedRef): number {
  if (at + refBytes > end) return doesNotFit;
  view.setFloat64(at, ref.heapId, true);
  view.setFloat64(at + 8, ref.handle, true);
  view.setUint32(at + 16, ref.tag, true);
  return at + refBytes;
}

/** What decoding needs from the heap: reopening a referenced shared object. */
export type OpenRef = (ref: SharedRef) => unknown;

/** A cursor over a payload being decoded. */
interface Reader {
  readonly view: DataView;
  at: number;
  readonly open: OpenRef;
  /** The value of a heap cell reference (tag 11): its content, read and let go. */
  readonly openCell: OpenRef;
}

/** Reads the value `encodePayload` wrote at `offset`. */
export function decodePayload(
  view: DataView,
  offset: number,
  open: OpenRef,
  openCell: OpenRef,
): unknown {
  return decodeNext({ view, at: offset, open, openCell });
}

function decodeNext(reader: Reader): unknown {
  const { view } = reader;
  const tag = view.getUint8(reader.at) as PayloadTag;
  reader.at += 1;
  switch (tag) {
    case PayloadTag.undefined:
      return undefined;
    case PayloadTag.null:
      return null;
    case PayloadTag.false:
      return false;
    case PayloadTag.true:
      return true;
    case PayloadTag.int32:
      reader.at += 4;
      return view.getInt32(reader.at - 4, true);
    case PayloadTag.float64:
      reader.at += 8;
      return view.getFloat64(reader.at - 8, true);
    case PayloadTag.string:
      return decodeString(reader);
    case PayloadTag.bigint:
      return BigInt(decodeString(reader));
    case PayloadTag.array: {
      const count = view.getUint32(reader.at, true);
      reader.at += 4;
      const items = new Array<unknown>(count);
      for (let i = 0; i < count; i += 1) items[i] = decodeNext(reader);
      return items;
    }
    case PayloadTag.object: {
      const count = view.getUint32(reader.at, true);
      reader.at += 4;
      const object: Record<string, unknown> = {};
      for (let i = 0; i < count; i += 1) {
        const key = decodeString(reader);
        const value = decodeNext(reader);
        // An own "__proto__" key is a field, not the prototype.
        if (key === '__proto__') {
          Object.defineProperty(object, key, {
            value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } else {
          object[key] = value;
        }
      }
      return object;
    }
    case PayloadTag.ref:
      return reader.open(decodeRef(reader));
    case PayloadTag.cell:
      return reader.openCell(decodeRef(reader));
    default:
      throw new Error(`BUG: payload tag ${String(tag)} at byte ${String(reader.at - 1)}`);
  }
}

function decodeString(reader: Reader): string {
  const { view } = reader;
  const length = view.getUint32(reader.at, true);
  const from = reader.at + 4;
  reader.at = from + 2 * length;
  // Function and task names repeat: the string read last is reused when the units match, so a
  // name is neither rebuilt nor rehashed by the lookup that follows.
  if (length === lastString.length && length <= stringCacheUnitsMax) {
    let same = true;
    for (let i = 0; i < length && same; i += 1) {
      same = lastString.charCodeAt(i) === view.getUint16(from + 2 * i, true);
    }
    if (same) return lastString;
  }
  let text = '';
  for (let i = 0; i < length; i += 1) {
    text += String.fromCharCode(view.getUint16(from + 2 * i, true));
  }
  if (length <= stringCacheUnitsMax) lastString = text;
  return text;
}

/** Strings up to this many UTF-16 units are compared with the last one read (names). */
const stringCacheUnitsMax = 32;
let lastString = '';

function decodeRef(reader: Reader): SharedRef {
  const { view, at } = reader;
  reader.at = at + refBytes;
  return {
    kind: 'shared-objects/ref',
    heapId: view.getFloat64(at, true),
    handle: view.getFloat64(at + 8, true),
    tag: view.getUint32(at + 16, true),
  };
}

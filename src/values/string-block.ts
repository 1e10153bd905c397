/**
 * Immutable strings in shared memory: UTF-16 code units with their length and a cached hash.
 *
 * A string is stored either as its own block (a string in a cell) or as a node inside a snapshot
 * block (snapshot-block.ts). Both share one shape relative to the word that holds the length, so
 * one writer and one reader serve both:
 *
 * String block (`BlockTag.string`), offsets from the block start:
 *
 * | field      | offset | size     | atomic | written by              | invariant             |
 * |------------|--------|----------|--------|-------------------------|-----------------------|
 * | header     | 0      | 4        | no     | allocator               | tag `BlockTag.string` |
 * | length     | 4      | 4        | no     | encoder                 | code units, ≥ 0       |
 * |            |        |          |        | (the header's aux word) |                       |
 * | hash       | 8      | 4        | no     | encoder                 | `stringHash(string)`  |
 * | code units | 12     | 2·length | no     | encoder                 | never change          |
 *
 * String node inside a snapshot, offsets from the node start (8-byte aligned):
 *
 * | field      | offset | size     | atomic | written by | invariant            |
 * |------------|--------|----------|--------|------------|----------------------|
 * | length     | 0      | 4        | no     | encoder    | code units, ≥ 0      |
 * | hash       | 4      | 4        | no     | encoder    | `stringHash(string)` |
 * | code units | 8      | 2·length | no     | encoder    | padded to 8 bytes    |
 *
 * Everything is written with plain stores before the block's handle is published by an atomic
 * store (a cell's exchange or CAS), which orders these writes before any reader's loads; after
 * that nothing changes until the block is freed, so readers use plain loads.
 *
 * Code units are copied as they are, so lone surrogates survive (TextEncoder/TextDecoder would
 * replace them, and browsers refuse shared memory in TextDecoder). Decoding uses
 * `String.fromCharCode`: with the units as arguments for short strings (measured 22 ns for 16
 * units, against 95 ns for `apply` over a subarray), over chunks of a subarray for long ones.
 */

/** `hash` and `length` words sit right after each other; the units start 8 bytes after length. */
export const stringHashWordDelta = 1;
export const stringUnitsWordDelta = 2;

/** Payload bytes of a string block (after the 8-byte header) for `length` code units. */
export const stringBlockPayloadBytes = (length: number): number => 4 + 2 * length;

/** Bytes of a string node in a snapshot (8-byte aligned). */
export const stringNodeBytes = (length: number): number => (8 + 2 * length + 7) & ~7;

// ---- hash ---------------------------------------------------------------------------------------

/*
 * MurmurHash3 (x86, 32-bit; Austin Appleby) over pairs of UTF-16 code units. It passes SMHasher,
 * its finaliser avalanches every input bit into every output bit (so a table can index with the
 * low bits alone), and it costs two multiplies per two code units with no table. FNV-1a is
 * simpler but multiplies per unit and mixes poorly into the low bits of short keys.
 */
const murmurSeed = 0x9747b28c;
const murmurC1 = 0xcc9e2d51;
const murmurC2 = 0x1b873593;

function murmurScramble(k: number): number {
  const scrambled = Math.imul(k, murmurC1);
  return Math.imul((scrambled << 15) | (scrambled >>> 17), murmurC2);
}

function murmurMix(hash: number, pair: number): number {
  const mixed = hash ^ murmurScramble(pair);
  return (Math.imul((mixed << 13) | (mixed >>> 19), 5) + 0xe6546b64) | 0;
}

function murmurFinish(hash: number, length: number): number {
  let h = hash ^ length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/**
 * The 32-bit hash of a string's UTF-16 code units, as a signed 32-bit integer: exactly the value
 * a string block or node stores (read back from an `Int32Array`), so hash maps can compare a key's
 * hash with a stored one without decoding the string.
 */
export function stringHash(value: string): number {
  const length = value.length;
  let hash = murmurSeed;
  let at = 0;
  for (; at + 1 < length; at += 2) {
    hash = murmurMix(hash, value.charCodeAt(at) | (value.charCodeAt(at + 1) << 16));
  }
  if (at < length) hash ^= murmurScramble(value.charCodeAt(at));
  return murmurFinish(hash, length);
}

// ---- write --------------------------------------------------------------------------------------

/**
 * Writes `value`'s length at `lengthWord`, its hash after it and its code units after that,
 * hashing in the same pass as the copy (the same steps as `stringHash`).
 */
export function writeString(
  i32: Int32Array,
  u16: Uint16Array,
  lengthWord: number,
  value: string,
): void {
  const length = value.length;
  let unitIndex = (lengthWord + stringUnitsWordDelta) * 2;
  let hash = murmurSeed;
  let at = 0;
  for (; at + 1 < length; at += 2) {
    const first = value.charCodeAt(at);
    const second = value.charCodeAt(at + 1);
    u16[unitIndex] = first;
    u16[unitIndex + 1] = second;
    unitIndex += 2;
    hash = murmurMix(hash, first | (second << 16));
  }
  if (at < length) {
    const last = value.charCodeAt(at);
    u16[unitIndex] = last;
    hash ^= murmurScramble(last);
  }
  i32[lengthWord] = length;
  i32[lengthWord + stringHashWordDelta] = murmurFinish(hash, length);
}

// ---- read ---------------------------------------------------------------------------------------

/*
 * `fromCharCode` typed to accept the `number | undefined` that indexing a typed array has under
 * `noUncheckedIndexedAccess`. Every index below is in bounds (the length was read from the same
 * block); an out-of-bounds `undefined` would become code unit 0, never garbage.
 */
const fromUnits = String.fromCharCode as (...units: (number | undefined)[]) => string;
/** Units per `fromCharCode.apply` call: far below any engine's argument limit. */
const applyChunkUnits = 8192;
/** Up to this length, strings are built from 8-unit pieces passed as arguments. */
const shortStringUnitsMax = 32;

function readUpTo8(u16: Uint16Array, at: number, length: number): string {
  switch (length) {
    case 0:
      return '';
    case 1:
      return fromUnits(u16[at]);
    case 2:
      return fromUnits(u16[at], u16[at + 1]);
    case 3:
      return fromUnits(u16[at], u16[at + 1], u16[at + 2]);
    case 4:
      return fromUnits(u16[at], u16[at + 1], u16[at + 2], u16[at + 3]);
    case 5:
      return fromUnits(u16[at], u16[at + 1], u16[at + 2], u16[at + 3], u16[at + 4]);
    case 6:
      return fromUnits(u16[at], u16[at + 1], u16[at + 2], u16[at + 3], u16[at + 4], u16[at + 5]);
    case 7:
      return fromUnits(
        u16[at],
        u16[at + 1],
        u16[at + 2],
        u16[at + 3],
        u16[at + 4],
        u16[at + 5],
        u16[at + 6],
      );
    default:
      return fromUnits(
        u16[at],
        u16[at + 1],
        u16[at + 2],
        u16[at + 3],
        u16[at + 4],
        u16[at + 5],
        u16[at + 6],
        u16[at + 7],
      );
  }
}

function readChunk(u16: Uint16Array, at: number, end: number): string {
  // A typed array is an array-like, which is all `apply` needs; spreading would go through the
  // iterator protocol instead.
  // eslint-disable-next-line prefer-spread
  return fromUnits.apply(null, u16.subarray(at, end) as unknown as number[]);
}

/** The string of `length` code units starting at `u16[at]`. */
export function readUnits(u16: Uint16Array, at: number, length: number): string {
  if (length <= 8) return readUpTo8(u16, at, length);
  const end = at + length;
  if (length <= shortStringUnitsMax) {
    let result = readUpTo8(u16, at, 8);
    for (let piece = at + 8; piece < end; piece += 8) {
      result += readUpTo8(u16, piece, Math.min(8, end - piece));
    }
    return result;
  }
  if (length <= applyChunkUnits) return readChunk(u16, at, end);
  const chunks: string[] = [];
  for (let chunk = at; chunk < end; chunk += applyChunkUnits) {
    chunks.push(readChunk(u16, chunk, Math.min(chunk + applyChunkUnits, end)));
  }
  return chunks.join('');
}

/** The string whose length word is `lengthWord` (a string block's aux word, or a node's start). */
export function readString(i32: Int32Array, u16: Uint16Array, lengthWord: number): string {
  const length = i32[lengthWord] ?? 0;
  return readUnits(u16, (lengthWord + stringUnitsWordDelta) * 2, length);
}

/** True when `candidate` has exactly the `length` code units stored from `u16[at]`. */
export function unitsEqual(
  candidate: string,
  u16: Uint16Array,
  at: number,
  length: number,
): boolean {
  if (candidate.length !== length) return false;
  for (let index = 0; index < length; index += 1) {
    if (candidate.charCodeAt(index) !== u16[at + index]) return false;
  }
  return true;
}

/**
 * Keys of a `SharedMap` or `SharedSet`: which values may be keys, their hash, and SameValueZero
 * equality between a key looked up and a key stored in an entry.
 *
 * A key is a primitive that a cell can hold (number, string, bigint, boolean, null, undefined)
 * or a shared object of the same heap (compared by identity, like a `Map` compares objects).
 * Plain objects and arrays are refused: stored, they would become snapshots, and a snapshot has
 * no identity to look up by. `-0` is stored as `0`, and every NaN is one key (SameValueZero).
 */
import { NotShareableError } from '../base/index.js';
import type { HeapContext } from '../objects/index.js';
import { SharedObject, stringHash, type ValueCodec } from '../values/index.js';

/** A key being looked up: its normalised value, its hash, and (unless it needs decoding) its word. */
export interface Probe {
  readonly key: unknown;
  readonly hash: number;
  /** The slot word the key is stored as, for keys compared by word; undefined for strings, bigints. */
  readonly word: bigint | undefined;
}

const scratch = new Float64Array(1);
const scratchHalves = new Int32Array(scratch.buffer);

/** A 32-bit finaliser (MurmurHash3's fmix32): spreads close inputs over every bucket bit. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** The hash of a normalised key (see `normaliseKey`). */
export function keyHash(key: unknown): number {
  switch (typeof key) {
    case 'number':
      scratch[0] = key;
      return mix((scratchHalves[0] ?? 0) ^ Math.imul(scratchHalves[1] ?? 0, 0x9e3779b1));
    case 'string':
      return mix(stringHash(key));
    case 'bigint':
      return mix(stringHash(key.toString(16)) ^ 0x5bd1e995);
    case 'boolean':
      return key ? 0x3c6ef372 : 0x1b873593;
    case 'undefined':
      return 0x27d4eb2f;
    default:
      if (key === null) return 0x165667b1;
      return mix(((key as SharedObject).handle % 0x1_0000_0000) ^ 0x7feb352d);
  }
}

/** `-0` as `0` (SameValueZero), and refuses keys that have no identity to look up by. */
export function normaliseKey(key: unknown, what: string): unknown {
  if (key === 0) return 0;
  const type = typeof key;
  if (type === 'object' && key !== null && !(key instanceof SharedObject)) {
    throw new NotShareableError(
      'key',
      `${what} takes primitives and shared objects as keys (a plain object or array stored ` +
        `as a key would be a copy, never equal to the key looked up)`,
    );
  }
  if (type === 'function' || type === 'symbol') {
    throw new NotShareableError('key', `${what}: a ${type} cannot be a key of a shared collection`);
  }
  return key;
}

/** The probe for `key` (already normalised); encodes nothing that would allocate. */
export function probeOf(codec: ValueCodec, key: unknown): Probe {
  return { key, hash: keyHash(key), word: keyWordOf(codec, key) };
}

/** SameValueZero of the probe and the key stored as `word` in an entry whose hash matched. */
export function keyMatches(context: HeapContext, probe: Probe, word: bigint): boolean {
  return keyEquals(context, probe.key, probe.word, word);
}

/** SameValueZero of `key` (normalised; `keyWord` as in `Probe`) and the key stored as `word`. */
export function keyEquals(
  context: HeapContext,
  key: unknown,
  keyWord: bigint | undefined,
  word: bigint,
): boolean {
  if (keyWord !== undefined) return keyWord === word;
  if (typeof key === 'string') return context.codec.stringEquals(word, key);
  return context.codec.decode(word) === key;
}

/** The word a normalised key is compared by, or undefined for strings and bigints. */
export function keyWordOf(codec: ValueCodec, key: unknown): bigint | undefined {
  const type = typeof key;
  return type !== 'string' && type !== 'bigint' ? codec.encode(key) : undefined;
}

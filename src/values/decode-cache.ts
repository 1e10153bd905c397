/**
 * A small direct-mapped cache, per codec (so per worker, never shared), of decoded immutable
 * blocks: strings, bigints and snapshots. Reading an unchanged cell again returns the very same
 * frozen object at the cost of a few loads, instead of decoding the block again.
 *
 * Why it is safe:
 * 1. Blocks of these kinds never change between allocation and free (string-block.ts,
 *    bigint-block.ts, snapshot-block.ts), and decoded snapshots are deeply frozen, so handing the
 *    same JS value out twice is indistinguishable from decoding twice (except `===`, which is the
 *    point).
 * 2. An entry is keyed by the block's unit and checked against the block's header word 0 (tag and
 *    24-bit generation, alloc/block-header.ts). Freeing a block bumps its generation, so a block
 *    freed and reused — even for the same kind of value — no longer matches its stale entries.
 *    The only way to be fooled is for one block to be freed and reused 2^24 times while its entry
 *    sits untouched in this cache, each time by a value of the same kind.
 * 3. Readers only decode words they loaded from a live cell while the reclamation layer keeps the
 *    block alive, so the header they compare with is the header of the block the word names.
 *
 * Only blocks of at most `cachedPayloadBytesMax` are kept, so the cache holds at most
 * entries × that many bytes of decoded values alive (4 MiB for the defaults, before JS overhead).
 */

/** Returned by `get` when the cache has no valid entry. */
export const cacheMiss: unique symbol = Symbol('cacheMiss');

/** Default entries; a power of two. */
export const decodeCacheEntriesDefault = 256;
/** Larger blocks are decoded every time: caching them would pin too much memory. */
export const cachedPayloadBytesMax = 16 * 1024;

export class DecodeCache {
  readonly #mask: number;
  readonly #shift: number;
  /** Unit of the block each entry holds; 0 (never a block: heap metadata lives there) if empty. */
  readonly #units: Int32Array;
  /** Header word 0 the block had when it was decoded. */
  readonly #headers: Int32Array;
  readonly #values: unknown[];

  /** `entries` must be a power of two, or 0 to cache nothing. */
  constructor(entries: number) {
    if (!(entries === 0 || (Number.isInteger(entries) && (entries & (entries - 1)) === 0))) {
      throw new RangeError(`decode cache entries must be 0 or a power of two, got ${entries}`);
    }
    this.#mask = entries - 1;
    this.#shift = 32 - Math.log2(Math.max(entries, 1));
    this.#units = new Int32Array(entries);
    this.#headers = new Int32Array(entries);
    this.#values = new Array<unknown>(entries);
  }

  /** Fibonacci hashing: units are multiples of the block size, so their low bits repeat. */
  #entryOf(unit: number): number {
    return (Math.imul(unit, 0x9e3779b1) >>> this.#shift) & this.#mask;
  }

  get(unit: number, headerWord0: number): unknown {
    if (this.#mask < 0) return cacheMiss;
    const entry = this.#entryOf(unit);
    if (this.#units[entry] !== unit || this.#headers[entry] !== headerWord0) return cacheMiss;
    return this.#values[entry];
  }

  set(unit: number, headerWord0: number, value: unknown): void {
    if (this.#mask < 0) return;
    const entry = this.#entryOf(unit);
    this.#units[entry] = unit;
    this.#headers[entry] = headerWord0;
    this.#values[entry] = value;
  }
}

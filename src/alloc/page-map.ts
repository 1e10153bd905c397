/**
 * A bitmap with one bit per superblock, changed only by atomic read-modify-writes. The page map
 * (bit set = superblock in use) hands out single superblocks and runs of them for large blocks; the
 * abandoned map (bit set = superblock whose owner left) lets workers find superblocks to adopt.
 *
 * | field | offset     | size          | atomic | written by                  | invariant          |
 * |-------|------------|---------------|--------|-----------------------------|--------------------|
 * | word  | 4 × i      | 4             | yes    | claimers (CAS), releasers   | bits past the last |
 * |       |            |               |        | (Atomics.and)               | superblock stay 1 in the page map |
 *
 * Claiming a run: scan for `count` clear bits (plain snapshot via Atomics.load), then set them word
 * by word with CAS, each CAS requiring the run's bits in that word to be still clear. If any CAS
 * finds a bit taken, the words already set are cleared again and the scan restarts. Linearisation
 * point of a successful claim: the CAS that sets the last word of the run; a run is never handed
 * to two claimers because every bit of it was set by exactly one successful CAS.
 * Scanning starts at bit 0 so that the lowest superblocks are reused first: the heap's resident
 * footprint stays as small as its live data allows.
 */
import { limits, type WordIndex } from '../base/index.js';

const allBits = -1;

/** The bits of word `word` covered by the run [first, first + count). */
function runMaskInWord(word: number, first: number, count: number): number {
  const lo = Math.max(first, word * 32) - word * 32;
  const hi = Math.min(first + count, word * 32 + 32) - word * 32;
  const width = hi - lo;
  return width === 32 ? allBits : ((1 << width) - 1) << lo;
}

export class SuperblockBitmap {
  private readonly i32: Int32Array;
  private readonly base: WordIndex;
  readonly bitCount: number;
  private readonly wordCount: number;

  constructor(i32: Int32Array, base: WordIndex, bitCount: number) {
    this.i32 = i32;
    this.base = base;
    this.bitCount = bitCount;
    this.wordCount = Math.ceil(bitCount / 32);
  }

  /** Creator only, before the heap is shared: mark the bits past the last superblock as taken. */
  sealTail(): void {
    const usedInLast = this.bitCount % 32;
    if (usedInLast !== 0) {
      this.i32[this.base + this.wordCount - 1] = allBits << usedInLast;
    }
  }

  test(index: number): boolean {
    return (Atomics.load(this.i32, this.base + (index >>> 5)) & (1 << (index & 31))) !== 0;
  }

  set(index: number): void {
    Atomics.or(this.i32, this.base + (index >>> 5), 1 << (index & 31));
  }

  clear(index: number): void {
    Atomics.and(this.i32, this.base + (index >>> 5), ~(1 << (index & 31)));
  }

  /** Clears the bits of a run this worker holds. */
  releaseRun(first: number, count: number): void {
    const lastWord = (first + count - 1) >>> 5;
    for (let word = first >>> 5; word <= lastWord; word += 1) {
      // ORDERING: the release publishes every write made to the run's descriptors before it.
      Atomics.and(this.i32, this.base + word, ~runMaskInWord(word, first, count));
    }
  }

  /** Claims `count` consecutive clear bits; returns the first index, or -1 if no run is free. */
  claimRun(count: number): number {
    for (let attempt = 0; attempt < limits.pageClaimAttemptsMax; attempt += 1) {
      const first = count === 1 ? this.findClearBit() : this.findClearRun(count);
      if (first < 0) return -1;
      if (this.trySetRun(first, count)) return first;
    }
    return -1;
  }

  /** Index of the lowest set bit at or after `from`, or -1. */
  nextSet(from: number): number {
    for (let word = from >>> 5; word < this.wordCount; word += 1) {
      let bits = Atomics.load(this.i32, this.base + word);
      if (word === from >>> 5) bits &= allBits << (from & 31);
      if (bits !== 0) {
        const index = word * 32 + (31 - Math.clz32(bits & -bits));
        return index < this.bitCount ? index : -1;
      }
    }
    return -1;
  }

  /** Number of set bits among the real superblocks. */
  countSet(): number {
    let total = 0;
    for (let word = 0; word < this.wordCount; word += 1) {
      let bits = Atomics.load(this.i32, this.base + word);
      if (word === this.wordCount - 1 && this.bitCount % 32 !== 0) {
        bits &= ~(allBits << (this.bitCount % 32));
      }
      while (bits !== 0) {
        bits &= bits - 1;
        total += 1;
      }
    }
    return total;
  }

  private findClearBit(): number {
    for (let word = 0; word < this.wordCount; word += 1) {
      const bits = Atomics.load(this.i32, this.base + word);
      if (bits !== allBits) {
        const lowestClear = ~bits & (bits + 1);
        return word * 32 + (31 - Math.clz32(lowestClear));
      }
    }
    return -1;
  }

  private findClearRun(count: number): number {
    let runStart = 0;
    let runLength = 0;
    for (let word = 0; word < this.wordCount; word += 1) {
      const bits = Atomics.load(this.i32, this.base + word);
      if (bits === allBits) {
        runLength = 0;
        continue;
      }
      if (bits === 0) {
        if (runLength === 0) runStart = word * 32;
        runLength += 32;
        if (runLength >= count) return runStart;
        continue;
      }
      for (let bit = 0; bit < 32; bit += 1) {
        if ((bits & (1 << bit)) !== 0) {
          runLength = 0;
        } else {
          if (runLength === 0) runStart = word * 32 + bit;
          runLength += 1;
          if (runLength >= count) return runStart;
        }
      }
    }
    return -1;
  }

  private trySetRun(first: number, count: number): boolean {
    const firstWord = first >>> 5;
    const lastWord = (first + count - 1) >>> 5;
    for (let word = firstWord; word <= lastWord; word += 1) {
      if (!this.trySetMask(word, runMaskInWord(word, first, count))) {
        for (let undo = firstWord; undo < word; undo += 1) {
          Atomics.and(this.i32, this.base + undo, ~runMaskInWord(undo, first, count));
        }
        return false;
      }
    }
    return true;
  }

  /** Sets `mask` in one word if all of its bits are clear; other bits may change meanwhile. */
  private trySetMask(word: number, mask: number): boolean {
    const index = this.base + word;
    for (let attempt = 0; attempt < limits.pageClaimAttemptsMax; attempt += 1) {
      const bits = Atomics.load(this.i32, index);
      if ((bits & mask) !== 0) return false;
      // ORDERING: the successful CAS is the claim; the claimer's later descriptor writes follow it.
      if (Atomics.compareExchange(this.i32, index, bits, bits | mask) === bits) return true;
    }
    return false;
  }
}

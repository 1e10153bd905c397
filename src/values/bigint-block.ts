/**
 * Immutable bigints in shared memory, of any size and sign: a signed limb count and the magnitude
 * as 32-bit limbs, least significant first. The sign lives in the count, as GMP's `_mp_size` does,
 * so zero is simply a count of 0 and no limbs.
 *
 * A bigint is stored either as its own block (a bigint in a cell) or as a node inside a snapshot
 * block (snapshot-block.ts); both have the same shape relative to the count word.
 *
 * Bigint block (`BlockTag.bigint`), offsets from the block start:
 *
 * | field  | offset | size    | atomic | written by              | invariant                    |
 * |--------|--------|---------|--------|-------------------------|------------------------------|
 * | header | 0      | 4       | no     | allocator               | tag `BlockTag.bigint`        |
 * | count  | 4      | 4       | no     | encoder                 | ±limbs (sign of the bigint); |
 * |        |        |         |        | (the header's aux word) | 0 for 0n                     |
 * | limbs  | 8      | 4·limbs | no     | encoder                 | top limb ≠ 0; never change   |
 *
 * Bigint node inside a snapshot, offsets from the node start (8-byte aligned):
 *
 * | field | offset | size    | atomic | written by | invariant                  |
 * |-------|--------|---------|--------|------------|----------------------------|
 * | count | 0      | 4       | no     | encoder    | as above                   |
 * | limbs | 4      | 4·limbs | no     | encoder    | as above; node padded to 8 |
 *
 * Written with plain stores before the handle is published by an atomic store; immutable after.
 *
 * Conversion: magnitudes below 2^64 go through the 8-byte scratch word (no string); larger ones
 * through hexadecimal text, which engines convert in linear time for power-of-two radixes.
 */
import { scratchHalves, scratchWord } from './slot-word.js';

const scratchUnsigned = new BigUint64Array(scratchWord.buffer);
const uint64Max = 2n ** 64n - 1n;
const hexDigitsPerLimb = 8;
/**
 * Up to this many limbs, magnitudes are assembled 64 bits at a time with shifts (measured ≈ 5×
 * faster than hexadecimal text for 4 limbs); beyond it shifting is quadratic and hex wins.
 */
const shiftLimbsMax = 16;

/** Payload bytes of a bigint block with `limbs` limbs. */
export const bigintBlockPayloadBytes = (limbs: number): number => 4 * limbs;

/** Bytes of a bigint node in a snapshot (8-byte aligned). */
export const bigintNodeBytes = (limbs: number): number => (4 + 4 * limbs + 7) & ~7;

/** How many 32-bit limbs the magnitude of `value` needs (0 for 0n). */
export function bigintLimbCount(value: bigint): number {
  const magnitude = value < 0n ? -value : value;
  if (magnitude <= uint64Max) {
    scratchUnsigned[0] = magnitude;
    if (scratchHalves[1] !== 0) return 2;
    return scratchHalves[0] !== 0 ? 1 : 0;
  }
  return Math.ceil(magnitude.toString(16).length / hexDigitsPerLimb);
}

/** Writes `value` as its signed count at `countWord` and its limbs right after. */
export function writeBigint(i32: Int32Array, countWord: number, value: bigint): void {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  let count: number;
  if (magnitude <= uint64Max) {
    scratchUnsigned[0] = magnitude;
    const low = scratchHalves[0] ?? 0;
    const high = scratchHalves[1] ?? 0;
    count = high !== 0 ? 2 : low !== 0 ? 1 : 0;
    if (count >= 1) i32[countWord + 1] = low;
    if (count === 2) i32[countWord + 2] = high;
  } else {
    const hex = magnitude.toString(16);
    count = Math.ceil(hex.length / hexDigitsPerLimb);
    for (let limb = 0; limb < count; limb += 1) {
      const end = hex.length - limb * hexDigitsPerLimb;
      const digits = hex.slice(Math.max(0, end - hexDigitsPerLimb), end);
      i32[countWord + 1 + limb] = Number.parseInt(digits, 16) | 0;
    }
  }
  i32[countWord] = negative ? -count : count;
}

/** The bigint whose signed count is at `countWord`. */
export function readBigint(i32: Int32Array, countWord: number): bigint {
  const signedCount = i32[countWord] ?? 0;
  const count = Math.abs(signedCount);
  let magnitude: bigint;
  if (count <= shiftLimbsMax) {
    // 64 bits at a time, most significant first; an odd count starts with the lone top limb.
    let limb = count;
    magnitude = 0n;
    if (count % 2 === 1) {
      scratchHalves[0] = i32[countWord + count] ?? 0;
      scratchHalves[1] = 0;
      magnitude = scratchUnsigned[0] ?? 0n;
      limb = count - 1;
    }
    for (; limb >= 2; limb -= 2) {
      scratchHalves[0] = i32[countWord + limb - 1] ?? 0;
      scratchHalves[1] = i32[countWord + limb] ?? 0;
      magnitude = (magnitude << 64n) | (scratchUnsigned[0] ?? 0n);
    }
  } else {
    const digits: string[] = [((i32[countWord + count] ?? 0) >>> 0).toString(16)];
    for (let limb = count - 1; limb >= 1; limb -= 1) {
      digits.push(
        ((i32[countWord + limb] ?? 0) >>> 0).toString(16).padStart(hexDigitsPerLimb, '0'),
      );
    }
    magnitude = BigInt(`0x${digits.join('')}`);
  }
  return signedCount < 0 ? -magnitude : magnitude;
}

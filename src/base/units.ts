/**
 * Branded units (STYLE.md §5). Byte offsets, word indexes and handles are all plain numbers at run
 * time; the brands make the type checker refuse to pass one where another is expected, so an
 * `Int32Array` index can never be used as a byte offset by accident.
 */

declare const brand: unique symbol;
type Branded<T, B extends string> = T & { readonly [brand]: B };

/** Offset in bytes from the start of the heap's `SharedArrayBuffer`. */
export type ByteOffset = Branded<number, 'ByteOffset'>;
/** Index into the heap's `Int32Array` view (byte offset / 4). */
export type WordIndex = Branded<number, 'WordIndex'>;
/** Index into the heap's `BigInt64Array` / `Float64Array` views (byte offset / 8). */
export type SlotIndex = Branded<number, 'SlotIndex'>;
/**
 * Names one block: its offset in 8-byte units (low 32 bits) and its generation (next 16 bits),
 * packed into one safe integer, `generation * 2^32 + unit`. See alloc/handle.ts.
 */
export type Handle = Branded<number, 'Handle'>;

export const byteOffset = (n: number): ByteOffset => n as ByteOffset;
export const wordIndex = (offset: ByteOffset): WordIndex => (offset / 4) as WordIndex;
export const slotIndex = (offset: ByteOffset): SlotIndex => (offset / 8) as SlotIndex;

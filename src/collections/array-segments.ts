/**
 * The segments of a `SharedArray` (layout: array-layout.ts): making one, and walking those of an
 * array nobody can reach any more (its teardown, objects/kinds.ts).
 */
import { handleUnit } from '../alloc/index.js';
import type { Handle } from '../base/index.js';
import type { HeapMemory } from '../memory/index.js';
import type { HeapContext } from '../objects/index.js';
import { twordValue } from '../stm/index.js';
import { holeWord, numberOfWord } from '../values/index.js';
import {
  arrayDirectoryWord,
  arraySegmentTag,
  segmentPayloadBytes,
  segmentSlots,
  segmentSlotWord,
  segmentsMax,
} from './array-layout.js';

export /** A new segment `segment`, every slot a hole (not published yet). */
function createSegment(context: HeapContext, segment: number): Handle {
  const handle = context.allocator.allocate(arraySegmentTag, segmentPayloadBytes(segment));
  const unit = handleUnit(handle);
  const b64 = context.memory.b64;
  const slots = segmentSlots(segment);
  // Zeros make valid transactional words (unlocked, version 0); then each value a hole.
  b64.fill(0n, unit + 1, segmentSlotWord(unit, slots));
  for (let slot = 0; slot < slots; slot += 1) {
    b64[twordValue(segmentSlotWord(unit, slot))] = holeWord;
  }
  return handle;
}

export /** Calls `visit` with the handle and unit of each segment of the unreachable array at `unit`. */
function forEachSegmentOf(
  memory: HeapMemory,
  unit: number,
  visit: (handle: Handle, segment: number) => void,
): void {
  for (let segment = 0; segment < segmentsMax; segment += 1) {
    const word = Atomics.load(memory.b64, twordValue(arrayDirectoryWord(unit, segment)));
    const handle = numberOfWord(word) ?? 0;
    if (handle === 0) return;
    visit(handle as Handle, segment);
  }
}

/** Every element word of the unreachable array at `unit` (holes skipped: the elements). */
export function forEachArrayWord(
  memory: HeapMemory,
  unit: number,
  visit: (word: bigint) => void,
): void {
  // Every slot, holes skipped: by the hole invariant these are the elements below the length.
  forEachSegmentOf(memory, unit, (handle, segment) => {
    const segmentUnit = handleUnit(handle);
    for (let slot = 0; slot < segmentSlots(segment); slot += 1) {
      const word = Atomics.load(memory.b64, twordValue(segmentSlotWord(segmentUnit, slot)));
      if (word !== holeWord) visit(word);
    }
  });
}

// Test support for the values layer: a heap with one allocator and codec, a stand-in shared
// object, a deep equality that tells -0, NaN, holes, prototypes and key order apart, and a check
// that a decoded value is deeply frozen.
import {
  Allocator,
  allocatorUsage,
  BlockTag,
  formatAllocatorRegions,
} from '../../src/alloc/index.js';
import type { Handle, WordIndex } from '../../src/base/index.js';
import { headerWord, HeapMemory } from '../../src/memory/index.js';
import { SharedObject, ValueCodec, type ValueCodecOptions } from '../../src/values/index.js';

/** A shared object with no behaviour: a raw block standing for a map, a cell, … */
export class TestShared extends SharedObject {
  constructor(heapId: number, handle: Handle) {
    super(heapId, handle, BlockTag.raw);
  }
}

export interface TestHeap {
  readonly memory: HeapMemory;
  readonly allocator: Allocator;
  readonly codec: ValueCodec;
  /** A new shared object of this heap. */
  shared(): TestShared;
  usedBytes(): number;
}

export function testHeap(maxBytes = 16 << 20, options: ValueCodecOptions = {}): TestHeap {
  const memory = HeapMemory.create(maxBytes);
  formatAllocatorRegions(memory);
  const allocator = new Allocator(memory, 0, headerWord.superblockHighWater as WordIndex);
  const wrappers = new Map<Handle, TestShared>();
  const codec = new ValueCodec(
    memory,
    allocator,
    memory.heapId,
    (handle) => wrappers.get(handle) ?? new TestShared(memory.heapId, handle),
    options,
  );
  return {
    memory,
    allocator,
    codec,
    shared() {
      const wrapper = new TestShared(memory.heapId, allocator.allocate(BlockTag.raw, 8));
      wrappers.set(wrapper.handle, wrapper);
      return wrapper;
    },
    usedBytes: () => allocatorUsage(memory).usedBytes,
  };
}

/**
 * Structural equality for stored values: numbers by `Object.is` (so -0 and NaN count), arrays
 * hole for hole, objects with the same prototype (null or not) and the same keys in the same
 * order, shared objects by heap and handle. Returns a description of the first difference.
 */
export function difference(actual: unknown, expected: unknown, path = 'value'): string | undefined {
  if (typeof expected !== 'object' || expected === null) {
    return Object.is(actual, expected)
      ? undefined
      : `${path}: ${describe(actual)} !== ${describe(expected)}`;
  }
  if (typeof actual !== 'object' || actual === null)
    return `${path}: ${describe(actual)} is not an object`;
  if (expected instanceof SharedObject) {
    return actual instanceof SharedObject &&
      actual.heapId === expected.heapId &&
      actual.handle === expected.handle
      ? undefined
      : `${path}: not the same shared object`;
  }
  if (Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) {
    return `${path}: prototypes differ`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: not an array`;
    if (actual.length !== expected.length)
      return `${path}: length ${actual.length} !== ${expected.length}`;
    for (let index = 0; index < expected.length; index += 1) {
      if (index in actual !== index in expected) return `${path}[${index}]: hole differs`;
      const inner = difference(actual[index], expected[index], `${path}[${index}]`);
      if (inner !== undefined) return inner;
    }
    return undefined;
  }
  const actualKeys = Object.keys(actual);
  const expectedKeys = Object.keys(expected);
  if (
    actualKeys.join('\u0000') !== expectedKeys.join('\u0000') ||
    actualKeys.length !== expectedKeys.length
  ) {
    return `${path}: keys ${JSON.stringify(actualKeys)} !== ${JSON.stringify(expectedKeys)}`;
  }
  for (const key of expectedKeys) {
    const inner = difference(
      (actual as Record<string, unknown>)[key],
      (expected as Record<string, unknown>)[key],
      `${path}[${JSON.stringify(key)}]`,
    );
    if (inner !== undefined) return inner;
  }
  return undefined;
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value);
  return Object.is(value, -0) ? '-0' : String(value);
}

/** True when every array and plain object reachable from `value` is frozen (shared ones aside). */
export function isDeeplyFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || value instanceof SharedObject) return true;
  if (!Object.isFrozen(value)) return false;
  return Object.values(value).every(isDeeplyFrozen);
}

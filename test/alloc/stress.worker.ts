// One worker of the allocator stress test: allocates and frees blocks of mixed sizes for a while,
// stamping every word of each block's payload with its owner and sequence number and checking the
// stamp before the block is freed. Some blocks are handed to another worker, which checks and frees
// them (remote frees). Overlapping blocks (a block handed out twice) break a stamp.
import { parentPort, workerData } from 'node:worker_threads';
import { Allocator, BlockTag, handleUnit } from '../../src/alloc/index.js';
import type { Handle, WordIndex } from '../../src/base/index.js';
import { headerWord, HeapMemory } from '../../src/memory/index.js';

export interface StressData {
  readonly heap: SharedArrayBuffer;
  /** Per worker, `inboxSlots` BigInt64 slots: 0 = empty, else handle + 1. */
  readonly inboxes: SharedArrayBuffer;
  readonly inboxSlots: number;
  readonly workerIndex: number;
  readonly workerCount: number;
  readonly durationMs: number;
  readonly seed: number;
}

export interface StressResult {
  readonly allocations: number;
  readonly localFrees: number;
  readonly remoteFrees: number;
  readonly exhausted: number;
  readonly corruptions: string[];
}

const data = workerData as StressData;
const memory = HeapMemory.attach(data.heap);
const allocator = new Allocator(
  memory,
  data.workerIndex + 1,
  headerWord.superblockHighWater as WordIndex,
);
const inboxes = new BigInt64Array(data.inboxes);
const i32 = memory.i32;

let state = data.seed >>> 0 || 1;
function random(): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 2 ** 32;
}

interface Live {
  readonly handle: Handle;
  readonly words: number;
  readonly stamp: number;
}

const live: Live[] = [];
const result = {
  allocations: 0,
  localFrees: 0,
  remoteFrees: 0,
  exhausted: 0,
  corruptions: [] as string[],
};

function stampOf(sequence: number): number {
  return ((data.workerIndex + 1) << 24) | (sequence & 0xffffff);
}

function payloadWords(): number {
  const roll = random();
  if (roll < 0.6) return 2 + Math.floor(random() * 30);
  if (roll < 0.98) return 32 + Math.floor(random() * 1000);
  return 9000 + Math.floor(random() * 40_000);
}

function check(block: Live, where: string): void {
  const first = handleUnit(block.handle) * 2 + 2;
  for (let w = 0; w < block.words; w += 1) {
    if (i32[first + w] !== block.stamp) {
      result.corruptions.push(`${where}: block ${block.handle} word ${w} is not its stamp`);
      return;
    }
  }
}

function allocateOne(sequence: number): void {
  const words = payloadWords();
  let handle: Handle;
  try {
    handle = allocator.allocate(BlockTag.raw, words * 4);
  } catch {
    result.exhausted += 1;
    return;
  }
  result.allocations += 1;
  const stamp = stampOf(sequence);
  i32.fill(stamp, handleUnit(handle) * 2 + 2, handleUnit(handle) * 2 + 2 + words);
  // The stamp count rides in the aux word so that the receiver of a remote free can check it.
  i32[handleUnit(handle) * 2 + 1] = words;
  live.push({ handle, words, stamp });
}

function sendToAnother(block: Live): boolean {
  const target =
    (data.workerIndex + 1 + Math.floor(random() * (data.workerCount - 1))) % data.workerCount;
  const base = target * data.inboxSlots;
  for (let s = 0; s < data.inboxSlots; s += 1) {
    if (Atomics.compareExchange(inboxes, base + s, 0n, BigInt(block.handle) + 1n) === 0n) {
      return true;
    }
  }
  return false;
}

function drainInbox(): void {
  const base = data.workerIndex * data.inboxSlots;
  for (let s = 0; s < data.inboxSlots; s += 1) {
    const word = Atomics.exchange(inboxes, base + s, 0n);
    if (word === 0n) continue;
    const handle = Number(word - 1n) as Handle;
    const unit = allocator.blockUnit(handle, BlockTag.raw);
    const words = i32[unit * 2 + 1] ?? 0;
    const stamp = i32[unit * 2 + 2] ?? 0;
    check({ handle, words, stamp }, 'remote');
    allocator.free(handle);
    result.remoteFrees += 1;
  }
}

const deadline = performance.now() + data.durationMs;
let sequence = 0;
while (performance.now() < deadline && result.corruptions.length === 0) {
  for (let step = 0; step < 64; step += 1) {
    sequence += 1;
    if (live.length < 200 && random() < 0.55) {
      allocateOne(sequence);
    } else if (live.length > 0) {
      const at = Math.floor(random() * live.length);
      const block = live[at];
      if (block === undefined) continue;
      live[at] = live[live.length - 1] ?? block;
      live.pop();
      check(block, 'local');
      i32[handleUnit(block.handle) * 2 + 1] = block.words;
      if (random() < 0.3 && sendToAnother(block)) continue;
      allocator.free(block.handle);
      result.localFrees += 1;
    }
  }
  drainInbox();
}
for (const block of live) {
  check(block, 'final');
  allocator.free(block.handle);
  result.localFrees += 1;
}
drainInbox();
allocator.abandonAll();
parentPort?.postMessage(result);

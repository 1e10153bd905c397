/**
 * The size-class allocator, one instance per worker per heap (Hoard / mimalloc design).
 *
 * - Small blocks (≤ 32 KiB with header) come from superblocks of 64 KiB, each owned by one size
 *   class and one worker. The owner allocates and frees with plain loads and stores on its own
 *   descriptor words: no atomic read-modify-write and no write to a line another worker writes.
 *   Fresh superblocks are carved lazily by a bump pointer, so untouched pages stay uncommitted.
 * - A block freed by another worker is pushed on the superblock's remote-free stack (one atomic
 *   add, one CAS; no lock). The owner takes the whole stack with one exchange when it runs dry.
 * - A superblock whose blocks have all come back is returned to the page map, where any size
 *   class or a large block can claim it again.
 * - Large blocks are runs of whole superblocks claimed from the page map; any worker frees them.
 * - A worker that leaves (`abandonAll`) hands back empty superblocks and marks the others
 *   abandoned: the next worker that frees into one, or needs a superblock of its class, adopts it
 *   with one CAS on the owner word.
 *
 * Handles are validated on every use (`blockUnit`): range, superblock kind, block alignment, tag
 * and generation. See block-header.ts for the header and handle formats.
 */
import {
  assert,
  HeapExhaustedError,
  limits,
  StaleHandleError,
  type Handle,
  type WordIndex,
} from '../base/index.js';
import { headerWord, type HeapMemory } from '../memory/index.js';
import {
  blockHeaderBytes,
  BlockTag,
  handleGeneration,
  handleOf,
  handleUnit,
  headerGeneration,
  headerTag,
  generationMask,
  headerWord0,
  unitBytes,
} from './block-header.js';
import { SuperblockBitmap } from './page-map.js';
import {
  classBlocksPerSuperblock,
  classBytes,
  classCount,
  classUnits,
  sizeClassOf,
  smallBlockBytesMax,
} from './size-classes.js';
import {
  abandonedOwner,
  descriptorField as field,
  descriptorWords,
  SuperblockKind,
} from './superblock-descriptor.js';

const unitsPerSuperblockLog2 = limits.superblockBytesLog2 - 3;
const unitsPerSuperblock = 2 ** unitsPerSuperblockLog2;
/** Owned superblocks of one class inspected per slow-path refill before claiming a new one. */
const ownedScanMax = 8;
/** Each failed push means another push succeeded (lock-free); this bound is far past reach. */
const remotePushAttemptsMax = 1_000_000;

/** The page map and abandoned map of a heap, shared by every allocator over it. */
export function heapBitmaps(memory: HeapMemory): {
  pages: SuperblockBitmap;
  abandoned: SuperblockBitmap;
} {
  const { geometry, i32 } = memory;
  return {
    pages: new SuperblockBitmap(
      i32,
      (geometry.pageMapOffset / 4) as WordIndex,
      geometry.superblockCount,
    ),
    abandoned: new SuperblockBitmap(
      i32,
      (geometry.abandonedMapOffset / 4) as WordIndex,
      geometry.superblockCount,
    ),
  };
}

/** Creator only, before the heap is shared. */
export function formatAllocatorRegions(memory: HeapMemory): void {
  heapBitmaps(memory).pages.sealTail();
}

/**
 * Recovery of a worker that can no longer act (it died): marks every superblock it owned as
 * abandoned, exactly as its own `abandonAll` would, so the living adopt them. Idempotent.
 * A worker killed in the middle of its own fast path may leave one superblock's owner-only counts
 * off by one block; that superblock is then never seen empty (a bounded leak of one superblock).
 */
export function abandonSuperblocksOf(memory: HeapMemory, ownerSlot: number): number {
  const { i32, geometry } = memory;
  const { abandoned } = heapBitmaps(memory);
  const highWater = Atomics.load(i32, headerWord.superblockHighWater);
  let count = 0;
  for (let superblock = 0; superblock < highWater; superblock += 1) {
    const descriptor = geometry.descriptorsOffset / 4 + superblock * descriptorWords;
    if (Atomics.load(i32, descriptor + field.owner) !== ownerSlot + 1) continue;
    if (Atomics.load(i32, descriptor + field.kind) !== SuperblockKind.small) continue;
    abandoned.set(superblock);
    // ORDERING: the dead owner's plain writes were published by its last atomic operation; the
    // next adopter acquires them through its CAS on this word.
    Atomics.compareExchange(i32, descriptor + field.owner, ownerSlot + 1, abandonedOwner);
    count += 1;
  }
  return count;
}

export class Allocator {
  private readonly i32: Int32Array;
  private readonly pages: SuperblockBitmap;
  private readonly abandoned: SuperblockBitmap;
  private readonly areaUnit: number;
  private readonly areaUnits: number;
  private readonly descriptorBase: number;
  private readonly superblockCount: number;
  private readonly highWaterWord: WordIndex;
  /** This worker's value in descriptor `owner` words: its registry slot + 1 (0 means none). */
  private readonly ownerToken: number;
  /** Per size class: the superblock allocated from, or -1. */
  private readonly current = new Int32Array(classCount).fill(-1);
  /** Per size class: every superblock this worker owns (the current one included). */
  private readonly owned: number[][] = Array.from({ length: classCount }, () => []);
  private readonly scanCursor = new Int32Array(classCount);

  constructor(memory: HeapMemory, ownerSlot: number, highWaterWord: WordIndex) {
    assert(ownerSlot >= 0 && ownerSlot < limits.workerSlotsMax, `owner slot ${ownerSlot}`);
    const { geometry } = memory;
    this.i32 = memory.i32;
    const bitmaps = heapBitmaps(memory);
    this.pages = bitmaps.pages;
    this.abandoned = bitmaps.abandoned;
    this.areaUnit = geometry.areaOffset / unitBytes;
    this.superblockCount = geometry.superblockCount;
    this.areaUnits = geometry.superblockCount * unitsPerSuperblock;
    this.descriptorBase = geometry.descriptorsOffset / 4;
    this.highWaterWord = highWaterWord;
    this.ownerToken = ownerSlot + 1;
  }

  /**
   * A new block of at least `payloadBytes` after its header, tagged `tag`, its aux word 0.
   * Throws HeapExhaustedError (nothing changed) when no memory is left.
   */
  allocate(tag: number, payloadBytes: number): Handle {
    assert(tag !== BlockTag.free && tag >= 0 && tag < 256, `block tag ${tag}`);
    const blockBytes = payloadBytes + blockHeaderBytes;
    let unit: number;
    if (blockBytes <= smallBlockBytesMax) {
      const sizeClass = sizeClassOf(blockBytes);
      unit = this.popBlock(this.current[sizeClass] ?? -1, sizeClass);
      if (unit === 0) unit = this.refill(sizeClass, payloadBytes);
    } else {
      unit = this.allocateLarge(blockBytes);
    }
    const i32 = this.i32;
    const generation = headerGeneration(i32[unit * 2] ?? 0);
    i32[unit * 2] = headerWord0(tag, generation);
    i32[unit * 2 + 1] = 0;
    this.raiseGenerationFloor(unit, generation);
    return handleOf(unit, generation);
  }

  /** Frees a live block. The caller owns the handle: no other worker frees it concurrently. */
  free(handle: Handle): void {
    const unit = this.liveBlockUnit(handle);
    const i32 = this.i32;
    const superblock = (unit - this.areaUnit) >>> unitsPerSuperblockLog2;
    const descriptor = this.descriptorBase + superblock * descriptorWords;
    const freedWord0 = headerWord0(BlockTag.free, headerGeneration(i32[unit * 2] ?? 0) + 1);
    if (i32[descriptor + field.kind] === SuperblockKind.largeHead) {
      this.freeLarge(superblock, unit, freedWord0);
      return;
    }
    const owner = Atomics.load(i32, descriptor + field.owner);
    if (owner === this.ownerToken || (owner === abandonedOwner && this.tryAdopt(superblock))) {
      this.freeLocal(superblock, unit, freedWord0);
    } else {
      this.freeRemote(descriptor, unit, freedWord0);
    }
  }

  /** The unit offset of the block `handle` names; throws StaleHandleError unless live and `tag`. */
  blockUnit(handle: Handle, tag: number): number {
    const unit = this.liveBlockUnit(handle);
    const actual = headerTag(this.i32[unit * 2] ?? 0);
    if (actual !== tag) {
      throw new StaleHandleError(`handle ${handle} names a block of type ${actual}, not ${tag}`);
    }
    return unit;
  }

  /** The tag of the live block `handle` names; throws StaleHandleError if it is not live. */
  tagOf(handle: Handle): number {
    return headerTag(this.i32[this.liveBlockUnit(handle) * 2] ?? 0);
  }

  /**
   * The unit of the live block that contains `unit` (its header's unit), or −1: for reports, which
   * name the object a transactional word belongs to. Best effort without synchronisation: it reads
   * the owner's plain descriptor words, so a block freed or reused meanwhile can be named; the
   * caller treats what it reads there as a hint.
   */
  blockContaining(unit: number): number {
    const relative = unit - this.areaUnit;
    if (!(relative >= 0 && relative < this.areaUnits)) return -1;
    const i32 = this.i32;
    let superblock = relative >>> unitsPerSuperblockLog2;
    let descriptor = this.descriptorOf(superblock);
    let start: number;
    if (i32[descriptor + field.kind] === SuperblockKind.small) {
      const units = classUnits[i32[descriptor + field.classOrRun] ?? 0] ?? 1;
      const offset = relative & (unitsPerSuperblock - 1);
      start = unit - (offset % units);
      if (start >= (i32[descriptor + field.bumpUnit] ?? 0)) return -1;
    } else {
      // A large block: back to the head of its run (runs are bounded by the heap's superblocks).
      for (let step = 0; step < this.superblockCount; step += 1) {
        if (i32[descriptor + field.kind] !== SuperblockKind.largeTail || superblock === 0) break;
        superblock -= 1;
        descriptor = this.descriptorOf(superblock);
      }
      if (i32[descriptor + field.kind] !== SuperblockKind.largeHead) return -1;
      start = this.areaUnit + superblock * unitsPerSuperblock;
    }
    return headerTag(i32[start * 2] ?? 0) === BlockTag.free ? -1 : start;
  }

  /** Usable payload bytes of a live block (its class size or run, minus the header). */
  capacityOf(handle: Handle): number {
    const unit = this.liveBlockUnit(handle);
    const superblock = (unit - this.areaUnit) >>> unitsPerSuperblockLog2;
    const descriptor = this.descriptorBase + superblock * descriptorWords;
    const classOrRun = this.i32[descriptor + field.classOrRun] ?? 0;
    const blockBytes =
      this.i32[descriptor + field.kind] === SuperblockKind.small
        ? (classBytes[classOrRun] ?? 0)
        : classOrRun * limits.superblockBytes;
    return blockBytes - blockHeaderBytes;
  }

  /**
   * This worker leaves: superblocks with no live block go back to the page map, the others are
   * marked abandoned for adoption. Blocks freed later by other workers are not lost.
   */
  abandonAll(): void {
    for (let sizeClass = 0; sizeClass < classCount; sizeClass += 1) {
      this.current[sizeClass] = -1;
      for (const superblock of [...(this.owned[sizeClass] ?? [])]) {
        this.abandon(superblock, sizeClass);
      }
      (this.owned[sizeClass] ?? []).length = 0;
    }
  }

  /** Hands one owned superblock back (empty) or leaves it for adoption (not empty). */
  private abandon(superblock: number, sizeClass: number): void {
    const i32 = this.i32;
    const descriptor = this.descriptorOf(superblock);
    // Each round means a remote free landed while the superblock was being abandoned (bounded
    // by its block count: every round collects at least one block).
    for (let round = 0; round <= (classBlocksPerSuperblock[sizeClass] ?? 0); round += 1) {
      this.collectRemote(descriptor);
      if (i32[descriptor + field.usedBlocks] === 0) {
        this.releaseSuperblock(superblock, sizeClass);
        return;
      }
      this.abandoned.set(superblock);
      // ORDERING: publishes the owner-only words (free list, counts) to the next adopter.
      Atomics.store(i32, descriptor + field.owner, abandonedOwner);
      // Dekker pairing with `freeRemote` (see there): a block pushed before the store above but
      // after the collection is seen here, and then this worker takes the superblock back.
      if (Atomics.load(i32, descriptor + field.remoteFree) === 0) return;
      const reclaimed = Atomics.compareExchange(
        i32,
        descriptor + field.owner,
        abandonedOwner,
        this.ownerToken,
      );
      if (reclaimed !== abandonedOwner) return; // adopted by another worker meanwhile
      this.abandoned.clear(superblock);
    }
  }

  /** A remote free met an abandoned superblock: adopt it, and hand it back if now empty. */
  private adoptFreed(descriptor: number): void {
    const superblock = (descriptor - this.descriptorBase) / descriptorWords;
    if (!this.tryAdopt(superblock)) return;
    const sizeClass = this.i32[descriptor + field.classOrRun] ?? 0;
    if (this.i32[descriptor + field.usedBlocks] === 0 && this.current[sizeClass] !== superblock) {
      this.releaseSuperblock(superblock, sizeClass);
    }
  }

  // ---- small blocks --------------------------------------------------------------------------

  /** Takes a block from `superblock`'s local free list or bump region; 0 if it has none. */
  private popBlock(superblock: number, sizeClass: number): number {
    if (superblock < 0) return 0;
    const i32 = this.i32;
    const descriptor = this.descriptorBase + superblock * descriptorWords;
    const head = i32[descriptor + field.localFree] ?? 0;
    if (head !== 0) {
      i32[descriptor + field.localFree] = i32[head * 2 + 1] ?? 0;
      i32[descriptor + field.usedBlocks] = (i32[descriptor + field.usedBlocks] ?? 0) + 1;
      return head;
    }
    const bump = i32[descriptor + field.bumpUnit] ?? 0;
    const units = classUnits[sizeClass] ?? 0;
    const end = this.areaUnit + (superblock + 1) * unitsPerSuperblock;
    if (bump + units > end) return 0;
    i32[descriptor + field.bumpUnit] = bump + units;
    i32[descriptor + field.usedBlocks] = (i32[descriptor + field.usedBlocks] ?? 0) + 1;
    // Never handed out in this superblock's life: whatever lies there is old data, so the
    // generation comes from the floor (superblock-descriptor.ts), not from that data.
    i32[bump * 2] = headerWord0(BlockTag.free, i32[descriptor + field.generationFloor] ?? 0);
    return bump;
  }

  /** Slow path: find or make a superblock of `sizeClass` with a free block, and take one. */
  private refill(sizeClass: number, payloadBytes: number): number {
    const current = this.current[sizeClass] ?? -1;
    if (current >= 0 && this.collectRemote(this.descriptorOf(current)) > 0) {
      return this.popBlock(current, sizeClass);
    }
    const owned = this.owned[sizeClass] ?? [];
    const scans = Math.min(owned.length, ownedScanMax);
    for (let scan = 0; scan < scans; scan += 1) {
      const cursor = ((this.scanCursor[sizeClass] ?? 0) + 1) % owned.length;
      this.scanCursor[sizeClass] = cursor;
      const candidate = owned[cursor] ?? -1;
      if (candidate === current) continue;
      this.collectRemote(this.descriptorOf(candidate));
      const unit = this.popBlock(candidate, sizeClass);
      if (unit !== 0) {
        this.current[sizeClass] = candidate;
        return unit;
      }
    }
    const adopted = this.adoptAbandoned(sizeClass);
    if (adopted >= 0) {
      this.current[sizeClass] = adopted;
      return this.popBlock(adopted, sizeClass);
    }
    const fresh = this.claimRun(1, payloadBytes + blockHeaderBytes);
    this.formatSmall(fresh, sizeClass);
    owned.push(fresh);
    this.current[sizeClass] = fresh;
    return this.popBlock(fresh, sizeClass);
  }

  private formatSmall(superblock: number, sizeClass: number): void {
    const i32 = this.i32;
    const descriptor = this.descriptorOf(superblock);
    i32[descriptor + field.kind] = SuperblockKind.small;
    i32[descriptor + field.classOrRun] = sizeClass;
    i32[descriptor + field.localFree] = 0;
    i32[descriptor + field.bumpUnit] = this.areaUnit + superblock * unitsPerSuperblock;
    i32[descriptor + field.usedBlocks] = 0;
    Atomics.store(i32, descriptor + field.remoteFree, 0);
    Atomics.store(i32, descriptor + field.remoteFreeCount, 0);
    // ORDERING: last; from here other workers may push remote frees to this superblock.
    Atomics.store(i32, descriptor + field.owner, this.ownerToken);
  }

  private freeLocal(superblock: number, unit: number, freedWord0: number): void {
    const i32 = this.i32;
    const descriptor = this.descriptorOf(superblock);
    i32[unit * 2] = freedWord0;
    i32[unit * 2 + 1] = i32[descriptor + field.localFree] ?? 0;
    i32[descriptor + field.localFree] = unit;
    const used = (i32[descriptor + field.usedBlocks] ?? 0) - 1;
    i32[descriptor + field.usedBlocks] = used;
    assert(used >= 0, `superblock ${superblock} used count went negative`);
    const sizeClass = i32[descriptor + field.classOrRun] ?? 0;
    if (used === 0 && this.current[sizeClass] !== superblock) {
      this.releaseSuperblock(superblock, sizeClass);
    }
  }

  /**
   * Lock-free push on the superblock's remote-free stack (Treiber).
   * Invariant: remoteFreeCount ≥ blocks on the stack, because the count is raised before the push.
   * Linearisation point: the successful CAS of the stack head.
   */
  private freeRemote(descriptor: number, unit: number, freedWord0: number): void {
    const i32 = this.i32;
    i32[unit * 2] = freedWord0;
    Atomics.add(i32, descriptor + field.remoteFreeCount, 1);
    for (let attempt = 0; attempt < remotePushAttemptsMax; attempt += 1) {
      const head = Atomics.load(i32, descriptor + field.remoteFree);
      i32[unit * 2 + 1] = head;
      // ORDERING: publishes the freed header and its link before the owner can pop the block.
      if (Atomics.compareExchange(i32, descriptor + field.remoteFree, head, unit) === head) {
        // The owner may have left after this worker saw it: then no one would collect the block
        // (the superblock would stay claimed, all its blocks free). Dekker pairing with
        // `abandon`: it stores `abandonedOwner`, then looks at the stack; this pushed, then looks
        // at the owner. One of the two sees the other and takes the superblock over. (A dead
        // owner's superblocks are abandoned by recovery without that second look: a block pushed
        // just before waits there until a worker of its class adopts the superblock.)
        if (Atomics.load(i32, descriptor + field.owner) === abandonedOwner) {
          this.adoptFreed(descriptor);
        }
        return;
      }
    }
    assert(false, 'remote free push starved: every attempt lost to another push');
  }

  /** Owner only: moves every remotely freed block to the local free list; returns how many. */
  private collectRemote(descriptor: number): number {
    const i32 = this.i32;
    if (Atomics.load(i32, descriptor + field.remoteFree) === 0) return 0;
    const head = Atomics.exchange(i32, descriptor + field.remoteFree, 0);
    let count = 1;
    let last = head;
    const countMax = classBlocksPerSuperblock[0] ?? 0;
    for (let next = i32[head * 2 + 1] ?? 0; next !== 0; next = i32[next * 2 + 1] ?? 0) {
      last = next;
      count += 1;
      assert(count <= countMax, 'remote free list longer than a superblock');
    }
    i32[last * 2 + 1] = i32[descriptor + field.localFree] ?? 0;
    i32[descriptor + field.localFree] = head;
    i32[descriptor + field.usedBlocks] = (i32[descriptor + field.usedBlocks] ?? 0) - count;
    Atomics.sub(i32, descriptor + field.remoteFreeCount, count);
    return count;
  }

  private tryAdopt(superblock: number): boolean {
    const descriptor = this.descriptorOf(superblock);
    // ORDERING: the CAS acquires the owner-only words the previous owner published with its store.
    const seen = Atomics.compareExchange(
      this.i32,
      descriptor + field.owner,
      abandonedOwner,
      this.ownerToken,
    );
    if (seen !== abandonedOwner) return false;
    this.abandoned.clear(superblock);
    const sizeClass = this.i32[descriptor + field.classOrRun] ?? 0;
    (this.owned[sizeClass] ?? []).push(superblock);
    this.collectRemote(descriptor);
    return true;
  }

  /** Adopts an abandoned superblock of `sizeClass` that has a free block; -1 if none. */
  private adoptAbandoned(sizeClass: number): number {
    const i32 = this.i32;
    for (let s = this.abandoned.nextSet(0); s >= 0; s = this.abandoned.nextSet(s + 1)) {
      const descriptor = this.descriptorOf(s);
      if (i32[descriptor + field.classOrRun] !== sizeClass) continue;
      if (i32[descriptor + field.kind] !== SuperblockKind.small) continue;
      if (!this.tryAdopt(s)) continue;
      const used = i32[descriptor + field.usedBlocks] ?? 0;
      if (used < (classBlocksPerSuperblock[sizeClass] ?? 0)) return s;
    }
    return -1;
  }

  private releaseSuperblock(superblock: number, sizeClass: number): void {
    const owned = this.owned[sizeClass] ?? [];
    const at = owned.indexOf(superblock);
    assert(at >= 0, `releasing superblock ${superblock} not owned`);
    owned[at] = owned[owned.length - 1] ?? -1;
    owned.pop();
    if (this.current[sizeClass] === superblock) this.current[sizeClass] = -1;
    const descriptor = this.descriptorOf(superblock);
    this.i32[descriptor + field.kind] = SuperblockKind.free;
    Atomics.store(this.i32, descriptor + field.owner, 0);
    this.pages.releaseRun(superblock, 1);
  }

  // ---- large blocks --------------------------------------------------------------------------

  private allocateLarge(blockBytes: number): number {
    const run = Math.ceil(blockBytes / limits.superblockBytes);
    const first = this.claimRun(run, blockBytes);
    const i32 = this.i32;
    for (let s = first + 1; s < first + run; s += 1) {
      const descriptor = this.descriptorOf(s);
      i32[descriptor + field.kind] = SuperblockKind.largeTail;
      i32[descriptor + field.classOrRun] = first;
    }
    const head = this.descriptorOf(first);
    i32[head + field.classOrRun] = run;
    i32[head + field.kind] = SuperblockKind.largeHead;
    const unit = this.areaUnit + first * unitsPerSuperblock;
    i32[unit * 2] = headerWord0(BlockTag.free, i32[head + field.generationFloor] ?? 0);
    return unit;
  }

  private freeLarge(first: number, unit: number, freedWord0: number): void {
    const i32 = this.i32;
    const run = i32[this.descriptorOf(first) + field.classOrRun] ?? 0;
    i32[unit * 2] = freedWord0;
    for (let s = first; s < first + run; s += 1) {
      i32[this.descriptorOf(s) + field.kind] = SuperblockKind.free;
    }
    this.pages.releaseRun(first, run);
  }

  // ---- shared helpers -------------------------------------------------------------------------

  /** Keeps the superblock's floor above `generation`, just handed out at `unit`. */
  private raiseGenerationFloor(unit: number, generation: number): void {
    const descriptor = this.descriptorOf((unit - this.areaUnit) >>> unitsPerSuperblockLog2);
    const floor = this.i32[descriptor + field.generationFloor] ?? 0;
    const next = (generation + 1) & generationMask;
    // Ahead of the floor in wrap-around order (less than half the generation space away).
    if (((next - floor) & generationMask) <= generationMask >>> 1) {
      this.i32[descriptor + field.generationFloor] = next;
    }
  }

  private claimRun(count: number, requestedBytes: number): number {
    const first = this.pages.claimRun(count);
    if (first < 0) {
      throw new HeapExhaustedError(
        requestedBytes,
        count === 1 ? 'no free superblock' : `no run of ${count} free superblocks`,
      );
    }
    const end = first + count;
    for (let seen = Atomics.load(this.i32, this.highWaterWord); seen < end;) {
      const witnessed = Atomics.compareExchange(this.i32, this.highWaterWord, seen, end);
      if (witnessed === seen) break;
      seen = witnessed;
    }
    return first;
  }

  private descriptorOf(superblock: number): number {
    return this.descriptorBase + superblock * descriptorWords;
  }

  /** Validates a handle's range, superblock, alignment and generation; returns its unit. */
  private liveBlockUnit(handle: Handle): number {
    const unit = handleUnit(handle);
    const relative = unit - this.areaUnit;
    if (!(relative >= 0 && relative < this.areaUnits)) {
      throw new StaleHandleError(`handle ${handle} is outside the heap`);
    }
    const i32 = this.i32;
    const superblock = relative >>> unitsPerSuperblockLog2;
    const descriptor = this.descriptorBase + superblock * descriptorWords;
    const kind = i32[descriptor + field.kind];
    const offsetInSuperblock = relative & (unitsPerSuperblock - 1);
    // A small block is live only below the bump pointer: past it lies memory of an earlier use of
    // the superblock, whose headers must not be mistaken for live ones.
    const aligned =
      kind === SuperblockKind.small
        ? offsetInSuperblock % (classUnits[i32[descriptor + field.classOrRun] ?? 0] ?? 1) === 0 &&
          unit < (i32[descriptor + field.bumpUnit] ?? 0)
        : kind === SuperblockKind.largeHead && offsetInSuperblock === 0;
    const word0 = i32[unit * 2] ?? 0;
    if (
      !aligned ||
      headerTag(word0) === BlockTag.free ||
      (headerGeneration(word0) & 0xffff) !== handleGeneration(handle)
    ) {
      throw new StaleHandleError(`handle ${handle} does not name a live block (freed or reused)`);
    }
    assert(superblock < this.superblockCount, 'superblock index past the heap');
    return unit;
  }
}

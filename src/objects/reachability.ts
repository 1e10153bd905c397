/**
 * The reachability scan: which live shared objects no worker can reach any more. Reference
 * counting (lifetime.ts) frees an object when its count reaches 0, so a cycle of shared objects
 * (a map holding itself; two maps holding each other) keeps every count in it above 0 after the
 * last outside reference and the last wrapper are gone: it is never freed. This scan finds such
 * objects — and whatever hangs off them — so that `heap.leakReport()` can report them. It is a
 * diagnostic, not a collector: it frees nothing (see "Freeing" below).
 *
 * Roots — what keeps an object reachable:
 * - the root map (`headerWord64.rootMap`: the heap header holds one reference to it);
 * - every object named in a published pin record (pin-record.ts), whatever the state of its
 *   slot: a held slot's pins are its wrappers; a dead holder's, not yet released, are released by
 *   its recoverer or the slot's next holder, which frees the objects by counting — they are not
 *   cycles.
 * Reachable: a root, or an object a slot word of a reachable object refers to (each kind's
 * `forEachWord`, then `ValueCodec.forEachRef`, which looks inside snapshots too).
 *
 * Invariant (quiescent heap): a live shared-object block (tag of a registered kind) whose count is
 * not 0 (0: destroyed, its blocks already retired and counted in `retiredBytes`) that is not
 * reachable is garbage — no wrapper, no reference from shared memory the program can read — and
 * since its count is not 0, it is in a cycle, hangs off one, or holds a pin leaked by a worker
 * that died between taking a pin and recording it (pin-record.ts). Its bytes: its block, the
 * blocks its kind says it owns (`forEachOwnedBlock`), and the value blocks its words own
 * (`ValueCodec.ownedBlock`): exactly what reference counting would free with it.
 *
 * Consistency. The scan reads without stopping anyone, inside one epoch (reclaim/): no block it
 * reads is freed under it (if this worker is neutralised for taking longer than `reclaimStallMs`,
 * the scan is redone). Exact when no other worker changes the heap. While others do, the figures
 * are approximate, and err towards too many unreachable objects, never too few among the objects
 * that were garbage when the scan began: garbage is changed by nobody, so its words read the same
 * at any moment, and no reachable object can come to refer to it (except by the resurrection
 * below). A live object, though, may be counted unreachable if it moved during the scan (stored
 * in a part already traced, removed from a part not traced yet), was created after the roots were
 * read, or sat behind a word caught mid-commit (an intent, which names no object). Objects that
 * became garbage during the scan may or may not be counted. (Measured in test/collections/
 * cycles.test.ts: of ~300 scans overlapping two churning workers, most counted nothing extra, a
 * few up to ~70 live objects.) The kinds' `forEachWord` is run here on live objects too: a chain
 * or directory read mid-change stays readable (retired blocks keep their contents until the epoch
 * ends) and only adds or misses references, which is the error above.
 *
 * Resurrection: a `SharedRef` (`shared.ref`, sent by `postMessage`) holds no count. Opening one
 * with `heap.open` succeeds while the count is above 0 — for an object in an unreachable cycle
 * too, which makes it reachable again. That is why this scan does not free what it finds: a
 * collector would have to exclude such opens and every concurrent move (a stop-the-world pause or
 * a write barrier in the STM), which the library does not have yet.
 *
 * Cost: one walk of every live block (alloc/usage.ts), plus `forEachWord` of every reachable
 * object: linear in the heap's live blocks and stored words. Memory: a set of the reachable
 * objects' units.
 */
import {
  blockHeaderBytes,
  currentHandleAt,
  forEachLiveBlock,
  handleUnit,
  headerTag,
} from '../alloc/index.js';
import { LimitExceededError, limits, StaleHandleError, type Handle } from '../base/index.js';
import { headerWord64 } from '../memory/index.js';
import type { HeapContext } from './context.js';
import { refcountWord } from './lifetime.js';
import { forEachPinnedUnit } from './pin-record.js';

export interface ReachabilityReport {
  /** Live shared objects found (every registered kind: cells, maps, …, shapes), count above 0. */
  readonly objects: number;
  /** Live shared objects no root reaches. */
  readonly unreachableObjects: number;
  /** Bytes reference counting would free with them (blocks with headers and rounding). */
  readonly unreachableBytes: number;
  /** Their handles and block tags, in heap order. */
  readonly unreachable: readonly UnreachableObject[];
}

export interface UnreachableObject {
  readonly handle: Handle;
  readonly tag: number;
}

/** Times the scan is redone because this worker was neutralised while scanning. */
const scanAttemptsMax = 4;

/** Scans the heap of `context` (see the file comment); frees nothing. */
export function scanReachability(context: HeapContext): ReachabilityReport {
  for (let attempt = 0; attempt < scanAttemptsMax; attempt += 1) {
    context.reclaim.enter();
    const report = scanOnce(context);
    if (context.reclaim.stillValid()) return report;
  }
  throw new LimitExceededError(
    'scanAttemptsMax',
    `the reachability scan outlasted reclaimStallMs ${String(scanAttemptsMax)} times`,
  );
}

function scanOnce(context: HeapContext): ReachabilityReport {
  const { memory, allocator, codec, kinds } = context;
  const i32 = memory.i32;
  const reached = new Set<number>();
  const pending: number[] = [];

  /** Marks the object `handle` names if it is a live shared object (see `objectUnitOf`). */
  const reach = (handle: Handle): void => {
    const unit = objectUnitOf(context, handle);
    if (unit === undefined || reached.has(unit)) return;
    reached.add(unit);
    pending.push(unit);
  };

  reach(Number(Atomics.load(memory.b64, headerWord64.rootMap)) as Handle);
  for (let slot = 0; slot < limits.workerSlotsMax; slot += 1) {
    forEachPinnedUnit(memory, context.engine.records, slot, (unit) => {
      reach(currentHandleAt(i32, unit));
    });
  }
  for (let unit = pending.pop(); unit !== undefined; unit = pending.pop()) {
    const kind = kinds.byTag(headerTag(Atomics.load(i32, unit * 2)));
    kind?.forEachWord(memory, unit, (word) => {
      if (codec.mayHoldRefs(word)) codec.forEachRef(word, reach);
    });
  }

  let objects = 0;
  let unreachableBytes = 0;
  const unreachable: UnreachableObject[] = [];
  const blockBytesOf = (block: Handle | undefined): number => {
    if (block === undefined) return 0;
    try {
      return allocator.capacityOf(block) + blockHeaderBytes;
    } catch (error) {
      // Freed meanwhile (the object was not garbage after all, or was resurrected and changed).
      if (error instanceof StaleHandleError) return 0;
      throw error;
    }
  };
  forEachLiveBlock(memory, (unit, tag, blockBytes) => {
    const kind = kinds.byTag(tag);
    if (kind === undefined) return;
    // Count 0: destroyed, its blocks retired (`retiredBytes`) and freed after the grace period.
    if (Atomics.load(i32, refcountWord(unit)) === 0) return;
    objects += 1;
    if (reached.has(unit)) return;
    unreachable.push({ handle: currentHandleAt(i32, unit), tag });
    unreachableBytes += blockBytes;
    kind.forEachWord(memory, unit, (word) => {
      unreachableBytes += blockBytesOf(codec.ownedBlock(word));
    });
    kind.forEachOwnedBlock?.(memory, unit, (block) => {
      unreachableBytes += blockBytesOf(block);
    });
  });
  return { objects, unreachableObjects: unreachable.length, unreachableBytes, unreachable };
}

/**
 * The block unit of the live shared object `handle` names, or undefined if it names none: under
 * concurrent change a word or a pin record may be read mid-change, so nothing read is trusted.
 */
function objectUnitOf(context: HeapContext, handle: Handle): number | undefined {
  let tag: number;
  try {
    tag = context.allocator.tagOf(handle);
  } catch (error) {
    if (error instanceof StaleHandleError) return undefined;
    throw error;
  }
  return context.kinds.byTag(tag) === undefined ? undefined : handleUnit(handle);
}

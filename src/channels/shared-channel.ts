/**
 * `SharedChannel` (`heap.channel()`): a multi-producer multi-consumer queue in shared memory with
 * Go's and crossbeam-channel's semantics — unbounded (default), bounded, or rendezvous
 * (capacity 0: a send returns once a receiver has taken its item); `close()`; `try*`, timeout
 * and async variants; iteration that ends when the channel is closed and drained.
 *
 * Every operation is a small transaction on the channel's words (channel-queue.ts), so a worker
 * killed mid-operation leaves either all of it or none of it; blocking happens between
 * transactions, on futex words (channel-core.ts). Inside `atomically` the operations are part of
 * the caller's transaction: a send is published at its commit, a receive undone by its abort
 * (the item goes back), and a receive on an empty channel (a send on a full one) waits through
 * `retry`. A rendezvous send inside a transaction cannot wait for its receiver (the item is not
 * visible until commit): there it behaves as a send to a channel of capacity 1.
 *
 * What a killed receiver loses: exactly the items its committed receive transactions took and
 * its code had not yet used — at most one for a plain `receive()` (the one it was returning).
 * Receive inside `atomically` together with whatever records the item, and nothing is ever
 * lost: the transaction commits both or neither.
 *
 * Timeouts: `receiveTimeout(ms)` → `{ value } | undefined`, `sendTimeout(value, ms)` → boolean,
 * and their `…Async` forms; outside a transaction only (inside one a wait is a `retry`).
 */
import { handleUnit } from '../alloc/index.js';
import { BugError, ClosedError, limits, LimitExceededError, type Handle } from '../base/index.js';
import type { HeapContext, SharedKind } from '../objects/index.js';
import { initTword, retry, twordValue, type TxEngine } from '../stm/index.js';
import { holeWord, numberOfWord, numberWord, SharedObject } from '../values/index.js';
import { blocked, ChannelCore, timedOut } from './channel-core.js';
import {
  capacityIndex,
  channelPayloadBytes,
  channelSegmentTag,
  channelTag,
  closedWord,
  headSegmentWord,
  headWord,
  receiversBlockedIndex,
  receiversWaitingIndex,
  ringSlotsOf,
  ringSlotWord,
  segmentNextWord,
  segmentPayloadBytes,
  segmentSlots,
  segmentSlotWord,
  sendersBlockedIndex,
  sendersWaitingIndex,
  sentEventsIndex,
  tailSegmentWord,
  tailWord,
  takenEventsIndex,
  unboundedCapacity,
} from './channel-layout.js';
import { initSegment } from './channel-queue.js';

export interface ChannelOptions {
  /** 0: rendezvous; n: at most n items queued; omitted: unbounded. */
  readonly capacity?: number;
}

/** Cores of this worker's channel wrappers, for `select` (not part of the public type). */
const cores = new WeakMap<object, ChannelCore>();

/** The core of a channel wrapper; TypeError for anything else. */
export function coreOf(channel: unknown, what: string): ChannelCore {
  const core = typeof channel === 'object' && channel !== null ? cores.get(channel) : undefined;
  if (core === undefined) throw new TypeError(`${what}: not a SharedChannel`);
  return core;
}

export class SharedChannel<T> extends SharedObject {
  readonly #core: ChannelCore;

  /** Wraps a channel block whose pin the caller holds; use `heap.channel` or the heap's `open`. */
  constructor(context: HeapContext, handle: Handle) {
    super(context.heapId, handle, channelTag);
    this.#core = new ChannelCore(context, handle);
    cores.set(this, this.#core);
  }

  readonly [Symbol.toStringTag] = 'SharedChannel';

  /** −1 for an unbounded channel, 0 for a rendezvous one, else the bound. */
  get capacity(): number {
    this.#core.check('channel.capacity');
    return this.#core.queue.capacity;
  }

  /** Items queued now (in a transaction: as of its snapshot). */
  get length(): number {
    const core = this.#core;
    core.check('channel.length');
    return core.run((engine) => core.queue.tail(engine) - core.queue.head(engine));
  }

  /** True once `close()` was called (items may still be queued). */
  get closed(): boolean {
    const core = this.#core;
    core.check('channel.closed');
    return core.run((engine) => core.queue.isClosed(engine));
  }

  /**
   * Appends `value`, waiting while the channel is full (and, for a rendezvous channel, until a
   * receiver took it). ClosedError if the channel is closed; NotShareableError (channel
   * unchanged) for a value that cannot be stored.
   */
  send(value: T): void {
    this.#sendUntil(value, Infinity, 'channel.send');
  }

  /** `send` that gives up after `timeoutMs`: false then, and the channel is unchanged. */
  sendTimeout(value: T, timeoutMs: number): boolean {
    return this.#sendUntil(
      value,
      deadlineOf(timeoutMs, 'channel.sendTimeout'),
      'channel.sendTimeout',
    );
  }

  /**
   * Appends `value` if that needs no wait: false if full (rendezvous: unless a receiver is blocked
   * on the channel and takes it within `handoffTryMsMax`). ClosedError if the channel is closed.
   */
  trySend(value: T): boolean {
    const core = this.#core;
    const what = 'channel.trySend';
    core.check(what);
    const engine = core.engineInTransaction;
    if (engine !== undefined) return core.put(engine, value, what) !== blocked;
    if (core.queue.capacity !== 0) return core.run((own) => core.put(own, value, what)) !== blocked;
    if (core.receiversBlocked() === 0) return false;
    const position = core.run((own) => core.put(own, value, what));
    if (position === blocked) return false;
    return this.#handOff(position, performance.now() + limits.handoffTryMsMax, what);
  }

  /** `send` for a thread that must not block: waits through `Atomics.waitAsync`. */
  sendAsync(value: T): Promise<void> {
    return this.#sendAsyncUntil(value, Infinity, 'channel.sendAsync').then(() => undefined);
  }

  /** `sendTimeout` for a thread that must not block. */
  sendTimeoutAsync(value: T, timeoutMs: number): Promise<boolean> {
    const what = 'channel.sendTimeoutAsync';
    return this.#sendAsyncUntil(value, deadlineOf(timeoutMs, what), what);
  }

  /** The head item, waiting while the channel is empty; ClosedError once closed and drained. */
  receive(): T {
    const received = untimed(this.#receiveUntil(Infinity, 'channel.receive'));
    if (received === undefined) throw closedAndDrained('channel.receive');
    return received.value;
  }

  /** `receive` that gives up after `timeoutMs` (undefined); ClosedError once closed and drained. */
  receiveTimeout(timeoutMs: number): { value: T } | undefined {
    const what = 'channel.receiveTimeout';
    const received = this.#receiveUntil(deadlineOf(timeoutMs, what), what);
    if (received === undefined) throw closedAndDrained(what);
    return received === timedOut ? undefined : received;
  }

  /** The head item if one is queued; undefined if empty (or closed and drained: see `closed`). */
  tryReceive(): { value: T } | undefined {
    const core = this.#core;
    core.check('channel.tryReceive');
    const taken = core.run((engine) => core.take(engine));
    return taken === blocked || taken === 'closed' ? undefined : (taken as { value: T });
  }

  /** `receive` for a thread that must not block: waits through `Atomics.waitAsync`. */
  async receiveAsync(): Promise<T> {
    const received = untimed(await this.#receiveAsyncUntil(Infinity, 'channel.receiveAsync'));
    if (received === undefined) throw closedAndDrained('channel.receiveAsync');
    return received.value;
  }

  /** `receiveTimeout` for a thread that must not block. */
  async receiveTimeoutAsync(timeoutMs: number): Promise<{ value: T } | undefined> {
    const what = 'channel.receiveTimeoutAsync';
    const received = await this.#receiveAsyncUntil(deadlineOf(timeoutMs, what), what);
    if (received === undefined) throw closedAndDrained(what);
    return received === timedOut ? undefined : received;
  }

  /**
   * Closes the channel: later sends throw ClosedError, receives drain what is queued and then
   * throw ClosedError (iteration ends). Closing twice throws ClosedError.
   */
  close(): void {
    const core = this.#core;
    core.check('channel.close');
    core.run((engine) => {
      if (!core.queue.close(engine)) {
        throw new ClosedError('channel.close', 'the channel is already closed');
      }
      engine.onCommit(core.signalSent);
      engine.onCommit(core.signalTaken);
    });
  }

  /** Receives until the channel is closed and drained (blocking: worker threads). */
  *[Symbol.iterator](): Iterator<T> {
    for (;;) {
      const received = untimed(this.#receiveUntil(Infinity, 'channel[Symbol.iterator]'));
      if (received === undefined) return;
      yield received.value;
    }
  }

  /** Receives until the channel is closed and drained, without blocking the thread. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const received = untimed(
        await this.#receiveAsyncUntil(Infinity, 'channel[Symbol.asyncIterator]'),
      );
      if (received === undefined) return;
      yield received.value;
    }
  }

  /** Lets go of this wrapper now instead of when it is garbage collected. Later use throws. */
  [Symbol.dispose](): void {
    const core = this.#core;
    if (core.disposed || core.context.closed) return;
    core.disposed = true;
    core.context.wrappers.dispose(this.handle, this);
  }

  toJSON(): { capacity: number; length: number; closed: boolean } {
    return { capacity: this.capacity, length: this.length, closed: this.closed };
  }

  /** `util.inspect(channel)`, and so the console, shows its state. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const core = this.#core;
    if (core.disposed || core.context.closed) return 'SharedChannel <closed>';
    return `SharedChannel(${JSON.stringify(this.toJSON())})`;
  }

  #sendUntil(value: T, deadlineMs: number, what: string): boolean {
    const core = this.#core;
    core.check(what);
    const engine = core.engineInTransaction;
    if (engine !== undefined) {
      if (core.put(engine, value, what) === blocked) retry();
      return true;
    }
    const position = core.waitFor(core.forRoom, deadlineMs, () =>
      core.run((own) => core.put(own, value, what)),
    );
    if (position === timedOut) return false;
    if (core.queue.capacity !== 0) return true;
    return this.#handOff(position, deadlineMs, what);
  }

  async #sendAsyncUntil(value: T, deadlineMs: number, what: string): Promise<boolean> {
    const core = this.#core;
    core.check(what);
    const position = await core.waitForAsync(core.forRoom, deadlineMs, () =>
      core.runAsync((own) => core.put(own, value, what)),
    );
    if (position === timedOut) return false;
    if (core.queue.capacity !== 0) return true;
    const handed = await core.waitForAsync(core.forRoom, deadlineMs, () =>
      core.runAsync((own) => this.#handOffState(own, position)),
    );
    return this.#handOffResult(handed, position, what);
  }

  /**
   * A rendezvous sender whose item sits at `position`: waits until a receiver took it (true), or
   * until the deadline passes or the channel closes — then takes it back if it is still there.
   */
  #handOff(position: number, deadlineMs: number, what: string): boolean {
    const core = this.#core;
    const handed = core.waitFor(core.forRoom, deadlineMs, () =>
      core.run((own) => this.#handOffState(own, position)),
    );
    return this.#handOffResult(handed, position, what);
  }

  #handOffState(engine: TxEngine, position: number): 'taken' | 'closed' | typeof blocked {
    const core = this.#core;
    if (core.queue.head(engine) > position) return 'taken';
    return core.queue.isClosed(engine) ? 'closed' : blocked;
  }

  #handOffResult(
    handed: 'taken' | 'closed' | typeof timedOut,
    position: number,
    what: string,
  ): boolean {
    if (handed === 'taken') return true;
    const core = this.#core;
    const tookBack = core.run((engine) => {
      const back = core.queue.takeBack(engine, position);
      if (back) engine.onCommit(core.signalTaken);
      return back;
    });
    if (!tookBack) return true;
    if (handed === 'closed')
      throw new ClosedError(what, 'the channel was closed before a receiver came');
    return false;
  }

  /** A received item, `timedOut`, or undefined once the channel is closed and drained. */
  #receiveUntil(deadlineMs: number, what: string): { value: T } | typeof timedOut | undefined {
    const core = this.#core;
    core.check(what);
    const engine = core.engineInTransaction;
    if (engine !== undefined) {
      const taken = core.take(engine);
      if (taken === blocked) retry();
      return taken === 'closed' ? undefined : (taken as { value: T });
    }
    const taken = core.waitFor(core.forItems, deadlineMs, () => core.run((own) => core.take(own)));
    return taken === 'closed' ? undefined : (taken as { value: T } | typeof timedOut);
  }

  async #receiveAsyncUntil(
    deadlineMs: number,
    what: string,
  ): Promise<{ value: T } | typeof timedOut | undefined> {
    const core = this.#core;
    core.check(what);
    const taken = await core.waitForAsync(core.forItems, deadlineMs, () =>
      core.runAsync((own) => core.take(own)),
    );
    return taken === 'closed' ? undefined : (taken as { value: T } | typeof timedOut);
  }
}

/** The result of a wait without a deadline, which cannot time out. */
function untimed<R>(result: R | typeof timedOut): R {
  if (result === timedOut) throw new BugError('a channel wait without a deadline timed out');
  return result;
}

function closedAndDrained(what: string): ClosedError {
  return new ClosedError(what, 'the channel is closed and drained');
}

/** The `performance.now()` deadline of a timeout; RangeError for a bad one. */
export function deadlineOf(timeoutMs: number, what: string): number {
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) {
    throw new RangeError(`${what}: the timeout must be a number ≥ 0 (got ${String(timeoutMs)})`);
  }
  return performance.now() + timeoutMs;
}

/** A new channel; RangeError (nothing allocated) for a capacity that is not an integer ≥ 0. */
export function createChannel<T>(
  context: HeapContext,
  options: ChannelOptions = {},
): SharedChannel<T> {
  context.checkOpen('heap.channel');
  const capacity = options.capacity ?? unboundedCapacity;
  if (options.capacity !== undefined) {
    if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(
        `heap.channel: capacity must be an integer ≥ 0 (got ${String(options.capacity)})`,
      );
    }
    if (capacity > limits.channelCapacityMax) {
      throw new LimitExceededError(
        'channelCapacityMax',
        `heap.channel: capacity ${String(capacity)} is more than ${String(limits.channelCapacityMax)}; use an unbounded channel`,
      );
    }
  }
  context.reclaim.enter();
  const ringSlots = ringSlotsOf(capacity);
  let segment: Handle | undefined;
  if (capacity === unboundedCapacity) {
    segment = context.allocator.allocate(channelSegmentTag, segmentPayloadBytes);
  }
  let handle: Handle;
  try {
    handle = context.allocator.allocate(channelTag, channelPayloadBytes(ringSlots));
  } catch (error) {
    if (segment !== undefined) context.allocator.free(segment);
    throw error;
  }
  const unit = handleUnit(handle);
  const { i32, b64 } = context.memory;
  const zero = numberWord(0);
  for (const word of [headWord, tailWord, closedWord, headSegmentWord, tailSegmentWord]) {
    initTword(i32, b64, word(unit), zero);
  }
  if (segment !== undefined) {
    initSegment(context, handleUnit(segment));
    initTword(i32, b64, headSegmentWord(unit), numberWord(segment));
    initTword(i32, b64, tailSegmentWord(unit), numberWord(segment));
  }
  for (let slot = 0; slot < ringSlots; slot += 1) {
    initTword(i32, b64, ringSlotWord(unit, slot), holeWord);
  }
  i32[capacityIndex(unit)] = capacity;
  for (const index of [
    sentEventsIndex,
    takenEventsIndex,
    receiversWaitingIndex,
    sendersWaitingIndex,
    receiversBlockedIndex,
    sendersBlockedIndex,
  ]) {
    Atomics.store(i32, index(unit), 0);
  }
  // The creator's wrapper holds the first reference (the spare half of `head`'s word). Not
  // shared yet: its handle is published later by an atomic store.
  Atomics.store(i32, headWord(unit) * 2, 1);
  const channel = new SharedChannel<T>(context, handle);
  context.adoptNewWrapper(handle, channel);
  return channel;
}

/** Every segment of an unbounded channel, from the head's to the tail's. */
function forEachSegment(
  i32: Int32Array,
  b64: BigInt64Array,
  unit: number,
  visit: (segment: Handle) => void,
): void {
  if ((i32[capacityIndex(unit)] ?? 0) !== unboundedCapacity) return;
  let handle = numberAt(b64, headSegmentWord(unit));
  // Bounded: a channel holds fewer segments than the heap has blocks.
  for (let step = 0; handle !== 0 && step < limits.heapBytesMax / segmentPayloadBytes; step += 1) {
    visit(handle as Handle);
    handle = numberAt(b64, segmentNextWord(handleUnit(handle as Handle)));
  }
}

/** The number a transactional word nobody writes any more holds. */
function numberAt(b64: BigInt64Array, tword: number): number {
  return numberOfWord(Atomics.load(b64, twordValue(tword))) ?? 0;
}

/** The channel as a kind of shared object: its queued items are dropped with it. */
export const channelKind: SharedKind<HeapContext> = {
  tag: channelTag,
  name: 'channel',
  open: (context, handle) => new SharedChannel(context, handle),
  forEachWord: (memory, unit, visit) => {
    const { i32, b64 } = memory;
    const ringSlots = ringSlotsOf(i32[capacityIndex(unit)] ?? 0);
    for (let slot = 0; slot < ringSlots; slot += 1) {
      visit(Atomics.load(b64, twordValue(ringSlotWord(unit, slot))));
    }
    forEachSegment(i32, b64, unit, (segment) => {
      const segmentUnit = handleUnit(segment);
      for (let slot = 0; slot < segmentSlots; slot += 1) {
        visit(Atomics.load(b64, twordValue(segmentSlotWord(segmentUnit, slot))));
      }
    });
  },
  forEachOwnedBlock: (memory, unit, visit) => {
    forEachSegment(memory.i32, memory.b64, unit, visit);
  },
};

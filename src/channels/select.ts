/**
 * `select` / `selectAsync`: wait until one of several channel operations can proceed, and do
 * exactly that one (Go's `select`, crossbeam's `Select`). Each attempt is one transaction that
 * tries the cases in turn from a random starting case and does the first that is ready, so no
 * ready case starves another (each ready case wins with probability ≥ 1/n per attempt).
 *
 * A receive case on a closed, drained channel is ready (it answers `closed: true`, as Go's
 * `v, ok := <-ch` gives ok = false); a send case on a closed channel throws ClosedError. Send
 * cases on rendezvous channels are refused (a hand-off cannot be undone by another case winning).
 *
 * Waiting: outside a transaction the selector registers as a waiter on every case's channel and
 * sleeps on one case's event word at a time (a futex is one word), for at most
 * `selectSleepMsMax` when there are several cases, looking at all of them between sleeps.
 * Inside a transaction nothing ready means `retry`: the transaction sleeps until a slot it read
 * changes — exact multi-channel waiting, without a timeout (`timeoutMs: 0` polls instead).
 */
import { BugError, limits } from '../base/index.js';
import { sleepWhileEqual } from '../platform/index.js';
import { atomicallyOn, retry, type TxEngine } from '../stm/index.js';
import { blocked, sleepAsync, type ChannelCore, type Direction } from './channel-core.js';
import { coreOf, deadlineOf, type SharedChannel } from './shared-channel.js';

/** One case of a `select`: receive from a channel, or send `value` to it. */
export type SelectCase<T = unknown> =
  { readonly receive: SharedChannel<T> } | { readonly send: SharedChannel<T>; readonly value: T };

/** The case `select` did: its index; for a receive, the value, or `closed` if there was none. */
export interface Selected {
  readonly index: number;
  readonly value?: unknown;
  /** A receive case whose channel was closed and drained (no value). */
  readonly closed: boolean;
}

export interface SelectOptions {
  /** Give up after this long: `select` then returns undefined. 0 polls once. */
  readonly timeoutMs?: number;
}

interface Prepared {
  readonly first: ChannelCore;
  readonly cases: readonly SelectCase[];
  readonly cores: readonly ChannelCore[];
  /** Per case: where its operation waits. */
  readonly directions: readonly Direction[];
  readonly deadlineMs: number;
}

/** Waits until one of `cases` can proceed and does it; undefined if `timeoutMs` passed first. */
export function select(
  cases: readonly SelectCase[],
  options: SelectOptions = {},
): Selected | undefined {
  const prepared = prepare(cases, options, 'select');
  const first = prepared.first;
  const engine = first.engineInTransaction;
  if (engine !== undefined) {
    const selected = attempt(engine, prepared);
    if (selected !== blocked) return selected;
    if (options.timeoutMs === 0) return undefined;
    if (options.timeoutMs !== undefined) {
      throw new TypeError('select: inside a transaction only timeoutMs 0 is allowed (it retries)');
    }
    retry();
  }
  const own = first.context.engine;
  return waitLoop(
    prepared,
    (seen, index, sleepMs) => {
      first.context.reclaim.quiesce();
      const direction = nth(prepared.directions, index);
      sleepWhileEqual(first.context.memory.i32, direction.events, seen, sleepMs);
    },
    () => atomicallyOn(own, () => attempt(own, prepared)),
  );
}

/** `select` for a thread that must not block: waits through `Atomics.waitAsync`. */
export async function selectAsync(
  cases: readonly SelectCase[],
  options: SelectOptions = {},
): Promise<Selected | undefined> {
  const prepared = prepare(cases, options, 'selectAsync');
  const first = prepared.first;
  const i32 = first.context.memory.i32;
  const registered = register(prepared, 1);
  try {
    for (;;) {
      const seen = prepared.directions.map((direction) => Atomics.load(i32, direction.events));
      const selected = await first.runAsync((engine) => attempt(engine, prepared));
      if (selected !== blocked) return selected;
      const remainingMs = prepared.deadlineMs - performance.now();
      if (remainingMs <= 0) return undefined;
      const moved = seen.findIndex((value, index) => movedFrom(i32, prepared, index, value));
      if (moved !== -1) continue;
      const index = Math.floor(Math.random() * seen.length);
      const direction = nth(prepared.directions, index);
      first.context.reclaim.quiesce();
      await sleepAsync(i32, direction.events, seen[index] ?? 0, sleepMsOf(prepared, remainingMs));
    }
  } finally {
    register(prepared, -1, registered);
  }
}

function waitLoop(
  prepared: Prepared,
  sleep: (seen: number, index: number, sleepMs: number) => void,
  tryOnce: () => Selected | typeof blocked,
): Selected | undefined {
  const first = prepared.first;
  const i32 = first.context.memory.i32;
  const registered = register(prepared, 1);
  try {
    for (;;) {
      // ORDERING: registered, then the event words loaded, then the attempt (channel-core.ts).
      const seen = prepared.directions.map((direction) => Atomics.load(i32, direction.events));
      const selected = tryOnce();
      if (selected !== blocked) return selected;
      const remainingMs = prepared.deadlineMs - performance.now();
      if (remainingMs <= 0) return undefined;
      const moved = seen.findIndex((value, index) => movedFrom(i32, prepared, index, value));
      if (moved !== -1) continue;
      const index = Math.floor(Math.random() * seen.length);
      sleep(seen[index] ?? 0, index, sleepMsOf(prepared, remainingMs));
    }
  } finally {
    register(prepared, -1, registered);
  }
}

function movedFrom(i32: Int32Array, prepared: Prepared, index: number, seen: number): boolean {
  const direction = nth(prepared.directions, index);
  return Atomics.load(i32, direction.events) !== seen;
}

function sleepMsOf(prepared: Prepared, remainingMs: number): number {
  const slice = prepared.cases.length > 1 ? limits.selectSleepMsMax : limits.channelSleepMsMax;
  return Math.min(remainingMs, slice);
}

/**
 * Adds `delta` to the waiting and blocked counts of each distinct direction (a select has no
 * spin: it counts as asleep throughout); returns those it touched.
 */
function register(prepared: Prepared, delta: number, only?: readonly Direction[]): Direction[] {
  const first = prepared.first;
  const i32 = first.context.memory.i32;
  const directions = only ?? [...new Set(prepared.directions)];
  for (const direction of directions) {
    Atomics.add(i32, direction.waiting, delta);
    Atomics.add(i32, direction.blocked, delta);
  }
  return [...directions];
}

/** One pass over the cases from a random one, in the transaction of `engine`. */
function attempt(engine: TxEngine, prepared: Prepared): Selected | typeof blocked {
  const { cases, cores } = prepared;
  const start = Math.floor(Math.random() * cases.length);
  for (let step = 0; step < cases.length; step += 1) {
    const index = (start + step) % cases.length;
    const selectCase = nth(cases, index);
    const core = nth(cores, index);
    if ('receive' in selectCase) {
      const taken = core.take(engine);
      if (taken === blocked) continue;
      if (taken === 'closed') return { index, closed: true };
      return { index, value: taken.value, closed: false };
    }
    if (core.put(engine, selectCase.value, 'select') === blocked) continue;
    return { index, closed: false };
  }
  return blocked;
}

function prepare(cases: readonly SelectCase[], options: SelectOptions, what: string): Prepared {
  // Checked at run time: the caller may be plain JavaScript.
  const untrusted: unknown = cases;
  if (!Array.isArray(untrusted) || untrusted.length === 0) {
    throw new TypeError(`${what}: give at least one case`);
  }
  const cores: ChannelCore[] = [];
  const directions: Direction[] = [];
  for (const selectCase of cases) {
    const isReceive = 'receive' in selectCase;
    const core = coreOf(isReceive ? selectCase.receive : selectCase.send, what);
    core.check(what);
    if (cores.length > 0 && core.context !== cores[0]?.context) {
      throw new TypeError(`${what}: every channel must belong to the same heap`);
    }
    if (!isReceive && core.queue.capacity === 0) {
      throw new TypeError(`${what}: a send case on a rendezvous channel is not supported`);
    }
    cores.push(core);
    directions.push(isReceive ? core.forItems : core.forRoom);
  }
  const deadlineMs =
    options.timeoutMs === undefined ? Infinity : deadlineOf(options.timeoutMs, what);
  return { first: nth(cores, 0), cases, cores, directions, deadlineMs };
}

/** `items[index]`, which the caller knows exists. */
function nth<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new BugError(`select: no item ${String(index)}`);
  return item;
}

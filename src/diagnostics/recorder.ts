/**
 * The recorder of one thread (decision 0016): told by its engine of every attempt and conflict
 * (stm/recorder.ts), it writes the conflict log's records (log-records.ts) to its sink.
 *
 * Costs. With recording off the engine tests one field per attempt. On, each attempt reads the
 * clock twice (its split into committed, aborted and waiting time); each conflict writes one
 * line; and a conflict or a request for this thread's site takes a stack — the dear part (20 to
 * 80 µs, more with source maps). Stacks are held to `stackShare` of the thread's time: past it,
 * a record reuses the site last taken for the same word (or the last answer given), which a loop
 * that conflicts on one word over and over gets right. The same reuse names the line of a
 * conflict met at commit, when only the library is on the stack (a task run by the queue).
 */
import { currentThreadId } from '../platform/index.js';
import type { AbortKind, ConflictEvent, TxEngine, TxRecorder } from '../stm/index.js';
import {
  statsIntervalMs,
  type ConflictKind,
  type ConflictRecord,
  type SourceSite,
  type StatsRecord,
} from './log-records.js';
import type { LogSink } from './log-sink.js';
import { captureStack, userFrames } from './stack-sites.js';

/** Share of a thread's time its stacks may take, after a start allowance (ms). */
const stackShare = 0.05;
const stackAllowanceMs = 25;
/** Sites remembered per (kind, word) for reuse past the budget; cleared when this many. */
const sitesRemembered = 4096;
/** Characters of a key kept in a record. */
const keyCharsMax = 120;

export class ThreadRecorder implements TxRecorder {
  readonly #engine: TxEngine;
  readonly #sink: LogSink;
  readonly #slot: number;
  readonly #thread = currentThreadId();
  readonly #origin = performance.timeOrigin;
  readonly #startedAt = performance.now();

  #attemptStart = 0;
  #inAttempt = false;
  #waitInAttempt = 0;
  /** The user frames taken when the running attempt failed (`failing`). */
  #failFrames: SourceSite[] | undefined;
  #stackMs = 0;
  readonly #sitesByWord = new Map<number, SourceSite[]>();
  #lastAnswer: SourceSite[] = [];

  #commits = 0;
  #aborts = 0;
  #committedMs = 0;
  #abortedMs = 0;
  #waitingMs = 0;
  #lastStatsAt = 0;
  #closed = false;

  constructor(engine: TxEngine, sink: LogSink) {
    this.#engine = engine;
    this.#sink = sink;
    this.#slot = engine.slot;
    sink.write({ t: 'worker', time: this.#wallTime(), slot: this.#slot, thread: this.#thread });
  }

  get sink(): LogSink {
    return this.#sink;
  }

  attemptStarted(): void {
    this.#attemptStart = performance.now();
    this.#inAttempt = true;
    this.#waitInAttempt = 0;
    this.#failFrames = undefined;
  }

  failing(kind: AbortKind): void {
    if (kind === 'upgrade' || kind === 'exception') return;
    this.#failFrames = this.#framesIfAffordable(performance.now());
  }

  conflict(event: ConflictEvent): void {
    const now = performance.now();
    const kind = event.kind as ConflictKind;
    let lostMs: number;
    let frames: SourceSite[] | undefined;
    if (kind === 'wait') {
      lostMs = event.lostMs;
      this.#waitingMs += lostMs;
      if (this.#inAttempt) this.#waitInAttempt += lostMs;
      // The wait ran inside the read or lock that met the other transaction: its line is here.
      frames = this.#framesIfAffordable(now);
    } else {
      lostMs = this.#inAttempt ? Math.max(0, now - this.#attemptStart - this.#waitInAttempt) : 0;
      frames = this.#failFrames ?? this.#framesIfAffordable(now);
    }
    const remembered = event.word;
    if (frames !== undefined && frames.length !== 0) {
      if (this.#sitesByWord.size === sitesRemembered) this.#sitesByWord.clear();
      this.#sitesByWord.set(remembered, frames);
    } else {
      frames = this.#sitesByWord.get(remembered);
    }
    const place = event.place;
    const key = place?.key === undefined ? undefined : formatKey(place.key);
    const task = this.#engine.label;
    const other = event.otherSlot;
    const record: ConflictRecord = {
      t: 'conflict',
      time: this.#origin + now,
      slot: this.#slot,
      thread: this.#thread,
      kind,
      lostMs,
      object: place?.object ?? 'none',
      handle: place?.handle ?? 0,
      part: place?.part ?? 'none',
      other,
      ...(key === undefined ? {} : { key }),
      ...sitesOf(frames),
      ...(task === undefined ? {} : { task }),
    };
    if (other >= 0 && other !== this.#slot) this.#engine.requestSite(other);
    this.#sink.write(record);
  }

  attemptEnded(committed: boolean): void {
    if (!this.#inAttempt) return;
    this.#inAttempt = false;
    const now = performance.now();
    const working = Math.max(0, now - this.#attemptStart - this.#waitInAttempt);
    if (committed) {
      this.#commits += 1;
      this.#committedMs += working;
    } else {
      this.#aborts += 1;
      this.#abortedMs += working;
    }
    if (this.#engine.takeSiteRequest()) this.#answer(now);
    if (now - this.#lastStatsAt >= statsIntervalMs) {
      this.#lastStatsAt = now;
      this.#sink.write(this.#stats(now));
    }
  }

  /** Writes this thread's totals now (a live report reads them). */
  flushStats(): void {
    const now = performance.now();
    this.#lastStatsAt = now;
    this.#sink.write(this.#stats(now));
  }

  /** Writes the last totals and the `end` record (the thread leaves the heap). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const now = performance.now();
    this.#sink.write(this.#stats(now));
    this.#sink.write({
      t: 'end',
      time: this.#origin + now,
      slot: this.#slot,
      thread: this.#thread,
    });
    this.#sink.close();
  }

  /** Another worker lost to this one: the site of the transaction that just ended here. */
  #answer(now: number): void {
    const frames = this.#framesIfAffordable(now);
    if (frames !== undefined && frames.length !== 0) this.#lastAnswer = frames;
    const task = this.#engine.label;
    this.#sink.write({
      t: 'site',
      time: this.#origin + now,
      slot: this.#slot,
      thread: this.#thread,
      ...sitesOf(this.#lastAnswer),
      ...(task === undefined ? {} : { task }),
    });
  }

  #framesIfAffordable(now: number): SourceSite[] | undefined {
    if (this.#stackMs > stackAllowanceMs + stackShare * (now - this.#startedAt)) return undefined;
    const frames = userFrames(captureStack());
    this.#stackMs += performance.now() - now;
    return frames;
  }

  #stats(now: number): StatsRecord {
    return {
      t: 'stats',
      time: this.#origin + now,
      slot: this.#slot,
      thread: this.#thread,
      commits: this.#commits,
      aborts: this.#aborts,
      committedMs: this.#committedMs,
      abortedMs: this.#abortedMs,
      waitingMs: this.#waitingMs,
    };
  }

  #wallTime(): number {
    return this.#origin + performance.now();
  }
}

function sitesOf(
  frames: readonly SourceSite[] | undefined,
): { site: SourceSite; frames?: SourceSite[] } | Record<string, never> {
  const [site, ...callers] = frames ?? [];
  if (site === undefined) return {};
  return callers.length === 0 ? { site } : { site, frames: callers };
}

/** A key as short text: JSON for strings (quotes show it is one), else its String form. */
export function formatKey(key: unknown): string {
  let text: string;
  if (typeof key === 'string') text = JSON.stringify(key);
  else if (typeof key === 'bigint') text = `${String(key)}n`;
  else if (typeof key === 'object' && key !== null) text = Object.prototype.toString.call(key);
  else text = String(key);
  return text.length <= keyCharsMax ? text : `${text.slice(0, keyCharsMax - 1)}…`;
}

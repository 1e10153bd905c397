/**
 * The recorder of one thread (decision 0016): told by its engine of every attempt and conflict
 * (stm/recorder.ts), it writes the conflict log's records (log-records.ts) to its sink.
 *
 * Costs (decision 0016 has the measurements). With recording off the engine tests one field
 * per attempt. On: one first attempt in `timedEvery` reads the clock at its start and end (the
 * split into committed, aborted and waiting time), reruns always do; the first conflict of each
 * kind, word, other side, task and site writes a line at once, its repeats are summed and
 * written once per `statsIntervalMs`; and a conflict or a request for this thread's site takes a
 * stack — the dear part (20 to 80 µs, more with source maps). Stacks are held to `stackShare`
 * of the thread's time, and as much again for words met for the first time; past that a record
 * reuses the site last taken on the same word (or the last answer given), which a loop that
 * conflicts on one word over and over gets right. Nothing costly runs while the attempt may
 * hold a lock another worker waits for: a wait's stack is taken before it waits (`meeting`),
 * and the wait is written when the attempt ends.
 */
import { currentThreadId } from '../platform/index.js';
import type { AbortKind, ConflictEvent, TxEngine, TxRecorder, WordPlace } from '../stm/index.js';
import {
  statsIntervalMs,
  type ConflictKind,
  type ConflictRecord,
  type SiteRecord,
  type SourceSite,
  type StatsRecord,
} from './log-records.js';
import type { LogSink } from './log-sink.js';
import { captureStack, userFrames } from './stack-sites.js';

/** Share of a thread's time its stacks may take, after a start allowance (ms). */
const stackShare = 0.05;
const stackAllowanceMs = 25;
/** Sites remembered per word for reuse past the budget; cleared when this many. */
const sitesRemembered = 4096;
/** Repeating conflicts summed between two writes; past this many kinds, the sums start over. */
const repeatsKept = 1024;
/** Characters of a key kept in a record. */
const keyCharsMax = 120;
/** One first attempt in this many is timed (reruns always are). */
const timedEvery = 8;

/** Waits of one attempt kept for its end; past this many, further ones count in no record. */
const pendingWaitsMax = 16;

interface PendingWait {
  readonly tword: number;
  readonly otherSlot: number;
  lostMs: number;
  readonly frames: SourceSite[] | undefined;
  readonly time: number;
  count: number;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** Repeats of one conflict (or answer) since they were last written. */
interface Repeats<R> {
  readonly first: R;
  count: number;
  lostMs: number;
  time: number;
  until: number;
}

export class ThreadRecorder implements TxRecorder {
  readonly #engine: TxEngine;
  readonly #sink: LogSink;
  readonly #slot: number;
  readonly #thread = currentThreadId();
  readonly #origin = performance.timeOrigin;
  readonly #startedAt = performance.now();

  #inAttempt = false;
  /**
   * Time accounting samples: a timed attempt reads the clock at its start and end and counts
   * `#weight` times; the others cost no clock read (a read is about a tenth of a small
   * transaction here). Aborted attempts that were not timed count the time the engine took
   * for them (from their first meeting with another transaction, `ConflictEvent.lostMs`).
   */
  #timed = false;
  #weight = 1;
  #untilTimed = 0;
  #attemptStart = 0;
  #waitInAttempt = 0;
  #lostInAttempt = 0;
  /** The user frames taken when the running attempt failed (`failing`), or met another. */
  #failFrames: SourceSite[] | undefined;
  #meetFrames: SourceSite[] | undefined;
  /** Waits of the running attempt, written when it ends. */
  readonly #pendingWaits: PendingWait[] = [];
  #stackMs = 0;
  #novelStackMs = 0;
  readonly #sitesByWord = new Map<number, SourceSite[]>();
  #lastAnswer: SourceSite[] = [];
  readonly #repeats = new Map<string, Repeats<ConflictRecord>>();
  #answers: Repeats<SiteRecord> | undefined;
  #answerKey = '';

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

  attemptStarted(rerun: boolean): void {
    this.#inAttempt = true;
    this.#waitInAttempt = 0;
    this.#lostInAttempt = 0;
    this.#failFrames = undefined;
    this.#meetFrames = undefined;
    if (rerun) {
      this.#timed = true;
      this.#weight = 1;
    } else if (this.#untilTimed === 0) {
      this.#untilTimed = timedEvery - 1;
      this.#timed = true;
      this.#weight = timedEvery;
    } else {
      this.#untilTimed -= 1;
      this.#timed = false;
      return;
    }
    this.#attemptStart = performance.now();
  }

  failing(kind: AbortKind, tword: number): void {
    if (kind === 'upgrade' || kind === 'exception') return;
    this.#failFrames = this.#framesIfAffordable(performance.now(), tword);
  }

  meeting(tword: number): void {
    this.#meetFrames = this.#framesIfAffordable(performance.now(), tword);
  }

  waited(tword: number, lostMs: number, otherSlot: number): void {
    this.#waitingMs += lostMs;
    const frames = this.#meetFrames;
    this.#meetFrames = undefined;
    if (!this.#inAttempt) {
      this.#record('wait', tword, otherSlot, lostMs, frames, performance.now());
      return;
    }
    this.#waitInAttempt += lostMs;
    // Written when the attempt ends: describing the word and writing the record would make the
    // others wait longer on the locks this attempt may hold now.
    const pending = this.#pendingWaits;
    const last = pending[pending.length - 1];
    if (last?.tword === tword && last.otherSlot === otherSlot) {
      last.lostMs += lostMs;
      last.count += 1;
    } else if (pending.length < pendingWaitsMax) {
      pending.push({ tword, otherSlot, lostMs, frames, time: performance.now(), count: 1 });
    }
  }

  conflict(event: ConflictEvent): void {
    const now = performance.now();
    const kind = event.kind as ConflictKind;
    const lostMs = !this.#inAttempt
      ? 0
      : this.#timed
        ? Math.max(0, now - this.#attemptStart - this.#waitInAttempt)
        : event.lostMs;
    this.#lostInAttempt = lostMs;
    this.#aborts += 1;
    const frames = this.#failFrames ?? this.#framesIfAffordable(now, event.word);
    this.#record(kind, event.word, event.otherSlot, lostMs, frames, now, event.place);
  }

  /**
   * Writes a conflict's record, or adds it to the repeats of the same one (`place`: the word's,
   * when already described). Asks the other side for its site.
   */
  #record(
    kind: ConflictKind,
    word: number,
    other: number,
    lostMs: number,
    taken: SourceSite[] | undefined,
    now: number,
    described?: WordPlace,
    count = 1,
  ): void {
    let frames = taken;
    if (frames !== undefined && frames.length !== 0) {
      if (this.#sitesByWord.size === sitesRemembered) this.#sitesByWord.clear();
      this.#sitesByWord.set(word, frames);
    } else {
      frames = this.#sitesByWord.get(word);
    }
    if (other >= 0 && other !== this.#slot) this.#engine.requestSite(other);
    const task = this.#engine.label;
    const time = this.#origin + now;
    const site = frames?.[0];
    const id = `${kind}|${String(word)}|${String(other)}|${task ?? ''}|${site?.file ?? ''}|${String(site?.line ?? 0)}`;
    const repeats = this.#repeats.get(id);
    if (repeats !== undefined) {
      if (repeats.count === 0) repeats.time = time;
      repeats.count += count;
      repeats.lostMs += lostMs;
      repeats.until = time;
      return;
    }
    const place = described ?? (word === 0 ? undefined : this.#engine.describeWord(word));
    const key = place?.key === undefined ? undefined : formatKey(place.key);
    const record: ConflictRecord = {
      t: 'conflict',
      time,
      slot: this.#slot,
      thread: this.#thread,
      kind,
      lostMs,
      object: place?.object ?? 'none',
      handle: place?.handle ?? 0,
      part: place?.part ?? 'none',
      other,
      ...(key === undefined ? {} : { key }),
      ...(count === 1 ? {} : { count }),
      ...sitesOf(frames),
      ...(task === undefined ? {} : { task }),
    };
    if (this.#repeats.size === repeatsKept) this.#writeRepeats(true);
    this.#repeats.set(id, { first: record, count: 0, lostMs: 0, time: 0, until: 0 });
    this.#sink.write(record);
  }

  #writePendingWaits(): void {
    for (const wait of this.#pendingWaits) {
      this.#record(
        'wait',
        wait.tword,
        wait.otherSlot,
        wait.lostMs,
        wait.frames,
        wait.time,
        undefined,
        wait.count,
      );
    }
    this.#pendingWaits.length = 0;
  }

  attemptEnded(committed: boolean): void {
    if (!this.#inAttempt) return;
    this.#inAttempt = false;
    if (this.#pendingWaits.length !== 0) this.#writePendingWaits();
    if (this.#engine.takeSiteRequest()) this.#answer();
    if (committed) this.#commits += 1;
    if (!this.#timed) {
      if (!committed) this.#abortedMs += this.#lostInAttempt;
      return;
    }
    const now = performance.now();
    const working = Math.max(0, now - this.#attemptStart - this.#waitInAttempt);
    if (committed) this.#committedMs += working * this.#weight;
    else this.#abortedMs += working;
    if (now - this.#lastStatsAt >= statsIntervalMs) this.flushStats(now);
  }

  /** Writes the repeats summed so far and this thread's totals (a live report reads them). */
  flushStats(now = performance.now()): void {
    this.#lastStatsAt = now;
    this.#writeRepeats(false);
    this.#sink.write(this.#stats(now));
  }

  /** Writes the last totals and the `end` record (the thread leaves the heap). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const now = performance.now();
    this.flushStats(now);
    this.#sink.write({
      t: 'end',
      time: this.#origin + now,
      slot: this.#slot,
      thread: this.#thread,
    });
    this.#sink.close();
  }

  /** Another worker lost to this one: the site of the transaction that just ended here. */
  #answer(): void {
    const now = performance.now();
    const frames = this.#framesIfAffordable(now);
    if (frames !== undefined && frames.length !== 0) this.#lastAnswer = frames;
    const task = this.#engine.label;
    const site = this.#lastAnswer[0];
    const id = `${task ?? ''}|${site?.file ?? ''}|${String(site?.line ?? 0)}`;
    const time = this.#origin + now;
    const answers = this.#answers;
    if (answers !== undefined && id === this.#answerKey) {
      if (answers.count === 0) answers.time = time;
      answers.count += 1;
      answers.until = time;
      return;
    }
    this.#writeAnswers();
    const record: SiteRecord = {
      t: 'site',
      time,
      slot: this.#slot,
      thread: this.#thread,
      ...sitesOf(this.#lastAnswer),
      ...(task === undefined ? {} : { task }),
    };
    this.#answerKey = id;
    this.#answers = { first: record, count: 0, lostMs: 0, time: 0, until: 0 };
    this.#sink.write(record);
  }

  #writeAnswers(): void {
    const answers = this.#answers;
    if (answers === undefined || answers.count === 0) return;
    this.#sink.write({
      ...answers.first,
      time: answers.time,
      until: answers.until,
      count: answers.count,
    });
    answers.count = 0;
  }

  /** Writes the summed repeats (and forgets every kind of conflict, if `forget`). */
  #writeRepeats(forget: boolean): void {
    this.#writeAnswers();
    for (const repeats of this.#repeats.values()) {
      if (repeats.count === 0) continue;
      const record: Writable<ConflictRecord> = { ...repeats.first };
      record.time = repeats.time;
      record.until = repeats.until;
      record.count = repeats.count;
      record.lostMs = repeats.lostMs;
      this.#sink.write(record);
      repeats.count = 0;
      repeats.lostMs = 0;
    }
    if (forget) this.#repeats.clear();
  }

  /**
   * The user frames of the stack now, if the budget allows: the main budget, or — for a word no
   * stack was taken on yet (`tword`; 0 for none), so that a rare conflict is not left without
   * its line by a frequent one — a second budget of the same size.
   */
  #framesIfAffordable(now: number, tword = 0): SourceSite[] | undefined {
    const budget = stackAllowanceMs + stackShare * (now - this.#startedAt);
    let novel = false;
    if (this.#stackMs > budget) {
      novel = tword !== 0 && !this.#sitesByWord.has(tword) && this.#novelStackMs <= budget;
      if (!novel) return undefined;
    }
    const frames = userFrames(captureStack());
    const spent = performance.now() - now;
    if (novel) this.#novelStackMs += spent;
    else this.#stackMs += spent;
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

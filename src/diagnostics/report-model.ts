/**
 * What a conflict report holds: the aggregation of a conflict log (`shared-objects report`) or
 * of the live records (`heap.conflicts()`). The text and HTML renderers read only this.
 */
import type { ConflictKind, SourceSite, StatsRecord } from './log-records.js';

/** A site with the source line it points at, when the file could be read. */
export interface ReportSite extends SourceSite {
  /** The line's text, trimmed (absent when the file could not be read). */
  readonly text?: string;
}

/** Which fix a conflict's evidence points to. */
export type SuggestionCode =
  | 'counter' // a number read and rewritten by many: heap.counter() / commute
  | 'move-io' // the transaction went inevitable (I/O) while others ran: move the I/O out
  | 'shared-map' // one cell holds a big value many write parts of: a SharedMap / SharedArray
  | 'snapshot' // a long reader keeps losing to writers: snapshot iteration
  | 'key-by-task' // tasks touching the same key conflict: TransactionQueue.addKeyed
  | 'prefill' // a collection's table or buckets changed under readers: it was growing
  | 'shorten'; // generic: do less inside the transaction

export interface Suggestion {
  readonly code: SuggestionCode;
  /** One or two sentences, with the API to use. */
  readonly text: string;
}

/** One group of conflicts: the same kind, place and pair of sites. */
export interface ConflictSummary {
  readonly kind: ConflictKind;
  /** The place (log-records.ts `ConflictRecord`). */
  readonly object: string;
  readonly handle: number;
  readonly part: string;
  readonly key?: string;
  /** This side's site (the loser's), and the other side's (the winner's transaction). */
  readonly site?: ReportSite;
  readonly otherSite?: ReportSite;
  /** How many conflicts, and the time they lost (aborted attempts plus waits), in ms. */
  readonly count: number;
  readonly lostMs: number;
  /** The `TransactionQueue` tasks involved (this side), most frequent first. */
  readonly tasks: readonly string[];
  /** The task the other side ran, when it answered while running one. */
  readonly otherTask?: string;
  /** The worker slots that lost. */
  readonly slots: readonly number[];
  readonly suggestion: Suggestion;
}

/** One worker's time (a thread; slots may be reused, threads not): its last `stats` record's. */
export interface WorkerTime extends Omit<StatsRecord, 't' | 'time'> {
  /** It wrote no `end` record: killed, or still running. */
  readonly unfinished: boolean;
}

/** Commits and aborts of one worker in one slice of the run (for the timeline chart). */
export interface TimelineSlice {
  readonly thread: number;
  /** Slice start, in ms from the report's start. */
  readonly atMs: number;
  readonly commits: number;
  readonly aborts: number;
}

export interface KindTotal {
  readonly kind: ConflictKind;
  readonly count: number;
  readonly lostMs: number;
}

export interface ConflictReport {
  /** Where the records came from: a log file's path, or `live`. */
  readonly source: string;
  /** Wall-clock ms of the first record, and the span to the last. */
  readonly startedAt: number;
  readonly durationMs: number;
  readonly workers: readonly WorkerTime[];
  /** Sums over the workers. */
  readonly totals: Omit<WorkerTime, 'slot' | 'thread' | 'unfinished'>;
  /** Every conflict kind seen, by time lost. */
  readonly kinds: readonly KindTotal[];
  /** Conflict groups by time lost, largest first. */
  readonly conflicts: readonly ConflictSummary[];
  /** Slices of `sliceMs` per worker, in time order. */
  readonly sliceMs: number;
  readonly timeline: readonly TimelineSlice[];
  /** Lines of the log that did not parse (a torn last line of a killed run, or corruption). */
  readonly skippedLines: number;
}

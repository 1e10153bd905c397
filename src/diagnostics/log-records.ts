/**
 * The conflict log's records: one JSON object per line of the log file (JSON lines), the same
 * objects the live view (`heap.conflicts()`) aggregates. Version 1.
 *
 * | `t`        | written by                                   | when                                  |
 * |------------|----------------------------------------------|---------------------------------------|
 * | `start`    | the thread that made the heap (`Heap.create`) | recording starts (first line)         |
 * | `worker`   | each thread that records                     | it starts recording (create, attach)  |
 * | `conflict` | the thread whose attempt lost                | an abort, or a wait on another        |
 * | `site`     | the thread whose attempt won                 | the loser asked for its site (0016)   |
 * | `stats`    | each recording thread                        | every `statsIntervalMs`, and at close |
 * | `end`      | each recording thread                        | it leaves the heap (`heap.close`)     |
 *
 * Costs bound what is written: the first conflict of each kind, place, site and task is written
 * when it happens; its repeats are summed and written once per `statsIntervalMs` (`count`), and
 * so are repeated answers. A killed thread loses at most its last interval's repeats.
 *
 * Every record carries `time`: wall-clock milliseconds (`performance.timeOrigin +
 * performance.now()`), comparable across the threads of one process, and `slot`, the worker's
 * slot in the heap (a slot is reused after its worker leaves; `thread` tells them apart).
 * A line that does not parse (a torn last line of a killed process) is skipped by readers.
 */

export const logVersion = 1;

/** Milliseconds between two `stats` records of one thread (while it runs transactions). */
export const statsIntervalMs = 100;

/** A place in source code: the user's line, mapped to TypeScript when a source map says so. */
export interface SourceSite {
  /** A path or URL, as the stack gave it. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The function's name, when the stack names it. */
  readonly function?: string;
}

/** Why a conflict record was written: an abort kind, or a wait on another transaction. */
export type ConflictKind =
  'write-write' | 'write-read' | 'inevitable' | 'preempted' | 'neutralised' | 'retry' | 'wait';

export interface StartRecord {
  readonly t: 'start';
  readonly v: typeof logVersion;
  readonly time: number;
  readonly pid: number;
  /** The command line or page that ran (best effort). */
  readonly argv: readonly string[];
  readonly runtime: string;
}

export interface WorkerRecord {
  readonly t: 'worker';
  readonly time: number;
  readonly slot: number;
  /** The thread's id (worker_threads' threadId; 0 for the main thread). */
  readonly thread: number;
}

export interface ConflictRecord {
  readonly t: 'conflict';
  readonly time: number;
  readonly slot: number;
  readonly thread: number;
  readonly kind: ConflictKind;
  /** The aborted attempt's duration, or the wait's, in ms. */
  readonly lostMs: number;
  /** The word's place (stats.ts `WordPlace`): kind of object, its handle, the part. */
  readonly object: string;
  readonly handle: number;
  readonly part: string;
  /** The map key, array index or field name, as short text (JSON for strings). */
  readonly key?: string;
  /**
   * This side's site: the first user frame of the stack where the conflict was met — the line
   * that touched the word (a wait, a lock), or the `atomically` call (a failed validation).
   */
  readonly site?: SourceSite;
  /** The next few user frames below `site` (callers), for context. */
  readonly frames?: readonly SourceSite[];
  /** The `TransactionQueue` task this worker was running, if any. */
  readonly task?: string;
  /** The other transaction's worker slot, or -1 when unknown. */
  readonly other: number;
  /**
   * Conflicts this record stands for (absent: 1). A thread writes the first conflict of a kind,
   * place, site and task at once, and sums the repeats that follow into one record per
   * `statsIntervalMs`: `time` is the first repeat's, `until` the last's, `lostMs` their sum.
   */
  readonly count?: number;
  readonly until?: number;
}

/** The winner's answer: the site of the transaction it was running when it was asked. */
export interface SiteRecord {
  readonly t: 'site';
  readonly time: number;
  readonly slot: number;
  readonly thread: number;
  readonly site?: SourceSite;
  readonly frames?: readonly SourceSite[];
  readonly task?: string;
  /**
   * Answers this record stands for (absent: 1): repeats of the same site are summed like
   * conflicts' (`ConflictRecord.count`), from `time` to `until`.
   */
  readonly count?: number;
  readonly until?: number;
}

/** A thread's totals since it started recording (cumulative: the last one counts). */
export interface StatsRecord {
  readonly t: 'stats';
  readonly time: number;
  readonly slot: number;
  readonly thread: number;
  readonly commits: number;
  readonly aborts: number;
  /** Time in attempts that committed, that aborted, and waiting on other transactions. */
  readonly committedMs: number;
  readonly abortedMs: number;
  readonly waitingMs: number;
}

export interface EndRecord {
  readonly t: 'end';
  readonly time: number;
  readonly slot: number;
  readonly thread: number;
}

export type LogRecord =
  StartRecord | WorkerRecord | ConflictRecord | SiteRecord | StatsRecord | EndRecord;

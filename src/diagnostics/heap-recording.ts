/**
 * A heap's conflict log in one thread (decision 0016): opening the sink and the recorder when a
 * heap is made or attached with recording on, the live report (`heap.conflicts()`), and closing.
 */
import type { TxEngine, TxStats } from '../stm/index.js';
import { aggregateConflicts, totalsOf } from './aggregate.js';
import { readConflictLog } from './log-read.js';
import { logVersion } from './log-records.js';
import { openSink } from './log-sink.js';
import { ThreadRecorder } from './recorder.js';
import type { ConflictReport, WorkerTime } from './report-model.js';

/** Where a heap records: a log file's path, or `true` for each thread's memory. */
export type ConflictLogSetting = string | true;

interface ProcessLike {
  readonly pid?: number;
  readonly argv?: string[];
  readonly version?: string;
}

export class HeapRecording {
  readonly #recorder: ThreadRecorder;

  /**
   * Starts recording this thread's transactions on `engine` into `setting`'s log; `startsLog`:
   * this thread makes the heap, so it empties the file and writes the `start` record.
   */
  constructor(engine: TxEngine, setting: ConflictLogSetting, startsLog: boolean) {
    const sink = openSink(setting === true ? undefined : setting, startsLog);
    if (startsLog) {
      const nodeProcess = (globalThis as { process?: ProcessLike }).process;
      const navigatorLike = (globalThis as { navigator?: { userAgent?: string } }).navigator;
      sink.write({
        t: 'start',
        v: logVersion,
        time: performance.timeOrigin + performance.now(),
        pid: nodeProcess?.pid ?? 0,
        argv: nodeProcess?.argv ?? [],
        runtime: nodeProcess?.version ?? navigatorLike?.userAgent ?? 'unknown',
      });
    }
    this.#recorder = new ThreadRecorder(engine, sink);
    engine.recorder = this.#recorder;
  }

  /** The live report: the log file so far (every thread's), or this thread's memory records. */
  report(): ConflictReport {
    const recorder = this.#recorder;
    recorder.flushStats();
    const path = recorder.sink.path;
    if (path === undefined) {
      return aggregateConflicts(recorder.sink.kept() ?? [], { source: 'live (this thread)' });
    }
    const log = readConflictLog(path);
    return aggregateConflicts(log.records, { source: path, skippedLines: log.skippedLines });
  }

  /** Stops recording (the thread leaves the heap): last totals and the `end` record. */
  close(engine: TxEngine): void {
    engine.recorder = undefined;
    this.#recorder.close();
  }
}

/** The live report of a heap that does not record: each worker slot's totals, no conflicts. */
export function reportWithoutLog(stats: TxStats): ConflictReport {
  const workers: WorkerTime[] = stats.bySlot.map((worker) => ({
    slot: worker.slot,
    thread: -1,
    commits: worker.commits,
    aborts: worker.aborts,
    committedMs: 0,
    abortedMs: worker.lostMs,
    waitingMs: worker.waitMs,
    unfinished: false,
  }));
  const report = aggregateConflicts([], {
    source: 'live (recording off: set conflictLog or SHARED_OBJECTS_LOG for conflict sites)',
  });
  return {
    ...report,
    startedAt: performance.timeOrigin + performance.now(),
    workers,
    totals: totalsOf(workers),
  };
}

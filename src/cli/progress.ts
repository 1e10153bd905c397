/**
 * The progress of a `TransactionQueue` run on stderr: a cli-progress bar (tasks done / total,
 * tasks per second, aborts) when stderr is a terminal; otherwise one plain line when the run
 * completes, so that a log file or a CI transcript gets no control codes (and a failed run's
 * error stays the one line on stderr).
 */
import cliProgress from 'cli-progress';
import type { TransactionQueueProgress } from '../workers/index.js';

export interface RunProgress {
  /** Give it to the queue's `onProgress`. */
  readonly update: (progress: TransactionQueueProgress) => void;
  /**
   * Ends the display (call it in a `finally`: a bar gives the cursor back); `completed`: the run
   * ended well (a plain display says nothing of a failed run: its error is the one line).
   */
  finish(completed: boolean): void;
}

export interface ProgressOptions {
  /** What the bar counts, e.g. `2 workers`. */
  readonly label: string;
  /** Aborts so far in this run (read from the heap's statistics). */
  readonly aborts: () => number;
  readonly stream?: NodeJS.WriteStream;
}

const barWidth = 28;
/** 128 + SIGINT's number, as a shell reports a process that SIGINT ended. */
const interruptedExitCode = 130;

export function startProgress(options: ProgressOptions): RunProgress {
  const stream = options.stream ?? process.stderr;
  return stream.isTTY ? barProgress(stream, options) : plainProgress(stream, options);
}

function barProgress(stream: NodeJS.WriteStream, options: ProgressOptions): RunProgress {
  const bar = new cliProgress.SingleBar(
    {
      format:
        `${options.label.padEnd(10)} {bar} {value}/{total} tasks | {rate} tasks/s | ` +
        '{aborts} aborts | {duration_formatted}',
      barsize: barWidth,
      barCompleteChar: '█',
      barIncompleteChar: '░',
      hideCursor: true,
      stream,
      // The queue calls back every 100 ms; redraw on those calls, not on a timer of its own.
      fps: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  // Started by the first update, so that its clock starts with the run it shows.
  let started = false;
  let stopped = false;
  // Ctrl-C during the run: give the terminal its cursor back, then end as SIGINT would.
  const interrupted = (): void => {
    bar.stop();
    process.exit(interruptedExitCode);
  };
  return {
    update: (progress) => {
      const total = Math.max(1, progress.executed + progress.remaining);
      if (!started) {
        started = true;
        bar.start(total, 0, { rate: '0', aborts: 0 });
        process.once('SIGINT', interrupted);
      }
      bar.setTotal(total);
      bar.update(progress.executed, {
        rate: rate(progress.executed, progress.elapsedMs),
        aborts: options.aborts(),
      });
    },
    finish: () => {
      if (stopped) return;
      stopped = true;
      if (!started) return;
      process.off('SIGINT', interrupted);
      bar.stop();
    },
  };
}

function plainProgress(stream: NodeJS.WriteStream, options: ProgressOptions): RunProgress {
  let last: TransactionQueueProgress | undefined;
  let finished = false;
  return {
    update: (progress) => {
      last = progress;
    },
    finish: (completed) => {
      if (finished) return;
      finished = true;
      if (!completed || last === undefined) return;
      const seconds = (last.elapsedMs / 1000).toFixed(2);
      stream.write(
        `${options.label}: ${String(last.executed)} tasks in ${seconds} s, ` +
          `${rate(last.executed, last.elapsedMs)} tasks/s, ${String(options.aborts())} aborts\n`,
      );
    },
  };
}

function rate(executed: number, elapsedMs: number): string {
  return elapsedMs > 0 ? Math.round((executed * 1000) / elapsedMs).toLocaleString('en') : '0';
}

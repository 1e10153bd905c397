/**
 * `shared-objects demo`, the README's main command: a word count of a generated corpus into a
 * `SharedMap` through a `TransactionQueue`, on 1 worker and then on N in the same run, both
 * checked against a count made in this thread; prints the speed-up, the most frequent words and
 * the top of the N-worker run's conflict report, whose log it leaves for `report`.
 */
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { commonOptions, integerOption, parseCommand } from '../args.js';
import { checkLogWritable, recordingHeapOptions } from '../conflict-log.js';
import { printConflictSummary } from '../conflict-summary.js';
import {
  countOnPool,
  countSerially,
  countsDifference,
  generateCorpus,
  topWords,
} from '../demo/word-count.js';
import type { Corpus, PoolCount } from '../demo/word-count.js';
import { CommandFailure, UsageError } from '../errors.js';
import { field, formatCount, formatMs, formatSeconds } from '../format.js';
import { startProgress } from '../progress.js';
import type { HeapOptions } from '../../api/index.js';

// About 15 s for the whole demo on a 2-core machine.
const megabytesDefault = 12;
const workersDefault = 2;
const workersMax = 64;
const megabytesMax = 1024;
const topWordCount = 5;
const topConflictCount = 3;

export const demoUsage = `usage: shared-objects demo [--megabytes N] [--workers N]
                           [--log <file>] [--html <file>]

Counts the words of a generated corpus into a SharedMap through a TransactionQueue, on 1 worker
and then on N, checks both counts against a plain count, and prints the speed-up and the top of
the N-worker run's conflict report.

options:
  --megabytes N   size of the corpus (default ${String(megabytesDefault)})
  --workers N     workers of the second run (default ${String(workersDefault)})
  --log <file>    where the runs record their conflict log, the second run's kept (default: a file in ${tmpdir()})
  --html <file>   also write the conflict report as an HTML page
  -h, --help      this text`;

const demoOptions = {
  ...commonOptions,
  megabytes: { type: 'string' },
  workers: { type: 'string' },
  log: { type: 'string' },
  html: { type: 'string' },
} as const;

export async function demoCommand(args: readonly string[]): Promise<void> {
  const { values, positionals } = parseCommand('demo', args, demoOptions);
  if (values.help === true) {
    process.stdout.write(`${demoUsage}\n`);
    return;
  }
  const [extra] = positionals;
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`, 'demo');
  const megabytes = integerOption('demo', 'megabytes', values.megabytes, {
    min: 1,
    max: megabytesMax,
    fallback: megabytesDefault,
  });
  const workers = integerOption('demo', 'workers', values.workers, {
    min: 1,
    max: workersMax,
    fallback: workersDefault,
  });
  const logPath = values.log ?? join(tmpdir(), `shared-objects-demo-${String(process.pid)}.log`);
  checkLogWritable(logPath);

  const out = (line = ''): void => {
    process.stdout.write(`${line}\n`);
  };
  const corpus = generateCorpus(megabytes << 20);
  const reference = countSerially(corpus);
  out('shared-objects demo: a word count into a SharedMap, one task per 4 KB chunk,');
  out('on a TransactionQueue of 1 worker, then of ' + workersText(workers) + '.');
  out();
  out(
    field(
      'corpus',
      `${String(megabytes)} MB, ${formatCount(corpus.chunks.length)} tasks, ` +
        `${formatCount(corpus.words)} words, ${formatCount(reference.size)} distinct`,
    ),
  );

  // Both runs record, so that the speed-up compares like with like; the second run's heap
  // starts the log afresh, and it is that run's log that stays.
  const one = await timedRun(corpus, 1, recordingHeapOptions(logPath, {}));
  const many = await timedRun(corpus, workers, recordingHeapOptions(logPath, {}));
  out(runLine(one));
  out(runLine(many));
  out(
    field(
      'speed-up',
      `${(one.seconds / many.seconds).toFixed(2)}× on ${workersText(workers)} ` +
        `(${String(availableParallelism())} cores)`,
    ),
  );
  for (const run of [one, many]) {
    const difference = countsDifference(run.counts, reference);
    if (difference !== undefined) {
      throw new CommandFailure(
        `counts checked: WRONG on ${workersText(run.result.workers)}: ${difference}`,
      );
    }
  }
  out(field('counts checked', 'OK (both runs equal a plain count in one thread)'));
  out(
    field(
      'top words',
      topWords(many.counts, topWordCount)
        .map(([word, count]) => `${word} ${formatCount(count)}`)
        .join(', '),
    ),
  );
  out();
  printConflictSummary(out, {
    title: `the ${String(workers)}-worker run`,
    logPath,
    top: topConflictCount,
    htmlPath: values.html,
  });
}

async function timedRun(
  corpus: Corpus,
  workers: number,
  heapOptions: HeapOptions,
): Promise<PoolCount> {
  let aborts = 0;
  const progress = startProgress({ label: workersText(workers), aborts: () => aborts });
  let completed = false;
  try {
    const count = await countOnPool(corpus, {
      workers,
      heapOptions,
      onProgress: (update, abortsSoFar) => {
        aborts = abortsSoFar;
        progress.update(update);
      },
    });
    completed = true;
    return count;
  } finally {
    progress.finish(completed);
  }
}

function runLine(run: PoolCount): string {
  const { result } = run;
  return field(
    workersText(result.workers),
    `${formatSeconds(run.seconds).padStart(8)}  ` +
      `${formatCount(result.commits).padStart(7)} commits  ` +
      `${formatCount(result.aborts).padStart(5)} aborts  ${formatMs(result.timeLostMs)} lost`,
  );
}

function workersText(workers: number): string {
  return workers === 1 ? '1 worker' : `${String(workers)} workers`;
}

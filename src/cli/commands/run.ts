/**
 * `shared-objects run <module>`: runs a user's `TransactionQueue`. The module exports
 * `setup({ heap, queue })`, which adds the first tasks, and the task functions themselves (the
 * queue's workers import the same module); it may export `teardown({ heap, result })`, whose
 * return value is printed. The heap records its conflict log, whose top is printed at the end.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { Heap, TransactionQueue } from '../../api/index.js';
import type { TransactionQueueResult } from '../../workers/index.js';
import { commonOptions, integerOption, onePositional, parseCommand } from '../args.js';
import { checkLogWritable, recordingHeapOptions } from '../conflict-log.js';
import { printConflictSummary } from '../conflict-summary.js';
import { CommandFailure, oneLine } from '../errors.js';
import { field, formatCount, formatMs } from '../format.js';
import { startProgress } from '../progress.js';

const logDefault = './shared-objects-conflicts.log';
const workersMax = 255;
const topConflictCount = 3;

export const runUsage = `usage: shared-objects run <module> [--workers N]
                          [--log <file>] [--html <file>]

Imports <module> (a path from the current directory; .js and .mjs always, .ts under tsx or
on a Node that strips types), calls its exported setup({ heap, queue }) to add tasks, runs the
queue with a progress bar, then calls its teardown({ heap, result }) if it exports one and
prints what that returns. A task is a function the module exports, called as
task({ heap, queue }, ...args).

options:
  --workers N     workers of the queue (default: the machine's cores)
  --log <file>    where the run records its conflict log (default ${logDefault})
  --html <file>   also write the conflict report as an HTML page
  -h, --help      this text`;

const runOptions = {
  ...commonOptions,
  workers: { type: 'string' },
  log: { type: 'string' },
  html: { type: 'string' },
} as const;

type SetupFunction = (context: { heap: Heap; queue: TransactionQueue }) => unknown;
type TeardownFunction = (context: { heap: Heap; result: TransactionQueueResult }) => unknown;

export async function runCommand(args: readonly string[]): Promise<void> {
  const { values, positionals } = parseCommand('run', args, runOptions);
  if (values.help === true) {
    process.stdout.write(`${runUsage}\n`);
    return;
  }
  const modulePath = onePositional('run', 'a module', positionals);
  const workers =
    values.workers === undefined
      ? undefined
      : integerOption('run', 'workers', values.workers, {
          min: 1,
          max: workersMax,
          fallback: 1,
        });
  const logPath = values.log ?? logDefault;
  const moduleUrl = pathToFileURL(resolve(modulePath));
  const exports = await importUserModule(modulePath, moduleUrl);
  const setup = exports['setup'];
  if (typeof setup !== 'function') {
    throw new CommandFailure(`${modulePath} exports no setup({ heap, queue }) function`);
  }
  const teardown = exports['teardown'];
  if (teardown !== undefined && typeof teardown !== 'function') {
    throw new CommandFailure(`${modulePath}: teardown is exported but is not a function`);
  }

  checkLogWritable(logPath);

  const out = (line = ''): void => {
    process.stdout.write(`${line}\n`);
  };
  const heap = Heap.create(recordingHeapOptions(logPath, {}));
  try {
    const abortsBefore = heap.stats().aborts;
    const progress = startProgress({
      label: 'run',
      aborts: () => heap.stats().aborts - abortsBefore,
    });
    const queue = new TransactionQueue(heap, {
      module: moduleUrl,
      ...(workers === undefined ? {} : { workers }),
      onProgress: progress.update,
    });
    let result: TransactionQueueResult | undefined;
    try {
      await callUserFunction('setup', () => (setup as SetupFunction)({ heap, queue }));
      result = await queue.run();
    } catch (error) {
      if (error instanceof CommandFailure) throw error;
      throw new CommandFailure(`a task failed: ${oneLine(error)}`, { cause: error });
    } finally {
      progress.finish(result !== undefined);
      await queue.close();
    }
    out(field('module', modulePath));
    out(field('workers', String(result.workers)));
    out(field('tasks', formatCount(result.executed)));
    out(field('commits', formatCount(result.commits)));
    out(field('aborts', formatCount(result.aborts)));
    out(field('time lost', formatMs(result.timeLostMs)));
    out(field('elapsed', formatMs(result.elapsedMs)));
    if (teardown !== undefined) {
      const summary = await callUserFunction('teardown', () =>
        (teardown as TeardownFunction)({ heap, result }),
      );
      if (summary !== undefined) out(field('teardown', printable(summary)));
    }
  } finally {
    heap.close();
  }
  out();
  printConflictSummary(out, {
    title: 'the run',
    logPath,
    top: topConflictCount,
    htmlPath: values.html,
  });
}

async function importUserModule(path: string, url: URL): Promise<Record<string, unknown>> {
  if (!existsSync(url)) throw new CommandFailure(`module not found: ${path}`);
  try {
    return (await import(url.href)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw new CommandFailure(
        `cannot load ${path}: this Node does not run TypeScript (Node 23.6+ does; or run ` +
          'the command under tsx, or compile the module to .js)',
        { cause: error },
      );
    }
    throw new CommandFailure(`cannot load ${path}: ${oneLine(error)}`, { cause: error });
  }
}

/** Awaits `call`; what it throws is the user's failure, one line with the function's name. */
async function callUserFunction(name: string, call: () => unknown): Promise<unknown> {
  try {
    return await call();
  } catch (error) {
    throw new CommandFailure(`${name} failed: ${oneLine(error)}`, { cause: error });
  }
}

function printable(value: unknown): string {
  return typeof value === 'string' ? value : inspect(value, { depth: 4, breakLength: 80 });
}

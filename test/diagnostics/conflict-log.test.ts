// The conflict log (decision 0016) with real workers: a planted hot spot is the top conflict,
// named at its source line with the counter suggested, and gone once it is a counter; a planted
// write-read conflict names both sides' lines; a worker killed mid-run leaves a readable log.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  aggregateConflicts,
  readConflictLog,
  resolveSites,
  type ConflictReport,
} from '../../src/diagnostics/index.js';
import { Heap, TransactionQueue, type SharedCell } from '../../src/index.js';
import { within } from '../support/time-limit.js';
import type { WriterData } from './writer.worker.js';

const directory = mkdtempSync(join(tmpdir(), 'conflict-log-'));
after(() => {
  rmSync(directory, { recursive: true, force: true });
});

/** The line of code of `file` that carries `marker` in its trailing comment (1-based). */
function markedLine(file: URL, marker: string): number {
  const index = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(`// ${marker}`) && !line.trimStart().startsWith('//'));
  assert.ok(index >= 0, `no ${marker} in ${file.pathname}`);
  return index + 1;
}

function reportOf(path: string): ConflictReport {
  const log = readConflictLog(path);
  return resolveSites(
    aggregateConflicts(log.records, { source: path, skippedLines: log.skippedLines }),
  );
}

const tasks = new URL('./hot-spot.tasks.ts', import.meta.url);

async function runHotSpot(log: string, kind: 'cell' | 'counter'): Promise<number> {
  const heap = Heap.create({ maxBytes: 64 << 20, conflictLog: log });
  heap.root.set('hot', kind === 'cell' ? heap.cell(0) : heap.counter());
  const queue = new TransactionQueue(heap, { module: tasks, workers: 2 });
  const taskCount = 4000;
  for (let i = 0; i < taskCount; i += 1) {
    queue.add(kind === 'cell' ? 'incrementCell' : 'addToCounter');
  }
  await within(queue.run(), 120_000, 'the queue did not finish');
  await queue.close();
  const hot = heap.root.get('hot') as SharedCell<number> | { value: number };
  const total = 'value' in hot ? hot.value : hot.get();
  heap.close();
  assert.equal(total, taskCount, 'every task counted once');
  return total;
}

const readLine = markedLine(new URL(import.meta.url), 'READ-SITE');

/**
 * Starts writer.worker.ts on two new cells x and y of `heap` (watched): it writes them together
 * in a loop until told to stop (flags[1]), or until killed (`untilKilled`).
 */
function startWriter(
  heap: Heap,
  untilKilled: boolean,
): { worker: Worker; x: SharedCell<number>; y: SharedCell<number>; flags: Int32Array } {
  const x = heap.cell(0);
  const y = heap.cell(0);
  const flags = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(new URL('./writer.worker.ts', import.meta.url), {
    workerData: {
      heap: heap.handle,
      x: x.ref,
      y: y.ref,
      flags: flags.buffer,
      untilKilled,
    } satisfies WriterData,
  });
  heap.watch(worker);
  return { worker, x, y, flags };
}

/**
 * A writer worker writes cells x and y together in a loop while this thread runs 40 long
 * transactions that read x, work 2 ms, then read y (READ-SITE): they lose write-read.
 */
async function plantWriteRead(heap: Heap): Promise<void> {
  const { worker, x, y, flags } = startWriter(heap, false);
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  while (Atomics.load(flags, 0) === 0) await new Promise((resolve) => setTimeout(resolve, 2));
  for (let i = 0; i < 40; i += 1) {
    heap.atomically(() => {
      const first = x.get();
      const until = performance.now() + 2;
      while (performance.now() < until);
      return first + y.get(); // READ-SITE
    });
  }
  Atomics.store(flags, 1, 1);
  await within(exited, 20_000, 'the writer did not exit');
}

describe('the conflict log', () => {
  it('names a planted hot spot at its line, suggests a counter, and the counter removes it', async () => {
    const cellLog = join(directory, 'hot-cell.log');
    await runHotSpot(cellLog, 'cell');
    const report = reportOf(cellLog);
    const top = report.conflicts[0];
    assert.ok(top !== undefined, 'conflicts were recorded');
    const hotLine = markedLine(tasks, 'HOT-SPOT');
    assert.equal(top.object, 'cell');
    assert.equal(top.site?.file, fileURLToPath(tasks));
    assert.equal(top.site.line, hotLine, `top conflict at the hot line: ${JSON.stringify(top)}`);
    assert.match(top.site.text ?? '', /HOT-SPOT/);
    assert.equal(top.suggestion.code, 'counter');
    assert.deepEqual(top.tasks, ['incrementCell']);
    assert.equal(report.workers.filter((worker) => worker.commits > 0).length >= 2, true);

    const counterLog = join(directory, 'hot-counter.log');
    await runHotSpot(counterLog, 'counter');
    const after = reportOf(counterLog);
    const onCounter = after.conflicts.filter(
      (conflict) => conflict.site?.line === markedLine(tasks, 'COUNTER-ADD'),
    );
    assert.deepEqual(onCounter, [], 'no conflict left at the counter add');
    assert.ok(after.totals.commits >= 4000);
  });

  it('names both sides of a planted write-read conflict, in the log and live', async () => {
    const log = join(directory, 'write-read.log');
    const heap = Heap.create({ maxBytes: 16 << 20, conflictLog: log });
    await plantWriteRead(heap);
    const live = heap.conflicts();
    heap.close();
    const writeLine = markedLine(new URL('./writer.worker.ts', import.meta.url), 'WRITE-SITE');
    for (const report of [resolveSites(live), reportOf(log)]) {
      const planted = report.conflicts.find(
        (conflict) => conflict.kind === 'write-read' && conflict.site?.line === readLine,
      );
      assert.ok(
        planted !== undefined,
        `a write-read at the read line: ${JSON.stringify(report.conflicts)}`,
      );
      assert.equal(planted.object, 'cell');
      assert.equal(planted.otherSite?.line, writeLine, 'the other side is the writer');
      assert.match(planted.otherSite.file, /writer\.worker\.ts$/);
    }
  });

  it('keeps records in memory with conflictLog: true, and gives totals alone when off', async () => {
    const memory = Heap.create({ maxBytes: 16 << 20, conflictLog: true });
    await plantWriteRead(memory);
    const live = memory.conflicts();
    memory.close();
    assert.equal(live.source, 'live (this thread)');
    assert.ok(
      live.conflicts.some(
        (conflict) => conflict.kind === 'write-read' && conflict.site?.line === readLine,
      ),
    );

    const off = Heap.create({ maxBytes: 16 << 20 });
    await plantWriteRead(off);
    const totals = off.conflicts();
    off.close();
    assert.deepEqual(totals.conflicts, []);
    assert.match(totals.source, /recording off/);
    assert.ok(totals.totals.aborts > 0 && totals.totals.commits > 0);
  });

  it('stays readable when a worker is killed mid-run, with its records up to the kill', async () => {
    const log = join(directory, 'killed.log');
    const heap = Heap.create({ maxBytes: 16 << 20, conflictLog: log });
    const { worker, x, y, flags } = startWriter(heap, true);
    while (Atomics.load(flags, 0) === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    // Long enough for the writer to write its totals a few times (every 100 ms).
    const until = performance.now() + 500;
    while (performance.now() < until) {
      heap.atomically(() => {
        const first = x.get();
        const until = performance.now() + 2;
        while (performance.now() < until);
        return first + y.get();
      });
    }
    const threadId = worker.threadId;
    await worker.terminate();
    const log1 = readConflictLog(log);
    assert.equal(log1.skippedLines, 0, 'every line written whole');
    const own = log1.records.filter((record) => record.t !== 'start' && record.thread === threadId);
    assert.ok(own.some((record) => record.t === 'worker'));
    assert.ok(own.some((record) => record.t === 'stats' && record.commits > 0));
    assert.ok(!own.some((record) => record.t === 'end'));
    const report = aggregateConflicts(log1.records, { source: log });
    const killed = report.workers.find((entry) => entry.thread === threadId);
    assert.equal(killed?.unfinished, true);
    // The heap goes on, and so does the log.
    heap.atomically(() => {
      x.set(1);
    });
    heap.close();
    assert.ok(readConflictLog(log).records.some((record) => record.t === 'end'));
  });
});

// The contention policies are variants chosen when an engine is made (src/stm/contention.ts):
// a writer meets a lock whose holder keeps it. Under wait-die the writer (holding nothing) waits,
// then preempts the holder after `ownerWaitMsMax`, and the holder reruns; under naive retry (the
// benchmarks' baseline) the writer gives way and reruns at once, again and again, and never
// preempts, so the holder commits at its first attempt.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Heap } from '../../src/index.js';
import { runWorkers } from '../support/run-workers.js';
import type { ContentionData, ContentionResult } from './contention.worker.js';

/** Writer runs after which the holder lets go (a naive writer reruns at once, never waits). */
const writerRunsWanted = 50;

async function holderAndWriter(
  naive: boolean,
): Promise<{ holder: number; writer: number; value: number }> {
  const heap = Heap.create({ maxBytes: 4 << 20 });
  const cell = heap.cell(0);
  const flags = new SharedArrayBuffer(16);
  const data = (['holder', 'writer'] as const).map((role): ContentionData => ({
    heap: heap.handle,
    cell: cell.ref,
    flags,
    role,
    naive,
    writerRunsWanted,
  }));
  const [holder, writer] = await runWorkers<ContentionResult>(
    new URL('./contention.worker.ts', import.meta.url),
    data,
  );
  const value = cell.get();
  heap.close();
  return { holder: holder?.runs ?? 0, writer: writer?.runs ?? 0, value };
}

describe('contention policy, chosen per engine', () => {
  it('naive retry: the writer reruns at once and never preempts the holder', async () => {
    const { holder, writer, value } = await holderAndWriter(true);
    assert.equal(holder, 1, 'the holder commits at its first attempt');
    assert.ok(writer >= writerRunsWanted, `the writer reran ${String(writer)} times`);
    assert.equal(value, 2, 'the writer committed last');
  });

  it('wait-die: the writer waits, then preempts the holder, which reruns', async () => {
    const { holder, writer, value } = await holderAndWriter(false);
    assert.equal(holder, 2, 'the holder was preempted once');
    assert.ok(writer < writerRunsWanted, `the writer ran ${String(writer)} times`);
    assert.equal(value, 1, 'the holder committed last');
  });
});

// Strict serializability and opacity of real STM runs, decided by the judge
// (test/support/serializability.ts, after Adya and Elle) rather than by invariants a workload
// happens to keep: the bank test checks sums, which many broken orders still satisfy. Here 4
// workers on a 2-core machine run random list-append and register transactions (read-modify-
// writes, write skew shapes, paired writes, read-only ones) over a few hot keys and record what
// each saw and did. The judge must find one serial order, consistent with real time, that explains
// every read of the committed transactions; and then also every read that an aborted run returned
// to user code (opacity). Each workload runs in two shapes: with sleeps inside transactions, which
// stay open across other commits, and at full speed, where narrow races get hit.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { atomically, Heap, type SharedRef } from '../../src/index.js';
import { runWorkers } from '../support/run-workers.js';
import {
  checkStrictSerializable,
  type CommittedTransaction,
  type Operation,
  type Verdict,
} from '../support/serializability.js';
import type { SerializableData, SerializableResult, Workload } from './serializable.worker.js';

const script = new URL('./serializable.worker.ts', import.meta.url);
const workerCount = 4;
/** Few keys, so that transactions collide often. */
const keyCount = 8;
/**
 * Of the committed transactions, at least this share must have overlapped another in real time
 * (over 0.8 is typical on 2 cores): else the run tested little.
 */
const overlappingShareMin = 0.25;

interface RunShape {
  readonly name: string;
  readonly transactionsPerWorker: number;
  /** Share of steps after which a transaction sleeps (SerializableData.pauseShare). */
  readonly pauseShare: number;
}

const runShapes: readonly RunShape[] = [
  // Transactions that stay open across other commits: validation and wait-die at work.
  { name: 'pausing', transactionsPerWorker: 1000, pauseShare: 0.1 },
  // The most commits per second: races in narrow windows of reads and of memory reuse.
  { name: 'full speed', transactionsPerWorker: 2000, pauseShare: 0 },
];

/** The workload's cells, and a transaction that reads every one of them as the judge records. */
interface WorkloadCells {
  readonly refs: readonly SharedRef[];
  readonly readAll: () => Operation[];
}

function createCells(heap: Heap, workload: Workload): WorkloadCells {
  if (workload === 'list-append') {
    const cells = Array.from({ length: keyCount }, () => heap.cell<readonly number[]>([]));
    return {
      refs: cells.map((cell) => cell.ref),
      readAll: () =>
        atomically(() =>
          cells.map((cell, key): Operation => ({ kind: 'readList', key, list: cell.get() })),
        ),
    };
  }
  const cells = Array.from({ length: keyCount }, () => heap.cell<number | null>(null));
  return {
    refs: cells.map((cell) => cell.ref),
    readAll: () =>
      atomically(() =>
        cells.map((cell, key): Operation => ({ kind: 'read', key, value: cell.get() })),
      ),
  };
}

/** Transactions whose real-time interval overlaps another transaction's. */
function countOverlapping(history: readonly CommittedTransaction[]): number {
  const byInvoke = [...history].sort((a, b) => a.invoke - b.invoke);
  let count = 0;
  let latestComplete = -Infinity;
  for (const [index, txn] of byInvoke.entries()) {
    const next = byInvoke[index + 1];
    if (latestComplete > txn.invoke || (next !== undefined && next.invoke < txn.complete)) {
      count += 1;
    }
    latestComplete = Math.max(latestComplete, txn.complete);
  }
  return count;
}

function countOps(history: readonly CommittedTransaction[], kind: Operation['kind']): number {
  return history.reduce((sum, txn) => sum + txn.ops.filter((op) => op.kind === kind).length, 0);
}

/** Fails with the judge's explanation, naming the check, workload and seed. */
function assertStrictlySerializable(
  history: readonly CommittedTransaction[],
  what: string,
  context: string,
): Extract<Verdict, { ok: true }> {
  const verdict = checkStrictSerializable(history);
  if (!verdict.ok) assert.fail(`${what}: ${verdict.anomaly} (${context}): ${verdict.explanation}`);
  assert.equal(verdict.transactions, history.length, context);
  return verdict;
}

async function judgeWorkload(
  t: TestContext,
  workload: Workload,
  shape: RunShape,
  seed: number,
): Promise<void> {
  const context = `${workload}, ${shape.name}, seed ${String(seed)}`;
  const { transactionsPerWorker, pauseShare } = shape;
  const heap = Heap.create({ maxBytes: 64 << 20 });
  try {
    const cells = createCells(heap, workload);
    const realTimeCounter = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    const arrivedCounter = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    const data: SerializableData[] = Array.from({ length: workerCount }, (_, worker) => ({
      heap: heap.handle,
      workload,
      keys: cells.refs,
      realTimeCounter,
      arrivedCounter,
      worker,
      workers: workerCount,
      seed: seed * workerCount + worker,
      transactions: transactionsPerWorker,
      pauseShare,
    }));
    const results = await runWorkers<SerializableResult>(script, data);
    const committed = results.flatMap((result) => result.committed);
    const aborted = results.flatMap((result) => result.aborted);
    // A final read of every key after all workers finished: it pins each key's last version, so
    // that an update lost at the very end still shows as a read that misses a committed write.
    const realTime = new Int32Array(realTimeCounter);
    const invoke = Atomics.add(realTime, 0, 1);
    const finalReads = cells.readAll();
    const complete = Atomics.add(realTime, 0, 1);
    committed.push({ id: 'main#final', invoke, complete, ops: finalReads });

    const serializable = assertStrictlySerializable(committed, 'committed transactions', context);
    const opaque = assertStrictlySerializable(
      [...committed, ...aborted],
      'opacity (committed transactions and the reads of aborted runs)',
      context,
    );

    // A judge can only accept what it is shown: make sure the run was not trivially serial.
    const writes = countOps(committed, workload === 'list-append' ? 'append' : 'write');
    assert.ok(writes > transactionsPerWorker, `only ${String(writes)} writes (${context})`);
    for (const op of finalReads) {
      const written =
        op.kind === 'readList' ? op.list.length > 0 : op.kind === 'read' && op.value !== null;
      assert.ok(written, `key ${String(op.key)} was never written (${context})`);
    }
    const overlapping = countOverlapping(committed);
    assert.ok(
      overlapping >= committed.length * overlappingShareMin,
      `only ${String(overlapping)} transactions overlapped another (${context})`,
    );
    const stats = heap.stats();
    assert.ok(stats.aborts > 0, `no transaction aborted: no conflict was tested (${context})`);
    t.diagnostic(
      `${context}: ${String(serializable.transactions)} committed transactions ` +
        `(${String(serializable.edges)} edges), ${String(overlapping)} overlapping, ` +
        `${String(writes)} writes; with ${String(aborted.length)} aborted runs ` +
        `${String(opaque.transactions)} transactions (${String(opaque.edges)} edges); ` +
        `stats: ${String(stats.aborts)} aborts (write-write ${String(stats.abortsWriteWrite)}, ` +
        `write-read ${String(stats.abortsWriteRead)}), ${String(stats.waits)} waits, ` +
        `${String(stats.upgrades)} upgrades, attempts max ${String(stats.attemptsMax)}`,
    );
  } finally {
    heap.close();
  }
}

describe('STM histories are strictly serializable and opaque', () => {
  const seed = Number(process.env['STM_TEST_SEED'] ?? Date.now() % 100_000);
  for (const shape of runShapes) {
    for (const workload of ['list-append', 'register'] as const) {
      const title =
        `${workload}, ${shape.name}, ${String(workerCount)} workers × ` +
        `${String(shape.transactionsPerWorker)} transactions, ${String(keyCount)} keys, ` +
        `seed ${String(seed)}`;
      it(title, async (t) => {
        await judgeWorkload(t, workload, shape, seed);
      });
    }
  }
});

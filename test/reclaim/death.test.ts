// Death: workers die at random points — terminated, process.exit, uncaught exceptions, and at
// test-only crash points inside retire, reclaim, leave and recovery itself — while survivors keep
// churning. Afterwards: no slot lost, no survivor blocked, no bad read, memory back to the start.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { CrashPointName } from '../../src/base/index.js';
import { Heap } from '../../src/index.js';
import { churnValue, isChurnValue } from './churn-value.js';
import type { ChurnData, ChurnResult } from './churn.worker.js';

const cellCount = 8;
const script = new URL('./churn.worker.ts', import.meta.url);
const workerCrashPoints: CrashPointName[] = [
  'retire.bagFull',
  'reclaim.afterAdopt',
  'reclaim.afterUnlink',
  'reclaim.midBag',
  'leave.beforeOrphan',
];

interface Outcome {
  readonly exitCode: number;
  readonly result: ChurnResult | undefined;
}

function start(heap: Heap, data: ChurnData): { worker: Worker; outcome: Promise<Outcome> } {
  const worker = new Worker(script, { workerData: data });
  heap.watch(worker);
  let result: ChurnResult | undefined;
  worker.on('message', (message: ChurnResult) => {
    result = message;
  });
  worker.on('error', () => {
    // An uncaught exception is one of the deaths under test; the exit code tells it.
  });
  // Not events.once: it rejects on 'error', and an uncaught exception is an expected death here.
  const outcome = new Promise<Outcome>((resolve) => {
    worker.on('exit', (exitCode) => {
      resolve({ exitCode, result });
    });
  });
  return { worker, outcome };
}

test('workers dying anywhere leak nothing and block no one', async (t) => {
  const seed = Date.now() >>> 0;
  let state = seed || 1;
  const random = (): number => {
    state = (state * 1103515245 + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const heap = Heap.create({ maxBytes: 256 << 20, reclaimStallMs: 200 });
  const cells = Array.from({ length: cellCount }, (_, i) => heap.cell(churnValue(0, i)));
  heap.reclaim();
  const startUsed = heap.memoryUsage().usedBytes;
  const base = { heap: heap.handle, cells: cells.map((cell) => cell.ref) };
  const rounds = 6;
  const roundMs = 1200;
  const survivors: Promise<Outcome>[] = [];
  const victims: Promise<Outcome>[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const roundSeed = seed + round * 101;
    survivors.push(
      start(heap, { ...base, role: 'writer', index: 1, durationMs: roundMs, seed: roundSeed })
        .outcome,
      start(heap, { ...base, role: 'reader', index: 2, durationMs: roundMs, seed: roundSeed + 1 })
        .outcome,
    );
    const crashAt = workerCrashPoints[round % workerCrashPoints.length];
    victims.push(
      start(heap, {
        ...base,
        role: 'writer',
        index: 3,
        durationMs: roundMs,
        seed: roundSeed + 2,
        ...(crashAt === undefined ? {} : { crashAt, crashProbability: 0.3 }),
      }).outcome,
      start(heap, {
        ...base,
        role: round % 2 === 0 ? 'writer' : 'reader',
        index: 4,
        durationMs: roundMs,
        seed: roundSeed + 3,
        dieAfterOps: 1000 + Math.floor(random() * 200_000),
        dieBy: round % 2 === 0 ? 'exit' : 'throw',
      }).outcome,
    );
    const terminated = start(heap, {
      ...base,
      role: 'writer',
      index: 5,
      durationMs: roundMs,
      seed: roundSeed + 4,
    });
    victims.push(terminated.outcome);
    await new Promise((resolve) => setTimeout(resolve, 200 + random() * 800));
    await terminated.worker.terminate();
    await Promise.all(survivors.slice(-2));
  }
  const survived = await Promise.all(survivors);
  const died = await Promise.all(victims);
  const message = `seed ${String(seed)}`;
  for (const outcome of survived) {
    assert.equal(outcome.exitCode, 0, message);
    assert.deepEqual(outcome.result?.badReads, [], message);
  }
  const deaths = died.filter((outcome) => outcome.exitCode !== 0).length;
  t.diagnostic(`${String(deaths)} of ${String(died.length)} victims died before finishing`);
  assert.ok(deaths >= rounds * 2, `only ${String(deaths)} deaths (${message})`);

  assert.equal(heap.memoryUsage().attachedWorkers, 1, `slots lost (${message})`);
  for (const cell of cells) assert.ok(isChurnValue(cell.get()), message);
  heap.reclaim();
  const leaked = heap.memoryUsage().usedBytes - startUsed;
  t.diagnostic(`used bytes after everything: start ${String(startUsed)} + ${String(leaked)}`);
  // Bound (docs/ARCHITECTURE.md, dead workers): the cells' current values (≤ 48 B more each), this
  // worker's bag, and per death at most one block lost inside the allocator's fast path.
  assert.ok(
    leaked <= cellCount * 48 + 512 + deaths * 48,
    `leaked ${String(leaked)} B (${message})`,
  );
});

test('a recoverer dying mid-recovery leaves a zombie that the next reclaim finishes', async () => {
  for (const crashAt of ['recover.afterZombie', 'recover.afterOrphan'] as const) {
    const heap = Heap.create({ maxBytes: 64 << 20 });
    const cells = Array.from({ length: cellCount }, (_, i) => heap.cell(churnValue(0, i)));
    heap.reclaim();
    const startUsed = heap.memoryUsage().usedBytes;
    // A victim that dies holding its slot, its bags and its superblocks, watched by no one.
    const victim = new Worker(script, {
      workerData: {
        heap: heap.handle,
        cells: cells.map((cell) => cell.ref),
        role: 'writer',
        index: 1,
        // Long enough that it always dies by its op count first: one that ran out of time
        // closed normally on a loaded machine, and the test found no dead victim to recover.
        durationMs: 60_000,
        dieAfterOps: 50_000,
        dieBy: 'exit',
        seed: 1,
      } satisfies ChurnData,
    });
    const victimThreadId = victim.threadId;
    await once(victim, 'exit');
    assert.equal(heap.memoryUsage().attachedWorkers, 2, 'the dead victim still holds its slot');
    const recoverer = new Worker(new URL('./recoverer.worker.ts', import.meta.url), {
      workerData: { buffer: heap.handle.buffer, deadThreadId: victimThreadId, crashAt },
    });
    heap.watch(recoverer);
    const [exitCode] = (await once(recoverer, 'exit')) as [number];
    assert.equal(exitCode, 5, `the recoverer died at ${crashAt}`);
    heap.reclaim();
    heap.reclaim();
    assert.equal(heap.memoryUsage().attachedWorkers, 1, `zombie finished after ${crashAt}`);
    assert.ok(heap.memoryUsage().usedBytes - startUsed <= cellCount * 48 + 512 + 48);
    heap.close();
  }
});

// Crash tolerance: a worker dies at every step of the commit path (and in user code, holding
// locks) by process.exit, by an exception, or by hanging until terminated. Afterwards its
// transfer is all-or-nothing, money is conserved, no cell stays locked, and a survivor working on
// the same cells finishes in bounded time.
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { describe, it } from 'node:test';
import { commitCrashPoints, limits, type CrashPointName } from '../../src/base/index.js';
import { atomically, Heap } from '../../src/index.js';
import type { DeathMode, FaultData } from './fault.worker.js';

const script = new URL('./fault.worker.ts', import.meta.url);
const points: readonly (CrashPointName | 'user')[] = ['user', ...commitCrashPoints];
const modes: readonly DeathMode[] = ['exit', 'throw', 'hang'];
/** A hanging victim is terminated after this long, while a survivor is already working. */
const hangMs = 150;
const survivorTransfers = 200;
/** Generous: a survivor blocked for good would hit this; one waiting for preemption would not. */
const survivorMsMax = 20_000;

function start(heap: Heap, data: FaultData): { worker: Worker; exited: Promise<number> } {
  const worker = new Worker(script, { workerData: data });
  heap.watch(worker);
  worker.on('error', () => {
    // The victim's own exception: expected in 'throw' mode.
  });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  return { worker, exited };
}

async function survivorRun(heap: Heap, data: Omit<FaultData, 'role'>): Promise<number> {
  const { worker, exited } = start(heap, {
    ...data,
    role: 'survivor',
    transfers: survivorTransfers,
  });
  const elapsed = new Promise<number>((resolve) => worker.once('message', resolve));
  const code = await exited;
  assert.equal(code, 0, 'the survivor failed');
  return elapsed;
}

describe('a worker dying anywhere in a transaction', () => {
  for (const crashAt of points) {
    for (const mode of modes) {
      it(`${mode} at ${crashAt}`, async () => {
        const heap = Heap.create({ maxBytes: 16 << 20 });
        const a = heap.cell(1000);
        const b = heap.cell(1000);
        const count = heap.cell(0);
        const shared = { heap: heap.handle, a: a.ref, b: b.ref, count: count.ref };
        const victim = start(heap, { ...shared, role: 'victim', crashAt, mode });
        const said = await new Promise<unknown>((resolve) =>
          victim.worker.once('message', resolve),
        );
        assert.equal(said, 'dying', `the victim never reached ${crashAt}`);
        let survivor: Promise<number>;
        if (mode === 'hang') {
          survivor = survivorRun(heap, shared);
          await new Promise((resolve) => setTimeout(resolve, hangMs));
          await victim.worker.terminate();
        } else {
          await victim.exited;
          survivor = survivorRun(heap, shared);
        }
        const survivorMs = await survivor;
        assert.ok(survivorMs < survivorMsMax, `survivor took ${String(survivorMs)} ms`);
        const done = count.get();
        assert.ok(done === 0 || done === 1, `count ${String(done)}`);
        assert.equal(a.get(), 1000 - 7 * done, 'the transfer is all-or-nothing');
        assert.equal(b.get(), 1000 + 7 * done, 'the transfer is all-or-nothing');
        // Nothing stays locked: this worker can write every cell without waiting for a bound.
        const before = performance.now();
        atomically(() => {
          a.set(a.get());
          b.set(b.get());
          count.set(count.get());
        });
        assert.ok(performance.now() - before < limits.ownerWaitMsMax * 10);
        heap.close();
      });
    }
  }
});

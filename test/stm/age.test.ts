// Transaction ages (wait-die) with lazily read clocks (attempt.ts, `startClock`): a first attempt
// takes its age only when it meets another transaction, and until then counts as the youngest.
// So a writer that already holds a lock and meets the lock of such an attempt is the older one:
// it waits for it (and would preempt it after the bound) instead of dying. With ages read at the
// first lock, the holder — which locked first — would be older, and the writer would die.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Heap } from '../../src/index.js';
import { runWorkers } from '../support/run-workers.js';
import { within } from '../support/time-limit.js';
import type { AgeData, AgeResult } from './age.worker.js';

const script = new URL('./age.worker.ts', import.meta.url);
/** The holder keeps x this long after the writer's step: long enough to be met, well under the
 * 20 ms after which the writer would preempt it. */
const holdMs = 5;
const workersMsMax = 20_000;

describe('transaction ages', () => {
  it('an attempt that met nobody counts as the youngest: an older lock holder waits for it', async () => {
    const heap = Heap.create({ maxBytes: 1 << 20 });
    const x = heap.cell(0);
    const y = heap.cell(0);
    const steps = new SharedArrayBuffer(8);
    const common = { heap: heap.handle, x: x.ref, y: y.ref, steps, holdMs };
    const [holder, writer] = await within(
      runWorkers<AgeResult>(script, [
        { role: 'holder', ...common } satisfies AgeData,
        { role: 'writer', ...common } satisfies AgeData,
      ]),
      workersMsMax,
      'the holder and the writer',
    );
    assert.ok(holder !== undefined && writer !== undefined);
    assert.equal(writer.abortsWriteWrite, 0, 'the writer died instead of waiting');
    assert.ok(writer.waits >= 1, 'the writer never met the holder’s lock');
    assert.equal(writer.runs, 1);
    // Both committed: the holder's 1, then the writer's 10 (or the other way round if the machine
    // stalled the holder past the bound and the writer preempted it).
    assert.ok(x.get() === 10 || x.get() === 1, `x is ${String(x.get())}`);
    assert.equal(y.get(), 1);
    heap.close();
  });
});

// Crash tolerance: a worker dies at every step of the commit path (and in user code, holding
// locks) by process.exit, by an exception, or by hanging until terminated. Afterwards its
// transfer is exactly present if it died after its commit was decided and exactly absent if
// before (txCrashPointSide), money is conserved, no cell stays locked, and a survivor working on
// the same cells finishes in bounded time. Each victim says where it died; the last test checks
// that every crash point listed was reached, so a point that code changes made unreachable fails.
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, it } from 'node:test';
import { commitCrashPoints, limits, txCrashPointSide } from '../../src/base/index.js';
import { atomically, Heap } from '../../src/index.js';
import { within } from '../support/time-limit.js';
import type { DeathMode, FaultData, FaultMessage, FaultPoint } from './fault.worker.js';

const script = new URL('./fault.worker.ts', import.meta.url);
const points: readonly FaultPoint[] = ['user', ...commitCrashPoints];
const modes: readonly DeathMode[] = ['exit', 'throw', 'hang'];
/** A hanging victim is terminated after this long, while a survivor is already working. */
const hangMs = 150;
const survivorTransfers = 200;
/** Generous: a survivor blocked for good would hit this; one waiting for preemption would not. */
const survivorMsMax = 20_000;
/** A victim that never reaches its crash point fails the test after this long. */
const reachMsMax = 20_000;
const startBalance = 1000;
/** What a victim moves from a to b. */
const victimAmount = 7;

/** Crash points at which a worker died in this run (reported by the worker before dying). */
const fired = new Set<FaultPoint>();
/** Tests that ran (a name filter may leave some out: then the coverage check cannot judge). */
let casesRun = 0;
let casesMade = 0;

/** 1 if a death at `point` must leave the dying worker's transfer in place, 0 if not. */
function expectedTransfers(point: FaultPoint): number {
  // User code runs before the commit, so before its decision.
  return point !== 'user' && txCrashPointSide[point] === 'after' ? 1 : 0;
}

interface Started {
  readonly worker: Worker;
  readonly exited: Promise<number>;
  readonly messages: FaultMessage[];
  /** The next message, or a rejection after `reachMsMax`. */
  next(what: string): Promise<FaultMessage>;
}

/** Every worker of the running test: terminated after it, so that a failure leaves none behind. */
const live: Worker[] = [];

function start(heap: Heap, data: FaultData): Started {
  const worker = new Worker(script, { workerData: data });
  live.push(worker);
  heap.watch(worker);
  worker.on('error', () => {
    // The victim's own exception: expected in 'throw' mode.
  });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  const messages: FaultMessage[] = [];
  const waiting: ((message: FaultMessage) => void)[] = [];
  worker.on('message', (message: FaultMessage) => {
    const resolve = waiting.shift();
    if (resolve === undefined) messages.push(message);
    else resolve(message);
  });
  const next = (what: string): Promise<FaultMessage> => {
    const queued = messages.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    const message = new Promise<FaultMessage>((resolve) => waiting.push(resolve));
    return within(message, reachMsMax, `no message from the worker: ${what}`);
  };
  return { worker, exited, messages, next };
}

/** Waits for the worker to say it is dying at `crashAt`, and records that the point fired. */
async function dyingAt(started: Started, crashAt: FaultPoint): Promise<void> {
  const said = await started.next(`the victim never reached ${crashAt}`);
  assert.deepEqual(said, { kind: 'dying', at: crashAt }, `the victim never reached ${crashAt}`);
  fired.add(crashAt);
}

async function survivorRun(heap: Heap, data: Omit<FaultData, 'role'>): Promise<number> {
  const survivor = start(heap, { ...data, role: 'survivor', transfers: survivorTransfers });
  const run = (async (): Promise<number> => {
    const said = await survivor.next('the survivor said nothing');
    if (said.kind !== 'done') assert.fail(`the survivor said ${said.kind}`);
    assert.equal(await survivor.exited, 0, 'the survivor failed');
    return said.ms;
  })();
  return within(run, survivorMsMax, `the survivor took over ${String(survivorMsMax)} ms`);
}

describe('a worker dying anywhere in a transaction', () => {
  afterEach(async () => {
    await Promise.all(live.splice(0).map((worker) => worker.terminate()));
  });

  for (const crashAt of points) {
    for (const mode of modes) {
      casesMade += 1;
      it(`${mode} at ${crashAt}`, async () => {
        casesRun += 1;
        const heap = Heap.create({ maxBytes: 16 << 20 });
        const a = heap.cell(startBalance);
        const b = heap.cell(startBalance);
        const count = heap.cell(0);
        const shared = { heap: heap.handle, a: a.ref, b: b.ref, count: count.ref };
        const victim = start(heap, {
          ...shared,
          role: 'victim',
          crashAt,
          mode,
          amount: victimAmount,
        });
        await dyingAt(victim, crashAt);
        let survivor: Promise<number>;
        if (mode === 'hang') {
          survivor = survivorRun(heap, shared);
          await new Promise((resolve) => setTimeout(resolve, hangMs));
          await victim.worker.terminate();
        } else {
          await victim.exited;
          survivor = survivorRun(heap, shared);
        }
        await survivor;
        // Exact: the survivor's transfers cancel out, so only the victim's shows.
        const expected = expectedTransfers(crashAt);
        const side = expected === 1 ? 'after' : 'before';
        assert.equal(count.get(), expected, `a death ${side} the decision at ${crashAt}`);
        assert.equal(a.get(), startBalance - victimAmount * expected, 'a: the victim transfer');
        assert.equal(b.get(), startBalance + victimAmount * expected, 'b: the victim transfer');
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

  it('every crash point listed fired', (t) => {
    if (casesRun < casesMade) {
      t.skip(`only ${String(casesRun)} of ${String(casesMade)} cases ran`);
      return;
    }
    const missing = points.filter((point) => !fired.has(point));
    assert.deepEqual(missing, [], `crash points no victim reached: ${missing.join(', ')}`);
  });
});

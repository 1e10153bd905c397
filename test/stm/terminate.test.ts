// Crash tolerance under load: `worker.terminate()` lands at random moments in the bank workload
// (4 workers moving money among a few accounts, so a worker is often holding locks or in the
// middle of a commit when it dies). fault.test.ts kills a lone victim at each commit step; here
// the others keep running through the death: they meet its locks and intents, help or preempt,
// and `heap.watch` recovery races with them. Some kills are aimed: the victim parks at a chosen
// step (holding its locks, holding the inevitability token, between intents, before or after the
// decision, mid write-back) and is terminated there; the rest land wherever the victim is.
//
// What a kill must not break, and how each is caught:
// - a transfer half-applied (some cells written back, others undone): the total changes, seen
//   by the audit after every kill, by the workers' own audits, and at the end;
// - a decided commit undone, an undecided one finished, or a transfer applied twice: each
//   transfer adds 1 to its worker's own `done` cell, which no other worker touches (so recovery
//   alone resolves the victim's commit there), and the worker counts the transfers that returned
//   in a plain shared word. After a kill `done - returned` must be 0 or 1; for a victim parked
//   at a known step exactly 1 past the decision and 0 before it; for a live worker it is
//   bracketed by the counts read around the audit;
// - an inconsistent snapshot seen by a survivor: a pair kept at x + y === 0 (opacity);
// - a lock, intent or token left to the dead: a transaction writing every cell finishes in
//   bounded time after each kill and at once at the end, and every survivor finishes its quota.
// The audits and write-alls run in a checker worker (terminate-check.worker.ts), so that one
// blocked for good fails the test on a time limit instead of hanging the main thread.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { Worker } from 'node:worker_threads';
import { commitCrashPoints, limits } from '../../src/base/index.js';
import { Heap } from '../../src/index.js';
import { seededRandom } from '../support/random.js';
import { within } from '../support/time-limit.js';
import type { CheckData, CheckReply, CheckRequest } from './terminate-check.worker.js';
import {
  noAim,
  phaseCode,
  phaseName,
  progressField,
  progressWords,
  type PhaseName,
} from './terminate-progress.js';
import type { TerminateData, TerminateResult } from './terminate.worker.js';

const script = new URL('./terminate.worker.ts', import.meta.url);
const checkerScript = new URL('./terminate-check.worker.ts', import.meta.url);
const liveWorkers = 4;
const startBalance = 1000;
const pairCount = 4;
const auditEvery = 25;
/** Enough that some kills find the victim holding the inevitability token. */
const inevitableShare = 0.03;
/** Share of kills aimed at a chosen step; the rest land wherever the victim happens to be. */
const aimedShare = 0.6;
const aimedPhases: readonly PhaseName[] = ['user.locked', 'user.inevitable', ...commitCrashPoints];
/** A victim parks this long at most; the main thread normally kills it within a few ms. */
const parkMsMax = 500;
/** How long the main thread waits for an aimed victim to reach its step before killing anyway. */
const aimWaitMsMax = 1000;
/** Random pause before each kill, so kills land at unrelated moments of the workload. */
const killGapMsMax = 120;
/** A victim is chosen among workers that started transferring and are not near their quota. */
const victimQuotaShareMax = 0.8;
const victimWaitMsMax = 10_000;
/** Generous: a check blocked by a dead worker's lock, intent or token would never finish. */
const checkMsMax = 5000;
/** Once every worker is gone nothing may be locked: the last write-all never waits a bound. */
const finalWriteAllMsMax = limits.ownerWaitMsMax * 10;
/** Survivors finish long before this unless a dead worker blocks them. */
const survivorsMsMax = 15_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Running {
  readonly index: number;
  readonly worker: Worker;
  readonly exited: Promise<number>;
  exitedAtMs: number;
  recoveredAtMs: number;
  result: TerminateResult | undefined;
  error: unknown;
  killed: boolean;
}

interface Scenario {
  readonly accounts: number;
  readonly transfers: number;
  readonly kills: number;
}

function terminateUnderLoad(scenario: Scenario, seed: number): void {
  const name =
    `${String(liveWorkers)} workers, ${String(scenario.accounts)} accounts, ` +
    `${String(scenario.kills)} kills, seed ${String(seed)}`;
  it(name, async (t) => {
    const heap = Heap.create({ maxBytes: 64 << 20 });
    const threads: Worker[] = [];
    try {
      await run(t, heap, threads, scenario, seed);
    } finally {
      // A failed assertion must not leave workers running (they keep the process alive).
      await Promise.all(threads.map((thread) => thread.terminate()));
      heap.close();
    }
  });
}

async function run(
  t: TestContext,
  heap: Heap,
  threads: Worker[],
  scenario: Scenario,
  seed: number,
): Promise<void> {
  const context = `seed ${String(seed)}`;
  const random = seededRandom(seed);
  const expectedTotal = startBalance * scenario.accounts;
  const accounts = Array.from({ length: scenario.accounts }, () => heap.cell(startBalance));
  const pairs = Array.from({ length: pairCount }, () => [heap.cell(0), heap.cell(0)] as const);
  const accountRefs = accounts.map((account) => account.ref);
  const pairRefs = pairs.map(([x, y]) => [x.ref, y.ref] as const);
  const spawnsMax = liveWorkers + scenario.kills;
  const doneCells = Array.from({ length: spawnsMax }, () => heap.cell(0));
  const doneRefs = doneCells.map((cell) => cell.ref);
  const progress = new SharedArrayBuffer(spawnsMax * progressWords * 4);
  const words = new Int32Array(progress);
  const field = (index: number, which: keyof typeof progressField): number =>
    index * progressWords + progressField[which];
  const returned = (index: number): number => Atomics.load(words, field(index, 'returned'));
  const workers: Running[] = [];

  const checkerData: CheckData = {
    heap: heap.handle,
    accounts: accountRefs,
    pairs: pairRefs,
    done: doneRefs,
    progress,
  };
  const checker = new Worker(checkerScript, { workerData: checkerData });
  threads.push(checker);
  heap.watch(checker);
  const checkerExited = new Promise<number>((resolve) => checker.once('exit', resolve));
  const replies: ((reply: CheckReply) => void)[] = [];
  checker.on('message', (reply: CheckReply) => replies.shift()?.(reply));

  const spawn = (): void => {
    const index = workers.length;
    const done = doneRefs[index];
    assert.ok(done !== undefined, 'BUG: more workers spawned than done cells made');
    Atomics.store(words, field(index, 'aim'), noAim);
    const data: TerminateData = {
      heap: heap.handle,
      accounts: accountRefs,
      pairs: pairRefs,
      done,
      progress,
      index,
      seed: seed * 64 + index,
      transfers: scenario.transfers,
      auditEvery,
      inevitableShare,
      parkMsMax,
      expectedTotal,
    };
    const worker = new Worker(script, { workerData: data });
    threads.push(worker);
    const running: Running = {
      index,
      worker,
      exited: new Promise<number>((resolve) => worker.once('exit', resolve)),
      exitedAtMs: 0,
      recoveredAtMs: 0,
      result: undefined,
      error: undefined,
      killed: false,
    };
    // Listeners run in order: these two time the heap.watch recovery between them.
    worker.once('exit', () => {
      running.exitedAtMs = performance.now();
    });
    heap.watch(worker);
    worker.once('exit', () => {
      running.recoveredAtMs = performance.now();
    });
    worker.on('message', (result: TerminateResult) => {
      running.result = result;
    });
    worker.on('error', (error) => {
      running.error = error;
    });
    workers.push(running);
  };

  /**
   * Audits every cell and then writes every cell, in the checker. A transfer that returned
   * before the audit must be in it, and a worker has at most one transfer in flight.
   */
  const check = async (when: string): Promise<CheckReply> => {
    const reply = new Promise<CheckReply>((resolve) => replies.push(resolve));
    checker.postMessage('check' satisfies CheckRequest);
    const seen = await within(
      reply,
      checkMsMax,
      `${when}: the audit and write-all did not finish in ${String(checkMsMax)} ms: a dead ` +
        `worker's lock, intent or token was never released (${context})`,
    );
    assert.equal(seen.total, expectedTotal, `money created or lost ${when} (${context})`);
    assert.deepEqual(
      seen.pairSums,
      new Array<number>(pairCount).fill(0),
      `a pair no longer sums to 0 ${when}: a transfer was half-applied (${context})`,
    );
    for (const running of workers) {
      const done = seen.done[running.index] ?? -1;
      const low = seen.returnedBefore[running.index] ?? 0;
      const high = (seen.returnedAfter[running.index] ?? 0) + 1;
      assert.ok(
        done >= low && done <= high,
        `worker ${String(running.index)} ${when}: done ${String(done)}, returned ` +
          `${String(low)}..${String(high - 1)}: a transfer was lost or doubled (${context})`,
      );
    }
    return seen;
  };

  const pickVictim = async (): Promise<Running> => {
    const deadline = performance.now() + victimWaitMsMax;
    for (;;) {
      const candidates = workers.filter(
        (running) =>
          !running.killed &&
          running.result === undefined &&
          returned(running.index) > 0 &&
          returned(running.index) < scenario.transfers * victimQuotaShareMax,
      );
      const victim = candidates[Math.floor(random() * candidates.length)];
      if (victim !== undefined) return victim;
      assert.ok(performance.now() < deadline, `no worker to kill is transferring (${context})`);
      await sleep(5);
    }
  };

  /**
   * Parks the victim at `aim` if it gets there in time, then terminates it. Returns how long the
   * thread took to die and how long recovery took.
   */
  const kill = async (
    victim: Running,
    aim: PhaseName | undefined,
  ): Promise<{ dyingMs: number; recoveryMs: number }> => {
    const parked = field(victim.index, 'parked');
    if (aim !== undefined) {
      Atomics.store(words, field(victim.index, 'aim'), phaseCode(aim));
      const deadline = performance.now() + aimWaitMsMax;
      while (Atomics.load(words, parked) === 0 && performance.now() < deadline) await sleep(1);
      Atomics.store(words, field(victim.index, 'aim'), noAim);
    }
    victim.killed = true;
    const started = performance.now();
    await victim.worker.terminate();
    // The heap.watch listener ran before this one: the victim's slot and attempt are recovered.
    const code = await victim.exited;
    assert.notEqual(code, 0, `the victim finished before it was killed (${context})`);
    return {
      dyingMs: victim.exitedAtMs - started,
      recoveryMs: victim.recoveredAtMs - victim.exitedAtMs,
    };
  };

  for (let index = 0; index < liveWorkers; index += 1) spawn();

  const killsByPhase = new Map<string, number>();
  let aimed = 0;
  let aimedHits = 0;
  let dyingMsMax = 0;
  let recoveryMsMax = 0;
  let writeAllMsMax = 0;
  for (let round = 1; round <= scenario.kills; round += 1) {
    await sleep(random() * killGapMsMax);
    const victim = await pickVictim();
    const aim =
      random() < aimedShare ? aimedPhases[Math.floor(random() * aimedPhases.length)] : undefined;
    const { dyingMs, recoveryMs } = await kill(victim, aim);
    dyingMsMax = Math.max(dyingMsMax, dyingMs);
    recoveryMsMax = Math.max(recoveryMsMax, recoveryMs);
    const diedAt = phaseName(Atomics.load(words, field(victim.index, 'phase')));
    // A victim that outwaited its park and went on clears the word: then its step is a guess.
    const parkedAtDeath = Atomics.load(words, field(victim.index, 'parked')) === 1;
    killsByPhase.set(diedAt, (killsByPhase.get(diedAt) ?? 0) + 1);
    if (aim !== undefined) aimed += 1;
    if (parkedAtDeath) aimedHits += 1;

    const when = `after kill ${String(round)} (worker ${String(victim.index)} at ${diedAt})`;
    const seen = await check(when);
    writeAllMsMax = Math.max(writeAllMsMax, seen.writeAllMs);
    const done = seen.done[victim.index] ?? -1;
    const last = returned(victim.index);
    assert.ok(
      done === last || done === last + 1,
      `${when}: done ${String(done)}, returned ${String(last)}: the last transfer was not ` +
        `all-or-nothing (${context})`,
    );
    if (parkedAtDeath) {
      // Killed while parked: the victim's step is known exactly, and so is whether it decided.
      const decided = diedAt === 'commit.afterDecision' || diedAt === 'commit.midWriteBack';
      assert.equal(
        done - last,
        decided ? 1 : 0,
        `${when}: ${decided ? 'a decided commit was undone' : 'an undecided commit was finished'}` +
          ` (${context})`,
      );
    }
    spawn();
  }

  const survivors = workers.filter((running) => !running.killed);
  await within(
    Promise.all(survivors.map((running) => running.exited)),
    survivorsMsMax,
    `survivors did not finish in ${String(survivorsMsMax)} ms: returned ` +
      `${survivors.map((running) => returned(running.index)).join(', ')} (${context})`,
  );
  for (const running of workers) {
    assert.equal(
      running.error,
      undefined,
      `worker ${String(running.index)} threw ${String(running.error)} (${context})`,
    );
    if (running.killed) continue;
    const result = running.result;
    assert.ok(result !== undefined, `survivor ${String(running.index)} gave no result`);
    assert.deepEqual(result.badAudits, [], `a worker's audit summed wrong (${context})`);
    assert.equal(result.opacityViolations, 0, `a transaction saw x + y !== 0 (${context})`);
  }

  const last = await check('at the end');
  for (const running of survivors) {
    assert.equal(last.done[running.index], scenario.transfers, `survivor's done (${context})`);
  }
  assert.ok(
    last.writeAllMs < finalWriteAllMsMax,
    `a lock outlived every worker: the last write-all took ${last.writeAllMs.toFixed(0)} ms`,
  );
  checker.postMessage('stop' satisfies CheckRequest);
  await within(checkerExited, checkMsMax, 'the checker did not stop');
  assert.equal(heap.memoryUsage().attachedWorkers, 1, `a dead worker's slot was kept (${context})`);

  const committed = last.done.reduce((sum, done) => sum + done, 0);
  const phases = [...killsByPhase].map(([phase, count]) => `${phase} ${String(count)}`);
  t.diagnostic(
    `${context}: ${String(committed)} transfers committed; kills by phase: ${phases.join(', ')}; ` +
      `${String(aimedHits)} of ${String(aimed)} aimed kills hit their step; terminate() to ` +
      `exit max ${dyingMsMax.toFixed(1)} ms; recovery max ${recoveryMsMax.toFixed(2)} ms; ` +
      `write-all after a kill max ${writeAllMsMax.toFixed(1)} ms, at the end ` +
      `${last.writeAllMs.toFixed(2)} ms`,
  );
}

describe('worker.terminate() at random moments of the bank workload', () => {
  const seed = Number(process.env['STM_TEST_SEED'] ?? Date.now() % 100_000);
  terminateUnderLoad({ accounts: 16, transfers: 1000, kills: 7 }, seed);
  terminateUnderLoad({ accounts: 64, transfers: 1000, kills: 7 }, seed + 100);
});

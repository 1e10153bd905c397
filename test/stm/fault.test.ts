// Crash tolerance: a worker dies at every crash point of a transaction (fault-injection.ts) — in
// its commit, in user code holding locks, taking a contended lock, becoming inevitable, waiting in `retry`,
// helping another worker's commit, recovering a dead worker's — by process.exit, by an exception,
// or by hanging until terminated. Afterwards:
// - the outcome is exact: every transfer that must be there (it was decided before the death) is
//   there once, every one that must not (its owner died before deciding) is absent
//   (txCrashPointSide says which side of the decision each point is on), money is conserved;
// - nothing is left live: no transaction record holds locks, no cell holds an intent, the
//   inevitability token is free, and a survivor working on the same cells (ending with an
//   inevitable transaction) finishes in bounded time;
// - every crash point listed in fault-injection.ts fired in the run (each dying worker says where
//   it dies), so a point that code changes made unreachable fails the last test.
// Scenarios that need a second worker in a given state (a lock holder, a decided commit to help,
// a dead worker to recover) park that worker at a crash point (a bounded wait on a shared word).
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, it } from 'node:test';
import { handleUnit } from '../../src/alloc/index.js';
import {
  commitCrashPoints,
  inevitableCrashPoints,
  limits,
  lockCrashPoints,
  retryCrashPoints,
  txCrashPointSide,
  type TxCrashPointName,
} from '../../src/base/index.js';
import { atomically, Heap, type SharedCell } from '../../src/index.js';
import { headerWord, HeapMemory } from '../../src/memory/index.js';
import { cellValueSlot } from '../../src/objects/cell-block.js';
import { TxRecords } from '../../src/stm/tx-record.js';
import { isIntentWord } from '../../src/values/index.js';
import {
  contendedBit,
  holdsLocks,
  ownerSeqMatches,
  ownerSlot,
  statusSeq,
  statusState,
} from '../../src/stm/words.js';
import { within } from '../support/time-limit.js';
import type { DeathMode, FaultData, FaultMessage, FaultPoint } from './fault.worker.js';

const script = new URL('./fault.worker.ts', import.meta.url);
const modes: readonly DeathMode[] = ['exit', 'throw', 'hang'];
/** A hanging worker is terminated after this long, while a survivor is already working. */
const hangMs = 150;
const survivorTransfers = 200;
/** Generous: a survivor blocked for good would hit this; one waiting for preemption would not. */
const survivorMsMax = 20_000;
/** A worker that never says what the test waits for fails it after this long. */
const messageMsMax = 20_000;
const startBalance = 1000;
/** What each transferring worker (victim, lock holder, decided committer) moves from a to b. */
const amount = 7;

/**
 * Every crash point the fault test must see fire: user code, and every transaction crash point
 * (the side table has one entry per point, its type makes sure of that).
 */
const allPoints: readonly FaultPoint[] = [
  'user',
  ...(Object.keys(txCrashPointSide) as TxCrashPointName[]),
];
/** Crash points at which a worker died in this run (reported by the worker before dying). */
const fired = new Set<FaultPoint>();
/** Tests that ran (a name filter may leave some out: then the coverage check cannot judge). */
let casesRun = 0;
let casesMade = 0;

/**
 * 1 if the transfer of a worker that died (or whose recoverer died) at `point` must be present,
 * 0 if absent. `owner` is the owner's own point, for a point in the recovery of its attempt.
 */
function expectedTransfers(point: FaultPoint, owner?: TxCrashPointName): number {
  if (point === 'user') return 0; // user code runs before the commit, so before its decision
  const side = txCrashPointSide[point];
  if (side === 'owner') {
    assert.ok(owner !== undefined && txCrashPointSide[owner] !== 'owner', 'BUG: no owner point');
    return expectedTransfers(owner);
  }
  return side === 'after' ? 1 : 0;
}

/** Every worker of the running test: terminated after it, so that a failure leaves none behind. */
const live: Worker[] = [];

interface Started {
  readonly worker: Worker;
  readonly exited: Promise<number>;
  /** The next message, or a rejection after `messageMsMax`. */
  next(what: string): Promise<FaultMessage>;
}

function start(heap: Heap, data: FaultData, watched = true): Started {
  const worker = new Worker(script, { workerData: data });
  live.push(worker);
  if (watched) heap.watch(worker);
  worker.on('error', () => {
    // A worker's own exception: expected in 'throw' mode (and a failure shows in its messages).
  });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  const queued: FaultMessage[] = [];
  const waiting: ((message: FaultMessage) => void)[] = [];
  worker.on('message', (message: FaultMessage) => {
    const resolve = waiting.shift();
    if (resolve === undefined) queued.push(message);
    else resolve(message);
  });
  const next = (what: string): Promise<FaultMessage> => {
    const message = queued.shift();
    if (message !== undefined) return Promise.resolve(message);
    const coming = new Promise<FaultMessage>((resolve) => waiting.push(resolve));
    return within(coming, messageMsMax, `no message from the worker: ${what}`);
  };
  return { worker, exited, next };
}

async function expectMessage(started: Started, expected: FaultMessage): Promise<void> {
  const what = JSON.stringify(expected);
  assert.deepEqual(await started.next(what), expected, `expected ${what}`);
}

/** Waits for the worker to say it is dying at `crashAt`, and records that the point fired. */
async function dyingAt(started: Started, crashAt: FaultPoint): Promise<void> {
  await expectMessage(started, { kind: 'dying', at: crashAt });
  fired.add(crashAt);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One test's heap, its cells, and what its workers share. */
class World {
  readonly heap = Heap.create({ maxBytes: 16 << 20 });
  readonly a: SharedCell<number> = this.heap.cell(startBalance);
  readonly b: SharedCell<number> = this.heap.cell(startBalance);
  readonly count: SharedCell<number> = this.heap.cell(0);
  readonly flag: SharedCell<number> = this.heap.cell(0);
  readonly #release = new SharedArrayBuffer(4);
  readonly shared = {
    heap: this.heap.handle,
    a: this.a.ref,
    b: this.b.ref,
    count: this.count.ref,
    flag: this.flag.ref,
    release: this.#release,
  };

  start(data: Omit<FaultData, keyof World['shared']>, watched = true): Started {
    return start(this.heap, { ...this.shared, ...data }, watched);
  }

  /** Ends every park of this test's workers. */
  release(): void {
    const word = new Int32Array(this.#release);
    Atomics.store(word, 0, 1);
    Atomics.notify(word, 0);
  }

  /** Runs a survivor to the end (under a time limit). */
  async survive(): Promise<void> {
    const survivor = this.start({ role: 'survivor', transfers: survivorTransfers });
    const run = async (): Promise<void> => {
      const said = await survivor.next('the survivor said nothing');
      assert.equal(said.kind, 'done', `the survivor said ${JSON.stringify(said)}`);
      assert.equal(await survivor.exited, 0, 'the survivor failed');
    };
    await within(run(), survivorMsMax, `the survivor took over ${String(survivorMsMax)} ms`);
  }

  /**
   * The death of `dying` (already announced), with a survivor working: after the death in 'exit'
   * and 'throw' modes; in 'hang' mode while the worker hangs, terminated after `hangMs`.
   */
  async deathWithSurvivor(dying: Started, mode: DeathMode): Promise<void> {
    if (mode === 'hang') {
      const survivor = this.survive();
      await sleep(hangMs);
      await dying.worker.terminate();
      await survivor;
    } else {
      await dying.exited;
      await this.survive();
    }
  }

  /**
   * Nothing of the dead is left live, checked in the words themselves before anything here
   * touches the cells (a read or write would help or preempt what it meets): no transaction
   * record holds locks (so no cell lock is live either: a lock lives only while its attempt's
   * status holds locks), no cell holds an intent, the inevitability token is free.
   */
  assertNothingLive(): void {
    const memory = HeapMemory.attach(this.heap.handle.buffer);
    const records = new TxRecords(memory);
    for (let slot = 0; slot < limits.workerSlotsMax; slot += 1) {
      const state = statusState(records.status(slot));
      assert.ok(!holdsLocks(state), `slot ${String(slot)} is left in state ${String(state)}`);
    }
    for (const [name, cell] of [
      ['a', this.a],
      ['b', this.b],
      ['count', this.count],
    ] as const) {
      const word = Atomics.load(memory.b64, cellValueSlot(handleUnit(cell.handle)));
      assert.ok(!isIntentWord(word), `cell ${name} is left holding an intent`);
    }
    const token = Atomics.load(memory.i32, headerWord.inevitableOwner) & ~contendedBit;
    const holder = token === 0 ? 0 : records.status(ownerSlot(token));
    assert.ok(
      token === 0 || !ownerSeqMatches(token, statusSeq(holder)) || !holdsLocks(statusState(holder)),
      'the inevitability token is left to a live attempt',
    );
  }

  /**
   * The cells hold exactly `transfers` transfers of `amount`, and a transaction writes them all.
   * (No time bound on that write: `assertNothingLive` has already checked, exactly, that nothing
   * could make it wait.)
   */
  assertTransfers(transfers: number, why: string): void {
    this.assertNothingLive();
    assert.equal(this.count.get(), transfers, `count: ${why}`);
    assert.equal(this.a.get(), startBalance - amount * transfers, `a: ${why}`);
    assert.equal(this.b.get(), startBalance + amount * transfers, `b: ${why}`);
    atomically(() => {
      this.a.set(this.a.get());
      this.b.set(this.b.get());
      this.count.set(this.count.get());
    });
  }

  close(): void {
    this.heap.close();
  }
}

/** A test case: counted, so that the coverage check knows whether every case ran. */
function testCase(name: string, body: (world: World) => Promise<void>): void {
  casesMade += 1;
  it(name, async () => {
    casesRun += 1;
    const world = new World();
    try {
      await body(world);
    } finally {
      world.close();
    }
  });
}

describe('a worker dying anywhere in a transaction', () => {
  afterEach(async () => {
    await Promise.all(live.splice(0).map((worker) => worker.terminate()));
  });

  // A lone victim: one transfer, dying at the point (inevitable from its start for the
  // inevitability points; waiting in `retry` on `flag` for the retry points).
  const lonePoints: readonly FaultPoint[] = [
    'user',
    ...commitCrashPoints,
    ...inevitableCrashPoints,
    ...retryCrashPoints,
  ];
  for (const crashAt of lonePoints) {
    for (const mode of modes) {
      testCase(`${mode} at ${crashAt}`, async (world) => {
        const waitForFlag = crashAt === 'retry.watching' || crashAt === 'retry.woken';
        const victim = world.start({
          role: 'victim',
          crashAt,
          mode,
          amount,
          inevitable: crashAt === 'inevitable.afterToken' || crashAt === 'inevitable.holding',
          waitForFlag,
          ...(crashAt === 'retry.woken' ? { report: 'retry.watching' } : {}),
        });
        if (crashAt === 'retry.woken') {
          // Its watcher bit is set on `flag`: this commit wakes it.
          await expectMessage(victim, { kind: 'reached', at: 'retry.watching' });
          atomically(() => {
            world.flag.set(1);
          });
        }
        await dyingAt(victim, crashAt);
        // Committers go on waking the dead worker's watcher bit (its slot dead, then reused).
        if (waitForFlag) {
          atomically(() => {
            world.flag.set(world.flag.get() + 1);
          });
        }
        await world.deathWithSurvivor(victim, mode);
        const expected = expectedTransfers(crashAt);
        world.assertTransfers(
          expected,
          `a death ${expected === 1 ? 'after' : 'before'} ${crashAt}`,
        );
      });
    }
  }

  // A victim dies taking a lock that a parked holder keeps (the holder has written all three
  // cells): at lock.contended after its first wait on it (its contended bit on the holder's
  // lock), at lock.afterCas once it has the lock (it preempted the holder after `ownerWaitMsMax`).
  // Then the holder, released, commits (rerunning if it was preempted): present once; the
  // victim's transfer absent.
  for (const crashAt of lockCrashPoints) {
    for (const mode of modes) {
      testCase(`${mode} at ${crashAt}`, async (world) => {
        const holder = world.start({ role: 'victim', crashAt: 'user', mode: 'park', amount });
        await expectMessage(holder, { kind: 'parked', at: 'user' });
        const victim = world.start({ role: 'victim', crashAt, mode, amount });
        await dyingAt(victim, crashAt);
        if (mode !== 'hang') await victim.exited;
        world.release();
        await expectMessage(holder, { kind: 'survived' });
        assert.equal(await holder.exited, 0);
        await world.deathWithSurvivor(victim, mode);
        world.assertTransfers(1, 'the holder committed, the victim died before deciding');
      });
    }
  }

  // A helper dies finishing another worker's decided commit: the committer is parked after
  // writing back its first cell (a); the helper locks a, reads b, meets the intent there and
  // helps, dying between the version's CAS and the value's. A survivor (the next helper) and
  // then the committer itself, released, finish the commit; the helper's own transfer is absent.
  for (const mode of modes) {
    testCase(`${mode} at help.midWriteBack`, async (world) => {
      const committer = world.start({
        role: 'victim',
        crashAt: 'commit.midWriteBack',
        mode: 'park',
        amount,
      });
      await expectMessage(committer, { kind: 'parked', at: 'commit.midWriteBack' });
      const helper = world.start({ role: 'victim', crashAt: 'help.midWriteBack', mode, amount });
      await dyingAt(helper, 'help.midWriteBack');
      await world.deathWithSurvivor(helper, mode);
      world.release();
      await expectMessage(committer, { kind: 'survived' });
      assert.equal(await committer.exited, 0);
      world.assertTransfers(1, 'the committer decided, the helper died before deciding');
    });
  }

  // A recoverer dies recovering a dead worker's attempt (undecided, or decided and half written
  // back). The dead worker is watched by no one, so nothing else recovers it; a second recoverer
  // must finish the job, and the dead worker's slot comes back.
  const owners: readonly TxCrashPointName[] = ['commit.afterIntents', 'commit.midWriteBack'];
  for (const owner of owners) {
    for (const mode of modes) {
      testCase(`${mode} at recover.midTransaction (owner at ${owner})`, async (world) => {
        const dead = world.start({ role: 'victim', crashAt: owner, mode: 'park', amount }, false);
        await expectMessage(dead, { kind: 'parked', at: owner });
        const deadThreadId = dead.worker.threadId; // (-1 once it has exited)
        await dead.worker.terminate();
        const recoverer = world.start({
          role: 'recoverer',
          crashAt: 'recover.midTransaction',
          mode,
          deadThreadId,
        });
        await dyingAt(recoverer, 'recover.midTransaction');
        await world.deathWithSurvivor(recoverer, mode);
        const next = world.start({ role: 'recoverer', deadThreadId });
        await expectMessage(next, { kind: 'recovered', slots: 1 });
        assert.equal(await next.exited, 0);
        assert.equal(world.heap.memoryUsage().attachedWorkers, 1, 'a dead worker kept its slot');
        const expected = expectedTransfers('recover.midTransaction', owner);
        world.assertTransfers(expected, `an owner dead at ${owner}, its recoverer too`);
      });
    }
  }

  // The dead worker's only recoverer (its watcher, say) dies in recoverTransaction, and nobody
  // calls recoverThread for it again. Its slot must come back all the same, as when a recoverer
  // dies in reclaim/'s part of the recovery: a reclaim takes the recovery over (the slot is a
  // zombie), and the next worker to claim the slot — the survivor, as it is the lowest free one —
  // finishes the attempt when it attaches.
  testCase('exit at recover.midTransaction, no second recoverer', async (world) => {
    const owner = 'commit.midWriteBack';
    const dead = world.start({ role: 'victim', crashAt: owner, mode: 'park', amount }, false);
    await expectMessage(dead, { kind: 'parked', at: owner });
    const deadThreadId = dead.worker.threadId;
    await dead.worker.terminate();
    const recoverer = world.start({
      role: 'recoverer',
      crashAt: 'recover.midTransaction',
      mode: 'exit',
      deadThreadId,
    });
    await dyingAt(recoverer, 'recover.midTransaction');
    await recoverer.exited;
    world.heap.reclaim();
    assert.equal(
      world.heap.memoryUsage().attachedWorkers,
      1,
      'the dead worker kept its slot: its recoverer died before marking it a zombie',
    );
    await world.survive();
    world.assertTransfers(1, `an owner dead at ${owner}, its only recoverer too`);
  });

  it('every crash point listed fired', (t) => {
    if (casesRun < casesMade) {
      t.skip(`only ${String(casesRun)} of ${String(casesMade)} cases ran`);
      return;
    }
    const missing = allPoints.filter((point) => !fired.has(point));
    assert.deepEqual(missing, [], `crash points no worker died at: ${missing.join(', ')}`);
  });
});

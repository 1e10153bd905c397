// Hand-built conflict reports for the tests of the report renderers: one that looks like a real
// contended run (three workers on a bank of accounts, ten seconds' worth of slices folded into
// 2.4 s), and an empty one. The realistic report holds text an HTML page must escape, as real
// logs can: source lines with `<` and `&&`, a map key that looks like a closing script tag, a
// task name with quotes. Built by formulas, not randomness, so every run sees the same numbers.
import type {
  ConflictReport,
  ConflictSummary,
  TimelineSlice,
  WorkerTime,
} from '../../src/diagnostics/index.js';

export const fixtureSliceMs = 100;
export const fixtureDurationMs = 2400;

export const fixtureWorkers: readonly WorkerTime[] = [
  {
    slot: 0,
    thread: 1,
    commits: 1840,
    aborts: 212,
    committedMs: 1530.4,
    abortedMs: 301.7,
    waitingMs: 88.2,
    unfinished: false,
  },
  {
    slot: 1,
    thread: 2,
    commits: 1712,
    aborts: 305,
    committedMs: 1402.9,
    abortedMs: 452.3,
    waitingMs: 120.6,
    unfinished: false,
  },
  {
    slot: 2,
    thread: 3,
    commits: 1101,
    aborts: 96,
    committedMs: 980.1,
    abortedMs: 140.8,
    waitingMs: 402.5,
    unfinished: true,
  },
];

const sliceCount = fixtureDurationMs / fixtureSliceMs;

// A burst of contention in the middle of the run, as when every worker reaches the same keys.
function sliceFor(thread: number, index: number): TimelineSlice {
  const burst = index >= 9 && index <= 14;
  return {
    thread,
    atMs: index * fixtureSliceMs,
    commits: 60 + ((index * 7 + thread * 13) % 25) - (burst ? 30 : 0),
    aborts: (burst ? 30 : 4) + ((index * 3 + thread) % 6),
  };
}

// The third worker started late (it has no slices before 0.5 s), as a worker attached later does.
export const fixtureTimeline: readonly TimelineSlice[] = Array.from(
  { length: sliceCount },
  (_, index) =>
    fixtureWorkers
      .filter((worker) => worker.thread !== 3 || index >= 5)
      .map((worker) => sliceFor(worker.thread, index)),
).flat();

const bank = '/home/ci/app/src/bank.ts';
const ledger = 'file:///home/ci/app/dist/ledger.js';

export const hostileKey = '"</script><script>alert(1)</script>"';
export const hostileTask = 'audit <all> & "everything"';

export const fixtureConflicts: readonly ConflictSummary[] = [
  {
    kind: 'write-write',
    object: 'SharedMap',
    handle: 12,
    part: 'entries',
    key: '"alice"',
    site: {
      file: bank,
      line: 42,
      column: 7,
      function: 'transfer',
      text: 'from.balance -= amount;',
    },
    otherSite: {
      file: bank,
      line: 42,
      column: 7,
      function: 'transfer',
      text: 'from.balance -= amount;',
    },
    count: 231,
    lostMs: 402.6,
    tasks: ['transfer', 'payroll'],
    slots: [0, 1],
    suggestion: {
      code: 'key-by-task',
      text: 'Tasks touching one key conflict: queue them with TransactionQueue.addKeyed(key, t).',
    },
  },
  {
    kind: 'inevitable',
    object: 'SharedArray',
    handle: 7,
    part: 'items',
    key: '3',
    site: {
      file: bank,
      line: 88,
      column: 5,
      function: 'audit',
      text: 'if (a < b && total > limit) {',
    },
    otherSite: { file: ledger, line: 19, column: 3, text: 'await appendFile(logPath, line);' },
    count: 12,
    lostMs: 233.1,
    tasks: [hostileTask],
    slots: [2],
    suggestion: {
      code: 'move-io',
      text: 'The other transaction went inevitable for I/O: do the I/O after atomically() returns.',
    },
  },
  {
    kind: 'wait',
    object: 'SharedMap',
    handle: 12,
    part: 'entries',
    key: hostileKey,
    site: { file: bank, line: 61, column: 9, text: 'const html = `<b>${name}</b>`;' },
    count: 48,
    lostMs: 180.4,
    tasks: [],
    slots: [2],
    suggestion: { code: 'shorten', text: 'Do less inside the transaction.' },
  },
  {
    kind: 'write-read',
    object: 'SharedObject',
    handle: 3,
    part: 'fields',
    key: 'total',
    site: { file: bank, line: 102, column: 11, function: 'report' },
    otherSite: {
      file: bank,
      line: 42,
      column: 7,
      function: 'transfer',
      text: 'from.balance -= amount;',
    },
    count: 97,
    lostMs: 120.9,
    tasks: ['report'],
    slots: [0, 1, 2],
    suggestion: {
      code: 'counter',
      text: 'A number read and rewritten by many: use heap.counter() and commute().',
    },
  },
  ...Array.from({ length: 8 }, (_, index): ConflictSummary => ({
    kind: index % 2 === 0 ? 'preempted' : 'neutralised',
    object: 'SharedMap',
    handle: 20 + index,
    part: 'entries',
    key: `"account-${index}"`,
    site: { file: ledger, line: 30 + index, column: 5, text: `ledger.post(entry${index});` },
    count: 20 - index,
    lostMs: 60 - index * 6.5,
    tasks: ['post'],
    slots: [index % 3],
    suggestion: { code: 'snapshot', text: 'A long reader keeps losing: iterate a snapshot.' },
  })),
];

const sum = (values: readonly number[]): number =>
  values.reduce((total, value) => total + value, 0);

export const conflictReportFixture: ConflictReport = {
  source: '/home/ci/app/conflicts <run 7>.jsonl',
  startedAt: Date.UTC(2026, 11, 6, 18, 0, 0),
  durationMs: fixtureDurationMs,
  workers: fixtureWorkers,
  totals: {
    commits: sum(fixtureWorkers.map((worker) => worker.commits)),
    aborts: sum(fixtureWorkers.map((worker) => worker.aborts)),
    committedMs: sum(fixtureWorkers.map((worker) => worker.committedMs)),
    abortedMs: sum(fixtureWorkers.map((worker) => worker.abortedMs)),
    waitingMs: sum(fixtureWorkers.map((worker) => worker.waitingMs)),
  },
  kinds: (['write-write', 'inevitable', 'wait', 'write-read', 'preempted', 'neutralised'] as const)
    .map((kind) => {
      const groups = fixtureConflicts.filter((conflict) => conflict.kind === kind);
      return {
        kind,
        count: sum(groups.map((group) => group.count)),
        lostMs: sum(groups.map((group) => group.lostMs)),
      };
    })
    .sort((a, b) => b.lostMs - a.lostMs),
  conflicts: fixtureConflicts,
  sliceMs: fixtureSliceMs,
  timeline: fixtureTimeline,
  skippedLines: 1,
};

/** A run that recorded nothing: a log with only its start line. */
export const emptyConflictReport: ConflictReport = {
  source: 'live',
  startedAt: Date.UTC(2026, 11, 6, 18, 0, 0),
  durationMs: 0,
  workers: [],
  totals: { commits: 0, aborts: 0, committedMs: 0, abortedMs: 0, waitingMs: 0 },
  kinds: [],
  conflicts: [],
  sliceMs: fixtureSliceMs,
  timeline: [],
  skippedLines: 0,
};

// The conflict log read back and aggregated, on hand-made records: parsing and its errors, the
// join of a conflict with the other side's answer, sums of repeated records, per-worker time,
// the timeline, the suggested fixes, and the text report.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import {
  aggregateConflicts,
  ConflictLogError,
  parseConflictLog,
  readConflictLog,
  renderTextReport,
  type ConflictRecord,
  type LogRecord,
  type SiteRecord,
  type SourceSite,
  type StatsRecord,
} from '../../src/diagnostics/index.js';
import { suggestFix, type SuggestionEvidence } from '../../src/diagnostics/suggest.js';
import { propertyRuns } from '../support/random.js';

const directory = mkdtempSync(join(tmpdir(), 'aggregate-'));
after(() => {
  rmSync(directory, { recursive: true, force: true });
});

const t0 = 1_800_000_000_000;
const siteA: SourceSite = { file: '/app/a.ts', line: 10, column: 3 };
const siteB: SourceSite = { file: '/app/b.ts', line: 20, column: 5 };

function conflict(fields: Partial<ConflictRecord> & { time: number }): ConflictRecord {
  return {
    t: 'conflict',
    slot: 1,
    thread: 11,
    kind: 'write-write',
    lostMs: 1,
    object: 'cell',
    handle: 4096,
    part: 'value',
    other: 2,
    site: siteA,
    ...fields,
  };
}

function answer(fields: Partial<SiteRecord> & { time: number }): SiteRecord {
  return { t: 'site', slot: 2, thread: 12, site: siteB, ...fields };
}

function stats(fields: Partial<StatsRecord> & { time: number; thread: number }): StatsRecord {
  return {
    t: 'stats',
    slot: fields.thread - 10,
    commits: 0,
    aborts: 0,
    committedMs: 0,
    abortedMs: 0,
    waitingMs: 0,
    ...fields,
  };
}

describe('reading a conflict log', () => {
  it('skips lines that are not records and counts them', () => {
    const text = [
      JSON.stringify(conflict({ time: t0 })),
      'not json',
      JSON.stringify({ t: 'conflict' }),
      JSON.stringify({ hello: 1 }),
      '',
      '{"t":"stats","time":1,"slot":0,"thr', // a torn last line
    ].join('\n');
    const log = parseConflictLog(text);
    assert.equal(log.records.length, 1);
    assert.equal(log.skippedLines, 4);
  });

  it('says clearly what is wrong with a file that is not a log', () => {
    const cases: [string, string | undefined, ConflictLogError['code']][] = [
      ['missing.log', undefined, 'missing'],
      ['empty.log', '\n\n', 'empty'],
      ['corrupt.log', '\u0000\u0001garbage\n{"a":1}\n', 'corrupt'],
    ];
    for (const [name, content, code] of cases) {
      const path = join(directory, name);
      if (content !== undefined) writeFileSync(path, content);
      assert.throws(
        () => readConflictLog(path),
        (error: unknown) =>
          error instanceof ConflictLogError &&
          error.code === code &&
          !error.message.includes('\n') &&
          error.message.includes(path),
      );
    }
    const folder = join(directory, 'a-folder');
    mkdirSync(folder);
    assert.throws(() => readConflictLog(folder), { name: 'ConflictLogError', code: 'unreadable' });
  });
});

describe('aggregating conflicts', () => {
  it('joins each conflict with the first answer that reaches it, within the window', () => {
    const records: LogRecord[] = [
      conflict({ time: t0 }),
      answer({ time: t0 + 1, site: siteB }),
      // Summed answers of the same site cover t0 + 10 … t0 + 50.
      conflict({ time: t0 + 20, site: siteB }),
      answer({ time: t0 + 10, until: t0 + 50, count: 7, site: siteA }),
      // Nobody answered within the window.
      conflict({ time: t0 + 100, kind: 'write-read' }),
      answer({ time: t0 + 100 + 6_000, site: siteA }),
    ];
    const report = aggregateConflicts(records, { source: 'test' });
    const bySite = new Map(
      report.conflicts.map((entry) => [`${entry.kind}${entry.site?.file ?? ''}`, entry]),
    );
    assert.equal(bySite.get('write-write/app/a.ts')?.otherSite?.file, '/app/b.ts');
    assert.equal(bySite.get('write-write/app/b.ts')?.otherSite?.file, '/app/a.ts');
    assert.equal(bySite.get('write-read/app/a.ts')?.otherSite, undefined);
  });

  it('adds up summed records, sorts groups by time lost, and totals kinds', () => {
    const records: LogRecord[] = [
      conflict({ time: t0, lostMs: 2 }),
      conflict({ time: t0 + 5, until: t0 + 90, count: 9, lostMs: 18 }),
      conflict({ time: t0 + 7, kind: 'wait', lostMs: 50, part: 'bucket', object: 'map' }),
    ];
    const report = aggregateConflicts(records, { source: 'test', skippedLines: 3 });
    assert.deepEqual(
      report.conflicts.map((entry) => [entry.kind, entry.count, entry.lostMs]),
      [
        ['wait', 1, 50],
        ['write-write', 10, 20],
      ],
    );
    assert.deepEqual(
      report.kinds.map((entry) => [entry.kind, entry.count]),
      [
        ['wait', 1],
        ['write-write', 10],
      ],
    );
    assert.equal(report.skippedLines, 3);
    assert.equal(report.conflicts[0]?.suggestion.code, 'prefill');
  });

  it('takes each thread’s last totals and marks threads without an end', () => {
    const records: LogRecord[] = [
      { t: 'worker', time: t0, slot: 1, thread: 11 },
      { t: 'worker', time: t0, slot: 2, thread: 12 },
      stats({ time: t0 + 100, thread: 11, commits: 10, aborts: 1, committedMs: 5 }),
      stats({ time: t0 + 300, thread: 11, commits: 30, aborts: 2, committedMs: 15 }),
      stats({ time: t0 + 200, thread: 12, commits: 7, waitingMs: 4 }),
      { t: 'end', time: t0 + 300, slot: 1, thread: 11 },
    ];
    const report = aggregateConflicts(records, { source: 'test' });
    assert.deepEqual(
      report.workers.map((entry) => [entry.thread, entry.commits, entry.unfinished]),
      [
        [11, 30, false],
        [12, 7, true],
      ],
    );
    assert.equal(report.totals.commits, 37);
    assert.equal(report.totals.waitingMs, 4);
    assert.equal(report.durationMs, 300);
  });

  it('keeps every count in the groups and the timeline (property)', () => {
    const recordArbitrary = fc.oneof(
      fc.record({
        time: fc.integer({ min: 0, max: 10_000 }),
        count: fc.integer({ min: 1, max: 50 }),
        lostMs: fc.double({ min: 0, max: 100, noNaN: true }),
        kind: fc.constantFrom('write-write', 'write-read', 'wait', 'inevitable' as const),
        other: fc.integer({ min: -1, max: 3 }),
        site: fc.constantFrom(siteA, siteB, undefined),
      }),
      fc.record({
        answerTime: fc.integer({ min: 0, max: 10_000 }),
        slot: fc.integer({ min: 0, max: 3 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(recordArbitrary, { maxLength: 60 }), (entries) => {
        const records: LogRecord[] = entries.map((entry) =>
          'answerTime' in entry
            ? answer({ time: t0 + entry.answerTime, slot: entry.slot })
            : conflict({
                time: t0 + entry.time,
                count: entry.count,
                lostMs: entry.lostMs,
                kind: entry.kind,
                other: entry.other,
                ...(entry.site === undefined ? {} : { site: entry.site }),
              }),
        );
        const report = aggregateConflicts(records, { source: 'property' });
        const expected = entries.reduce(
          (sum, entry) => sum + ('count' in entry ? entry.count : 0),
          0,
        );
        const grouped = report.conflicts.reduce((sum, entry) => sum + entry.count, 0);
        const kinds = report.kinds.reduce((sum, entry) => sum + entry.count, 0);
        assert.equal(grouped, expected);
        assert.equal(kinds, expected);
        for (let i = 1; i < report.conflicts.length; i += 1) {
          assert.ok((report.conflicts[i - 1]?.lostMs ?? 0) >= (report.conflicts[i]?.lostMs ?? 0));
        }
      }),
      propertyRuns(200),
    );
  });

  it('slices the timeline so that its commits add up to each thread’s last totals', () => {
    const records: LogRecord[] = [];
    for (let i = 1; i <= 50; i += 1) {
      records.push(stats({ time: t0 + i * 100, thread: 11, commits: i * 10, aborts: i }));
      records.push(stats({ time: t0 + i * 100 + 7, thread: 12, commits: i * 3 }));
    }
    const report = aggregateConflicts(records, { source: 'test' });
    const commitsOf = (thread: number): number =>
      report.timeline
        .filter((slice) => slice.thread === thread)
        .reduce((sum, slice) => sum + slice.commits, 0);
    assert.equal(commitsOf(11), 500);
    assert.equal(commitsOf(12), 150);
    assert.ok(report.sliceMs >= 100);
  });
});

describe('suggested fixes', () => {
  const base: SuggestionEvidence = {
    kind: 'write-write',
    object: 'cell',
    part: 'value',
    key: undefined,
    site: siteA,
    frames: undefined,
    otherSite: siteB,
    count: 10,
    lostMs: 1,
    tasks: [],
  };
  const code = (evidence: Partial<SuggestionEvidence>): string =>
    suggestFix({ ...base, ...evidence }).code;

  it('chooses from what the log shows', () => {
    assert.equal(code({ kind: 'inevitable' }), 'move-io');
    assert.equal(code({ otherSite: siteA }), 'counter', 'the same line on both sides');
    assert.equal(code({ frames: [siteB] }), 'counter', "the other's line is a caller of this one");
    assert.equal(code({}), 'counter', 'a short read-modify-write of a cell');
    assert.equal(code({ object: 'map', part: 'bucket' }), 'prefill');
    assert.equal(code({ kind: 'write-read', object: 'map', lostMs: 100 }), 'snapshot');
    assert.equal(code({ lostMs: 100 }), 'shared-map', 'long transactions rewriting one cell');
    assert.equal(code({ object: 'map', key: '"k"', tasks: ['count'], lostMs: 5 }), 'key-by-task');
    assert.equal(code({ object: 'array', part: 'element', lostMs: 5 }), 'shorten');
    assert.match(
      suggestFix({ ...base, object: 'map', key: '"k"', otherSite: siteA }).text,
      /map\.get\(key\)\.add/,
    );
  });
});

describe('the text report', () => {
  it('shows time, workers, and each top conflict with both sites and the fix', () => {
    const records: LogRecord[] = [
      { t: 'worker', time: t0, slot: 1, thread: 11 },
      stats({
        time: t0 + 500,
        thread: 11,
        commits: 100,
        aborts: 5,
        committedMs: 40,
        abortedMs: 10,
      }),
      conflict({ time: t0 + 1, key: '"apple"', object: 'map', count: 5, lostMs: 10 }),
      answer({ time: t0 + 2, task: 'countChunk' }),
    ];
    const text = renderTextReport(aggregateConflicts(records, { source: 'my.log' }));
    assert.match(text, /Conflict report: my\.log/);
    assert.match(text, /100 committed, 5 aborted/);
    assert.match(text, /committed 0\.040 s \(80\.0 %\)/);
    assert.match(text, /5× write-write on map #4096 value key "apple"/);
    assert.match(text, /this side: {2}\/app\/a\.ts:10/);
    assert.match(text, /other side: \/app\/b\.ts:20 \[task countChunk\]/);
    assert.match(text, /suggestion: /);
    assert.match(renderTextReport(aggregateConflicts([], { source: 'x' })), /No conflicts/);
  });
});

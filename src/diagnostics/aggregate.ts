/**
 * The aggregation of conflict log records into a report (report-model.ts): per-thread time,
 * conflict groups by time lost with both sides' sites, kinds, and a timeline. The same code
 * serves a log file (`shared-objects report`) and the live records (`heap.conflicts()`).
 *
 * The other side's site: a loser asks the winner's slot for it, and the winner answers with a
 * `site` record when its attempt ends (decision 0016); repeats of one answer are summed into a
 * record covering `time` to `until`. A conflict is joined with the first answer record from that
 * slot that reaches it (its `until` at or after the conflict), within `answerWindowMs`; a write-read conflict's
 * winner has usually committed already, so its answer names its next transaction — the same
 * code when it runs in a loop, which is the case that matters.
 *
 * A `TransactionQueue` task is called by the library, so a stack taken when its transaction
 * ends (an answer, or a conflict met at commit) holds no line of the user's: such a side is
 * given the line where that task's conflicts on the same place (object and part) were most
 * often met, if any were met with a line — never a line found on another place.
 */
import type {
  ConflictKind,
  ConflictRecord,
  LogRecord,
  SiteRecord,
  SourceSite,
  StatsRecord,
} from './log-records.js';
import type {
  ConflictReport,
  ConflictSummary,
  KindTotal,
  TimelineSlice,
  WorkerTime,
} from './report-model.js';
import { suggestFix } from './suggest.js';

const answerWindowMs = 5_000;
/** Slices the timeline aims at. */
const timelineSlices = 60;

export interface AggregateOptions {
  readonly source: string;
  readonly skippedLines?: number;
}

function siteKey(site: SourceSite | undefined): string {
  return site === undefined ? '' : `${site.file}:${String(site.line)}`;
}

/** The answers of each slot, in time order. */
function answersBySlot(records: readonly LogRecord[]): Map<number, SiteRecord[]> {
  const bySlot = new Map<number, SiteRecord[]>();
  for (const record of records) {
    if (record.t !== 'site') continue;
    const list = bySlot.get(record.slot) ?? [];
    list.push(record);
    bySlot.set(record.slot, list);
  }
  for (const list of bySlot.values()) list.sort((a, b) => a.time - b.time);
  return bySlot;
}

function answerFor(
  conflict: ConflictRecord,
  answers: Map<number, SiteRecord[]>,
): SiteRecord | undefined {
  const list = answers.get(conflict.other);
  if (list === undefined) return undefined;
  // Answer records of one slot cover disjoint spans in time order: search on their ends.
  const reach = (answer: SiteRecord | undefined): number => answer?.until ?? answer?.time ?? 0;
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (reach(list[middle]) < conflict.time) low = middle + 1;
    else high = middle;
  }
  const found = list[low];
  return found !== undefined && found.time - conflict.time <= answerWindowMs ? found : undefined;
}

/** A task's conflicts on one place: the key of `sitesOfTasks`. */
const taskPlace = (task: string, record: ConflictRecord): string =>
  `${task}\u0000${String(record.handle)}\u0000${record.part}`;

/** Per task and place, the site its conflicts there were most often met at (this side's). */
function sitesOfTasks(records: readonly LogRecord[]): Map<string, SourceSite> {
  const counts = new Map<string, Map<string, { site: SourceSite; count: number }>>();
  for (const record of records) {
    if (record.t !== 'conflict' || record.task === undefined || record.site === undefined) {
      continue;
    }
    const place = taskPlace(record.task, record);
    const bySite = counts.get(place) ?? new Map<string, { site: SourceSite; count: number }>();
    const key = siteKey(record.site);
    const entry = bySite.get(key) ?? { site: record.site, count: 0 };
    entry.count += record.count ?? 1;
    bySite.set(key, entry);
    counts.set(place, bySite);
  }
  const sites = new Map<string, SourceSite>();
  for (const [place, bySite] of counts) {
    const top = [...bySite.values()].sort((a, b) => b.count - a.count)[0];
    if (top !== undefined) sites.set(place, top.site);
  }
  return sites;
}

interface Group {
  readonly kind: ConflictKind;
  readonly object: string;
  readonly handle: number;
  readonly part: string;
  readonly key: string | undefined;
  readonly site: SourceSite | undefined;
  readonly frames: readonly SourceSite[] | undefined;
  otherSite: SourceSite | undefined;
  readonly otherTask: string | undefined;
  count: number;
  lostMs: number;
  readonly tasks: Map<string, number>;
  readonly slots: Set<number>;
}

function groupConflicts(records: readonly LogRecord[]): Group[] {
  const answers = answersBySlot(records);
  const taskSites = sitesOfTasks(records);
  const siteOf = (
    site: SourceSite | undefined,
    task: string | undefined,
    record: ConflictRecord,
  ): SourceSite | undefined =>
    site ?? (task === undefined ? undefined : taskSites.get(taskPlace(task, record)));
  const groups = new Map<string, Group>();
  for (const record of records) {
    if (record.t !== 'conflict') continue;
    const answer = answerFor(record, answers);
    const site = siteOf(record.site, record.task, record);
    const otherSite = answer === undefined ? undefined : siteOf(answer.site, answer.task, record);
    const id = [
      record.kind,
      record.object,
      record.handle,
      record.part,
      record.key ?? '',
      siteKey(site),
      siteKey(otherSite),
      answer?.task ?? '',
    ].join('\u0000');
    let group = groups.get(id);
    if (group === undefined) {
      group = {
        kind: record.kind,
        object: record.object,
        handle: record.handle,
        part: record.part,
        key: record.key,
        site,
        frames: record.frames,
        otherSite,
        otherTask: answer?.task,
        count: 0,
        lostMs: 0,
        tasks: new Map(),
        slots: new Set(),
      };
      groups.set(id, group);
    }
    group.count += record.count ?? 1;
    group.lostMs += record.lostMs;
    group.slots.add(record.slot);
    if (record.task !== undefined) {
      group.tasks.set(record.task, (group.tasks.get(record.task) ?? 0) + 1);
    }
  }
  return [...groups.values()];
}

function summarise(group: Group): ConflictSummary {
  const tasks = [...group.tasks.entries()].sort((a, b) => b[1] - a[1]).map(([task]) => task);
  const optional = {
    ...(group.key === undefined ? {} : { key: group.key }),
    ...(group.site === undefined ? {} : { site: group.site }),
    ...(group.otherSite === undefined ? {} : { otherSite: group.otherSite }),
    ...(group.otherTask === undefined ? {} : { otherTask: group.otherTask }),
  };
  return {
    kind: group.kind,
    object: group.object,
    handle: group.handle,
    part: group.part,
    ...optional,
    count: group.count,
    lostMs: group.lostMs,
    tasks,
    slots: [...group.slots].sort((a, b) => a - b),
    suggestion: suggestFix({ ...group, tasks }),
  };
}

/** Each thread's last totals, and whether it ended. */
function workerTimes(records: readonly LogRecord[]): WorkerTime[] {
  const last = new Map<number, StatsRecord>();
  const slots = new Map<number, number>();
  const ended = new Set<number>();
  for (const record of records) {
    if (record.t === 'start') continue;
    slots.set(record.thread, record.slot);
    if (record.t === 'end') ended.add(record.thread);
    if (record.t !== 'stats') continue;
    const previous = last.get(record.thread);
    if (previous === undefined || previous.time <= record.time) last.set(record.thread, record);
  }
  return [...slots.entries()]
    .map(([thread, slot]) => {
      const stats = last.get(thread);
      return {
        slot,
        thread,
        commits: stats?.commits ?? 0,
        aborts: stats?.aborts ?? 0,
        committedMs: stats?.committedMs ?? 0,
        abortedMs: stats?.abortedMs ?? 0,
        waitingMs: stats?.waitingMs ?? 0,
        unfinished: !ended.has(thread),
      };
    })
    .sort((a, b) => a.thread - b.thread);
}

/** A round slice length: 1, 2 or 5 times a power of ten, at least `minimum` ms. */
function roundSlice(minimum: number): number {
  let power = 1;
  for (;;) {
    for (const step of [1, 2, 5]) if (step * power >= minimum) return step * power;
    power *= 10;
  }
}

function timelineOf(
  records: readonly LogRecord[],
  startedAt: number,
  sliceMs: number,
): TimelineSlice[] {
  const byThread = new Map<number, StatsRecord[]>();
  for (const record of records) {
    if (record.t !== 'stats') continue;
    const list = byThread.get(record.thread) ?? [];
    list.push(record);
    byThread.set(record.thread, list);
  }
  const slices: TimelineSlice[] = [];
  for (const [thread, list] of [...byThread.entries()].sort((a, b) => a[0] - b[0])) {
    list.sort((a, b) => a.time - b.time);
    const perSlice = new Map<number, { commits: number; aborts: number }>();
    let commits = 0;
    let aborts = 0;
    for (const stats of list) {
      const index = Math.floor((stats.time - startedAt) / sliceMs);
      const slice = perSlice.get(index) ?? { commits: 0, aborts: 0 };
      slice.commits += stats.commits - commits;
      slice.aborts += stats.aborts - aborts;
      perSlice.set(index, slice);
      commits = stats.commits;
      aborts = stats.aborts;
    }
    for (const [index, slice] of [...perSlice.entries()].sort((a, b) => a[0] - b[0])) {
      slices.push({ thread, atMs: index * sliceMs, ...slice });
    }
  }
  return slices;
}

/** The sums of the workers' figures. */
export function totalsOf(workers: readonly WorkerTime[]): ConflictReport['totals'] {
  const totals = { commits: 0, aborts: 0, committedMs: 0, abortedMs: 0, waitingMs: 0 };
  for (const worker of workers) {
    totals.commits += worker.commits;
    totals.aborts += worker.aborts;
    totals.committedMs += worker.committedMs;
    totals.abortedMs += worker.abortedMs;
    totals.waitingMs += worker.waitingMs;
  }
  return totals;
}

export function aggregateConflicts(
  records: readonly LogRecord[],
  options: AggregateOptions,
): ConflictReport {
  let startedAt = Infinity;
  let endedAt = -Infinity;
  for (const record of records) {
    startedAt = Math.min(startedAt, record.time);
    endedAt = Math.max(endedAt, record.time);
  }
  if (startedAt === Infinity) {
    startedAt = 0;
    endedAt = 0;
  }
  const durationMs = endedAt - startedAt;
  const workers = workerTimes(records);
  const totals = totalsOf(workers);
  const conflicts = groupConflicts(records)
    .map(summarise)
    .sort((a, b) => b.lostMs - a.lostMs || b.count - a.count);
  const kindTotals = new Map<ConflictKind, KindTotal>();
  for (const conflict of conflicts) {
    const total = kindTotals.get(conflict.kind) ?? { kind: conflict.kind, count: 0, lostMs: 0 };
    kindTotals.set(conflict.kind, {
      kind: conflict.kind,
      count: total.count + conflict.count,
      lostMs: total.lostMs + conflict.lostMs,
    });
  }
  const sliceMs = roundSlice(Math.max(100, durationMs / timelineSlices));
  return {
    source: options.source,
    startedAt,
    durationMs,
    workers,
    totals,
    kinds: [...kindTotals.values()].sort((a, b) => b.lostMs - a.lostMs || b.count - a.count),
    conflicts,
    sliceMs,
    timeline: timelineOf(records, startedAt, sliceMs),
    skippedLines: options.skippedLines ?? 0,
  };
}

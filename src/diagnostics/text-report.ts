/**
 * The conflict report as text, in the manner of pypy-stm's log tool: the run's time and its
 * split into committed, aborted and waiting per worker, then the top conflicts by time lost,
 * each with both sides' lines, the key, the counts and a suggested fix.
 */
import type { SourceSite } from './log-records.js';
import type { ConflictReport, ConflictSummary, ReportSite } from './report-model.js';

export interface TextReportOptions {
  /** Conflict groups shown (default 10). */
  readonly top?: number;
  /** Leave out the per-worker table (the demo's short form). */
  readonly brief?: boolean;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 3 : 1)} s`;
const share = (part: number, whole: number): string =>
  whole <= 0 ? '0 %' : `${((100 * part) / whole).toFixed(1)} %`;
const count = (n: number): string => n.toLocaleString('en-US');

/** A site as the report prints it: path relative to the working directory when inside it. */
export function siteLabel(site: SourceSite | undefined, cwd = workingDirectory()): string {
  if (site === undefined) return 'unknown (no answer from the other worker, or no stack)';
  const file =
    cwd !== undefined && site.file.startsWith(`${cwd}/`)
      ? site.file.slice(cwd.length + 1)
      : site.file;
  const name = site.function === undefined ? '' : ` (${site.function})`;
  return `${file}:${String(site.line)}${name}`;
}

function workingDirectory(): string | undefined {
  const nodeProcess = (globalThis as { process?: { cwd?: () => string } }).process;
  return nodeProcess?.cwd?.();
}

function placeLabel(conflict: ConflictSummary): string {
  if (conflict.object === 'none') {
    const why =
      conflict.kind === 'preempted'
        ? 'preempted by the other transaction'
        : conflict.kind === 'wait'
          ? 'the inevitability token, or a retry'
          : 'the attempt as a whole';
    return `no particular word (${why})`;
  }
  const where = conflict.key === undefined ? '' : ` key ${conflict.key}`;
  return `${conflict.object} #${String(conflict.handle)} ${conflict.part}${where}`;
}

function siteLines(label: string, site: ReportSite | undefined, task?: string): string[] {
  const where =
    site === undefined && task !== undefined
      ? `in task ${task} (no line: met at its commit, or past the stack budget)`
      : `${siteLabel(site)}${task === undefined ? '' : ` [task ${task}]`}`;
  const lines = [`      ${label} ${where}`];
  if (site?.text !== undefined) lines.push(`          ${site.text}`);
  return lines;
}

function conflictLines(index: number, conflict: ConflictSummary): string[] {
  const lost = conflict.kind === 'wait' ? 'waiting' : 'lost';
  const lines = [
    `  ${String(index + 1)}. ${seconds(conflict.lostMs)} ${lost} in ${count(conflict.count)}× ` +
      `${conflict.kind} on ${placeLabel(conflict)}`,
    ...siteLines(
      'this side: ',
      conflict.site,
      conflict.site === undefined ? conflict.tasks[0] : undefined,
    ),
    ...siteLines('other side:', conflict.otherSite, conflict.otherTask),
  ];
  if (conflict.tasks.length !== 0)
    lines.push(`      tasks: ${conflict.tasks.slice(0, 5).join(', ')}`);
  lines.push(`      suggestion: ${conflict.suggestion.text}`);
  return lines;
}

export function renderTextReport(report: ConflictReport, options: TextReportOptions = {}): string {
  const top = options.top ?? 10;
  const { totals } = report;
  const busy = totals.committedMs + totals.abortedMs + totals.waitingMs;
  const attempts = totals.commits + totals.aborts;
  const lines = [
    `Conflict report: ${report.source}`,
    `  run: ${new Date(report.startedAt).toISOString()}, ${seconds(report.durationMs)}, ` +
      `${String(report.workers.length)} worker${report.workers.length === 1 ? '' : 's'}`,
    `  transactions: ${count(totals.commits)} committed, ${count(totals.aborts)} aborted ` +
      `(${share(totals.aborts, attempts)} of attempts)`,
    `  time in transactions: ${seconds(busy)} — committed ${seconds(totals.committedMs)} ` +
      `(${share(totals.committedMs, busy)}), aborted ${seconds(totals.abortedMs)} ` +
      `(${share(totals.abortedMs, busy)}), waiting ${seconds(totals.waitingMs)} ` +
      `(${share(totals.waitingMs, busy)})`,
  ];
  if (report.skippedLines !== 0) {
    lines.push(`  (${String(report.skippedLines)} lines of the log were not records: skipped)`);
  }
  if (options.brief !== true && report.workers.length !== 0) {
    lines.push('', '  worker  thread     commits    aborts   committed     aborted     waiting');
    for (const worker of report.workers) {
      lines.push(
        `  ${String(worker.slot).padStart(6)}  ${String(worker.thread).padStart(6)}` +
          `  ${count(worker.commits).padStart(10)}  ${count(worker.aborts).padStart(8)}` +
          `  ${seconds(worker.committedMs).padStart(10)}  ${seconds(worker.abortedMs).padStart(10)}` +
          `  ${seconds(worker.waitingMs).padStart(10)}${worker.unfinished ? '  (no end: killed?)' : ''}`,
      );
    }
  }
  lines.push('');
  if (report.conflicts.length === 0) {
    lines.push('  No conflicts were recorded.');
  } else {
    const shown = report.conflicts.slice(0, top);
    lines.push(
      `  Top ${String(shown.length)} of ${String(report.conflicts.length)} conflicts by time lost:`,
    );
    shown.forEach((conflict, index) => {
      lines.push(...conflictLines(index, conflict));
    });
  }
  return `${lines.join('\n')}\n`;
}

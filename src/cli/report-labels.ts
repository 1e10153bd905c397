/**
 * Short texts for a conflict report's pages and charts: a site as `file:line`, a place in shared
 * memory, a worker's name, and numbers of milliseconds. They return plain text; whoever puts it
 * into HTML escapes it.
 */
import type { ConflictSummary, ReportSite, WorkerTime } from '../diagnostics/index.js';

const thousands = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

/** The last part of a path or URL: stacks give absolute paths that would crowd a chart label. */
export function fileBaseName(file: string): string {
  const withoutQuery = file.replace(/[?#].*$/, '');
  const parts = withoutQuery.split(/[\\/]/).filter((part) => part.length > 0);
  return parts.at(-1) ?? file;
}

/** `bank.ts:42`, or `unknown site` when the stack named no user frame. */
export function siteName(site: ReportSite | undefined): string {
  return site === undefined ? 'unknown site' : `${fileBaseName(site.file)}:${site.line}`;
}

/** The full location, for a tooltip: `/app/src/bank.ts:42:7 (transfer)`. */
export function siteLocation(site: ReportSite): string {
  const where = `${site.file}:${site.line}:${site.column}`;
  return site.function === undefined ? where : `${where} (${site.function})`;
}

/** `SharedMap #12 entries["alice"]`: the object, its handle, the part and the key if any. */
export function placeName(conflict: ConflictSummary): string {
  const key = conflict.key === undefined ? '' : `[${conflict.key}]`;
  return `${conflict.object} #${conflict.handle} ${conflict.part}${key}`;
}

/** Slots are reused after a worker leaves, so the thread id is what tells two workers apart. */
export function workerName(worker: Pick<WorkerTime, 'slot' | 'thread'>): string {
  return `slot ${worker.slot} · thread ${worker.thread}`;
}

/** `1,234.5 ms` below ten seconds, `12.3 s` above. */
export function formatDuration(ms: number): string {
  return ms < 10_000 ? `${oneDecimal.format(ms)} ms` : `${oneDecimal.format(ms / 1000)} s`;
}

/** Milliseconds as a table cell: one decimal, grouped thousands. */
export function formatMs(ms: number): string {
  return oneDecimal.format(ms);
}

export function formatCount(count: number): string {
  return thousands.format(count);
}

/** `37.5 %` of `whole`, or `–` when the whole is zero (an empty run has no shares). */
export function formatShare(part: number, whole: number): string {
  return whole > 0 ? `${oneDecimal.format((100 * part) / whole)} %` : '–';
}

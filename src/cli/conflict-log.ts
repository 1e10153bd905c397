/**
 * The CLI's door to the diagnostics layer: read a conflict log and aggregate it into a report
 * with its sites mapped to source lines, render that as text or as an HTML page, and the heap
 * option that records one. Every failure to read a log or write a page is one `CommandFailure`.
 */
import { closeSync, openSync, writeFileSync } from 'node:fs';
import type { HeapOptions } from '../api/index.js';
import {
  aggregateConflicts,
  ConflictLogError,
  readConflictLog,
  renderTextReport,
  resolveSites,
  type ConflictLog,
  type ConflictReport,
} from '../diagnostics/index.js';
import { CommandFailure, oneLine } from './errors.js';
import { renderHtmlReport } from './html-report.js';

export type { ConflictReport } from '../diagnostics/index.js';

/**
 * Fails, as one line, when a conflict log cannot be written at `path` (its folder is missing or
 * read-only, it is a folder): checked by opening it before a run, so that the run is not wasted.
 */
export function checkLogWritable(path: string): void {
  try {
    closeSync(openSync(path, 'a'));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason =
      code === 'ENOENT'
        ? 'its folder does not exist'
        : code === 'EISDIR'
          ? 'it is a folder'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : oneLine(error);
    throw new CommandFailure(`cannot write the conflict log ${path}: ${reason}`, { cause: error });
  }
}

/** The heap options that record the conflict log of every worker of the heap into `path`. */
export function recordingHeapOptions(path: string, options: HeapOptions): HeapOptions {
  return { ...options, conflictLog: path };
}

/**
 * The report of the log at `path`, its sites resolved to source lines. A missing, unreadable,
 * corrupt or empty log is a `CommandFailure` with the reader's one-line message.
 */
export function loadConflictReport(path: string): ConflictReport {
  let log: ConflictLog;
  try {
    log = readConflictLog(path);
  } catch (error) {
    if (error instanceof ConflictLogError) {
      throw new CommandFailure(oneLine(error), { cause: error });
    }
    throw error;
  }
  const report = aggregateConflicts(log.records, { source: path, skippedLines: log.skippedLines });
  return resolveSites(report);
}

/** The report as text: the `top` conflict groups; `brief` leaves out the per-worker table. */
export function renderConflictText(
  report: ConflictReport,
  options: { readonly top: number; readonly brief?: boolean },
): string {
  return renderTextReport(report, options);
}

/** Writes the report as an HTML page (a file that cannot be written is a `CommandFailure`). */
export function writeHtmlReport(report: ConflictReport, path: string): void {
  const html = renderHtmlReport(report);
  try {
    writeFileSync(path, html);
  } catch (error) {
    throw new CommandFailure(`cannot write ${path}: ${oneLine(error)}`, { cause: error });
  }
}

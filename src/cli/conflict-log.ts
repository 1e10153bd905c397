/**
 * The CLI's door to the diagnostics layer: read a conflict log, aggregate it into a report, map
 * its sites to source lines, render it as text or HTML, and the heap option that records one.
 * Every failure to read a log becomes one `CommandFailure` line.
 *
 * INTEGRATION(diagnostics): src/diagnostics/index.ts (readConflictLog, aggregateConflicts,
 * resolveSites, renderTextReport) and `Heap.create({ conflictLog })` are being written on main.
 * Until they land, this file loads the diagnostics index by a computed specifier and declares
 * the announced signatures itself, so that the branch builds without them; when they land,
 * replace `loadDiagnostics` with static imports and `ConflictReport` with the real type.
 */
import { writeFileSync } from 'node:fs';
import { CommandFailure, oneLine } from './errors.js';
import type { HeapOptions } from '../api/index.js';

/** The aggregated report (report-model.ts `ConflictReport`); the CLI only passes it along. */
export type ConflictReport = object;

interface DiagnosticsApi {
  readConflictLog(path: string): { records: readonly unknown[]; skippedLines: number };
  aggregateConflicts(
    records: readonly unknown[],
    options: { source: string; skippedLines?: number },
  ): ConflictReport;
  resolveSites(report: ConflictReport): ConflictReport;
  renderTextReport(report: ConflictReport, options?: { top?: number }): string;
}

interface HtmlReportApi {
  renderHtmlReport(report: ConflictReport): string;
}

const diagnosticsSpecifier = '../diagnostics/index.js';
// Written on the html-report branch; loaded only by `--html`.
const htmlReportSpecifier = './html-report.js';

/** The same file under tsx (src/, .ts) and when built (dist/, .js). */
function sibling(specifier: string): string {
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(specifier.replace(/\.js$/, extension), import.meta.url).href;
}

async function loadModule(specifier: string, what: string): Promise<Record<string, unknown>> {
  try {
    return (await import(sibling(specifier))) as Record<string, unknown>;
  } catch (error) {
    throw new CommandFailure(`${what} is not available in this build (${oneLine(error)})`, {
      cause: error,
    });
  }
}

async function loadDiagnostics(): Promise<DiagnosticsApi> {
  const module = await loadModule(diagnosticsSpecifier, 'the conflict report');
  const names = ['readConflictLog', 'aggregateConflicts', 'resolveSites', 'renderTextReport'];
  for (const name of names) {
    if (typeof module[name] !== 'function') {
      throw new CommandFailure(`the conflict report is not available in this build (${name})`);
    }
  }
  return module as unknown as DiagnosticsApi;
}

/** The heap options that record the conflict log of every worker of the heap into `path`. */
export function recordingHeapOptions(path: string, options: HeapOptions): HeapOptions {
  // INTEGRATION(diagnostics): `conflictLog` joins HeapOptions on main.
  const recording: HeapOptions & { readonly conflictLog: string } = {
    ...options,
    conflictLog: path,
  };
  return recording;
}

/**
 * The report of the log at `path`, its sites resolved to source lines. A missing, unreadable,
 * corrupt or empty log is a `CommandFailure` with the reader's one-line message.
 */
export async function loadConflictReport(path: string): Promise<ConflictReport> {
  const diagnostics = await loadDiagnostics();
  let log: ReturnType<DiagnosticsApi['readConflictLog']>;
  try {
    log = diagnostics.readConflictLog(path);
  } catch (error) {
    if (isConflictLogError(error)) throw new CommandFailure(oneLine(error), { cause: error });
    throw error;
  }
  const report = diagnostics.aggregateConflicts(log.records, {
    source: path,
    skippedLines: log.skippedLines,
  });
  return diagnostics.resolveSites(report);
}

export async function renderConflictText(report: ConflictReport, top: number): Promise<string> {
  const diagnostics = await loadDiagnostics();
  return diagnostics.renderTextReport(report, { top });
}

/** Writes the report as an HTML page (a file that cannot be written is a `CommandFailure`). */
export async function writeHtmlReport(report: ConflictReport, path: string): Promise<void> {
  const module = await loadModule(htmlReportSpecifier, 'the HTML report');
  if (typeof module['renderHtmlReport'] !== 'function') {
    throw new CommandFailure('the HTML report is not available in this build');
  }
  const html = (module as unknown as HtmlReportApi).renderHtmlReport(report);
  try {
    writeFileSync(path, html);
  } catch (error) {
    throw new CommandFailure(`cannot write ${path}: ${oneLine(error)}`, { cause: error });
  }
}

/** diagnostics' `ConflictLogError` (told by name and code: this file does not import it). */
function isConflictLogError(error: unknown): error is Error & { readonly code: string } {
  return (
    error instanceof Error &&
    error.name === 'ConflictLogError' &&
    typeof (error as Error & { code?: unknown }).code === 'string'
  );
}

/**
 * The few lines `demo` and `run` end with: the top of the run's conflict report, where its log
 * is, and the command that shows all of it. The run's own numbers stand without the report, so a
 * report that cannot be made (no log was written, the HTML page missing) is one line, not a
 * failure.
 */
import { loadConflictReport, renderConflictText, writeHtmlReport } from './conflict-log.js';
import { CommandFailure, oneLine } from './errors.js';
import { field } from './format.js';

export interface ConflictSummaryOptions {
  /** What ran, e.g. `the 2-worker run`. */
  readonly title: string;
  readonly logPath: string;
  readonly top: number;
  readonly htmlPath: string | undefined;
}

export function printConflictSummary(
  out: (line?: string) => void,
  options: ConflictSummaryOptions,
): void {
  const { title, logPath, top, htmlPath } = options;
  let text: string;
  try {
    const report = loadConflictReport(logPath);
    text = renderConflictText(report, { top, brief: true });
    if (htmlPath !== undefined) writeHtmlReport(report, htmlPath);
  } catch (error) {
    if (!(error instanceof CommandFailure)) throw error;
    out(`conflict report of ${title}: unavailable (${oneLine(error)})`);
    return;
  }
  // The report names its log on its first line; the run it covers is named here.
  out(`Conflicts of ${title} (top ${String(top)}):`);
  out(text.trimEnd());
  out();
  out(field('conflict log', logPath));
  if (htmlPath !== undefined) out(field('html report', htmlPath));
  out(field('whole report', `npx shared-objects report ${logPath}`));
}

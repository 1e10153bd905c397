/**
 * `shared-objects report <log>`: the conflict report of a recorded log as text (the top
 * conflict sites by time lost, with the source lines and the suggested fix), and with `--html`
 * as a page with charts. A missing, unreadable, corrupt or empty log is one line and exit 1.
 */
import { commonOptions, integerOption, onePositional, parseCommand } from '../args.js';
import { loadConflictReport, renderConflictText, writeHtmlReport } from '../conflict-log.js';

const topDefault = 10;
const topMax = 1000;

export const reportUsage = `usage: shared-objects report <log> [--top N] [--html <file>]

Prints the conflict report of a conflict log (recorded by Heap.create({ conflictLog }),
SHARED_OBJECTS_LOG=<file>, or the demo and run commands): where transactions conflicted,
how much time it cost, and what to change.

options:
  --top N         conflict sites to show (default ${String(topDefault)})
  --html <file>   also write the report as an HTML page
  -h, --help      this text`;

const reportOptions = {
  ...commonOptions,
  top: { type: 'string' },
  html: { type: 'string' },
} as const;

export function reportCommand(args: readonly string[]): void {
  const { values, positionals } = parseCommand('report', args, reportOptions);
  if (values.help === true) {
    process.stdout.write(`${reportUsage}\n`);
    return;
  }
  const logPath = onePositional('report', 'a conflict log file', positionals);
  const top = integerOption('report', 'top', values.top, {
    min: 1,
    max: topMax,
    fallback: topDefault,
  });
  const report = loadConflictReport(logPath);
  process.stdout.write(`${renderConflictText(report, { top }).trimEnd()}\n`);
  if (values.html !== undefined) {
    writeHtmlReport(report, values.html);
    process.stdout.write(`\nhtml report: ${values.html}\n`);
  }
}

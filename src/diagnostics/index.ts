/**
 * diagnostics/: the conflict log (decision 0016) — each thread's recorder, the log's records
 * and files, their aggregation into a report, and the report as text. The HTML page and the
 * command line are in cli/.
 */
export { aggregateConflicts, totalsOf, type AggregateOptions } from './aggregate.js';
export { HeapRecording, reportWithoutLog, type ConflictLogSetting } from './heap-recording.js';
export {
  ConflictLogError,
  parseConflictLog,
  readConflictLog,
  type ConflictLog,
  type ConflictLogErrorCode,
} from './log-read.js';
export * from './log-records.js';
export { openSink, type LogSink } from './log-sink.js';
export { ThreadRecorder } from './recorder.js';
export type * from './report-model.js';
export { resolveSites, SiteResolver } from './source-sites.js';
export { shortSite } from './stack-sites.js';
export { renderTextReport, siteLabel, type TextReportOptions } from './text-report.js';

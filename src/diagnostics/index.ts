/**
 * The diagnostics layer's entry for the layers above it (the CLI): for now only the types of the
 * conflict log's records and of the report aggregated from them.
 */
export type {
  ConflictReport,
  ConflictSummary,
  KindTotal,
  ReportSite,
  Suggestion,
  SuggestionCode,
  TimelineSlice,
  WorkerTime,
} from './report-model.js';
export type {
  ConflictKind,
  ConflictRecord,
  EndRecord,
  LogRecord,
  SiteRecord,
  SourceSite,
  StartRecord,
  StatsRecord,
  WorkerRecord,
} from './log-records.js';

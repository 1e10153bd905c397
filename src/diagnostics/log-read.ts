/**
 * Reading a conflict log file back: one record per line (log-records.ts). Lines that are not
 * records are counted and skipped — a killed process can leave a torn last line — but a file
 * with no record at all is not a log, and says so.
 */
import { nodeBuiltin } from '../platform/index.js';
import type { LogRecord } from './log-records.js';

export type ConflictLogErrorCode = 'missing' | 'unreadable' | 'empty' | 'corrupt';

/** A log that cannot be read: its message is one line, fit to show as it is. */
export class ConflictLogError extends Error {
  readonly code: ConflictLogErrorCode;

  constructor(code: ConflictLogErrorCode, message: string) {
    super(message);
    this.name = 'ConflictLogError';
    this.code = code;
  }
}

export interface ConflictLog {
  readonly records: LogRecord[];
  /** Lines that were not records. */
  readonly skippedLines: number;
}

const recordTypes = new Set(['start', 'worker', 'conflict', 'site', 'stats', 'end']);

function isRecord(value: unknown): value is LogRecord {
  if (typeof value !== 'object' || value === null) return false;
  const { t, time } = value as { t?: unknown; time?: unknown };
  if (typeof t !== 'string' || !recordTypes.has(t) || typeof time !== 'number') return false;
  return t === 'start' || typeof (value as { slot?: unknown }).slot === 'number';
}

/** The records of log text (every line that is one). */
export function parseConflictLog(text: string): ConflictLog {
  const records: LogRecord[] = [];
  let skippedLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      skippedLines += 1;
      continue;
    }
    if (isRecord(value)) records.push(value);
    else skippedLines += 1;
  }
  return { records, skippedLines };
}

/** Reads the log at `path`; throws ConflictLogError when there is none to read. */
export function readConflictLog(path: string): ConflictLog {
  const fs = nodeBuiltin('node:fs');
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') throw new ConflictLogError('missing', `no such log file: ${path}`);
    const reason = code === 'EISDIR' ? 'it is a directory' : (code ?? 'unknown error');
    throw new ConflictLogError('unreadable', `cannot read log file ${path}: ${reason}`);
  }
  if (text.trim() === '') {
    throw new ConflictLogError('empty', `log file ${path} is empty: nothing was recorded`);
  }
  const log = parseConflictLog(text);
  if (log.records.length === 0) {
    throw new ConflictLogError(
      'corrupt',
      `${path} is not a shared-objects conflict log (no line of it is a log record)`,
    );
  }
  return log;
}

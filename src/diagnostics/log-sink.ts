/**
 * Where a recording thread's records go: a log file (Node, Deno, Bun: every thread appends whole
 * lines to the same file), or this thread's memory where there is no file system (a browser).
 *
 * Each record is one `write` of one line to a file opened for appending (O_APPEND), made at the
 * moment of the conflict: a worker killed mid-run has lost nothing it recorded, and lines of
 * different threads never interleave (the kernel appends each write whole). Decision 0016
 * planned a ring in the heap drained by one thread; a write per record turned out simpler and
 * exact under kills, and it costs less than the stack that comes with most records.
 */
import { nodeBuiltinIfAny, type NodeBuiltin } from '../platform/index.js';
import type { LogRecord } from './log-records.js';

export interface LogSink {
  /** The log file's path, when records go to a file. */
  readonly path: string | undefined;
  write(record: LogRecord): void;
  /** The records kept in memory (a memory sink), else undefined. */
  kept(): readonly LogRecord[] | undefined;
  close(): void;
}

/** Records kept in memory, at most this many (the oldest are dropped first). */
const memoryRecordsMax = 100_000;

class MemorySink implements LogSink {
  readonly path = undefined;
  readonly #records: LogRecord[] = [];

  write(record: LogRecord): void {
    if (this.#records.length === memoryRecordsMax) this.#records.shift();
    this.#records.push(record);
  }

  kept(): readonly LogRecord[] {
    return this.#records;
  }

  close(): void {
    // Kept for `heap.conflicts()` until the heap goes.
  }
}

class FileSink implements LogSink {
  readonly path: string;
  readonly #fs: NodeBuiltin<'node:fs'>;
  #fd: number | undefined;

  constructor(fs: NodeBuiltin<'node:fs'>, path: string, truncate: boolean) {
    this.#fs = fs;
    this.path = path;
    // Every thread appends (O_APPEND), the one that starts the run too: a thread writing at its
    // own offset would write over the lines others appended meanwhile.
    if (truncate) fs.writeFileSync(path, '');
    this.#fd = fs.openSync(path, 'a');
  }

  write(record: LogRecord): void {
    if (this.#fd === undefined) return;
    try {
      this.#fs.writeSync(this.#fd, `${JSON.stringify(record)}\n`);
    } catch {
      // A full disk must not fail the transaction that conflicted: recording stops here, and
      // the log ends without an `end` record, as a killed run's does.
      this.close();
    }
  }

  kept(): undefined {
    return undefined;
  }

  close(): void {
    if (this.#fd === undefined) return;
    const fd = this.#fd;
    this.#fd = undefined;
    try {
      this.#fs.closeSync(fd);
    } catch {
      // Closed already (the process is going down): nothing was lost, every line was written.
    }
  }
}

/**
 * A sink for this thread: the file `path` when there is a file system (emptied first if
 * `truncate`: the thread that starts the run), else memory.
 */
export function openSink(path: string | undefined, truncate: boolean): LogSink {
  const fs = nodeBuiltinIfAny('node:fs');
  if (path === undefined || fs === undefined) return new MemorySink();
  return new FileSink(fs, path, truncate);
}

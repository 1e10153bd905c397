/**
 * The library's error classes.
 *
 * Two kinds of failure (STYLE.md §3): a broken invariant is a bug and throws `BugError` through
 * `assert`; a bad input or an exhausted resource throws one of the typed errors below and leaves
 * shared state exactly as it was. Every typed error has a stable `code` that callers may switch on.
 */

/** Stable machine-readable codes; messages may change, codes do not. */
export type ErrorCode =
  | 'NOT_SHAREABLE'
  | 'STALE_HANDLE'
  | 'HEAP_EXHAUSTED'
  | 'CLOSED'
  | 'HEAP_LAYOUT'
  | 'LIMIT_EXCEEDED'
  | TransactionStateCode;

/** Why a transaction operation was called where it cannot work. */
export type TransactionStateCode =
  | 'NOT_IN_TRANSACTION'
  | 'ALREADY_INEVITABLE'
  | 'RETRY_WITHOUT_READS'
  | 'RETRY_IN_INEVITABLE'
  | 'MIXED_HEAPS'
  | 'HEAP_UNKNOWN'
  | 'ASYNC_IN_TRANSACTION';

/** A value that cannot live in shared memory. Names the path of the offending part. */
export class NotShareableError extends TypeError {
  readonly code = 'NOT_SHAREABLE' as const satisfies ErrorCode;
  /** Where the offending value sits in what was stored, e.g. `value.a[3].b`. */
  readonly path: string;

  constructor(path: string, reason: string) {
    super(`${path} is not shareable: ${reason}`);
    this.name = 'NotShareableError';
    this.path = path;
  }
}

/** A handle that no longer names a live block of the expected type (freed, reused, wrong type). */
export class StaleHandleError extends Error {
  readonly code = 'STALE_HANDLE' as const satisfies ErrorCode;

  constructor(message: string) {
    super(message);
    this.name = 'StaleHandleError';
  }
}

/** The heap has no free memory left for a request. The heap stays fully usable afterwards. */
export class HeapExhaustedError extends Error {
  readonly code = 'HEAP_EXHAUSTED' as const satisfies ErrorCode;
  readonly requestedBytes: number;

  constructor(requestedBytes: number, detail: string) {
    super(`heap exhausted: cannot allocate ${requestedBytes} bytes (${detail})`);
    this.name = 'HeapExhaustedError';
    this.requestedBytes = requestedBytes;
  }
}

/**
 * Use of a heap (or an object of it) after this worker called `heap.close()`; also a send on a
 * closed channel, a receive on a closed and drained one, and closing a channel twice (`reason`).
 */
export class ClosedError extends Error {
  readonly code = 'CLOSED' as const satisfies ErrorCode;

  constructor(what: string, reason = 'the heap was closed in this worker') {
    super(`${what}: ${reason}`);
    this.name = 'ClosedError';
  }
}

/** Attaching memory that is not a heap, or a heap made by an incompatible layout version. */
export class HeapLayoutError extends Error {
  readonly code = 'HEAP_LAYOUT' as const satisfies ErrorCode;

  constructor(message: string) {
    super(message);
    this.name = 'HeapLayoutError';
  }
}

/** A named, fixed limit was reached (e.g. every worker slot is taken). */
export class LimitExceededError extends Error {
  readonly code = 'LIMIT_EXCEEDED' as const satisfies ErrorCode;
  readonly limitName: string;

  constructor(limitName: string, message: string) {
    super(`${message} (limit ${limitName})`);
    this.name = 'LimitExceededError';
    this.limitName = limitName;
  }
}

/**
 * A transaction operation used where it cannot work: `retry()` or `inevitable()` outside a
 * transaction, `inevitable()` twice, `retry()` in an inevitable transaction or before reading
 * anything, one transaction touching two heaps, `atomicallyAsync` inside a transaction. The
 * `code` says which.
 */
export class TransactionStateError extends Error {
  readonly code: TransactionStateCode;

  constructor(code: TransactionStateCode, message: string) {
    super(message);
    this.name = 'TransactionStateError';
    this.code = code;
  }
}

/** A broken internal invariant. Never caught by the library: it means a bug, not bad input. */
export class BugError extends Error {
  constructor(message: string) {
    super(`BUG: ${message}`);
    this.name = 'BugError';
  }
}

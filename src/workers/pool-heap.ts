/**
 * What the workers layer needs of a heap, as a structural type: `workers/` sits below `api/`
 * (where `Heap` lives) in the layer order, so it takes a heap by shape, and `api/` passes its
 * `Heap` in. Also the two halves every record payload goes through: write a value inline
 * (payload-codec.ts) or, when it does not fit, into a heap cell whose reference goes inline; and
 * read it back.
 */
import type { TxStats } from '../stm/index.js';
import type { SharedRef } from '../values/index.js';
import {
  decodeJoined,
  decodePayload,
  doesNotFit,
  encodeJoined,
  encodePayload,
  encodeRef,
  PayloadTag,
  type Joined,
  type OpenRef,
} from './payload-codec.js';

/** A heap cell as the workers layer uses it (objects/'s `SharedCell` has this shape). */
export interface PoolCell {
  readonly ref: SharedRef;
  get(): unknown;
  [Symbol.dispose](): void;
}

/** The `Heap` of api/, by shape. */
export interface PoolHeap {
  readonly handle: { readonly kind: 'shared-objects/heap'; readonly buffer: SharedArrayBuffer };
  readonly closed: boolean;
  /** What this thread runs now, named in its conflict records (a task's name). */
  activity: string | undefined;
  watch(worker: {
    readonly threadId: number;
    once(event: 'exit', listener: (exitCode: number) => void): unknown;
  }): void;
  atomically<T>(fn: () => T): T;
  /** Inside a transaction: runs `action` if the attempt, or the nested part, is undone. */
  onAbort(action: () => void): void;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
  open<T>(ref: SharedRef): T;
  cell(initial: unknown): PoolCell;
  stats(): TxStats;
  close(): void;
}

/** Attaches a heap in a pool worker (api/ passes `Heap.attach`). */
export type AttachHeap = (handle: PoolHeap['handle']) => PoolHeap;

/**
 * Writes `value` at `offset` of `view`, never past `end`: inline when it fits, else into a new
 * heap cell, returned so that the writer keeps it (and what it references) alive until the
 * reader is done. Throws NotShareableError (from the heap) for a value no heap can hold.
 */
export function writePayload(
  heap: PoolHeap,
  view: DataView,
  offset: number,
  end: number,
  value: unknown,
): PoolCell | undefined {
  if (encodePayload(view, offset, end, value) !== doesNotFit) return undefined;
  const cell = heap.cell(value);
  view.setUint8(offset, PayloadTag.cell);
  if (encodeRef(view, offset + 1, end, cell.ref) === doesNotFit) {
    cell[Symbol.dispose]();
    throw new RangeError('BUG: a record payload cannot hold one reference');
  }
  return cell;
}

/**
 * `writePayload` of the array `[name, key?, ...rest]` (payload-codec's `encodeJoined`), made
 * only when it does not fit inline: the payload of a call or a task.
 */
export function writeJoinedPayload(
  heap: PoolHeap,
  view: DataView,
  offset: number,
  end: number,
  name: string,
  key: string | number | undefined,
  rest: readonly unknown[],
): PoolCell | undefined {
  if (encodeJoined(view, offset, end, name, key, rest) !== doesNotFit) return undefined;
  const items = key === undefined ? [name, ...rest] : [name, key, ...rest];
  return writePayload(heap, view, offset, end, items);
}

/** Reads what `writePayload` wrote: shared objects reopened in this worker. */
export class PayloadReader {
  readonly #open: OpenRef;
  readonly #openCell: OpenRef;

  constructor(heap: PoolHeap) {
    this.#open = (ref) => heap.open(ref);
    this.#openCell = (ref) => {
      const cell = heap.open<PoolCell>(ref);
      try {
        return cell.get();
      } finally {
        cell[Symbol.dispose]();
      }
    };
  }

  read(view: DataView, offset: number): unknown {
    return decodePayload(view, offset, this.#open, this.#openCell);
  }

  /** Reads what `writeJoinedPayload` wrote. */
  readJoined(view: DataView, offset: number, keyed: boolean): Joined {
    return decodeJoined(view, offset, this.#open, this.#openCell, keyed);
  }
}

/** An error as it crosses workers: its class name, message and stack. */
export interface ErrorRecord {
  readonly name: string;
  readonly message: string;
  readonly stack: string;
  readonly code?: string;
}

export function errorRecord(error: unknown): ErrorRecord {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      stack: error.stack ?? '',
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
  return { name: 'Error', message: `non-error thrown: ${String(error)}`, stack: '' };
}

const builtinErrors: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/**
 * The error again, in this worker: of the built-in class of that name when there is one, else an
 * `Error` whose `name` is the original's; the original stack (the worker's) is kept.
 */
export function errorFromRecord(record: ErrorRecord): Error {
  const Class = builtinErrors[record.name] ?? Error;
  const error = new Class(record.message);
  if (error.name !== record.name) {
    Object.defineProperty(error, 'name', { value: record.name, configurable: true });
  }
  if (record.stack !== '') error.stack = record.stack;
  if (record.code !== undefined) Object.assign(error, { code: record.code });
  return error;
}

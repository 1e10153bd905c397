/**
 * Transaction statistics: per-worker counters in the worker's transaction record (lines 2–3,
 * tx-record.ts), written by that worker alone with plain stores (no shared line is written by
 * anyone else), summed over all slots by `heap.stats()`. Figures of a running worker may be a
 * moment old when read from another; they count since the heap was created (a reused slot keeps
 * adding).
 *
 * | field              | offset (in stats) | size | meaning                                       |
 * |--------------------|-------------------|------|-----------------------------------------------|
 * | commits            | 0                 | 8    | transactions committed (read-only included)   |
 * | readOnlyCommits    | 8                 | 8    | of which wrote nothing                        |
 * | abortsWriteWrite   | 16                | 8    | a cell it wrote was locked by an older one    |
 * | abortsWriteRead    | 24                | 8    | a cell it read was written meanwhile          |
 * | abortsInevitable   | 32                | 8    | it met the inevitable transaction             |
 * | abortsPreempted    | 40                | 8    | another worker preempted it                   |
 * | abortsNeutralised  | 48                | 8    | reclamation neutralised its worker            |
 * | abortsException    | 56                | 8    | user code threw (the error propagated)        |
 * | retries            | 64                | 8    | `retry()` sleeps                              |
 * | waits              | 72                | 8    | times it waited on another transaction        |
 * | waitMs             | 80                | 8    | time spent in those waits                     |
 * | lostMs             | 88                | 8    | time spent in attempts that aborted (*)       |
 * | preemptions        | 96                | 8    | attempts of others this worker preempted      |
 * | attemptsMax        | 104               | 8    | most attempts one transaction needed          |
 * | upgrades           | 112               | 8    | read-only attempts rerun to record reads      |
 * | (reserved)         | 120               | 8    |                                               |
 *
 * (*) Counted from when the attempt read the clock: a rerun at its start, a first attempt when it
 * first met another transaction (a wait or an age comparison). A first attempt that fails its
 * commit validation without having met anyone counts in its abort kind but adds no time: reading
 * the clock at every start would cost a tenth of a small transaction (attempt.ts, `startClock`).
 */
export const statField = {
  commits: 0,
  readOnlyCommits: 1,
  abortsWriteWrite: 2,
  abortsWriteRead: 3,
  abortsInevitable: 4,
  abortsPreempted: 5,
  abortsNeutralised: 6,
  abortsException: 7,
  retries: 8,
  waits: 9,
  waitMs: 10,
  lostMs: 11,
  preemptions: 12,
  attemptsMax: 13,
  upgrades: 14,
} as const;
export type StatField = keyof typeof statField;
export const statFieldCount = 16;

/** Why an attempt did not commit. */
export type AbortKind =
  | 'write-write'
  | 'write-read'
  | 'inevitable'
  | 'preempted'
  | 'neutralised'
  | 'exception'
  | 'retry'
  | 'upgrade';

export const abortStat: Record<AbortKind, StatField> = {
  'write-write': 'abortsWriteWrite',
  'write-read': 'abortsWriteRead',
  inevitable: 'abortsInevitable',
  preempted: 'abortsPreempted',
  neutralised: 'abortsNeutralised',
  exception: 'abortsException',
  retry: 'retries',
  upgrade: 'upgrades',
};

/**
 * Where a transactional word sits, for conflict reports: the shared object it belongs to and the
 * part of it — a map's key, an array's index, an object's field. Described by the kind that owns
 * the word's block (objects/kinds.ts), on a best-effort basis: a block freed meanwhile gives
 * `object: 'unknown'`.
 */
export interface WordPlace {
  /** The kind of shared object: `cell`, `map`, `set`, `array`, `object`, `counter`, … */
  readonly object: string;
  /** The handle of the block that holds the word (the object's own, or one it owns), or 0. */
  readonly handle: number;
  /**
   * Which part: `value` (a cell's, an entry's), `link` (a chain link), `bucket`, `size`, `table`,
   * `length`, `segments`, `element`, `field`, …
   */
  readonly part: string;
  /** The key of a map or set entry, the index of an array element, or a field's name. */
  readonly key?: unknown;
}

/** One conflict, as handed to a conflict hook (`heap.onConflict`). */
export interface ConflictEvent {
  /** What happened: an abort of this worker's attempt, or a wait on another transaction. */
  readonly kind: AbortKind | 'wait';
  /** Handle of the block holding the word where it happened (`place.handle`; 0 for none). */
  readonly cell: number;
  /** The transactional word where it happened (its unit index in the heap; 0 for none). */
  readonly word: number;
  /** What that word is: object, part, and key or index (undefined when tied to no word). */
  readonly place: WordPlace | undefined;
  /** This worker's slot. */
  readonly slot: number;
  /** The other transaction's worker slot, or -1 when there is none (e.g. user exceptions). */
  readonly otherSlot: number;
  /** Time lost: the aborted attempt's duration, or the wait's. */
  readonly lostMs: number;
}
